// Where the workers of `apical sweep` get their next point: a shared list in this
// process, or (under MPI) rank 0, which hands points out one at a time on request so
// that slow points do not hold back the rest.
#pragma once
#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

namespace apical::app {

// A list taken from the front by any number of threads; empty once `stop` is set.
class PointQueue {
public:
    PointQueue(std::vector<std::size_t> points, const std::atomic<bool>& stop)
        : points_(std::move(points)), stop_(stop) {}
    std::optional<std::size_t> next() {
        std::lock_guard<std::mutex> lock(m_);
        if (stop_.load() || pos_ >= points_.size()) return std::nullopt;
        return points_[pos_++];
    }

private:
    std::mutex m_;
    std::vector<std::size_t> points_;
    std::size_t pos_ = 0;
    const std::atomic<bool>& stop_;
};

using NextPoint = std::function<std::optional<std::size_t>()>;
using RunPoint = std::function<void(std::size_t)>;

// Runs `jobs` worker threads, each taking points from `next` and running them until
// `next` has none; returns when all have finished.
void run_workers(int jobs, const NextPoint& next, const RunPoint& run);

} // namespace apical::app
