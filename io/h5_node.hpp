// A group or dataset inside an open HDF5 file, remembering the file name and its own
// path so that every failure can say where it happened. Navigation, attributes and
// whole-dataset reads live here; streaming writes are in h5_appendable_dataset.hpp.
// Callers hold an H5Quiet while using these (the writer and reader do, per entry point).
#pragma once
#include "io/h5_error.hpp"
#include "io/h5_id.hpp"
#include "io/h5_types.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace apical::io {

class H5Node {
public:
    H5Node() = default;
    H5Node(H5Id id, std::string file, std::string path)
        : id_(std::move(id)), file_(std::move(file)), path_(std::move(path)) {}

    hid_t id() const { return id_.get(); }
    const std::string& file() const { return file_; }
    const std::string& path() const { return path_; }
    std::string child_path(const std::string& name) const;

    // Throws Hdf5Error naming this file and object when `status` < 0.
    template <class T> T check(T status, const char* operation) const {
        return h5_check(status, file_, path_, operation);
    }

    H5Node create_group(const std::string& name) const;
    H5Node open_group(const std::string& name) const;
    H5Node open_dataset(const std::string& name) const;
    bool has(const std::string& name) const;       // a link of that name exists here
    bool has_group(const std::string& name) const; // ... and it is a group
    std::vector<std::string> children() const;     // link names, in name order

    // Attributes. Writing replaces an existing attribute of the same name.
    void write_attr(const std::string& name, std::uint32_t v) const;
    void write_attr(const std::string& name, std::uint64_t v) const;
    void write_attr(const std::string& name, std::int32_t v) const;
    void write_attr(const std::string& name, double v) const;
    void write_attr(const std::string& name, const std::string& v) const; // UTF-8, variable length
    void write_attr(const std::string& name, std::span<const std::uint32_t> v) const;
    void write_attr(const std::string& name, std::span<const double> v) const;
    void write_attr(const std::string& name, const std::vector<std::string>& v) const;
    // An enum over uint8 (SONATA `sorting`): `names[i]` has value `values[i]`.
    void write_enum_attr(const std::string& name, const std::vector<std::string>& names,
                         const std::vector<std::uint8_t>& values, std::uint8_t v) const;

    bool has_attr(const std::string& name) const;
    // Numeric attributes convert to the requested type (HDF5 converts between numeric
    // types); a non-scalar attribute gives its first element only via read_attr_array.
    template <class T> T read_attr(const std::string& name) const;
    template <class T> std::vector<T> read_attr_array(const std::string& name) const;
    std::string read_attr_string(const std::string& name) const; // fixed or variable length
    std::vector<std::string> read_attr_strings(const std::string& name) const;
    // An enum attribute's member name, or a string attribute's value (bmtk writes
    // `sorting` as a string, libsonata as an enum; both are read).
    std::string read_attr_enum_name(const std::string& name) const;

    // A small, fixed-size 1-D dataset holding `values` (mappings, [start, stop, step]).
    template <class T> H5Node create_dataset(const std::string& name, std::span<const T> values) const;

    // Text as variable-length UTF-8 (as h5py and pynwb write it): a scalar dataset when
    // `scalar` (then `values` holds one string), else 1-D.
    H5Node create_text_dataset(const std::string& name, const std::vector<std::string>& values,
                               bool scalar = false) const;

