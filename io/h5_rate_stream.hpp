// /rates/<pop>: population rate per bin, counted from the spike stream.
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
    // All spikes before t (ms) have been added.
    void complete_until(double t);
    // Writes completed bins and brings the `time` dataset's stop up to date.
    void flush();

private:
    H5Node group_, time_;
    RateBinner binner_;
    AppendableDataset<double> rate_;
    std::vector<double> completed_; // scratch, reused between calls
};

} // namespace apical::io
