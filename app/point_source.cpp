#include "app/point_source.hpp"

#include <thread>

namespace apical::app {

void run_workers(int jobs, const NextPoint& next, const RunPoint& run) {
    std::vector<std::thread> workers;
    for (int j = 0; j < jobs; ++j)
        workers.emplace_back([&] {
            while (const std::optional<std::size_t> i = next()) run(*i);
        });
    for (std::thread& t : workers) t.join();
}

} // namespace apical::app
