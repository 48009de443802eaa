// Helpers for tests that build networks directly (no scenario file) and record in memory.
#pragma once
#include "core/recording.hpp"
#include "core/simulation.hpp"
#include "models/builtin.hpp"

#include <map>
#include <string>
#include <vector>

namespace apical::test {

struct MemorySink : RecordingSink {
    struct Pop {
        std::vector<double> times;
        std::vector<std::uint64_t> ids;
    };
    std::map<std::uint32_t, Pop> pops;
    std::map<std::uint32_t, std::vector<float>> probe_rows; // concatenated rows
    void spikes(std::uint32_t p, std::span<const double> t, std::span<const std::uint64_t> id) override {
        auto& x = pops[p];
        x.times.insert(x.times.end(), t.begin(), t.end());
        x.ids.insert(x.ids.end(), id.begin(), id.end());
    }
    void samples(std::uint32_t probe, std::span<const float> rows, std::size_t) override {
        auto& r = probe_rows[probe];
        r.insert(r.end(), rows.begin(), rows.end());
    }
};

inline PopulationDesc population(const Registry& r, const std::string& name, const std::string& model,
                                 std::uint32_t size, std::map<std::string, double> params = {}) {
    const ModelInfo* m = r.model(model);
    PopulationDesc p;
    p.name = name;
    p.model = model;
    p.size = size;
    p.params = default_values(m->parameters);
    for (auto& [k, v] : params) p.params.at(static_cast<std::size_t>(m->param_index(k))) = v;
    return p;
}

inline Distribution constant(double v) {
    Distribution d;
    d.a = v;
    return d;
}

inline ProjectionDesc projection(const Registry& r, const NetworkDesc& net, std::uint32_t src, std::uint32_t tgt,
                                 const std::string& receptor, const std::string& rule, std::vector<double> rule_params,
                                 double weight, double delay) {
    ProjectionDesc p;
    p.name = net.populations[src].name + "_" + net.populations[tgt].name;
    p.source = src;
    p.target = tgt;
    p.receptor = static_cast<std::uint16_t>(r.model(net.populations[tgt].model)->receptor_index(receptor));
    p.rule = rule;
    p.rule_params = std::move(rule_params);
    p.weight = constant(weight);
    p.delay = constant(delay);
    return p;
}

inline StimulusDesc stimulus(const Registry& r, const NetworkDesc& net, const std::string& type, std::uint32_t tgt,
                             std::map<std::string, double> params, const std::string& receptor = "",
                             double weight = 0.0) {
    const KindInfo* k = r.stimulus(type);
    StimulusDesc s;
    s.name = type;
    s.type = type;
    s.target = tgt;
    s.params = default_values(k->parameters);
    for (auto& [n, v] : params) s.params.at(static_cast<std::size_t>(k->param_index(n))) = v;
    if (!receptor.empty())
        s.receptor = static_cast<std::uint16_t>(r.model(net.populations[tgt].model)->receptor_index(receptor));
    s.weight = weight;
    return s;
}

} // namespace apical::test
