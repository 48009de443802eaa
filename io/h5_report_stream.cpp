#include "io/h5_report_stream.hpp"

#include <algorithm>
#include <stdexcept>

namespace apical::io {

ReportStream::ReportStream(const H5Node& probe_group, const ProbeLayout& layout, const std::string& population,
                           std::size_t buffer_bytes)
    : group_(probe_group.create_group(population)), width_(layout.cells.size() * layout.variables.size()),
      start_(layout.start), step_(layout.interval) {
    const std::size_t n_vars = layout.variables.size();
    const std::size_t rows = std::max<std::size_t>(1, buffer_bytes / (sizeof(float) * width_));
    data_ = AppendableDataset<float>(group_, "data", width_, rows);

    // `units` is what SONATA readers look at; with several variables of different units
    // there is no single answer, so it says "mixed" and variable_units has the detail.
    std::string units = layout.units.empty() ? std::string() : layout.units[0];
    for (const std::string& u : layout.units)
        if (u != units) units = "mixed";
    data_.node().write_attr("units", units);
    data_.node().write_attr("variables", layout.variables);
    data_.node().write_attr("variable_units", layout.units);

    H5Node mapping = group_.create_group("mapping");
    std::vector<std::uint64_t> node_ids(layout.cells.begin(), layout.cells.end());
    std::vector<std::uint64_t> index_pointers(layout.cells.size() + 1);
    for (std::size_t c = 0; c <= layout.cells.size(); ++c) index_pointers[c] = c * n_vars;
    std::vector<std::uint32_t> element_ids(width_);
    for (std::size_t k = 0; k < width_; ++k) element_ids[k] = static_cast<std::uint32_t>(k % n_vars);
    mapping.create_dataset<std::uint64_t>("node_ids", node_ids);
    mapping.create_dataset<std::uint64_t>("index_pointers", index_pointers);
    mapping.create_dataset<std::uint32_t>("element_ids", element_ids);
    const double t[3] = {start_, start_, step_}; // no samples yet: empty range
    time_ = mapping.create_dataset<double>("time", t);
    time_.write_attr("units", std::string("ms"));
}

void ReportStream::append(std::span<const float> rows, std::size_t n_rows) {
    if (rows.size() != n_rows * width_)
        throw std::logic_error(group_.path() + ": " + std::to_string(rows.size()) + " values for " +
                               std::to_string(n_rows) + " rows of " + std::to_string(width_) + " elements");
    data_.append(rows);
}

void ReportStream::flush() {
    data_.flush();
    // Right-open [start, stop): stop is one step past the last sample.
    const double t[3] = {start_, start_ + static_cast<double>(data_.rows()) * step_, step_};
    time_.write_all<double>(t);
}

} // namespace apical::io
