#pragma once
// A team of threads that stays together for a whole run. The calling thread (lane 0) runs
// the serial phases between epochs; helper tasks in the simulation's TBB arena wait for the
// next parallel phase (spinning, then yielding, then sleeping); in a parallel phase every
// lane claims work items (cell groups) one at a time until none is left.
//
// Why not one tbb::parallel_for per epoch: an epoch of the Brette et al. benchmarks (4000
// cells, 1 ms) is 20-40 us of work, and spawning, waking and joining TBB tasks every epoch
// cost several us of it (2 threads gave 1.5x on CUBA that way; see bench/RESULTS.md).
//
// Nothing ever waits for a particular thread: lane 0 can run every item itself, so a helper
// that TBB never starts (another arena holds the workers, or more threads than cores were
// asked for) slows the run down but cannot block it. Which lane runs which item never
// changes results: an item touches only its own state.
//
//     EpochTeam::run(arena, threads, n_groups, item, [&](EpochTeam& team) {
//         while (...) { /* serial */ team.parallel(); /* serial */ }
//     });
//
// team.start() / team.finish(done) split parallel() so that lane 0 can work while the
// helpers run items: serial work that the items do not need after start(), and done(i) on
// each finished item's results inside finish() (the engine merges each group's spikes so).

#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <span>
#include <stdexcept>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace apical {

class EpochTeam {
public:
    // Runs body(team) on the calling thread, inside `arena` with threads - 1 helpers when
    // threads > 1. team.parallel() then runs item(i) for every i in [0, cost.size()) and
    // returns when all have finished, rethrowing the first exception an item threw. Each
    // lane prefers a contiguous block of items of about equal cost (the same block every
    // phase, so an item's data stays in that core's cache) and takes over items of other
    // blocks once its own are done.
    template <class Item, class Body>
    static void run(tbb::task_arena& arena, int threads, std::span<const double> cost, Item& item, Body&& body) {
        const int lanes = static_cast<int>(lanes_for(cost.size(), threads));
        EpochTeam team(cost, lanes, &item, [](void* c, std::size_t i) { (*static_cast<Item*>(c))(i); });
        if (lanes == 1) {
            body(team);
            return;
        }
        arena.execute([&] {
            tbb::task_group helpers;
            // However body ends, the helpers are told to leave and are joined before the
            // task group goes away (a helper TBB never started is run here and leaves at once).
            struct Join {
                EpochTeam& team;
                tbb::task_group& helpers;
                ~Join() {
                    team.quit();
                    helpers.wait();
                }
            } join{team, helpers};
            for (int h = 1; h < lanes; ++h) helpers.run([&team, h] { team.help(static_cast<std::size_t>(h)); });
            body(team);
        });
    }

    void parallel() {
        start();
        finish();
    }

    // How many lanes run() makes for n items and `threads` threads (one when there is at most
    // one item).
    static std::size_t lanes_for(std::size_t n, int threads) {
        return n > 1 ? static_cast<std::size_t>(std::max(1, threads)) : 1;
    }

    // The items' split into lanes' blocks of about equal cost, as run() makes it: block l is
    // [first[l], first[l + 1]), ending at the item boundary nearest to (l + 1) / lanes of the
    // total cost. (The engine routes spikes per block, so that a lane's first item does it
    // for the items the lane will run.)
    static std::vector<std::size_t> blocks(std::span<const double> cost, std::size_t lanes) {
        double total = 0.0;
        for (double c : cost) total += c;
        std::vector<std::size_t> first{0};
        std::size_t i = 0;
        double acc = 0.0;
        for (std::size_t l = 0; l < lanes; ++l) {
            const double target = total * static_cast<double>(l + 1) / static_cast<double>(lanes);
            while (i < cost.size() && (l + 1 == lanes || acc + 0.5 * cost[i] <= target)) acc += cost[i++];
            first.push_back(i);
        }
        return first;
    }

    // The cost of each block of a split `first` made by blocks().
    static std::vector<double> block_costs(std::span<const double> cost, const std::vector<std::size_t>& first) {
        std::vector<double> out(first.size() - 1, 0.0);
        for (std::size_t l = 0; l + 1 < first.size(); ++l)
            for (std::size_t i = first[l]; i < first[l + 1]; ++i) out[l] += cost[i];
        return out;
    }

