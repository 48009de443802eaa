#include "models/htm/temporal_memory.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace apical::models::htm {

TemporalMemory::TemporalMemory(const TmParams& p, RandomStream rng)
    : p_(p), rng_(rng), conn_(p.columns * p.cells_per_column, p.connected_permanence) {
    if (p.columns == 0 || p.cells_per_column == 0)
        throw std::invalid_argument("htm: columns and cells_per_column must be > 0");
    if (static_cast<std::uint64_t>(p.columns) * p.cells_per_column > 0xFFFFFFFFull)
        throw std::invalid_argument("htm: too many cells");
    if (p.max_segments_per_cell == 0 || p.max_synapses_per_segment == 0)
        throw std::invalid_argument("htm: max_segments_per_cell and max_synapses_per_segment must be > 0");
    prev_active_mask_.assign(conn_.n_cells(), 0);
}

void TemporalMemory::save_state(StateWriter& w) const {
    w.begin("htm_temporal_memory");
    rng_.save(w);
    conn_.save_state(w);
    w.put(iteration_);
    w.put(active_), w.put(winners_), w.put(prev_active_), w.put(prev_winners_), w.put(predictive_), w.put(bursting_);
    w.put(prev_active_mask_);
    w.put(act_.count), w.put(act_.touched);
    w.put(active_segs_), w.put(matching_segs_);
    w.put(anomaly_);
    w.end();
}

void TemporalMemory::load_state(StateReader& r) {
    r.begin("htm_temporal_memory");
    rng_.load(r);
    conn_.load_state(r);
    r.get(iteration_);
    for (Sdr* s : {&active_, &winners_, &prev_active_, &prev_winners_, &predictive_, &bursting_}) {
        r.get_vector(*s, true);
        for (auto c : *s)
            if (c >= conn_.n_cells()) throw CheckpointError("checkpoint: an htm cell index is out of range");
    }
    r.get(prev_active_mask_);
    r.get_vector(act_.count, true), r.get_vector(act_.touched, true);
    r.get_vector(active_segs_, true), r.get_vector(matching_segs_, true);
    const std::size_t n_seg = conn_.segment_capacity();
    bool ok = act_.count.size() >= n_seg;
    for (auto* v : {&act_.touched, &active_segs_, &matching_segs_})
        for (auto s : *v) ok = ok && s < n_seg;
    if (!ok) throw CheckpointError("checkpoint: an htm segment index is out of range");
    r.get(anomaly_);
    r.end();
}

void TemporalMemory::reset() {
    active_.clear(), winners_.clear(), predictive_.clear();
    active_segs_.clear(), matching_segs_.clear();
    conn_.compute_activity({}, act_);
}

void TemporalMemory::compute(std::span<const std::uint32_t> cols, bool learn) {
    ++iteration_;
    if (learn)
        for (auto s : active_segs_) conn_.set_last_used(s, iteration_);
    for (auto c : prev_active_) prev_active_mask_[c] = 0;
    std::swap(prev_active_, active_);
    std::swap(prev_winners_, winners_);
    for (auto c : prev_active_) prev_active_mask_[c] = 1;
    active_.clear(), winners_.clear(), bursting_.clear();

    // The segment lists are ascending by cell, hence by column: walk them beside the
    // (ascending) active columns. Segment ids are read only before anything can recycle
    // them: a segment destroyed here is always one already passed.
    const std::uint32_t cpc = p_.cells_per_column;
    std::size_t ia = 0, im = 0;
    auto seg_col = [&](std::uint32_t s) { return conn_.cell_of(s) / cpc; };
    auto punish_until = [&](std::uint32_t col_end) {
        for (; im < matching_segs_.size() && seg_col(matching_segs_[im]) < col_end; ++im)
            if (learn && p_.predicted_segment_decrement > 0.0f)
                adapt_segment(matching_segs_[im], -p_.predicted_segment_decrement, 0.0f);
    };
    auto grow_to_target = [&](std::uint32_t s) {
        if (!conn_.alive(s)) return;
        const std::int64_t n = static_cast<std::int64_t>(p_.max_new_synapse_count) - act_.potential(s);
        if (n > 0) grow_synapses(s, static_cast<std::uint32_t>(n));
    };
    std::uint32_t last_col = 0;
    bool first = true;
    for (auto col : cols) {
        if (col >= p_.columns) throw std::out_of_range("htm: active column " + std::to_string(col) + " out of range");
        if (!first && col <= last_col) throw std::invalid_argument("htm: active columns must be sorted and unique");
        first = false, last_col = col;
        punish_until(col);
        while (ia < active_segs_.size() && seg_col(active_segs_[ia]) < col) ++ia;
        const std::size_t a0 = ia;
        while (ia < active_segs_.size() && seg_col(active_segs_[ia]) == col) ++ia;
        const std::size_t m0 = im;
        while (im < matching_segs_.size() && seg_col(matching_segs_[im]) == col) ++im;

        if (ia > a0) { // predicted column
            for (std::size_t k = a0; k < ia; ++k) {
                const std::uint32_t s = active_segs_[k], cell = conn_.cell_of(s);
                if (active_.empty() || active_.back() != cell) active_.push_back(cell), winners_.push_back(cell);
                if (learn) {
                    adapt_segment(s, p_.permanence_increment, p_.permanence_decrement);
                    grow_to_target(s);
                }
            }
            continue;
        }
        // Bursting column.
        bursting_.push_back(col);
        for (std::uint32_t i = 0; i < cpc; ++i) active_.push_back(col * cpc + i);
        if (im > m0) {
            std::uint32_t best = matching_segs_[m0];
            for (std::size_t k = m0 + 1; k < im; ++k)
                if (act_.potential(matching_segs_[k]) > act_.potential(best)) best = matching_segs_[k];
            winners_.push_back(conn_.cell_of(best));
            if (learn) {
                adapt_segment(best, p_.permanence_increment, p_.permanence_decrement);
                grow_to_target(best);
            }
        } else {
            const std::uint32_t w = least_used_cell(col);
            winners_.push_back(w);
            if (learn) {
                const auto n = std::min<std::size_t>(p_.max_new_synapse_count, prev_winners_.size());
                if (n > 0) grow_synapses(create_segment(w), static_cast<std::uint32_t>(n));
            }
        }
    }
    punish_until(p_.columns);
    anomaly_ = cols.empty() ? 0.0 : static_cast<double>(bursting_.size()) / static_cast<double>(cols.size());
    activate_dendrites();
}

