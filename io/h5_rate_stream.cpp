#include "io/h5_rate_stream.hpp"

namespace apical::io {

RateStream::RateStream(const H5Node& rates_group, const std::string& population, std::uint32_t n_cells,
                       double bin_ms, double start_ms)
    : group_(rates_group.create_group(population)), binner_(bin_ms, n_cells, start_ms) {
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

void RateStream::complete_until(double t) {
    binner_.complete_until(t, completed_);
    rate_.append(completed_);
    completed_.clear();
}

void RateStream::flush() {
    rate_.flush();
    const double t[3] = {binner_.start(), binner_.start() + static_cast<double>(rate_.rows()) * binner_.bin(),
                         binner_.bin()};
    time_.write_all<double>(t);
}

} // namespace apical::io
