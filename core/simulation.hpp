// A Simulation owns one network: its cell groups, connectivity, event queues, thread
// arena and random streams. No globals: any number can live in one process.
#pragma once
#include "core/cell_group.hpp"
#include "core/network.hpp"
#include "core/recording.hpp"
#include "core/registry.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace apical {

struct SimulationOptions {
    int threads = 0;                 // 0: all cores
    std::uint32_t group_size = 512;  // cells per cell group (fixed: results do not depend on threads)
};

struct Spike {
    double time;       // ms
    std::uint64_t gid; // global cell id
};

// One projection's synapses, gathered (for tests, weight output and inspection).
struct SynapseList {
    std::vector<std::uint32_t> source, target; // population-local indices
    std::vector<float> weight, delay;
};

struct NetworkStats {
    std::uint64_t cells = 0, synapses = 0, groups = 0;
    std::uint64_t synapse_bytes = 0; // bytes held by synapse storage (targets, weights, delays, rows)
    double epoch_ms = 0;
};

// A state variable became NaN or infinite, or left its model's sane range: the run stops
// instead of writing garbage. The message names population, cell, variable, time and a hint.
class NumericalError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Simulation {
public:
    Simulation(const NetworkDesc& net, const Registry& registry, SimulationOptions opt = {});
    ~Simulation();
    Simulation(const Simulation&) = delete;
    Simulation& operator=(const Simulation&) = delete;

    // Advance to `t_stop` (ms; rounded to whole epochs' steps), reporting to `sink`.
    // Returns the time reached; stops early (at an epoch boundary) when *stop becomes true.
    double run(double t_stop, RecordingSink& sink, const std::atomic<bool>* stop = nullptr);

    // End of the run: hooks hand over what they still hold (bursts not yet closed). Once.
    void finish(RecordingSink& sink);
    double time() const;
    const NetworkStats& stats() const;
    std::vector<ProbeLayout> probe_layouts() const;
    std::uint64_t population_gid0(std::uint32_t pop) const;
    int threads() const;
    SynapseList synapses(std::uint32_t projection) const;
    std::int64_t epoch_steps() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace apical
