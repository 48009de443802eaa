// One scenario run into one result file: what `apical run` does, and what `apical sweep`
// does for each point (in-process, several at a time, each Simulation in its own arena).
#pragma once
#include "core/simulation.hpp"
#include "io/scenario.hpp"

#include <atomic>
#include <string>

namespace apical::app {

struct RunOutcome {
    enum class End { completed, interrupted, numerical_failure } end = End::completed;
    double reached = 0.0, wall = 0.0; // ms simulated, wall seconds (build included)
    int threads = 0;
    std::string message;              // what went wrong (numerical failure)
    NetworkStats stats;
};

// Builds the network, writes `out` (through `out`.partial) and runs for the scenario's
// duration; stops early at an epoch boundary when *stop becomes true. The file is always
// finished (completed = 1 only for a full run). Throws std::invalid_argument when the
// network cannot be built (no file is written then); other errors propagate after the
// file has been closed.
RunOutcome run_to_file(const io::Scenario& s, const Registry& reg, const std::string& out, bool progress,
                       const std::atomic<bool>* stop);

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
