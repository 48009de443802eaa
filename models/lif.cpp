// Leaky integrate-and-fire cells with exponential synapses (model `lif`).
//
//   C dV/dt = -g_L (V - E_L) + g_e(t) (E_exc - V) + g_i(t) (E_inh - V) + I_e(t) + I_i(t) + I_bias + I_stim(t)
//   dg_e/dt = -g_e / tau_exc, dg_i/dt = -g_i / tau_inh, dI_e/dt = -I_e / tau_exc, dI_i/dt = -I_i / tau_inh
//   V >= V_th: spike, V <- V_reset, held there for t_ref.
//
// Integration. Synaptic variables decay exactly. The membrane:
//  - if no conductance receptor is used by any input of the group, the system is linear and
//    is propagated exactly (Rotter & Diesmann 1999); spike times are found by root finding
//    on the exact solution;
//  - otherwise RK4 on V with the conductances evaluated exactly at the RK nodes (4th order);
//    spike times by root finding on the cubic Hermite interpolant of the step.
// Steps are dt long, split at event times, at the end of refractoriness and where a
// piecewise current changes. For speed, a step without any of those is done for all cells
// at once in a vectorisable loop; cells with events in the step are redone exactly from
// their saved state. Threshold is checked at the end of every (sub)step.
#include "core/cell_group.hpp"
#include "core/distribution.hpp"
#include "core/random.hpp"
#include "models/fast_exp.hpp"
#include "models/lif.hpp"
#include "models/target_clones.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <new>
#include <stdexcept>

namespace apical::models {
namespace {

// State arrays start on a cache line: the full step streams them with 64-byte vectors
// (AVX-512), and an unaligned one splits every load and store across two lines.
template <class T> struct CacheAligned {
    using value_type = T;
    CacheAligned() = default;
    template <class U> CacheAligned(const CacheAligned<U>&) {}
    T* allocate(std::size_t n) { return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{64})); }
    void deallocate(T* p, std::size_t) { ::operator delete (p, std::align_val_t{64}); }
    template <class U> bool operator==(const CacheAligned<U>&) const { return true; }
};
using StateArray = std::vector<double, CacheAligned<double>>;

enum Var { V_, GE, GI, IE, II };
enum Receptor { R_EXC, R_INH, R_EXC_CUR, R_INH_CUR, R_VOLT };

struct State {
    double v, ge, gi, ie, ii;
};

// f(s) = 0 on (0, h] with f(0) < 0 <= f(h): Illinois regula falsi with a bisection guard.
template <class F> double find_root(F&& f, double h, double f0, double fh) {
    double a = 0.0, b = h, fa = f0, fb = fh;
    int side = 0;
    for (int it = 0; it < 100 && (b - a) > 1e-13 * std::max(1.0, h); ++it) {
        double m = (fb != fa) ? (a * fb - b * fa) / (fb - fa) : 0.5 * (a + b);
        if (!(m > a && m < b)) m = 0.5 * (a + b);
        const double fm = f(m);
        if (fm >= 0) {
            b = m, fb = fm;
            if (side == -1) fa *= 0.5;
            side = -1;
        } else {
            a = m, fa = fm;
            if (side == 1) fb *= 0.5;
            side = 1;
        }
        if (fm == 0) return m;
    }
    return b; // the first time at or after the crossing
}

struct StepCoeffs {
    double h, Pe, Pi, Peh, Pih, Pm, P20, P21e, P21i, gL, EL, Ee, Ei, invC;
};

// The vectorised full step. A free function because GCC honours __restrict only on
// parameters; without it the alias checks for eight arrays defeat vectorisation.
// Branch-free select on bit patterns: a ternary on doubles makes GCC 12 emit a branch
// and give up vectorising the loop around it.
inline double select(bool c, double a, double b) {
    const std::uint64_t m = 0 - static_cast<std::uint64_t>(c);
    return std::bit_cast<double>((std::bit_cast<std::uint64_t>(a) & m) | (std::bit_cast<std::uint64_t>(b) & ~m));
}

constexpr std::uint32_t kChunk = 128; // cells per crossing count of the full step

