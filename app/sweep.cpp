// `apical sweep` and `apical collect`: run the points of a sweep design (io/sweep_design)
// into a sweep directory (io/sweep_dir), in parallel in this process, across MPI ranks,
// or as one task of a Slurm job array, then summarise (io/sweep_summary).
#include "app/commands.hpp"
#include "app/mpi_world.hpp"
#include "app/run_scenario.hpp"
#include "io/hdf5_writer.hpp"
#include "io/source_map.hpp"
#include "io/suggest.hpp"
#include "io/sweep_summary.hpp"
#include "models/builtin.hpp"

#include <tbb/info.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <sstream>

namespace apical::app {
namespace {

namespace fs = std::filesystem;

// A usage or scenario problem found before any point runs: exit status 2.
struct UsageError : std::runtime_error { // what() is the whole message
    using std::runtime_error::runtime_error;
};

// A whole number from the environment; nullopt when unset or empty.
std::optional<long long> env_number(const char* name) {
    const char* v = std::getenv(name);
    if (!v || !*v) return std::nullopt;
    char* end = nullptr;
    const long long x = std::strtoll(v, &end, 10);
    if (*end != '\0') throw UsageError(std::string(name) + "=" + v + " is not a whole number");
    return x;
}

// --task-index/--task-count, else Slurm's array variables (ids counted from
// SLURM_ARRAY_TASK_MIN, so --array=1-8 works as well as 0-7); else one task.
std::pair<std::size_t, std::size_t> array_task(const SweepOptions& o) {
    std::optional<long long> index = o.task_index, count = o.task_count;
    if (!index && !count) {
        index = env_number("SLURM_ARRAY_TASK_ID");
        count = env_number("SLURM_ARRAY_TASK_COUNT");
        if (index && count)
            if (const auto min = env_number("SLURM_ARRAY_TASK_MIN")) *index -= *min;
        if (!index || !count) index = count = std::nullopt;
    }
    if (!index && !count) return {0, 1};
    if (!index || !count) throw UsageError("--task-index and --task-count go together");
    if (*count < 1) throw UsageError("--task-count " + std::to_string(*count) + " is out of range; allowed: >= 1");
    if (*index < 0 || *index >= *count)
        throw UsageError("task index " + std::to_string(*index) + " is out of range; allowed: 0.." +
                         std::to_string(*count - 1) + " (task count " + std::to_string(*count) + ")");
    return {static_cast<std::size_t>(*index), static_cast<std::size_t>(*count)};
}

// Strips "FILE:LINE:COL: " from a ScenarioError message.
std::string bare_message(const io::ScenarioError& e) {
    const std::string w = e.what();
    const std::string prefix = e.file() + ":" + std::to_string(e.line()) + ":" + std::to_string(e.col()) + ": ";
    return w.rfind(prefix, 0) == 0 ? w.substr(prefix.size()) : w;
}

// Everything a sweep needs to run a point, the same on every rank and task.
struct Plan {
    std::string scenario, dir;
    std::vector<std::string> base; // --set overrides
    io::SweepDesign design;
    std::uint64_t base_seed = 0;
    int threads = 1; // per point

