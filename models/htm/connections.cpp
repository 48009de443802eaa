#include "models/htm/connections.hpp"

#include <algorithm>
#include <stdexcept>

namespace apical::models::htm {

Connections::Connections(std::uint32_t n_cells, float connected_permanence)
    : connected_(connected_permanence), cell_segs_(n_cells), out_syns_(n_cells) {}

std::uint32_t Connections::create_segment(std::uint32_t cell, std::uint64_t iteration) {
    if (cell >= n_cells()) throw std::out_of_range("htm: segment on cell " + std::to_string(cell) + " out of range");
    std::uint32_t s;
    if (!seg_free_.empty()) {
        s = seg_free_.back();
        seg_free_.pop_back();
        seg_cell_[s] = cell;
        seg_syns_[s].clear();
        seg_last_used_[s] = iteration;
        seg_alive_[s] = 1;
    } else {
        s = static_cast<std::uint32_t>(seg_cell_.size());
        seg_cell_.push_back(cell);
        seg_syns_.emplace_back();
        seg_last_used_.push_back(iteration);
        seg_alive_.push_back(1);
    }
    cell_segs_[cell].push_back(s);
    return s;
}

void Connections::destroy_segment(std::uint32_t seg) {
    if (!alive(seg)) return;
    while (!seg_syns_[seg].empty()) destroy_synapse(seg_syns_[seg].back());
    auto& cs = cell_segs_[seg_cell_[seg]];
    cs.erase(std::find(cs.begin(), cs.end(), seg)); // keeps the others in age order
    seg_alive_[seg] = 0;
    seg_free_.push_back(seg);
}

std::uint32_t Connections::create_synapse(std::uint32_t seg, std::uint32_t presyn, float permanence) {
    if (presyn >= n_cells()) throw std::out_of_range("htm: presynaptic cell out of range");
    std::uint32_t y;
    if (!syn_free_.empty()) {
        y = syn_free_.back();
        syn_free_.pop_back();
        syn_presyn_[y] = presyn, syn_seg_[y] = seg, syn_perm_[y] = permanence;
        syn_outpos_[y] = static_cast<std::uint32_t>(out_syns_[presyn].size());
    } else {
        y = static_cast<std::uint32_t>(syn_presyn_.size());
        syn_presyn_.push_back(presyn), syn_seg_.push_back(seg), syn_perm_.push_back(permanence);
        syn_outpos_.push_back(static_cast<std::uint32_t>(out_syns_[presyn].size()));
    }
    seg_syns_[seg].push_back(y);
    out_syns_[presyn].push_back({seg, y, permanence});
    return y;
}

void Connections::destroy_synapse(std::uint32_t y) {
    auto& ss = seg_syns_[syn_seg_[y]];
    ss.erase(std::find(ss.begin(), ss.end(), y));
    // A cell's outgoing list is only ever summed over, so its order does not matter.
    auto& os = out_syns_[syn_presyn_[y]];
    const std::uint32_t at = syn_outpos_[y];
    os[at] = os.back();
    syn_outpos_[os[at].syn] = at;
    os.pop_back();
    syn_free_.push_back(y);
}

void Connections::save_state(StateWriter& w) const {
    w.begin("htm_connections");
    w.put(connected_);
    w.put_nested(cell_segs_);
    w.put_nested(out_syns_);
    w.put(syn_outpos_), w.put(seg_cell_);
    w.put_nested(seg_syns_);
    w.put(seg_last_used_), w.put(seg_alive_), w.put(seg_free_);
    w.put(syn_presyn_), w.put(syn_seg_), w.put(syn_perm_), w.put(syn_free_);
    w.end();
}

void Connections::load_state(StateReader& r) {
    r.begin("htm_connections");
    if (r.get<float>() != connected_)
        throw CheckpointError("checkpoint: htm connected_permanence differs (saved by another network?)");
    r.get_nested(cell_segs_, false);
    r.get_nested(out_syns_, false);
    r.get_vector(syn_outpos_, true), r.get_vector(seg_cell_, true);
    r.get_nested(seg_syns_, true);
    r.get_vector(seg_last_used_, true), r.get_vector(seg_alive_, true), r.get_vector(seg_free_, true);
    r.get_vector(syn_presyn_, true), r.get_vector(syn_seg_, true), r.get_vector(syn_perm_, true);
    r.get_vector(syn_free_, true);
    r.end();
    // Enough consistency that no id read below can index out of range.
    const std::size_t n_seg = seg_cell_.size(), n_syn = syn_presyn_.size();
    bool ok = seg_syns_.size() == n_seg && seg_last_used_.size() == n_seg && seg_alive_.size() == n_seg &&
              syn_seg_.size() == n_syn && syn_perm_.size() == n_syn && syn_outpos_.size() == n_syn;
    for (auto& cs : cell_segs_)
        for (auto s : cs) ok = ok && s < n_seg;
    for (auto& os : out_syns_)
        for (auto& o : os) ok = ok && o.seg < n_seg && o.syn < n_syn;
    for (auto& ss : seg_syns_)
        for (auto y : ss) ok = ok && y < n_syn;
    for (auto c : seg_cell_) ok = ok && c < n_cells();
    for (auto c : syn_presyn_) ok = ok && c < n_cells();
    for (auto s : syn_seg_) ok = ok && s < n_seg;
    for (auto s : seg_free_) ok = ok && s < n_seg;
    for (auto y : syn_free_) ok = ok && y < n_syn;
    std::vector<std::uint8_t> is_free(n_syn, 0);
    for (auto y : syn_free_)
        if (y < n_syn) is_free[y] = 1;
    for (std::size_t y = 0; ok && y < n_syn; ++y) ok = is_free[y] || syn_outpos_[y] < out_syns_[syn_presyn_[y]].size();
    if (!ok) throw CheckpointError("checkpoint: the htm segments and synapses are inconsistent (corrupt state?)");
}

void Connections::compute_activity(std::span<const std::uint32_t> active_cells, Activity& a) const {
    for (auto s : a.touched) a.count[s] = {};
    a.touched.clear();
    if (a.count.size() < seg_cell_.size()) a.count.resize(seg_cell_.size());
    const float thr = connected_ - kPermEpsilon;
    for (auto c : active_cells)
        for (const OutSyn& o : out_syns_[c]) {
            auto& k = a.count[o.seg];
            if (k.potential++ == 0) a.touched.push_back(o.seg);
            k.connected += o.perm >= thr;
        }
}

} // namespace apical::models::htm
