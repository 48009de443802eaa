// Distal dendrite storage for the temporal memory: cells own segments, segments own
// synapses (presynaptic cell, permanence).
//
// Layout, built for the per-step loop: synapses live in one structure-of-arrays pool
// (presynaptic cell, segment, permanence) indexed by a synapse id; every presynaptic
// cell keeps the ids of its outgoing synapses, so the activity of all segments is
// computed by walking the synapses of the ACTIVE cells only (cost ~ active cells x
// their fan-out, not ~ all synapses). Segment and synapse ids are recycled through
// free lists; nothing is allocated per synapse.
//
//   Connections c(64, 0.5f);
//   auto s = c.create_segment(7, 0);          // a segment on cell 7
//   c.create_synapse(s, 3, 0.6f);             // cell 3 -> segment s, connected
//   c.compute_activity(Sdr{3}, act);          // act.connected(s) == 1
#pragma once
#include "core/state_io.hpp"
#include "models/htm/sdr.hpp"

#include <cstdint>
#include <vector>

namespace apical::models::htm {

// Permanences are floats; comparisons allow this much rounding (0.21 + 3 x 0.1 must
// count as >= 0.5, and a permanence that decays to "0" is removed).
inline constexpr float kPermEpsilon = 1e-6f;

class Connections {
public:
    Connections(std::uint32_t n_cells, float connected_permanence);

    std::uint32_t create_segment(std::uint32_t cell, std::uint64_t iteration);
    void destroy_segment(std::uint32_t seg);
    std::uint32_t create_synapse(std::uint32_t seg, std::uint32_t presyn, float permanence);
    void destroy_synapse(std::uint32_t syn);

    std::uint32_t n_cells() const { return static_cast<std::uint32_t>(cell_segs_.size()); }
    std::size_t n_segments() const { return seg_cell_.size() - seg_free_.size(); }
    std::size_t n_synapses() const { return syn_presyn_.size() - syn_free_.size(); }
    // Upper bound of segment ids (live or free): size for per-segment arrays.
    std::size_t segment_capacity() const { return seg_cell_.size(); }

    // Segments of a cell, oldest first; synapses of a segment, in creation order.
    const std::vector<std::uint32_t>& segments_of(std::uint32_t cell) const { return cell_segs_[cell]; }
    const std::vector<std::uint32_t>& synapses_of(std::uint32_t seg) const { return seg_syns_[seg]; }
    std::uint32_t cell_of(std::uint32_t seg) const { return seg_cell_[seg]; }
    bool alive(std::uint32_t seg) const { return seg < seg_alive_.size() && seg_alive_[seg]; }
    std::uint32_t presyn(std::uint32_t syn) const { return syn_presyn_[syn]; }
    float permanence(std::uint32_t syn) const { return syn_perm_[syn]; }
    void set_permanence(std::uint32_t syn, float p) {
        syn_perm_[syn] = p;
        out_syns_[syn_presyn_[syn]][syn_outpos_[syn]].perm = p;
    }
    std::uint64_t last_used(std::uint32_t seg) const { return seg_last_used_[seg]; }
    void set_last_used(std::uint32_t seg, std::uint64_t it) { seg_last_used_[seg] = it; }
    bool connected(std::uint32_t syn) const { return syn_perm_[syn] >= connected_ - kPermEpsilon; }
    float connected_permanence() const { return connected_; }

    // Per-segment counts of synapses onto a set of active cells. Only the touched
    // segments are listed and reset between calls.
    struct Activity {
        struct Count {
            std::uint32_t potential = 0, connected = 0;
        };
        std::vector<Count> count;           // by segment id (both counts in one cache line)
        std::vector<std::uint32_t> touched; // segments with potential > 0, in no set order
        std::uint32_t connected(std::uint32_t seg) const { return seg < count.size() ? count[seg].connected : 0; }
        std::uint32_t potential(std::uint32_t seg) const { return seg < count.size() ? count[seg].potential : 0; }
    };
    void compute_activity(std::span<const std::uint32_t> active_cells, Activity& out) const;

    // Checkpoints: every segment and synapse with its id, the free lists and the order of
    // every list, so that a restored instance recycles ids and walks lists exactly as this
    // one would. load_state() expects an instance with the same number of cells.
    void save_state(StateWriter& w) const;
    void load_state(StateReader& r);

private:
    float connected_;
    std::vector<std::vector<std::uint32_t>> cell_segs_; // by cell
    // By presynaptic cell: its synapses with their segment and a copy of the permanence, so
    // the activity loop reads one contiguous list per active cell (the copy is kept in step
    // by set_permanence; syn_outpos_ says where each synapse sits in its cell's list).
    struct OutSyn {
        std::uint32_t seg, syn;
        float perm;
    };
    std::vector<std::vector<OutSyn>> out_syns_;
    std::vector<std::uint32_t> syn_outpos_;
    std::vector<std::uint32_t> seg_cell_;
    std::vector<std::vector<std::uint32_t>> seg_syns_;
    std::vector<std::uint64_t> seg_last_used_;
    std::vector<std::uint8_t> seg_alive_;
    std::vector<std::uint32_t> seg_free_;
    std::vector<std::uint32_t> syn_presyn_, syn_seg_;
    std::vector<float> syn_perm_;
    std::vector<std::uint32_t> syn_free_;
};

} // namespace apical::models::htm
