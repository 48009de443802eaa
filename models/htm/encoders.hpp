// Encoders: numbers, dates and categories -> input bits for the spatial pooler. Each
// encoder writes its active bits, shifted by `offset`, to the end of an output list, so
// several encoders concatenate into one input SDR.
//
//   ScalarEncoder e({.minimum = 0, .maximum = 100, .size = 100, .active_bits = 21});
//   Sdr s; e.encode(50.0, s, 0);   // bits 40..60
#pragma once
#include "models/htm/sdr.hpp"

#include <cstdint>

namespace apical::models::htm {

// A contiguous block of active_bits bits whose position tracks the value.
//   non-periodic: value clipped to [minimum, maximum]; first bit
//     round((v - minimum) / (maximum - minimum) * (size - active_bits));
//   periodic: the range wraps (maximum == minimum); first bit
//     floor((v - minimum) / (maximum - minimum) * size) mod size, and the block wraps.
struct ScalarParams {
    double minimum = 0.0, maximum = 1.0;
    std::uint32_t size = 100, active_bits = 21;
    bool periodic = false;
};
class ScalarEncoder {
public:
    explicit ScalarEncoder(const ScalarParams& p);
    std::uint32_t size() const { return p_.size; }
    void encode(double v, Sdr& out, std::uint32_t offset) const;

private:
    ScalarParams p_;
};

// Random distributed scalar encoder: bucket b = floor(v / resolution); active bit i
// (i < active_bits) is hash(seed, b + i) mod size. Values one bucket apart share
// active_bits - 1 hash inputs, hence that many bits (less collisions); far values
// share bits only by chance. The hash is the Philox counter-based generator.
struct RdseParams {
    std::uint32_t size = 400, active_bits = 21;
    double resolution = 1.0;
    std::uint64_t seed = 1;
};
class RdseEncoder {
public:
    explicit RdseEncoder(const RdseParams& p);
    std::uint32_t size() const { return p_.size; }
    void encode(double v, Sdr& out, std::uint32_t offset) const;

private:
    RdseParams p_;
};

// Category c (a whole number in [0, categories)) -> bits [c * active_bits, (c+1) * active_bits).
// Anything else encodes to no bits.
struct CategoryParams {
    std::uint32_t categories = 2, active_bits = 21;
};
class CategoryEncoder {
public:
    explicit CategoryEncoder(const CategoryParams& p) : p_(p) {}
    std::uint32_t size() const { return p_.categories * p_.active_bits; }
    void encode(double v, Sdr& out, std::uint32_t offset) const;

private:
    CategoryParams p_;
};

// Date/time, from seconds since 1970-01-01 00:00 UTC: time of day (periodic over 24 h),
// day of week (periodic over 7 days, Monday 0, fractional within the day) and weekend
// (category: Saturday or Sunday), concatenated in that order. A part with 0 active bits
// is left out. Each periodic part has size = active_bits * buckets_per_width, so its
// blocks move by one bit per 1/size of the period.
struct DateParams {
    std::uint32_t time_of_day_bits = 21, time_of_day_size = 168; // 7 h per block width
    std::uint32_t day_of_week_bits = 0, day_of_week_size = 0;
    std::uint32_t weekend_bits = 0;
};
class DateEncoder {
public:
    explicit DateEncoder(const DateParams& p);
    std::uint32_t size() const;
    void encode(double unix_seconds, Sdr& out, std::uint32_t offset) const;

private:
    DateParams p_;
};

} // namespace apical::models::htm
