// What the engine hands to whoever records results. The HDF5 writer in io/
// implements RecordingSink; tests use in-memory sinks. Called from the thread that
// runs the simulation loop, between epochs, never concurrently.
#pragma once
#include "core/spike_hooks.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace apical {

// Layout of one probe's samples: row = one sample time, columns = elements,
// element k = (cells[k / n_vars], variables[k % n_vars]).
struct ProbeLayout {
    std::string name;
    std::uint32_t population = 0;
    std::vector<std::uint32_t> cells;
    std::vector<std::string> variables; // names
    std::vector<std::string> units;     // per variable
    double start = 0.0, interval = 0.1; // ms; sample n is at start + n * interval
};

class RecordingSink {
public:
    virtual ~RecordingSink() = default;
    // One population's spikes from one epoch, sorted by (time, node_id); node ids are
    // indices within the population. Called for every population after every epoch
    // (possibly with no spikes).
    virtual void spikes(std::uint32_t population, std::span<const double> times,
                        std::span<const std::uint64_t> node_ids) = 0;
    // `n_rows` consecutive sample rows of probe `probe`, row-major, each row holding
    // every element of the probe's layout.
    virtual void samples(std::uint32_t probe, std::span<const float> rows, std::size_t n_rows) = 0;
    // Rows of record `record` (ModelInfo::records of the population's model) from one
    // epoch, sorted by time: events give ids (values empty), tables give values (row-major,
    // one per column; ids empty). Called after every epoch for every declared record.
    virtual void records(std::uint32_t /*population*/, std::uint32_t /*record*/, std::span<const double> /*times*/,
                         std::span<const std::uint64_t> /*ids*/, std::span<const double> /*values*/) {}
    // Classified populations (burst detection), after every epoch: the times of the spikes
    // classified as events and as bursts (the burst's second spike), each in time order.
    virtual void classified(std::uint32_t /*population*/, std::span<const double> /*event_times*/,
                            std::span<const double> /*burst_times*/) {}
    // Classified populations: bursts that are over (written once each, when they end; rows
    // of one call sorted by onset, then cell).
    virtual void bursts(std::uint32_t /*population*/, std::span<const BurstRecord> /*bursts*/) {}
    // Weight probe `probe` (NetworkDesc::weight_probes) at time t: the sum of the
    // projection's weights and the sampled synapses' weights.
    virtual void weights(std::uint32_t /*probe*/, double /*t*/, double /*sum*/, std::span<const float> /*samples*/) {}
    // After each epoch: the simulation has reached `t` (ms).
    virtual void reached(double /*t*/) {}
};

} // namespace apical
