// The one interface every kind of cell implements (after Arbor's cell_group):
// advance a block of cells of one population through an epoch, consuming that
// epoch's incoming events, emitting spikes and trace samples. One virtual call per
// group per epoch; everything per cell or per event happens inside the model.
#pragma once
#include "core/network.hpp"
#include "core/registry.hpp"
#include "core/state_io.hpp"
#include "core/waveform.hpp"

#include <cmath>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace apical {

// Epochs and steps are counted in whole steps of dt, so times never drift.
struct Epoch {
    std::int64_t step0 = 0, step1 = 0; // steps [step0, step1)
    double dt = 0.1;
    double t0() const { return static_cast<double>(step0) * dt; }
    double t1() const { return static_cast<double>(step1) * dt; }
};

// The first step boundary (a multiple of dt) at or after t, for grid event times. The
// tolerance keeps a time that is a grid point up to rounding on that grid point.
inline double next_step_boundary(double t, double dt) { return std::ceil(t / dt - 1e-9) * dt; }

// An incoming synaptic event for one cell of the group. `slot` is
// compartment * n_receptors + receptor of the target model.
struct Event {
    double time;
    std::uint16_t cell; // index within the group (groups hold at most 65535 cells)
    std::uint16_t slot;
    float weight;
};
static_assert(sizeof(Event) == 16, "events are streamed by the million: keep them 16 bytes");

// The synapses of one spike onto one cell group that arrive together, handed over as one
// row of the projection's storage instead of one Event per synapse: the engine does this
// with grid event times, for static projections (no plasticity) with a constant delay, to
// groups whose model says it can take them (CellGroup::takes_rows). Synapse k acts on cell
// target[k] through `slot` with weight `weight ? weight[k] : w`, multiplied in float by
// `gain` when gain != 1 (short-term plasticity): exactly the Events it stands for.
struct SynapseRow {
    const std::uint16_t* target;
    const float* weight; // null: every synapse weighs w
    float w, gain;
    std::uint32_t count;
    std::uint16_t slot;
    float weight_of(std::uint32_t k) const {
        const float x = weight ? weight[k] : w;
        return gain == 1.0f ? x : x * gain;
    }
};

// A group's events for one epoch, by integration step: step(s) holds the events with time
// in [t_s, t_s + dt) (with grid event times: exactly t_s), in arrival order. Arrival order
// is fixed by the network, not by threads or group layout: spikes in (time, gid) order,
// each through its synapses in storage order, then stimulus events. Models that want each
// cell's events in time order build a CellEvents view.
// For models that take rows, rows(s) holds the step's synaptic rows, in arrival order; they
// act before the step's Events (which are then stimulus events and synapses with drawn
// delays or plastic weights).
struct EventSpan {
    std::span<const std::span<const Event>> steps;
    std::span<const std::span<const SynapseRow>> row_steps = {}; // empty unless the model takes rows
    std::size_t size() const { return steps.size(); }
    std::span<const Event> step(std::size_t s) const { return steps[s]; }
    std::span<const SynapseRow> rows(std::size_t s) const {
        return row_steps.empty() ? std::span<const SynapseRow>{} : row_steps[s];
    }
};

// Cell-major view of an epoch's events: cell c's events sorted by (time, slot, weight), a
// total order that does not depend on arrival order.
class CellEvents {
public:
    void build(const EventSpan& e, std::uint32_t n_cells) {
        offsets_.assign(n_cells + 1, 0);
        std::size_t total = 0;
        for (auto st : e.steps) {
            total += st.size();
            for (auto& x : st) ++offsets_[x.cell + 1];
        }
        for (std::uint32_t c = 0; c < n_cells; ++c) offsets_[c + 1] += offsets_[c];
        events_.resize(total);
        fill_.assign(offsets_.begin(), offsets_.end() - 1);
        for (auto st : e.steps)
            for (auto& x : st) events_[fill_[x.cell]++] = x;
        for (std::uint32_t c = 0; c < n_cells; ++c) {
            if (offsets_[c + 1] - offsets_[c] < 2) continue; // (and no arithmetic on an empty vector's null data())
            Event* b = events_.data() + offsets_[c];
            Event* en = events_.data() + offsets_[c + 1];
            for (Event* i = b + 1; i < en; ++i) // insertion sort: few events per cell
                for (Event* j = i; j > b && less(*j, *(j - 1)); --j) std::swap(*j, *(j - 1));
        }
    }
    std::span<const Event> of(std::uint32_t c) const {
        return {events_.data() + offsets_[c], events_.data() + offsets_[c + 1]};
    }
    static bool less(const Event& a, const Event& b) {
        if (a.time != b.time) return a.time < b.time;
        if (a.slot != b.slot) return a.slot < b.slot;
        return a.weight < b.weight;
    }

private:
    std::vector<std::uint32_t> offsets_, fill_;
    std::vector<Event> events_;
};

struct LocalSpike {
    double time;
    std::uint32_t cell; // index within the group
};

struct CurrentInput {
    std::uint16_t compartment = 0;
    Waveform waveform;
    std::vector<std::uint32_t> cells; // group-local cells; empty: all cells
};

// Trace sampling inside a group. The model calls `due(n)` for each step start n and,
// when due, `put(cell, value_fn)` for each probed cell.
struct GroupProbe {
    std::uint32_t probe = 0;            // index in NetworkDesc::probes
    std::vector<int> variables;         // model variable indices
    std::vector<std::uint32_t> cells;   // group-local cells
    std::vector<std::uint32_t> columns; // per cell: column of its first variable in the probe row
    std::int64_t stride = 1;            // in steps
};

