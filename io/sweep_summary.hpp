// The summary of a sweep directory: one row per point of DIR/design.csv, built from
// whatever point files exist (any number of array tasks, MPI ranks or runs may have
// written them), as DIR/summary.csv and DIR/sweep.h5 (layout in docs/sweeps.md).
#pragma once
#include "io/sweep_dir.hpp"

#include <string>
#include <vector>

namespace apical::io {

// A swept key as a summary column: numeric when every value is a number of one
// dimension (then `values` hold it in the canonical unit, and the header says which),
// otherwise the value texts as written.
struct ParameterColumn {
    std::string key, unit; // unit "" for dimensionless or text columns
    bool numeric = false;
    std::vector<double> numbers;
    std::vector<std::string> texts;
    std::string header() const; // "populations.exc.size", "stimuli.drive.rate [Hz]"
};

// Per population and point; NaN when undefined (not done, not recorded, no HTM data).
struct PopulationStats {
    double rate_hz, cv_isi, event_rate_hz, burst_probability, mean_anomaly;
};
inline constexpr const char* statistic_names[] = {"rate_hz", "cv_isi", "event_rate_hz", "burst_probability",
                                                  "mean_anomaly"};

struct SweepSummary {
    std::string dir;
    std::vector<ParameterColumn> parameters;
    std::vector<std::uint64_t> seeds;
    std::vector<PointOnDisk> points;
    std::vector<std::string> populations;            // union over done points, first-seen order
    std::vector<std::vector<PopulationStats>> stats; // [point][population]
    std::size_t count(PointState s) const;
};

// Statistics of one result file, per population in file order (names in `names`).
std::vector<PopulationStats> result_statistics(const std::string& h5_path, std::vector<std::string>& names);

// Reads DIR (design.csv and the point files). Throws std::runtime_error for a directory
// that is not a sweep.
SweepSummary collect_sweep(const std::string& dir);

// point,<parameters>,seed,status,wall_s,<pop>.<statistic>...,message; status is done,
// failed or missing. Written to a temporary and renamed.
void write_summary_csv(const SweepSummary& s, const std::string& path);
void write_sweep_h5(const SweepSummary& s, const std::string& path, const std::string& apical_version);

const char* state_name(PointState s);

} // namespace apical::io