    std::string setting(std::size_t i, std::size_t k) const { return design.keys[k] + "=" + design.points[i][k]; }
    std::vector<std::string> overrides(std::size_t i) const {
        std::vector<std::string> o = base;
        for (std::size_t k = 0; k < design.keys.size(); ++k) o.push_back(setting(i, k));
        if (design.seed_column() < 0) o.push_back("simulation.seed=" + std::to_string(io::point_seed(base_seed, i)));
        o.push_back("simulation.threads=" + std::to_string(threads));
        return o;
    }
    std::string describe(std::size_t i) const {
        std::string s;
        for (std::size_t k = 0; k < design.keys.size(); ++k) s += (k ? ", " : "") + setting(i, k);
        return s;
    }
    // The point's scenario; a problem in its values is a UsageError naming the point.
    io::Scenario load(std::size_t i, const Registry& reg) const {
        try {
            return io::load_scenario(scenario, overrides(i), reg);
        } catch (const io::ScenarioError& e) {
            if (e.file() != io::SourceMap::override_label || e.line() <= static_cast<int>(base.size())) throw;
            throw UsageError(scenario + ": sweep point " + std::to_string(i) + " (" + describe(i) +
                             "): " + bare_message(e));
        }
    }
};

Plan make_plan(const SweepOptions& o, const Registry& reg) {
    Plan p;
    p.scenario = o.scenario;
    p.dir = o.dir;
    p.base = o.overrides;
    if (!fs::exists(o.scenario)) throw io::ScenarioError(o.scenario, 0, 0, "no such file");
    const io::Scenario base = io::load_scenario(o.scenario, o.overrides, reg);
    p.base_seed = base.net.seed;
    io::SweepSpec spec = io::read_sweep_spec(o.scenario);
    for (std::size_t i = 0; i < o.grid.size(); ++i) io::add_grid_argument(spec, o.grid[i], static_cast<int>(i + 1));
    if (!o.list.empty()) {
        if (!fs::exists(o.list)) throw UsageError("--list " + o.list + ": no such file");
        io::set_point_list(spec, o.list);
    }
    p.design = io::expand(spec, o.scenario);
    if (p.design.points.empty())
        throw UsageError(o.scenario +
                         ": nothing to sweep; give a `sweep:` section in the scenario, --grid KEY=V1,V2,... "
                         "or --list FILE.csv");
    return p;
}

// Rank 0 (or the only process): validates every point, writes the shared files and
// returns the points this process or job must run. Throws UsageError.
std::vector<std::size_t> prepare(const Plan& p, const SweepOptions& o, const Registry& reg, std::size_t task,
                                 std::size_t tasks) {
    io::SweepManifest m;
    m.keys = p.design.keys;
    m.values = p.design.points;
    for (std::size_t i = 0; i < p.design.points.size(); ++i) m.seeds.push_back(p.load(i, reg).net.seed);
    const io::Scenario base = io::load_scenario(p.scenario, p.base, reg);
    std::error_code ec;
    if (fs::exists(p.dir, ec) && !fs::is_directory(p.dir, ec))
        throw UsageError(p.dir + " exists and is not a directory; a sweep writes a directory (choose it with -o)");
    if (fs::create_directories(p.dir, ec); ec)
        throw UsageError(p.dir + ": cannot create the sweep directory (" + ec.message() +
                         "); choose a writable place with -o");
    if (!io::write_once(p.dir, "design.csv", io::manifest_text(m)) ||
        !io::write_once(p.dir, "scenario.yaml", base.resolved_yaml))
        throw UsageError(p.dir + " holds a different sweep (its design.csv or scenario.yaml differ); choose "
                                 "another -o, or remove it");
    std::vector<std::size_t> todo;
    for (std::size_t i : io::task_share(p.design.points.size(), task, tasks)) {
        const std::string file = io::point_file(p.dir, i);
        const bool any = io::output_exists(file) || io::output_exists(io::partial_path_for(file)) ||
                         io::output_exists(io::failure_file(p.dir, i));
        if (any && !o.resume)
            throw UsageError(file + " (or its .partial or .failed) exists: " + p.dir +
                             " holds results of this sweep; use --resume to continue it, or another -o");
        if (o.resume && io::point_on_disk(p.dir, i).state == io::PointState::done) continue;
        todo.push_back(i);
    }
    return todo;
}

// Runs one point into DIR/points/<i>.h5; a failure is recorded, never thrown.
class PointRunner {
public:
    // `rank` >= 0 under MPI: lines are labelled by rank (only rank 0 knows the total).
    PointRunner(const Plan& p, const Registry& reg, const std::atomic<bool>& stop, bool quiet, std::size_t total,
                int rank)
        : p_(p), reg_(reg), stop_(stop), quiet_(quiet), total_(total), rank_(rank) {}

