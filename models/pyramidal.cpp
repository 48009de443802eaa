// Multi-compartment pyramidal cells (model `pyramidal`): a tree of compartments, the soma
// at the root, after Naud & Sprekeler 2018 (soma + apical Ca2+ zone) extended with axial
// coupling, NMDA receptors with Mg2+ block and GABA_B (docs/models.md has the full tables).
//
// Compartment k, parent p(k), children ch(k):
//   C_k dV_k/dt = -g_L,k (V_k - E_L,k) + g_c,k (V_p - V_k) + sum_{j in ch(k)} g_c,j (V_j - V_k)
//                 + plateau_g,k f_k(V_k) + sum_{j in ch(k)} plateau_to_parent,j f_j(V_j)
//                 - w_k + bap_k K(t) + I_e,k + I_stim,k(t) + I_syn,k
//   tau_w,k dw_k/dt = a_k (V_k - E_L,k) - w_k;              w_k += b_k at each somatic spike
//   f_k(V) = 1 / (1 + exp(-(V - plateau_E,k) / plateau_D,k))   (Ca2+ plateau nonlinearity)
//   I_syn,k = g_A (E_A - V) + g_N B(V) (E_N - V) + g_GA (E_GA - V) + g_GB (E_GB - V)
//   B(V) = 1 / (1 + [Mg]/3.57 mM exp(-0.062 V/mV))             (Jahr & Stevens 1990)
//   g_A, g_GA: exponential decay; g_N, g_GB: difference of exponentials normalised so that a
//   single event of weight w peaks at w.
//   Soma: spike when V_0 > theta; V_0 <- V_reset (held for t_ref); theta += theta_jump and
//   relaxes to theta_0 with tau_theta; K(t) = 1 on [t_s + bap_delay, t_s + bap_delay +
//   bap_duration) after the latest somatic spike t_s (boxes do not add).
//
// Integration (naud2018_conventions = 0): per cell, Boost.Odeint's classic RK4 on (V_k, w_k),
// steps no longer than dt and split at event times, bAP box edges, the end of
// refractoriness and current changes; synaptic conductances and the threshold decay in
// closed form inside the right-hand side. The spike time is found on the cubic Hermite
// interpolant of V_0 over the step (third order, matching the step's accuracy), then the
// step is redone up to the crossing. Explicit RK4 is used because the coupling is not stiff
// at the shipped parameters (fastest rate (g_L + axial)/C is 0.5/ms for l5_3c's basal
// branches against RK4's stability bound of 2.78/dt); construction refuses a tree for which
// dt times that rate exceeds 2.5 and names the compartment and the largest usable dt.
//
// naud2018_conventions = 1 reproduces the published code (Auryn NaudGroup): forward Euler at
// dt in its order per step: events of the step enter the conductances (weight x g_L of the
// target compartment); synaptic currents from the conductances with the SOMATIC voltage as
// driving force; conductances decay exactly; every membrane advances by Euler from the old
// state (plateau terms use the old f(V)); the bAP box is added; w decays exactly where
// a = 0, else by Euler with the new V; theta follows theta_0 by Euler; threshold check and
// reset; injected currents are added (dt I / C). Spikes are stamped at the end of the step.
#include "core/cell_group.hpp"
#include "core/distribution.hpp"
#include "core/random.hpp"
#include "models/fast_exp.hpp"
#include "models/pyramidal.hpp"
#include "models/target_clones.hpp"

