#include "io/checkpoint_file.hpp"

#include "core/state_io.hpp"

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

[[noreturn]] void fail_io(const std::string& path, const std::string& what) {
    throw CheckpointFileError(path + ": cannot " + what + " (" + std::strerror(errno) + ")");
}

} // namespace

void write_checkpoint(const std::string& path, const Checkpoint& c) {
    // The fields are written as the engine writes its state (core/state_io.hpp): plain values,
    // and strings and byte arrays as a uint64 length and the bytes.
    StateWriter w;
    for (char m : kMagic) w.put(m);
    w.put(kCheckpointFormatVersion);
    w.put(kByteOrder);
    w.put_string(c.apical_version);
    w.put_string(c.scenario_file);
    w.put_string(c.scenario_yaml);
    w.put_string(c.output);
    w.put(c.t);
    w.put(c.group_size);
    w.put(c.cut_lanes);
    w.put(c.state);
    std::vector<char> b = w.bytes();
    const std::uint64_t sum = fnv1a(b.data(), b.size());
    const auto* sp = reinterpret_cast<const char*>(&sum);
    b.insert(b.end(), sp, sp + sizeof sum);

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
    std::uint64_t sum;
    std::memcpy(&sum, b.data() + b.size() - sizeof sum, sizeof sum);
    StateReader r(std::span<const char>(b.data(), b.size() - sizeof sum));
    Checkpoint k;
    try {
        for (std::size_t i = 0; i < sizeof kMagic; ++i) r.get<char>();
        const auto version = r.get<std::uint32_t>();
        if (version < 1 || version > kCheckpointFormatVersion)
            throw CheckpointFileError(path + ": checkpoint format version " + std::to_string(version) +
                                      "; this Apical reads versions 1 to " + std::to_string(kCheckpointFormatVersion));
        if (r.get<std::uint32_t>() != kByteOrder)
            throw CheckpointFileError(path + ": checkpoint written on a machine of another byte order");
        if (sum != fnv1a(b.data(), b.size() - sizeof sum))
            throw CheckpointFileError(path + ": checkpoint checksum mismatch (the file is damaged or cut short)");
        k.apical_version = r.get_string();
        k.scenario_file = r.get_string();
        k.scenario_yaml = r.get_string();
        k.output = r.get_string();
        k.t = r.get<double>();
        if (version >= 2) k.group_size = r.get<std::uint32_t>();
        if (version >= 3) k.cut_lanes = r.get<std::uint32_t>();
        if (k.cut_lanes == 0)
            throw CheckpointFileError(path + ": checkpoint names a lane cut of 0 shares (at least 1: none)");
        r.get_vector(k.state, true);
    } catch (const CheckpointError&) {
        throw CheckpointFileError(path + ": checkpoint file is cut short or damaged");
    }
    if (!r.at_end()) throw CheckpointFileError(path + ": checkpoint has trailing bytes");
    return k;
}

} // namespace apical::io
