// /bursts/<pop>: finished bursts of one population (onset time, cell, spike count), in the
// order they end (each call's rows sorted by onset).
#pragma once
#include "core/spike_hooks.hpp"
#include "io/h5_appendable_dataset.hpp"

#include <span>
#include <string>
#include <vector>

namespace apical::io {

class BurstStream {
public:
    BurstStream(const H5Node& bursts_group, const std::string& population, std::uint64_t n_nodes,
                const std::string& rule, double threshold, std::size_t buffer_rows);
    void append(std::span<const BurstRecord> bursts);
    void flush();

private:
    H5Node group_;
    AppendableDataset<double> times_;
    AppendableDataset<std::uint64_t> ids_;
    AppendableDataset<std::uint32_t> counts_;
    std::vector<double> t_;
    std::vector<std::uint64_t> id_;
    std::vector<std::uint32_t> n_;
};

} // namespace apical::io