    void operator()(std::size_t i) {
        const std::string file = io::point_file(p_.dir, i);
        std::error_code ec;
        fs::remove(io::failure_file(p_.dir, i), ec);
        fs::remove(file, ec);
        std::string failure;
        RunOutcome r;
        try {
            const io::Scenario s = p_.load(i, reg_);
            r = run_to_file(s, reg_, file, false, &stop_);
            if (r.end == RunOutcome::End::numerical_failure) failure = "numerical failure: " + r.message;
        } catch (const std::invalid_argument& e) {
            failure = std::string("cannot build the network: ") + e.what();
        } catch (const std::exception& e) {
            failure = e.what();
        }
        if (r.end == RunOutcome::End::interrupted && failure.empty()) {
            // Lost in flight: back to .partial, so the point counts as missing and --resume reruns it.
            fs::rename(file, io::partial_path_for(file), ec);
            report(i, "interrupted");
            interrupted_.fetch_add(1);
            return;
        }
        if (!failure.empty()) {
            io::write_failure(p_.dir, i, failure, r.wall);
            failed_.fetch_add(1);
            report(i, "failed: " + failure.substr(0, failure.find('\n')));
            return;
        }
        std::ostringstream msg;
        msg << "done in " << r.wall << " s";
        report(i, msg.str());
    }

    std::size_t failed() const { return failed_.load(); }
    std::size_t interrupted() const { return interrupted_.load(); }

private:
    void report(std::size_t i, const std::string& what) {
        std::lock_guard<std::mutex> lock(out_);
        ++finished_;
        if (quiet_) return;
        const std::string who =
            rank_ >= 0 ? "rank " + std::to_string(rank_) : std::to_string(finished_) + "/" + std::to_string(total_);
        std::cout << "[" << who << "] point " << i << " (" << p_.describe(i) << "): " << what << std::endl;
    }

