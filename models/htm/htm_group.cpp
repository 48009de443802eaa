// The `htm` cell group: one group holds the whole population (columns x cells).
// Every step_interval (stride steps of dt) it runs one HTM step at the step's start time
// t_k: encode CSV row k and/or take the spike-input bits gathered over [t_k - interval,
// t_k), spatial pooler, temporal memory; the active cells spike at t_k; bursting columns,
// anomaly scores and (optionally) predictive cells go to the model's records.
#include "core/cell_group.hpp"
#include "models/htm/anomaly.hpp"
#include "models/htm/encoders.hpp"
#include "models/htm/htm_model.hpp"
#include "models/htm/spatial_pooler.hpp"
#include "models/htm/temporal_memory.hpp"

#include <cmath>
#include <limits>
#include <memory>
#include <optional>

namespace apical::models {
namespace {

using namespace htm;
enum Record { R_BURSTS, R_HTM, R_PREDICTIVE };

class HtmGroup final : public CellGroup {
public:
    explicit HtmGroup(const GroupBuild& b)
        : n_(b.count), dt_(b.dt), table_(b.population.table.columns.empty() ? nullptr : &b.population.table) {
        const auto& pv = b.population.params;
        auto P = [&](const char* name) { return pv.at(static_cast<std::size_t>(b.info.param_index(name))); };
        auto U = [&](const char* name) { return static_cast<std::uint32_t>(P(name)); };
        stride_ = std::max<std::int64_t>(1, std::llround(P("step_interval") / dt_));
        learn_start_ = P("learn_start"), learn_stop_ = P("learn_stop");
        record_predictive_ = P("record_predictive") != 0;
        if (table_) {
            const double vmin = P("value_min"), vmax = P("value_max");
            switch (U("value_encoder")) {
            case 0:
                rdse_.emplace(RdseParams{U("value_size"), U("value_active_bits"), P("value_resolution"), b.seed});
                break;
            case 1:
                scalar_.emplace(
                    ScalarParams{vmin, vmax, U("value_size"), U("value_active_bits"), P("value_periodic") != 0});
                break;
            default: category_.emplace(CategoryParams{static_cast<std::uint32_t>(vmax), U("value_size")}); break;
            }
            DateParams dp{U("time_of_day_bits"), U("time_of_day_size"), U("day_of_week_bits"), U("day_of_week_size"),
                          U("weekend_bits")};
            if (dp.time_of_day_bits || dp.day_of_week_bits || dp.weekend_bits) date_.emplace(dp);
        }
        enc_bits_ = htm_encoded_bits(b.info, pv, table_ != nullptr);
        input_bits_ = U("input_bits");
        const std::uint32_t inputs = enc_bits_ + input_bits_;
        input_slot_ = static_cast<std::uint16_t>(b.info.receptor_index("input"));

        TmParams tp;
        tp.columns = U("columns"), tp.cells_per_column = U("cells_per_column");
        tp.activation_threshold = U("activation_threshold"), tp.min_threshold = U("min_threshold");
        tp.max_new_synapse_count = U("max_new_synapse_count");
        tp.max_segments_per_cell = U("max_segments_per_cell"),
        tp.max_synapses_per_segment = U("max_synapses_per_segment");
        tp.initial_permanence = static_cast<float>(P("initial_permanence"));
        tp.connected_permanence = static_cast<float>(P("connected_permanence"));
        tp.permanence_increment = static_cast<float>(P("permanence_increment"));
        tp.permanence_decrement = static_cast<float>(P("permanence_decrement"));
        tp.predicted_segment_decrement = static_cast<float>(P("predicted_segment_decrement"));
        if (static_cast<std::uint64_t>(tp.columns) * tp.cells_per_column != n_)
            throw std::invalid_argument("htm: population size must be columns x cells_per_column");
        // Streams keyed by the population's first gid: two htm populations differ.
        tm_ = std::make_unique<TemporalMemory>(tp, RandomStream(b.seed, purpose_key(Purpose::model, 0x4702), b.gid0));
        if (P("spatial_pooler") != 0) {
            SpParams sp;
            sp.inputs = std::max<std::uint32_t>(inputs, 1), sp.columns = tp.columns;
            sp.potential_radius = U("potential_radius"), sp.potential_pct = P("potential_pct");
            sp.global_inhibition = U("inhibition") == 0, sp.local_area_density = P("local_area_density");
            sp.stimulus_threshold = U("stimulus_threshold");
            sp.syn_perm_active_inc = static_cast<float>(P("syn_perm_active_inc"));
            sp.syn_perm_inactive_dec = static_cast<float>(P("syn_perm_inactive_dec"));
            sp.syn_perm_connected = static_cast<float>(P("syn_perm_connected"));
            sp.min_pct_overlap_duty_cycles = P("min_pct_overlap_duty_cycles");
            sp.duty_cycle_period = U("duty_cycle_period"), sp.boost_strength = P("boost_strength");
            sp_ =
                std::make_unique<SpatialPooler>(sp, RandomStream(b.seed, purpose_key(Purpose::model, 0x4701), b.gid0));
        } else if (inputs > tp.columns) {
            throw std::invalid_argument("htm: without a spatial pooler the input must have at most `columns` bits");
        }
        LikelihoodParams lp;
        lp.learning_period = U("likelihood_learning_period"),
        lp.estimation_samples = U("likelihood_estimation_samples");
        lp.historic_window = U("likelihood_historic_window"),
        lp.reestimation_period = U("likelihood_reestimation_period");
        lp.averaging_window = U("likelihood_averaging_window");
        likelihood_ = AnomalyLikelihood(lp);
        records_.resize(3);
    }

