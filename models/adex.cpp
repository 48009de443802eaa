// Adaptive exponential integrate-and-fire cells (model `adex`; Brette & Gerstner 2005).
//
//   C dV/dt = -g_L (V - E_L) + g_L Delta_T exp((V - V_T) / Delta_T) - w
//             + g_e(t) (E_exc - V) + g_i(t) (E_inh - V) + I_e(t) + I_i(t) + I_bias + I_stim(t)
//   tau_w dw/dt = a (V - E_L) - w
//   V >= V_peak: spike, V <- V_reset, w <- w + b, V held at V_reset for t_ref
//   (refractory_hold = rest: held at E_L instead, as Auryn's AdExGroup does).
// integration = euler: the published Auryn code's scheme instead (compatibility mode of the
// pv and sst presets): per step of dt, w then V by forward Euler from the state at the step
// start (w frozen and V held at the hold value while refractory, for t_ref / dt steps), spike
// when V > V_peak stamped at the step end, then the synapses decay by exp(-dt / tau). Events
// act from the first step boundary at or after their time (as with event_times: grid).
// weights_in_g_L = true: conductance weights are in units of g_L (Auryn's convention; the
// pv and sst presets of Payeur et al. 2021), scaled by g_L as they arrive.
//
// Integration: (V, w) with Boost.Odeint's error-controlled Dormand-Prince 5(4) stepper
// with dense output (tolerance 1e-9), steps no longer than dt and split at event times
// and at the end of refractoriness; synaptic variables decay exactly (closed form inside
// the right-hand side). Error control matters here: near V_peak the exponential term
// makes V blow up within a fraction of a step, where a fixed-step method loses its order
// (fixed-step RK4 gave first spike times off by ~0.01 ms at every dt from 0.05 to 0.4 ms).
// The spike time is found by bisection on the dense-output interpolant. The exponential's
// argument is capped at 30 (V_peak = 0 mV with the defaults is at 25.2) so an overshooting
// trial step cannot overflow; V is clipped below at V_min.
#include "core/cell_group.hpp"
#include "core/distribution.hpp"
#include "core/random.hpp"
#include "models/adex.hpp"

#include <boost/numeric/odeint/stepper/generation.hpp>
#include <boost/numeric/odeint/stepper/runge_kutta4.hpp>
#include <boost/numeric/odeint/stepper/runge_kutta_dopri5.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace apical::models {
namespace {

enum Var { V_, W_, GE, GI, IE, II };
enum Receptor { R_EXC, R_INH, R_EXC_CUR, R_INH_CUR };
using VW = std::array<double, 2>;

class AdexGroup final : public CellGroup {
public:
    explicit AdexGroup(const GroupBuild& b) : n_(b.count), dt_(b.dt) {
        const auto& p = b.population.params;
        auto P = [&](const char* name) { return p.at(static_cast<std::size_t>(b.info.param_index(name))); };
        C_ = P("C_m"), gL_ = P("g_L"), EL_ = P("E_L"), VT_ = P("V_T"), DT_ = P("Delta_T");
        Vpeak_ = DT_ > 0 ? P("V_peak") : VT_;
        Vr_ = P("V_reset"), Vmin_ = P("V_min"), tref_ = P("t_ref"), a_ = P("a"), b_ = P("b"), tw_ = P("tau_w");
        Ib_ = P("I_e"), te_ = P("tau_exc"), ti_ = P("tau_inh"), Ee_ = P("E_exc"), Ei_ = P("E_inh");
        if (!(Vr_ < Vpeak_)) throw std::invalid_argument("adex: V_reset must be below V_peak");
        wscale_ = P("weights_in_g_L") != 0.0 ? gL_ : 1.0;
        euler_ = P("integration") != 0.0;
        ref_steps_.assign(n_, 0);
        Vhold_ = P("refractory_hold") != 0.0 ? EL_ : Vr_;
        grid_ = b.grid_events;
        currents_ = b.currents;
        for (int k = 0; k < 6; ++k) x_[k].assign(n_, 0.0);
        x_[V_].assign(n_, EL_);
        ref_.assign(n_, -std::numeric_limits<double>::infinity());
        for (auto& [var, dist] : b.population.initial)
            for (std::uint32_t c = 0; c < n_; ++c) {
                RandomStream rs(b.seed, purpose_key(Purpose::initial_state, static_cast<std::uint32_t>(var)),
                                b.gid0 + c);
                x_[var][c] = draw(dist, rs);
            }
    }

