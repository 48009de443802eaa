// The subcommands of `apical`. Each returns the process exit status.
#pragma once
#include "core/registry.hpp"

#include <optional>
#include <string>
#include <vector>

namespace apical::app {

struct RunOptions {
    std::string scenario, output;
    std::string checkpoint_every; // "100 ms": write checkpoints; "" none
    std::string checkpoint;       // the checkpoint file (default: OUTPUT with .ckpt)
    std::string restart;          // continue from this checkpoint
    std::vector<std::string> overrides;
    // As written: checked by the scenario reader like `--set simulation.threads=...` and
    // `--set simulation.seed=...`, with its ranges and messages (a number parser would take a
    // seed of "-5" as 2^64 - 5).
    std::optional<std::string> threads, seed;
    bool force = false, quiet = false;
};
struct ValidateOptions {
    std::string scenario;
    std::vector<std::string> overrides;
};
struct InspectOptions {
    std::string file;
    bool json = false;
};
struct ExportOptions {
    std::string file, format = "csv", output;
    bool force = false, quiet = false;
};
struct PlotOptions {
    std::string input, output; // a result file (.h5) or a sweep directory (summary.csv)
    bool force = false, quiet = false;
};
struct SweepOptions {
    std::string scenario, dir, list;
    std::vector<std::string> grid, overrides;
    std::optional<int> jobs, threads;                // default: all cores; cores / jobs
    std::optional<long long> task_index, task_count; // default: SLURM_ARRAY_TASK_ID/COUNT
    bool resume = false, quiet = false;
};
struct CollectOptions {
    std::string dir;
    bool quiet = false;
};
struct ModelsOptions {
    std::string name;
};

int cmd_run(const RunOptions&);
int cmd_validate(const ValidateOptions&);
int cmd_inspect(const InspectOptions&);
int cmd_models(const ModelsOptions&);
int cmd_export(const ExportOptions&);
int cmd_plot(const PlotOptions&);
int cmd_sweep(const SweepOptions&);
// For `apical validate`: every point of the scenario's `sweep:` section must give a valid
// scenario. "" without a sweep, else a line describing it. Throws io::ScenarioError, or
// std::runtime_error naming the point whose values are wrong.
std::string check_sweep(const std::string& scenario, const std::vector<std::string>& overrides, const Registry& reg);
int cmd_collect(const CollectOptions&);

} // namespace apical::app
