// Per-step timings of Apical's HTM algorithms (models/htm) in the configurations of the
// htm.core 2.2 figures quoted in shared/reference/htm.md (htm.core itself is not
// installable here; its numbers are the reference's, not measured side by side).
//   build/bench/htm_bench [repeats [tm_sequence|tm_random|sp]]
// Prints one line per case: ms per step (best of `repeats` runs), and the htm.core figure.
#include "models/htm/spatial_pooler.hpp"
#include "models/htm/temporal_memory.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <memory>
#include <vector>

using namespace apical;
using namespace apical::models::htm;
using Clock = std::chrono::steady_clock;

namespace {

Sdr random_sdr(RandomStream& r, std::uint32_t n, std::uint32_t k) {
    Sdr s;
    while (s.size() < k) {
        s.push_back(r.below(n));
        normalize(s);
    }
    return s;
}

// Best of `repeats`: ms per step of `steps` calls to `step` after `setup`.
double time_case(int repeats, int steps, const std::function<std::function<void(int)>()>& setup) {
    double best = 1e300;
    for (int rep = 0; rep < repeats; ++rep) {
        auto step = setup();
        const auto t0 = Clock::now();
        for (int i = 0; i < steps; ++i) step(i);
        best = std::min(best, std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / steps);
    }
    return best;
}

void report(const char* name, double ms, double ref) {
    std::printf("%-52s %9.4f ms/step   htm.core %6.3f   ratio %5.2f\n", name, ms, ref, ms / ref);
}

} // namespace

int main(int argc, char** argv) {
    const int repeats = argc > 1 ? std::atoi(argv[1]) : 3;
    const std::string only = argc > 2 ? argv[2] : ""; // tm_sequence, tm_random, sp: one case only
    auto run = [&](const char* c) { return only.empty() || only == c; };
    TmParams tp; // htm.core defaults: 2048 columns x 32 cells
    if (run("tm_sequence")) {
        // A learned 20-pattern sequence of 40 columns each, presented in a loop with a
        // reset after each presentation; timed: 100 more presentations (2000 steps), learning on.
        RandomStream r(1, 1, 0);
        std::vector<Sdr> seq;
        for (int i = 0; i < 20; ++i) seq.push_back(random_sdr(r, 2048, 40));
        std::unique_ptr<TemporalMemory> tm;
        const double ms = time_case(repeats, 2000, [&] {
            tm = std::make_unique<TemporalMemory>(tp, RandomStream(1, 2, 0));
            for (int p = 0; p < 20; ++p) {
                for (auto& s : seq) tm->compute(s, true);
                tm->reset();
            }
            return [&](int i) {
                tm->compute(seq[i % 20], true);
                if (i % 20 == 19) tm->reset();
            };
        });
        report("TM 2048x32, 40 active, learned 20-pattern sequence", ms, 0.020);
        std::printf("  (after timing: %zu segments, %zu synapses, anomaly of last step %.2f)\n",
                    tm->connections().n_segments(), tm->connections().n_synapses(), tm->anomaly());
    }
    if (run("tm_random")) {
        // Random 40-column input every step, learning on, 2000 steps from a fresh TM.
        RandomStream r(2, 1, 0);
        std::vector<Sdr> in;
        for (int i = 0; i < 2000; ++i) in.push_back(random_sdr(r, 2048, 40));
        std::unique_ptr<TemporalMemory> tm;
        const double ms = time_case(repeats, 2000, [&] {
            tm = std::make_unique<TemporalMemory>(tp, RandomStream(1, 2, 0));
            return [&](int i) { tm->compute(in[i], true); };
        });
        report("TM 2048x32, 40 active, random input, 2000 steps", ms, 0.43);
        std::printf("  (after timing: %zu segments, %zu synapses)\n", tm->connections().n_segments(),
                    tm->connections().n_synapses());
    }
    for (std::uint32_t radius : {16u, 0u}) {
        if (!run("sp")) break;
        // 1000-bit input, 10 % active bits, random each step, learning on.
        SpParams sp;
        sp.inputs = 1000, sp.columns = 2048, sp.potential_radius = radius, sp.potential_pct = 0.5;
        RandomStream r(3, 1, 0);
        std::vector<Sdr> in;
        for (int i = 0; i < 500; ++i) in.push_back(random_sdr(r, 1000, 100));
        std::unique_ptr<SpatialPooler> pool;
        Sdr out;
        const double ms = time_case(repeats, 500, [&] {
            pool = std::make_unique<SpatialPooler>(sp, RandomStream(1, 3, 0));
            return [&](int i) { pool->compute(in[i], true, out); };
        });
        report(radius ? "SP 2048 columns, 1000-bit input, potential radius 16"
                      : "SP 2048 columns, 1000-bit input, whole input",
               ms, radius ? 0.06 : 1.0);
    }
    return 0;
}
