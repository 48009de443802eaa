// Everything the HDF5 writer needs to know before the first spike: what the network
// is, what is recorded, and the provenance stored in /apical. Plain data; the app fills
// it (output_meta_from does most of it from a Scenario).
#pragma once
#include "core/recording.hpp"
#include "io/h5_weight_stream.hpp"
#include "io/scenario.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace apical::io {

struct OutputMeta {
    // Provenance, stored as /apical attributes.
    std::string apical_version; // e.g. "0.1.0"
    std::string name;           // scenario name
    std::string scenario_yaml;  // the resolved scenario text (after --set)
    std::uint64_t seed = 0;
    int threads = 0;      // threads actually used (not the 0 = "all cores" request)
    double t_stop = 0.0;  // ms, the requested duration
    double t_start = 0.0; // ms: 0, or the checkpoint time of a restarted run

    // Populations, by index as the engine numbers them.
    std::vector<std::string> population_names;
    std::vector<std::uint32_t> population_sizes;
    std::vector<bool> record_spikes; // per population; missing entries: not recorded

    std::vector<ProbeLayout> probes; // one /report/<name>/<pop> each, in probe index order

    // Per population: its model's records (/<group>/<pop>), in declaration order.
    std::vector<std::vector<RecordDecl>> records;

    std::vector<std::uint32_t> rate_populations; // population indices with /rates/<pop>
    double rate_bin = 0.0;                       // ms; must be > 0 when rate_populations is non-empty

    // Burst detection: /bursts/<pop> for these populations, and event_rate, burst_rate,
    // burst_probability under /rates/<pop> for those of them that also have rates.
    std::vector<std::uint32_t> burst_populations;
    std::string burst_rule;
    double burst_threshold = 0.0; // ms

    // Weight probes, in NetworkDesc::weight_probes order (the app fills the sampled ids),
    // and the projections whose final weights are written (/weights/<name>/final_*).
    std::vector<WeightProbeMeta> weight_probes;
};

// Fills everything a Scenario knows. The caller supplies what it does not: the probe
// layouts (variable names and units come from the registry, via the engine), the
// version string, and the number of threads really used.
// Copies each population's model records from the registry. A table column named
// "timestamp" carries the first column of the population's input table; when that column
// held date-times its units become kUnixSecondsUnit (so `apical export` prints dates).
void add_records(OutputMeta& meta, const Scenario& scenario, const Registry& registry);
inline constexpr const char* kUnixSecondsUnit = "s since 1970-01-01 00:00:00 UTC";

OutputMeta output_meta_from(const Scenario& scenario, std::vector<ProbeLayout> probes, std::string apical_version,
                            int threads_used);

} // namespace apical::io
