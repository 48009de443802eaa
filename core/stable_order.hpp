#pragma once
// The permutation that sorts a list of keys stably, by an LSD radix sort: O(keys) per 11-bit
// digit of the largest key, where a comparison sort costs O(keys log keys) and a counting
// sort O(keys + key range). The engine uses it to put the synapses of a block with many more
// source cells than synapses in source order (other blocks count per source in place).
//
//     std::vector<std::uint32_t> key{7, 3, 7, 1};
//     stable_order_by(key, 8);   // {3, 1, 0, 2}: key[3] = 1, key[1] = 3, then the two 7s in order
#include <algorithm>
#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

namespace apical {

// Every key must be below n_keys.
inline std::vector<std::uint32_t> stable_order_by(const std::vector<std::uint32_t>& key, std::uint32_t n_keys) {
    constexpr unsigned digit = 11;
    constexpr std::uint32_t mask = (1u << digit) - 1;
    std::vector<std::uint32_t> order(key.size()), tmp(key.size());
    std::iota(order.begin(), order.end(), 0u);
    std::vector<std::uint32_t> count(std::size_t{1} << digit);
    const std::uint64_t largest = n_keys > 0 ? n_keys - 1 : 0;
    for (unsigned shift = 0; shift == 0 || (shift < 32 && largest >> shift); shift += digit) {
        std::fill(count.begin(), count.end(), 0u);
        for (std::uint32_t i : order) ++count[key[i] >> shift & mask];
        std::uint32_t sum = 0;
        for (auto& c : count) sum += std::exchange(c, sum);
        for (std::uint32_t i : order) tmp[count[key[i] >> shift & mask]++] = i;
        order.swap(tmp);
    }
    return order;
}

} // namespace apical
