// Writes a small but complete result file with Hdf5Writer (two recorded populations, one
// unrecorded, a two-variable probe, rates), for the python layout checker to examine:
//   write_sample_h5 OUT.h5 [--unfinished]
// --unfinished stops like a killed run: no finish(), so OUT.h5.partial is left behind.
#include "io/hdf5_writer.hpp"

#include <cstdio>
#include <cstring>
#include <exception>
#include <vector>

using namespace apical;
using namespace apical::io;

int main(int argc, char** argv) {
    if (argc < 2 || (argc == 3 && std::strcmp(argv[2], "--unfinished") != 0) || argc > 3) {
        std::fprintf(stderr, "usage: write_sample_h5 OUT.h5 [--unfinished]\n");
        return 2;
    }
    const bool unfinished = argc == 3;
    try {
        OutputMeta m;
        m.apical_version = "sample";
        m.name = "sample_layout";
        m.scenario_yaml = "name: sample_layout\nsimulation: {duration: 100 ms, dt: 0.1 ms, seed: 7}\n";
        m.seed = 7;
        m.threads = 1;
        m.t_stop = 100.0;
        m.population_names = {"exc", "inh", "off"};
        m.population_sizes = {50, 10, 5};
        m.record_spikes = {true, true, false};
        m.probes.push_back(ProbeLayout{"soma", 0, {0, 7, 49}, {"v", "w"}, {"mV", "pA"}, 0.0, 0.5});
        m.probes.push_back(ProbeLayout{"vi", 1, {3}, {"v"}, {"mV"}, 0.0, 1.0});
        m.rate_populations = {0, 1};
        m.rate_bin = 20.0;
        Hdf5Writer w(argv[1], m);

        // Ten 10 ms epochs; deterministic, irregular spikes: cell c of a population of n
        // fires when a simple hash of (step, c) is small.
        const double epoch = 10.0, dt = 0.1;
        for (int e = 0; e < 10; ++e) {
            for (std::uint32_t p = 0; p < 3; ++p) {
                std::vector<double> t;
                std::vector<std::uint64_t> id;
                for (int s = 0; s < 100; ++s)
                    for (std::uint32_t c = 0; c < m.population_sizes[p]; ++c)
                        if (((e * 100 + s) * 2654435761u + c * 40503u + p * 97u) % 997u < 3u) {
                            t.push_back((e * 100 + s) * dt);
                            id.push_back(c);
                        }
                w.spikes(p, t, id);
            }
            std::vector<float> rows;
            for (int s = 0; s < 20; ++s)
                for (int k = 0; k < 6; ++k)
                    rows.push_back(-65.0f + static_cast<float>(e * 20 + s) * 0.01f + static_cast<float>(k));
            w.samples(0, rows, 20);
            std::vector<float> vi(10, -70.0f + static_cast<float>(e));
            w.samples(1, vi, 10);
            w.reached((e + 1) * epoch);
            if (unfinished && e == 6) {
                w.flush();
                return 0; // the destructor leaves OUT.h5.partial, as a killed run would
            }
        }
        w.finish(true, 100.0, 0.01);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "write_sample_h5: %s\n", e.what());
        return 1;
    }
    return 0;
}