// The vectorised full step for every cell; returns how many cells reached V_th, and per
// chunk of kChunk cells how many of them did.
// A free function because GCC honours __restrict only on parameters; without it the
// alias checks for a dozen arrays defeat vectorisation. Results are bitwise the same
// for every instruction set (no FMA contraction: ISO C++ mode gives -ffp-contract=off).
// CUR = false (conductance path only): no current synapse is used, so I_e and I_i stay 0
// and are neither read nor written; adding their zero would not change a bit.
template <bool COND, bool LOCAL, bool SWAP, bool CUR = true>
[[gnu::always_inline]] inline std::uint32_t
lif_full_step_impl(std::uint32_t n, const StepCoeffs& k, double I0, double t_end, double Vr, double Vth,
                   double* __restrict v, double* __restrict ge, double* __restrict gi, double* __restrict ie,
                   double* __restrict ii, double* __restrict pv, double* __restrict pge, double* __restrict pgi,
                   double* __restrict pie, double* __restrict pii, const double* __restrict ref,
                   const double* __restrict icell, std::uint32_t* __restrict chunk_cross) {
    const double h = k.h, h2 = 0.5 * k.h, h6 = k.h / 6.0;
    const double gL = k.gL, EL = k.EL, Ee = k.Ee, Ei = k.Ei, invC = k.invC;
    const double Pe = k.Pe, Pi = k.Pi, Peh = k.Peh, Pih = k.Pih;
    auto f = [=](double V, double gE, double gI, double s, double I) {
        if constexpr (CUR) return (gL * (EL - V) + gE * (Ee - V) + gI * (Ei - V) + s + I) * invC;
        else return (gL * (EL - V) + gE * (Ee - V) + gI * (Ei - V) + I) * invC;
    };
    static_assert(CUR || COND, "the linear path always has current synapses");
    // Crossings are counted per chunk of kChunk cells, so that the search for the crossing
    // cells visits only the chunks that have one.
    std::uint32_t crossed = 0;
    for (std::uint32_t c0 = 0; c0 < n; c0 += kChunk) {
        const std::uint32_t c1 = std::min(n, c0 + kChunk);
        std::uint64_t x = 0; // 64 bits like the compared doubles: no lane narrowing in the loop
        for (std::uint32_t c = c0; c < c1; ++c) {
            const double V = v[c];
            double I = I0;
            if constexpr (LOCAL) I += icell[c];
            const double e0 = CUR ? ie[c] : 0.0, i0 = CUR ? ii[c] : 0.0;
            double Vn;
            if constexpr (COND) {
                const double g0e = ge[c], g0i = gi[c];
                const double s0 = e0 + i0, sh = e0 * Peh + i0 * Pih, s1 = e0 * Pe + i0 * Pi;
                const double ghe = g0e * Peh, ghi = g0i * Pih, g1e = g0e * Pe, g1i = g0i * Pi;
                const double k1 = f(V, g0e, g0i, s0, I);
                const double k2 = f(V + h2 * k1, ghe, ghi, sh, I);
                const double k3 = f(V + h2 * k2, ghe, ghi, sh, I);
                const double k4 = f(V + h * k3, g1e, g1i, s1, I);
                Vn = V + h6 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
                if constexpr (SWAP) pge[c] = g1e, pgi[c] = g1i;
                else ge[c] = g1e, gi[c] = g1i;
            } else {
                Vn = EL + (V - EL) * k.Pm + I * k.P20 + e0 * k.P21e + i0 * k.P21i;
            }
            if constexpr (CUR) {
                if constexpr (SWAP) pie[c] = e0 * Pe, pii[c] = i0 * Pi;
                else ie[c] = e0 * Pe, ii[c] = i0 * Pi;
            }
            const double Vo = select(ref[c] >= t_end, Vr, Vn);
            if constexpr (SWAP) pv[c] = Vo;
            else v[c] = Vo;
            x += Vo >= Vth ? 1u : 0u;
        }
        chunk_cross[c0 / kChunk] = static_cast<std::uint32_t>(x);
        crossed += static_cast<std::uint32_t>(x);
    }
    return crossed;
}

#define APICAL_LIF_STEP_ARGS                                                                                           \
    std::uint32_t n, const StepCoeffs &k, double I0, double t_end, double Vr, double Vth, double *v, double *ge,       \
        double *gi, double *ie, double *ii, double *pv, double *pge, double *pgi, double *pie, double *pii,            \
        const double *ref, const double *icell, std::uint32_t *chunk_cross
#define APICAL_LIF_STEP_CALL                                                                                           \
    n, k, I0, t_end, Vr, Vth, v, ge, gi, ie, ii, pv, pge, pgi, pie, pii, ref, icell, chunk_cross
// One clone per instruction set, picked at load time; every clone computes the same bits.
// SWAP: write the new state into the p-arrays and leave the state at the step start where it
// is (the caller then swaps the two: cells redone exactly start again from the old state, which
// costs no copy); without SWAP (the grid) the state is updated in place.
#define APICAL_LIF_STEP(NAME, COND, LOCAL, SWAP, CUR)                                                                  \
    APICAL_TARGET_CLONES std::uint32_t NAME(APICAL_LIF_STEP_ARGS) {                                                    \
        return lif_full_step_impl<COND, LOCAL, SWAP, CUR>(APICAL_LIF_STEP_CALL);                                       \
    }
APICAL_LIF_STEP(lif_step_cond, true, false, true, true)
APICAL_LIF_STEP(lif_step_cond_local, true, true, true, true)
APICAL_LIF_STEP(lif_step_lin, false, false, true, true)
APICAL_LIF_STEP(lif_step_lin_local, false, true, true, true)
APICAL_LIF_STEP(lif_step_cond_grid, true, false, false, true)
APICAL_LIF_STEP(lif_step_cond_local_grid, true, true, false, true)
APICAL_LIF_STEP(lif_step_lin_grid, false, false, false, true)
APICAL_LIF_STEP(lif_step_lin_local_grid, false, true, false, true)
APICAL_LIF_STEP(lif_step_cond_nocur, true, false, true, false)
APICAL_LIF_STEP(lif_step_cond_local_nocur, true, true, true, false)
APICAL_LIF_STEP(lif_step_cond_grid_nocur, true, false, false, false)
APICAL_LIF_STEP(lif_step_cond_local_grid_nocur, true, true, false, false)
#undef APICAL_LIF_STEP
#undef APICAL_LIF_STEP_ARGS
#undef APICAL_LIF_STEP_CALL

// Cells of the conductance path with K = 1 or 2 events strictly inside the step: K + 1 RK4
// sub-steps split at the events, for a batch of such cells at once (vectorised; decay
// factors from fast_exp). Per lane: state at the step start in, state at t_end out;
// cross[i] = 1 when V reached V_th at an event or at t_end (those cells are redone by the
// scalar path, which locates the spike). Refractory lanes keep V = V_reset.
struct SplitBatch {
    static constexpr int kMax = 2;
    std::vector<double> v, ge, gi, ie, ii, I, refr, cross;
    std::vector<double> h[kMax], dge[kMax], dgi[kMax], die[kMax], dii[kMax]; // event offsets and jumps
    std::vector<std::uint32_t> cell;
    void resize(std::size_t n) {
        for (auto* a : {&v, &ge, &gi, &ie, &ii, &I, &refr, &cross}) a->resize(n);
        for (int e = 0; e < kMax; ++e)
            for (auto* a : {&h[e], &dge[e], &dgi[e], &die[e], &dii[e]}) a->resize(n);
        cell.resize(n);
    }
};

struct SplitArgs {
    double *v, *ge, *gi, *ie, *ii;
    const double *I, *refr;
    const double *h[2], *dge[2], *dgi[2], *die[2], *dii[2];
    double* cross;
};

