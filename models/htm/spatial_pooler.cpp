#include "models/htm/spatial_pooler.hpp"

#include "models/htm/connections.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace apical::models::htm {

SpatialPooler::SpatialPooler(const SpParams& p, RandomStream rng) : p_(p) {
    if (p.inputs == 0 || p.columns == 0)
        throw std::invalid_argument("htm: the spatial pooler needs inputs and columns");
    if (!(p.local_area_density > 0 && p.local_area_density <= 0.5))
        throw std::invalid_argument("htm: local_area_density must be in (0, 0.5]");
    const std::uint32_t n_in = p.inputs;
    const bool whole = p.potential_radius == 0 || 2ull * p.potential_radius + 1 >= n_in;
    std::vector<std::uint32_t> window;
    pool_off_.assign(p.columns + 1, 0);
    for (std::uint32_t c = 0; c < p.columns; ++c) {
        window.clear();
        if (whole) {
            window.resize(n_in);
            std::iota(window.begin(), window.end(), 0u);
        } else {
            const auto centre = static_cast<std::int64_t>((static_cast<double>(c) + 0.5) * n_in / p.columns);
            for (std::int64_t d = -static_cast<std::int64_t>(p.potential_radius); d <= p.potential_radius; ++d)
                window.push_back(static_cast<std::uint32_t>(((centre + d) % n_in + n_in) % n_in));
        }
        const auto k = static_cast<std::size_t>(std::llround(p.potential_pct * static_cast<double>(window.size())));
        for (std::size_t i = 0; i < k; ++i)
            std::swap(window[i], window[i + rng.below(static_cast<std::uint32_t>(window.size() - i))]);
        std::sort(window.begin(), window.begin() + static_cast<std::ptrdiff_t>(k));
        for (std::size_t i = 0; i < k; ++i) {
            pool_in_.push_back(window[i]);
            const double u = rng.uniform();
            perm_.push_back(rng.uniform() < p.init_connected_pct
                                ? static_cast<float>(p.syn_perm_connected + u * p.syn_perm_active_inc / 4.0)
                                : static_cast<float>(u * p.syn_perm_connected));
        }
        pool_off_[c + 1] = static_cast<std::uint32_t>(pool_in_.size());
    }
    syn_col_.resize(pool_in_.size());
    for (std::uint32_t c = 0; c < p.columns; ++c) {
        for (auto k = pool_off_[c]; k < pool_off_[c + 1]; ++k) syn_col_[k] = c;
        raise_to_threshold(c);
    }
    // Input bit -> synapses of the pools that contain it.
    in_off_.assign(n_in + 1, 0);
    for (auto b : pool_in_) ++in_off_[b + 1];
    std::partial_sum(in_off_.begin(), in_off_.end(), in_off_.begin());
    in_syn_.resize(pool_in_.size());
    std::vector<std::uint32_t> fill(in_off_.begin(), in_off_.end() - 1);
    for (std::uint32_t k = 0; k < pool_in_.size(); ++k) in_syn_[fill[pool_in_[k]]++] = k;

    overlap_.assign(p.columns, 0);
    boosted_.assign(p.columns, 0.0f);
    boost_.assign(p.columns, 1.0f);
    overlap_duty_.assign(p.columns, 0.0);
    active_duty_.assign(p.columns, 0.0);
    in_active_.assign(n_in, 0);
    update_radius();
}

std::span<const std::uint32_t> SpatialPooler::pool(std::uint32_t c) const {
    return {pool_in_.data() + pool_off_[c], pool_in_.data() + pool_off_[c + 1]};
}
std::span<const float> SpatialPooler::permanences(std::uint32_t c) const {
    return {perm_.data() + pool_off_[c], perm_.data() + pool_off_[c + 1]};
}
std::span<float> SpatialPooler::permanences(std::uint32_t c) {
    return {perm_.data() + pool_off_[c], perm_.data() + pool_off_[c + 1]};
}
std::uint32_t SpatialPooler::connected_count(std::uint32_t c) const {
    std::uint32_t n = 0;
    for (float x : permanences(c)) n += x >= p_.syn_perm_connected - kPermEpsilon;
    return n;
}
std::uint32_t SpatialPooler::target_active(std::uint32_t area) const {
    return std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::lround(p_.local_area_density * area)));
}

void SpatialPooler::raise_to_threshold(std::uint32_t c) {
    auto perms = permanences(c);
    const std::uint32_t need = std::min<std::uint32_t>(p_.stimulus_threshold, static_cast<std::uint32_t>(perms.size()));
    while (connected_count(c) < need)
        for (float& x : perms) x = std::min(1.0f, x + p_.syn_perm_connected / 10.0f);
}

void SpatialPooler::update_radius() {
    if (p_.global_inhibition) {
        radius_ = p_.columns;
        return;
    }
    double span_sum = 0.0;
    for (std::uint32_t c = 0; c < p_.columns; ++c) {
        std::int64_t lo = -1, hi = -1;
        auto in = pool(c);
        auto perms = permanences(c);
        for (std::size_t k = 0; k < in.size(); ++k)
            if (perms[k] >= p_.syn_perm_connected - kPermEpsilon) {
                if (lo < 0) lo = in[k];
                hi = in[k];
            }
        span_sum += lo < 0 ? 0.0 : static_cast<double>(hi - lo + 1);
    }
    const double diameter = span_sum / p_.columns * p_.columns / p_.inputs;
    radius_ = std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::lround((diameter - 1.0) / 2.0)));
}