    std::uint32_t count() const override { return n_; }
    double get(int var, std::uint32_t c) const override { return x_[var][c]; }

    bool can_checkpoint() const override { return true; }
    void save_state(StateWriter& w) const override {
        w.begin("adex");
        for (auto& a : x_) w.put(a);
        w.put(ref_);
        w.end();
    }
    void load_state(StateReader& r) override {
        r.begin("adex");
        for (auto& a : x_) r.get(a);
        r.get(ref_);
        r.end();
    }

    // Non-finite state or V beyond +-10 V / w beyond 1e9 pA: the integration failed.
    bool find_bad_state(BadState& out) const override {
        for (int var = 0; var < 6; ++var)
            for (std::uint32_t c = 0; c < n_; ++c)
                if (!(std::abs(x_[var][c]) <= (var == V_ ? 1e4 : 1e12))) {
                    out = {c, var, x_[var][c]};
                    return true;
                }
        return false;
    }

    void advance(const Epoch& e, const EventSpan& events, std::vector<LocalSpike>& spikes) override {
        if (euler_) return advance_euler(e, events, spikes);
        by_cell_.build(events, n_);
        for (std::uint32_t c = 0; c < n_; ++c) {
            auto evs = by_cell_.of(c);
            const Event* ev = evs.data();
            const Event* end = ev + evs.size();
            for (std::int64_t n = e.step0; n < e.step1; ++n) {
                const double t = static_cast<double>(n) * dt_, t_end = static_cast<double>(n + 1) * dt_;
                if (probed_.size() && probed_[c] && sampling_due(n))
                    sample_cell(n, c, [&](int var) { return x_[var][c]; });
                step_cell(c, t, t_end, ev, end, spikes);
            }
        }
    }

private:
    void advance_euler(const Epoch& e, const EventSpan& events, std::vector<LocalSpike>& spikes) {
        const double pe = std::exp(-dt_ / te_), pi = std::exp(-dt_ / ti_);
        const int ref_steps = static_cast<int>(std::llround(tref_ / dt_));
        auto& V = x_[V_];
        auto& W = x_[W_];
        auto& ge = x_[GE];
        auto& gi = x_[GI];
        auto& ie = x_[IE];
        auto& ii = x_[II];
        for (std::int64_t n = e.step0; n < e.step1; ++n) {
            const double t = static_cast<double>(n) * dt_, t_end = static_cast<double>(n + 1) * dt_;
            if (has_probes() && sampling_due(n))
                for (std::uint32_t c = 0; c < n_; ++c)
                    if (probed_[c]) sample_cell(n, c, [&](int var) { return x_[var][c]; });
            // Events on the step start act during this step; later ones from the next step on.
            const auto step_events = events.step(static_cast<std::size_t>(n - e.step0));
            for (const Event& ev : step_events)
                if (ev.time <= t + 1e-9 * dt_) add_event(ev);
            double I_all = Ib_;
            bool per_cell = false;
            for (auto& ci : currents_) {
                if (ci.cells.empty()) I_all += ci.waveform.over(t, t_end);
                else per_cell = true;
            }
            for (std::uint32_t c = 0; c < n_; ++c) {
                if (ref_steps_[c] > 0) {
                    --ref_steps_[c];
                    V[c] = Vhold_;
                } else {
                    double I = I_all;
                    if (per_cell)
                        for (auto& ci : currents_)
                            if (!ci.cells.empty() && std::find(ci.cells.begin(), ci.cells.end(), c) != ci.cells.end())
                                I += ci.waveform.over(t, t_end);
                    const double v = V[c];
                    W[c] += dt_ / tw_ * (a_ * (v - EL_) - W[c]);
                    const double ex = DT_ > 0 ? gL_ * DT_ * std::exp(std::min((v - VT_) / DT_, 30.0)) : 0.0;
                    V[c] = std::max(v + dt_ / C_ *
                                            (-gL_ * (v - EL_) + ex - W[c] + ge[c] * (Ee_ - v) + gi[c] * (Ei_ - v) +
                                             ie[c] + ii[c] + I),
                                    Vmin_);
                    if (V[c] > Vpeak_) {
                        spikes.push_back({t_end, c});
                        V[c] = Vr_;
                        W[c] += b_;
                        ref_steps_[c] = ref_steps;
                    }
                }
                ge[c] *= pe, gi[c] *= pi, ie[c] *= pe, ii[c] *= pi;
            }
            for (const Event& ev : step_events)
                if (!(ev.time <= t + 1e-9 * dt_)) add_event(ev);
        }
    }

