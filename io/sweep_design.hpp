// Parameter sweeps: which points to run. A design is a table: one column per swept
// scenario key (a dot path, as --set takes it), one row per point, each cell a YAML value
// text ("1200 pA", "20", "[exc, inh]") that is applied to the scenario as
// `--set KEY=VALUE` would be.
//
// Parts, from the scenario's `sweep:` section and the command line (docs/scenario.md):
//   grid:   {KEY: [v1, v2, ...], ...}      cartesian product, the last key varying fastest
//   list:   FILE.csv                       explicit rows; header = keys
//   sample: {method: random | latin_hypercube, points: N, seed: S,
//            ranges: {KEY: {low: 1 nS, high: 5 nS, scale: linear | log, integer: false}}}
// The design is the product of the parts present: list rows x sampled rows x grid axes
// (the grid varies fastest). A key may appear in one part only.
#pragma once
#include "core/units.hpp"
#include "io/scenario.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace apical::io {

struct SweepRange {
    std::string key;
    double low = 0.0, high = 0.0; // canonical units of `dim`
    Dim dim = Dim::none;
    bool log = false, integer = false;
};

struct SweepSpec {
    std::vector<std::pair<std::string, std::vector<std::string>>> grid; // key, values
    std::string list_file;                                              // "" when none
    std::vector<std::string> list_keys;
    std::vector<std::vector<std::string>> list_rows;
    enum class Method { none, random, latin_hypercube } method = Method::none;
    std::size_t samples = 0;
    std::uint64_t sample_seed = 0;
    std::vector<SweepRange> ranges;
};

struct SweepDesign {
    std::vector<std::string> keys;                // columns
    std::vector<std::vector<std::string>> points; // [point][column]: YAML value text
    // Index of the column `simulation.seed` (explicit replicate seeds), or -1.
    int seed_column() const;
};

// The `sweep:` section of scenario file `path` (no section: an empty spec). Errors are
// ScenarioErrors with FILE:LINE:COL. A `list:` file is read, relative to the scenario.
SweepSpec read_sweep_spec(const std::string& path);
// The same from scenario text (`file_label` for messages, `base_dir` for a list file).
SweepSpec parse_sweep_spec(const std::string& yaml_text, const std::string& file_label, const std::string& base_dir);

// `--grid KEY=V1,V2,...` (argument `index`, 1-based, for messages): replaces the grid
// axis of the same key or adds one. Values are split at commas outside brackets and
// quotes. Throws ScenarioError labelled "<--grid>:INDEX:COL".
void add_grid_argument(SweepSpec& spec, const std::string& arg, int index);
// `--list FILE`: replaces the spec's list. Throws ScenarioError at FILE:LINE:COL.
void set_point_list(SweepSpec& spec, const std::string& csv_path);

// The points, in a fixed order; throws ScenarioError when a key is in two parts.
SweepDesign expand(const SweepSpec& spec, const std::string& file_label);

// The seed of point `index` when the design does not set seeds: a 53-bit number
// (exact in a double, so spreadsheets and pandas keep it) drawn from a counter-based
// stream keyed by the base seed and the index; any process computes the same one.
std::uint64_t point_seed(std::uint64_t base_seed, std::size_t index);

// The points one Slurm array task runs: every index i with i % count == task.
// Tasks 0..count-1 together cover each point exactly once.
std::vector<std::size_t> task_share(std::size_t n_points, std::size_t task, std::size_t count);

} // namespace apical::io
