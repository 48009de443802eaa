// Connectivity rules. Each is asked for the sources of one target cell, drawing from
// that target's own stream, so any partition of targets builds the same network. The
// sources may come in any order: the engine sorts them where the order matters.
#include "core/random.hpp"
#include "core/stimulus.hpp"
#include "models/stimuli.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace apical::models {
namespace {

void all_to_all(const ConnectRequest& r, std::vector<std::uint32_t>& out) {
    for (std::uint32_t s = 0; s < r.n_source; ++s)
        if (r.projection.autapses || !r.same_population || s != r.target) out.push_back(s);
}

void one_to_one(const ConnectRequest& r, std::vector<std::uint32_t>& out) {
    if (r.n_source != r.n_target) throw std::invalid_argument("one_to_one needs equal population sizes");
    if (r.projection.autapses || !r.same_population) out.push_back(r.target);
}

// Bernoulli(p) per source, by geometric skipping: O(connections), not O(sources).
// The gap to the next source is floor(log(u) / log(1 - p)) for u uniform in (0, 1]; it is
// >= 0, so below 2^52 floor is the conversion to an integer (cheaper without SSE4.1's
// roundsd), and a larger gap ends the row whatever its exact value.
void fixed_probability(const ConnectRequest& r, std::vector<std::uint32_t>& out) {
    const double p = r.projection.rule_params.at(0);
    if (p <= 0.0) return;
    if (p >= 1.0) return all_to_all(r, out);
    const double inv_log_q = 1.0 / std::log1p(-p);
    const bool skip_self = !r.projection.autapses && r.same_population;
    const double n = static_cast<double>(r.n_source);
    double s = -1.0;
    for (;;) {
        const double gap = std::log(r.stream->uniform_pos()) * inv_log_q;
        if (!(gap < 0x1p52)) break;
        s += 1.0 + static_cast<double>(static_cast<std::uint64_t>(gap));
        if (s >= n) break;
        const auto src = static_cast<std::uint32_t>(s);
        if (skip_self && src == r.target) continue;
        out.push_back(src);
    }
}

// Floyd's algorithm: k distinct values from [0, avail) with k draws. The values drawn so far
// are kept in a small open-addressing set (membership in O(1), where a search of the list
// would cost O(k) per draw), reused across calls on the same thread: empty between calls,
// emptied slot by slot.
void floyd_sample(RandomStream& stream, std::uint32_t k, std::uint32_t avail, std::vector<std::uint32_t>& out) {
    constexpr std::uint32_t empty = 0xffffffffu; // avail <= 2^32 - 1, so never a value
    thread_local std::vector<std::uint32_t> set;
    thread_local std::vector<std::size_t> used;
    std::size_t cap = 16;
    while (cap < 2 * std::size_t{k}) cap *= 2;
    if (set.size() < cap) set.assign(cap, empty);
    const std::size_t mask = cap - 1;
    used.clear();
    auto insert = [&](std::uint32_t v) { // false if v was there already
        std::size_t h = (std::uint64_t{v} * 0x9e3779b97f4a7c15ull) >> 32 & mask;
        for (; set[h] != empty; h = (h + 1) & mask)
            if (set[h] == v) return false;
        set[h] = v;
        used.push_back(h);
        return true;
    };
    for (std::uint32_t j = avail - k; j < avail; ++j) {
        const std::uint32_t t = stream.below(j + 1);
        if (insert(t)) out.push_back(t);
        else {
            insert(j); // j was never drawn before (every earlier value is below it)
            out.push_back(j);
        }
    }
    for (std::size_t h : used) set[h] = empty;
}

void fixed_indegree(const ConnectRequest& r, std::vector<std::uint32_t>& out) {
    const auto k = static_cast<std::uint32_t>(r.projection.rule_params.at(0));
    const bool skip_self = !r.projection.autapses && r.same_population;
    const std::uint32_t avail = r.n_source - (skip_self && r.target < r.n_source ? 1u : 0u);
    if (k == 0) return;
    if (avail == 0) throw std::invalid_argument("fixed_indegree: no source cell available");
    if (r.projection.multapses) {
        for (std::uint32_t i = 0; i < k; ++i) {
            std::uint32_t s;
            do s = r.stream->below(r.n_source);
            while (skip_self && s == r.target);
            out.push_back(s);
        }
        return;
    }
    if (k > avail) throw std::invalid_argument("fixed_indegree: indegree exceeds available sources without multapses");
    const std::size_t at = out.size();
    floyd_sample(*r.stream, k, avail, out);
    if (skip_self)
        for (std::size_t i = at; i < out.size(); ++i) out[i] += out[i] >= r.target ? 1u : 0u;
}

std::string check_one_to_one(const ConnectCheck& c) {
    if (c.n_source == c.n_target) return "";
    return "one_to_one needs source and target of equal size (here " + std::to_string(c.n_source) + " and " +
           std::to_string(c.n_target) + "); use fixed_indegree or fixed_probability otherwise";
}

std::string check_fixed_indegree(const ConnectCheck& c) {
    const auto k = static_cast<std::uint64_t>(c.params.at(0));
    const std::uint64_t avail = c.n_source - (c.same_population && !c.autapses ? 1 : 0);
    if (c.multapses || k <= avail) return "";
    return "indegree " + std::to_string(k) + " exceeds the " + std::to_string(avail) +
           " distinct sources available without multapses; allowed: indegree <= " + std::to_string(avail) +
           ", or multapses: true";
}

// Expected synapse counts of whole projections (for the memory estimate before building).
double self_pairs(const ConnectCheck& c) { return c.same_population && !c.autapses ? double(c.n_target) : 0.0; }
double expect_all_to_all(const ConnectCheck& c) { return double(c.n_source) * double(c.n_target) - self_pairs(c); }
double expect_one_to_one(const ConnectCheck& c) { return double(c.n_target) - self_pairs(c); }
double expect_fixed_probability(const ConnectCheck& c) {
    return std::clamp(c.params.at(0), 0.0, 1.0) * expect_all_to_all(c);
}
double expect_fixed_indegree(const ConnectCheck& c) { return c.params.at(0) * double(c.n_target); }

} // namespace

void attach_connectivity_behaviour(KindInfo& k) {
    if (k.name == "all_to_all") k.connect = all_to_all, k.expected_synapses = expect_all_to_all;
    else if (k.name == "one_to_one")
        k.connect = one_to_one, k.check = check_one_to_one, k.expected_synapses = expect_one_to_one;
    else if (k.name == "fixed_probability")
        k.connect = fixed_probability, k.expected_synapses = expect_fixed_probability;
    else if (k.name == "fixed_indegree")
        k.connect = fixed_indegree, k.check = check_fixed_indegree, k.expected_synapses = expect_fixed_indegree;
}

} // namespace apical::models
