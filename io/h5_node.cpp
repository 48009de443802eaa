#include "io/h5_node.hpp"

#include <cstring>
#include <limits>

namespace apical::io {

namespace {

// Variable-length UTF-8 strings: what h5py writes for Python `str` and reads back as
// `str` (fixed-length strings come back as bytes), so analysis code stays simple.
H5Id vlen_string_type(const H5Node& at) {
    H5Id t(at.check(H5Tcopy(H5T_C_S1), "create string type"));
    at.check(H5Tset_size(t.get(), H5T_VARIABLE), "create string type");
    at.check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "create string type");
    return t;
}

} // namespace

std::string H5Node::child_path(const std::string& name) const { return path_ == "/" ? "/" + name : path_ + "/" + name; }

H5Node H5Node::create_group(const std::string& name) const {
    const std::string p = child_path(name);
    H5Id gcpl(h5_check(H5Pcreate(H5P_GROUP_CREATE), file_, p, "create group"));
    // No modification times in object headers: same run, same bytes.
    h5_check(H5Pset_obj_track_times(gcpl.get(), false), file_, p, "create group");
    H5Id g(h5_check(H5Gcreate2(id(), name.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), file_, p, "create group"));
    return H5Node(std::move(g), file_, p);
}

H5Node H5Node::create_text_dataset(const std::string& name, const std::vector<std::string>& values, bool scalar) const {
    const std::string p = child_path(name);
    H5Id type(h5_check(H5Tcopy(H5T_C_S1), file_, p, "create string type"));
    h5_check(H5Tset_size(type.get(), H5T_VARIABLE), file_, p, "create string type");
    h5_check(H5Tset_cset(type.get(), H5T_CSET_UTF8), file_, p, "create string type");
    const hsize_t n = values.size();
    H5Id space(h5_check(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr), file_, p, "create dataset"));
    H5Id d(h5_check(H5Dcreate2(id(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                    file_, p, "create dataset"));
    std::vector<const char*> ptrs;
    for (const std::string& s : values) ptrs.push_back(s.c_str());
    if (!ptrs.empty())
        h5_check(H5Dwrite(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), file_, p, "write dataset");
    return H5Node(std::move(d), file_, p);
}

H5Node H5Node::open_group(const std::string& name) const {
    const std::string p = child_path(name);
    if (!has(name)) throw Hdf5Error(file_, p, "open group", "no such group");
    H5Id g(h5_check(H5Gopen2(id(), name.c_str(), H5P_DEFAULT), file_, p, "open group"));
    return H5Node(std::move(g), file_, p);
}

H5Node H5Node::open_dataset(const std::string& name) const {
    const std::string p = child_path(name);
    if (!has(name)) throw Hdf5Error(file_, p, "open dataset", "no such dataset");
    H5Id d(h5_check(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), file_, p, "open dataset"));
    return H5Node(std::move(d), file_, p);
}

bool H5Node::has(const std::string& name) const {
    return check(H5Lexists(id(), name.c_str(), H5P_DEFAULT), "look up link") > 0;
}

bool H5Node::has_group(const std::string& name) const {
    if (!has(name)) return false;
    // Opening the object is the one way to learn its kind that reads the same in
    // HDF5 1.10 and 1.12+ (H5Oget_info changed signature between them).
    H5Id o(h5_check(H5Oopen(id(), name.c_str(), H5P_DEFAULT), file_, child_path(name), "open object"));
    return H5Iget_type(o.get()) == H5I_GROUP;
}

std::vector<std::string> H5Node::children() const {
    H5G_info_t info{};
    check(H5Gget_info(id(), &info), "list group");
    std::vector<std::string> names;
    names.reserve(info.nlinks);
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        ssize_t n =
            check(H5Lget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT), "list group");
        std::string s(static_cast<std::size_t>(n), '\0');
        check(H5Lget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, s.data(), s.size() + 1, H5P_DEFAULT),
              "list group");
        names.push_back(std::move(s));
    }
    return names;
}

void H5Node::write_attr_raw(const std::string& name, hid_t file_type, hid_t mem_type, const std::vector<hsize_t>& dims,
                            const void* data) const {
    const std::string op = "write attribute " + name;
    if (check(H5Aexists(id(), name.c_str()), op.c_str()) > 0) check(H5Adelete(id(), name.c_str()), op.c_str());
    H5Id space(dims.empty() ? check(H5Screate(H5S_SCALAR), op.c_str())
                            : check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), op.c_str()));
    H5Id attr(check(H5Acreate2(id(), name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), op.c_str()));
    check(H5Awrite(attr.get(), mem_type, data), op.c_str());
}

