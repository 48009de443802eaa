// One scenario run into one result file: what `apical run` does, and what `apical sweep`
// does for each point (in-process, several at a time, each Simulation in its own arena).
#pragma once
#include "core/exchange.hpp"
#include "core/simulation.hpp"
#include "io/checkpoint_file.hpp"
#include "io/scenario.hpp"

#include <atomic>
#include <string>

namespace apical::app {

struct RunOutcome {
    enum class End { completed, interrupted, numerical_failure } end = End::completed;
    double reached = 0.0, wall = 0.0; // ms simulated, wall seconds (build included)
    int threads = 0;                  // per rank
    int ranks = 1;
    std::string message;           // what went wrong (numerical failure)
    double t_start = 0.0;          // ms: 0, or the checkpoint time a restarted run began at
    int checkpoints = 0;           // checkpoints written
    double last_checkpoint = -1.0; // ms; < 0: none
    NetworkStats stats;
};

// Checkpoints of one run (docs/checkpoint.md).
struct CheckpointPlan {
    double every = 0.0;                      // ms of simulated time (rounded up to whole epochs); 0: none
    std::string path;                        // the checkpoint file (rewritten each time)
    std::string scenario_file;               // absolute path of the scenario, stored in the checkpoint
    const io::Checkpoint* restart = nullptr; // continue from this state
};

// Thrown before anything is written when checkpoints are asked of a network that cannot
// save its state, or a checkpoint does not fit the network: bad usage (exit 2).
class CheckpointUsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Builds the network, writes `out` (through `out`.partial) and runs for the scenario's
// duration; stops early at an epoch boundary when *stop becomes true. The file is always
// finished (completed = 1 only for a full run). Throws std::invalid_argument when the
// network cannot be built or will not fit in memory, CheckpointUsageError as above (no file
// is written then); other errors propagate after the file has been closed.
// With checkpoints, the state is saved every `plan.every` ms and when stopped early.
// With `exchange` (a distributed run, one call per rank), rank 0 writes the file for the
// whole network and the other ranks write nothing.
RunOutcome run_to_file(const io::Scenario& s, const Registry& reg, const std::string& out, bool progress,
                       const std::atomic<bool>* stop, const CheckpointPlan& plan = {}, Exchange* exchange = nullptr);

// While alive, SIGINT and SIGTERM set flag() instead of killing the process, so runs in
// flight close their files (completed = 0). A signal handler can reach only a static, so
// there is one flag per process.
class StopOnSignal {
public:
    StopOnSignal();
    ~StopOnSignal();
    StopOnSignal(const StopOnSignal&) = delete;
    StopOnSignal& operator=(const StopOnSignal&) = delete;
    const std::atomic<bool>& flag() const;
    bool requested() const { return flag().load(); }

private:
    void (*old_int_)(int);
    void (*old_term_)(int);
};

} // namespace apical::app
