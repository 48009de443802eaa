#include "io/h5_burst_stream.hpp"

namespace apical::io {

BurstStream::BurstStream(const H5Node& bursts_group, const std::string& population, std::uint64_t n_nodes,
                         const std::string& rule, double threshold, std::size_t buffer_rows)
    : group_(bursts_group.create_group(population)) {
    group_.write_attr("n_nodes", n_nodes);
    group_.write_attr("rule", rule);
    group_.write_attr("threshold", threshold);
    group_.write_attr("doc", std::string("bursts (two or more spikes): onset = time of the burst's first spike; "
                                         "rows in the order the bursts ended"));
    times_ = AppendableDataset<double>(group_, "timestamps", 0, buffer_rows);
    times_.node().write_attr("units", std::string("ms"));
    ids_ = AppendableDataset<std::uint64_t>(group_, "node_ids", 0, buffer_rows);
    counts_ = AppendableDataset<std::uint32_t>(group_, "spike_counts", 0, buffer_rows);
}

void BurstStream::append(std::span<const BurstRecord> bursts) {
    t_.clear(), id_.clear(), n_.clear();
    for (auto& b : bursts) t_.push_back(b.onset), id_.push_back(b.cell), n_.push_back(b.spikes);
    times_.append(t_);
    ids_.append(id_);
    counts_.append(n_);
}

void BurstStream::flush() {
    times_.flush();
    ids_.flush();
    counts_.flush();
}

} // namespace apical::io
