// Counter-based random streams (Random123 Philox4x32-10).
//
// A stream is keyed by (seed, purpose, id): the same key always yields the same
// sequence, whatever thread or MPI rank draws it, so results do not depend on how
// work is distributed. There is no global generator.
#pragma once
#include "core/state_io.hpp"

#include <Random123/philox.h>

#include <cmath>
#include <cstdint>

namespace apical {

// Stable purpose tags. Add new ones at the end; never renumber (results would change).
enum class Purpose : std::uint32_t {
    initial_state = 1,
    connectivity = 2,
    weights = 3,
    delays = 4,
    stimulus = 5,
    model = 6,
};

class RandomStream {
public:
    // `purpose` is a Purpose tag or a tag combined with an object index
    // (see purpose_key); `id` usually is a global cell id.
    RandomStream(std::uint64_t seed, std::uint32_t purpose, std::uint64_t id) {
        key_ = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
        ctr_ = {{static_cast<std::uint32_t>(id), static_cast<std::uint32_t>(id >> 32), purpose, 0}};
    }

    // Uniform in [0, 1) with 53 random bits.
    double uniform() {
        const std::uint64_t hi = next_u32() >> 5, lo = next_u32() >> 6;
        return static_cast<double>((hi << 26) | lo) * 0x1.0p-53;
    }
    // Uniform in (0, 1]: safe under log().
    double uniform_pos() { return 1.0 - uniform(); }
    std::uint32_t next_u32() {
        if (used_ == 4) refill();
        return out_.v[used_++];
    }
    // Uniform integer in [0, n), unbiased (Lemire's method with rejection).
    std::uint32_t below(std::uint32_t n) {
        std::uint64_t m = std::uint64_t(next_u32()) * n;
        auto l = static_cast<std::uint32_t>(m);
        if (l < n) {
            const std::uint32_t t = static_cast<std::uint32_t>(-n) % n;
            while (l < t) {
                m = std::uint64_t(next_u32()) * n;
                l = static_cast<std::uint32_t>(m);
            }
        }
        return static_cast<std::uint32_t>(m >> 32);
    }
    double exponential(double mean) { return -mean * std::log(uniform_pos()); }
    // Standard normal (Box-Muller, both values used).
    double normal() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        const double u1 = uniform_pos(), u2 = uniform();
        const double r = std::sqrt(-2.0 * std::log(u1));
        spare_ = r * std::sin(6.283185307179586 * u2);
        has_spare_ = true;
        return r * std::cos(6.283185307179586 * u2);
    }
    // Number of draws consumed so far (for checkpoints and tests).
    std::uint64_t position() const { return block_ * 4 + used_; }
    // Checkpoints: the position in the stream (the key is rebuilt from the seed by whoever
    // constructs the stream again). load() restores exactly the draws that save() saw next.
    void save(StateWriter& w) const { w.put(block_), w.put(used_), w.put(has_spare_), w.put(spare_); }
    void load(StateReader& r) {
        r.get(block_), r.get(used_), r.get(has_spare_), r.get(spare_);
        if (used_ < 0 || used_ > 4 || (used_ < 4 && block_ == 0))
            throw CheckpointError("checkpoint: a random stream position is corrupt");
        if (used_ < 4) { // the block in use: recompute it
            ctr_.v[3] = static_cast<std::uint32_t>(block_ - 1);
            out_ = r123::Philox4x32()(ctr_, key_);
        }
    }

private:
    void refill() {
        ctr_.v[3] = static_cast<std::uint32_t>(block_++);
        out_ = r123::Philox4x32()(ctr_, key_);
        used_ = 0;
    }
    r123::Philox4x32::key_type key_;
    r123::Philox4x32::ctr_type ctr_;
    r123::Philox4x32::ctr_type out_{};
    std::uint64_t block_ = 0;
    int used_ = 4;
    bool has_spare_ = false;
    double spare_ = 0.0;
};

// Combine a purpose tag with an object index (projection or stimulus number).
constexpr std::uint32_t purpose_key(Purpose p, std::uint32_t index) {
    return (static_cast<std::uint32_t>(p) << 24) ^ index;
}

} // namespace apical