#include <boost/numeric/odeint/stepper/runge_kutta4.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace apical::models {
namespace {

enum CompVar { CV_V, CV_W, CV_PLAT, CV_GA, CV_GN, CV_GG, CV_GB, N_CV }; // recordable, per compartment
enum Rec { R_AMPA, R_NMDA, R_GABA_A, R_GABA_B, N_REC };                 // receptors (slot = k * N_REC + r)
enum Syn { S_A, S_NR, S_ND, S_GA, S_BR, S_BD, N_SYN };                  // synaptic state, per compartment
constexpr int NS = 2 + N_SYN;                                           // state arrays per compartment: V, w, syn

struct Comp {
    std::string name;
    int parent = -1;
    double C, gL, EL, gc, pg, pp, pE, pD, a, tw, b, bap, Ie;
    std::array<double, N_SYN> tau{};
    double E_A, E_N, mg, E_GA, E_GB;
    double norm_N = 1, norm_B = 1;
    bool plateau = false;
    std::array<bool, N_SYN> used{};
    std::array<double, N_SYN> dec_dt{}, dec_half_dt{}; // exp(-dt/tau), exp(-dt/(2 tau))
};

// Peak of exp(-t/td) - exp(-t/tr): 1/peak scales a unit event to peak 1.
double dual_exp_norm(double tr, double td) {
    const double tp = tr * td / (td - tr) * std::log(td / tr);
    return 1.0 / (std::exp(-tp / td) - std::exp(-tp / tr));
}

// a where c, else b, by bit masks: a select the vectoriser accepts (a ?: does not, for doubles).
[[gnu::always_inline]] inline double select(bool c, double a, double b) {
    const std::uint64_t m = 0 - static_cast<std::uint64_t>(c);
    return std::bit_cast<double>((std::bit_cast<std::uint64_t>(a) & m) | (std::bit_cast<std::uint64_t>(b) & ~m));
}

// f(V) = 1 / (1 + exp(-(V - E) / D)), with the slope passed as k = -1/D (a multiply, not a
// divide, in the hot loops).
[[gnu::always_inline]] inline double sigmoid(double V, double E, double k) {
    double x = (V - E) * k;
    x = select(x > 700.0, 700.0, x); // fast_exp's range; beyond it the sigmoid is 0 or 1 anyway
    x = select(x < -700.0, -700.0, x);
    return 1.0 / (1.0 + fast_exp(x));
}

// The plateau activation of a whole group: the hot loop of the naud2018 path. Basic IEEE
// operations only (fast_exp), so every instruction set computes the same bits.
APICAL_TARGET_CLONES void plateau_all(std::uint32_t n, const double* __restrict V, double* __restrict f, double E,
                                      double D) {
    for (std::uint32_t c = 0; c < n; ++c) f[c] = sigmoid(V[c], E, -1.0 / D);
}
double mg_block(double V, double mg) { return 1.0 / (1.0 + mg / 3.57 * std::exp(-0.062 * V)); }

// The naud2018 shape (soma + one child, AMPA/GABA_A only) in one pass per cell: the same
// operations in the same order as the general per-compartment passes of advance_euler, so
// the results are bitwise the same (tests/unit/test_pyramidal.cpp compares them).
struct EulerPair {
    // soma (s) and its child (d): leak, bias, plateau, adaptation, synapses, bAP
    double gLs, ELs, Ies, Cs_m, as, ELs_w, tws_m, ws_dec, pgs, bap_s;
    double gLd, ELd, Ied, Cd_m, ad, twd_m, wd_dec, pgd, ppd, gcd, Ed, bap_d;
    double EA_s, EG_s, EA_d, EG_d, decA_s, decG_s, decA_d, decG_d;
    bool plat_s, plat_d, usedA_s, usedG_s, usedA_d, usedG_d, exact_ws, exact_wd;
    double Es, ks, kd, th0, mth; // ks, kd: -1 / plateau_D
    std::int64_t bap_delay_steps, bap_steps;
};
// Branch-free (selects and multiplications by zero instead of ifs on doubles, which the
// vectoriser refuses); what the general passes skip is added here as +-0, which changes no
// nonzero sum.
template <bool PlatS, bool PlatD>
[[gnu::always_inline]] inline void
euler_pair_body(std::uint32_t n, const EulerPair& P0, std::int64_t step, double* __restrict Vs, double* __restrict ws,
                double* __restrict Vd, double* __restrict wd, double* __restrict gAs, double* __restrict gGs,
                double* __restrict gAd, double* __restrict gGd, double* __restrict theta,
                const std::int64_t* __restrict spike_step) {
    const EulerPair P = P0; // a local copy: stores through the arrays cannot change it
    for (std::uint32_t c = 0; c < n; ++c) {
        const double vs = Vs[c], vd = Vd[c];
        double Is = 0.0, Id = 0.0;
        Is += gAs[c] * (P.EA_s - vs);
        gAs[c] *= P.decA_s;
        Is += gGs[c] * (P.EG_s - vs);
        gGs[c] *= P.decG_s;
        Id += gAd[c] * (P.EA_d - vs);
        gAd[c] *= P.decA_d;
        Id += gGd[c] * (P.EG_d - vs);
        gGd[c] *= P.decG_d;
        double dIs = -P.gLs * (vs - P.ELs) - ws[c] + P.Ies + Is;
        if constexpr (PlatS) dIs += P.pgs * sigmoid(vs, P.Es, P.ks);
        double dId = -P.gLd * (vd - P.ELd) - wd[c] + P.Ied + Id;
        if constexpr (PlatD) {
            const double fd = sigmoid(vd, P.Ed, P.kd);
            dId += P.pgd * fd;
            dIs += P.ppd * fd;
        }
        const double Ic = P.gcd * (vs - vd);
        dId += Ic;
        dIs -= Ic;
        const std::int64_t since = step - spike_step[c];
        const bool bap = since > P.bap_delay_steps && since <= P.bap_delay_steps + P.bap_steps;
        dIs = select(bap, dIs + P.bap_s, dIs);
        dId = select(bap, dId + P.bap_d, dId);
        const double vs1 = vs + P.Cs_m * dIs, vd1 = vd + P.Cd_m * dId;
        Vs[c] = vs1;
        ws[c] = select(P.exact_ws, ws[c] * P.ws_dec, ws[c] + P.tws_m * (P.as * (vs1 - P.ELs_w) - ws[c]));
        Vd[c] = vd1;
        wd[c] = select(P.exact_wd, wd[c] * P.wd_dec, wd[c] + P.twd_m * (P.ad * (vd1 - P.ELd) - wd[c]));
        theta[c] += P.mth * (P.th0 - theta[c]);
    }
}
#define APICAL_PAIR_KERNEL(NAME, PS, PD)                                                                               \
    APICAL_TARGET_CLONES void NAME(std::uint32_t n, const EulerPair& P, std::int64_t step, double* Vs, double* ws,     \
                                   double* Vd, double* wd, double* gAs, double* gGs, double* gAd, double* gGd,         \
                                   double* theta, const std::int64_t* spike_step) {                                    \
        euler_pair_body<PS, PD>(n, P, step, Vs, ws, Vd, wd, gAs, gGs, gAd, gGd, theta, spike_step);                    \
    }
APICAL_PAIR_KERNEL(euler_pair_00, false, false)
APICAL_PAIR_KERNEL(euler_pair_01, false, true)
APICAL_PAIR_KERNEL(euler_pair_10, true, false)
APICAL_PAIR_KERNEL(euler_pair_11, true, true)
#undef APICAL_PAIR_KERNEL
void euler_pair(std::uint32_t n, const EulerPair& P, std::int64_t step, double* Vs, double* ws, double* Vd, double* wd,
                double* gAs, double* gGs, double* gAd, double* gGd, double* theta, const std::int64_t* spike_step) {
    auto* k = P.plat_s ? (P.plat_d ? euler_pair_11 : euler_pair_10) : (P.plat_d ? euler_pair_01 : euler_pair_00);
    k(n, P, step, Vs, ws, Vd, wd, gAs, gGs, gAd, gGd, theta, spike_step);
}

class PyramidalGroup final : public CellGroup {
public:
    explicit PyramidalGroup(const GroupBuild& gb) : n_(gb.count), dt_(gb.dt), grid_(gb.grid_events) {
        const auto& pop = gb.population;
        const ModelInfo& info = gb.info;
        auto P = [&](const char* name) { return pop.params.at(static_cast<std::size_t>(info.param_index(name))); };
        th0_ = P("theta_0"), thj_ = P("theta_jump"), tth_ = P("tau_theta"), Vr_ = P("V_reset");
        tref_ = P("t_ref"), bapd_ = P("bap_delay"), bapl_ = P("bap_duration");
        compat_ = P("naud2018_conventions") != 0.0;
        nc_ = static_cast<int>(pop.compartments.size());
        if (nc_ > 64) throw std::invalid_argument("pyramidal: at most 64 compartments per cell");
        if (nc_ < 1) throw std::invalid_argument("pyramidal: population '" + pop.name + "' has no compartments");
        lower_compartments(gb);
        check_stability(pop.name);

        st_.assign(static_cast<std::size_t>(nc_ * NS) * n_, 0.0);
        for (int k = 0; k < nc_; ++k) std::fill_n(x(k, CV_V), n_, comps_[k].EL);
        theta_.assign(n_, th0_);
        last_spike_.assign(n_, -std::numeric_limits<double>::infinity());
        spike_step_.assign(n_, std::numeric_limits<std::int64_t>::min() / 2);
        for (auto& [var, dist] : pop.initial) set_initial(var, dist, gb);

        currents_ = gb.currents;
        for (auto& ci : currents_) {
            std::vector<std::uint8_t> m(n_, ci.cells.empty() ? 1 : 0);
            for (auto c : ci.cells) m[c] = 1;
            current_cells_.push_back(std::move(m));
        }
        y_.resize(static_cast<std::size_t>(2 * nc_));
        y0_ = d0_ = d1_ = y_;
        acc_.resize(static_cast<std::size_t>(nc_));
        iext_.resize(static_cast<std::size_t>(nc_));
        dec_half_.resize(static_cast<std::size_t>(nc_ * N_SYN));
        dec_full_.resize(static_cast<std::size_t>(nc_ * N_SYN));
        if (compat_) {
            scratch_.assign(static_cast<std::size_t>(nc_) * n_, 0.0);
            plat_.assign(static_cast<std::size_t>(nc_) * n_, 0.0);
            isyn_.assign(static_cast<std::size_t>(nc_) * n_, 0.0);
            bap_steps_ = static_cast<std::int64_t>(std::llround(bapl_ / dt_));
            bap_delay_steps_ = static_cast<std::int64_t>(std::llround(bapd_ / dt_));
            ref_steps_ = static_cast<std::int64_t>(std::llround(tref_ / dt_));
            setup_pair();
        }
    }

