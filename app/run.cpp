// `apical run` and `apical validate`.
#include "app/commands.hpp"
#include "app/mpi_world.hpp"
#include "app/run_scenario.hpp"
#include "core/simulation.hpp"
#include "io/checkpoint_file.hpp"
#include "io/h5_error.hpp"
#include "io/hdf5_writer.hpp"
#include "io/scenario.hpp"
#include "io/units.hpp"
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

// OUT.h5 -> OUT<suffix> (OUT.h5<suffix> for other names).
std::string beside(const std::string& out, const std::string& suffix) {
    const std::string h5 = ".h5";
    if (out.size() > h5.size() && out.compare(out.size() - h5.size(), h5.size(), h5) == 0)
        return out.substr(0, out.size() - h5.size()) + suffix;
    return out + suffix;
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
    // Every rank checks the same inputs the same way, so all take the same path out; only
    // rank 0 says why.

    const Registry reg = models::builtin_registry();
    std::vector<std::string> overrides = o.overrides;
    if (o.seed) overrides.push_back("simulation.seed=" + *o.seed);
    if (o.threads) overrides.push_back("simulation.threads=" + *o.threads);
    io::Scenario s;
    io::Checkpoint restart;
    CheckpointPlan plan;
    if (o.restart.empty() == o.scenario.empty()) {
        err << "apical run: give a SCENARIO file, or --restart CHECKPOINT (not both)\n";
        return 2;
    }
    if (!o.restart.empty()) {
        // The network must be the one saved: only the thread count and the duration may change.
        bool only_duration = true;
        for (auto& kv : o.overrides) only_duration = only_duration && kv.rfind("simulation.duration=", 0) == 0;
        if (!only_duration || o.seed) {
            err << "apical run --restart: --set and --seed would change the saved network; allowed with "
                   "--restart: --set simulation.duration=T, -o, --threads, --force, --quiet, "
                   "--checkpoint-every, --checkpoint\n";
            return 2;
        }
        try {
            restart = io::read_checkpoint(o.restart);
        } catch (const io::CheckpointFileError& e) {
            err << e.what() << "\n";
            return 2;
        }
        std::vector<std::string> allowed = o.overrides;
        if (o.threads) allowed.push_back("simulation.threads=" + *o.threads);
        try {
            s = io::parse_scenario(restart.scenario_yaml, restart.scenario_file, allowed, reg);
        } catch (const io::ScenarioError& e) {
            err << o.restart << ": the scenario saved in the checkpoint does not load here: " << e.what() << "\n";
            return 2;
        }
        plan.restart = &restart;
        plan.scenario_file = restart.scenario_file;
    } else {
        try {
            s = load(o.scenario, overrides, reg);
        } catch (const io::ScenarioError& e) {
            err << e.what() << "\n";
            return 2;
        }
        std::error_code ec;
        plan.scenario_file = std::filesystem::absolute(o.scenario, ec).string();
    }
    const std::string out = !o.output.empty()    ? o.output
                            : !o.restart.empty() ? beside(restart.output, "-restart.h5")
                                                 : s.output_file;
    // (A directory first: --force would not help there.)
    if (const std::string why = io::cannot_create_beside(out); !why.empty()) {
        err << "apical: cannot write the output " << out << ": " << why << "; choose a writable place with -o\n";
        return 2;
    }
    if (io::output_exists(out) && !o.force) {
        err << "apical: " << out << " exists; use --force to overwrite it, or -o to choose another file\n";
        return 2;
    }
    if (!o.checkpoint_every.empty()) {
        try {
            plan.every = io::parse_in(o.checkpoint_every, Dim::time);
        } catch (const std::exception& e) {
            err << "apical run: --checkpoint-every '" << o.checkpoint_every << "': " << e.what()
                << "; allowed: a positive time such as '500 ms' or '10 s'\n";
            return 2;
        }
        if (!(plan.every > 0.0)) {
            err << "apical run: --checkpoint-every must be a positive time such as '500 ms' or '10 s'\n";
            return 2;
        }
        plan.path = o.checkpoint.empty() ? beside(out, ".ckpt") : o.checkpoint;
        if (const std::string why = io::cannot_create_beside(plan.path); !why.empty()) {
            err << "apical: cannot write the checkpoint " << plan.path << ": " << why
                << "; choose a writable place with --checkpoint\n";
            return 2;
        }
    } else if (!o.checkpoint.empty()) {
        err << "apical run: --checkpoint needs --checkpoint-every\n";
        return 2;
    }
    // Threads per rank: by default the cores of the node shared among its ranks (at most
    // what the rank may use: its binding). More threads than the process can run at once
    // would run no more at once (core/simulation.hpp, available_threads): the simulation runs
    // on what there is, and this says so before it starts.
    const int most = available_threads();
    if (world && !o.threads && s.net.threads == 0)
        s.net.threads =
            std::clamp(static_cast<int>(std::thread::hardware_concurrency()) / world->ranks_on_this_node(), 1, most);
    if (s.net.threads > most) { // (said even with --quiet: the run is not what was asked for)
        err << "apical run: " << s.net.threads << " threads asked for, but this process runs at most " << most
            << " at once (the CPUs it may use); running on " << most << "\n";
        s.net.threads = most;
    }

    std::unique_ptr<Exchange> exchange = world ? world->exchange() : nullptr;
    const StopOnSignal stop;
    RunOutcome r;
    try {
        r = run_to_file(s, reg, out, root && !o.quiet && isatty(STDERR_FILENO), &stop.flag(), plan, exchange.get());
    } catch (const std::invalid_argument& e) {
        err << s.file << ": cannot build the network: " << e.what() << "\n";
        if (world && world->size() > 1 && !root) world->abort(2); // a rank-local failure: end the job
        return 2;
    } catch (const CheckpointUsageError& e) {
        err << "apical run " << e.what() << "\n";
        return 2;
    } catch (const io::Hdf5Error& e) {
        err << "apical: cannot write the results: " << e.what() << "\n";
        if (io::output_exists(io::partial_path_for(out)))
            err << "  what reached the disk before the failure is kept in " << io::partial_path_for(out)
                << " (completed = 0)\n";
        return 1;
    } catch (const std::exception& e) {
        // Any other failure: in a distributed run the other ranks would wait for this one in
        // their next exchange forever, so the whole job is ended.
        std::cerr << "apical" << (world && !root ? " (rank " + std::to_string(world->rank()) + ")" : std::string())
                  << ": " << e.what() << "\n";
        if (world) world->abort(1);
        return 1;
    }
    auto said_checkpoint = [&] {
        if (r.checkpoints > 0)
            err << "  checkpoint at t = " << r.last_checkpoint << " ms in " << plan.path
                << " (continue with: apical run --restart " << plan.path << ")\n";
    };
    if (r.end == RunOutcome::End::numerical_failure) {
        err << "apical: numerical failure: " << r.message << "\n  results up to t = " << r.reached << " ms are in "
            << out << " (completed = 0)\n";
        return 1;
    }
    if (r.end == RunOutcome::End::interrupted) {
        err << "apical: interrupted at t = " << r.reached << " ms; partial results in " << out << " (completed = 0)\n";
        said_checkpoint();
        return 1;
    }
    if (!o.quiet)
        said << "wrote " << out << "  (" << s.net.duration / 1000.0 << " s simulated in " << r.wall << " s, "
             << (r.ranks > 1 ? std::to_string(r.ranks) + " ranks x " : "") << r.threads << " threads, "
             << total_cells(s.net) << " cells in " << r.stats.groups << " groups (group_size " << r.stats.group_size
             << (r.stats.cut_lanes > 1 ? ", cut in " + std::to_string(r.stats.cut_lanes) + " equal shares" : "")
             << "), " << r.stats.synapses << " synapses, "
             << (r.stats.synapses ? static_cast<double>(r.stats.synapse_bytes) / static_cast<double>(r.stats.synapses)
                                  : 0.0)
             << " bytes per synapse)\n";
    // Where the time went: the run loop (simulated time) against set-up (network build,
    // output file; parsing came before) and finishing; with ranks, also the spike exchange.
    if (!o.quiet && r.ranks > 1)
        said << "  rank 0: " << r.stats.run_seconds << " s in the run loop, " << r.stats.exchange_seconds
             << " s of it exchanging spikes ("
             << 100.0 * r.stats.exchange_seconds / std::max(1e-12, r.stats.run_seconds) << " %)\n";
    else if (!o.quiet)
        said << "  " << r.stats.run_seconds << " s in the run loop, " << std::max(0.0, r.wall - r.stats.run_seconds)
             << " s setting up and finishing\n";
    return 0;
}

} // namespace apical::app