    // Which block of blocks() each lane prefers, as [begin, end) pairs in lane order: lane l
    // takes block l, except that lane 0, which also does the serial work between phases (and
    // in finish() the merging of results), takes the block of least cost (the first such) and
    // the lane whose block that was takes block 0. With few items the blocks differ by up to
    // an item (4000 cells in groups of 1067, 1067, 1066 and 800: 2134 against 1866 cells), and
    // the serial work makes lane 0 the last to finish if it also has the larger block.
    static std::vector<std::size_t> lane_blocks(std::span<const double> cost, std::size_t lanes) {
        const std::vector<std::size_t> first = blocks(cost, lanes);
        const std::vector<double> block_cost = block_costs(cost, first);
        std::size_t cheapest = 0;
        for (std::size_t l = 1; l < lanes; ++l)
            if (block_cost[l] < block_cost[cheapest]) cheapest = l;
        std::vector<std::size_t> out;
        for (std::size_t l = 0; l < lanes; ++l) {
            const std::size_t b = l == 0 ? cheapest : l == cheapest ? 0 : l;
            out.push_back(first[b]);
            out.push_back(first[b + 1]);
        }
        return out;
    }

    // parallel() in two halves, so that lane 0 can do serial work that the items do not
    // depend on (and that does not touch their data) while the helpers already run them:
    // start() lets the helpers begin; finish() joins them and returns when all items are done.
    // Every start() is followed by one finish().
    void start() {
        if (lanes_.size() == 1) return; // (finish() runs the items)
        // Every item of the last phase has finished (finish() saw all their flags), so nothing
        // else touches error_ until the new phase is published below.
        error_ = nullptr;
        publish(false);
    }

    void finish() {
        finish([](std::size_t) {});
    }

    // finish() that also calls done(i) on this thread (lane 0) once for every item i, as
    // soon as it sees the item finished: right after running it itself, or while it waits
    // for the other lanes. Serial work on the items' results (merging their outputs) thus
    // fills lane 0's idle time at the end of a phase instead of following the phase. done(i)
    // may read item i's results; it must not touch those of items it has not been given.
    // An exception from done() is passed on like an item's, once every item has finished.
    template <class Done> void finish(Done&& done) {
        std::exception_ptr error;
        auto report = [&](std::size_t i) {
            try {
                done(i);
            } catch (...) {
                if (!error) error = std::current_exception();
            }
        };
        if (lanes_.size() == 1) {
            // As with a team: every item runs, then the first exception is rethrown.
            for (std::size_t i = 0; i < n_; ++i) {
                try {
                    call_(ctx_, i);
                } catch (...) {
                    if (!error) error = std::current_exception();
                }
                report(i);
            }
            if (error) std::rethrow_exception(error);
            return;
        }
        const std::uint32_t p = phase_.load(std::memory_order_relaxed);
        reported_.assign(n_, 0);
        std::size_t left = n_;
        work(0, [&](std::size_t i) {
            reported_[i] = 1;
            --left;
            report(i);
        });
        // Report the others as they finish (an item's flag is set after its work, with
        // release: acquiring it makes its results visible here).
        for (unsigned k = 0; left > 0; ++k) {
            bool any = false;
            for (std::size_t i = 0; i < n_; ++i)
                if (!reported_[i] && item_done_[i].load(std::memory_order_acquire) == p) {
                    reported_[i] = 1;
                    --left;
                    any = true;
                    report(i);
                }
            if (any) k = 0;
            else relax(k);
        }
        if (error_) std::rethrow_exception(error_);
        if (error) std::rethrow_exception(error);
    }

private:
    static constexpr std::uint64_t index_mask = 0xffffffffu;

    // One lane's block of items [begin, end). word: phase number in the high 32 bits, the
    // block's next unclaimed item in the low 32 (>= end: nothing left). The phase number
    // makes a claim attempted with a stale word fail.
    struct alignas(64) Lane {
        std::atomic<std::uint64_t> word{0};
        std::size_t begin = 0, end = 0;
    };

    EpochTeam(std::span<const double> cost, int lanes, void* ctx, void (*call)(void*, std::size_t))
        : n_(cost.size()), ctx_(ctx), call_(call), lanes_(static_cast<std::size_t>(lanes)), item_done_(cost.size()) {
        if (n_ > index_mask) throw std::invalid_argument("EpochTeam: too many work items");
        const std::vector<std::size_t> block = lane_blocks(cost, lanes_.size());
        for (std::size_t l = 0; l < lanes_.size(); ++l) {
            lanes_[l].begin = block[2 * l];
            lanes_[l].end = block[2 * l + 1];
            lanes_[l].word.store(lanes_[l].end, std::memory_order_relaxed); // phase 0: nothing to claim
        }
    }

