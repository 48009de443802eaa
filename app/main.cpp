// The `apical` command: thin wiring of io (scenarios, HDF5), models (registry) and core.
// Exit status: 0 success, 1 failure while running, 2 bad usage or bad scenario.
#include "app/commands.hpp"
#include "io/h5_error.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <iostream>
#include <string>

namespace {

// A whole number in [1, 65535] (CLI11's PositiveNumber names its range "0.000000 to 1.79e308"
// and calls 0 out of it).
const CLI::Validator at_least_one(
    [](std::string& s) {
        std::size_t used = 0;
        long v = 0;
        try {
            v = std::stol(s, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == s.size() && v >= 1 && v <= 65535) return std::string();
        return "expected a whole number in [1, 65535], got \"" + s + "\"";
    },
    "INT in [1, 65535]");

} // namespace

int main(int argc, char** argv) {
    apical::io::h5_no_teardown_at_exit();
    using namespace apical::app;
    CLI::App cli{"Apical: event-driven simulator for spiking networks of multi-compartment cells"};
    cli.require_subcommand(1);
    cli.set_version_flag("--version", APICAL_VERSION);

    RunOptions run;
    auto* c_run = cli.add_subcommand("run", "Run a scenario and write its results (HDF5, SONATA layout)");
    c_run->add_option("scenario", run.scenario, "scenario file (YAML); not with --restart");
    c_run->add_option("-o,--output", run.output, "output file (default: output.file of the scenario)");
    c_run->add_option("--set", run.overrides, "override a scenario key: KEY=VALUE (repeatable)");
    c_run->add_option(
        "--threads", run.threads,
        "worker threads (0: the CPUs this process may use, also the most it runs; default: the scenario's)");
    c_run->add_option("--seed", run.seed, "random seed (default: the scenario's)");
    c_run->add_flag("--force", run.force, "overwrite an existing output file");
    c_run->add_flag("-q,--quiet", run.quiet, "no progress line and no summary");
    c_run->add_option("--checkpoint-every", run.checkpoint_every,
                      "save the whole simulation state every T of simulated time (e.g. '10 s'), and when stopped "
                      "by SIGINT/SIGTERM");
    c_run->add_option("--checkpoint", run.checkpoint, "checkpoint file (default: OUTPUT with .ckpt for .h5)");
    c_run->add_option("--restart", run.restart,
                      "continue the run saved in this checkpoint (its scenario; default output OUTPUT-restart.h5)");

    ValidateOptions val;
    auto* c_val = cli.add_subcommand("validate", "Check a scenario without running it");
    c_val->add_option("scenario", val.scenario, "scenario file (YAML)")->required();
    c_val->add_option("--set", val.overrides, "override a scenario key: KEY=VALUE (repeatable)");

    InspectOptions ins;
    auto* c_ins = cli.add_subcommand("inspect", "Summarise a result file per population");
    c_ins->add_option("file", ins.file, "result file (.h5)")->required();
    c_ins->add_flag("--json", ins.json, "print JSON instead of a table");

    ExportOptions exp;
    auto* c_exp =
        cli.add_subcommand("export", "Export a result file to CSV (a directory) or NWB 2.x (spikes as a Units table)");
    c_exp->add_option("file", exp.file, "result file (.h5)")->required();
    c_exp->add_option("--format", exp.format, "csv or nwb")
        ->check(CLI::IsMember({"csv", "nwb"}))
        ->capture_default_str();
    c_exp->add_option("-o,--output", exp.output, "csv: output directory (created if missing); nwb: output file")
        ->required();
    c_exp->add_flag("--force", exp.force, "overwrite existing output files");
    c_exp->add_flag("-q,--quiet", exp.quiet, "do not list the files written");

    PlotOptions plot;
    auto* c_plot =
        cli.add_subcommand("plot", "Write a self-contained HTML report of a result file or a sweep directory");
    c_plot->add_option("input", plot.input, "result file (.h5) or sweep directory (with summary.csv)")->required();
    c_plot->add_option("-o,--output", plot.output, "report file (default: INPUT with .html, or DIR/report.html)");
    c_plot->add_flag("--force", plot.force, "overwrite an existing report");
    c_plot->add_flag("-q,--quiet", plot.quiet, "print nothing on success");

    SweepOptions sw;
    auto* c_sw = cli.add_subcommand(
        "sweep",
        "Run a parameter sweep: locally in parallel, across MPI ranks (mpirun), or as one task of a Slurm job array");
    c_sw->add_option("scenario", sw.scenario, "scenario file (YAML); its sweep: section gives the points")->required();
    c_sw->add_option("-o,--output", sw.dir, "sweep directory (points/<id>.h5, summary.csv, sweep.h5)")->required();
    c_sw->add_option("--grid", sw.grid, "sweep KEY over values: KEY=V1,V2,... (repeatable; cartesian product)");
    c_sw->add_option("--list", sw.list, "points from a CSV file: a header of keys, one row per point");
    c_sw->add_option("--set", sw.overrides, "override a scenario key for every point: KEY=VALUE (repeatable)");
    c_sw->add_option("--jobs", sw.jobs, "points run at once in this process (default: all cores)")->check(at_least_one);
    c_sw->add_option("--threads", sw.threads, "threads per point (default: cores / jobs)")->check(at_least_one);
    c_sw->add_option("--task-index", sw.task_index, "this job-array task (default: SLURM_ARRAY_TASK_ID)");
    c_sw->add_option("--task-count", sw.task_count, "number of job-array tasks (default: SLURM_ARRAY_TASK_COUNT)");
    c_sw->add_flag("--resume", sw.resume, "skip points whose result is complete; rerun the others");
    c_sw->add_flag("-q,--quiet", sw.quiet, "no line per point and no summary line");

    CollectOptions col;
    auto* c_col = cli.add_subcommand(
        "collect", "Rebuild DIR/summary.csv and DIR/sweep.h5 from the points a sweep directory holds");
    c_col->add_option("dir", col.dir, "sweep directory")->required();
    c_col->add_flag("-q,--quiet", col.quiet, "print nothing on success");

    ModelsOptions mod;
    auto* c_mod = cli.add_subcommand("models", "List models, stimulus types and connectivity rules, or describe one");
    c_mod->add_option("name", mod.name, "a model, stimulus type or connectivity rule");

    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = cli.exit(e);
        return rc == 0 ? 0 : 2;
    }
    try {
        if (*c_run) return cmd_run(run);
        if (*c_val) return cmd_validate(val);
        if (*c_ins) return cmd_inspect(ins);
        if (*c_mod) return cmd_models(mod);
        if (*c_exp) return cmd_export(exp);
        if (*c_plot) return cmd_plot(plot);
        if (*c_sw) return cmd_sweep(sw);
        if (*c_col) return cmd_collect(col);
    } catch (const std::exception& e) {
        std::cerr << "apical: error: " << e.what() << "\n";
        return 1;
    }
    return 2;
}
