#include "app/run_scenario.hpp"

#include "app/memory_check.hpp"
#include "app/progress.hpp"
#include "core/state_io.hpp"
#include "io/hdf5_writer.hpp"
#include "io/output_meta.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <future>
#include <optional>

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

namespace {
// What ranks other than 0 report to: nothing is kept.
struct NullSink final : RecordingSink {
    void spikes(std::uint32_t, std::span<const double>, std::span<const std::uint64_t>) override {}
    void samples(std::uint32_t, std::span<const float>, std::size_t) override {}
};
} // namespace

RunOutcome run_to_file(const io::Scenario& s, const Registry& reg, const std::string& out, bool progress,
                       const std::atomic<bool>* stop, const CheckpointPlan& plan, Exchange* exchange) {
    const auto t0 = std::chrono::steady_clock::now();
    auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    check_memory(s.net, reg);
    SimulationOptions so;
    so.threads = s.net.threads;
    so.group_size = s.net.group_size;
    // A restart cuts the groups the saving run cut, whatever the thread count now. A format-1
    // checkpoint does not record them: every run then used the one-thread automatic size of
    // that time, 2048 cells with grid event times in a network with projections, else 512
    // (and no lane cut, which format 2 does not record either: there was none before format 3).
    if (plan.restart && so.group_size == 0) {
        const bool grid_rows = s.net.event_times == NetworkDesc::EventTimes::grid && !s.net.projections.empty();
        so.group_size = plan.restart->group_size > 0 ? plan.restart->group_size : grid_rows ? 2048u : 512u;
        so.cut_lanes = plan.restart->cut_lanes;
    }
    so.exchange = exchange;
    // With two or more threads the result file is started (HDF5's start-up and the file's
    // creation, a few ms) on another thread while the network is built, which needs no HDF5.
    // One thread keeps to one: a 1-thread run uses one core throughout.
    std::future<io::EarlyFile> early_file;
    if (resolved_threads(so) > 1 && (!exchange || exchange->rank() == 0))
        early_file = std::async(std::launch::async, [&out] { return io::EarlyFile(out); });
    // (If the build throws, the future's destructor waits for the file and removes it.)
    Simulation sim(s.net, reg, so);
    std::optional<io::EarlyFile> early;
    if (early_file.valid()) early.emplace(early_file.get());
    const bool checkpoints = plan.every > 0.0;
    if (checkpoints || plan.restart) {
        if (const std::string why = sim.checkpoint_unsupported(); !why.empty())
            throw CheckpointUsageError(std::string(plan.restart ? "--restart" : "--checkpoint-every") + ": " + why +
                                       " (docs/checkpoint.md lists what can be checkpointed: the models lif, adex, "
                                       "pyramidal and htm, every stimulus, burst rules, STP and plasticity rules, "
                                       "in a single process)");
    }
    if (plan.restart) {
        try {
            StateReader in(plan.restart->state);
            sim.load_state(in);
            if (!in.at_end()) throw CheckpointError("checkpoint: state bytes left over after the network's state");
        } catch (const CheckpointError& e) {
            throw CheckpointUsageError(std::string("--restart: ") + e.what());
        }
        if (sim.time() > s.net.duration + 0.5 * s.net.dt)
            throw CheckpointUsageError("--restart: the checkpoint is at t = " + std::to_string(sim.time()) +
                                       " ms, after simulation.duration (" + std::to_string(s.net.duration) +
                                       " ms); allowed: --set simulation.duration=T with T later than the checkpoint");
    }
    RunOutcome r;
    r.threads = sim.threads();
    r.stats = sim.stats();
    r.t_start = sim.time();
    r.ranks = sim.ranks();
    if (sim.rank() != 0) {
        // The same collective calls as rank 0 makes below (weight probes, final weights).
        for (auto& wp : s.net.weight_probes) (void)sim.synapses(wp.projection);
        auto final_weights = [&] {
            for (std::uint32_t p = 0; p < s.net.projections.size(); ++p)
                if (!s.net.projections[p].plasticity.empty()) (void)sim.synapses(p);
        };
        NullSink null;
        try {
            r.reached = sim.run(s.net.duration, null, stop);
        } catch (const NumericalError& e) {
            r.reached = sim.time();
            r.wall = seconds();
            r.end = RunOutcome::End::numerical_failure;
            r.message = e.what();
            final_weights();
            return r;
        }
        final_weights();
        r.wall = seconds();
        r.stats = sim.stats();
        r.end =
            r.reached >= s.net.duration - 0.5 * s.net.dt ? RunOutcome::End::completed : RunOutcome::End::interrupted;
        return r;
    }
    io::OutputMeta meta = io::output_meta_from(s, sim.probe_layouts(), APICAL_VERSION, sim.threads());
    meta.t_start = r.t_start;
    io::add_records(meta, s, reg);
    for (std::size_t w = 0; w < s.net.weight_probes.size(); ++w) {
        // The sampled synapses: the first ones in Simulation::synapses order (as the engine samples).
        const SynapseList l = sim.synapses(s.net.weight_probes[w].projection);
        const std::size_t k = std::min<std::size_t>(l.source.size(), s.net.weight_probes[w].samples);
        meta.weight_probes[w].sample_source.assign(l.source.begin(), l.source.begin() + static_cast<std::ptrdiff_t>(k));
        meta.weight_probes[w].sample_target.assign(l.target.begin(), l.target.begin() + static_cast<std::ptrdiff_t>(k));
    }
    io::Hdf5Writer writer(out, std::move(meta), std::move(early));
    // APICAL_FLUSH_INTERVAL: seconds of wall time between flushes of the result file (default
    // 10; what a killed run keeps is what was flushed). docs/output.md.
    if (const char* f = std::getenv("APICAL_FLUSH_INTERVAL"); f && *f) writer.set_flush_interval(std::atof(f));
    ProgressSink sink(writer, s.net.duration, progress);
    const double dt = s.net.dt;
    const auto n_stop = static_cast<std::int64_t>(std::llround(s.net.duration / dt));
    // Checkpoints fall on whole epochs of the engine (where a run pauses anyway), so a run
    // that takes them is cut at no boundary an uninterrupted run would not have.
    std::int64_t every = 0;
    if (checkpoints) {
        const std::int64_t L = sim.epoch_steps();
        every = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(plan.every / dt / double(L) - 1e-9))) * L;
    }
    auto save = [&] {
        StateWriter w;
        sim.save_state(w);
        io::Checkpoint c;
        c.apical_version = APICAL_VERSION;
        c.scenario_file = plan.scenario_file;
        c.scenario_yaml = s.resolved_yaml;
        c.output = out;
        c.t = sim.time();
        c.group_size = sim.group_size();
        c.cut_lanes = sim.cut_lanes();
        c.state = w.bytes();
        io::write_checkpoint(plan.path, c);
        ++r.checkpoints;
        r.last_checkpoint = c.t;
    };
    try {
        std::int64_t now = std::llround(sim.time() / dt);
        while (now < n_stop) {
            const std::int64_t target = every > 0 ? std::min((now / every + 1) * every, n_stop) : n_stop;
            r.reached = sim.run(static_cast<double>(target) * dt, sink, stop);
            now = std::llround(sim.time() / dt);
            if (now < target) { // stopped by a signal: save where we are, then finish the file
                if (checkpoints) save();
                break;
            }
            if (checkpoints && now < n_stop) save();
        }
        r.reached = sim.time();
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
        // The first error is the one to report; the file keeps what it can either way.
        try {
            writer.finish(false, sim.time(), seconds());
        } catch (...) {}
        throw;
    }
    sim.finish(sink);
    write_final_weights(s, sim, writer);
    sink.done();
    r.wall = seconds();
    r.stats = sim.stats();
    const bool completed = r.reached >= s.net.duration - 0.5 * s.net.dt;
    writer.finish(completed, r.reached, r.wall);
    r.end = completed ? RunOutcome::End::completed : RunOutcome::End::interrupted;
    return r;
}

} // namespace apical::app
