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

class Exchange;

struct SimulationOptions {
    // 0: the CPUs the process may use (resolved_threads). More than available_threads() run on
    // that many (Simulation::threads() tells): more would not run at once.
    int threads = 0;
    // At most this many cells per cell group; each population is cut into as few groups as
    // that allows, of equal size. Results do not depend on it. 0: automatic: with one thread
    // (and one rank) resolved_group_size; with more, the size up to that one, and whether the
    // populations are first cut at the boundaries between the threads' equal shares of the
    // work (cut_lanes), whose groups share out best among the threads
    // (Simulation::group_size() and cut_lanes() tell which). A checkpoint records both, so
    // that it restarts on any number of threads.
    std::uint32_t group_size = 0;
    // With a group_size given: first cut the populations where a boundary between this many
    // equal shares of the network's estimated work falls inside one (1: no such cut). Ignored
    // with the automatic size, which chooses it.
    std::uint32_t cut_lanes = 1;
    // A distributed run: this process is one rank of exchange->size(); it builds and advances
    // only its own cell groups and exchanges spikes once per epoch. Rank 0 alone reports to
    // the RecordingSink (every spike, sample and record of the whole network); the others
    // pass any sink, which receives nothing. nullptr: a single process.
    Exchange* exchange = nullptr;
    // Grid event times: hand a spike's synapses of a static constant-delay projection to
    // models that take them as one SynapseRow (core/cell_group.hpp) instead of one Event per
    // synapse. Off only for tests that check both ways give the same result.
    bool synapse_rows = true;
};

// How many threads this process runs at once: TBB's limit, which is the CPUs the process
// may use (its affinity mask: `taskset`, an MPI rank's binding, a container's CPU set) unless
// a tbb::global_control sets another. Asking for more threads runs no more at once: TBB
// starts no more workers (it warns once), and the lanes it does not start leave their cell
// groups to the first thread.
int available_threads();
// The number of threads a simulation with `options` runs on: options.threads, at most
// available_threads(), which is also what 0 means.
int resolved_threads(const SimulationOptions& options);
// The group size a one-thread simulation uses (and the largest automatic size on more threads):
// `requested`, or for 0 the automatic size: 2048 cells in a network with projections, 512
// otherwise. Each group pays per epoch for every spike that reaches it (a row lookup, with
// grid times a queued row), which small groups multiply; without projections there is no
// such cost, and larger groups only stop fitting a core's cache sooner (bench/RESULTS.md,
// "Group size"). It depends on the network only.
std::uint32_t resolved_group_size(const NetworkDesc& net, std::uint32_t requested);

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
    std::uint32_t group_size = 0;    // the group size used (Simulation::group_size())
    std::uint32_t cut_lanes = 1;     // the lane cut used (Simulation::cut_lanes())
    std::uint64_t synapse_bytes = 0; // bytes held by synapse storage (targets, weights, delays, rows)
    double epoch_ms = 0;
    // Wall time of run() on this rank, and the part spent gathering and sorting the epochs'
    // spikes (phase 3: the exchange between ranks in a distributed run).
    double run_seconds = 0, exchange_seconds = 0;
};

// A state variable became NaN or infinite, or left its model's sane range: the run stops
// instead of writing garbage. The message names population, cell, variable, time and a hint.
class NumericalError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What a network will take in memory, estimated from its description before anything is
// built: cell state plus the expected synapse count of each projection (from its rule) times
// the bytes the engine stores per synapse. Event queues and recording buffers, which depend
// on activity, are not included: the real need is somewhat higher.
struct MemoryEstimate {
    double cell_bytes = 0, synapse_bytes = 0;
    double synapses = 0; // expected count
    // Each cell group's event ring: one (empty) queue per step of dt from an epoch's start to
    // the latest arrival of its spikes, so (smallest + largest delay) / dt queues per group.
    double event_queue_bytes = 0;
    double ring_steps = 0; // queues per group
    double total() const { return cell_bytes + synapse_bytes + event_queue_bytes; }
};
MemoryEstimate estimate_memory(const NetworkDesc& net, const Registry& registry,
                               std::uint32_t group_size = SimulationOptions{}.group_size); // 0: automatic

class StateWriter;
class StateReader;

class Simulation {
public:
    Simulation(const NetworkDesc& net, const Registry& registry, SimulationOptions opt = {});
    ~Simulation();
    Simulation(const Simulation&) = delete;
    Simulation& operator=(const Simulation&) = delete;

    // Advance to `t_stop` (ms; rounded to whole epochs' steps), reporting to `sink`.
    // Returns the time reached; stops early (at an epoch boundary) when *stop becomes true.
    // Throws std::invalid_argument for a t_stop that is NaN or more than 2^52 steps of dt.
    double run(double t_stop, RecordingSink& sink, const std::atomic<bool>* stop = nullptr);

    // End of the run: hooks hand over what they still hold (bursts not yet closed). Once.
    void finish(RecordingSink& sink);
    double time() const;
    const NetworkStats& stats() const;
    std::vector<ProbeLayout> probe_layouts() const;
    std::uint64_t population_gid0(std::uint32_t pop) const;
    int threads() const; // the threads it runs on: SimulationOptions::threads, at most available_threads()
    // Cells per cell group (at most), as used: SimulationOptions::group_size, or the
    // automatic size for this network and thread count.
    std::uint32_t group_size() const;
    // The equal shares of work whose boundaries first cut the populations, as used:
    // SimulationOptions::cut_lanes, or the automatic choice (1: none).
    std::uint32_t cut_lanes() const;
    // One projection's synapses, in group order. In a distributed run this is collective
    // (every rank must call it, in the same order): rank 0 gets all of them, the others none.
    SynapseList synapses(std::uint32_t projection) const;
    // The synapses this process holds (in a distributed run: those onto its own cells).
    SynapseList local_synapses(std::uint32_t projection) const;
    int rank() const;
    int ranks() const;
    // Cells of each rank (distributed runs; one entry otherwise).
    std::vector<std::uint64_t> cells_per_rank() const;
    std::int64_t epoch_steps() const;

    // Checkpoints (see docs/checkpoint.md). "" when every cell group and event stimulus can
    // save its state; else which population or stimulus cannot, naming its model or type.
    std::string checkpoint_unsupported() const;
    // Writes the whole dynamic state at the current epoch boundary: time, spikes in flight,
    // queued events, the state of every cell group, event stimulus and projection. Throws
    // CheckpointError when something cannot be saved (see checkpoint_unsupported()).
    void save_state(StateWriter& w) const;
    // Restores what save_state() wrote into a Simulation built from the same NetworkDesc
    // (any thread count); running on continues bit for bit as the saved one would have.
    // Throws CheckpointError when the state does not fit this network.
    void load_state(StateReader& r);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace apical
