// /spikes/<pop>: one population's spikes, streamed (SONATA spike layout, sorted by time).
#pragma once
#include "io/h5_appendable_dataset.hpp"

#include <cstdint>
#include <limits>
#include <span>
#include <string>

namespace apical::io {

class SpikeStream {
public:
    SpikeStream(const H5Node& spikes_group, const std::string& population, std::uint64_t n_nodes,
                std::size_t buffer_rows);
    // Times in ms, non-decreasing and not before the previous call's last time (the file
    // promises sorting = by_time); node ids < n_nodes. Throws std::logic_error otherwise.
    void append(std::span<const double> times, std::span<const std::uint64_t> node_ids);
    void flush();

private:
    H5Node group_;
    AppendableDataset<double> times_;
    AppendableDataset<std::uint64_t> node_ids_;
    std::uint64_t n_nodes_;
    double last_ = -std::numeric_limits<double>::infinity();
};

} // namespace apical::io
