#include "io/h5_rate_stream.hpp"

#include <algorithm>
#include <limits>

namespace apical::io {

RateStream::RateStream(const H5Node& rates_group, const std::string& population, std::uint32_t n_cells, double bin_ms,
                       double start_ms)
    : group_(rates_group.create_group(population)), binner_(bin_ms, n_cells, start_ms),
      events_bin_(bin_ms, n_cells, start_ms), bursts_bin_(bin_ms, n_cells, start_ms) {
    group_.write_attr("n_nodes", std::uint64_t{n_cells});
    // Rates are one value per bin: a few per epoch at most, so small buffers and chunks.
    rate_ = AppendableDataset<double>(group_, "rate", 0, 4096, 4096);
    rate_.node().write_attr("units", std::string("Hz"));
    const double t[3] = {start_ms, start_ms, bin_ms};
    time_ = group_.create_dataset<double>("time", t);
    time_.write_attr("units", std::string("ms"));
}

void RateStream::add(std::span<const double> times) {
    binner_.add(times, completed_);
    rate_.append(completed_);
    completed_.clear();
}

void RateStream::enable_bursts() {
    bursts_ = true;
    event_rate_ = AppendableDataset<double>(group_, "event_rate", 0, 4096, 4096);
    event_rate_.node().write_attr("units", std::string("Hz"));
    burst_rate_ = AppendableDataset<double>(group_, "burst_rate", 0, 4096, 4096);
    burst_rate_.node().write_attr("units", std::string("Hz"));
    burst_prob_ = AppendableDataset<double>(group_, "burst_probability", 0, 4096, 4096);
}

void RateStream::add_classified(std::span<const double> events, std::span<const double> bursts) {
    if (!bursts_) return;
    const std::size_t e0 = er_.size(), b0 = br_.size();
    events_bin_.add(events, er_);
    bursts_bin_.add(bursts, br_);
    event_rate_.append(std::span<const double>(er_).subspan(e0));
    burst_rate_.append(std::span<const double>(br_).subspan(b0));
    pair_bins();
}

// Burst probability = bursts / events of the bin (NaN without events), once both counts
// of a bin are complete.
void RateStream::pair_bins() {
    const std::size_t n = std::min(er_.size(), br_.size());
    if (n == 0) return;
    completed_.clear();
    for (std::size_t i = 0; i < n; ++i)
        completed_.push_back(er_[i] > 0 ? br_[i] / er_[i] : std::numeric_limits<double>::quiet_NaN());
    burst_prob_.append(completed_);
    completed_.clear();
    er_.erase(er_.begin(), er_.begin() + static_cast<std::ptrdiff_t>(n));
    br_.erase(br_.begin(), br_.begin() + static_cast<std::ptrdiff_t>(n));
}

void RateStream::complete_until(double t) {
    binner_.complete_until(t, completed_);
    rate_.append(completed_);
    completed_.clear();
    if (bursts_) {
        const std::size_t e0 = er_.size(), b0 = br_.size();
        events_bin_.complete_until(t, er_);
        bursts_bin_.complete_until(t, br_);
        event_rate_.append(std::span<const double>(er_).subspan(e0));
        burst_rate_.append(std::span<const double>(br_).subspan(b0));
        pair_bins();
    }
}

void RateStream::flush() {
    rate_.flush();
    if (bursts_) event_rate_.flush(), burst_rate_.flush(), burst_prob_.flush();
    const double t[3] = {binner_.start(), binner_.start() + static_cast<double>(rate_.rows()) * binner_.bin(),
                         binner_.bin()};
    time_.write_all<double>(t);
}

} // namespace apical::io
