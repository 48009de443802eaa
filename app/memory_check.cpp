#include "app/memory_check.hpp"

#include "core/simulation.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace apical::app {
namespace {

// A number from a one-line file ("max" or missing: none).
bool read_number(const char* path, std::uint64_t& out) {
    std::ifstream in(path);
    std::string s;
    if (!(in >> s) || s == "max") return false;
    try {
        out = std::stoull(s);
        return true;
    } catch (...) {
        return false;
    }
}

} // namespace

std::uint64_t available_memory_bytes() {
    std::uint64_t avail = 0;
    std::ifstream mi("/proc/meminfo");
    std::string key;
    std::uint64_t kb = 0;
    std::string unit;
    while (mi >> key >> kb) {
        std::getline(mi, unit);
        if (key == "MemAvailable:") {
            avail = kb * 1024;
            break;
        }
    }
    if (avail == 0) {
        const long pages = ::sysconf(_SC_AVPHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
        if (pages > 0 && page > 0) avail = static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
    }
    // cgroup v2 (the unified hierarchy at its usual mount point): the room under memory.max.
    std::uint64_t max = 0, cur = 0;
    if (read_number("/sys/fs/cgroup/memory.max", max) && read_number("/sys/fs/cgroup/memory.current", cur)) {
        const std::uint64_t room = max > cur ? max - cur : 0;
        if (avail == 0 || room < avail) avail = room;
    }
    return avail;
}

std::string format_bytes(double b) {
    const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    while (b >= 1024.0 && u < 6) b /= 1024.0, ++u;
    char buf[48];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.3g %s", b, units[u]);
    return buf;
}

void check_memory(const NetworkDesc& net, const Registry& reg) {
    const MemoryEstimate e = estimate_memory(net, reg, net.group_size);
    const std::uint64_t avail = available_memory_bytes();
    if (avail == 0 || e.total() <= static_cast<double>(avail)) return;
    std::uint64_t cells = 0;
    for (auto& p : net.populations) cells += p.size;
    std::ostringstream m;
    m << "the network needs about " << format_bytes(e.total()) << " of memory (" << cells
      << " cells: " << format_bytes(e.cell_bytes) << "; about " << static_cast<double>(e.synapses)
      << " expected synapses: " << format_bytes(e.synapse_bytes);
    if (e.event_queue_bytes >= 0.1 * e.total())
        m << "; event queues, " << e.ring_steps << " steps of dt (" << net.dt
          << " ms) per cell group to span the delays: " << format_bytes(e.event_queue_bytes);
    m << "), but only " << format_bytes(static_cast<double>(avail)) << " is available; "
      << (e.event_queue_bytes >= 0.5 * e.total() ? "use a larger simulation.dt or shorter delays"
                                                 : "reduce population sizes or connection probabilities")
      << ", or run on a larger machine";
    throw std::invalid_argument(m.str());
}

} // namespace apical::app