    void publish(bool last) {
        const std::uint64_t p = phase_.load(std::memory_order_relaxed) + 1;
        for (auto& l : lanes_) l.word.store(p << 32 | (last ? l.end : l.begin), std::memory_order_release);
        phase_.store(static_cast<std::uint32_t>(p), std::memory_order_seq_cst);
        if (sleepers_.load(std::memory_order_seq_cst) > 0) phase_.notify_all();
    }

    void quit() {
        quit_.store(true, std::memory_order_seq_cst);
        publish(true); // a new phase with nothing to claim wakes every sleeper
    }

    // Claims and runs items of this lane's block, then of the others, until none is left.
    // A successful claim acquires what lane 0 wrote before publishing the phase; lane 0
    // writes the next phase's inputs only after it has seen every item of this one finished
    // (the item's flag, stored with release after its work). No shared counter: an atomic
    // add per item moves its cache line between the cores every time (on this project's VM
    // about 270 ns one way).
    template <class After> void work(std::size_t self, After&& after) {
        for (std::size_t k = 0; k < lanes_.size(); ++k) {
            Lane& l = lanes_[(self + k) % lanes_.size()];
            std::uint64_t w = l.word.load(std::memory_order_acquire);
            while ((w & index_mask) < l.end) {
                if (!l.word.compare_exchange_weak(w, w + 1, std::memory_order_acq_rel, std::memory_order_acquire))
                    continue;
                const auto i = static_cast<std::size_t>(w & index_mask);
                try {
                    call_(ctx_, i);
                } catch (...) {
                    std::lock_guard<std::mutex> lock(error_mutex_);
                    if (!error_) error_ = std::current_exception();
                }
                item_done_[i].store(static_cast<std::uint32_t>(w >> 32), std::memory_order_release);
                after(i);
                w = l.word.load(std::memory_order_acquire);
            }
        }
    }

    // A helper learns of a new phase from its own lane's word (publish() writes the words
    // before phase_, each with the phase number in its high bits), which it reads next anyway
    // to claim its first item: one line to fetch from lane 0's core instead of two (phase_,
    // then the word); phase_ serves to sleep on.
    void help(std::size_t self) {
        std::uint32_t seen = 0;
        for (;;) {
            const auto p = static_cast<std::uint32_t>(lanes_[self].word.load(std::memory_order_acquire) >> 32);
            if (p == seen) {
                if (quit_.load(std::memory_order_acquire)) return;
                wait_for_change(self, p);
                continue;
            }
            seen = p;
            work(self, [](std::size_t) {});
        }
    }

    // Spin a while (an epoch's serial phase is usually a few us), then yield the core
    // for a while, then sleep until lane 0 publishes a phase.
    void wait_for_change(std::size_t self, std::uint32_t p) {
        for (unsigned k = 0; k < 4096; ++k) {
            if (static_cast<std::uint32_t>(lanes_[self].word.load(std::memory_order_relaxed) >> 32) != p) return;
            relax(k);
        }
        sleepers_.fetch_add(1, std::memory_order_seq_cst);
        while (phase_.load(std::memory_order_seq_cst) == p) phase_.wait(p, std::memory_order_seq_cst);
        sleepers_.fetch_sub(1, std::memory_order_seq_cst);
    }

    // A busy wait that gives the core away (yield) once it has lasted a while, so that an
    // oversubscribed machine still makes progress.
    static void relax(unsigned k) {
        if (k < 2048) {
#if defined(__x86_64__) || defined(__i386__)
            _mm_pause();
#endif
        } else {
            std::this_thread::yield();
        }
    }

    const std::size_t n_;
    void* const ctx_;
    void (*const call_)(void*, std::size_t);
    std::vector<Lane> lanes_;
    // Per item: the number of the last phase in which it finished (phase numbers start at 1).
    std::vector<std::atomic<std::uint32_t>> item_done_;
    std::vector<char> reported_; // lane 0, per item: given to finish()'s done() this phase
    alignas(64) std::atomic<std::uint32_t> phase_{0};
    alignas(64) std::atomic<int> sleepers_{0};
    std::atomic<bool> quit_{false};
    std::mutex error_mutex_;
    std::exception_ptr error_;
};

} // namespace apical
