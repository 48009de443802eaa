// Scenario files: YAML with units -> a validated NetworkDesc plus what to record.
// Every error is a ScenarioError carrying FILE:LINE:COL of the offending node.
#pragma once
#include "core/network.hpp"
#include "core/registry.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace apical::io {

struct RecordingDesc {
    std::vector<bool> spikes; // per population: record its spikes
    std::vector<std::uint32_t> rate_populations;
    double rate_bin = 0.0; // ms; 0: no rates
    // Burst detection (filled when `recording.bursts` is given).
    std::vector<std::uint32_t> burst_populations;
    std::string burst_rule = "trace";
    double burst_threshold = 16.0; // ms
};

struct Scenario {
    std::string name;
    std::string file;          // path it was read from
    std::string resolved_yaml; // the scenario after --set overrides, as YAML text
    NetworkDesc net;
    RecordingDesc recording;
    std::string output_file; // from output.file, default <name>.h5
    std::string sweep_yaml;  // the `sweep:` section as YAML text, not interpreted here; "" if absent
};

class ScenarioError : public std::runtime_error {
public:
    ScenarioError(std::string file, int line, int col, const std::string& what);
    const std::string& file() const { return file_; }
    int line() const { return line_; }
    int col() const { return col_; }

private:
    std::string file_;
    int line_, col_;
};

// `overrides` are "KEY=VALUE" strings (dot-separated key paths, VALUE in YAML syntax).
// Throws ScenarioError (message formatted "FILE:LINE:COL: what is wrong; allowed: ...").
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides, const Registry& registry);
Scenario parse_scenario(const std::string& yaml_text, const std::string& file_label,
                        const std::vector<std::string>& overrides, const Registry& registry);

} // namespace apical::io
