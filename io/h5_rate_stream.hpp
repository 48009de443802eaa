// /rates/<pop>: population rate per bin, counted from the spike stream; with burst
// detection also the event rate, burst rate and burst probability per bin.
#pragma once
#include "io/h5_appendable_dataset.hpp"
#include "io/rate_binner.hpp"

#include <span>
#include <string>
#include <vector>

namespace apical::io {

class RateStream {
public:
    RateStream(const H5Node& rates_group, const std::string& population, std::uint32_t n_cells, double bin_ms,
               double start_ms = 0.0);
    void add(std::span<const double> times);
    // Creates event_rate, burst_rate and burst_probability (call before any data).
    void enable_bursts();
    // Times of the spikes classified as events and as bursts, each in time order.
    void add_classified(std::span<const double> events, std::span<const double> bursts);
    // All spikes before t (ms) have been added.
    void complete_until(double t);
    // Writes completed bins and brings the `time` dataset's stop up to date.
    void flush();

private:
    H5Node group_, time_;
    RateBinner binner_;
    AppendableDataset<double> rate_;
    std::vector<double> completed_; // scratch, reused between calls
    // Burst statistics (only after enable_bursts()).
    bool bursts_ = false;
    RateBinner events_bin_, bursts_bin_;
    AppendableDataset<double> event_rate_, burst_rate_, burst_prob_;
    std::vector<double> er_, br_; // completed bins not yet paired into a burst probability
    void pair_bins();
};

} // namespace apical::io