    void add_event(const Event& ev) {
        switch (ev.slot) {
        case R_EXC: x_[GE][ev.cell] += ev.weight * wscale_; break;
        case R_INH: x_[GI][ev.cell] += ev.weight * wscale_; break;
        case R_EXC_CUR: x_[IE][ev.cell] += ev.weight; break;
        case R_INH_CUR: x_[II][ev.cell] += ev.weight; break;
        default: break;
        }
    }

    double current(std::uint32_t c, double a, double b) const {
        double I = Ib_;
        for (auto& ci : currents_) {
            if (!ci.cells.empty() && std::find(ci.cells.begin(), ci.cells.end(), c) == ci.cells.end()) continue;
            I += ci.waveform.over(a, b);
        }
        return I;
    }

    // Right-hand side at time t0 + s, with synaptic state (ge, gi, ie, ii) given at t0.
    struct Rhs {
        const AdexGroup& m;
        double ge, gi, ie, ii, I;
        bool refractory;
        void operator()(const VW& y, VW& dy, double s) const {
            const double pe = std::exp(-s / m.te_), pi = std::exp(-s / m.ti_);
            const double V = y[0], w = y[1];
            dy[1] = (m.a_ * (V - m.EL_) - w) / m.tw_;
            if (refractory) {
                dy[0] = 0.0;
                return;
            }
            const double ex = m.DT_ > 0 ? m.gL_ * m.DT_ * std::exp(std::min((V - m.VT_) / m.DT_, 30.0)) : 0.0;
            dy[0] = (-m.gL_ * (V - m.EL_) + ex - w + ge * pe * (m.Ee_ - V) + gi * pi * (m.Ei_ - V) + ie * pe + ii * pi +
                     I) /
                    m.C_;
        }
    };