void TemporalMemory::activate_dendrites() {
    conn_.compute_activity(active_, act_);
    active_segs_.clear(), matching_segs_.clear(), predictive_.clear();
    for (auto s : act_.touched) {
        if (act_.connected(s) >= p_.activation_threshold) active_segs_.push_back(s);
        if (act_.potential(s) >= p_.min_threshold) matching_segs_.push_back(s);
    }
    auto by_cell = [&](std::uint32_t a, std::uint32_t b) {
        const auto ca = conn_.cell_of(a), cb = conn_.cell_of(b);
        return ca != cb ? ca < cb : a < b;
    };
    std::sort(active_segs_.begin(), active_segs_.end(), by_cell);
    std::sort(matching_segs_.begin(), matching_segs_.end(), by_cell);
    for (auto s : active_segs_)
        if (predictive_.empty() || predictive_.back() != conn_.cell_of(s)) predictive_.push_back(conn_.cell_of(s));
}

void TemporalMemory::adapt_segment(std::uint32_t seg, float inc, float dec) {
    tmp_ = conn_.synapses_of(seg);
    for (auto y : tmp_) {
        float p = conn_.permanence(y) + (prev_active_mask_[conn_.presyn(y)] ? inc : -dec);
        p = std::clamp(p, 0.0f, 1.0f);
        if (p < kPermEpsilon) conn_.destroy_synapse(y);
        else conn_.set_permanence(y, p);
    }
    if (conn_.synapses_of(seg).empty()) conn_.destroy_segment(seg);
}

void TemporalMemory::grow_synapses(std::uint32_t seg, std::uint32_t n_desired) {
    // Candidates: previous winners not yet presynaptic to this segment.
    tmp_.clear();
    for (auto y : conn_.synapses_of(seg)) tmp_.push_back(conn_.presyn(y));
    std::sort(tmp_.begin(), tmp_.end());
    candidates_.clear();
    std::set_difference(prev_winners_.begin(), prev_winners_.end(), tmp_.begin(), tmp_.end(),
                        std::back_inserter(candidates_));
    std::size_t n = std::min<std::size_t>(n_desired, candidates_.size());
    if (n == 0) return;
    const std::size_t have = conn_.synapses_of(seg).size();
    if (have + n > p_.max_synapses_per_segment) {
        // Make room: destroy the weakest synapses that are not onto previous winners.
        std::size_t excess = have + n - p_.max_synapses_per_segment;
        tmp_.clear();
        for (auto y : conn_.synapses_of(seg))
            if (!contains(prev_winners_, conn_.presyn(y))) tmp_.push_back(y);
        std::sort(tmp_.begin(), tmp_.end(), [&](std::uint32_t a, std::uint32_t b) {
            const float pa = conn_.permanence(a), pb = conn_.permanence(b);
            return pa != pb ? pa < pb : conn_.presyn(a) < conn_.presyn(b);
        });
        for (std::size_t k = 0; k < tmp_.size() && excess > 0; ++k, --excess) conn_.destroy_synapse(tmp_[k]);
        n = std::min(n, p_.max_synapses_per_segment - conn_.synapses_of(seg).size());
    }
    // A random subset of n candidates (partial Fisher-Yates), grown in draw order.
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t j = i + rng_.below(static_cast<std::uint32_t>(candidates_.size() - i));
        std::swap(candidates_[i], candidates_[j]);
        conn_.create_synapse(seg, candidates_[i], p_.initial_permanence);
    }
}

std::uint32_t TemporalMemory::create_segment(std::uint32_t cell) {
    while (conn_.segments_of(cell).size() >= p_.max_segments_per_cell) {
        const auto& segs = conn_.segments_of(cell);
        std::uint32_t lru = segs.front(); // oldest first: ties go to the oldest
        for (auto s : segs)
            if (conn_.last_used(s) < conn_.last_used(lru)) lru = s;
        conn_.destroy_segment(lru);
    }
    return conn_.create_segment(cell, iteration_);
}

std::uint32_t TemporalMemory::least_used_cell(std::uint32_t col) {
    const std::uint32_t c0 = col * p_.cells_per_column;
    std::size_t fewest = SIZE_MAX;
    std::uint32_t ties = 0;
    for (std::uint32_t c = c0; c < c0 + p_.cells_per_column; ++c) {
        const std::size_t n = conn_.segments_of(c).size();
        if (n < fewest) fewest = n, ties = 1;
        else if (n == fewest) ++ties;
    }
    std::uint32_t pick = ties > 1 ? rng_.below(ties) : 0;
    for (std::uint32_t c = c0;; ++c)
        if (conn_.segments_of(c).size() == fewest && pick-- == 0) return c;
}

} // namespace apical::models::htm
