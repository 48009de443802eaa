// Long-term plasticity rules on projections.
//
// payeur2021 (Payeur, Guerguiev, Zenke, Richards & Naud 2021, burst-dependent plasticity):
//   dW_ij/dt = eta [B_i(t) - Pbar_i(t) E_i(t)] Etilde_j(t)
//   at a postsynaptic event:  W_ij += eta (h_i - Pbar_i) Etilde_j   (Pbar capped at 1;
//                             the event enters Ebar_i after the update)
//   at a postsynaptic burst:  W_ij += eta (1 + h_i) Etilde_j        (enters Bbar_i after)
//   Ebar_i, Bbar_i: traces with time constant alpha (+1 per event / burst), read as
//   trace / alpha (Hz); Pbar_i = Bbar_i / Ebar_i (0 while Ebar_i = 0).
//   Etilde_j: presynaptic trace, +1 per presynaptic event, time constant tau_pre.
//   homeostasis: h_i = -(Ebar_i - e_max) / Ebar_i when Ebar_i > e_max, else 0; when
//   Ebar_i < e_min, each presynaptic event adds eta (e_min - Ebar_i) to W_ij.
//   Weights are clipped to [w_min, w_max].
// stdp (pair-based, all-to-all, additive; Song, Miller & Abbott 2000 form):
//   at a presynaptic spike: W_ij -= A_minus y_i; x_j += 1
//   at a postsynaptic spike: W_ij += A_plus x_j; y_i += 1
//   x_j, y_i: traces with tau_plus, tau_minus. Weights clipped to [w_min, w_max].
// Spikes come in time order; at equal times in the order the engine gives them.
#include "core/spike_hooks.hpp"
#include "models/builtin.hpp"
#include "models/plasticity.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

namespace apical::models {
namespace {

// An exponentially decaying trace per cell, decayed lazily to the time it is read.
struct Traces {
    std::vector<double> value, last;
    double tau = 1.0;
    Traces(std::uint32_t n, double tau_, double init = 0.0) : value(n, init), last(n, 0.0), tau(tau_) {}
    double at(std::uint32_t c, double t) const { return value[c] * std::exp(-(t - last[c]) / tau); }
    void add(std::uint32_t c, double t, double x) {
        value[c] = at(c, t) + x;
        last[c] = t;
    }
    void save(StateWriter& w) const { w.put(value), w.put(last); }
    void load(StateReader& r) { r.get(value), r.get(last); }
};

class Payeur final : public PlasticityRule {
public:
    Payeur(const PayeurParams& p, std::uint32_t n_source, std::uint32_t n_target)
        : p_(p), pre_(n_source, p.tau_pre), ebar_(n_target, p.alpha, p.ebar_init * p.alpha / 1000.0),
          bbar_(n_target, p.alpha, p.bbar_init * p.alpha / 1000.0) {}

    void update(SynapseView& s, std::span<const PlasticSpike> spikes) override {
        for (const PlasticSpike& x : spikes) {
            if (x.post) {
                if (x.kind != SpikeKind::event && x.kind != SpikeKind::burst) continue;
                const std::uint32_t i = x.cell;
                const double E = rate(ebar_, i, x.time), B = rate(bbar_, i, x.time);
                const double P = E > 0 ? std::min(B / E, 1.0) : 0.0;
                const double h = E > p_.e_max ? -(E - p_.e_max) / E : 0.0;
                if (x.learning) {
                    const double k = p_.eta * (x.kind == SpikeKind::event ? h - P : 1.0 + h);
                    for (std::uint32_t q = s.by_target_offset[i]; q < s.by_target_offset[i + 1]; ++q) {
                        const std::uint32_t syn = s.by_target[q];
                        set(s, syn, s.weight[syn] + k * pre_.at(s.source_of[syn], x.time));
                    }
                }
                (x.kind == SpikeKind::event ? ebar_ : bbar_).add(i, x.time, 1.0);
            } else {
                if (x.kind != SpikeKind::event) continue;
                const std::uint32_t j = x.cell;
                if (x.learning && p_.e_min > 0)
                    for (std::uint32_t syn = s.row[j]; syn < s.row[j + 1]; ++syn) {
                        const double E = rate(ebar_, s.target[syn], x.time);
                        if (E < p_.e_min) set(s, syn, s.weight[syn] + p_.eta * (p_.e_min - E));
                    }
                pre_.add(j, x.time, 1.0);
            }
        }
    }

    bool can_checkpoint() const override { return true; }
    void save_state(StateWriter& w) const override {
        w.begin("payeur2021");
        pre_.save(w), ebar_.save(w), bbar_.save(w);
        w.end();
    }
    void load_state(StateReader& r) override {
        r.begin("payeur2021");
        pre_.load(r), ebar_.load(r), bbar_.load(r);
        r.end();
    }

private:
    double rate(const Traces& tr, std::uint32_t c, double t) const { return tr.at(c, t) * 1000.0 / p_.alpha; }
    void set(SynapseView& s, std::uint32_t syn, double w) const {
        s.weight[syn] = static_cast<float>(std::clamp(w, p_.w_min, p_.w_max));
    }
    PayeurParams p_;
    Traces pre_, ebar_, bbar_;
};

class Stdp final : public PlasticityRule {
public:
    Stdp(const std::vector<double>& p, std::uint32_t n_source, std::uint32_t n_target)
        : Ap_(p.at(0)), Am_(p.at(1)), wmin_(p.at(4)), wmax_(p.at(5)), x_(n_source, p.at(2)), y_(n_target, p.at(3)) {}