    void step_cell(std::uint32_t c, double t, double t_end, const Event*& ev, const Event* end,
                   std::vector<LocalSpike>& spikes) {
        double tc = t;
        VW y{x_[V_][c], x_[W_][c]};
        double& ge = x_[GE][c];
        double& gi = x_[GI][c];
        double& ie = x_[IE][c];
        double& ii = x_[II][c];
        for (int guard = 0; guard < 1 << 20; ++guard) {
            double next = t_end;
            if (ev != end && ev->time < t_end) next = std::max(ev->time, tc);
            if (ref_[c] > tc && ref_[c] < next) next = ref_[c];
            for (auto& ci : currents_)
                ci.waveform.for_each_change(tc, next, [&](double x) { next = std::min(next, x); });
            const double h = next - tc;
            if (h > 0) {
                const bool refr = ref_[c] >= next;
                Rhs f{*this, ge, gi, ie, ii, current(c, tc, next), refr};
                double x = 0.0;
                if (integrate(f, y, h, refr, x)) {
                    if (grid_) {
                        // Grid event times: the spike is stamped at the end of the step, and the
                        // cell rests at V_reset from the crossing to there.
                        decay(ge, gi, ie, ii, t_end - tc);
                        tc = t_end;
                        spikes.push_back({tc, c});
                        y = {Vr_, y[1] + b_};
                        ref_[c] = next_step_boundary(tc + tref_, dt_);
                        continue;
                    }
                    // Crossed V_peak at tc + x: reset and go on from there.
                    decay(ge, gi, ie, ii, x);
                    tc += x;
                    spikes.push_back({tc, c});
                    y = {Vr_, y[1] + b_};
                    ref_[c] = tc + tref_;
                    continue;
                }
                y[0] = std::max(y[0], Vmin_);
                decay(ge, gi, ie, ii, h);
                tc = next;
            }
            // Events at exactly t_end belong to the next step (sampled state excludes them).
            while (ev != end && ev->time <= tc && ev->time < t_end) {
                switch (ev->slot) {
                case R_EXC: ge += ev->weight * wscale_; break;
                case R_INH: gi += ev->weight * wscale_; break;
                case R_EXC_CUR: ie += ev->weight; break;
                case R_INH_CUR: ii += ev->weight; break;
                default: break;
                }
                ++ev;
            }
            if (tc >= t_end) break;
        }
        x_[V_][c] = y[0];
        x_[W_][c] = y[1];
    }

    // Integrate (V, w) over [0, h] with error-controlled Dormand-Prince 5(4) steps no longer
    // than h. Returns true when V reaches V_peak; then y is the state at the crossing time x
    // (found by bisection on the dense-output interpolant) with V = V_peak.
    bool integrate(const Rhs& f, VW& y, double h, bool refractory, double& x) const {
        namespace ode = boost::numeric::odeint;
        if (refractory) {
            // V is clamped; w relaxes: one RK4 step is plenty for tau_w >> dt.
            ode::runge_kutta4<VW> rk4;
            rk4.do_step(f, y, 0.0, h);
            y[0] = Vhold_;
            return false;
        }
        auto stepper = ode::make_dense_output(1e-9, 1e-9, h, ode::runge_kutta_dopri5<VW>());
        stepper.initialize(y, 0.0, h);
        while (stepper.current_time() < h) {
            stepper.do_step(f);
            const double t_lo = stepper.previous_time(), t_hi = std::min(stepper.current_time(), h);
            VW probe;
            stepper.calc_state(t_hi, probe);
            if (probe[0] >= Vpeak_) {
                double a = t_lo, b = t_hi;
                for (int it = 0; it < 64 && b - a > 1e-14; ++it) {
                    const double m = 0.5 * (a + b);
                    stepper.calc_state(m, probe);
                    (probe[0] >= Vpeak_ ? b : a) = m;
                }
                stepper.calc_state(b, y);
                x = b;
                return true;
            }
        }
        stepper.calc_state(h, y);
        return false;
    }

    void decay(double& ge, double& gi, double& ie, double& ii, double h) const {
        const double pe = std::exp(-h / te_), pi = std::exp(-h / ti_);
        ge *= pe, gi *= pi, ie *= pe, ii *= pi;
    }

    std::uint32_t n_;
    double dt_;
    double C_, gL_, EL_, VT_, DT_, Vpeak_, Vr_, Vmin_, tref_, a_, b_, tw_, Ib_, te_, ti_, Ee_, Ei_;
    double wscale_ = 1.0, Vhold_ = 0.0;
    std::vector<CurrentInput> currents_;
    std::array<std::vector<double>, 6> x_;
    std::vector<double> ref_;
    CellEvents by_cell_;
    bool grid_ = false;
    bool euler_ = false;
    std::vector<int> ref_steps_; // euler: refractory steps left
};

} // namespace

std::unique_ptr<CellGroup> make_adex_group(const GroupBuild& b) { return std::make_unique<AdexGroup>(b); }

} // namespace apical::models
