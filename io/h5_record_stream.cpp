#include "io/h5_record_stream.hpp"

#include <stdexcept>

namespace apical::io {

RecordStream::RecordStream(const H5Node& root, const RecordDecl& d, const std::string& population,
                           std::size_t buffer_rows)
    : events_(!d.id_name.empty()) {
    const H5Node top = root.has(d.group) ? root.open_group(d.group) : root.create_group(d.group);
    group_ = top.create_group(population);
    if (!d.doc.empty()) group_.write_attr("doc", d.doc);
    times_ = AppendableDataset<double>(group_, "timestamps", 0, buffer_rows);
    times_.node().write_attr("units", std::string("ms"));
    if (events_) {
        ids_ = AppendableDataset<std::uint64_t>(group_, d.id_name, 0, buffer_rows);
    } else {
        for (std::size_t c = 0; c < d.columns.size(); ++c) {
            cols_.emplace_back(group_, d.columns[c], 0, buffer_rows);
            if (c < d.units.size() && !d.units[c].empty()) cols_.back().node().write_attr("units", d.units[c]);
        }
    }
}

void RecordStream::append(std::span<const double> times, std::span<const std::uint64_t> ids,
                          std::span<const double> values) {
    const std::size_t n = times.size();
    if (events_ ? ids.size() != n : values.size() != n * cols_.size())
        throw std::logic_error(group_.path() + ": record rows do not match the declared layout");
    for (double t : times) {
        if (!(t >= last_)) throw std::logic_error(group_.path() + ": records out of time order");
        last_ = t;
    }
    times_.append(times);
    if (events_) {
        ids_.append(ids);
        return;
    }
    for (std::size_t c = 0; c < cols_.size(); ++c) {
        scratch_.resize(n);
        for (std::size_t i = 0; i < n; ++i) scratch_[i] = values[i * cols_.size() + c];
        cols_[c].append(scratch_);
    }
}

void RecordStream::flush() {
    times_.flush();
    if (events_) ids_.flush();
    for (auto& c : cols_) c.flush();
}

} // namespace apical::io
