// Hooks the engine calls on the exchanged spike stream, between epochs: burst detection
// (spike classifiers), short-term plasticity and long-term plasticity. core/ defines only
// these interfaces; the rules live in models/ and are registered by name (KindInfo).
//
// Cost model: a classifier sees one population's spikes of an epoch in one call; an STP
// model sees one projection's transmitted spikes in one call and returns one efficacy per
// spike (shared parameters: state per presynaptic cell, no per-synapse work); a plasticity
// rule sees, per (projection, target group), the epoch's pre and post spikes in one call.
//
// Checkpoints: a hook whose state carries from one epoch to the next overrides
// can_checkpoint(), save_state() and load_state() (as CellGroup does): everything but its
// parameters, so that a hook built again from the same description and loaded continues
// bit for bit. The engine writes each hook's state inside its own section; a hook that
// does not override them makes `apical run --checkpoint-every` refuse to start.
#pragma once
#include "core/state_io.hpp"

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace apical {

// What a spike is for burst-sensitive readers (Naud & Sprekeler 2018; Payeur et al. 2021):
// an event (an isolated spike or the first of a burst), the spike that makes an event a
// burst (counted once), or a later spike of a burst (nothing new). Populations nobody
// classifies have every spike as `unclassified`.
enum class SpikeKind : std::uint8_t { unclassified = 0, event = 1, burst = 2, in_burst = 3 };

// A finished burst: onset (time of its event), cell, number of spikes.
struct BurstRecord {
    double onset;
    std::uint32_t cell;
    std::uint32_t spikes;
};

class SpikeClassifier {
public:
    virtual ~SpikeClassifier() = default;
    // One population's spikes of one epoch, in (time, cell) order: set kinds[i]. Bursts that
    // are over by `t_now` (no later spike can extend them) are appended to `done`.
    virtual void classify(std::span<const double> times, std::span<const std::uint32_t> cells,
                          std::span<SpikeKind> kinds, double t_now, std::vector<BurstRecord>& done) = 0;
    // End of the run: every burst still open is appended to `done`.
    virtual void finish(std::vector<BurstRecord>& done) = 0;
    // Checkpoints (per cell: traces, last spike, open bursts).
    virtual bool can_checkpoint() const { return false; }
    virtual void save_state(StateWriter& /*w*/) const {
        throw CheckpointError("this burst classifier cannot save its state");
    }
    virtual void load_state(StateReader& /*r*/) {
        throw CheckpointError("this burst classifier cannot restore its state");
    }
};

// A presynaptic spike as a projection's transmission sees it.
struct SourceSpike {
    double time;
    std::uint32_t cell; // index within the source population
    SpikeKind kind;
};

// Short-term plasticity of one projection (shared parameters): efficacy per transmitted
// spike, multiplying every synapse's weight for that spike.
class ShortTermPlasticity {
public:
    virtual ~ShortTermPlasticity() = default;
    // Spikes in time order; writes efficacy[i] for spikes[i] and updates its state.
    virtual void transmit(std::span<const SourceSpike> spikes, std::span<float> efficacy) = 0;
    // Checkpoints (per presynaptic cell).
    virtual bool can_checkpoint() const { return false; }
    virtual void save_state(StateWriter& /*w*/) const {
        throw CheckpointError("this short-term plasticity model cannot save its state");
    }
    virtual void load_state(StateReader& /*r*/) {
        throw CheckpointError("this short-term plasticity model cannot restore its state");
    }
};

// One spike as a plasticity rule sees it: presynaptic (cell = source index) or
// postsynaptic (cell = group-local target index); `learning`: weights may change at it
// (traces are updated either way).
struct PlasticSpike {
    double time;
    std::uint32_t cell;
    SpikeKind kind;
    bool post;
    bool learning;
};

// The synapses of one projection onto one cell group, as the rule may touch them: CSR by
// source (row, target), plus the same synapses by target (by_target_offset over group-local
// targets, by_target = synapse indices; source_of = source cell of each synapse).
struct SynapseView {
    std::span<const std::uint32_t> row;
    std::span<const std::uint16_t> target;
    std::span<float> weight;
    std::span<const std::uint32_t> by_target_offset, by_target, source_of;
    std::uint32_t n_source = 0, n_target = 0;
};

class PlasticityRule {
public:
    virtual ~PlasticityRule() = default;
    // The epoch's spikes of the pre and post populations, in time order (a spike of a
    // population projecting onto itself appears as post, then pre).
    virtual void update(SynapseView& syn, std::span<const PlasticSpike> spikes) = 0;
    // Checkpoints: the rule's traces (the weights are the engine's and saved by it).
    virtual bool can_checkpoint() const { return false; }
    virtual void save_state(StateWriter& /*w*/) const {
        throw CheckpointError("this plasticity rule cannot save its state");
    }
    virtual void load_state(StateReader& /*r*/) {
        throw CheckpointError("this plasticity rule cannot restore its state");
    }
};

// Piecewise on/off schedule: on in [start[i], stop[i]); empty: always on.
struct Schedule {
    std::vector<double> start, stop;
    bool at(double t) const {
        if (start.empty()) return true;
        for (std::size_t i = 0; i < start.size(); ++i)
            if (t >= start[i] && t < stop[i]) return true;
        return false;
    }
};

} // namespace apical
