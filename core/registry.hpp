// Declarations that models, stimuli and connectivity rules publish about themselves,
// and the registry that holds them. core/ knows no model by name: models/ fills a
// Registry through one registration list (models/builtin.cpp), and io/ validates
// scenarios against whatever the registry declares.
#pragma once
#include "core/units.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace apical {

struct ParamDecl {
    std::string name;
    Dim dim = Dim::none;
    double default_value = 0.0;
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
    std::string doc;
    bool min_exclusive = false; // true: value must be > min (e.g. a time constant)
    bool integer = false;       // value must be a whole number
    // Non-empty: the scenario names one of these words and the value is its index
    // (e.g. {"global", "local"}; {"false", "true"} for a switch).
    std::vector<std::string> choices = {};
};

struct ReceptorDecl {
    std::string name;
    Dim weight_dim = Dim::none; // the unit projection/stimulus weights must carry
    std::string doc;
};

struct VariableDecl {
    std::string name;
    Dim dim = Dim::none;
    std::string doc;
};

// One compartment of a multi-compartment model's tree, as a preset ships it.
struct CompartmentPreset {
    std::string name, parent;             // parent "" for the root (the soma)
    std::map<std::string, double> values; // compartment parameters that differ from defaults
    std::string doc;
};

// A named parameter set shipped with a model (values in canonical units).
// A named per-step record a model emits besides spikes (stored by the HDF5 writer as
// /<group>/<population>/...). Two shapes:
//   events (id_name set): rows (time, id), e.g. /column_bursts/<pop>/timestamps + column_ids;
//   table (id_name empty): rows (time, columns...), e.g. /htm/<pop>/timestamps + anomaly, ...
struct RecordDecl {
    std::string group;                // HDF5 group under the root, e.g. "column_bursts"
    std::string id_name;              // events: name of the id dataset; "" for a table
    std::vector<std::string> columns; // table: one float64 dataset each
    std::vector<std::string> units;   // table: per column ("" dimensionless)
    std::string doc;
};

// A population's input table (e.g. a CSV time series), read by io/, model-agnostic.
struct Table {
    std::string file;                 // where it came from (for messages)
    std::vector<std::string> columns; // header names
    std::vector<bool> datetime;       // per column: values were date-times (Unix seconds, UTC)
    std::vector<double> values;       // row-major, rows() x columns.size()
    std::size_t rows() const { return columns.empty() ? 0 : values.size() / columns.size(); }
    double at(std::size_t row, std::size_t col) const { return values[row * columns.size() + col]; }
};

// What a model's population check sees (everything in canonical units).
struct PopulationCheck {
    const std::vector<double>& params;
    std::uint32_t size = 0;
    double dt = 0.1;
    const Table* table = nullptr; // null: none given
};

struct ParamPreset {
    std::string name, doc, source;
    std::map<std::string, double> values;        // only the ones that differ from defaults
    std::vector<CompartmentPreset> compartments; // multi-compartment models: the tree
};

class CellGroup;
struct GroupBuild;
class SpikeClassifier;
class ShortTermPlasticity;
class PlasticityRule;
class EventSource;
struct StimulusBuild;
struct ConnectRequest;
struct ConnectCheck;
struct StimulusDesc;
struct Waveform;
struct PopulationDesc;

struct ModelInfo {
    std::string name, doc;
    std::vector<ParamDecl> parameters;
    std::vector<std::string> compartments{"soma"};
    std::vector<ReceptorDecl> receptors;
    std::vector<VariableDecl> variables;
    std::vector<ParamPreset> presets;
    std::function<std::unique_ptr<CellGroup>(const GroupBuild&)> make;
    // Models whose cells interact inside the population (not only through projections)
    // get the whole population as one group (at most 65536 cells).
    bool whole_population = false;
    // Optional: the population size implied by the parameters (then `size:` may be left out).
    std::function<std::uint32_t(const std::vector<double>&)> size_from_params;
    // Optional: "" when a population's parameters, size and table fit together, else what is wrong.
    std::function<std::string(const PopulationCheck&)> check;
    // Whether the population takes an input table (`csv:` in scenarios), and what it reads.
    bool takes_table = false;
    std::string table_doc;
    std::vector<RecordDecl> records;
    // Bytes of state per cell, for the memory estimate made before building (0: estimated
    // from the number of variables).
    double bytes_per_cell = 0.0;

    // Multi-compartment models (compartment_parameters not empty): the compartment tree is
    // a property of each population (scenario `compartments:` or a preset's tree), so
    // compartments, variables and receptors are resolved per population by
    // population_model(). Each compartment has these parameters and these variables,
    // recorded as `<variable>_<compartment>` (v_soma, v_apical, ...).
    std::vector<ParamDecl> compartment_parameters;
    std::vector<VariableDecl> compartment_variables;
    std::vector<CompartmentPreset> default_compartments; // tree used without a preset tree
    // Optional: adjust the resolved view to a population's parameters (e.g. receptor weight
    // units that depend on a compatibility switch). Called by population_model().
    std::function<void(ModelInfo&, const PopulationDesc&)> specialize;
    bool multi_compartment() const { return !compartment_parameters.empty(); }

