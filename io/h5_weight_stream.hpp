// /weights/<projection>: a plastic projection's weights over time (sum and sampled
// synapses) and, at the end, every synapse's final weight.
#pragma once
#include "io/h5_appendable_dataset.hpp"

#include <span>
#include <string>
#include <vector>

namespace apical::io {

struct WeightProbeMeta {
    std::string projection;                                  // name (the HDF5 group)
    double interval = 10.0;                                  // ms
    std::vector<std::uint32_t> sample_source, sample_target; // population-local ids of the sampled synapses
};

class WeightStream {
public:
    WeightStream(const H5Node& weights_group, const WeightProbeMeta& m);
    void append(double t, double sum, std::span<const float> samples);
    void flush();

private:
    H5Node group_;
    AppendableDataset<double> time_, sum_;
    AppendableDataset<float> samples_;
    std::size_t width_ = 0;
};

// Writes /weights/<projection>/final_source, final_target, final_weight (one row per synapse).
void write_final_weights(const H5Node& weights_group, const std::string& projection,
                         std::span<const std::uint32_t> source, std::span<const std::uint32_t> target,
                         std::span<const float> weight);

} // namespace apical::io
