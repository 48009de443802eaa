// Sparse distributed representations as the HTM code uses them: a sorted list of the
// indices of the active bits (no duplicates). Sorted lists make merges, overlaps and
// membership tests linear or logarithmic and keep every loop deterministic.
//
//   Sdr a{1, 4, 9}, b{4, 9, 12};
//   overlap(a, b) == 2;
//   contains(a, 4) == true;
#pragma once
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

namespace apical::models::htm {

using Sdr = std::vector<std::uint32_t>;

// Number of indices present in both sorted lists.
inline std::size_t overlap(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) {
    std::size_t n = 0;
    for (std::size_t i = 0, j = 0; i < a.size() && j < b.size();) {
        if (a[i] < b[j]) ++i;
        else if (b[j] < a[i]) ++j;
        else ++n, ++i, ++j;
    }
    return n;
}

inline bool contains(std::span<const std::uint32_t> a, std::uint32_t x) {
    return std::binary_search(a.begin(), a.end(), x);
}

// Sorts and removes duplicates in place: any list of indices becomes an Sdr.
inline void normalize(Sdr& s) {
    std::sort(s.begin(), s.end());
    s.erase(std::unique(s.begin(), s.end()), s.end());
}

} // namespace apical::models::htm