    std::uint32_t count() const override { return n_; }

    // The state that carries across epochs: every compartment's state array, the adaptive
    // threshold, and the last spike (time, and step for the Euler path's bAP box).
    bool can_checkpoint() const override { return true; }
    void save_state(StateWriter& w) const override {
        w.begin("pyramidal");
        w.put(st_), w.put(theta_), w.put(last_spike_), w.put(spike_step_);
        w.end();
    }
    void load_state(StateReader& r) override {
        r.begin("pyramidal");
        r.get(st_), r.get(theta_), r.get(last_spike_), r.get(spike_step_);
        r.end();
    }

    double get(int var, std::uint32_t c) const override {
        if (var == 0) return theta_[c];
        const int k = (var - 1) / N_CV, j = (var - 1) % N_CV;
        const Comp& p = comps_[static_cast<std::size_t>(k)];
        switch (j) {
        case CV_V: return xc(k, 0)[c];
        case CV_W: return xc(k, 1)[c];
        case CV_PLAT: return sigmoid(xc(k, 0)[c], p.pE, -1.0 / p.pD);
        case CV_GA: return xc(k, 2 + S_A)[c];
        case CV_GN: return p.norm_N * (xc(k, 2 + S_ND)[c] - xc(k, 2 + S_NR)[c]);
        case CV_GG: return xc(k, 2 + S_GA)[c];
        default: return p.norm_B * (xc(k, 2 + S_BD)[c] - xc(k, 2 + S_BR)[c]);
        }
    }

    // Non-finite state, |V| beyond 10 V or |w| beyond 1e12 pA: the integration failed. Only V
    // and w are scanned (a bad conductance or threshold reaches V within a step); the scan is
    // a branch-free reduction per array, so it costs little next to a step.
    bool find_bad_state(BadState& out) const override {
        for (int k = 0; k < nc_; ++k)
            for (int j = 0; j < 2; ++j) {
                const double* a = xc(k, j);
                const double lim = j == 0 ? 1e4 : 1e12;
                bool bad = false;
                for (std::uint32_t c = 0; c < n_; ++c) bad |= !(std::abs(a[c]) <= lim);
                if (!bad) continue;
                for (std::uint32_t c = 0; c < n_; ++c)
                    if (!(std::abs(a[c]) <= lim)) return out = {c, 1 + k * N_CV + (j == 0 ? CV_V : CV_W), a[c]}, true;
            }
        return false;
    }

