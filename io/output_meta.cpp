#include "io/output_meta.hpp"

namespace apical::io {

void add_records(OutputMeta& m, const Scenario& scenario, const Registry& registry) {
    m.records.clear();
    for (const PopulationDesc& p : scenario.net.populations) {
        const ModelInfo* info = registry.model(p.model);
        std::vector<RecordDecl> rs = info ? info->records : std::vector<RecordDecl>{};
        const bool dates = !p.table.datetime.empty() && p.table.datetime[0];
        for (auto& r : rs)
            for (std::size_t c = 0; c < r.columns.size(); ++c)
                if (r.columns[c] == "timestamp" && dates) {
                    r.units.resize(r.columns.size());
                    r.units[c] = kUnixSecondsUnit;
                }
        m.records.push_back(std::move(rs));
    }
}

OutputMeta output_meta_from(const Scenario& scenario, std::vector<ProbeLayout> probes, std::string apical_version,
                            int threads_used) {
    OutputMeta m;
    m.apical_version = std::move(apical_version);
    m.name = scenario.name;
    m.scenario_yaml = scenario.resolved_yaml;
    m.seed = scenario.net.seed;
    m.threads = threads_used;
    m.t_stop = scenario.net.duration;
    for (const PopulationDesc& p : scenario.net.populations) {
        m.population_names.push_back(p.name);
        m.population_sizes.push_back(p.size);
    }
    m.record_spikes = scenario.recording.spikes;
    m.probes = std::move(probes);
    if (scenario.recording.rate_bin > 0.0) {
        m.rate_populations = scenario.recording.rate_populations;
        m.rate_bin = scenario.recording.rate_bin;
    }
    m.burst_populations = scenario.recording.burst_populations;
    m.burst_rule = scenario.recording.burst_rule;
    m.burst_threshold = scenario.recording.burst_threshold;
    for (const WeightProbeDesc& w : scenario.net.weight_probes) {
        WeightProbeMeta wm;
        wm.projection = scenario.net.projections.at(w.projection).name;
        wm.interval = w.interval;
        m.weight_probes.push_back(std::move(wm));
    }
    return m;
}

} // namespace apical::io
