#include "models/htm/encoders.hpp"

#include "core/random.hpp"

#include <cmath>
#include <stdexcept>

namespace apical::models::htm {

ScalarEncoder::ScalarEncoder(const ScalarParams& p) : p_(p) {
    if (!(p.maximum > p.minimum)) throw std::invalid_argument("htm scalar encoder: maximum must exceed minimum");
    if (p.active_bits == 0 || p.active_bits > p.size)
        throw std::invalid_argument("htm scalar encoder: need 0 < active_bits <= size");
}

void ScalarEncoder::encode(double v, Sdr& out, std::uint32_t offset) const {
    if (std::isnan(v)) return;
    const double range = p_.maximum - p_.minimum;
    if (p_.periodic) {
        double x = std::fmod((v - p_.minimum) / range, 1.0);
        if (x < 0) x += 1.0;
        const auto first = static_cast<std::uint32_t>(std::floor(x * p_.size)) % p_.size;
        const std::size_t at = out.size();
        for (std::uint32_t i = 0; i < p_.active_bits; ++i) out.push_back(offset + (first + i) % p_.size);
        std::sort(out.begin() + static_cast<std::ptrdiff_t>(at), out.end());
        return;
    }
    const double x = std::clamp((v - p_.minimum) / range, 0.0, 1.0);
    const auto first = static_cast<std::uint32_t>(std::lround(x * (p_.size - p_.active_bits)));
    for (std::uint32_t i = 0; i < p_.active_bits; ++i) out.push_back(offset + first + i);
}

RdseEncoder::RdseEncoder(const RdseParams& p) : p_(p) {
    if (!(p.resolution > 0)) throw std::invalid_argument("htm rdse encoder: resolution must be > 0");
    if (p.active_bits == 0 || p.active_bits > p.size)
        throw std::invalid_argument("htm rdse encoder: need 0 < active_bits <= size");
}

void RdseEncoder::encode(double v, Sdr& out, std::uint32_t offset) const {
    if (std::isnan(v)) return;
    const auto bucket = static_cast<std::int64_t>(std::floor(v / p_.resolution));
    const std::size_t at = out.size();
    for (std::uint32_t i = 0; i < p_.active_bits; ++i) {
        RandomStream h(p_.seed, purpose_key(Purpose::model, 0x00E5), static_cast<std::uint64_t>(bucket + i));
        out.push_back(offset + h.next_u32() % p_.size);
    }
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(at), out.end());
    out.erase(std::unique(out.begin() + static_cast<std::ptrdiff_t>(at), out.end()), out.end());
}

void CategoryEncoder::encode(double v, Sdr& out, std::uint32_t offset) const {
    if (!(v >= 0) || v != std::floor(v) || v >= p_.categories) return;
    const auto c = static_cast<std::uint32_t>(v);
    for (std::uint32_t i = 0; i < p_.active_bits; ++i) out.push_back(offset + c * p_.active_bits + i);
}

DateEncoder::DateEncoder(const DateParams& p) : p_(p) {
    if (p.time_of_day_bits > 0 && p.time_of_day_bits > p.time_of_day_size)
        throw std::invalid_argument("htm date encoder: time_of_day_bits must be <= time_of_day_size");
    if (p.day_of_week_bits > 0 && p.day_of_week_bits > p.day_of_week_size)
        throw std::invalid_argument("htm date encoder: day_of_week_bits must be <= day_of_week_size");
}

std::uint32_t DateEncoder::size() const {
    return (p_.time_of_day_bits ? p_.time_of_day_size : 0) + (p_.day_of_week_bits ? p_.day_of_week_size : 0) +
           2 * p_.weekend_bits;
}

void DateEncoder::encode(double t, Sdr& out, std::uint32_t offset) const {
    if (std::isnan(t)) return;
    const double days = t / 86400.0;
    const double day_floor = std::floor(days);
    if (p_.time_of_day_bits) {
        ScalarEncoder({0.0, 24.0, p_.time_of_day_size, p_.time_of_day_bits, true})
            .encode((days - day_floor) * 24.0, out, offset);
        offset += p_.time_of_day_size;
    }
    // 1970-01-01 was a Thursday: Monday-based day of week = (days + 3) mod 7.
    const double dow = std::fmod(days + 3.0, 7.0);
    if (p_.day_of_week_bits) {
        ScalarEncoder({0.0, 7.0, p_.day_of_week_size, p_.day_of_week_bits, true}).encode(dow, out, offset);
        offset += p_.day_of_week_size;
    }
    if (p_.weekend_bits) CategoryEncoder({2, p_.weekend_bits}).encode(dow >= 5.0 ? 1.0 : 0.0, out, offset);
}

} // namespace apical::models::htm