    void advance(const Epoch& e, const EventSpan& events, std::vector<LocalSpike>& spikes) override {
        if (compat_) return advance_euler(e, events, spikes);
        by_cell_.build(events, n_);
        for (std::uint32_t c = 0; c < n_; ++c) {
            auto evs = by_cell_.of(c);
            const Event* ev = evs.data();
            const Event* end = ev + evs.size();
            for (std::int64_t n = e.step0; n < e.step1; ++n) {
                if (probed_.size() && probed_[c] && sampling_due(n))
                    sample_cell(n, c, [&](int var) { return get(var, c); });
                step_cell(c, static_cast<double>(n) * dt_, static_cast<double>(n + 1) * dt_, ev, end, spikes);
            }
        }
    }

private:
    double* x(int k, int j) { return st_.data() + static_cast<std::size_t>(k * NS + j) * n_; }
    const double* xc(int k, int j) const { return st_.data() + static_cast<std::size_t>(k * NS + j) * n_; }

    void lower_compartments(const GroupBuild& gb) {
        const auto& decl = gb.info.compartment_parameters;
        auto idx = [&](const char* name) {
            for (std::size_t i = 0; i < decl.size(); ++i)
                if (decl[i].name == name) return i;
            throw std::logic_error(std::string("pyramidal: undeclared compartment parameter ") + name);
        };
        for (int k = 0; k < nc_; ++k) {
            const CompartmentDesc& cd = gb.population.compartments[static_cast<std::size_t>(k)];
            auto V = [&](const char* name) { return cd.params.at(idx(name)); };
            Comp p;
            p.name = cd.name;
            p.parent = cd.parent;
            p.C = V("C"), p.gL = V("g_L"), p.EL = V("E_L"), p.gc = V("g_c"), p.pg = V("plateau_g");
            p.pp = V("plateau_to_parent"), p.pE = V("plateau_E"), p.pD = V("plateau_D"), p.a = V("a");
            p.tw = V("tau_w"), p.b = V("b"), p.bap = V("bap"), p.Ie = V("I_e");
            p.tau = {V("tau_ampa"),   V("tau_nmda_rise"),   V("tau_nmda_decay"),
                     V("tau_gaba_a"), V("tau_gaba_b_rise"), V("tau_gaba_b_decay")};
            p.E_A = V("E_ampa"), p.E_N = V("E_nmda"), p.mg = V("Mg"), p.E_GA = V("E_gaba_a"), p.E_GB = V("E_gaba_b");
            if (k == 0 && p.parent >= 0)
                throw std::invalid_argument("pyramidal: the first compartment must be the root");
            if (k > 0 && (p.parent < 0 || p.parent >= k))
                throw std::invalid_argument("pyramidal: compartment " + p.name + " needs a parent listed before it");
            for (auto [r, d, what] : {std::tuple{S_NR, S_ND, "NMDA"}, std::tuple{S_BR, S_BD, "GABA_B"}})
                if (!(p.tau[r] < p.tau[d]))
                    throw std::invalid_argument("pyramidal: compartment " + p.name + ": " + what +
                                                " rise time constant must be shorter than its decay time constant");
            p.norm_N = dual_exp_norm(p.tau[S_NR], p.tau[S_ND]);
            p.norm_B = dual_exp_norm(p.tau[S_BR], p.tau[S_BD]);
            p.plateau = p.pg != 0.0 || p.pp != 0.0;
            for (int r = 0; r < N_REC; ++r) {
                const std::size_t slot = static_cast<std::size_t>(k * N_REC + r);
                if (slot >= gb.receptor_used.size() || !gb.receptor_used[slot]) continue;
                if (r == R_AMPA) p.used[S_A] = true;
                if (r == R_NMDA) p.used[S_NR] = p.used[S_ND] = true;
                if (r == R_GABA_A) p.used[S_GA] = true;
                if (r == R_GABA_B) p.used[S_BR] = p.used[S_BD] = true;
            }
            for (int s = 0; s < N_SYN; ++s) {
                p.dec_dt[s] = std::exp(-dt_ / p.tau[s]);
                p.dec_half_dt[s] = std::exp(-0.5 * dt_ / p.tau[s]);
            }
            comps_.push_back(std::move(p));
        }
    }

