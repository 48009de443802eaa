#include "models/htm/anomaly.hpp"

#include <algorithm>
#include <cmath>

namespace apical::models::htm {

double AnomalyLikelihood::compute(double raw) {
    ++n_;
    recent_.push_back(raw);
    recent_sum_ += raw;
    if (recent_.size() > p_.averaging_window) {
        recent_sum_ -= recent_.front();
        recent_.pop_front();
    }
    // Recomputed from the window now and then, so rounding in the running sum cannot drift.
    if (n_ % 1024 == 0) {
        recent_sum_ = 0.0;
        for (double x : recent_) recent_sum_ += x;
    }
    const double avg = recent_sum_ / static_cast<double>(recent_.size());
    if (n_ > p_.learning_period) {
        history_.push_back(avg);
        if (history_.size() > p_.historic_window) history_.pop_front();
    }
    const std::uint64_t warmup = static_cast<std::uint64_t>(p_.learning_period) + p_.estimation_samples;
    if (n_ <= warmup) return 0.5;
    if (!estimated_ || (n_ - warmup - 1) % p_.reestimation_period == 0) estimate();
    const double z = (avg - mean_) / sd_;
    return 1.0 - 0.5 * std::erfc(z / std::sqrt(2.0));
}

void AnomalyLikelihood::estimate() {
    double s = 0.0;
    for (double x : history_) s += x;
    mean_ = s / static_cast<double>(history_.size());
    double v = 0.0;
    for (double x : history_) v += (x - mean_) * (x - mean_);
    v /= static_cast<double>(history_.size());
    sd_ = std::sqrt(std::max(v, p_.min_variance));
    estimated_ = true;
}

void AnomalyLikelihood::save_state(StateWriter& w) const {
    w.begin("htm_likelihood");
    w.put(std::vector<double>(recent_.begin(), recent_.end()));
    w.put(recent_sum_);
    w.put(std::vector<double>(history_.begin(), history_.end()));
    w.put(n_), w.put(mean_), w.put(sd_), w.put(estimated_);
    w.end();
}

void AnomalyLikelihood::load_state(StateReader& r) {
    r.begin("htm_likelihood");
    std::vector<double> v;
    r.get_vector(v, true);
    recent_.assign(v.begin(), v.end());
    r.get(recent_sum_);
    r.get_vector(v, true);
    history_.assign(v.begin(), v.end());
    r.get(n_), r.get(mean_), r.get(sd_), r.get(estimated_);
    r.end();
}

double AnomalyLikelihood::log_likelihood(double l) { return std::log(1.0000000001 - l) / std::log(1e-10); }

} // namespace apical::models::htm
