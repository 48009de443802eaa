// The one exception type for HDF5 trouble, and the guard that keeps HDF5 quiet.
// HDF5's C API reports failure by a negative return and, by default, prints its whole
// internal error stack to stderr. Apical users should see one line naming the file,
// the object and what we were doing, so every call is checked (h5_check) and the
// automatic printing is switched off for the duration of each public entry point.
#pragma once
#include <hdf5.h>

#include <stdexcept>
#include <string>

namespace apical::io {

class Hdf5Error : public std::runtime_error {
public:
    // `file`: the path on disk; `object`: the HDF5 path inside it ("/spikes/exc/timestamps",
    // or "" for the file itself); `operation`: what failed ("create dataset", "read attribute").
    // `detail` is the innermost HDF5 error description, when there is one.
    Hdf5Error(std::string file, std::string object, std::string operation, std::string detail = {});
    const std::string& file() const { return file_; }
    const std::string& object() const { return object_; }
    const std::string& operation() const { return operation_; }

private:
    std::string file_, object_, operation_;
};

// The innermost (most specific) message on the current thread's HDF5 error stack, or ""
// (e.g. "file signature not found"). Clears the stack.
std::string h5_error_detail();

// Throws Hdf5Error when `status` is negative, which is how every HDF5 call signals failure
// (hid_t, herr_t and htri_t alike). Returns `status` so calls can be wrapped inline.
template <class T> T h5_check(T status, const std::string& file, const std::string& object, const char* operation) {
    if (status < 0) throw Hdf5Error(file, object, operation, h5_error_detail());
    return status;
}

// For programs: call first thing in main(), before any other HDF5 call. HDF5 then does not
// tear itself down at exit; every file Apical opens is closed explicitly, and a file whose
// close failed (a full disk) would otherwise crash the library's teardown at exit.
void h5_no_teardown_at_exit();

// Switches off HDF5's automatic error printing while alive and restores whatever was set
// before (so that a host program that wants the stack printed still gets it elsewhere).
class H5Quiet {
public:
    H5Quiet();
    ~H5Quiet();
    H5Quiet(const H5Quiet&) = delete;
    H5Quiet& operator=(const H5Quiet&) = delete;

private:
    H5E_auto2_t func_ = nullptr;
    void* data_ = nullptr;
};

} // namespace apical::io
