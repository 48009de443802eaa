// MPI for `apical sweep`, when Apical is built with it (APICAL_HAVE_MPI) and launched by
// mpirun/srun: ranks share the points of one sweep. Only the main thread of a rank calls
// MPI (MPI_THREAD_FUNNELED); worker threads ask it for points.
#pragma once
#include "app/point_source.hpp"

#include <memory>
#include <string>

namespace apical::app {

class MpiWorld {
public:
    // Initialises MPI when the environment shows an MPI launcher; nullptr when it does not,
    // or when the job has a single rank. Throws std::runtime_error when launched with
    // several ranks by a build without MPI (each rank would run every point).
    static std::unique_ptr<MpiWorld> join_if_launched();
    ~MpiWorld(); // MPI_Finalize
    MpiWorld(const MpiWorld&) = delete;
    MpiWorld& operator=(const MpiWorld&) = delete;

    int rank() const { return rank_; }
    int size() const { return size_; }
    int ranks_on_this_node() const { return local_size_; }
    // Rank 0's `value` on every rank.
    int broadcast(int value) const;
    void barrier() const;
    // Ends every rank of the job (MPI_Abort): for a failure on one rank that the others
    // cannot learn of, so they do not wait for it forever.
    [[noreturn]] void abort(int status) const;
    // The largest `value` over all ranks, on every rank.
    int max_over_ranks(int value) const;
    // Dynamic assignment: rank 0 hands out `points` (ignored on other ranks) one at a time
    // to whichever worker thread of any rank asks next; every rank runs `jobs` worker
    // threads. Returns on every rank when all points are handed out (or `stop` is set on
    // rank 0) and all workers everywhere have finished.
    void share(const std::vector<std::size_t>& points, int jobs, const RunPoint& run,
               const std::atomic<bool>& stop) const;

private:
    MpiWorld() = default;
    int rank_ = 0, size_ = 1, local_size_ = 1;
};

} // namespace apical::app
