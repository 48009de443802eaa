// Parameter declaration of the `htm` model (the step logic lives in htm_group.cpp).
#include "core/cell_group.hpp"
#include "models/htm/htm_model.hpp"

#include <cmath>
#include <limits>

namespace apical::models {

std::unique_ptr<CellGroup> make_htm_group(const GroupBuild&);

namespace {

const double inf = std::numeric_limits<double>::infinity();
const std::vector<std::string> kSwitch{"false", "true"};

ParamDecl whole(const char* name, double def, double lo, double hi, const char* doc) {
    ParamDecl d{name, Dim::none, def, lo, hi, doc};
    d.integer = true;
    return d;
}
ParamDecl choice(const char* name, std::vector<std::string> choices, double def, const char* doc) {
    ParamDecl d{name, Dim::none, def, 0, static_cast<double>(choices.size() - 1), doc};
    d.integer = true;
    d.choices = std::move(choices);
    return d;
}

double P(const ModelInfo& m, const std::vector<double>& p, const char* name) {
    return p.at(static_cast<std::size_t>(m.param_index(name)));
}

} // namespace

std::uint32_t htm_encoded_bits(const ModelInfo& m, const std::vector<double>& p, bool has_table) {
    if (!has_table) return 0;
    auto v = [&](const char* n) { return static_cast<std::uint32_t>(P(m, p, n)); };
    std::uint32_t bits = v("value_encoder") == 2 ? v("value_size") * v("value_max") : v("value_size");
    if (v("time_of_day_bits")) bits += v("time_of_day_size");
    if (v("day_of_week_bits")) bits += v("day_of_week_size");
    bits += 2 * v("weekend_bits");
    return bits;
}

ModelInfo htm_info() {
    ModelInfo m;
    m.name = "htm";
    m.doc = "HTM minicolumn layer: spatial pooler and temporal memory (htm.core semantics), stepped every "
            "step_interval; input from a CSV time series through encoders and/or from spikes; active cells "
            "spike at step times; column bursts and anomaly scores are recorded. See docs/htm.md.";
    m.parameters = {
        whole("columns", 2048, 1, 65536, "minicolumns"),
        whole("cells_per_column", 32, 1, 65536, "cells per minicolumn (population size = columns x cells_per_column)"),
        {"step_interval", Dim::time, 1.0, 0.0, 1e9,
         "simulated time between HTM steps (a multiple of dt); "
         "step k at k x step_interval reads CSV row k",
         true},
        {"learn_start", Dim::time, 0.0, 0.0, inf,
         "learning (SP and TM) is on for step times in [learn_start, learn_stop)"},
        {"learn_stop", Dim::time, inf, 0.0, inf, "see learn_start"},
        choice("spatial_pooler", kSwitch, 1, "false: the input bits are the active columns (input size <= columns)"),
        whole("input_bits", 0, 0, 65536,
              "input bits driven by spikes on receptor `input` (cell i <- bit i); they "
              "follow the encoder bits in the input SDR"),
        // Encoders for the CSV input (column 0: timestamp, column 1: value).
        choice("value_encoder", {"rdse", "scalar", "category"}, 0, "encoder of the value column"),
        whole("value_size", 400, 1, 65536, "bits of the value encoding (category: bits per category)"),
        whole("value_active_bits", 21, 1, 65536, "active bits of the value encoding (category: ignored)"),
        {"value_resolution", Dim::none, 1.0, 0.0, inf, "rdse: value range of one bucket", true},
        {"value_min", Dim::none, 0.0, -inf, inf, "scalar: lowest value (below: clipped); category: unused"},
        {"value_max", Dim::none, 1.0, -inf, inf, "scalar: highest value; category: number of categories"},
        choice("value_periodic", kSwitch, 0, "scalar: the range wraps around"),
        whole("time_of_day_bits", 0, 0, 65536, "date encoder: active bits for the time of day (0: off)"),
        whole("time_of_day_size", 168, 1, 65536, "date encoder: bits for the time of day"),
        whole("day_of_week_bits", 0, 0, 65536, "date encoder: active bits for the day of week (0: off)"),
        whole("day_of_week_size", 49, 1, 65536, "date encoder: bits for the day of week"),
        whole("weekend_bits", 0, 0, 65536, "date encoder: active bits per weekend/weekday category (0: off)"),
        // Spatial pooler.
        whole("potential_radius", 16, 0, 65536,
              "SP: inputs within this distance of a column's centre form its "
              "potential pool (0: the whole input)"),
        {"potential_pct", Dim::none, 0.5, 0.0, 1.0, "SP: fraction of the window in the potential pool", true},
        choice("inhibition", {"global", "local"}, 0, "SP: global or local (inhibition radius) inhibition"),
        {"local_area_density", Dim::none, 0.02, 0.0, 0.5, "SP: fraction of columns active", true},
        whole("stimulus_threshold", 0, 0, 65536, "SP: minimum overlap for a column to become active"),
        {"syn_perm_active_inc", Dim::none, 0.05, 0.0, 1.0, "SP: permanence gain of synapses onto active inputs"},
        {"syn_perm_inactive_dec", Dim::none, 0.008, 0.0, 1.0, "SP: permanence loss of synapses onto inactive inputs"},
        {"syn_perm_connected", Dim::none, 0.1, 0.0, 1.0, "SP: connected permanence", true},
        {"min_pct_overlap_duty_cycles", Dim::none, 0.001, 0.0, 1.0,
         "SP: weak-column threshold (fraction of the "
         "largest overlap duty cycle)"},
        whole("duty_cycle_period", 1000, 1, 1e9, "SP: duty cycle averaging period (steps)"),
        {"boost_strength", Dim::none, 0.0, 0.0, inf, "SP: boosting strength (0: off)"},
        // Temporal memory.
        whole("activation_threshold", 13, 1, 65536, "TM: connected active synapses for an active segment"),
        whole("min_threshold", 10, 1, 65536, "TM: active potential synapses for a matching segment"),
        whole("max_new_synapse_count", 20, 0, 65536, "TM: synapses a learning segment grows towards"),
        whole("max_segments_per_cell", 255, 1, 65536, "TM: segment limit per cell"),
        whole("max_synapses_per_segment", 255, 1, 65536, "TM: synapse limit per segment"),
        {"initial_permanence", Dim::none, 0.21, 0.0, 1.0, "TM: permanence of new synapses"},
        {"connected_permanence", Dim::none, 0.5, 0.0, 1.0, "TM: connected permanence", true},
        {"permanence_increment", Dim::none, 0.1, 0.0, 1.0, "TM: reinforcement of active synapses"},
        {"permanence_decrement", Dim::none, 0.1, 0.0, 1.0, "TM: weakening of inactive synapses of a learning segment"},
        {"predicted_segment_decrement", Dim::none, 0.0, 0.0, 1.0, "TM: punishment of wrongly predicting segments"},
        // Anomaly likelihood.
        whole("likelihood_learning_period", 288, 0, 1e9, "likelihood: steps before any statistics"),
        whole("likelihood_estimation_samples", 100, 1, 1e9, "likelihood: samples for the first estimate"),
        whole("likelihood_historic_window", 8640, 1, 1e9, "likelihood: steps kept for the estimate"),
        whole("likelihood_reestimation_period", 100, 1, 1e9, "likelihood: steps between re-estimates"),
        whole("likelihood_averaging_window", 10, 1, 1e9, "likelihood: raw scores averaged"),
        choice("record_predictive", kSwitch, 0, "also record the predictive cells after each step"),
    };
    m.receptors = {{"input", Dim::none,
                    "an event with weight > 0 on cell i (< input_bits) makes input bit i active for the next HTM step "
                    "(window [t_k - step_interval, t_k) for step time t_k)"}};
    m.variables = {{"active", Dim::none, "1 if the cell was active at the last step"},
                   {"predictive", Dim::none, "1 if the cell is predicted for the next step"}};
    m.whole_population = true;
    m.takes_table = true;
    m.table_doc = "CSV time series: column 0 timestamp (date-time or number), column 1 value; one row per step";
    m.size_from_params = [m_ = m](const std::vector<double>& p) {
        return static_cast<std::uint32_t>(std::min(P(m_, p, "columns") * P(m_, p, "cells_per_column"), 4294967295.0));
    };
    m.records = {
        {"column_bursts", "column_ids", {}, {}, "minicolumns that burst (active, no cell predicted) at each step"},
        {"htm",
         "",
         {"timestamp", "value", "anomaly", "anomaly_likelihood", "anomaly_log_likelihood"},
         {},
         "per step: input row (timestamp, value; NaN without CSV input), raw anomaly, likelihood, log likelihood"},
        {"predictive_cells", "node_ids", {}, {}, "cells predicted for the next step (record_predictive: true)"},
    };
    m.check = [m_ = m](const PopulationCheck& c) -> std::string {
        auto p = [&](const char* n) { return P(m_, c.params, n); };
        const double k = std::round(p("step_interval") / c.dt);
        if (k < 1 || std::abs(p("step_interval") - k * c.dt) > 1e-9 * p("step_interval"))
            return "step_interval must be a whole multiple of simulation.dt";
        if (p("columns") * p("cells_per_column") > 65536)
            return "columns x cells_per_column = " +
                   std::to_string(static_cast<long long>(p("columns") * p("cells_per_column"))) +
                   " cells; allowed: at most 65536 (cells are addressed with 16 bits)";
        if (!c.table && p("input_bits") == 0)
            return "no input: give a CSV time series (csv: FILE) and/or input_bits > 0 for spiking input";
        if (p("input_bits") > c.size) return "input_bits must be <= the population size";
        if (c.table && c.table->columns.size() < 2)
            return "the CSV file " + c.table->file + " needs at least two columns (timestamp, value)";
        if (p("min_threshold") > p("activation_threshold"))
            return "min_threshold must be <= activation_threshold (a segment that is active must also match)";
        if (c.table) {
            const int enc = static_cast<int>(p("value_encoder"));
            if (enc == 1 && !(p("value_max") > p("value_min")))
                return "scalar encoder: value_max must exceed value_min";
            if (enc != 2 && p("value_active_bits") > p("value_size")) return "value_active_bits must be <= value_size";
            if (enc == 2 && !(p("value_max") >= 1 && p("value_max") == std::floor(p("value_max"))))
                return "category encoder: value_max is the number of categories, a whole number >= 1";
            if (p("time_of_day_bits") > p("time_of_day_size")) return "time_of_day_bits must be <= time_of_day_size";
            if (p("day_of_week_bits") > p("day_of_week_size")) return "day_of_week_bits must be <= day_of_week_size";
        }
        const double bits = htm_encoded_bits(m_, c.params, c.table != nullptr) + p("input_bits");
        if (p("spatial_pooler") == 0 && bits > p("columns"))
            return "without a spatial pooler the " + std::to_string(static_cast<long long>(bits)) +
                   " input bits are the columns; allowed: at most columns (" +
                   std::to_string(static_cast<long long>(p("columns"))) + ") input bits";
        return "";
    };
    return m;
}

void register_htm(Registry& r) {
    auto m = htm_info();
    m.make = make_htm_group;
    r.add_model(std::move(m));
}

} // namespace apical::models
