// `apical run` and `apical validate`.
#include "app/commands.hpp"
#include "app/mpi_exchange.hpp"
#include "app/run_scenario.hpp"
#include "app/sweep_mpi.hpp"
#include "core/simulation.hpp"
#include "io/hdf5_writer.hpp"
#include "io/scenario.hpp"
#include "models/builtin.hpp"

#include <filesystem>
#include <algorithm>
#include <iostream>
#include <thread>
#include <unistd.h>

namespace apical::app {
namespace {

io::Scenario load(const std::string& file, std::vector<std::string> overrides, const Registry& reg) {
    if (!std::filesystem::exists(file)) throw io::ScenarioError(file, 0, 0, "no such file");
    return io::load_scenario(file, overrides, reg);
}

std::ostream& null_stream() {
    static std::ostream none(nullptr); // a stream without a buffer writes nothing
    return none;
}

std::uint64_t total_cells(const NetworkDesc& n) {
    std::uint64_t c = 0;
    for (auto& p : n.populations) c += p.size;
    return c;
}

} // namespace

int cmd_validate(const ValidateOptions& o) {
    const Registry reg = models::builtin_registry();
    try {
        const io::Scenario s = load(o.scenario, o.overrides, reg);
        const std::string sweep = check_sweep(o.scenario, o.overrides, reg);
        std::cout << o.scenario << ": ok: '" << s.name << "', " << s.net.populations.size() << " populations ("
                  << total_cells(s.net) << " cells), " << s.net.projections.size() << " projections, "
                  << s.net.stimuli.size() << " stimuli, " << s.net.duration << " ms at dt " << s.net.dt << " ms\n";
        if (!sweep.empty()) std::cout << "  " << sweep << "\n";
        return 0;
    } catch (const io::ScenarioError& e) {
        std::cerr << e.what() << "\n";
        return 2;
    } catch (const std::runtime_error& e) { // a sweep point's values
        std::cerr << e.what() << "\n";
        return 2;
    }
}

int cmd_run(const RunOptions& o) {
    // Under mpirun with several ranks: one network across the ranks (rank 0 writes the file
    // and prints; the others run their cells silently and exit with rank 0's status).
    std::unique_ptr<MpiWorld> world;
    try {
        world = MpiWorld::join_if_launched();
    } catch (const std::exception& e) {
        std::cerr << "apical run: " << e.what() << "\n";
        return 2;
    }
    const bool root = !world || world->rank() == 0;
    std::ostream& err = root ? std::cerr : null_stream();
    std::ostream& said = root ? std::cout : null_stream();
    // Every rank must take the same path out: rank 0's verdict on the scenario and the file.
    auto agree = [&](int status) { return world ? world->broadcast(status) : status; };

    const Registry reg = models::builtin_registry();
    std::vector<std::string> overrides = o.overrides;
    if (o.seed) overrides.push_back("simulation.seed=" + std::to_string(*o.seed));
    if (o.threads) overrides.push_back("simulation.threads=" + std::to_string(*o.threads));
    io::Scenario s;
    int status = 0;
    try {
        s = load(o.scenario, overrides, reg);
    } catch (const io::ScenarioError& e) {
        err << e.what() << "\n";
        status = 2;
    }
    const std::string out = o.output.empty() ? s.output_file : o.output;
    if (status == 0 && root && io::output_exists(out) && !o.force) {
        err << "apical: " << out << " exists; use --force to overwrite it, or -o to choose another file\n";
        status = 2;
    }
    if ((status = agree(status)) != 0) return status;
    // Threads per rank: by default the cores of the node shared among its ranks.
    if (world && !o.threads && s.net.threads == 0)
        s.net.threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / world->ranks_on_this_node());

    std::unique_ptr<Exchange> exchange = world ? make_mpi_exchange(*world) : nullptr;
    const StopOnSignal stop;
    RunOutcome r;
    try {
        r = run_to_file(s, reg, out, root && !o.quiet && isatty(STDERR_FILENO), &stop.flag(), exchange.get());
    } catch (const std::invalid_argument& e) {
        err << s.file << ": cannot build the network: " << e.what() << "\n";
        return 2;
    }
    if (r.end == RunOutcome::End::numerical_failure) {
        err << "apical: numerical failure: " << r.message << "\n  results up to t = " << r.reached << " ms are in "
            << out << " (completed = 0)\n";
        return 1;
    }
    if (r.end == RunOutcome::End::interrupted) {
        err << "apical: interrupted at t = " << r.reached << " ms; partial results in " << out << " (completed = 0)\n";
        return 1;
    }
    if (!o.quiet)
        said << "wrote " << out << "  (" << s.net.duration / 1000.0 << " s simulated in " << r.wall << " s, "
             << (r.ranks > 1 ? std::to_string(r.ranks) + " ranks x " : "") << r.threads << " threads, "
             << total_cells(s.net) << " cells, " << r.stats.synapses << " synapses, "
             << (r.stats.synapses ? static_cast<double>(r.stats.synapse_bytes) / static_cast<double>(r.stats.synapses)
                                  : 0.0)
             << " bytes per synapse)\n";
    if (!o.quiet && r.ranks > 1)
        said << "  rank 0: " << r.stats.run_seconds << " s in the run loop, " << r.stats.exchange_seconds
             << " s of it exchanging spikes (" << 100.0 * r.stats.exchange_seconds / std::max(1e-12, r.stats.run_seconds)
             << " %)\n";
    return 0;
}

} // namespace apical::app
