#include "io/rate_binner.hpp"

#include <cmath>
#include <limits>

namespace apical::io {

void RateBinner::close_current(std::vector<double>& completed) {
    // Hz per cell: spikes / cells / seconds. An empty population has no rate (NaN),
    // rather than a misleading 0.
    const double seconds = bin_ * 1e-3;
    completed.push_back(n_cells_ == 0 ? std::numeric_limits<double>::quiet_NaN()
                                      : static_cast<double>(count_) / (static_cast<double>(n_cells_) * seconds));
    count_ = 0;
    ++current_;
}

void RateBinner::add(std::span<const double> times, std::vector<double>& completed) {
    for (double t : times) {
        auto k = static_cast<std::int64_t>(std::floor((t - start_) / bin_));
        // A spike within rounding of a bin edge that complete_until() already closed
        // goes into the open bin instead of reopening a written one.
        if (k < current_) k = current_;
        while (current_ < k) close_current(completed);
        ++count_;
    }
}

void RateBinner::complete_until(double t, std::vector<double>& completed) {
    // The tolerance absorbs t = steps * dt landing a hair below a bin edge
    // (e.g. 3 * 0.1 vs 0.3), which would otherwise drop the last full bin.
    const double eps = 1e-9 * bin_;
    while (start_ + static_cast<double>(current_ + 1) * bin_ <= t + eps) close_current(completed);
}

} // namespace apical::io