// All arrays as __restrict parameters: GCC ignores restrict on struct members, and the
// alias checks for 24 arrays defeat vectorisation. CUR = false (conductance synapses only, as
// in lif_full_step_impl): the current synapses stay 0 and are neither read nor written.
template <int K, bool CUR>
[[gnu::always_inline]] inline void
lif_split_impl(std::uint32_t n, const StepCoeffs& k, double te, double ti, double Vr, double Vth, double* __restrict v,
               double* __restrict ge, double* __restrict gi, double* __restrict ie, double* __restrict ii,
               const double* __restrict I, const double* __restrict refr, double* __restrict cross,
               const double* __restrict h0, const double* __restrict dge0, const double* __restrict dgi0,
               const double* __restrict die0, const double* __restrict dii0, const double* __restrict h1,
               const double* __restrict dge1, const double* __restrict dgi1, const double* __restrict die1,
               const double* __restrict dii1) {
    const double gL = k.gL, EL = k.EL, Ee = k.Ee, Ei = k.Ei, invC = k.invC, dt = k.h;
    const double a_e = -0.5 / te, a_i = -0.5 / ti, Peh = k.Peh, Pih = k.Pih;
    auto f = [=](double V, double gE, double gI, double s, double Ii) {
        if constexpr (CUR) return (gL * (EL - V) + gE * (Ee - V) + gI * (Ei - V) + s + Ii) * invC;
        else return (gL * (EL - V) + gE * (Ee - V) + gI * (Ei - V) + Ii) * invC;
    };
    // One RK4 step of length h with half-step decay factors qe, qi; decays the synapses.
    auto rk4 = [&](double& V, double& g_e, double& g_i, double& s_e, double& s_i, double Ii, double h, double qe,
                   double qi) {
        const double pe = qe * qe, pi = qi * qi;
        const double k1 = f(V, g_e, g_i, s_e + s_i, Ii);
        const double k2 = f(V + 0.5 * h * k1, g_e * qe, g_i * qi, s_e * qe + s_i * qi, Ii);
        const double k3 = f(V + 0.5 * h * k2, g_e * qe, g_i * qi, s_e * qe + s_i * qi, Ii);
        const double k4 = f(V + h * k3, g_e * pe, g_i * pi, s_e * pe + s_i * pi, Ii);
        V = V + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
        g_e *= pe, g_i *= pi, s_e *= pe, s_i *= pi;
    };
    for (std::uint32_t i = 0; i < n; ++i) {
        double V = v[i], g_e = ge[i], g_i = gi[i], s_e = CUR ? ie[i] : 0.0, s_i = CUR ? ii[i] : 0.0;
        const double Ii = I[i];
        int crossed = 0;
        // First event: sub-step [0, h0], then the jump.
        const double qe0 = fast_exp(h0[i] * a_e), qi0 = fast_exp(h0[i] * a_i);
        rk4(V, g_e, g_i, s_e, s_i, Ii, h0[i], qe0, qi0);
        crossed |= static_cast<int>(V >= Vth);
        g_e += dge0[i], g_i += dgi0[i];
        if constexpr (CUR) s_e += die0[i], s_i += dii0[i];
        double prev = h0[i], Qe = qe0, Qi = qi0; // half-step factors used so far (product)
        if constexpr (K == 2) {
            const double h = h1[i] - h0[i];
            const double qe1 = fast_exp(h * a_e), qi1 = fast_exp(h * a_i);
            rk4(V, g_e, g_i, s_e, s_i, Ii, h, qe1, qi1);
            crossed |= static_cast<int>(V >= Vth);
            g_e += dge1[i], g_i += dgi1[i];
            if constexpr (CUR) s_e += die1[i], s_i += dii1[i];
            prev = h1[i], Qe *= qe1, Qi *= qi1;
        }
        rk4(V, g_e, g_i, s_e, s_i, Ii, dt - prev, Peh / Qe, Pih / Qi);
        crossed |= static_cast<int>(V >= Vth);
        ge[i] = g_e, gi[i] = g_i;
        if constexpr (CUR) ie[i] = s_e, ii[i] = s_i;
        const bool r = refr[i] != 0.0;
        v[i] = select(r, Vr, V);
        // Bitwise, not short-circuit, logic: a branch here stops the vectoriser.
        cross[i] = static_cast<double>(static_cast<int>(!r) & crossed);
    }
}

#define APICAL_SPLIT_CALL(K, CUR)                                                                                      \
    lif_split_impl<K, CUR>(n, k, te, ti, Vr, Vth, A.v, A.ge, A.gi, A.ie, A.ii, A.I, A.refr, A.cross, A.h[0], A.dge[0], \
                           A.dgi[0], A.die[0], A.dii[0], A.h[1], A.dge[1], A.dgi[1], A.die[1], A.dii[1])
#define APICAL_SPLIT(NAME, K, CUR)                                                                                     \
    APICAL_TARGET_CLONES void NAME(std::uint32_t n, const StepCoeffs& k, double te, double ti, double Vr, double Vth,  \
                                   const SplitArgs& A) {                                                               \
        APICAL_SPLIT_CALL(K, CUR);                                                                                     \
    }
APICAL_SPLIT(lif_split1, 1, true)
APICAL_SPLIT(lif_split2, 2, true)
APICAL_SPLIT(lif_split1_nocur, 1, false)
APICAL_SPLIT(lif_split2_nocur, 2, false)
#undef APICAL_SPLIT
#undef APICAL_SPLIT_CALL

