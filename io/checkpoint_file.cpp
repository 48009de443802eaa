#include "io/checkpoint_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace apical::io {
namespace {

constexpr char kMagic[8] = {'A', 'P', 'I', 'C', 'A', 'L', 'C', 'K'};
constexpr std::uint32_t kByteOrder = 0x01020304;

std::uint64_t fnv1a(const char* p, std::size_t n) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (std::size_t i = 0; i < n; ++i) h = (h ^ static_cast<unsigned char>(p[i])) * 0x100000001b3ull;
    return h;
}

template <class T> void put(std::vector<char>& b, const T& x) {
    const auto* p = reinterpret_cast<const char*>(&x);
    b.insert(b.end(), p, p + sizeof(T));
}
void put_bytes(std::vector<char>& b, const char* p, std::size_t n) {
    put(b, std::uint64_t{n});
    b.insert(b.end(), p, p + n);
}

class Cursor {
public:
    Cursor(const std::string& path, const std::vector<char>& b, std::size_t end) : path_(path), b_(b), end_(end) {}
    template <class T> T get() {
        need(sizeof(T));
        T x;
        std::memcpy(&x, b_.data() + pos_, sizeof(T));
        pos_ += sizeof(T);
        return x;
    }
    std::string get_string() {
        const auto n = get<std::uint64_t>();
        need(n);
        std::string s(b_.data() + pos_, static_cast<std::size_t>(n));
        pos_ += static_cast<std::size_t>(n);
        return s;
    }
    std::vector<char> get_bytes() {
        const auto n = get<std::uint64_t>();
        need(n);
        std::vector<char> v(b_.begin() + static_cast<std::ptrdiff_t>(pos_),
                            b_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
        pos_ += static_cast<std::size_t>(n);
        return v;
    }
    std::size_t pos() const { return pos_; }

private:
    void need(std::uint64_t n) const {
        if (n > end_ - pos_) throw CheckpointFileError(path_ + ": checkpoint file is cut short or damaged");
    }
    const std::string& path_;
    const std::vector<char>& b_;
    std::size_t end_, pos_ = 0;
};

[[noreturn]] void fail_io(const std::string& path, const std::string& what) {
    throw CheckpointFileError(path + ": cannot " + what + " (" + std::strerror(errno) + ")");
}

} // namespace

void write_checkpoint(const std::string& path, const Checkpoint& c) {
    std::vector<char> b;
    b.reserve(c.state.size() + c.scenario_yaml.size() + 256);
    b.insert(b.end(), std::begin(kMagic), std::end(kMagic));
    put(b, kCheckpointFormatVersion);
    put(b, kByteOrder);
    put_bytes(b, c.apical_version.data(), c.apical_version.size());
    put_bytes(b, c.scenario_file.data(), c.scenario_file.size());
    put_bytes(b, c.scenario_yaml.data(), c.scenario_yaml.size());
    put_bytes(b, c.output.data(), c.output.size());
    put(b, c.t);
    put_bytes(b, c.state.data(), c.state.size());
    put(b, fnv1a(b.data(), b.size()));

    const std::string tmp = path + ".partial";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail_io(tmp, "create the checkpoint file");
    std::size_t done = 0;
    while (done < b.size()) {
        const ssize_t n = ::write(fd, b.data() + done, b.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            errno = err;
            fail_io(tmp, "write the checkpoint (disk full?)");
        }
        done += static_cast<std::size_t>(n);
    }
    // On disk before the rename, so a crash leaves the old checkpoint or the new one, whole.
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        errno = err;
        fail_io(tmp, "write the checkpoint to disk");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        errno = err;
        fail_io(path, "rename " + tmp + " to it");
    }
}

Checkpoint read_checkpoint(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw CheckpointFileError(path + ": no such checkpoint file");
    if (std::filesystem::is_directory(path, ec)) throw CheckpointFileError(path + ": is a directory, not a checkpoint");
    std::ifstream in(path, std::ios::binary);
    if (!in) fail_io(path, "open the checkpoint");
    std::vector<char> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) fail_io(path, "read the checkpoint");
    if (b.size() < sizeof kMagic + 8 || std::memcmp(b.data(), kMagic, sizeof kMagic) != 0)
        throw CheckpointFileError(path + ": not an Apical checkpoint (no APICALCK header)");
    if (b.size() < sizeof kMagic + 8 + sizeof(std::uint64_t))
        throw CheckpointFileError(path + ": checkpoint file is cut short");
    Cursor c(path, b, b.size() - sizeof(std::uint64_t));
    c.get<std::uint64_t>(); // the magic
    const auto version = c.get<std::uint32_t>();
    if (version != kCheckpointFormatVersion)
        throw CheckpointFileError(path + ": checkpoint format version " + std::to_string(version) +
                                  "; this Apical reads version " + std::to_string(kCheckpointFormatVersion));
    if (c.get<std::uint32_t>() != kByteOrder)
        throw CheckpointFileError(path + ": checkpoint written on a machine of another byte order");
    std::uint64_t sum;
    std::memcpy(&sum, b.data() + b.size() - sizeof sum, sizeof sum);
    if (sum != fnv1a(b.data(), b.size() - sizeof sum))
        throw CheckpointFileError(path + ": checkpoint checksum mismatch (the file is damaged or cut short)");
    Checkpoint k;
    k.apical_version = c.get_string();
    k.scenario_file = c.get_string();
    k.scenario_yaml = c.get_string();
    k.output = c.get_string();
    k.t = c.get<double>();
    k.state = c.get_bytes();
    if (c.pos() != b.size() - sizeof sum) throw CheckpointFileError(path + ": checkpoint has trailing bytes");
    return k;
}

} // namespace apical::io
