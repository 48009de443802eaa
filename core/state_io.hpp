// Binary state streams for checkpoints. The engine, the models, the event sources and (via
// their hook in core/simulation.cpp) the projections write their dynamic state into a
// StateWriter as a sequence of tagged sections, and read it back from a StateReader in the
// same order. Every section carries its tag and byte length, and every array its element
// count, so a restart into a network of another shape, or a truncated or foreign stream,
// fails with a message naming the section instead of restoring garbage.
//
// The bytes are in host layout (little-endian x86-64/aarch64): a checkpoint is restarted by
// the same build on the same kind of machine. The file around the bytes (header, version,
// the scenario, a checksum) is io/'s business (io/checkpoint_file.hpp).
//
//     StateWriter w;                       StateReader r(bytes);
//     w.begin("lif");                      r.begin("lif");
//     w.put(v_);  w.put(n_);               r.get(v_);  r.get(n_);   // v_ must have the saved size
//     w.end();                             r.end();
#pragma once
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace apical {

// A state stream that does not fit what reads it: wrong tag, wrong size, truncated.
class CheckpointError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class StateWriter {
public:
    // Opens a section; sections nest.
    void begin(std::string_view tag) {
        put_string(tag);
        open_.push_back(bytes_.size());
        put(std::uint64_t{0}); // length, patched by end()
    }
    void end() {
        if (open_.empty()) throw std::logic_error("StateWriter::end() without begin()");
        const std::size_t at = open_.back();
        open_.pop_back();
        const std::uint64_t len = bytes_.size() - at - sizeof(std::uint64_t);
        std::memcpy(bytes_.data() + at, &len, sizeof len);
    }
    template <class T> void put(const T& x) {
        static_assert(std::is_trivially_copyable_v<T>, "put() writes plain values; use put_vector for arrays");
        const auto* p = reinterpret_cast<const char*>(&x);
        bytes_.insert(bytes_.end(), p, p + sizeof(T));
    }
    template <class T, class A> void put(const std::vector<T, A>& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        put(std::uint64_t{v.size()});
        if (v.empty()) return;
        const auto* p = reinterpret_cast<const char*>(v.data());
        bytes_.insert(bytes_.end(), p, p + v.size() * sizeof(T));
    }
    // A list of lists (e.g. per cell, its segments) as offsets and the concatenated values.
    template <class T> void put_nested(const std::vector<std::vector<T>>& v) {
        std::vector<std::uint64_t> off{0};
        std::vector<T> flat;
        for (auto& x : v) {
            flat.insert(flat.end(), x.begin(), x.end());
            off.push_back(flat.size());
        }
        put(off);
        put(flat);
    }
    void put_string(std::string_view s) {
        put(std::uint64_t{s.size()});
        bytes_.insert(bytes_.end(), s.begin(), s.end());
    }
    const std::vector<char>& bytes() const { return bytes_; }

private:
    std::vector<char> bytes_;
    std::vector<std::size_t> open_;
};

class StateReader {
public:
    explicit StateReader(std::span<const char> bytes) : b_(bytes) {}

    // Reads a section header; throws unless it is `tag`.
    void begin(std::string_view tag) {
        const std::string found = get_string();
        if (found != tag)
            throw CheckpointError("checkpoint: expected state section '" + std::string(tag) + "', found '" +
                                  printable(found) + "' (saved by another network or another version?)");
        const auto len = get<std::uint64_t>();
        if (len > b_.size() - pos_) throw truncated(tag);
        ends_.push_back({pos_ + static_cast<std::size_t>(len), std::string(tag)});
    }
    // Closes a section; throws unless all of it was read.
    void end() {
        if (ends_.empty()) throw std::logic_error("StateReader::end() without begin()");
        if (pos_ != ends_.back().first)
            throw CheckpointError("checkpoint: state section '" + ends_.back().second + "' holds " +
                                  std::to_string(ends_.back().first - pos_) +
                                  " bytes more than this network reads (saved by another network or version?)");
        ends_.pop_back();
    }
    template <class T> T get() {
        static_assert(std::is_trivially_copyable_v<T>);
        T x;
        need(sizeof(T));
        std::memcpy(&x, b_.data() + pos_, sizeof(T));
        pos_ += sizeof(T);
        return x;
    }
    template <class T> void get(T& x) {
        if constexpr (requires {
                          x.data();
                          x.size();
                          x.resize(0);
                      })
            get_vector(x, false);
        else x = get<T>();
    }
    // Reads an array into `v`, which must already have the saved size (the state of a
    // network built from the same scenario); `resize`: take whatever size was saved.
    template <class T, class A> void get_vector(std::vector<T, A>& v, bool resize) {
        static_assert(std::is_trivially_copyable_v<T>);
        const auto n = get<std::uint64_t>();
        if (n > (b_.size() - pos_) / sizeof(T)) throw truncated(where());
        if (resize) v.resize(static_cast<std::size_t>(n));
        else if (n != v.size())
            throw CheckpointError("checkpoint: state section '" + where() + "' holds an array of " + std::to_string(n) +
                                  " values where this network has " + std::to_string(v.size()) +
                                  " (saved by another network?)");
        if (n > 0) std::memcpy(v.data(), b_.data() + pos_, static_cast<std::size_t>(n) * sizeof(T));
        pos_ += static_cast<std::size_t>(n) * sizeof(T);
    }
    // Reads what put_nested() wrote. `resize`: take the saved outer size; else it must match.
    template <class T> void get_nested(std::vector<std::vector<T>>& v, bool resize) {
        std::vector<std::uint64_t> off;
        std::vector<T> flat;
        get_vector(off, true);
        get_vector(flat, true);
        bool ok = !off.empty() && off.front() == 0 && off.back() == flat.size();
        for (std::size_t i = 1; ok && i < off.size(); ++i) ok = off[i - 1] <= off[i];
        if (!ok) throw CheckpointError("checkpoint: state section '" + where() + "' holds a corrupt list of lists");
        if (!resize && off.size() - 1 != v.size())
            throw CheckpointError("checkpoint: state section '" + where() + "' holds " +
                                  std::to_string(off.size() - 1) + " lists where this network has " +
                                  std::to_string(v.size()) + " (saved by another network?)");
        v.resize(off.size() - 1);
        for (std::size_t i = 0; i + 1 < off.size(); ++i)
            v[i].assign(flat.begin() + static_cast<std::ptrdiff_t>(off[i]),
                        flat.begin() + static_cast<std::ptrdiff_t>(off[i + 1]));
    }
    std::string get_string() {
        const auto n = get<std::uint64_t>();
        need(n);
        std::string s(b_.data() + pos_, static_cast<std::size_t>(n));
        pos_ += static_cast<std::size_t>(n);
        return s;
    }
    bool at_end() const { return pos_ == b_.size(); }

private:
    void need(std::uint64_t n) const {
        if (n > b_.size() - pos_) throw truncated(where());
    }
    std::string where() const { return ends_.empty() ? std::string("(top)") : ends_.back().second; }
    static CheckpointError truncated(std::string_view tag) {
        return CheckpointError("checkpoint: state section '" + std::string(tag) + "' is cut short (truncated file?)");
    }
    static std::string printable(const std::string& s) {
        std::string out;
        for (char c : s.substr(0, 40)) out += (c >= 32 && c < 127) ? c : '?';
        return out;
    }
    std::span<const char> b_;
    std::size_t pos_ = 0;
    std::vector<std::pair<std::size_t, std::string>> ends_;
};

} // namespace apical
