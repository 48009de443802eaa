// `apical run` and `apical validate`.
#include "app/commands.hpp"
#include "app/progress.hpp"
#include "core/simulation.hpp"
#include "io/hdf5_writer.hpp"
#include "io/scenario.hpp"
#include "models/builtin.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <unistd.h>

namespace apical::app {
namespace {

// The one piece of process-wide state: a signal handler can only reach a static.
std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop.store(true); }

io::Scenario load(const std::string& file, std::vector<std::string> overrides, const Registry& reg) {
    if (!std::filesystem::exists(file)) throw io::ScenarioError(file, 0, 0, "no such file");
    return io::load_scenario(file, overrides, reg);
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
        std::cout << o.scenario << ": ok: '" << s.name << "', " << s.net.populations.size() << " populations ("
                  << total_cells(s.net) << " cells), " << s.net.projections.size() << " projections, "
                  << s.net.stimuli.size() << " stimuli, " << s.net.duration << " ms at dt " << s.net.dt << " ms\n";
        return 0;
    } catch (const io::ScenarioError& e) {
        std::cerr << e.what() << "\n";
        return 2;
    }
}

int cmd_run(const RunOptions& o) {
    const Registry reg = models::builtin_registry();
    std::vector<std::string> overrides = o.overrides;
    if (o.seed) overrides.push_back("simulation.seed=" + std::to_string(*o.seed));
    if (o.threads) overrides.push_back("simulation.threads=" + std::to_string(*o.threads));
    io::Scenario s;
    try {
        s = load(o.scenario, overrides, reg);
    } catch (const io::ScenarioError& e) {
        std::cerr << e.what() << "\n";
        return 2;
    }
    const std::string out = o.output.empty() ? s.output_file : o.output;
    if (io::output_exists(out) && !o.force) {
        std::cerr << "apical: " << out << " exists; use --force to overwrite it, or -o to choose another file\n";
        return 2;
    }

    const auto t0 = std::chrono::steady_clock::now();
    std::unique_ptr<Simulation> sim;
    try {
        sim = std::make_unique<Simulation>(s.net, reg, SimulationOptions{s.net.threads});
    } catch (const std::invalid_argument& e) {
        std::cerr << s.file << ": cannot build the network: " << e.what() << "\n";
        return 2;
    }
    io::OutputMeta meta = io::output_meta_from(s, sim->probe_layouts(), APICAL_VERSION, sim->threads());
    io::add_records(meta, s, reg);
    io::Hdf5Writer writer(out, std::move(meta));
    const bool tty = !o.quiet && isatty(STDERR_FILENO);
    ProgressSink progress(writer, s.net.duration, tty);

    g_stop.store(false);
    auto old_int = std::signal(SIGINT, on_signal);
    auto old_term = std::signal(SIGTERM, on_signal);
    double reached = 0.0;
    try {
        reached = sim->run(s.net.duration, progress, &g_stop);
    } catch (const NumericalError& e) {
        progress.done();
        writer.finish(false, sim->time(), std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        std::cerr << "apical: numerical failure: " << e.what() << "\n  results up to t = " << sim->time()
                  << " ms are in " << out << " (completed = 0)\n";
        return 1;
    } catch (...) {
        writer.finish(false, sim->time(), std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        throw;
    }
    std::signal(SIGINT, old_int);
    std::signal(SIGTERM, old_term);
    progress.done();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const bool completed = reached >= s.net.duration - 0.5 * s.net.dt;
    writer.finish(completed, reached, wall);
    if (!completed) {
        std::cerr << "apical: interrupted at t = " << reached << " ms; partial results in " << out
                  << " (completed = 0)\n";
        return 1;
    }
    if (!o.quiet)
        std::cout << "wrote " << out << "  (" << s.net.duration / 1000.0 << " s simulated in " << wall << " s, "
                  << sim->threads() << " threads, " << total_cells(s.net) << " cells, " << sim->stats().synapses
                  << " synapses, " << (sim->stats().synapses ? static_cast<double>(sim->stats().synapse_bytes) /
                                                                     static_cast<double>(sim->stats().synapses)
                                                               : 0.0)
                  << " bytes per synapse)\n";
    return 0;
}

} // namespace apical::app
