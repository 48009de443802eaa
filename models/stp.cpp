// Short-term plasticity: the extended Tsodyks-Markram model (Costa et al. 2013, as in the
// code of Payeur et al. 2021). Per presynaptic cell (parameters shared by the projection):
//   at a spike: efficacy = u x (values just before the update); then x <- x - u x,
//               u <- u + f (1 - u);
//   between spikes: x relaxes to 1 with tau_D, u relaxes to U with tau_F (exactly).
// Initially x = 1, u = U. The transmitted weight is w u x.
#include "core/spike_hooks.hpp"
#include "models/builtin.hpp"
#include "models/stp.hpp"

#include <cmath>
#include <memory>

namespace apical::models {
namespace {

class TsodyksMarkram final : public ShortTermPlasticity {
public:
    TsodyksMarkram(double U, double f, double tau_D, double tau_F, std::uint32_t n)
        : U_(U), f_(f), tD_(tau_D), tF_(tau_F), u_(n, U), x_(n, 1.0),
          last_(n, -std::numeric_limits<double>::infinity()) {}

    void transmit(std::span<const SourceSpike> spikes, std::span<float> efficacy) override {
        for (std::size_t i = 0; i < spikes.size(); ++i) {
            const std::uint32_t c = spikes[i].cell;
            const double dt = spikes[i].time - last_[c];
            double u = u_[c], x = x_[c];
            if (std::isfinite(dt)) {
                x = 1.0 - (1.0 - x) * std::exp(-dt / tD_);
                u = U_ + (u - U_) * std::exp(-dt / tF_);
            }
            efficacy[i] = static_cast<float>(u * x);
            x -= u * x;
            u += f_ * (1.0 - u);
            u_[c] = u, x_[c] = x, last_[c] = spikes[i].time;
        }
    }

    bool can_checkpoint() const override { return true; }
    void save_state(StateWriter& w) const override {
        w.begin("tsodyks_markram");
        w.put(u_), w.put(x_), w.put(last_);
        w.end();
    }
    void load_state(StateReader& r) override {
        r.begin("tsodyks_markram");
        r.get(u_), r.get(x_), r.get(last_);
        r.end();
    }

private:
    double U_, f_, tD_, tF_;
    std::vector<double> u_, x_, last_;
};

} // namespace

std::unique_ptr<ShortTermPlasticity> make_tsodyks_markram(double U, double f, double tau_D, double tau_F,
                                                          std::uint32_t n_source) {
    return std::make_unique<TsodyksMarkram>(U, f, tau_D, tau_F, n_source);
}

void register_stp(Registry& r) {
    KindInfo k;
    k.name = "tsodyks_markram";
    k.doc = "extended Tsodyks-Markram short-term plasticity (Costa et al. 2013): efficacy u x per presynaptic "
            "spike, x depletes by u x and recovers with tau_D, u facilitates by f (1 - u) and relaxes to U "
            "with tau_F; state per presynaptic cell";
    k.parameters = {
        {"U", Dim::none, 0.5, 0.0, 1.0, "baseline release probability (u at rest)"},
        {"f", Dim::none, 0.0, 0.0, 1.0, "facilitation: u <- u + f (1 - u) at each spike"},
        {"tau_D", Dim::time, 100.0, 0.0, 1e9, "recovery time constant of x (depression)", true},
        {"tau_F", Dim::time, 100.0, 0.0, 1e9, "relaxation time constant of u (facilitation)", true},
    };
    // Payeur et al. 2021 code (shared reference: STP presets).
    k.presets = {
        {"depressing",
         "strongly depressing (Payeur et al. 2021, Fig. 3 feedforward)",
         "Payeur et al. 2021 code",
         {{"U", 0.9}, {"f", 0.1}, {"tau_D", 20.0}, {"tau_F", 1000.0}},
         {}},
        {"facilitating",
         "facilitating (Payeur et al. 2021, Fig. 3 feedback)",
         "Payeur et al. 2021 code",
         {{"U", 0.02}, {"f", 0.1}, {"tau_D", 100.0}, {"tau_F", 100.0}},
         {}},
    };
    k.make_stp = [](const std::vector<double>& p, std::uint32_t n) {
        return make_tsodyks_markram(p.at(0), p.at(1), p.at(2), p.at(3), n);
    };
    r.add_stp(std::move(k));
}

} // namespace apical::models