    int param_index(const std::string& n) const;
    int receptor_index(const std::string& n) const;
    int compartment_index(const std::string& n) const;
    int variable_index(const std::string& n) const;
    const ParamPreset* preset(const std::string& n) const;
};

// Stimulus kinds and connectivity rules declare their parameters the same way.
struct KindInfo {
    std::string name, doc;
    std::vector<ParamDecl> parameters;
    // Stimuli only: true for event stimuli (need `receptor:` and a `weight:` in the
    // receptor's unit), false for injected currents (need `compartment:`).
    bool emits_events = false;
    // Stimuli only: which list keys the stimulus reads (StimulusDesc::times/values),
    // with their dimension; e.g. spike_times: {"times", time}.
    std::vector<ParamDecl> lists;
    // Exactly one of these is set, by the kind's registration in models/:
    // connectivity rules: append the source cells of one target cell to `sources`, in any
    // order (the engine puts them in ascending order where the order matters).
    std::function<void(const ConnectRequest&, std::vector<std::uint32_t>& sources)> connect;
    // connectivity rules (optional): "" if the rule can be satisfied, else what is wrong.
    std::function<std::string(const ConnectCheck&)> check;
    // connectivity rules (optional): the expected number of synapses of the whole projection,
    // for the memory estimate made before building (absent: counted as all-to-all).
    std::function<double(const ConnectCheck&)> expected_synapses;
    // stimuli (optional): "" when the parameters (canonical units, in declaration order) fit
    // together, else what is wrong; checked when the scenario is read, so that the error
    // carries the stimulus's line and column.
    std::function<std::string(const std::vector<double>& params)> check_params;
    // event stimuli: make the per-group event source.
    std::function<std::unique_ptr<EventSource>(const StimulusBuild&)> make_events;
    // current stimuli: the waveform it injects.
    std::function<Waveform(const StimulusDesc&)> make_waveform;
    // burst rules: the classifier of one population (n_cells cells).
    std::function<std::unique_ptr<SpikeClassifier>(const std::vector<double>& params, std::uint32_t n_cells)>
        make_classifier;
    // short-term plasticity models: the state of one projection (n_source presynaptic cells).
    std::function<std::unique_ptr<ShortTermPlasticity>(const std::vector<double>& params, std::uint32_t n_source)>
        make_stp;
    // plasticity rules: the state of one projection onto one cell group.
    std::function<std::unique_ptr<PlasticityRule>(const std::vector<double>& params, std::uint32_t n_source,
                                                  std::uint32_t n_target)>
        make_plasticity;
    // Named parameter sets (values in canonical units), e.g. STP "depressing".
    std::vector<ParamPreset> presets;
    const ParamPreset* preset(const std::string& n) const;
    int param_index(const std::string& n) const;
};

class Registry {
public:
    void add_model(ModelInfo m);
    void add_stimulus(KindInfo k);
    void add_connectivity(KindInfo k);
    void add_burst_rule(KindInfo k);
    void add_stp(KindInfo k);
    void add_plasticity(KindInfo k);

    const ModelInfo* model(const std::string& name) const;
    const KindInfo* stimulus(const std::string& name) const;
    const KindInfo* connectivity(const std::string& name) const;
    const KindInfo* burst_rule(const std::string& name) const;
    const KindInfo* stp(const std::string& name) const;
    const KindInfo* plasticity(const std::string& name) const;

    const std::vector<ModelInfo>& models() const { return models_; }
    const std::vector<KindInfo>& stimuli() const { return stimuli_; }
    const std::vector<KindInfo>& connectivity_rules() const { return rules_; }
    const std::vector<KindInfo>& burst_rules() const { return burst_rules_; }
    const std::vector<KindInfo>& stp_models() const { return stp_; }
    const std::vector<KindInfo>& plasticity_rules() const { return plasticity_; }

private:
    std::vector<ModelInfo> models_;
    std::vector<KindInfo> stimuli_, rules_, burst_rules_, stp_, plasticity_;
};

// What a connectivity rule's check sees of a projection.
struct ConnectCheck {
    const std::vector<double>& params; // per KindInfo::parameters
    std::uint32_t n_source = 0, n_target = 0;
    bool same_population = false, autapses = true, multapses = true;
};

// Values for every declared parameter, in declaration order, canonical units.
std::vector<double> default_values(const std::vector<ParamDecl>& decls);

// The model as population `p` sees it: for multi-compartment models, the compartments of
// p's tree, cell variables followed by `<variable>_<compartment>` for every compartment (in
// tree order, compartment variables in declaration order), receptors as specialised. For
// other models, `m` itself.
ModelInfo population_model(const ModelInfo& m, const PopulationDesc& p);

} // namespace apical
