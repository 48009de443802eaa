// Burst detection rules (Naud & Sprekeler 2018; Payeur et al. 2021): each spike of a cell
// is an event (isolated, or the first of a burst), the burst spike (the second spike of a
// burst, counted once) or a later spike of a burst.
//   trace: a per-cell trace with time constant `threshold` jumps by 1 at each spike (read
//          before the jump); a spike finding the trace below 1/e is an event. (Payeur et al.
//          2021 code, 16 ms.) A burst is over once the trace has fallen below 1/e.
//   isi:   a spike more than `threshold` after the cell's previous spike is an event (the
//          analysis scripts' rule). A burst is over once `threshold` has passed since its
//          last spike.
// After a single spike both rules agree: the next spike is an event exactly when the gap
// exceeds the threshold (a gap of exactly the threshold continues the burst). They differ
// in long bursts: the trace accumulates, so a spike train with gaps just under the threshold
// keeps the trace high and extends the burst under either rule, but a long burst's trace
// stays above 1/e for longer than `threshold` after its last spike.
#include "core/spike_hooks.hpp"
#include "models/builtin.hpp"
#include "models/burst_rules.hpp"

#include <cmath>
#include <memory>

namespace apical::models {
namespace {

class BurstClassifier final : public SpikeClassifier {
public:
    BurstClassifier(bool trace, double threshold, std::uint32_t n)
        : trace_(trace), thr_(threshold), last_(n, -std::numeric_limits<double>::infinity()), value_(n, 0.0),
          onset_(n, 0.0), count_(n, 0), open_flag_(n, 0), in_list_(n, 0) {}

    void classify(std::span<const double> times, std::span<const std::uint32_t> cells, std::span<SpikeKind> kinds,
                  double t_now, std::vector<BurstRecord>& done) override {
        for (std::size_t i = 0; i < times.size(); ++i) {
            const std::uint32_t c = cells[i];
            const double t = times[i];
            bool event;
            if (trace_) {
                const double tr = count_[c] == 0 ? 0.0 : value_[c] * std::exp(-(t - last_[c]) / thr_);
                event = !(tr >= kInvE);
                value_[c] = tr + 1.0;
            } else {
                event = count_[c] == 0 || t - last_[c] > thr_;
            }
            last_[c] = t;
            if (event) {
                close(c, done);
                onset_[c] = t;
                count_[c] = 1;
                kinds[i] = SpikeKind::event;
            } else {
                ++count_[c];
                kinds[i] = count_[c] == 2 ? SpikeKind::burst : SpikeKind::in_burst;
                if (count_[c] == 2) {
                    if (!in_list_[c]) open_.push_back(c), in_list_[c] = 1;
                    open_flag_[c] = 1;
                }
            }
        }
        // Bursts no later spike can extend (next spikes come at or after t_now).
        std::size_t keep = 0;
        for (std::size_t k = 0; k < open_.size(); ++k) {
            const std::uint32_t c = open_[k];
            if (open_flag_[c] && over(c, t_now)) {
                done.push_back({onset_[c], c, count_[c]});
                open_flag_[c] = 0;
                count_[c] = 1; // the burst is written; later spikes are events anyway
            }
            if (!open_flag_[c]) {
                in_list_[c] = 0;
            } else {
                open_[keep++] = c;
            }
        }
        open_.resize(keep);
    }

    void finish(std::vector<BurstRecord>& done) override {
        for (auto c : open_) {
            if (open_flag_[c]) done.push_back({onset_[c], c, count_[c]});
            open_flag_[c] = in_list_[c] = 0;
        }
        open_.clear();
    }

    bool can_checkpoint() const override { return true; }
    void save_state(StateWriter& w) const override {
        w.begin(trace_ ? "burst_trace" : "burst_isi");
        w.put(last_), w.put(value_), w.put(onset_), w.put(count_), w.put(open_flag_), w.put(in_list_), w.put(open_);
        w.end();
    }
    void load_state(StateReader& r) override {
        r.begin(trace_ ? "burst_trace" : "burst_isi");
        r.get(last_), r.get(value_), r.get(onset_), r.get(count_), r.get(open_flag_), r.get(in_list_);
        r.get_vector(open_, true);
        for (auto c : open_)
            if (c >= count_.size()) throw CheckpointError("checkpoint: an open burst names a cell out of range");
        r.end();
    }

private:
    static constexpr double kInvE = 0.36787944117144233; // exp(-1), as std::exp(-1.0) rounds
    bool over(std::uint32_t c, double t) const {
        if (trace_) return value_[c] * std::exp(-(t - last_[c]) / thr_) < kInvE;
        return t - last_[c] > thr_;
    }
    void close(std::uint32_t c, std::vector<BurstRecord>& done) {
        if (open_flag_[c]) {
            done.push_back({onset_[c], c, count_[c]});
            open_flag_[c] = 0;
        }
    }

    bool trace_;
    double thr_;
    std::vector<double> last_, value_, onset_;
    std::vector<std::uint32_t> count_;
    std::vector<std::uint8_t> open_flag_; // a burst of >= 2 spikes is open
    std::vector<std::uint8_t> in_list_;   // the cell is in open_
    std::vector<std::uint32_t> open_;     // cells with an open burst (may hold stale entries)
};

KindInfo rule(std::string name, std::string doc, bool trace) {
    KindInfo k;
    k.name = std::move(name);
    k.doc = std::move(doc);
    k.parameters = {{"threshold", Dim::time, 16.0, 0.0, 1e6,
                     trace ? "time constant of the burst trace" : "largest gap inside a burst", true}};
    k.make_classifier = [trace](const std::vector<double>& p, std::uint32_t n) -> std::unique_ptr<SpikeClassifier> {
        return std::make_unique<BurstClassifier>(trace, p.at(0), n);
    };
    return k;
}

} // namespace

std::unique_ptr<SpikeClassifier> make_burst_classifier(const std::string& name, double threshold, std::uint32_t n) {
    return std::make_unique<BurstClassifier>(name == "trace", threshold, n);
}

void register_burst_rules(Registry& r) {
    r.add_burst_rule(rule("trace",
                          "a per-cell trace (time constant `threshold`, +1 per spike, read before the jump): a "
                          "spike finding it below 1/e is an event, the next one a burst (Payeur et al. 2021)",
                          true));
    r.add_burst_rule(rule("isi",
                          "a spike more than `threshold` after the cell's previous spike is an event; the next "
                          "spike within `threshold` makes it a burst (analysis scripts of Payeur et al. 2021)",
                          false));
}

} // namespace apical::models
