#include "io/h5_weight_stream.hpp"

#include <stdexcept>

namespace apical::io {

WeightStream::WeightStream(const H5Node& weights_group, const WeightProbeMeta& m)
    : group_(weights_group.has(m.projection) ? weights_group.open_group(m.projection)
                                             : weights_group.create_group(m.projection)),
      width_(m.sample_source.size()) {
    group_.write_attr("interval", m.interval);
    time_ = AppendableDataset<double>(group_, "time", 0, 1024);
    time_.node().write_attr("units", std::string("ms"));
    sum_ = AppendableDataset<double>(group_, "sum", 0, 1024);
    if (width_) {
        samples_ = AppendableDataset<float>(group_, "samples", width_, 1024);
        group_.create_dataset<std::uint32_t>("sample_source", m.sample_source);
        group_.create_dataset<std::uint32_t>("sample_target", m.sample_target);
    }
}

void WeightStream::append(double t, double sum, std::span<const float> samples) {
    if (samples.size() != width_) throw std::logic_error(group_.path() + ": weight sample row of the wrong width");
    const double tv[1] = {t}, sv[1] = {sum};
    time_.append(tv);
    sum_.append(sv);
    if (width_) samples_.append(samples);
}

void WeightStream::flush() {
    time_.flush();
    sum_.flush();
    if (width_) samples_.flush();
}

void write_final_weights(const H5Node& weights_group, const std::string& projection,
                         std::span<const std::uint32_t> source, std::span<const std::uint32_t> target,
                         std::span<const float> weight) {
    const H5Node g =
        weights_group.has(projection) ? weights_group.open_group(projection) : weights_group.create_group(projection);
    g.create_dataset<std::uint32_t>("final_source", source);
    g.create_dataset<std::uint32_t>("final_target", target);
    g.create_dataset<float>("final_weight", weight);
}

} // namespace apical::io
