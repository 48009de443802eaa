#include "io/h5_spike_stream.hpp"

#include <stdexcept>

namespace apical::io {

SpikeStream::SpikeStream(const H5Node& spikes_group, const std::string& population, std::uint64_t n_nodes,
                         std::size_t buffer_rows)
    : group_(spikes_group.create_group(population)), n_nodes_(n_nodes) {
    // libsonata reads `sorting` as an enum over uint8; writing the enum (not a string)
    // keeps the file readable by libsonata as well as h5py and bmtk.
    group_.write_enum_attr("sorting", {"none", "by_id", "by_time"}, {0, 1, 2}, 2);
    // Apical extension: the population size, so readers can compute rates and check ids
    // without the scenario.
    group_.write_attr("n_nodes", n_nodes);
    times_ = AppendableDataset<double>(group_, "timestamps", 0, buffer_rows);
    times_.node().write_attr("units", std::string("ms"));
    node_ids_ = AppendableDataset<std::uint64_t>(group_, "node_ids", 0, buffer_rows);
}

void SpikeStream::append(std::span<const double> times, std::span<const std::uint64_t> node_ids) {
    if (times.size() != node_ids.size())
        throw std::logic_error(group_.path() + ": spike times and node ids differ in length");
    // Cheap next to the write itself, and it keeps the by_time promise honest.
    for (std::size_t i = 0; i < times.size(); ++i) {
        if (!(times[i] >= last_))
            throw std::logic_error(group_.path() + ": spikes out of time order at t = " + std::to_string(times[i]) +
                                   " ms");
        if (node_ids[i] >= n_nodes_)
            throw std::logic_error(group_.path() + ": node id " + std::to_string(node_ids[i]) +
                                   " out of range (population has " + std::to_string(n_nodes_) + " cells)");
        last_ = times[i];
    }
    times_.append(times);
    node_ids_.append(node_ids);
}

void SpikeStream::flush() {
    times_.flush();
    node_ids_.flush();
}

} // namespace apical::io
