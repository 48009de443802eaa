// `apical inspect`: a per-population summary of a result file (cells, spikes, mean
// rate, ISI irregularity) plus its metadata, as JSON or as a table.
#pragma once
#include "io/hdf5_reader.hpp"

#include <string>
#include <vector>

namespace apical::io {

struct PopulationSummary {
    std::string name;
    std::uint64_t cells = 0;
    bool recorded = false; // spikes recorded (the numbers below are meaningful)
    std::uint64_t spikes = 0;
    double mean_rate_hz = 0.0; // spikes / cells / (t_reached in s); NaN when undefined
    // Coefficient of variation of inter-spike intervals: per cell, sd/mean of its ISIs
    // (population sd, ddof = 0, as scipy.stats.variation), averaged over the cells with
    // at least 2 ISIs (3 spikes). NaN when no cell qualifies.
    double cv_isi = 0.0;
    std::uint64_t cells_with_cv = 0;
    // Events and bursts by the ISI rule (docs/sweeps.md): a spike starts a new event when
    // the gap to the cell's previous spike exceeds `event_gap_ms` (or it is the cell's first);
    // an event with at least one more spike is a burst.
    std::uint64_t events = 0, bursts = 0;
    double event_rate_hz = 0.0;     // events / cells / (t_reached in s); NaN when undefined
    double burst_probability = 0.0; // bursts / events; NaN without events
};

// The gap that separates events in PopulationSummary (ms).
inline constexpr double event_gap_ms = 16.0;

struct InspectResult {
    std::string path;
    ResultMeta meta;
    std::vector<PopulationSummary> populations;
};

// Summarises a result file (streams spikes; memory is O(cells), not O(spikes)).
InspectResult inspect(const std::string& path);
// One JSON object: {"file", "format_version", "apical_version", "name", "seed", "threads",
// "t_stop_ms", "t_reached_ms", "completed", "wall_seconds", "populations": [{"name",
// "cells", "recorded", "spikes", "mean_rate_hz", "cv_isi", "cells_with_cv", "events",
// "bursts", "event_rate_hz", "burst_probability"}]}; NaN is null.
std::string to_json(const InspectResult& r);
// A short human-readable report: header lines, then one table row per population.
std::string format_table(const InspectResult& r);

} // namespace apical::io
