// Tsodyks-Markram short-term plasticity (models/stp.cpp) on regular spike trains, against
// the closed-form recursion between spikes of period T:
//   u_{n+1} = U + (u_n + f (1 - u_n) - U) exp(-T / tau_F)
//   x_{n+1} = 1 - (1 - x_n (1 - u_n)) exp(-T / tau_D),   efficacy_n = u_n x_n,
// and its fixed point u* = (U (1 - E_F) + f E_F) / (1 - (1 - f) E_F),
//                    x* = (1 - E_D) / (1 - (1 - u*) E_D).
#include "models/stp.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using namespace apical;

namespace {
std::vector<float> train(double U, double f, double tD, double tF, double T, int n) {
    auto stp = models::make_tsodyks_markram(U, f, tD, tF, 1);
    std::vector<SourceSpike> s;
    for (int k = 0; k < n; ++k) s.push_back({5.0 + T * k, 0, SpikeKind::unclassified});
    std::vector<float> eff(s.size());
    stp->transmit(s, eff);
    return eff;
}
} // namespace

TEST_CASE("tsodyks_markram: presets on regular trains follow the recursion", "[stp]") {
    struct Case {
        double U, f, tD, tF;
    };
    // depressing and facilitating presets (Payeur et al. 2021 code).
    for (Case c : {Case{0.9, 0.1, 20.0, 1000.0}, Case{0.02, 0.1, 100.0, 100.0}})
        for (double T : {5.0, 10.0, 50.0, 200.0}) {
            const int n = 60;
            const auto eff = train(c.U, c.f, c.tD, c.tF, T, n);
            const double EF = std::exp(-T / c.tF), ED = std::exp(-T / c.tD);
            double u = c.U, x = 1.0;
            for (int k = 0; k < n; ++k) {
                CHECK(eff[k] == Approx(u * x).epsilon(1e-6));
                const double u_next = c.U + (u + c.f * (1 - u) - c.U) * EF;
                x = 1 - (1 - x * (1 - u)) * ED;
                u = u_next;
            }
            const double us = (c.U * (1 - EF) + c.f * EF) / (1 - (1 - c.f) * EF);
            const double xs = (1 - ED) / (1 - (1 - us) * ED);
            CHECK(eff[n - 1] == Approx(us * xs).epsilon(1e-4));
        }
}

TEST_CASE("tsodyks_markram: first efficacies by hand", "[stp]") {
    // Facilitating preset at 100 Hz: first spike U = 0.02. Then x = 0.98, u = 0.118; after
    // 10 ms: x = 1 - 0.02 e^-0.1, u = 0.02 + 0.098 e^-0.1.
    const auto eff = train(0.02, 0.1, 100.0, 100.0, 10.0, 2);
    CHECK(eff[0] == Approx(0.02));
    CHECK(eff[1] == Approx((1 - 0.02 * std::exp(-0.1)) * (0.02 + 0.098 * std::exp(-0.1))));
    // Depressing preset at 100 Hz: first 0.9; then x = 0.1, u = 0.91; after 10 ms.
    const auto d = train(0.9, 0.1, 20.0, 1000.0, 10.0, 2);
    CHECK(d[0] == Approx(0.9));
    CHECK(d[1] == Approx((1 - 0.9 * std::exp(-0.5)) * (0.9 + 0.01 * std::exp(-0.01))));
    CHECK(d[1] < d[0]);
    CHECK(eff[1] > eff[0]);
}

TEST_CASE("tsodyks_markram: presynaptic cells are independent", "[stp]") {
    auto stp = models::make_tsodyks_markram(0.5, 0.0, 100.0, 100.0, 2);
    std::vector<SourceSpike> s{{0.0, 0, SpikeKind::event}, {1.0, 1, SpikeKind::event}, {2.0, 0, SpikeKind::event}};
    std::vector<float> eff(3);
    stp->transmit(s, eff);
    CHECK(eff[0] == Approx(0.5));
    CHECK(eff[1] == Approx(0.5)); // cell 1's first spike: untouched by cell 0
    CHECK(eff[2] == Approx(0.5 * (1 - 0.5 * std::exp(-0.02))));
}
