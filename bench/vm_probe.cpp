// bench/vm_probe: what this machine does to a program with two threads, measured without
// Apical. bench/two_threads.py prints it beside its decomposition of Apical's 2-thread
// speed-up; bench/RESULTS.md ("What this VM allows two threads") explains the figures.
//
//   build/bench/vm_probe [--seconds S]
//
// 1. Stalls: one thread per CPU spins on the steady clock for S seconds (default 1) and counts
//    the gaps above 5 us: the times its CPU was taken away (by the hypervisor, or by the
//    kernel's interrupts). A program that meets at a barrier every epoch waits for the stalls
//    of every thread, so two threads lose about twice what one loses.
// 2. Cache-line round trip between CPU 0 and CPU 1: two threads pass one atomic back and
//    forth; half of it is what every value one thread writes and the other reads costs.
// 3. Fresh memory: touching 4 MiB of newly mapped pages, per page (the network build's main
//    cost on a VM that backs pages on first touch).
// 4. Each CPU's caches, alone: the time of one dependent load from a random cycle through
//    32 KiB, 1 MiB and 8 MiB. Two vCPUs of a VM need not be equal: one that shares its host
//    core or cache with another guest's busy thread has less cache left (higher latency at
//    1 and 8 MiB), and then a simulation's cell groups run slower on it, which bounds what a
//    second thread can add (bench/two_threads.py measures that bound on Apical itself).
// Prints one line per measurement; exit status 0 (1 when the CPUs cannot be pinned).
#include <sys/mman.h>

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

bool pin(int cpu) {
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    return pthread_setaffinity_np(pthread_self(), sizeof s, &s) == 0;
}

struct Stalls {
    long count = 0;
    double total_us = 0.0, median_us = 0.0, max_us = 0.0;
};

// Spins for `seconds` and collects the gaps between consecutive clock reads above 5 us.
Stalls spin(double seconds) {
    std::vector<double> gaps;
    const auto end = Clock::now() + std::chrono::duration<double>(seconds);
    auto last = Clock::now();
    for (;;) {
        const auto now = Clock::now();
        const double us = std::chrono::duration<double, std::micro>(now - last).count();
        if (us > 5.0) gaps.push_back(us);
        last = now;
        if (now >= end) break;
    }
    Stalls s;
    s.count = static_cast<long>(gaps.size());
    for (double g : gaps) s.total_us += g;
    if (!gaps.empty()) {
        std::sort(gaps.begin(), gaps.end());
        s.median_us = gaps[gaps.size() / 2];
        s.max_us = gaps.back();
    }
    return s;
}

void print_stalls(const char* what, int cpu, const Stalls& s, double seconds) {
    std::printf("stalls %s cpu %d: %ld per second, %.1f %% of the time, median %.1f us, longest %.0f us\n", what, cpu,
                static_cast<long>(static_cast<double>(s.count) / seconds), 100.0 * s.total_us / (seconds * 1e6),
                s.median_us, s.max_us);
}

double round_trip_ns(int rounds) {
    alignas(64) std::atomic<int> flag{0};
    std::thread other([&] {
        pin(1);
        for (int i = 0; i < rounds; ++i) {
            while (flag.load(std::memory_order_acquire) != 2 * i + 1) {}
            flag.store(2 * i + 2, std::memory_order_release);
        }
    });
    pin(0);
    const auto t0 = Clock::now();
    for (int i = 0; i < rounds; ++i) {
        flag.store(2 * i + 1, std::memory_order_release);
        while (flag.load(std::memory_order_acquire) != 2 * i + 2) {}
    }
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    other.join();
    return s / rounds * 1e9;
}

double fresh_page_us() {
    const std::size_t bytes = std::size_t{4} << 20, page = 4096;
    double best = 1e30;
    for (int rep = 0; rep < 3; ++rep) {
        void* m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) return -1.0;
        auto* p = static_cast<volatile char*>(m);
        const auto t0 = Clock::now();
        for (std::size_t i = 0; i < bytes; i += page) p[i] = 1;
        best = std::min(best, std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
        munmap(m, bytes);
    }
    return best / static_cast<double>(bytes / page);
}

} // namespace

// Nanoseconds per load of a pointer chase through one random cycle over `bytes` (one 8-byte
// link per 64-byte line, so every load is a new line), on the calling thread.
double chase_ns(std::size_t bytes) {
    const std::size_t lines = bytes / 64, stride = 8;
    std::vector<std::size_t> order(lines);
    for (std::size_t i = 0; i < lines; ++i) order[i] = i;
    std::uint64_t x = 88172645463325252ull; // xorshift64: a fixed random cycle
    for (std::size_t i = lines - 1; i > 0; --i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        std::swap(order[i], order[x % (i + 1)]);
    }
    std::vector<std::size_t> next(lines * stride);
    for (std::size_t i = 0; i < lines; ++i) next[order[i] * stride] = order[(i + 1) % lines] * stride;
    std::size_t at = 0;
    for (std::size_t i = 0; i < 2 * lines; ++i) at = next[at]; // warm the caches and TLB
    const long loads = 2000000;
    const auto t0 = Clock::now();
    for (long i = 0; i < loads; ++i) at = next[at];
    const double ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / loads;
    if (at == SIZE_MAX) std::printf("unreachable\n"); // keeps the chase
    return ns;
}

int main(int argc, char** argv) {
    double seconds = 1.0;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) seconds = std::atof(argv[++i]);
        else {
            std::fprintf(stderr, "usage: vm_probe [--seconds S]\n");
            return 2;
        }
    }
    if (!(seconds > 0.0)) seconds = 1.0;
    if (std::thread::hardware_concurrency() < 2 || !pin(0)) {
        std::fprintf(stderr, "vm_probe: needs CPUs 0 and 1\n");
        return 1;
    }
    for (int cpu : {0, 1}) {
        Stalls s;
        std::thread t([&] {
            pin(cpu);
            s = spin(seconds);
        });
        t.join();
        print_stalls("alone", cpu, s, seconds);
    }
    Stalls both[2];
    std::thread t1([&] {
        pin(1);
        both[1] = spin(seconds);
    });
    both[0] = spin(seconds);
    t1.join();
    for (int cpu : {0, 1}) print_stalls("both busy", cpu, both[cpu], seconds);
    double rt[3];
    for (double& r : rt) r = round_trip_ns(200000);
    std::sort(rt, rt + 3);
    std::printf("cache-line round trip cpu 0 <-> cpu 1: %.0f ns (median of 3)\n", rt[1]);
    std::printf("fresh page, first touch: %.1f us per 4 KiB page\n", fresh_page_us());
    for (int cpu : {0, 1}) {
        double ns[3];
        std::thread t([&] {
            pin(cpu);
            ns[0] = chase_ns(32u << 10);
            ns[1] = chase_ns(1u << 20);
            ns[2] = chase_ns(8u << 20);
        });
        t.join();
        std::printf("dependent load alone cpu %d: %.1f ns in 32 KiB, %.1f ns in 1 MiB, %.1f ns in 8 MiB\n", cpu, ns[0],
                    ns[1], ns[2]);
    }
    return 0;
}
