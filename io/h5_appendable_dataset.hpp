// A chunked, extendible dataset that grows by appending rows: the building block of
// every streamed record (spike times and ids, report samples, rate bins, and later
// bursts, weights, HTM states). Rows are buffered in memory and written in blocks of
// `buffer_rows`, so memory stays bounded however long the simulation runs and HDF5 sees
// few, large writes. A row is one value (1-D dataset) or `width` values (2-D [rows x width]).
#pragma once
#include "io/h5_node.hpp"

#include <algorithm>
#include <span>
#include <stdexcept>
#include <vector>

namespace apical::io {

template <class T> class AppendableDataset {
public:
    AppendableDataset() = default;
    // Creates `name` under `parent`, empty. `width` 0: 1-D; otherwise 2-D with that many
    // columns. Rows are written `buffer_rows` at a time, in chunks of about
    // `chunk_bytes` (whole rows unless a row alone is larger).
    AppendableDataset(const H5Node& parent, const std::string& name, std::size_t width, std::size_t buffer_rows,
                      std::size_t chunk_bytes = std::size_t{1} << 16);

    // Appends whole rows: values.size() must be a multiple of the row width.
    void append(std::span<const T> values);
    // Writes buffered rows into the file (HDF5 may still cache them; H5Fflush pushes
    // them to disk).
    void flush();
    // Rows appended so far, written or buffered.
    hsize_t rows() const { return written_ + buffer_.size() / row_len(); }
    const H5Node& node() const { return node_; }

private:
    std::size_t row_len() const { return width_ == 0 ? 1 : width_; }

    H5Node node_;
    std::size_t width_ = 0, buffer_rows_ = 0;
    hsize_t written_ = 0;
    std::vector<T> buffer_;
};

template <class T>
AppendableDataset<T>::AppendableDataset(const H5Node& parent, const std::string& name, std::size_t width,
                                        std::size_t buffer_rows, std::size_t chunk_bytes)
    : width_(width), buffer_rows_(std::max<std::size_t>(buffer_rows, 1)) {
    const std::string path = parent.child_path(name);
    auto chk = [&](auto status) { return h5_check(status, parent.file(), path, "create dataset"); };
    const int rank = width == 0 ? 1 : 2;
    const hsize_t dims[2] = {0, width};
    const hsize_t maxdims[2] = {H5S_UNLIMITED, width};
    // HDF5 allocates whole chunks, so they are kept modest (64 KiB by default): a short
    // run gives a small file, and a long one still gets efficient I/O because writes
    // go out `buffer_rows` at a time, spanning many chunks.
    const std::size_t row_values = std::max<std::size_t>(width, 1);
    const std::size_t chunk_values = std::max<std::size_t>(chunk_bytes / sizeof(T), 1);
    hsize_t chunk[2] = {std::max<hsize_t>(1, chunk_values / row_values), std::min(row_values, chunk_values)};
    H5Id space(chk(H5Screate_simple(rank, dims, maxdims)));
    H5Id dcpl(chk(H5Pcreate(H5P_DATASET_CREATE)));
    chk(H5Pset_chunk(dcpl.get(), rank, chunk));
    // Every element is written before it is read; skipping fill saves a pass over the data.
    chk(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER));
    // No modification times in object headers: same run, same bytes.
    chk(H5Pset_obj_track_times(dcpl.get(), false));
    H5Id d(chk(
        H5Dcreate2(parent.id(), name.c_str(), H5TypeOf<T>::file(), space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT)));
    node_ = H5Node(std::move(d), parent.file(), path);
    buffer_.reserve(buffer_rows_ * row_len());
}

template <class T> void AppendableDataset<T>::append(std::span<const T> values) {
    if (values.size() % row_len() != 0)
        throw std::logic_error(node_.file() + ": " + node_.path() + ": append of a partial row");
    // Written out before the buffer would outgrow what it reserved: growing it would double
    // its memory (and copy it) just before the flush that empties it.
    if (!buffer_.empty() && buffer_.size() + values.size() > buffer_rows_ * row_len()) flush();
    buffer_.insert(buffer_.end(), values.begin(), values.end());
    if (buffer_.size() >= buffer_rows_ * row_len()) flush();
}

template <class T> void AppendableDataset<T>::flush() {
    if (buffer_.empty()) return;
    // Quieted here, where HDF5 is called, so that appending (every epoch) costs no HDF5
    // call at all until a buffer fills.
    H5Quiet quiet;
    const hsize_t n = buffer_.size() / row_len();
    const hsize_t new_dims[2] = {written_ + n, width_};
    node_.check(H5Dset_extent(node_.id(), new_dims), "extend dataset");
    H5Id fspace(node_.check(H5Dget_space(node_.id()), "write dataset"));
    const hsize_t start[2] = {written_, 0};
    const hsize_t count[2] = {n, width_};
    const int rank = width_ == 0 ? 1 : 2;
    node_.check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start, nullptr, count, nullptr), "write dataset");
    H5Id mspace(node_.check(H5Screate_simple(rank, count, nullptr), "write dataset"));
    node_.check(H5Dwrite(node_.id(), H5TypeOf<T>::memory(), mspace.get(), fspace.get(), H5P_DEFAULT, buffer_.data()),
                "write dataset");
    written_ += n;
    buffer_.clear();
}

} // namespace apical::io