    void update(SynapseView& s, std::span<const PlasticSpike> spikes) override {
        for (const PlasticSpike& sp : spikes) {
            if (sp.post) {
                const std::uint32_t i = sp.cell;
                if (sp.learning)
                    for (std::uint32_t q = s.by_target_offset[i]; q < s.by_target_offset[i + 1]; ++q) {
                        const std::uint32_t syn = s.by_target[q];
                        set(s, syn, s.weight[syn] + Ap_ * x_.at(s.source_of[syn], sp.time));
                    }
                y_.add(i, sp.time, 1.0);
            } else {
                const std::uint32_t j = sp.cell;
                if (sp.learning)
                    for (std::uint32_t syn = s.row[j]; syn < s.row[j + 1]; ++syn)
                        set(s, syn, s.weight[syn] - Am_ * y_.at(s.target[syn], sp.time));
                x_.add(j, sp.time, 1.0);
            }
        }
    }

    bool can_checkpoint() const override { return true; }
    void save_state(StateWriter& w) const override {
        w.begin("stdp");
        x_.save(w), y_.save(w);
        w.end();
    }
    void load_state(StateReader& r) override {
        r.begin("stdp");
        x_.load(r), y_.load(r);
        r.end();
    }

private:
    void set(SynapseView& s, std::uint32_t syn, double w) const {
        s.weight[syn] = static_cast<float>(std::clamp(w, wmin_, wmax_));
    }
    double Ap_, Am_, wmin_, wmax_;
    Traces x_, y_;
};

} // namespace

PayeurParams payeur_params(const std::vector<double>& p) {
    return {p.at(0), p.at(1), p.at(2), p.at(3), p.at(4), p.at(5), p.at(6), p.at(7), p.at(8)};
}

std::unique_ptr<PlasticityRule> make_payeur(const PayeurParams& p, std::uint32_t n_source, std::uint32_t n_target) {
    return std::make_unique<Payeur>(p, n_source, n_target);
}

void register_plasticity(Registry& r) {
    const double inf = std::numeric_limits<double>::infinity();
    KindInfo k;
    k.name = "payeur2021";
    k.doc = "burst-dependent plasticity (Payeur et al. 2021): dW = eta [B_post - Pbar_post E_post] Etilde_pre, with "
            "moving averages of the postsynaptic event and burst rates and homeostatic terms; needs the burst "
            "rule of recording.bursts (default: trace, 16 ms) on both populations";
    // Defaults: Payeur et al. 2021, Fig. 2E-G (shared reference).
    k.parameters = {
        {"eta", Dim::none, 3.5e-3, 0.0, 1e6, "learning rate (weight units per unit of presynaptic trace)"},
        {"tau_pre", Dim::time, 100.0, 0.0, 1e9, "time constant of the presynaptic event trace", true},
        {"alpha", Dim::time, 5000.0, 0.0, 1e12, "time constant of the moving averages Ebar, Bbar", true},
        {"e_min", Dim::frequency, 2.0, 0.0, 1e6, "below this Ebar, presynaptic events potentiate (0: off)"},
        {"e_max", Dim::frequency, 12.0, 0.0, inf, "above this Ebar, updates are pushed down (inf: off)"},
        {"w_min", Dim::none, 0.0, -1e9, 1e9, "lower weight bound"},
        {"w_max", Dim::none, 1.0, -1e9, 1e9, "upper weight bound"},
        {"ebar_init", Dim::frequency, 0.0, 0.0, 1e6, "initial event-rate estimate Ebar"},
        {"bbar_init", Dim::frequency, 0.0, 0.0, 1e6, "initial burst-rate estimate Bbar (Pbar = bbar_init / ebar_init)"},
    };
    k.make_plasticity = [](const std::vector<double>& p, std::uint32_t ns, std::uint32_t nt) {
        return make_payeur(payeur_params(p), ns, nt);
    };
    r.add_plasticity(std::move(k));

    KindInfo s;
    s.name = "stdp";
    s.doc = "pair-based additive STDP with all-to-all trace interactions (Song, Miller & Abbott 2000 form)";
    s.parameters = {
        {"A_plus", Dim::none, 0.01, 0.0, 1e6, "potentiation per pre-before-post pair at zero lag"},
        {"A_minus", Dim::none, 0.0105, 0.0, 1e6, "depression per post-before-pre pair at zero lag"},
        {"tau_plus", Dim::time, 20.0, 0.0, 1e9, "presynaptic trace time constant", true},
        {"tau_minus", Dim::time, 20.0, 0.0, 1e9, "postsynaptic trace time constant", true},
        {"w_min", Dim::none, 0.0, -1e9, 1e9, "lower weight bound"},
        {"w_max", Dim::none, 1.0, -1e9, 1e9, "upper weight bound"},
    };
    s.make_plasticity = [](const std::vector<double>& p, std::uint32_t ns, std::uint32_t nt) {
        return std::unique_ptr<PlasticityRule>(std::make_unique<Stdp>(p, ns, nt));
    };
    r.add_plasticity(std::move(s));
}

std::unique_ptr<PlasticityRule> make_stdp(const std::vector<double>& p, std::uint32_t n_source,
                                          std::uint32_t n_target) {
    return std::make_unique<Stdp>(p, n_source, n_target);
}

} // namespace apical::models
