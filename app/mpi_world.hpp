// MPI for `apical run` (one network across ranks) and `apical sweep` (ranks share the points),
// when Apical is built with MPI (APICAL_HAVE_MPI) and launched by mpirun/srun. Only the main
// thread of a rank calls MPI (MPI_THREAD_FUNNELED); sweep worker threads ask it for points.
//
// The MPI code is not part of the executable: it is the module apical_mpi.so (app/mpi/),
// loaded by join_if_launched() only when the environment shows a launcher with several
// ranks. A run without mpirun then maps no MPI library at all (Open MPI and what it pulls in,
// hwloc, libevent, PMIx..., cost about 1.1 MiB of resident memory and start-up time in every
// process otherwise). docs/clusters.md, "How apical loads MPI".
#pragma once
#include "app/point_source.hpp"
#include "core/exchange.hpp"

#include <memory>
#include <string>

namespace apical::app {

class MpiWorld {
public:
    // Initialises MPI when the environment shows an MPI launcher; nullptr when it does not,
    // or when the job has a single rank. Throws std::runtime_error when launched with
    // several ranks by a build without MPI (each rank would run every point), or when the
    // MPI module cannot be loaded.
    static std::unique_ptr<MpiWorld> join_if_launched();
    virtual ~MpiWorld() = default; // MPI_Finalize
    MpiWorld(const MpiWorld&) = delete;
    MpiWorld& operator=(const MpiWorld&) = delete;

    virtual int rank() const = 0;
    virtual int size() const = 0;
    virtual int ranks_on_this_node() const = 0;
    // Rank 0's `value` on every rank.
    virtual int broadcast(int value) const = 0;
    virtual void barrier() const = 0;
    // Ends every rank of the job (MPI_Abort): for a failure on one rank that the others
    // cannot learn of, so they do not wait for it forever.
    [[noreturn]] virtual void abort(int status) const = 0;
    // The largest `value` over all ranks, on every rank.
    virtual int max_over_ranks(int value) const = 0;
    // Dynamic assignment: rank 0 hands out `points` (ignored on other ranks) one at a time
    // to whichever worker thread of any rank asks next; every rank runs `jobs` worker
    // threads. Returns on every rank when all points are handed out (or `stop` is set on
    // rank 0) and all workers everywhere have finished.
    virtual void share(const std::vector<std::size_t>& points, int jobs, const RunPoint& run,
                       const std::atomic<bool>& stop) const = 0;
    // core's Exchange over MPI_COMM_WORLD, for a distributed `apical run`.
    virtual std::unique_ptr<Exchange> exchange() const = 0;

protected:
    MpiWorld() = default;
};

// The module's one entry point (extern "C", looked up by name with dlsym): initialises MPI
// and returns this rank's world, or throws std::runtime_error. The version in the name keeps
// a module of another build from being used with this interface.
#define APICAL_MPI_ENTRY apical_mpi_join_v1
#define APICAL_MPI_ENTRY_NAME "apical_mpi_join_v1"
using MpiJoin = MpiWorld* (*)();

} // namespace apical::app