void H5Node::write_attr(const std::string& name, std::uint32_t v) const {
    write_attr_raw(name, H5TypeOf<std::uint32_t>::file(), H5TypeOf<std::uint32_t>::memory(), {}, &v);
}
void H5Node::write_attr(const std::string& name, std::uint64_t v) const {
    write_attr_raw(name, H5TypeOf<std::uint64_t>::file(), H5TypeOf<std::uint64_t>::memory(), {}, &v);
}
void H5Node::write_attr(const std::string& name, std::int32_t v) const {
    write_attr_raw(name, H5TypeOf<std::int32_t>::file(), H5TypeOf<std::int32_t>::memory(), {}, &v);
}
void H5Node::write_attr(const std::string& name, double v) const {
    write_attr_raw(name, H5TypeOf<double>::file(), H5TypeOf<double>::memory(), {}, &v);
}
void H5Node::write_attr(const std::string& name, std::span<const std::uint32_t> v) const {
    write_attr_raw(name, H5TypeOf<std::uint32_t>::file(), H5TypeOf<std::uint32_t>::memory(), {v.size()}, v.data());
}
void H5Node::write_attr(const std::string& name, std::span<const double> v) const {
    write_attr_raw(name, H5TypeOf<double>::file(), H5TypeOf<double>::memory(), {v.size()}, v.data());
}
void H5Node::write_attr(const std::string& name, const std::string& v) const {
    H5Id t = vlen_string_type(*this);
    const char* p = v.c_str();
    write_attr_raw(name, t.get(), t.get(), {}, &p);
}
void H5Node::write_attr(const std::string& name, const std::vector<std::string>& v) const {
    H5Id t = vlen_string_type(*this);
    std::vector<const char*> p;
    p.reserve(v.size());
    for (const std::string& s : v) p.push_back(s.c_str());
    write_attr_raw(name, t.get(), t.get(), {v.size()}, p.data());
}

void H5Node::write_enum_attr(const std::string& name, const std::vector<std::string>& names,
                             const std::vector<std::uint8_t>& values, std::uint8_t v) const {
    const std::string op = "write attribute " + name;
    H5Id t(check(H5Tenum_create(H5T_STD_U8LE), op.c_str()));
    for (std::size_t i = 0; i < names.size(); ++i)
        check(H5Tenum_insert(t.get(), names[i].c_str(), &values[i]), op.c_str());
    write_attr_raw(name, t.get(), t.get(), {}, &v);
}

bool H5Node::has_attr(const std::string& name) const {
    return check(H5Aexists(id(), name.c_str()), "look up attribute") > 0;
}

std::size_t H5Node::attr_size(const std::string& name) const {
    const std::string op = "read attribute " + name;
    if (!has_attr(name)) throw Hdf5Error(file_, path_, op, "no such attribute");
    H5Id attr(check(H5Aopen(id(), name.c_str(), H5P_DEFAULT), op.c_str()));
    H5Id space(check(H5Aget_space(attr.get()), op.c_str()));
    const auto n = static_cast<std::size_t>(check(H5Sget_simple_extent_npoints(space.get()), op.c_str()));
    // Attributes live in object headers: a few MiB at the very most, whatever a damaged
    // dataspace claims (the values themselves are checked when read).
    const hsize_t stored = H5Aget_storage_size(attr.get());
    if (n > (stored + (1u << 20)))
        throw Hdf5Error(file_, path_, op,
                        "claims " + std::to_string(n) + " values in " + std::to_string(stored) +
                            " stored bytes (a damaged file?)");
    return n;
}

hsize_t H5Node::elements(const std::vector<hsize_t>& d, const char* operation) const {
    hsize_t n = 1;
    for (hsize_t x : d) {
        if (x != 0 && n > std::numeric_limits<hsize_t>::max() / x)
            throw Hdf5Error(file_, path_, operation, "dimensions overflow (a damaged file?)");
        n *= x;
    }
    return n;
}

hsize_t H5Node::check_claim(hsize_t n, std::size_t size, const char* operation) const {
    const hsize_t stored = H5Dget_storage_size(id());
    constexpr hsize_t unwritten = hsize_t{64} << 20;
    if (n > (std::numeric_limits<hsize_t>::max() / 64 - unwritten) / size || n * size > stored * 64 + unwritten)
        throw Hdf5Error(file_, path_, operation,
                        "claims " + std::to_string(n) + " values but stores " + std::to_string(stored) +
                            " bytes (a damaged file?)");
    return n;
}

void H5Node::read_attr_raw(const std::string& name, hid_t mem_type, void* out, std::size_t n) const {
    const std::string op = "read attribute " + name;
    if (attr_size(name) != n) throw Hdf5Error(file_, path_, op, "unexpected number of values");
    H5Id attr(check(H5Aopen(id(), name.c_str(), H5P_DEFAULT), op.c_str()));
    H5Id ftype(check(H5Aget_type(attr.get()), op.c_str()));
    const H5T_class_t cls = H5Tget_class(ftype.get());
    // HDF5 would happily convert a string or enum to a number in some cases and fail
    // obscurely in others; say plainly what was found instead.
    if (cls != H5T_INTEGER && cls != H5T_FLOAT) throw Hdf5Error(file_, path_, op, "not a numeric attribute");
    check(H5Aread(attr.get(), mem_type, out), op.c_str());
}

