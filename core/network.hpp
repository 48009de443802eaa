// The lowered description of one simulation: plain numbers in canonical units
// (ms, mV, pA, nS, pF, Hz), already validated. io/ produces it from a scenario file;
// core/ builds and runs it. Nothing here carries units or file positions.
#pragma once
#include "core/registry.hpp"
#include "core/spike_hooks.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace apical {

// A random or constant value: weights, delays, initial states.
struct Distribution {
    enum class Kind { constant, uniform, normal, lognormal } kind = Kind::constant;
    double a = 0.0; // constant: value; uniform: low; normal: mean; lognormal: mu (of log)
    double b = 0.0; // uniform: high; normal: sd; lognormal: sigma (of log)
    double lo = -std::numeric_limits<double>::infinity(); // normal: clipped to [lo, hi]
    double hi = std::numeric_limits<double>::infinity();
    bool is_constant() const { return kind == Kind::constant; }
};

// One compartment of a population's cell (multi-compartment models): its place in the
// tree and its values of the model's compartment parameters.
struct CompartmentDesc {
    std::string name;
    int parent = -1;            // index of the parent compartment; -1 for the root (soma)
    std::vector<double> params; // one per ModelInfo::compartment_parameters
};

struct PopulationDesc {
    std::string name;
    std::string model; // a ModelInfo name in the registry
    std::uint32_t size = 0;
    std::vector<double> params; // one per ModelInfo::parameters, in that order
    // Initial values for state variables by variable index (absent: model default).
    std::vector<std::pair<int, Distribution>> initial;
    // Multi-compartment models: the tree, root first, every parent before its children.
    std::vector<CompartmentDesc> compartments;
    Table table; // input table (ModelInfo::takes_table); empty if none
};

struct ProjectionDesc {
    std::string name;
    std::uint32_t source = 0, target = 0; // population indices
    std::uint16_t receptor = 0;           // index into the target model's receptors
    std::uint16_t compartment = 0;        // index into the target model's compartments
    std::string rule;                     // a connectivity KindInfo name
    std::vector<double> rule_params;      // per KindInfo::parameters
    bool autapses = true, multapses = true;
    Distribution weight, delay; // weight in the receptor's unit; delay in ms
    // Which spikes of the source the projection carries: all, only events (first spikes of
    // bursts and isolated spikes) or only bursts (once per burst, at its second spike).
    enum class Transmit { spikes, events, bursts } transmit = Transmit::spikes;
    std::string stp;                // "" or a short-term plasticity KindInfo name
    std::vector<double> stp_params; // per that KindInfo's parameters
    std::string plasticity;         // "" or a plasticity rule KindInfo name
    std::vector<double> plasticity_params;
    Schedule learning; // when the plasticity rule may change weights
};

// Weights of a plastic projection recorded over time: their sum and `samples` synapses
// (the first ones in Simulation::synapses order), every `interval` ms.
struct WeightProbeDesc {
    std::uint32_t projection = 0;
    double interval = 10.0;
    std::uint32_t samples = 0;
};

struct StimulusDesc {
    std::string name;
    std::string type;           // a stimulus KindInfo name
    std::vector<double> params; // per KindInfo::parameters
    std::uint32_t target = 0;   // population index
    std::uint16_t receptor = 0; // event stimuli: receptor index
    std::uint16_t compartment = 0;
    double weight = 0.0;              // event stimuli: in the receptor's weight unit
    std::vector<std::uint32_t> cells; // empty: every cell of the target
    std::vector<double> times;        // spike_times: event times (ms); step_current: change times
    std::vector<double> values;       // step_current: amplitudes (pA) from each time on
};

struct ProbeDesc {
    std::string name;
    std::uint32_t population = 0;
    std::vector<int> variables;       // ModelInfo::variables indices
    std::vector<std::uint32_t> cells; // within the population
    double interval = 0.1;            // ms, a multiple of dt
};

// Time is counted in whole steps of dt, and step * dt must stay exact in a double: a run
// is at most this many steps (at dt = 0.1 ms about 14 000 years).
inline constexpr double max_run_steps = 0x1p52;

struct NetworkDesc {
    double duration = 1000.0; // ms
    double dt = 0.1;          // ms
    std::uint64_t seed = 1;
    int threads = 0; // 0: the CPUs the process may use (available_threads)
    // Cells per cell group, the unit of work a thread takes (SimulationOptions::group_size):
    // a performance setting; results do not depend on it. 0: automatic (resolved_group_size).
    std::uint32_t group_size = 0;
    // exact: events keep their times, spike times are located inside steps (default).
    // grid: events act at the first step boundary at or after their time and spikes are
    // stamped at the end of the step that crossed threshold (as Brian2, NEST's grid models
    // and Auryn do): faster, first-order in dt for event timing.
    enum class EventTimes { exact, grid } event_times = EventTimes::exact;
    std::vector<PopulationDesc> populations;
    std::vector<ProjectionDesc> projections;
    std::vector<StimulusDesc> stimuli;
    std::vector<ProbeDesc> probes;
    std::vector<WeightProbeDesc> weight_probes;
    // Burst detection: one rule for the network (a burst-rule KindInfo name and its
    // parameters; empty params: its defaults). Populations are classified when a projection
    // or plasticity rule needs it or when classify[p] is set (recording).
    std::string burst_rule = "trace";
    std::vector<double> burst_params;
    std::vector<bool> classify;
};

// What a connectivity rule is told about projection `pr` (its check and its synapse-count
// estimate). Refers to pr.rule_params: keep `pr` alive while the result is used.
inline ConnectCheck connect_check(const NetworkDesc& net, const ProjectionDesc& pr) {
    return ConnectCheck{pr.rule_params,
                        net.populations[pr.source].size,
                        net.populations[pr.target].size,
                        pr.source == pr.target,
                        pr.autapses,
                        pr.multapses};
}

} // namespace apical