    // The one-pass Euler kernel for the naud2018 shape: soma + one child, AMPA/GABA_A only.
    void setup_pair() {
        if (nc_ != 2 || comps_[1].parent != 0) return;
        for (auto& p : comps_)
            if (p.used[S_NR] || p.used[S_BR]) return;
        const Comp &s = comps_[0], &d = comps_[1];
        EulerPair& P = pair_params_;
        P.gLs = s.gL, P.ELs = s.EL, P.Ies = s.Ie, P.Cs_m = dt_ / s.C, P.as = s.a, P.ELs_w = s.EL;
        P.tws_m = dt_ / s.tw, P.ws_dec = std::exp(-dt_ / s.tw), P.pgs = s.pg, P.bap_s = s.bap;
        P.gLd = d.gL, P.ELd = d.EL, P.Ied = d.Ie, P.Cd_m = dt_ / d.C, P.ad = d.a;
        P.twd_m = dt_ / d.tw, P.wd_dec = std::exp(-dt_ / d.tw), P.pgd = d.pg, P.ppd = d.pp, P.gcd = d.gc;
        P.Ed = d.pE, P.kd = -1.0 / d.pD, P.bap_d = d.bap, P.Es = s.pE, P.ks = -1.0 / s.pD;
        P.EA_s = s.E_A, P.EG_s = s.E_GA, P.EA_d = d.E_A, P.EG_d = d.E_GA;
        P.decA_s = s.dec_dt[S_A], P.decG_s = s.dec_dt[S_GA], P.decA_d = d.dec_dt[S_A], P.decG_d = d.dec_dt[S_GA];
        P.plat_s = s.plateau, P.plat_d = d.plateau;
        P.usedA_s = s.used[S_A], P.usedG_s = s.used[S_GA], P.usedA_d = d.used[S_A], P.usedG_d = d.used[S_GA];
        P.exact_ws = s.a == 0.0, P.exact_wd = d.a == 0.0;
        P.th0 = th0_, P.mth = dt_ / tth_;
        P.bap_delay_steps = bap_delay_steps_, P.bap_steps = bap_steps_;
        pair_ = true;
    }

    // The fastest passive rate of each compartment against the method's stability bound.
    void check_stability(const std::string& pop) const {
        const double bound = compat_ ? 1.9 : 2.5; // Euler: 2; RK4: 2.78 on the negative real axis
        for (int k = 0; k < nc_; ++k) {
            const Comp& p = comps_[static_cast<std::size_t>(k)];
            double g = p.gL + p.gc + std::abs(p.a);
            for (auto& q : comps_)
                if (q.parent == k) g += q.gc;
            const double rate = std::max(g / p.C, 1.0 / p.tw);
            if (rate * dt_ > bound)
                throw std::invalid_argument(
                    "pyramidal: population '" + pop + "', compartment " + p.name + ": dt = " + std::to_string(dt_) +
                    " ms is too long for " + (compat_ ? "forward Euler" : "explicit RK4") + " (fastest passive rate " +
                    std::to_string(rate) + "/ms); use simulation.dt <= " + std::to_string(bound / rate) +
                    " ms, a larger C or a smaller coupling g_c");
        }
    }

    void set_initial(int var, const Distribution& dist, const GroupBuild& gb) {
        auto fill = [&](double* dst) {
            for (std::uint32_t c = 0; c < n_; ++c) {
                RandomStream rs(gb.seed, purpose_key(Purpose::initial_state, static_cast<std::uint32_t>(var)),
                                gb.gid0 + c);
                dst[c] = draw(dist, rs);
            }
        };
        if (var == 0) return fill(theta_.data());
        const int k = (var - 1) / N_CV, j = (var - 1) % N_CV;
        switch (j) {
        case CV_V: return fill(x(k, 0));
        case CV_W: return fill(x(k, 1));
        case CV_GA: return fill(x(k, 2 + S_A));
        case CV_GG: return fill(x(k, 2 + S_GA));
        default:
            throw std::invalid_argument("pyramidal: initial value of " + gb.info.variables.at(var).name +
                                        ": only v, w, g_ampa, g_gaba_a and theta can be set");
        }
    }

    // --- RK4 path -------------------------------------------------------------------
    using State = std::vector<double>;

    struct Sys {
        const PyramidalGroup& g;
        const double* syn0; // synaptic state at the substep start: [k * N_SYN + s]
        double h;
        bool refractory;
        void operator()(const State& y, State& dy, double s) const {
            const auto& comps = g.comps_;
            const int nc = g.nc_;
            const double* dec = s <= 0.0 ? nullptr : (s >= 0.75 * h ? g.dec_full_.data() : g.dec_half_.data());
            double* acc = g.acc_.data();
            for (int k = 0; k < nc; ++k) acc[k] = g.iext_[static_cast<std::size_t>(k)];
            for (int k = 0; k < nc; ++k) {
                const Comp& p = comps[static_cast<std::size_t>(k)];
                const double V = y[static_cast<std::size_t>(2 * k)], w = y[static_cast<std::size_t>(2 * k + 1)];
                double I = -p.gL * (V - p.EL) - w;
                if (p.plateau) {
                    const double f = sigmoid(V, p.pE, -1.0 / p.pD);
                    I += p.pg * f;
                    if (p.parent >= 0) acc[p.parent] += p.pp * f;
                }
                if (p.parent >= 0 && p.gc != 0.0) {
                    const double Ic = p.gc * (y[static_cast<std::size_t>(2 * p.parent)] - V);
                    I += Ic;
                    acc[p.parent] -= Ic;
                }
                const double* s0 = syn0 + k * N_SYN;
                const double* d = dec ? dec + k * N_SYN : nullptr;
                auto at = [&](int i) { return d ? s0[i] * d[i] : s0[i]; };
                if (p.used[S_A]) I += at(S_A) * (p.E_A - V);
                if (p.used[S_NR]) I += p.norm_N * (at(S_ND) - at(S_NR)) * mg_block(V, p.mg) * (p.E_N - V);
                if (p.used[S_GA]) I += at(S_GA) * (p.E_GA - V);
                if (p.used[S_BR]) I += p.norm_B * (at(S_BD) - at(S_BR)) * (p.E_GB - V);
                acc[k] += I;
                dy[static_cast<std::size_t>(2 * k + 1)] = (p.a * (V - p.EL) - w) / p.tw;
            }
            for (int k = 0; k < nc; ++k)
                dy[static_cast<std::size_t>(2 * k)] = acc[k] / comps[static_cast<std::size_t>(k)].C;
            if (refractory) dy[0] = 0.0;
        }
    };