    const Plan& p_;
    const Registry& reg_;
    const std::atomic<bool>& stop_;
    bool quiet_;
    std::size_t total_, finished_ = 0;
    int rank_;
    std::mutex out_;
    std::atomic<std::size_t> failed_{0}, interrupted_{0};
};

// summary.csv and sweep.h5 from what DIR holds; prints one line.
int write_summary(const std::string& dir, bool quiet) {
    const io::SweepSummary s = io::collect_sweep(dir);
    io::write_summary_csv(s, (fs::path(dir) / "summary.csv").string());
    io::write_sweep_h5(s, (fs::path(dir) / "sweep.h5").string(), APICAL_VERSION);
    if (!quiet)
        std::cout << dir << ": " << s.points.size() << " points: " << s.count(io::PointState::done) << " done, "
                  << s.count(io::PointState::failed) << " failed, " << s.count(io::PointState::missing)
                  << " missing; summary in " << (fs::path(dir) / "summary.csv").string() << " and sweep.h5\n";
    return 0;
}

int sweep(const SweepOptions& o, const MpiWorld* mpi) {
    const Registry reg = models::builtin_registry();
    const auto [task, tasks] = array_task(o);
    if (mpi && tasks > 1) throw UsageError("use either MPI ranks or a job array (--task-count), not both");
    const int cores = std::max(1, tbb::info::default_concurrency() / (mpi ? mpi->ranks_on_this_node() : 1));
    int jobs = std::max(1, o.jobs.value_or(cores));
    if (jobs > 1 && !io::writers_may_run_in_parallel()) {
        std::cerr << "apical: this HDF5 library is not thread-safe: running one point at a time (--jobs 1)\n";
        jobs = 1;
    }
    Plan plan = make_plan(o, reg);
    plan.threads = o.threads.value_or(std::max(1, cores / jobs));

    const bool leader = !mpi || mpi->rank() == 0;
    std::vector<std::size_t> todo;
    int rc = 0;
    std::string error;
    if (leader) {
        try {
            todo = prepare(plan, o, reg, task, tasks);
        } catch (const io::ScenarioError& e) {
            error = e.what();
            rc = 2;
        } catch (const UsageError& e) {
            error = std::string("apical: ") + e.what();
            rc = 2;
        }
    }
    if (mpi) rc = mpi->broadcast(rc);
    if (rc != 0) {
        if (leader) std::cerr << error << "\n";
        return rc;
    }
    const std::size_t share = io::task_share(plan.design.points.size(), task, tasks).size();
    if (leader && !o.quiet) {
        std::cout << "sweep " << o.scenario << " -> " << o.dir << ": " << plan.design.points.size() << " points";
        if (tasks > 1) std::cout << ", task " << task << " of " << tasks << " runs " << share;
        if (todo.size() < share) std::cout << ", " << share - todo.size() << " already done";
        std::cout << "; " << (mpi ? std::to_string(mpi->size()) + " ranks x " : "") << jobs << " jobs x "
                  << plan.threads << " threads\n";
    }

    const StopOnSignal stop;
    PointRunner runner(plan, reg, stop.flag(), o.quiet, todo.size(), mpi ? mpi->rank() : -1);
    const int workers =
        static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(jobs), std::max<std::size_t>(todo.size(), 1)));
    if (mpi) {
        mpi->share(todo, jobs, std::ref(runner), stop.flag());
        mpi->barrier();
    } else {
        PointQueue queue(todo, stop.flag());
        run_workers(
            workers, [&] { return queue.next(); }, std::ref(runner));
    }
    // A job array's tasks finish at different times: `apical collect` summarises at the end.
    if (leader) {
        if (tasks == 1) write_summary(o.dir, o.quiet);
        else if (!o.quiet)
            std::cout << "task " << task << " of " << tasks << " finished; when all tasks have, run: apical collect "
                      << o.dir << "\n";
    }
    int bad = runner.failed() > 0 || runner.interrupted() > 0 || stop.requested();
    if (mpi) bad = mpi->max_over_ranks(bad); // any rank's failure is every rank's exit status
    return bad ? 1 : 0;
}

} // namespace

std::string check_sweep(const std::string& scenario, const std::vector<std::string>& overrides, const Registry& reg) {
    const io::SweepSpec spec = io::read_sweep_spec(scenario);
    if (spec.grid.empty() && spec.method == io::SweepSpec::Method::none && spec.list_rows.empty()) return "";
    SweepOptions o;
    o.scenario = scenario;
    o.overrides = overrides;
    const Plan p = make_plan(o, reg);
    for (std::size_t i = 0; i < p.design.points.size(); ++i) p.load(i, reg);
    return "sweep: " + std::to_string(p.design.points.size()) + " points over " + io::join(p.design.keys);
}

int cmd_sweep(const SweepOptions& o) {
    std::unique_ptr<MpiWorld> mpi;
    try {
        mpi = MpiWorld::join_if_launched();
    } catch (const std::runtime_error& e) {
        std::cerr << "apical: " << e.what() << "\n";
        return 2;
    }
    // Problems found before the points run are the same on every rank: rank 0 reports them.
    const bool report = !mpi || mpi->rank() == 0;
    try {
        return sweep(o, mpi.get());
    } catch (const io::ScenarioError& e) {
        if (report) std::cerr << e.what() << "\n";
        return 2;
    } catch (const UsageError& e) {
        if (report) std::cerr << "apical: " << e.what() << "\n";
        return 2;
    }
}

int cmd_collect(const CollectOptions& o) {
    std::error_code ec;
    if (!fs::is_directory(o.dir, ec)) {
        std::cerr << "apical: " << o.dir << ": no such directory\n";
        return 2;
    }
    if (!fs::exists(fs::path(o.dir) / "design.csv")) {
        std::cerr << "apical: " << o.dir << ": not a sweep directory (no design.csv; `apical sweep` writes it)\n";
        return 2;
    }
    return write_summary(o.dir, o.quiet);
}

} // namespace apical::app
