// Owning wrapper for an HDF5 identifier (file, group, dataset, dataspace, type, property
// list, attribute). The C API hands out integer ids that must be closed exactly once;
// this makes that automatic and exception-safe, as HighFive's Object does.
#pragma once
#include <hdf5.h>

#include <utility>

namespace apical::io {

class H5Id {
public:
    H5Id() = default;
    explicit H5Id(hid_t id) : id_(id) {}
    ~H5Id() { reset(); }
    H5Id(H5Id&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)) {}
    H5Id& operator=(H5Id&& o) noexcept {
        if (this != &o) {
            reset();
            id_ = std::exchange(o.id_, H5I_INVALID_HID);
        }
        return *this;
    }
    H5Id(const H5Id&) = delete;
    H5Id& operator=(const H5Id&) = delete;

    hid_t get() const { return id_; }
    bool valid() const { return id_ >= 0; }
    // H5Idec_ref closes any kind of id when its count drops to zero, so one wrapper
    // serves every kind. Errors on close are ignored here (destructors must not throw);
    // code that must know whether a close succeeded (the file) closes explicitly.
    void reset() {
        if (id_ >= 0) H5Idec_ref(id_);
        id_ = H5I_INVALID_HID;
    }
    hid_t release() { return std::exchange(id_, H5I_INVALID_HID); }

private:
    hid_t id_ = H5I_INVALID_HID;
};

} // namespace apical::io