    void set_decays(double h) {
        const bool full_dt = h == dt_;
        for (int k = 0; k < nc_; ++k) {
            const Comp& p = comps_[static_cast<std::size_t>(k)];
            for (int s = 0; s < N_SYN; ++s) {
                const std::size_t i = static_cast<std::size_t>(k * N_SYN + s);
                if (!p.used[s]) continue;
                dec_full_[i] = full_dt ? p.dec_dt[s] : std::exp(-h / p.tau[s]);
                dec_half_[i] = full_dt ? p.dec_half_dt[s] : std::exp(-0.5 * h / p.tau[s]);
            }
        }
    }

    // External currents of cell c over [a, b), constant there (bias + stimuli + bAP box).
    void set_iext(std::uint32_t c, double a, double b) {
        const double mid = 0.5 * (a + b);
        const bool bap_on = mid >= last_spike_[c] + bapd_ && mid < last_spike_[c] + bapd_ + bapl_;
        for (int k = 0; k < nc_; ++k) {
            const Comp& p = comps_[static_cast<std::size_t>(k)];
            iext_[static_cast<std::size_t>(k)] = p.Ie + (bap_on ? p.bap : 0.0);
        }
        for (std::size_t i = 0; i < currents_.size(); ++i) {
            if (!current_cells_[i][c]) continue;
            iext_[currents_[i].compartment] += currents_[i].waveform.over(a, b);
        }
    }

    void step_cell(std::uint32_t c, double t, double t_end, const Event*& ev, const Event* end,
                   std::vector<LocalSpike>& spikes) {
        namespace ode = boost::numeric::odeint;
        double tc = t;
        std::array<double, 64 * N_SYN> syn; // only the first nc_ * N_SYN entries are used (no zeroing per step)
        for (int k = 0; k < nc_; ++k) {
            y_[static_cast<std::size_t>(2 * k)] = x(k, 0)[c];
            y_[static_cast<std::size_t>(2 * k + 1)] = x(k, 1)[c];
            for (int s = 0; s < N_SYN; ++s) syn[static_cast<std::size_t>(k * N_SYN + s)] = x(k, 2 + s)[c];
        }
        double theta = theta_[c];
        for (int guard = 0; guard < 1 << 20; ++guard) {
            double next = t_end;
            if (ev != end && ev->time < t_end) next = std::max(ev->time, tc);
            const double ts = last_spike_[c];
            for (double edge : {ts + tref_, ts + bapd_, ts + bapd_ + bapl_})
                if (edge > tc && edge < next) next = edge;
            for (auto& ci : currents_)
                ci.waveform.for_each_change(tc, next, [&](double q) { next = std::min(next, q); });
            const double h = next - tc;
            if (h > 0) {
                const bool refr = ts + tref_ > tc;
                set_iext(c, tc, next);
                set_decays(h);
                Sys sys{*this, syn.data(), h, refr};
                State& y0 = y0_;
                y0 = y_;
                stepper_.do_step(sys, y_, 0.0, h);
                const double th_h = th0_ + (theta - th0_) * std::exp(-h / tth_);
                if (!refr && y_[0] > th_h) {
                    // Locate the crossing on the cubic Hermite interpolant of V_0, then redo the
                    // step up to it.
                    State& d0 = d0_;
                    State& d1 = d1_;
                    sys(y0, d0, 0.0);
                    sys(y_, d1, h);
                    auto excess = [&](double s) {
                        const double u = s / h, u2 = u * u, u3 = u2 * u;
                        const double v = (2 * u3 - 3 * u2 + 1) * y0[0] + (u3 - 2 * u2 + u) * h * d0[0] +
                                         (-2 * u3 + 3 * u2) * y_[0] + (u3 - u2) * h * d1[0];
                        return v - (th0_ + (theta - th0_) * std::exp(-s / tth_));
                    };
                    double lo = 0.0, hi = h;
                    if (excess(0.0) >= 0.0) hi = 0.0;
                    for (int it = 0; it < 60 && hi - lo > 1e-13; ++it) {
                        const double m = 0.5 * (lo + hi);
                        (excess(m) >= 0.0 ? hi : lo) = m;
                    }
                    const double xs = hi;
                    y_ = y0;
                    if (xs > 0) {
                        set_decays(xs);
                        Sys sx{*this, syn.data(), xs, refr};
                        stepper_.do_step(sx, y_, 0.0, xs);
                    }
                    decay_syn(syn.data(), xs);
                    theta = th0_ + (theta - th0_) * std::exp(-xs / tth_) + thj_;
                    tc += xs;
                    y_[0] = Vr_;
                    for (int k = 0; k < nc_; ++k) y_[static_cast<std::size_t>(2 * k + 1)] += comps_[k].b;
                    last_spike_[c] = tc;
                    spikes.push_back({grid_ ? t_end : tc, c});
                    continue;
                }
                if (refr) y_[0] = Vr_;
                decay_syn(syn.data(), h);
                theta = th_h;
                tc = next;
            }
            // Events at exactly t_end belong to the next step (sampled state excludes them).
            while (ev != end && ev->time <= tc && ev->time < t_end) {
                add_event(syn.data(), ev->slot, static_cast<double>(ev->weight));
                ++ev;
            }
            if (tc >= t_end) break;
        }
        for (int k = 0; k < nc_; ++k) {
            x(k, 0)[c] = y_[static_cast<std::size_t>(2 * k)];
            x(k, 1)[c] = y_[static_cast<std::size_t>(2 * k + 1)];
            for (int s = 0; s < N_SYN; ++s) x(k, 2 + s)[c] = syn[static_cast<std::size_t>(k * N_SYN + s)];
        }
        theta_[c] = theta;
    }

