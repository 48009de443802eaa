// /report/<probe>/<pop>: one probe's samples, streamed (SONATA report layout).
// Element k of a row is (cells[k / n_vars], variables[k % n_vars]), which is exactly
// SONATA's node-major mapping with element_ids = the variable index.
#pragma once
#include "core/recording.hpp"
#include "io/h5_appendable_dataset.hpp"

#include <span>
#include <string>

namespace apical::io {

class ReportStream {
public:
    ReportStream(const H5Node& probe_group, const ProbeLayout& layout, const std::string& population,
                 std::size_t buffer_bytes);
    void append(std::span<const float> rows, std::size_t n_rows);
    // Writes buffered rows and brings mapping/time's stop up to date.
    void flush();
    std::size_t width() const { return width_; }

private:
    H5Node group_, time_;
    AppendableDataset<float> data_;
    std::size_t width_;
    double start_, step_;
};

} // namespace apical::io