    // Datasets (this node must be a dataset).
    // Overwrites the whole dataset; `values` must match its size (e.g. updating `stop`).
    template <class T> void write_all(std::span<const T> values) const;
    std::vector<hsize_t> dims() const;
    template <class T> std::vector<T> read_all() const;
    // Rows [offset, offset + count) of a 1-D dataset.
    template <class T> std::vector<T> read_range(hsize_t offset, hsize_t count) const;
    // Columns [0, cols) of every row of a 2-D dataset, row-major [rows x cols]: a few
    // cells of a wide report without reading the rest.
    template <class T> std::vector<T> read_leading_columns(hsize_t cols) const;

private:
    void read_columns_raw(hid_t mem_type, void* out, hsize_t rows, hsize_t cols) const;
    void write_attr_raw(const std::string& name, hid_t file_type, hid_t mem_type, const std::vector<hsize_t>& dims,
                        const void* data) const;
    void read_attr_raw(const std::string& name, hid_t mem_type, void* out, std::size_t n) const;
    std::size_t attr_size(const std::string& name) const;
    // A damaged file can claim any dimensions: before allocating for `n` values of `size`
    // bytes, check that the dataset's stored bytes could hold them (even compressed 64
    // times, or unwritten up to 64 MiB) and that n * size does not overflow; else an
    // Hdf5Error naming the claim. Returns n.
    hsize_t check_claim(hsize_t n, std::size_t size, const char* operation) const;
    // The number of elements of `d`, refusing an overflowing product.
    hsize_t elements(const std::vector<hsize_t>& d, const char* operation) const;
    void read_raw(hid_t mem_type, void* out, hsize_t offset, hsize_t count, bool all) const;

    H5Id id_;
    std::string file_, path_;
};

template <class T> T H5Node::read_attr(const std::string& name) const {
    if (attr_size(name) != 1) throw Hdf5Error(file_, path_, "read attribute " + name, "expected a single value");
    T v{};
    read_attr_raw(name, H5TypeOf<T>::memory(), &v, 1);
    return v;
}

template <class T> std::vector<T> H5Node::read_attr_array(const std::string& name) const {
    std::vector<T> v(attr_size(name));
    read_attr_raw(name, H5TypeOf<T>::memory(), v.data(), v.size());
    return v;
}

template <class T> H5Node H5Node::create_dataset(const std::string& name, std::span<const T> values) const {
    const std::string p = child_path(name);
    const hsize_t n = values.size();
    H5Id space(h5_check(H5Screate_simple(1, &n, nullptr), file_, p, "create dataset"));
    H5Id dcpl(h5_check(H5Pcreate(H5P_DATASET_CREATE), file_, p, "create dataset"));
    h5_check(H5Pset_obj_track_times(dcpl.get(), false), file_, p, "create dataset");
    H5Id d(
        h5_check(H5Dcreate2(id(), name.c_str(), H5TypeOf<T>::file(), space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                 file_, p, "create dataset"));
    H5Node node(std::move(d), file_, p);
    node.write_all(values);
    return node;
}

template <class T> void H5Node::write_all(std::span<const T> values) const {
    if (values.empty()) return;
    std::vector<hsize_t> d = dims();
    hsize_t n = 1;
    for (hsize_t x : d) n *= x;
    if (n != values.size()) throw Hdf5Error(file_, path_, "write dataset", "size mismatch");
    check(H5Dwrite(id(), H5TypeOf<T>::memory(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "write dataset");
}

template <class T> std::vector<T> H5Node::read_all() const {
    const hsize_t n = check_claim(elements(dims(), "read dataset"), sizeof(T), "read dataset");
    std::vector<T> v(n);
    read_raw(H5TypeOf<T>::memory(), v.data(), 0, n, true);
    return v;
}

template <class T> std::vector<T> H5Node::read_range(hsize_t offset, hsize_t count) const {
    std::vector<T> v(count);
    read_raw(H5TypeOf<T>::memory(), v.data(), offset, count, false);
    return v;
}

template <class T> std::vector<T> H5Node::read_leading_columns(hsize_t cols) const {
    const std::vector<hsize_t> d = dims();
    if (d.size() != 2 || cols > d[1])
        throw Hdf5Error(file_, path_, "read dataset",
                        "expected a 2-D dataset with at least " + std::to_string(cols) + " columns");
    std::vector<T> v(check_claim(elements({d[0], cols}, "read dataset"), sizeof(T), "read dataset"));
    read_columns_raw(H5TypeOf<T>::memory(), v.data(), d[0], cols);
    return v;
}

} // namespace apical::io
