// Stimulus generators: Poisson trains and spike lists (events), current waveforms.
#include "core/random.hpp"
#include "core/stimulus.hpp"
#include "models/exp_ziggurat.hpp"
#include "models/stimuli.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace apical::models {
namespace {

double param(const KindInfo& k, const StimulusDesc& d, const char* name) {
    return d.params.at(static_cast<std::size_t>(k.param_index(name)));
}

// Each target cell has its own stream keyed by (seed, stimulus, gid) and draws
// exponential intervals: exact event times, no per-step work for silent cells. (Tried and
// dropped as slower at background rates: a calendar queue of per-step buckets instead of
// this scan.)
class PoissonSource final : public EventSource {
public:
    PoissonSource(const StimulusBuild& b, double rate_hz, double start, double stop, float weight)
        : cells_(b.cells), slot_(b.slot), weight_(weight), start_(start), stop_(stop),
          mean_ms_(rate_hz > 0 ? 1000.0 / rate_hz : 0.0) {
        streams_.reserve(cells_.size());
        next_.reserve(cells_.size());
        for (auto c : cells_) {
            streams_.emplace_back(b.seed, purpose_key(Purpose::stimulus, b.stimulus_index), b.gid0 + c);
            next_.push_back(mean_ms_ > 0 ? start_ + interval(streams_.back())
                                         : std::numeric_limits<double>::infinity());
        }
    }
    void generate(const Epoch& e, std::vector<Event>& out) override {
        const double t1 = std::min(e.t1(), stop_);
        // First the cells with an event this epoch, found without branches (at background
        // rates whether a cell fires in an epoch is a coin flip the branch predictor loses),
        // then their events.
        due_.resize(cells_.size());
        std::uint32_t m = 0;
        for (std::uint32_t k = 0; k < cells_.size(); ++k) {
            due_[m] = k;
            m += next_[k] < t1 ? 1u : 0u;
        }
        for (std::uint32_t i = 0; i < m; ++i) {
            const std::uint32_t k = due_[i];
            double t = next_[k];
            const auto cell = static_cast<std::uint16_t>(cells_[k]);
            do {
                out.push_back({t, cell, slot_, weight_});
                t += interval(streams_[k]);
            } while (t < t1);
            next_[k] = t;
        }
    }

    bool can_checkpoint() const override { return true; }
    void save_state(StateWriter& w) const override {
        w.put(next_);
        for (auto& s : streams_) s.save(w);
    }
    void load_state(StateReader& r) override {
        r.get(next_);
        for (auto& s : streams_) s.load(r);
    }

private:
    // Ziggurat exponentials: no logarithm on 99 % of draws, the same bits on every machine.
    double interval(RandomStream& s) const { return mean_ms_ * zig_(s); }
    const ExpZiggurat& zig_ = ExpZiggurat::instance();

    std::vector<std::uint32_t> cells_;
    std::uint16_t slot_;
    float weight_;
    double start_, stop_, mean_ms_;
    std::vector<RandomStream> streams_;
    std::vector<double> next_;
    std::vector<std::uint32_t> due_;
};

class SpikeListSource final : public EventSource {
public:
    SpikeListSource(const StimulusBuild& b, float weight) : cells_(b.cells), slot_(b.slot), weight_(weight) {
        times_ = b.desc.times;
        std::sort(times_.begin(), times_.end());
    }
    void generate(const Epoch& e, std::vector<Event>& out) override {
        const double t0 = e.t0(), t1 = e.t1();
        while (next_ < times_.size() && times_[next_] < t0) ++next_; // before the run start
        for (; next_ < times_.size() && times_[next_] < t1; ++next_)
            for (auto c : cells_) out.push_back({times_[next_], static_cast<std::uint16_t>(c), slot_, weight_});
    }
    bool can_checkpoint() const override { return true; }
    void save_state(StateWriter& w) const override { w.put(std::uint64_t{next_}); }
    void load_state(StateReader& r) override {
        const auto n = r.get<std::uint64_t>();
        if (n > times_.size()) throw CheckpointError("checkpoint: spike_times position beyond its list");
        next_ = static_cast<std::size_t>(n);
    }

private:
    std::vector<std::uint32_t> cells_;
    std::uint16_t slot_;
    float weight_;
    std::vector<double> times_;
    std::size_t next_ = 0;
};

} // namespace

// The event weight of a stimulus is its `weight` parameter (declared by the reader from the
// receptor's unit); it is the last entry of params for event stimuli.
void attach_stimulus_behaviour(KindInfo& k) {
    const std::string n = k.name;
    if (n == "poisson") {
        k.make_events = [k](const StimulusBuild& b) -> std::unique_ptr<EventSource> {
            return std::make_unique<PoissonSource>(b, param(k, b.desc, "rate"), param(k, b.desc, "start"),
                                                   param(k, b.desc, "stop"), static_cast<float>(b.desc.weight));
        };
    } else if (n == "spike_times") {
        k.make_events = [](const StimulusBuild& b) -> std::unique_ptr<EventSource> {
            return std::make_unique<SpikeListSource>(b, static_cast<float>(b.desc.weight));
        };
    } else if (n == "constant_current") {
        k.make_waveform = [k](const StimulusDesc& d) {
            Waveform w;
            const double start = param(k, d, "start"), stop = param(k, d, "stop");
            w.times = {start};
            w.values = {param(k, d, "amplitude")};
            if (std::isfinite(stop)) {
                w.times.push_back(stop);
                w.values.push_back(0.0);
            }
            return w;
        };
    } else if (n == "step_current") {
        k.make_waveform = [](const StimulusDesc& d) {
            Waveform w;
            w.times = d.times;
            w.values = d.values;
            return w;
        };
    } else if (n == "sinusoidal_current") {
        k.make_waveform = [k](const StimulusDesc& d) {
            Waveform w;
            w.kind = Waveform::Kind::sine;
            w.offset = param(k, d, "offset");
            w.amplitude = param(k, d, "amplitude");
            w.omega = 2.0 * std::numbers::pi * param(k, d, "frequency") / 1000.0; // Hz -> rad/ms
            w.phase = param(k, d, "phase");
            w.start = param(k, d, "start");
            w.stop = param(k, d, "stop");
            return w;
        };
    } else if (n == "epsp_current") {
        k.make_waveform = [k](const StimulusDesc& d) {
            Waveform w;
            w.kind = Waveform::Kind::biexp;
            w.amplitude = param(k, d, "amplitude");
            w.tau_rise = param(k, d, "tau_rise");
            w.tau_decay = param(k, d, "tau_decay");
            w.start = param(k, d, "start");
            w.stop = param(k, d, "stop");
            if (!(w.tau_rise < w.tau_decay))
                throw std::invalid_argument("stimulus " + d.name + ": tau_rise must be shorter than tau_decay");
            const double tp =
                w.tau_rise * w.tau_decay / (w.tau_decay - w.tau_rise) * std::log(w.tau_decay / w.tau_rise);
            w.norm = 1.0 / (std::exp(-tp / w.tau_decay) - std::exp(-tp / w.tau_rise));
            return w;
        };
    }
}

} // namespace apical::models
