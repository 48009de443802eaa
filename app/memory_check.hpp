// Refusing networks that cannot fit in memory before building them, with the estimate.
#pragma once
#include "core/network.hpp"
#include "core/registry.hpp"

#include <cstdint>
#include <string>

namespace apical::app {

// Memory this process may still take: MemAvailable (/proc/meminfo), lowered to the room left
// under the cgroup limit (containers, Slurm jobs) when one is set; sysconf as a fallback.
// 0 when unknown.
std::uint64_t available_memory_bytes();
// "3.2 GiB", "512 MiB".
std::string format_bytes(double bytes);
// Throws std::invalid_argument naming the estimate (cells, synapses, bytes) and what is
// available, when the network's estimated need exceeds the available memory.
void check_memory(const NetworkDesc& net, const Registry& reg);

} // namespace apical::app
