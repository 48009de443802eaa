// core/stable_order.hpp: the LSD radix sort that puts a sparse block's synapses in source
// order. It must give exactly the permutation of a stable comparison sort, for key ranges
// that take one, two and three 11-bit digits (and the full 32 bits).
#include "core/stable_order.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

using apical::stable_order_by;

namespace {
std::vector<std::uint32_t> reference(const std::vector<std::uint32_t>& key) {
    std::vector<std::uint32_t> order(key.size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return key[a] < key[b]; });
    return order;
}
} // namespace

TEST_CASE("stable_order_by equals a stable sort for any key range", "[engine][sort]") {
    std::mt19937 gen(5);
    for (std::uint64_t n_keys :
         {1ull, 2ull, 2047ull, 2048ull, 2049ull, 300000ull, 4194304ull, 4194305ull, 0xffffffffull}) {
        for (std::size_t n : {0u, 1u, 17u, 5000u}) {
            CAPTURE(n_keys, n);
            std::uniform_int_distribution<std::uint64_t> pick(0, n_keys - 1);
            std::vector<std::uint32_t> key(n);
            // Few distinct values, so that ties (where stability shows) are common, and the
            // largest key itself, so that its top digit is exercised.
            std::vector<std::uint32_t> values(std::max<std::size_t>(1, n / 8));
            for (auto& v : values) v = static_cast<std::uint32_t>(pick(gen));
            values[0] = static_cast<std::uint32_t>(n_keys - 1);
            std::uniform_int_distribution<std::size_t> which(0, values.size() - 1);
            for (auto& k : key) k = values[which(gen)];
            CHECK(stable_order_by(key, static_cast<std::uint32_t>(n_keys)) == reference(key));
        }
    }
}

TEST_CASE("stable_order_by: the example of its header", "[engine][sort]") {
    CHECK(stable_order_by({7, 3, 7, 1}, 8) == std::vector<std::uint32_t>{3, 1, 0, 2});
}
