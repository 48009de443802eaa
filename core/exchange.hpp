// How the ranks of a distributed run talk to each other. The engine calls these between
// epochs only, from the thread that runs the simulation loop, in the same order on every
// rank. A transport (MPI, in app/) implements them; a run without one is a single process.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

namespace apical {

class Exchange {
public:
    virtual ~Exchange() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    // Every rank contributes `mine`; every rank receives all contributions concatenated in
    // rank order, with `counts[r]` the bytes of rank r (an Allgather of the counts, then an
    // Allgatherv of the bytes).
    virtual void allgather(const std::vector<char>& mine, std::vector<char>& all, std::vector<std::size_t>& counts) = 0;
    // Rank 0 receives every rank's `mine` concatenated in rank order (counts as above); the
    // other ranks receive nothing.
    virtual void gather(const std::vector<char>& mine, std::vector<char>& all, std::vector<std::size_t>& counts) = 0;
};

// Byte packing of trivially copyable values for Exchange.
template <class T> void pack(std::vector<char>& out, const T* data, std::size_t n) {
    static_assert(std::is_trivially_copyable_v<T>);
    const std::size_t at = out.size();
    out.resize(at + n * sizeof(T));
    if (n) std::memcpy(out.data() + at, data, n * sizeof(T));
}
template <class T> void pack(std::vector<char>& out, const T& x) { pack(out, &x, 1); }
template <class T> T unpack(const char*& p) {
    static_assert(std::is_trivially_copyable_v<T>);
    T x;
    std::memcpy(&x, p, sizeof(T));
    p += sizeof(T);
    return x;
}

} // namespace apical