// Is any |a[c]| > lim, or not a number? Compared on the bit patterns with the sign cleared
// (for non-negative doubles their order is the integers' order; NaN and infinity lie above
// every finite limit): one vectorised pass, run after every epoch on every state variable.
APICAL_TARGET_CLONES bool any_beyond(const double* __restrict a, std::uint32_t n, double lim) {
    const auto L = std::bit_cast<std::int64_t>(lim);
    std::int64_t bad = 0;
    for (std::uint32_t c = 0; c < n; ++c)
        bad |= static_cast<std::int64_t>(std::bit_cast<std::int64_t>(a[c]) & 0x7fff'ffff'ffff'ffff) > L;
    return bad != 0;
}

class LifGroup final : public CellGroup {
public:
    explicit LifGroup(const GroupBuild& b) : n_(b.count), dt_(b.dt) {
        const auto& p = b.population.params;
        const auto& info = b.info;
        auto P = [&](const char* name) { return p.at(static_cast<std::size_t>(info.param_index(name))); };
        C_ = P("C_m"), gL_ = P("g_L"), EL_ = P("E_L"), Vth_ = P("V_th"), Vr_ = P("V_reset");
        tref_ = P("t_ref"), Ib_ = P("I_e"), te_ = P("tau_exc"), ti_ = P("tau_inh");
        Ee_ = P("E_exc"), Ei_ = P("E_inh");
        tm_ = C_ / gL_;
        invC_ = 1.0 / C_;
        cond_ = b.receptor_used.size() > R_INH && (b.receptor_used[R_EXC] || b.receptor_used[R_INH]);
        if (!(Vr_ < Vth_)) throw std::invalid_argument("lif: V_reset must be below V_th");
        for (auto& [var, dist] : b.population.initial)
            if (var == GE || var == GI) cond_ = true;
        // Current synapses in use (by a projection or stimulus, or started off zero)?
        cur_ = b.receptor_used.size() <= R_INH_CUR || b.receptor_used[R_EXC_CUR] || b.receptor_used[R_INH_CUR];
        volt_ = b.receptor_used.size() != R_VOLT + 1 || b.receptor_used[R_VOLT];
        for (auto& [var, dist] : b.population.initial)
            if (var == IE || var == II) cur_ = true;
        for (auto& c : b.currents) (c.cells.empty() ? global_ : local_).push_back(c);
        if (!local_.empty()) i_cell_.assign(n_, 0.0);

        v_.assign(n_, EL_);
        ge_.assign(n_, 0.0), gi_.assign(n_, 0.0), ie_.assign(n_, 0.0), ii_.assign(n_, 0.0);
        ref_.assign(n_, -std::numeric_limits<double>::infinity());
        for (auto* a : {&pv_, &pge_, &pgi_, &pie_, &pii_}) a->assign(n_, 0.0);
        stamp_.assign(n_, -1);
        done_.assign(n_, -1);
        inside_of_.assign(n_, InsideOf{});
        grid_ = b.grid_events;
        if (i_cell_.empty()) i_cell_.assign(1, 0.0); // never read without local currents
        for (auto& [var, dist] : b.population.initial) {
            auto& arr = var == V_ ? v_ : var == GE ? ge_ : var == GI ? gi_ : var == IE ? ie_ : ii_;
            for (std::uint32_t c = 0; c < n_; ++c) {
                RandomStream rs(b.seed, purpose_key(Purpose::initial_state, static_cast<std::uint32_t>(var)),
                                b.gid0 + c);
                arr[c] = draw(dist, rs);
            }
        }
        // Full-step propagators.
        Pe_ = std::exp(-dt_ / te_), Pi_ = std::exp(-dt_ / ti_);
        Peh_ = std::exp(-0.5 * dt_ / te_), Pih_ = std::exp(-0.5 * dt_ / ti_);
        Pm_ = std::exp(-dt_ / tm_);
        P20_ = -std::expm1(-dt_ / tm_) / gL_;
        P21e_ = p21(te_, dt_), P21i_ = p21(ti_, dt_);
        wake_.resize(static_cast<std::size_t>(std::ceil(tref_ / dt_)) + 3);
        chunk_cross_.assign((n_ + kChunk - 1) / kChunk, 0);
    }

    std::uint32_t count() const override { return n_; }
    // With grid event times and no voltage-jump synapses, every synaptic event is one add to
    // a synaptic variable at the step start: a row does exactly what its events would.
    bool takes_rows() const override { return grid_ && !volt_; }

    // Non-finite state, or a membrane potential beyond +-10 V: the RK4 path went unstable
    // (e.g. C_m / g_L far below dt). The exact path cannot blow up.
    bool find_bad_state(BadState& out) const override {
        for (int var : {V_, GE, GI, IE, II}) {
            // Synaptic variables of an unused kind stay 0: nothing to check.
            if ((!cond_ && (var == GE || var == GI)) || (!cur_ && (var == IE || var == II))) continue;
            const StateArray& a = var == V_ ? v_ : var == GE ? ge_ : var == GI ? gi_ : var == IE ? ie_ : ii_;
            if (!any_beyond(a.data(), n_, var == V_ ? 1e4 : 1e12)) continue;
            for (std::uint32_t c = 0; c < n_; ++c)
                if (!(std::abs(a[c]) <= (var == V_ ? 1e4 : 1e12))) {
                    out = {c, var, a[c]};
                    return true;
                }
        }
        return false;
    }

    // The state that carries across epochs: the variables, the end of refractoriness, and
    // the cells waiting to wake up from it (a ring indexed by step).
    bool can_checkpoint() const override { return true; }
    void save_state(StateWriter& w) const override {
        w.begin("lif");
        w.put(v_), w.put(ge_), w.put(gi_), w.put(ie_), w.put(ii_), w.put(ref_);
        w.put(std::uint64_t{wake_.size()});
        for (auto& b : wake_) w.put(b);
        w.end();
    }
    void load_state(StateReader& r) override {
        r.begin("lif");
        r.get(v_), r.get(ge_), r.get(gi_), r.get(ie_), r.get(ii_), r.get(ref_);
        if (r.get<std::uint64_t>() != wake_.size())
            throw CheckpointError("checkpoint: lif refractory ring length differs (another t_ref or dt?)");
        for (auto& b : wake_) {
            r.get_vector(b, true);
            for (auto c : b)
                if (c >= n_) throw CheckpointError("checkpoint: lif refractory ring names a cell out of range");
        }
        r.end();
    }

    double get(int var, std::uint32_t c) const override {
        switch (var) {
        case V_: return v_[c];
        case GE: return ge_[c];
        case GI: return gi_[c];
        case IE: return ie_[c];
        case II: return ii_[c];
        }
        return 0.0;
    }

    void advance(const Epoch& e, const EventSpan& events, std::vector<LocalSpike>& spikes) override {
        const auto L = static_cast<std::size_t>(e.step1 - e.step0);
        for (std::size_t s = 0; s < L; ++s) {
            const std::int64_t n = e.step0 + static_cast<std::int64_t>(s);
            const double t = static_cast<double>(n) * dt_, t_end = static_cast<double>(n + 1) * dt_;
            if (has_probes() && sampling_due(n))
                for (std::uint32_t c = 0; c < n_; ++c)
                    if (probed_[c]) sample_cell(n, c, [&](int var) { return get(var, c); });
            const std::span<const Event> evs = events.step(s);

            // Events at the start of the step (with grid event times: all events) act before
            // the step, in arrival order; the others are inside the step.
            inside_.clear();
            bool volt_inside = false;
            if (grid_ && !volt_) {
                // Synaptic jumps only (the common case): one indexed add per synapse, rows
                // (recurrent synapses, see takes_rows) first, then events.
                double* const var[4] = {ge_.data(), gi_.data(), ie_.data(), ii_.data()};
                for (const SynapseRow& r : events.rows(s)) {
                    double* const x = var[r.slot];
                    const std::uint16_t* const tg = r.target;
                    if (r.gain != 1.0f || r.weight) {
                        for (std::uint32_t k = 0; k < r.count; ++k) x[tg[k]] += r.weight_of(k);
                    } else {
                        const double w = r.w;
                        for (std::uint32_t k = 0; k < r.count; ++k) x[tg[k]] += w;
                    }
                }
                for (const Event& x : evs) var[x.slot][x.cell] += x.weight;
            } else
                for (std::uint32_t q = 0; q < evs.size(); ++q) {
                    const Event& x = evs[q];
                    if (!(grid_ || x.time <= t)) {
                        inside_.push_back(q);
                        volt_inside |= x.slot == R_VOLT;
                        continue;
                    }
                    const std::uint32_t c = x.cell;
                    switch (x.slot) {
                    case R_EXC: ge_[c] += x.weight; break;
                    case R_INH: gi_[c] += x.weight; break;
                    case R_EXC_CUR: ie_[c] += x.weight; break;
                    case R_INH_CUR: ii_[c] += x.weight; break;
                    case R_VOLT:
                        if (t >= ref_[c]) {
                            v_[c] += x.weight;
                            if (v_[c] >= Vth_) {
                                State st{v_[c], ge_[c], gi_[c], ie_[c], ii_[c]};
                                fire(c, t, st, spikes);
                                store(c, st);
                            }
                        }
                        break;
                    default: break;
                    }
                }

            // Cells that need the exact (split) path in this step: conductance cells with an
            // event inside the step, cells with a voltage jump inside it, cells whose
            // refractoriness ends inside it; all cells when an injected current changes in it.
            special_.clear();
            bool all_special = false;
            if (!grid_) {
                for (auto& ci : global_) ci.waveform.for_each_change(t, t_end, [&](double) { all_special = true; });
                for (auto& ci : local_) ci.waveform.for_each_change(t, t_end, [&](double) { all_special = true; });
            }
            // Each cell's inside events, as a chain in event order (inside_of_, next_), counted
            // in every step: the cells redone below read their events from it (also when
            // all cells are special: an injected current that changes in a step must not
            // hide that step's events).
            if (next_.size() < evs.size()) next_.resize(evs.size());
            for (auto q : inside_) {
                const std::uint32_t c = evs[q].cell;
                InsideOf& io = inside_of_[c];
                if (io.step != n) io.step = n, io.count = 0, io.first = q;
                else next_[io.last] = q;
                io.last = q;
                ++io.count;
                if (!all_special && (cond_ || (volt_inside && evs[q].slot == R_VOLT))) mark(c, n);
            }
            auto& wake = wake_[static_cast<std::size_t>(n) % wake_.size()];
            if (all_special)
                for (std::uint32_t c = 0; c < n_; ++c) mark(c, n);
            else
                for (auto c : wake) mark(c, n);
            wake.clear();

            const double I0 = Ib_ + current_at(global_, t, t_end);
            if (!local_.empty()) fill_local_currents(t, t_end);
            const StepCoeffs k{dt_, Pe_, Pi_, Peh_, Pih_, Pm_, P20_, P21e_, P21i_, gL_, EL_, Ee_, Ei_, invC_};
            auto step = [&](auto fn) {
                return fn(n_, k, I0, t_end, Vr_, Vth_, v_.data(), ge_.data(), gi_.data(), ie_.data(), ii_.data(),
                          pv_.data(), pge_.data(), pgi_.data(), pie_.data(), pii_.data(), ref_.data(), i_cell_.data(),
                          chunk_cross_.data());
            };
            // Conductance synapses only: the _nocur kernels leave the (zero) currents alone.
            const bool nocur = cond_ && !cur_;
            std::uint32_t crossed;
            if (grid_) {
                if (nocur)
                    crossed = local_.empty() ? step(lif_step_cond_grid_nocur) : step(lif_step_cond_local_grid_nocur);
                else if (cond_) crossed = local_.empty() ? step(lif_step_cond_grid) : step(lif_step_cond_local_grid);
                else crossed = local_.empty() ? step(lif_step_lin_grid) : step(lif_step_lin_local_grid);
            } else {
                if (nocur) crossed = local_.empty() ? step(lif_step_cond_nocur) : step(lif_step_cond_local_nocur);
                else if (cond_) crossed = local_.empty() ? step(lif_step_cond) : step(lif_step_cond_local);
                else crossed = local_.empty() ? step(lif_step_lin) : step(lif_step_lin_local);
                // The step wrote the new state into the p-arrays: swap them in, so that the
                // p-arrays hold the state at the step start (what the exact redo starts from).
                // The kernels write only what they advance: V always, the conductances on the
                // conductance path, the currents except in the _nocur ones.
                v_.swap(pv_);
                if (cond_) ge_.swap(pge_), gi_.swap(pgi_);
                if (!nocur) ie_.swap(pie_), ii_.swap(pii_);
            }

            // Linear cells: events inside the step are added exactly by superposition. Only
            // the cells with events change, so the crossing counts of the full step are
            // corrected cell by cell (a recount of every cell cost more than the step itself).
            if (!cond_ && !inside_.empty()) {
                Superposer sp(*this, t_end);
                for (auto q : inside_) {
                    const Event& x = evs[q];
                    const std::uint32_t c = x.cell;
                    if (stamp_[c] == n) continue;
                    const bool was = v_[c] >= Vth_;
                    sp.add(x, ref_[c] >= t_end, ie_[c], ii_[c], v_[c]);
                    const bool now = v_[c] >= Vth_;
                    if (now != was) {
                        chunk_cross_[c / kChunk] += now ? 1u : std::uint32_t(-1);
                        crossed += now ? 1u : std::uint32_t(-1);
                    }
                }
            }

            // Exact split path for the special cells, from the state at the step start:
            // the common case (conductance cell, one inside event, no refractoriness ending
            // in the step) in a vectorised batch, the rest one by one.
            if (cond_ && !all_special && !special_.empty()) split_batch(evs, n, t, t_end, I0, k);
            for (auto c : special_)
                if (done_[c] != n) {
                    redo(c, t, t_end, evs, n, spikes);
                    done_[c] = n;
                }

            // Threshold crossings of the other cells: located exactly by redoing the step.
            // Only the chunks the full step counted a crossing in are searched (special cells
            // are counted there too, but skipped here: their step is done already).
            if (crossed)
                for (std::uint32_t c0 = 0; c0 < n_; c0 += kChunk) {
                    std::uint32_t left = chunk_cross_[c0 / kChunk];
                    const std::uint32_t c1 = std::min(n_, c0 + kChunk);
                    const double* v = v_.data();
                    const double vth = Vth_;
                    // Stops after the chunk's last crossing. Only cells the full step left as
                    // they are count down: a special cell (redone since) that the full step
                    // counted keeps `left` above 0, and the whole chunk is searched.
                    for (std::uint32_t c = c0; left != 0 && c < c1; ++c) {
                        if (!(v[c] >= vth) || stamp_[c] == n) continue;
                        --left;
                        if (grid_) {
                            State st{v_[c], ge_[c], gi_[c], ie_[c], ii_[c]};
                            fire(c, t_end, st, spikes);
                            store(c, st);
                            continue;
                        }
                        redo(c, t, t_end, evs, n, spikes);
                    }
                }
        }
    }

private:
    static double p21(double ts, double h, double tm, double C) {
        // Response of V to a unit synaptic current decaying with ts, after h (exact).
        if (std::abs(ts - tm) < 1e-12 * tm) return h / C * std::exp(-h / tm);
        return -ts * tm / (tm - ts) / C * std::exp(-h / tm) * std::expm1(-h * (1.0 / ts - 1.0 / tm));
    }
    double p21(double ts, double h) const { return p21(ts, h, tm_, C_); }

    void mark(std::uint32_t c, std::int64_t n) {
        if (stamp_[c] == n) return;
        stamp_[c] = n;
        special_.push_back(c);
    }
    void store(std::uint32_t c, const State& s) {
        v_[c] = s.v, ge_[c] = s.ge, gi_[c] = s.gi, ie_[c] = s.ie, ii_[c] = s.ii;
    }

    // Redo cell c's step exactly from the state at the step start (the prev arrays), with
    // its events inside the step in time order.
    void redo(std::uint32_t c, double t, double t_end, std::span<const Event> evs, std::int64_t n,
              std::vector<LocalSpike>& spikes) {
        mine_.clear();
        if (const InsideOf& io = inside_of_[c]; io.step == n) {
            std::uint32_t q = io.first;
            for (std::uint32_t k = 0; k < io.count; ++k) {
                if (k > 0) q = next_[q];
                mine_.push_back(evs[q]);
            }
            for (std::size_t i = 1; i < mine_.size(); ++i)
                for (std::size_t j = i; j > 0 && CellEvents::less(mine_[j], mine_[j - 1]); --j)
                    std::swap(mine_[j], mine_[j - 1]);
        }
        State st{pv_[c], pge_[c], pgi_[c], pie_[c], pii_[c]};
        if (!cond_) st.ge = ge_[c], st.gi = gi_[c]; // not advanced by the linear path
        step_cell(c, st, t, t_end, mine_.data(), mine_.data() + mine_.size(), spikes);
        store(c, st);
    }

    // Batch the special cells with one or two inside events (no voltage jumps, no
    // refractoriness ending in the step) through the vectorised split kernels.
    void split_batch(std::span<const Event> evs, std::int64_t n, double t, double t_end, double I0,
                     const StepCoeffs& k) {
        // One pass sorts the candidates into the one-event and the two-event batch.
        std::uint32_t m[SplitBatch::kMax] = {0, 0};
        for (auto& B : batch_)
            if (B.cell.size() < special_.size()) B.resize(special_.size()); // grows only: no zeroing per step
        for (auto c : special_) {
            const InsideOf& io = inside_of_[c];
            if (io.step != n || io.count > SplitBatch::kMax) continue;
            const double r = ref_[c];
            if (r > t && r < t_end) continue; // refractoriness ends inside: general path
            const int K = static_cast<int>(io.count);
            Event x[SplitBatch::kMax] = {evs[io.first], evs[io.first]};
            if (K == 2) x[1] = evs[next_[io.first]];
            if (K == 2 && CellEvents::less(x[1], x[0])) std::swap(x[0], x[1]);
            bool ok = true;
            for (int e = 0; e < K; ++e) ok &= x[e].slot <= R_INH_CUR;
            if (!ok) continue;
            SplitBatch& B = batch_[K - 1];
            const std::uint32_t i = m[K - 1]++;
            B.cell[i] = c;
            B.v[i] = pv_[c], B.ge[i] = pge_[c], B.gi[i] = pgi_[c];
            if (cur_) B.ie[i] = pie_[c], B.ii[i] = pii_[c];
            B.I[i] = local_.empty() ? I0 : I0 + i_cell_[c];
            B.refr[i] = r >= t_end ? 1.0 : 0.0;
            for (int e = 0; e < K; ++e) {
                B.h[e][i] = x[e].time - t;
                B.dge[e][i] = x[e].slot == R_EXC ? x[e].weight : 0.0;
                B.dgi[e][i] = x[e].slot == R_INH ? x[e].weight : 0.0;
                if (cur_) { // (without current synapses no such event comes, and _nocur reads none)
                    B.die[e][i] = x[e].slot == R_EXC_CUR ? x[e].weight : 0.0;
                    B.dii[e][i] = x[e].slot == R_INH_CUR ? x[e].weight : 0.0;
                }
            }
        }
        for (int K = 1; K <= SplitBatch::kMax; ++K) {
            SplitBatch& B = batch_[K - 1];
            const std::uint32_t mk = m[K - 1];
            if (mk == 0) continue;
            SplitArgs A{B.v.data(),
                        B.ge.data(),
                        B.gi.data(),
                        B.ie.data(),
                        B.ii.data(),
                        B.I.data(),
                        B.refr.data(),
                        {B.h[0].data(), B.h[1].data()},
                        {B.dge[0].data(), B.dge[1].data()},
                        {B.dgi[0].data(), B.dgi[1].data()},
                        {B.die[0].data(), B.die[1].data()},
                        {B.dii[0].data(), B.dii[1].data()},
                        B.cross.data()};
            if (K == 1)
                cur_ ? lif_split1(mk, k, te_, ti_, Vr_, Vth_, A) : lif_split1_nocur(mk, k, te_, ti_, Vr_, Vth_, A);
            else cur_ ? lif_split2(mk, k, te_, ti_, Vr_, Vth_, A) : lif_split2_nocur(mk, k, te_, ti_, Vr_, Vth_, A);
            for (std::uint32_t i = 0; i < mk; ++i) {
                const std::uint32_t c = B.cell[i];
                if (B.cross[i] != 0.0) continue; // left to the scalar path, which locates the spike
                v_[c] = B.v[i], ge_[c] = B.ge[i], gi_[c] = B.gi[i];
                if (cur_) ie_[c] = B.ie[i], ii_[c] = B.ii[i];
                done_[c] = n;
            }
        }
    }

    // Exact contribution of events inside the step to the state at t_end (linear path): an
    // event of weight w at t_end - d adds w e^(-d/ts) to its current and w p21(ts, d) to V. The
    // two factors depend only on the event's time and receptor, which all synapses of one
    // spike share (they are consecutive in a step's events when the delay is constant), so
    // they are computed once per run of such events.
    class Superposer {
    public:
        Superposer(const LifGroup& g, double t_end) : g_(g), t_end_(t_end) {}
        void add(const Event& e, bool refractory, double& ie, double& ii, double& v) {
            if (e.slot != R_EXC_CUR && e.slot != R_INH_CUR) return;
            if (e.time != time_ || e.slot != slot_) {
                time_ = e.time, slot_ = e.slot;
                const double ts = e.slot == R_EXC_CUR ? g_.te_ : g_.ti_, d = t_end_ - e.time;
                decay_ = std::exp(-d / ts);
                response_ = g_.p21(ts, d);
            }
            (e.slot == R_EXC_CUR ? ie : ii) += e.weight * decay_;
            if (!refractory) v += e.weight * response_;
        }

    private:
        const LifGroup& g_;
        double t_end_;
        double time_ = std::numeric_limits<double>::quiet_NaN();
        int slot_ = -1;
        double decay_ = 0.0, response_ = 0.0;
    };

    // Injected current over [a, b): piecewise values at a, sinusoids at the midpoint.
    static double current_at(const std::vector<CurrentInput>& in, double a, double b) {
        double I = 0.0;
        for (auto& ci : in) I += ci.waveform.over(a, b);
        return I;
    }
    void fill_local_currents(double a, double b) {
        std::fill(i_cell_.begin(), i_cell_.end(), 0.0);
        for (auto& ci : local_) {
            const double I = ci.waveform.over(a, b);
            for (auto c : ci.cells) i_cell_[c] += I;
        }
    }
    double cell_current(std::uint32_t c, double a, double b) const {
        double I = Ib_ + current_at(global_, a, b);
        for (auto& ci : local_)
            if (std::find(ci.cells.begin(), ci.cells.end(), c) != ci.cells.end()) I += ci.waveform.over(a, b);
        return I;
    }

    // dV/dt for the conductance path.
    double dvdt(double v, double ge, double gi, double isyn, double I) const {
        return (gL_ * (EL_ - v) + ge * (Ee_ - v) + gi * (Ei_ - v) + isyn + I) * invC_;
    }

    // Advance one cell by h from state s with constant injected current I.
    State propagate(const State& s, double h, double I, bool refractory) const {
        const double pe = std::exp(-h / te_), pi = std::exp(-h / ti_);
        State o{s.v, s.ge * pe, s.gi * pi, s.ie * pe, s.ii * pi};
        if (refractory) {
            o.v = Vr_;
        } else if (cond_) {
            const double phe = std::exp(-0.5 * h / te_), phi = std::exp(-0.5 * h / ti_);
            const double k1 = dvdt(s.v, s.ge, s.gi, s.ie + s.ii, I);
            const double k2 = dvdt(s.v + 0.5 * h * k1, s.ge * phe, s.gi * phi, s.ie * phe + s.ii * phi, I);
            const double k3 = dvdt(s.v + 0.5 * h * k2, s.ge * phe, s.gi * phi, s.ie * phe + s.ii * phi, I);
            const double k4 = dvdt(s.v + h * k3, o.ge, o.gi, o.ie + o.ii, I);
            o.v = s.v + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
        } else {
            o.v = EL_ + (s.v - EL_) * std::exp(-h / tm_) - I * std::expm1(-h / tm_) / gL_ + s.ie * p21(te_, h) +
                  s.ii * p21(ti_, h);
        }
        return o;
    }

    // Time of the threshold crossing inside (0, h], given it happens.
    double crossing(const State& s, const State& end, double h, double I) const {
        if (!cond_) {
            auto f = [&](double x) { return propagate(s, x, I, false).v - Vth_; };
            return find_root(f, h, s.v - Vth_, end.v - Vth_);
        }
        // Cubic Hermite interpolant of V over the step (4th-order accurate like RK4).
        const double d0 = dvdt(s.v, s.ge, s.gi, s.ie + s.ii, I) * h;
        const double d1 = dvdt(end.v, end.ge, end.gi, end.ie + end.ii, I) * h;
        auto f = [&](double x) {
            const double u = x / h, u2 = u * u, u3 = u2 * u;
            return (2 * u3 - 3 * u2 + 1) * s.v + (u3 - 2 * u2 + u) * d0 + (-2 * u3 + 3 * u2) * end.v + (u3 - u2) * d1 -
                   Vth_;
        };
        return find_root(f, h, s.v - Vth_, end.v - Vth_);
    }

    void apply(State& s, const Event& ev, double tc, double ref) const {
        switch (ev.slot) {
        case R_EXC: s.ge += ev.weight; break;
        case R_INH: s.gi += ev.weight; break;
        case R_EXC_CUR: s.ie += ev.weight; break;
        case R_INH_CUR: s.ii += ev.weight; break;
        case R_VOLT:
            if (tc >= ref) s.v += ev.weight; // voltage jumps are ignored while refractory
            break;
        default: break;
        }
    }

    void fire(std::uint32_t c, double ts, State& s, std::vector<LocalSpike>& spikes) {
        spikes.push_back({ts, c});
        s.v = Vr_;
        // With grid event times the refractory end is put on the grid (the next boundary at
        // or after ts + t_ref): n * dt, the expression the step loop compares against.
        ref_[c] = grid_ ? next_step_boundary(ts + tref_, dt_) : ts + tref_;
        // Refractoriness that ends inside a later step makes that step exact for this cell.
        if (grid_) return;
        const double r = ref_[c] / dt_;
        const auto n_end = static_cast<std::int64_t>(std::floor(r));
        if (static_cast<double>(n_end) * dt_ < ref_[c])
            wake_[static_cast<std::size_t>(n_end) % wake_.size()].push_back(c);
    }

    // Exact integration of cell c over [t, t_end): split at events [b, en), at the end of
    // refractoriness and at current changes; threshold checked after every piece.
    void step_cell(std::uint32_t c, State& s, double t, double t_end, const Event* b, const Event* en,
                   std::vector<LocalSpike>& spikes) {
        double tc = t;
        for (int guard = 0; guard < 1 << 20; ++guard) {
            double next = t_end;
            if (b != en) next = std::min(next, std::max(b->time, tc));
            const double ref = ref_[c];
            if (ref > tc && ref < next) next = ref;
            auto cut = [&](double x) { next = std::min(next, x); };
            for (auto& ci : global_) ci.waveform.for_each_change(tc, next, cut);
            for (auto& ci : local_) ci.waveform.for_each_change(tc, next, cut);
            const double h = next - tc;
            if (h > 0) {
                const bool refr = ref >= next;
                const double I = cell_current(c, tc, next);
                State o = propagate(s, h, I, refr);
                if (!refr && o.v >= Vth_) {
                    const double x = crossing(s, o, h, I);
                    s = propagate(s, x, I, false);
                    tc += x;
                    fire(c, tc, s, spikes);
                    continue;
                }
                s = o;
                tc = next;
            }
            while (b != en && b->time <= tc) apply(s, *b++, tc, ref_[c]);
            if (tc >= ref_[c] && s.v >= Vth_) fire(c, tc, s, spikes); // pushed over by a voltage jump
            if (tc >= t_end) break;
        }
    }

    std::uint32_t n_;
    double dt_;
    double C_, gL_, EL_, Vth_, Vr_, tref_, Ib_, te_, ti_, Ee_, Ei_, tm_, invC_;
    bool cond_ = false;
    bool cur_ = true;  // current synapses in use: otherwise I_e = I_i = 0 throughout
    bool volt_ = true; // voltage jumps in use: otherwise every event slot is below R_VOLT
    std::vector<CurrentInput> global_, local_;
    std::vector<double> i_cell_;
    bool grid_ = false; // event and spike times on the dt grid (simulation.event_times: grid)
    StateArray v_, ge_, gi_, ie_, ii_, ref_;
    StateArray pv_, pge_, pgi_, pie_, pii_; // state at the start of the current step
    std::vector<std::int64_t> stamp_, done_;
    std::vector<std::uint32_t> special_;
    std::vector<std::vector<std::uint32_t>> wake_;
    SplitBatch batch_[SplitBatch::kMax]; // cells with one and with two inside events
    std::vector<std::uint32_t> inside_;  // this step's events inside it (indices)
    // Per cell: its events inside step `step` (valid for that step only): how many, the index
    // of the first and the last. One record, so that a cell's lookups share a cache line.
    struct InsideOf {
        std::int64_t step = -1;
        std::uint32_t count = 0, first = 0, last = 0;
    };
    std::vector<InsideOf> inside_of_;
    std::vector<std::uint32_t> next_;        // per event index: the same cell's next inside event
    std::vector<Event> mine_;                // one cell's inside events, time-sorted
    std::vector<std::uint32_t> chunk_cross_; // per kChunk cells: crossings in the full step
    double Pe_, Pi_, Peh_, Pih_, Pm_, P20_, P21e_, P21i_;
};

} // namespace

std::unique_ptr<CellGroup> make_lif_group(const GroupBuild& b) { return std::make_unique<LifGroup>(b); }

} // namespace apical::models
