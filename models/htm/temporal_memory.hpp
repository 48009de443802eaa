// Temporal memory (TM): sequence learning on distal segments, with htm.core semantics.
//
// Cells: column c owns cells c*cpc ... c*cpc + cpc - 1. One compute(active_columns):
//   1. Segments were evaluated against the PREVIOUS step's active cells (at the end of
//      the previous compute): ACTIVE with >= activation_threshold connected synapses
//      onto them, MATCHING with >= min_threshold synapses of any permanence onto them.
//      Predictive cells = cells with an active segment.
//   2. Raw anomaly = |active columns without a predictive cell| / |active columns|
//      (0 when no column is active).
//   3. Each active column is either
//      predicted: its cells with an active segment become active and winners; with
//        learning each active segment is reinforced (synapses onto previously active
//        cells +permanence_increment, the others -permanence_decrement) and grows
//        max_new_synapse_count - (its active potential synapses) synapses onto previous
//        winner cells at initial_permanence; or
//      bursting: all its cells become active; the winner is the cell of the best
//        matching segment (most active potential synapses; ties: lowest cell, then
//        lowest segment id), else a least-used cell (fewest segments; ties drawn at
//        random). With learning the best matching segment is reinforced and grows as
//        above, or else a new segment is created on the winner with
//        min(max_new_synapse_count, |previous winners|) synapses (none: no segment).
//   4. Inactive columns with matching segments (wrongly predicted): with learning and
//      predicted_segment_decrement > 0, the active synapses of each matching segment
//      lose that amount.
//   Permanences are clipped to [0, 1]; a synapse at 0 is destroyed, and so is a segment
//   left without synapses. Growing beyond max_synapses_per_segment first destroys the
//   weakest synapses not onto previous winners (ties: lowest presynaptic cell); a new
//   segment on a cell holding max_segments_per_cell replaces its least recently used one.
//   Segment activity (step 1 for the next call) is computed from the new active cells.
//
// Defaults as htm.core (TemporalMemory.hpp, v2.2). Sources: Hawkins & Ahmad 2016, Front.
// Neural Circuits 10:23; BAMI "Temporal Memory Algorithm"; htm.core TemporalMemory.
#pragma once
#include "core/random.hpp"
#include "models/htm/connections.hpp"
#include "models/htm/sdr.hpp"

#include <cstdint>
#include <span>

namespace apical::models::htm {

struct TmParams {
    std::uint32_t columns = 2048;
    std::uint32_t cells_per_column = 32;
    std::uint32_t activation_threshold = 13;
    std::uint32_t min_threshold = 10;
    std::uint32_t max_new_synapse_count = 20;
    std::uint32_t max_segments_per_cell = 255;
    std::uint32_t max_synapses_per_segment = 255;
    float initial_permanence = 0.21f;
    float connected_permanence = 0.5f;
    float permanence_increment = 0.1f;
    float permanence_decrement = 0.1f;
    float predicted_segment_decrement = 0.0f;
};

class TemporalMemory {
public:
    // `rng` draws least-used-cell ties and the subset of winners a segment grows onto.
    TemporalMemory(const TmParams& p, RandomStream rng);

    // One time step. `active_columns`: sorted, unique, each < columns.
    void compute(std::span<const std::uint32_t> active_columns, bool learn);
    // Forget the current sequence context (active, winner and predictive cells).
    void reset();

    const TmParams& params() const { return p_; }
    const Sdr& active_cells() const { return active_; }
    const Sdr& winner_cells() const { return winners_; }
    // Cells with an active segment given the current active cells: the prediction for
    // the next compute().
    const Sdr& predictive_cells() const { return predictive_; }
    // Columns of the last compute() that burst (no predicted cell), ascending.
    const Sdr& bursting_columns() const { return bursting_; }
    // Raw anomaly of the last compute().
    double anomaly() const { return anomaly_; }
    std::uint64_t iteration() const { return iteration_; }

    Connections& connections() { return conn_; }
    const Connections& connections() const { return conn_; }
    std::uint32_t column_of(std::uint32_t cell) const { return cell / p_.cells_per_column; }
    // Segments active / matching for the next compute(), ascending by (cell, id).
    const std::vector<std::uint32_t>& active_segments() const { return active_segs_; }
    const std::vector<std::uint32_t>& matching_segments() const { return matching_segs_; }
    std::uint32_t active_potential_synapses(std::uint32_t seg) const { return act_.potential(seg); }

    // Checkpoints: the connections, the cell sets of this and the previous step, the segment
    // activity the next compute() starts from, the iteration count and the random stream.
    void save_state(StateWriter& w) const;
    void load_state(StateReader& r);

private:
    void activate_dendrites();
    void adapt_segment(std::uint32_t seg, float inc, float dec);
    void grow_synapses(std::uint32_t seg, std::uint32_t n_desired);
    std::uint32_t create_segment(std::uint32_t cell);
    std::uint32_t least_used_cell(std::uint32_t column);

    TmParams p_;
    RandomStream rng_;
    Connections conn_;
    std::uint64_t iteration_ = 0;
    Sdr active_, winners_, prev_active_, prev_winners_, predictive_, bursting_;
    std::vector<std::uint8_t> prev_active_mask_; // by cell, for adapt_segment
    Connections::Activity act_;
    std::vector<std::uint32_t> active_segs_, matching_segs_;
    std::vector<std::uint32_t> candidates_, tmp_;
    double anomaly_ = 0.0;
};

} // namespace apical::models::htm