std::vector<std::string> H5Node::read_attr_strings(const std::string& name) const {
    const std::string op = "read attribute " + name;
    const std::size_t n = attr_size(name);
    H5Id attr(check(H5Aopen(id(), name.c_str(), H5P_DEFAULT), op.c_str()));
    H5Id ftype(check(H5Aget_type(attr.get()), op.c_str()));
    if (H5Tget_class(ftype.get()) != H5T_STRING) throw Hdf5Error(file_, path_, op, "not a string attribute");
    std::vector<std::string> out;
    out.reserve(n);
    if (check(H5Tis_variable_str(ftype.get()), op.c_str()) > 0) {
        H5Id mtype(check(H5Tcopy(H5T_C_S1), op.c_str()));
        check(H5Tset_size(mtype.get(), H5T_VARIABLE), op.c_str());
        check(H5Tset_cset(mtype.get(), H5Tget_cset(ftype.get())), op.c_str());
        std::vector<char*> p(n, nullptr);
        check(H5Aread(attr.get(), mtype.get(), p.data()), op.c_str());
        for (char* s : p) {
            out.emplace_back(s ? s : "");
            H5free_memory(s);
        }
    } else {
        const std::size_t len = H5Tget_size(ftype.get());
        std::vector<char> buf(n * len + 1, '\0');
        check(H5Aread(attr.get(), ftype.get(), buf.data()), op.c_str());
        for (std::size_t i = 0; i < n; ++i) {
            std::string s(buf.data() + i * len, len);
            // Fixed-length strings are padded with NULs or spaces depending on the writer.
            const std::size_t nul = s.find('\0');
            if (nul != std::string::npos) s.resize(nul);
            if (H5Tget_strpad(ftype.get()) == H5T_STR_SPACEPAD)
                while (!s.empty() && s.back() == ' ') s.pop_back();
            out.push_back(std::move(s));
        }
    }
    return out;
}

std::string H5Node::read_attr_string(const std::string& name) const {
    std::vector<std::string> v = read_attr_strings(name);
    if (v.size() != 1) throw Hdf5Error(file_, path_, "read attribute " + name, "expected a single string");
    return v[0];
}

std::string H5Node::read_attr_enum_name(const std::string& name) const {
    const std::string op = "read attribute " + name;
    if (attr_size(name) != 1) throw Hdf5Error(file_, path_, op, "expected a single value");
    H5Id attr(check(H5Aopen(id(), name.c_str(), H5P_DEFAULT), op.c_str()));
    H5Id ftype(check(H5Aget_type(attr.get()), op.c_str()));
    const H5T_class_t cls = H5Tget_class(ftype.get());
    if (cls == H5T_STRING) return read_attr_string(name);
    if (cls != H5T_ENUM) throw Hdf5Error(file_, path_, op, "not an enum or string attribute");
    H5Id mtype(check(H5Tget_native_type(ftype.get(), H5T_DIR_ASCEND), op.c_str()));
    unsigned char value[16] = {};
    if (H5Tget_size(mtype.get()) > sizeof value) throw Hdf5Error(file_, path_, op, "enum base type too large");
    check(H5Aread(attr.get(), mtype.get(), value), op.c_str());
    char buf[256] = {};
    check(H5Tenum_nameof(mtype.get(), value, buf, sizeof buf), op.c_str());
    return buf;
}

std::vector<hsize_t> H5Node::dims() const {
    H5Id space(check(H5Dget_space(id()), "read dataset shape"));
    const int nd = check(H5Sget_simple_extent_ndims(space.get()), "read dataset shape");
    std::vector<hsize_t> d(static_cast<std::size_t>(nd));
    check(H5Sget_simple_extent_dims(space.get(), d.data(), nullptr), "read dataset shape");
    return d;
}

void H5Node::read_columns_raw(hid_t mem_type, void* out, hsize_t rows, hsize_t cols) const {
    if (rows == 0 || cols == 0) return;
    const hsize_t start[2] = {0, 0}, count[2] = {rows, cols};
    H5Id fspace(check(H5Dget_space(id()), "read dataset"));
    check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start, nullptr, count, nullptr), "read dataset");
    H5Id mspace(check(H5Screate_simple(2, count, nullptr), "read dataset"));
    check(H5Dread(id(), mem_type, mspace.get(), fspace.get(), H5P_DEFAULT, out), "read dataset");
}

void H5Node::read_raw(hid_t mem_type, void* out, hsize_t offset, hsize_t count, bool all) const {
    if (count == 0) return;
    if (all) {
        check(H5Dread(id(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out), "read dataset");
        return;
    }
    std::vector<hsize_t> d = dims();
    if (d.size() != 1 || offset + count > d[0])
        throw Hdf5Error(file_, path_, "read dataset", "range outside the 1-D dataset");
    H5Id fspace(check(H5Dget_space(id()), "read dataset"));
    check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, &offset, nullptr, &count, nullptr), "read dataset");
    H5Id mspace(check(H5Screate_simple(1, &count, nullptr), "read dataset"));
    check(H5Dread(id(), mem_type, mspace.get(), fspace.get(), H5P_DEFAULT, out), "read dataset");
}

} // namespace apical::io
