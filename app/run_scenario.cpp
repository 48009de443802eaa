#include "app/run_scenario.hpp"

#include "app/progress.hpp"
#include "io/hdf5_writer.hpp"
#include "io/output_meta.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>

namespace apical::app {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop.store(true); }

// Every plastic projection's weights at the end of the run.
void write_final_weights(const io::Scenario& s, const Simulation& sim, io::Hdf5Writer& writer) {
    for (std::uint32_t p = 0; p < s.net.projections.size(); ++p) {
        if (s.net.projections[p].plasticity.empty()) continue;
        const SynapseList l = sim.synapses(p);
        writer.final_weights(s.net.projections[p].name, l.source, l.target, l.weight);
    }
}

} // namespace

StopOnSignal::StopOnSignal() {
    g_stop.store(false);
    old_int_ = std::signal(SIGINT, on_signal);
    old_term_ = std::signal(SIGTERM, on_signal);
}

StopOnSignal::~StopOnSignal() {
    std::signal(SIGINT, old_int_);
    std::signal(SIGTERM, old_term_);
}

const std::atomic<bool>& StopOnSignal::flag() const { return g_stop; }

RunOutcome run_to_file(const io::Scenario& s, const Registry& reg, const std::string& out, bool progress,
                       const std::atomic<bool>* stop) {
    const auto t0 = std::chrono::steady_clock::now();
    auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    Simulation sim(s.net, reg, SimulationOptions{s.net.threads});
    RunOutcome r;
    r.threads = sim.threads();
    r.stats = sim.stats();
    io::OutputMeta meta = io::output_meta_from(s, sim.probe_layouts(), APICAL_VERSION, sim.threads());
    io::add_records(meta, s, reg);
    for (std::size_t w = 0; w < s.net.weight_probes.size(); ++w) {
        // The sampled synapses: the first ones in Simulation::synapses order (as the engine samples).
        const SynapseList l = sim.synapses(s.net.weight_probes[w].projection);
        const std::size_t k = std::min<std::size_t>(l.source.size(), s.net.weight_probes[w].samples);
        meta.weight_probes[w].sample_source.assign(l.source.begin(), l.source.begin() + static_cast<std::ptrdiff_t>(k));
        meta.weight_probes[w].sample_target.assign(l.target.begin(), l.target.begin() + static_cast<std::ptrdiff_t>(k));
    }
    io::Hdf5Writer writer(out, std::move(meta));
    ProgressSink sink(writer, s.net.duration, progress);
    try {
        r.reached = sim.run(s.net.duration, sink, stop);
    } catch (const NumericalError& e) {
        sim.finish(sink);
        write_final_weights(s, sim, writer);
        sink.done();
        r.reached = sim.time();
        r.wall = seconds();
        writer.finish(false, r.reached, r.wall);
        r.end = RunOutcome::End::numerical_failure;
        r.message = e.what();
        return r;
    } catch (...) {
        writer.finish(false, sim.time(), seconds());
        throw;
    }
    sim.finish(sink);
    write_final_weights(s, sim, writer);
    sink.done();
    r.wall = seconds();
    const bool completed = r.reached >= s.net.duration - 0.5 * s.net.dt;
    writer.finish(completed, r.reached, r.wall);
    r.end = completed ? RunOutcome::End::completed : RunOutcome::End::interrupted;
    return r;
}

} // namespace apical::app
