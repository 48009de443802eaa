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