void SpatialPooler::save_state(StateWriter& w) const {
    w.begin("htm_spatial_pooler");
    w.put(pool_in_.size());
    w.put(perm_), w.put(overlap_), w.put(boosted_), w.put(boost_), w.put(overlap_duty_), w.put(active_duty_);
    w.put(radius_), w.put(iteration_), w.put(learn_iteration_);
    w.end();
}

void SpatialPooler::load_state(StateReader& r) {
    r.begin("htm_spatial_pooler");
    if (r.get<std::size_t>() != pool_in_.size())
        throw CheckpointError(
            "checkpoint: the htm spatial pooler's potential pools differ (saved by another network?)");
    r.get(perm_), r.get(overlap_), r.get(boosted_), r.get(boost_), r.get(overlap_duty_), r.get(active_duty_);
    r.get(radius_), r.get(iteration_), r.get(learn_iteration_);
    r.end();
}

void SpatialPooler::compute(std::span<const std::uint32_t> input, bool learn, Sdr& out) {
    ++iteration_;
    std::fill(overlap_.begin(), overlap_.end(), 0u);
    const float thr = p_.syn_perm_connected - kPermEpsilon;
    for (auto b : input) {
        if (b >= p_.inputs) throw std::out_of_range("htm: input bit " + std::to_string(b) + " out of range");
        for (auto k = in_off_[b]; k < in_off_[b + 1]; ++k) {
            const auto y = in_syn_[k];
            overlap_[syn_col_[y]] += perm_[y] >= thr;
        }
    }
    for (std::uint32_t c = 0; c < p_.columns; ++c) boosted_[c] = static_cast<float>(overlap_[c]) * boost_[c];
    out.clear();
    if (p_.global_inhibition) inhibit_global(out);
    else inhibit_local(out);
    if (!learn) return;

    ++learn_iteration_;
    for (auto b : input) in_active_[b] = 1;
    for (auto c : out) {
        auto in = pool(c);
        auto perms = permanences(c);
        for (std::size_t k = 0; k < in.size(); ++k)
            perms[k] = std::clamp(perms[k] + (in_active_[in[k]] ? p_.syn_perm_active_inc : -p_.syn_perm_inactive_dec),
                                  0.0f, 1.0f);
        raise_to_threshold(c);
    }
    for (auto b : input) in_active_[b] = 0;

    const double period = static_cast<double>(std::min<std::uint64_t>(p_.duty_cycle_period, learn_iteration_));
    for (std::uint32_t c = 0; c < p_.columns; ++c) {
        overlap_duty_[c] = (overlap_duty_[c] * (period - 1.0) + (overlap_[c] > 0 ? 1.0 : 0.0)) / period;
        active_duty_[c] = active_duty_[c] * (period - 1.0) / period;
    }
    for (auto c : out) active_duty_[c] += 1.0 / period;
    const double min_duty =
        p_.min_pct_overlap_duty_cycles * *std::max_element(overlap_duty_.begin(), overlap_duty_.end());
    for (std::uint32_t c = 0; c < p_.columns; ++c)
        if (overlap_duty_[c] < min_duty)
            for (float& x : permanences(c)) x = std::min(1.0f, x + p_.syn_perm_connected / 10.0f);
    if (p_.boost_strength > 0)
        for (std::uint32_t c = 0; c < p_.columns; ++c)
            boost_[c] = static_cast<float>(std::exp((p_.local_area_density - active_duty_[c]) * p_.boost_strength));
    if (learn_iteration_ % p_.duty_cycle_period == 0) update_radius();
}

void SpatialPooler::inhibit_global(Sdr& out) const {
    const std::uint32_t k = std::min(target_active(p_.columns), p_.columns);
    order_.resize(p_.columns);
    std::iota(order_.begin(), order_.end(), 0u);
    auto better = [&](std::uint32_t a, std::uint32_t b) {
        return boosted_[a] != boosted_[b] ? boosted_[a] > boosted_[b] : a < b;
    };
    std::nth_element(order_.begin(), order_.begin() + (k - 1), order_.end(), better);
    for (std::uint32_t i = 0; i < k; ++i) {
        const auto c = order_[i];
        if (overlap_[c] > 0 && overlap_[c] >= p_.stimulus_threshold) out.push_back(c);
    }
    std::sort(out.begin(), out.end());
}

void SpatialPooler::inhibit_local(Sdr& out) const {
    const std::uint32_t n = p_.columns;
    const bool all = 2ull * radius_ + 1 >= n;
    const std::uint32_t area = all ? n : 2 * radius_ + 1;
    const std::uint32_t want = target_active(area);
    for (std::uint32_t c = 0; c < n; ++c) {
        if (overlap_[c] == 0 || overlap_[c] < p_.stimulus_threshold) continue;
        std::uint32_t beaten_by = 0;
        auto visit = [&](std::uint32_t j) {
            beaten_by += boosted_[j] > boosted_[c] || (boosted_[j] == boosted_[c] && j < c);
        };
        if (all) {
            for (std::uint32_t j = 0; j < n; ++j)
                if (j != c) visit(j);
        } else {
            for (std::uint32_t d = 1; d <= radius_; ++d) visit((c + d) % n), visit((c + n - d) % n);
        }
        if (beaten_by < want) out.push_back(c);
    }
}

} // namespace apical::models::htm
