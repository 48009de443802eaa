// Event stimuli (Poisson trains, spike lists) as seen by the engine: each one, per
// cell group, appends its events for the coming epoch. Current stimuli are not
// events: they reach the models as Waveforms (core/waveform.hpp).
#pragma once
#include "core/cell_group.hpp"
#include "core/network.hpp"

#include <cstdint>
#include <vector>

namespace apical {

struct StimulusBuild {
    const StimulusDesc& desc;
    std::uint32_t stimulus_index = 0; // position in NetworkDesc::stimuli
    std::uint64_t seed = 1;
    std::uint64_t gid0 = 0;           // global id of the group's first cell
    std::vector<std::uint32_t> cells; // group-local target cells
    std::uint16_t slot = 0;           // target slot (compartment x receptor)
};

class EventSource {
public:
    virtual ~EventSource() = default;
    // Append every event with time in [e.t0(), e.t1()).
    virtual void generate(const Epoch& e, std::vector<Event>& out) = 0;
    // Checkpoints, as for CellGroup: sources that can save their state override all three.
    virtual bool can_checkpoint() const { return false; }
    virtual void save_state(StateWriter& /*w*/) const { throw CheckpointError("this stimulus cannot save its state"); }
    virtual void load_state(StateReader& /*r*/) { throw CheckpointError("this stimulus cannot restore its state"); }
};

// What a connectivity rule is asked: the sources of one target cell.
struct ConnectRequest {
    const ProjectionDesc& projection;
    std::uint32_t n_source = 0, n_target = 0;
    std::uint32_t target = 0;             // index within the target population
    bool same_population = false;         // source and target are one population
    class RandomStream* stream = nullptr; // keyed by (seed, projection, target gid)
};

} // namespace apical
