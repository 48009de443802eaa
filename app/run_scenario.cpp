#include "app/run_scenario.hpp"

#include "app/progress.hpp"
#include "io/hdf5_writer.hpp"
#include "io/output_meta.hpp"

#include <chrono>
#include <csignal>

namespace apical::app {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop.store(true); }

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
                       const std::atomic<bool>* stop, Exchange* exchange) {
    const auto t0 = std::chrono::steady_clock::now();
    auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    SimulationOptions so;
    so.threads = s.net.threads;
    so.exchange = exchange;
    Simulation sim(s.net, reg, so);
    RunOutcome r;
    r.threads = sim.threads();
    r.stats = sim.stats();
    r.ranks = sim.ranks();
    if (sim.rank() != 0) {
        NullSink null;
        try {
            r.reached = sim.run(s.net.duration, null, stop);
        } catch (const NumericalError& e) {
            r.reached = sim.time();
            r.wall = seconds();
            r.end = RunOutcome::End::numerical_failure;
            r.message = e.what();
            return r;
        }
        r.wall = seconds();
        r.stats = sim.stats();
        r.end = r.reached >= s.net.duration - 0.5 * s.net.dt ? RunOutcome::End::completed : RunOutcome::End::interrupted;
        return r;
    }
    io::OutputMeta meta = io::output_meta_from(s, sim.probe_layouts(), APICAL_VERSION, sim.threads());
    io::add_records(meta, s, reg);
    io::Hdf5Writer writer(out, std::move(meta));
    ProgressSink sink(writer, s.net.duration, progress);
    try {
        r.reached = sim.run(s.net.duration, sink, stop);
    } catch (const NumericalError& e) {
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
    sink.done();
    r.wall = seconds();
    r.stats = sim.stats();
    const bool completed = r.reached >= s.net.duration - 0.5 * s.net.dt;
    writer.finish(completed, r.reached, r.wall);
    r.end = completed ? RunOutcome::End::completed : RunOutcome::End::interrupted;
    return r;
}

} // namespace apical::app
