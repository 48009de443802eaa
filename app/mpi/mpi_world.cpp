// The MPI side of MpiWorld (app/mpi_world.hpp), built into the module apical_mpi.so, which
// the apical executable loads only under an MPI launcher with several ranks.
#include "app/mpi_world.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <future>
#include <stdexcept>
#include <thread>

// The C API only: OpenMPI would otherwise pull in its deprecated C++ bindings.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

namespace apical::app {

std::unique_ptr<Exchange> make_mpi_exchange(int rank, int size); // app/mpi/mpi_exchange.cpp

namespace {

constexpr int tag_request = 1, tag_point = 2, tag_done = 3;

// Rank 0: serve requests from other ranks while its own workers take points from the same
// queue. Polling with a short sleep rather than a blocking receive leaves the core to the
// local workers (OpenMPI busy-waits inside MPI_Recv).
void serve(PointQueue& queue, int size, const std::function<bool()>& local_done) {
    int remote_done = 0;
    while (remote_done < size - 1 || !local_done()) {
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        if (!flag) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            continue;
        }
        long long dummy = 0;
        MPI_Recv(&dummy, 1, MPI_LONG_LONG, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (st.MPI_TAG == tag_done) {
            ++remote_done;
        } else {
            const std::optional<std::size_t> i = queue.next();
            const long long reply = i ? static_cast<long long>(*i) : -1;
            MPI_Send(&reply, 1, MPI_LONG_LONG, st.MPI_SOURCE, tag_point, MPI_COMM_WORLD);
        }
    }
}

// Other ranks: worker threads post requests; the main thread forwards each to rank 0.
class Relay {
public:
    explicit Relay(int workers) : alive_(workers) {}
    std::optional<std::size_t> ask() {
        std::promise<std::optional<std::size_t>> p;
        auto f = p.get_future();
        {
            std::lock_guard<std::mutex> lock(m_);
            pending_.push_back(std::move(p));
        }
        cv_.notify_one();
        return f.get();
    }
    void worker_finished() {
        {
            std::lock_guard<std::mutex> lock(m_);
            --alive_;
        }
        cv_.notify_one();
    }
    // Main thread: until every worker has finished.
    void forward() {
        for (;;) {
            std::unique_lock<std::mutex> lock(m_);
            cv_.wait(lock, [&] { return !pending_.empty() || alive_ == 0; });
            if (pending_.empty()) break;
            auto p = std::move(pending_.front());
            pending_.pop_front();
            lock.unlock();
            long long req = 0, reply = -1;
            MPI_Send(&req, 1, MPI_LONG_LONG, 0, tag_request, MPI_COMM_WORLD);
            MPI_Recv(&reply, 1, MPI_LONG_LONG, 0, tag_point, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            p.set_value(reply < 0 ? std::nullopt : std::optional<std::size_t>(static_cast<std::size_t>(reply)));
        }
        long long done = 0;
        MPI_Send(&done, 1, MPI_LONG_LONG, 0, tag_done, MPI_COMM_WORLD);
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    std::deque<std::promise<std::optional<std::size_t>>> pending_;
    int alive_;
};

class MpiWorldImpl final : public MpiWorld {
public:
    MpiWorldImpl() {
        int provided = 0;
        MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
        MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
        MPI_Comm_size(MPI_COMM_WORLD, &size_);
        if (provided < MPI_THREAD_FUNNELED) {
            MPI_Finalize();
            throw std::runtime_error("the MPI library does not allow threads (MPI_THREAD_FUNNELED)");
        }
        MPI_Comm node;
        MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
        MPI_Comm_size(node, &local_size_);
        MPI_Comm_free(&node);
    }
    ~MpiWorldImpl() override { MPI_Finalize(); }

    int rank() const override { return rank_; }
    int size() const override { return size_; }
    int ranks_on_this_node() const override { return local_size_; }

    int broadcast(int value) const override {
        MPI_Bcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD);
        return value;
    }

    void barrier() const override { MPI_Barrier(MPI_COMM_WORLD); }

    [[noreturn]] void abort(int status) const override {
        MPI_Abort(MPI_COMM_WORLD, status);
        std::_Exit(status);
    }

    int max_over_ranks(int value) const override {
        int out = value;
        MPI_Allreduce(&value, &out, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        return out;
    }

    void share(const std::vector<std::size_t>& points, int jobs, const RunPoint& run,
               const std::atomic<bool>& stop) const override {
        if (rank_ == 0) {
            PointQueue queue(points, stop);
            std::atomic<int> finished{0};
            std::thread local([&] {
                run_workers(
                    jobs, [&] { return queue.next(); }, run);
                finished.store(1);
            });
            serve(queue, size_, [&] { return finished.load() == 1; });
            local.join();
        } else {
            Relay relay(jobs);
            // A worker leaves its loop at its first empty answer: that is when it is finished.
            auto next = [&]() -> std::optional<std::size_t> {
                std::optional<std::size_t> i = stop.load() ? std::nullopt : relay.ask();
                if (!i) relay.worker_finished();
                return i;
            };
            std::thread local([&] { run_workers(jobs, next, run); });
            relay.forward();
            local.join();
        }
    }

    std::unique_ptr<Exchange> exchange() const override { return make_mpi_exchange(rank_, size_); }

private:
    int rank_ = 0, size_ = 1, local_size_ = 1;
};

} // namespace

} // namespace apical::app

// The module's entry point (app/mpi_world.hpp); the only symbol it exports.
extern "C" __attribute__((visibility("default"))) apical::app::MpiWorld* APICAL_MPI_ENTRY() {
    return new apical::app::MpiWorldImpl();
}
