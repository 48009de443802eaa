// Spatial pooler (SP): maps an input SDR to a sparse set of active columns with a fixed
// fraction active, learning which input bits each column responds to.
//
// Topology is one-dimensional (inputs and columns on a ring; column c is centred on
// input floor((c + 0.5) * inputs / columns)).
//   Potential pool: round(potential_pct * |window|) inputs drawn at random from the
//     window of +-potential_radius inputs around the centre (potential_radius 0: the
//     whole input). Initially about half are connected: permanence
//     syn_perm_connected + U * syn_perm_active_inc / 4 (connected, with probability
//     init_connected_pct) or U * syn_perm_connected (not connected).
//   Overlap: connected synapses onto active input bits, times the column's boost factor.
//   Inhibition: global: the k = round(local_area_density * columns) columns with the
//     highest boosted overlap (ties: lowest column); local: a column wins when fewer than
//     round(local_area_density * (2r + 1)) columns within the inhibition radius r beat it
//     (higher boosted overlap, or equal and lower index). Either way a column needs
//     overlap >= stimulus_threshold and > 0.
//   Learning (active columns only): synapses onto active inputs +syn_perm_active_inc,
//     the others -syn_perm_inactive_dec, clipped to [0, 1]. Duty cycles are moving
//     averages over min(duty_cycle_period, steps so far) steps of "overlap > 0" and
//     "active". A column whose overlap duty cycle is below min_pct_overlap_duty_cycles x
//     the largest one gets syn_perm_connected / 10 added to every permanence in its pool.
//     Boost = exp((local_area_density - active duty cycle) * boost_strength). Each
//     column keeps at least stimulus_threshold connected synapses (permanences raised).
//     The inhibition radius (local inhibition) is re-estimated every duty_cycle_period
//     steps from the mean connected span of the columns.
//
// Activity is computed from the active input bits only: each input bit lists the
// (column, synapse) pairs of the pools that contain it (fixed, since pools never change).
// Sources: Cui, Ahmad & Hawkins 2017, Front. Comput. Neurosci. 11:111; BAMI "Spatial
// Pooling Algorithm"; htm.core SpatialPooler (defaults and update rules).
#pragma once
#include "core/random.hpp"
#include "models/htm/sdr.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace apical::models::htm {

struct SpParams {
    std::uint32_t inputs = 1000;
    std::uint32_t columns = 2048;
    std::uint32_t potential_radius = 16; // 0: the whole input
    double potential_pct = 0.5;
    double init_connected_pct = 0.5;
    bool global_inhibition = true;
    double local_area_density = 0.02;
    std::uint32_t stimulus_threshold = 0;
    float syn_perm_inactive_dec = 0.008f;
    float syn_perm_active_inc = 0.05f;
    float syn_perm_connected = 0.1f;
    double min_pct_overlap_duty_cycles = 0.001;
    std::uint32_t duty_cycle_period = 1000;
    double boost_strength = 0.0;
};

class SpatialPooler {
public:
    SpatialPooler(const SpParams& p, RandomStream rng);

    // `input`: sorted active input bits (< inputs). Writes the active columns, sorted.
    void compute(std::span<const std::uint32_t> input, bool learn, Sdr& active_columns);

    const SpParams& params() const { return p_; }
    std::uint32_t inhibition_radius() const { return radius_; }
    const std::vector<float>& boost_factors() const { return boost_; }
    const std::vector<double>& active_duty_cycles() const { return active_duty_; }
    const std::vector<double>& overlap_duty_cycles() const { return overlap_duty_; }
    // Raw (unboosted) overlaps of the last compute().
    const std::vector<std::uint32_t>& overlaps() const { return overlap_; }
    // A column's potential pool (input bits, ascending) and permanences, in the same order.
    std::span<const std::uint32_t> pool(std::uint32_t col) const;
    std::span<const float> permanences(std::uint32_t col) const;
    std::span<float> permanences(std::uint32_t col);
    std::uint32_t connected_count(std::uint32_t col) const;
    // Number of winners sought per inhibition area.
    std::uint32_t target_active(std::uint32_t area) const;

    // Checkpoints: permanences, duty cycles, boosts, inhibition radius, iteration counts
    // (the potential pools are drawn again from the seed when the pooler is rebuilt).
    void save_state(StateWriter& w) const;
    void load_state(StateReader& r);

private:
    void inhibit_global(Sdr& out) const;
    void inhibit_local(Sdr& out) const;
    void raise_to_threshold(std::uint32_t col);
    void update_radius();

    SpParams p_;
    std::vector<std::uint32_t> pool_off_, pool_in_; // CSR by column
    std::vector<float> perm_;
    std::vector<std::uint32_t> in_off_, in_syn_; // CSR by input bit: synapse index into pool_in_/perm_
    std::vector<std::uint32_t> syn_col_;         // column of each synapse
    std::vector<std::uint32_t> overlap_;
    std::vector<float> boosted_;
    std::vector<float> boost_;
    std::vector<double> overlap_duty_, active_duty_;
    std::vector<std::uint8_t> in_active_;
    std::uint32_t radius_ = 0;
    std::uint64_t iteration_ = 0, learn_iteration_ = 0;
    mutable std::vector<std::uint32_t> order_;
};

} // namespace apical::models::htm
