// `apical run` and `apical validate`.
#include "app/commands.hpp"
#include "app/run_scenario.hpp"
#include "core/simulation.hpp"
#include "io/hdf5_writer.hpp"
#include "io/scenario.hpp"
#include "models/builtin.hpp"

#include <filesystem>
#include <iostream>
#include <unistd.h>

namespace apical::app {
namespace {

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

    const StopOnSignal stop;
    RunOutcome r;
    try {
        r = run_to_file(s, reg, out, !o.quiet && isatty(STDERR_FILENO), &stop.flag());
    } catch (const std::invalid_argument& e) {
        std::cerr << s.file << ": cannot build the network: " << e.what() << "\n";
        return 2;
    }
    if (r.end == RunOutcome::End::numerical_failure) {
        std::cerr << "apical: numerical failure: " << r.message << "\n  results up to t = " << r.reached
                  << " ms are in " << out << " (completed = 0)\n";
        return 1;
    }
    if (r.end == RunOutcome::End::interrupted) {
        std::cerr << "apical: interrupted at t = " << r.reached << " ms; partial results in " << out
                  << " (completed = 0)\n";
        return 1;
    }
    if (!o.quiet)
        std::cout << "wrote " << out << "  (" << s.net.duration / 1000.0 << " s simulated in " << r.wall << " s, "
                  << r.threads << " threads, " << total_cells(s.net) << " cells, " << r.stats.synapses
                  << " synapses, "
                  << (r.stats.synapses ? static_cast<double>(r.stats.synapse_bytes) / static_cast<double>(r.stats.synapses)
                                       : 0.0)
                  << " bytes per synapse)\n";
    return 0;
}

} // namespace apical::app
