#include "io/h5_error.hpp"

#include <algorithm>

namespace apical::io {

namespace {

std::string compose(const std::string& file, const std::string& object, const std::string& operation,
                    const std::string& detail) {
    std::string m = file;
    if (!object.empty()) m += ": " + object;
    m += ": cannot " + operation;
    if (!detail.empty()) m += " (" + detail + ")";
    return m;
}

// H5Ewalk callback: walking upward, the last frame seen is the outermost; walking
// downward (H5E_WALK_DOWNWARD) the first frame is the outermost API call and the last is
// the innermost, most specific cause, which is the one worth showing.
herr_t keep_last(unsigned /*n*/, const H5E_error2_t* err, void* client) {
    if (err && err->desc && *err->desc) *static_cast<std::string*>(client) = err->desc;
    return 0;
}

// The file drivers describe a failed read or write in one long, multi-line text ("file write
// failed: time = ..., filename = ..., errno = 28, error message = 'No space left on device',
// buf = ..."): the system's message is the part a user needs.
std::string shorten(const std::string& d) {
    const std::string key = "error message = '";
    const std::size_t at = d.find(key);
    if (at == std::string::npos) return d;
    const std::size_t from = at + key.size(), to = d.find('\'', from);
    const std::string what = d.substr(0, std::min(d.find(':'), d.size()));
    return what + ": " + d.substr(from, to == std::string::npos ? std::string::npos : to - from);
}

} // namespace

Hdf5Error::Hdf5Error(std::string file, std::string object, std::string operation, std::string detail)
    : std::runtime_error(compose(file, object, operation, detail)), file_(std::move(file)), object_(std::move(object)),
      operation_(std::move(operation)) {}

std::string h5_error_detail() {
    std::string detail;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, keep_last, &detail);
    H5Eclear2(H5E_DEFAULT);
    return shorten(detail);
}

void h5_no_teardown_at_exit() { H5dont_atexit(); }

H5Quiet::H5Quiet() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

H5Quiet::~H5Quiet() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

} // namespace apical::io