struct GroupBuild {
    const ModelInfo& info;
    const PopulationDesc& population;
    std::uint32_t population_index = 0;
    std::uint32_t first = 0, count = 0; // cells [first, first + count) of the population
    std::uint64_t gid0 = 0;             // global id of cell `first`
    std::uint64_t seed = 1;
    double dt = 0.1;
    std::vector<bool> receptor_used; // per slot: does any projection/stimulus use it
    bool grid_events = false;        // NetworkDesc::event_times == grid: events arrive on step boundaries
    std::vector<CurrentInput> currents;
};

class CellGroup {
public:
    virtual ~CellGroup() = default;
    // Advance every cell from e.t0() to e.t1(). Append spikes (any order) to `spikes`.
    // Samples: for every step n in [step0, step1) with n % stride == 0, the state at
    // time n*dt (after events strictly before it) goes to `sample(n, cell, var)`.
    virtual void advance(const Epoch& e, const EventSpan& events, std::vector<LocalSpike>& spikes) = 0;
    // Whether advance() applies EventSpan::rows (asked once, after construction). A model
    // says yes only where every synaptic event of a step acts at the step start, in order,
    // the same whether it comes as an Event or inside a row (grid event times).
    virtual bool takes_rows() const { return false; }
    // Current value of a state variable (model variable index) of a group-local cell.
    virtual double get(int variable, std::uint32_t cell) const = 0;
    // A state gone bad: non-finite, or outside the model's sane range (a runaway). Checked by
    // the engine after every epoch; the first bad (cell, variable) is reported.
    struct BadState {
        std::uint32_t cell = 0;
        int variable = 0;
        double value = 0.0;
    };
    virtual bool find_bad_state(BadState& /*out*/) const { return false; }
    // Checkpoints: a model that can save its whole dynamic state (everything that carries
    // from one epoch to the next: not parameters, not per-step scratch) overrides all three.
    // load_state() into a group built from the same GroupBuild must continue bit for bit as
    // the saved group would have. Models that do not make `apical run --checkpoint-every`
    // refuse to start, rather than write a checkpoint that cannot be restarted.
    virtual bool can_checkpoint() const { return false; }
    virtual void save_state(StateWriter& /*w*/) const { throw CheckpointError("this model cannot save its state"); }
    virtual void load_state(StateReader& /*r*/) { throw CheckpointError("this model cannot restore its state"); }
    // Register the sampling requests for this group (called once before the run).
    void set_probes(std::vector<GroupProbe> p) {
        probes_ = std::move(p);
        probed_.assign(count(), 0);
        // Per cell, its (probe, position) entries as CSR, so sampling a cell costs its own
        // entries, not a search through every probed cell.
        entry_off_.assign(count() + 1, 0);
        for (auto& q : probes_)
            for (auto c : q.cells) probed_[c] = 1, ++entry_off_[c + 1];
        for (std::uint32_t c = 0; c < count(); ++c) entry_off_[c + 1] += entry_off_[c];
        entries_.resize(entry_off_[count()]);
        std::vector<std::uint32_t> fill(entry_off_.begin(), entry_off_.end() - 1);
        for (std::uint32_t pi = 0; pi < probes_.size(); ++pi)
            for (std::uint32_t k = 0; k < probes_[pi].cells.size(); ++k)
                entries_[fill[probes_[pi].cells[k]]++] = {pi, k};
    }
    virtual std::uint32_t count() const = 0;
    // Per-epoch sample storage: filled by the model during advance; drained by the engine.
    struct SampleRow {
        std::uint32_t probe;
        std::int64_t step;
        std::uint32_t column;
        float value;
    };
    std::vector<SampleRow>& samples() { return samples_; }
    // Per-epoch rows of the model's declared records (ModelInfo::records), one buffer per
    // record, in time order: filled by the model during advance, drained by the engine.
    struct RecordBuffer {
        std::vector<double> times;
        std::vector<std::uint64_t> ids; // events
        std::vector<double> values;     // tables: row-major
        void clear() { times.clear(), ids.clear(), values.clear(); }
    };
    std::vector<RecordBuffer>& records() { return records_; }

protected:
    // For models: record all probes due at step n for cell c, reading values via get_fn(var).
    template <class GetFn> void sample_cell(std::int64_t n, std::uint32_t c, GetFn&& get_fn) {
        for (std::uint32_t e = entry_off_[c]; e < entry_off_[c + 1]; ++e) {
            const GroupProbe& p = probes_[entries_[e].probe];
            if (n % p.stride) continue;
            const std::uint32_t col = p.columns[entries_[e].k];
            for (std::uint32_t v = 0; v < p.variables.size(); ++v)
                samples_.push_back({p.probe, n, col + v, static_cast<float>(get_fn(p.variables[v]))});
        }
    }
    bool has_probes() const { return !probes_.empty(); }
    // Does any probe sample step n? (cheap check before a per-cell loop)
    bool sampling_due(std::int64_t n) const {
        for (auto& p : probes_)
            if (n % p.stride == 0) return true;
        return false;
    }
    std::vector<GroupProbe> probes_;
    std::vector<std::uint8_t> probed_; // per cell: in some probe
    struct ProbeEntry {
        std::uint32_t probe, k; // index into probes_, position in its cells
    };
    std::vector<std::uint32_t> entry_off_;
    std::vector<ProbeEntry> entries_;
    std::vector<SampleRow> samples_;
    std::vector<RecordBuffer> records_; // models with records size it to ModelInfo::records
};

} // namespace apical