    void decay_syn(double* syn, double h) const {
        if (h <= 0) return;
        const bool full_dt = h == dt_;
        for (int k = 0; k < nc_; ++k) {
            const Comp& p = comps_[static_cast<std::size_t>(k)];
            for (int s = 0; s < N_SYN; ++s)
                if (p.used[s]) syn[k * N_SYN + s] *= full_dt ? p.dec_dt[s] : std::exp(-h / p.tau[s]);
        }
    }

    // Receptor slot -> synaptic state (weights in nS, or in units of g_L with naud2018 conventions).
    void add_event(double* syn, std::uint16_t slot, double w) const {
        const int k = slot / N_REC, r = slot % N_REC;
        if (k >= nc_) return;
        if (compat_) w *= comps_[static_cast<std::size_t>(k)].gL;
        double* s = syn + k * N_SYN;
        switch (r) {
        case R_AMPA: s[S_A] += w; break;
        case R_NMDA: s[S_NR] += w, s[S_ND] += w; break;
        case R_GABA_A: s[S_GA] += w; break;
        default: s[S_BR] += w, s[S_BD] += w; break;
        }
    }

    // --- naud2018 conventions: forward Euler in the published update order -----------
    APICAL_TARGET_CLONES void advance_euler(const Epoch& e, const EventSpan& events, std::vector<LocalSpike>& spikes) {
        const std::uint32_t n = n_;
        for (std::int64_t step = e.step0; step < e.step1; ++step) {
            const double t = static_cast<double>(step) * dt_;
            if (has_probes() && sampling_due(step))
                for (std::uint32_t c = 0; c < n; ++c)
                    if (probed_[c]) sample_cell(step, c, [&](int var) { return get(var, c); });
            // 1. this step's events enter the conductances
            for (const Event& ev : events.step(static_cast<std::size_t>(step - e.step0))) {
                const int k = ev.slot / N_REC, r = ev.slot % N_REC;
                if (k >= nc_) continue;
                const double w = static_cast<double>(ev.weight) * comps_[static_cast<std::size_t>(k)].gL;
                const std::uint32_t c = ev.cell;
                switch (r) {
                case R_AMPA: x(k, 2 + S_A)[c] += w; break;
                case R_NMDA: x(k, 2 + S_NR)[c] += w, x(k, 2 + S_ND)[c] += w; break;
                case R_GABA_A: x(k, 2 + S_GA)[c] += w; break;
                default: x(k, 2 + S_BR)[c] += w, x(k, 2 + S_BD)[c] += w; break;
                }
            }
            if (pair_) {
                euler_pair(n, pair_params_, step, x(0, 0), x(0, 1), x(1, 0), x(1, 1), x(0, 2 + S_A), x(0, 2 + S_GA),
                           x(1, 2 + S_A), x(1, 2 + S_GA), theta_.data(), spike_step_.data());
            } else {
                // 2. synaptic currents (somatic driving force), then exact decay
                const double* Vs = x(0, 0);
                for (int k = 0; k < nc_; ++k) {
                    const Comp& p = comps_[static_cast<std::size_t>(k)];
                    double* I = isyn_.data() + static_cast<std::size_t>(k) * n;
                    std::fill_n(I, n, 0.0);
                    if (p.used[S_A]) {
                        double* g = x(k, 2 + S_A);
                        for (std::uint32_t c = 0; c < n; ++c) I[c] += g[c] * (p.E_A - Vs[c]), g[c] *= p.dec_dt[S_A];
                    }
                    if (p.used[S_NR]) {
                        double* r = x(k, 2 + S_NR);
                        double* d = x(k, 2 + S_ND);
                        for (std::uint32_t c = 0; c < n; ++c) {
                            I[c] += p.norm_N * (d[c] - r[c]) * mg_block(Vs[c], p.mg) * (p.E_N - Vs[c]);
                            r[c] *= p.dec_dt[S_NR], d[c] *= p.dec_dt[S_ND];
                        }
                    }
                    if (p.used[S_GA]) {
                        double* g = x(k, 2 + S_GA);
                        for (std::uint32_t c = 0; c < n; ++c) I[c] += g[c] * (p.E_GA - Vs[c]), g[c] *= p.dec_dt[S_GA];
                    }
                    if (p.used[S_BR]) {
                        double* r = x(k, 2 + S_BR);
                        double* d = x(k, 2 + S_BD);
                        for (std::uint32_t c = 0; c < n; ++c) {
                            I[c] += p.norm_B * (d[c] - r[c]) * (p.E_GB - Vs[c]);
                            r[c] *= p.dec_dt[S_BR], d[c] *= p.dec_dt[S_BD];
                        }
                    }
                }
                // 3. membranes by Euler from the old state (plateau activations of the old V)
                for (int k = 0; k < nc_; ++k) {
                    const Comp& p = comps_[static_cast<std::size_t>(k)];
                    double* f = plat_.data() + static_cast<std::size_t>(k) * n;
                    const double* V = x(k, 0);
                    if (p.plateau) plateau_all(n, V, f, p.pE, p.pD);
                }
                for (int k = 0; k < nc_; ++k) {
                    const Comp& p = comps_[static_cast<std::size_t>(k)];
                    double* dI = scratch_.data() + static_cast<std::size_t>(k) * n;
                    const double* V = x(k, 0);
                    const double* w = x(k, 1);
                    const double* I = isyn_.data() + static_cast<std::size_t>(k) * n;
                    const double* f = plat_.data() + static_cast<std::size_t>(k) * n;
                    for (std::uint32_t c = 0; c < n; ++c) dI[c] = -p.gL * (V[c] - p.EL) - w[c] + p.Ie + I[c];
                    if (p.plateau)
                        for (std::uint32_t c = 0; c < n; ++c) dI[c] += p.pg * f[c];
                    if (p.parent >= 0) {
                        double* dP = scratch_.data() + static_cast<std::size_t>(p.parent) * n;
                        const double* VP = x(p.parent, 0);
                        if (p.plateau && p.pp != 0.0)
                            for (std::uint32_t c = 0; c < n; ++c) dP[c] += p.pp * f[c];
                        if (p.gc != 0.0)
                            for (std::uint32_t c = 0; c < n; ++c) {
                                const double Ic = p.gc * (VP[c] - V[c]);
                                dI[c] += Ic;
                                dP[c] -= Ic;
                            }
                    }
                }
                // bAP box: the steps after a spike, [spike + 1 + delay, spike + delay + duration]
                for (std::uint32_t c = 0; c < n; ++c) {
                    const std::int64_t since = step - spike_step_[c];
                    if (since > bap_delay_steps_ && since <= bap_delay_steps_ + bap_steps_)
                        for (int k = 0; k < nc_; ++k) scratch_[static_cast<std::size_t>(k) * n + c] += comps_[k].bap;
                }
                for (int k = 0; k < nc_; ++k) {
                    const Comp& p = comps_[static_cast<std::size_t>(k)];
                    const double m = dt_ / p.C;
                    double* V = x(k, 0);
                    const double* dI = scratch_.data() + static_cast<std::size_t>(k) * n;
                    for (std::uint32_t c = 0; c < n; ++c) V[c] += m * dI[c];
                    double* w = x(k, 1);
                    if (p.a == 0.0) {
                        const double s = std::exp(-dt_ / p.tw);
                        for (std::uint32_t c = 0; c < n; ++c) w[c] *= s;
                    } else {
                        const double m2 = dt_ / p.tw;
                        for (std::uint32_t c = 0; c < n; ++c) w[c] += m2 * (p.a * (V[c] - p.EL) - w[c]);
                    }
                }
                const double mth = dt_ / tth_;
                for (std::uint32_t c = 0; c < n; ++c) theta_[c] += mth * (th0_ - theta_[c]);
            }
            // 4. threshold, reset (refractoriness: soma held at V_reset)
            double* V0 = x(0, 0);
            const double t_end = static_cast<double>(step + 1) * dt_;
            for (std::uint32_t c = 0; c < n; ++c) {
                if (ref_steps_ > 0 && step - spike_step_[c] <= ref_steps_) {
                    V0[c] = Vr_;
                    continue;
                }
                if (V0[c] > theta_[c]) {
                    spikes.push_back({t_end, c});
                    V0[c] = Vr_;
                    theta_[c] += thj_;
                    for (int k = 0; k < nc_; ++k) x(k, 1)[c] += comps_[k].b;
                    spike_step_[c] = step;
                    last_spike_[c] = t_end;
                }
            }
            // 5. injected currents
            for (std::size_t i = 0; i < currents_.size(); ++i) {
                const auto& ci = currents_[i];
                const double I = ci.waveform.over(t, t + dt_);
                if (I == 0.0) continue;
                const int k = ci.compartment;
                double* V = x(k, 0);
                const double m = dt_ / comps_[static_cast<std::size_t>(k)].C * I;
                for (std::uint32_t c = 0; c < n; ++c)
                    if (current_cells_[i][c]) V[c] += m;
            }
        }
    }

    std::uint32_t n_;
    double dt_;
    bool grid_ = false, compat_ = false;
    int nc_ = 0;
    double th0_, thj_, tth_, Vr_, tref_, bapd_, bapl_;
    std::vector<Comp> comps_;
    std::vector<double> st_, theta_, last_spike_;
    std::vector<std::int64_t> spike_step_;
    std::int64_t bap_steps_ = 0, bap_delay_steps_ = 0, ref_steps_ = 0;
    bool pair_ = false;
    EulerPair pair_params_{};
    std::vector<CurrentInput> currents_;
    std::vector<std::vector<std::uint8_t>> current_cells_;
    CellEvents by_cell_;
    // RK4 scratch (one group is advanced by one thread at a time)
    State y_, y0_, d0_, d1_;
    mutable std::vector<double> acc_;
    std::vector<double> iext_, dec_half_, dec_full_;
    boost::numeric::odeint::runge_kutta4<State> stepper_;
    // Euler scratch
    std::vector<double> scratch_, plat_, isyn_;
};

} // namespace

std::unique_ptr<CellGroup> make_pyramidal_group(const GroupBuild& b) { return std::make_unique<PyramidalGroup>(b); }

} // namespace apical::models
