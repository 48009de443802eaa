// C++ type -> HDF5 type, in memory (native) and on disk (fixed little-endian, so files
// are byte-identical whichever machine wrote them).
#pragma once
#include <hdf5.h>

#include <cstdint>

namespace apical::io {

template <class T> struct H5TypeOf;
template <> struct H5TypeOf<double> {
    static hid_t memory() { return H5T_NATIVE_DOUBLE; }
    static hid_t file() { return H5T_IEEE_F64LE; }
};
template <> struct H5TypeOf<float> {
    static hid_t memory() { return H5T_NATIVE_FLOAT; }
    static hid_t file() { return H5T_IEEE_F32LE; }
};
template <> struct H5TypeOf<std::uint64_t> {
    static hid_t memory() { return H5T_NATIVE_UINT64; }
    static hid_t file() { return H5T_STD_U64LE; }
};
template <> struct H5TypeOf<std::uint32_t> {
    static hid_t memory() { return H5T_NATIVE_UINT32; }
    static hid_t file() { return H5T_STD_U32LE; }
};
template <> struct H5TypeOf<std::int64_t> {
    static hid_t memory() { return H5T_NATIVE_INT64; }
    static hid_t file() { return H5T_STD_I64LE; }
};
template <> struct H5TypeOf<std::int32_t> {
    static hid_t memory() { return H5T_NATIVE_INT32; }
    static hid_t file() { return H5T_STD_I32LE; }
};
template <> struct H5TypeOf<std::uint8_t> {
    static hid_t memory() { return H5T_NATIVE_UINT8; }
    static hid_t file() { return H5T_STD_U8LE; }
};

} // namespace apical::io
