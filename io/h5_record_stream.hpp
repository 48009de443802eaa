// /<group>/<pop>: one population's model records (core RecordDecl), streamed.
//   events: timestamps float64 (units ms) + <id_name> uint64, one row per event;
//   tables: timestamps float64 (units ms) + one float64 dataset per column (attr units).
// Rows must come in time order.
#pragma once
#include "core/registry.hpp"
#include "io/h5_appendable_dataset.hpp"

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace apical::io {

class RecordStream {
public:
    RecordStream(const H5Node& root, const RecordDecl& decl, const std::string& population, std::size_t buffer_rows);
    void append(std::span<const double> times, std::span<const std::uint64_t> ids, std::span<const double> values);
    void flush();

private:
    H5Node group_;
    AppendableDataset<double> times_;
    AppendableDataset<std::uint64_t> ids_;        // events
    std::vector<AppendableDataset<double>> cols_; // tables
    bool events_;
    std::vector<double> scratch_;
    double last_ = -std::numeric_limits<double>::infinity();
};

} // namespace apical::io