    std::uint32_t count() const override { return n_; }
    double get(int var, std::uint32_t c) const override {
        return contains(var == 0 ? tm_->active_cells() : tm_->predictive_cells(), c) ? 1.0 : 0.0;
    }

    // Checkpoints: the learned state (spatial pooler, temporal memory), the likelihood's
    // history and the spike-input bits gathered towards the next step. The CSV row of a
    // step follows from its time, and the encoders have no state.
    bool can_checkpoint() const override { return true; }
    void save_state(StateWriter& w) const override {
        w.begin("htm");
        w.put(n_), w.put(stride_);
        w.put(std::uint8_t{sp_ != nullptr});
        if (sp_) sp_->save_state(w);
        tm_->save_state(w);
        likelihood_.save_state(w);
        w.put(spike_bits_);
        w.end();
    }
    void load_state(StateReader& r) override {
        r.begin("htm");
        if (r.get<std::uint32_t>() != n_ || r.get<std::int64_t>() != stride_ ||
            (r.get<std::uint8_t>() != 0) != (sp_ != nullptr))
            throw CheckpointError("checkpoint: the htm population has another shape here (saved by another network?)");
        if (sp_) sp_->load_state(r);
        tm_->load_state(r);
        likelihood_.load_state(r);
        r.get_vector(spike_bits_, true);
        for (auto b : spike_bits_)
            if (b >= enc_bits_ + input_bits_) throw CheckpointError("checkpoint: an htm input bit is out of range");
        r.end();
    }

    void advance(const Epoch& e, const EventSpan& events, std::vector<LocalSpike>& spikes) override {
        for (std::int64_t n = e.step0; n < e.step1; ++n) {
            if (n % stride_ == 0) step(n, spikes);
            if (has_probes() && sampling_due(n))
                for (std::uint32_t c = 0; c < n_; ++c)
                    if (probed_[c]) sample_cell(n, c, [&](int v) { return get(v, c); });
            for (const Event& ev : events.step(static_cast<std::size_t>(n - e.step0)))
                if (ev.slot == input_slot_ && ev.cell < input_bits_ && ev.weight > 0)
                    spike_bits_.push_back(enc_bits_ + ev.cell);
        }
    }

private:
    void step(std::int64_t n, std::vector<LocalSpike>& spikes) {
        const auto k = static_cast<std::size_t>(n / stride_);
        const double t = static_cast<double>(n) * dt_;
        input_.clear();
        double stamp = std::numeric_limits<double>::quiet_NaN(), value = stamp;
        if (table_) {
            if (k >= table_->rows()) { // the series has ended: no more steps
                spike_bits_.clear();
                return;
            }
            stamp = table_->at(k, 0), value = table_->at(k, 1);
            std::uint32_t off = 0;
            if (rdse_) rdse_->encode(value, input_, off), off += rdse_->size();
            if (scalar_) scalar_->encode(value, input_, off), off += scalar_->size();
            if (category_) category_->encode(value, input_, off), off += category_->size();
            if (date_) date_->encode(stamp, input_, off);
        }
        input_.insert(input_.end(), spike_bits_.begin(), spike_bits_.end());
        spike_bits_.clear();
        normalize(input_);
        const bool learn = t >= learn_start_ && t < learn_stop_;
        if (sp_) sp_->compute(input_, learn, columns_);
        else columns_ = input_;
        tm_->compute(columns_, learn);

        for (auto c : tm_->active_cells()) spikes.push_back({t, c});
        for (auto col : tm_->bursting_columns())
            records_[R_BURSTS].times.push_back(t), records_[R_BURSTS].ids.push_back(col);
        const double raw = tm_->anomaly();
        const double l = likelihood_.compute(raw);
        auto& h = records_[R_HTM];
        h.times.push_back(t);
        for (double x : {stamp, value, raw, l, AnomalyLikelihood::log_likelihood(l)}) h.values.push_back(x);
        if (record_predictive_)
            for (auto c : tm_->predictive_cells())
                records_[R_PREDICTIVE].times.push_back(t), records_[R_PREDICTIVE].ids.push_back(c);
    }

    std::uint32_t n_;
    double dt_;
    const Table* table_;
    std::int64_t stride_ = 1;
    double learn_start_ = 0, learn_stop_ = 0;
    bool record_predictive_ = false;
    std::optional<RdseEncoder> rdse_;
    std::optional<ScalarEncoder> scalar_;
    std::optional<CategoryEncoder> category_;
    std::optional<DateEncoder> date_;
    std::uint32_t enc_bits_ = 0, input_bits_ = 0;
    std::uint16_t input_slot_ = 0;
    std::unique_ptr<SpatialPooler> sp_;
    std::unique_ptr<TemporalMemory> tm_;
    AnomalyLikelihood likelihood_;
    Sdr input_, columns_, spike_bits_;
};

} // namespace

std::unique_ptr<CellGroup> make_htm_group(const GroupBuild& b) { return std::make_unique<HtmGroup>(b); }

} // namespace apical::models
