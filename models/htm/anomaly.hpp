// Anomaly scores. The raw score comes from the temporal memory (fraction of active
// columns that were not predicted). The likelihood turns a noisy raw score into "how
// unusual is the recent average, given the history":
//   a_t = mean of the last averaging_window raw scores;
//   for the first learning_period + estimation_samples steps: likelihood 0.5;
//   then a normal distribution (mean, variance floored at min_variance) is fitted to the
//   a_t of the last historic_window steps (leaving out the first learning_period
//   steps), re-fitted every reestimation_period steps;
//   likelihood = 1 - Q((a_t - mean) / sd), Q the normal tail probability;
//   log_likelihood = log(1.0000000001 - likelihood) / log(1e-10), which spreads values
//   near 1 (0.5 -> 0.03, 0.999 -> 0.3, 0.99999 -> 0.5).
// Defaults as nupic's AnomalyLikelihood (learningPeriod 288, estimationSamples 100,
// historicWindowSize 8640, reestimationPeriod 100, averaging window 10). Ahmad et al. 2017,
// Neurocomputing 262:134.
#pragma once
#include "core/state_io.hpp"

#include <cstdint>
#include <deque>

namespace apical::models::htm {

struct LikelihoodParams {
    std::uint32_t learning_period = 288, estimation_samples = 100, historic_window = 8640;
    std::uint32_t reestimation_period = 100, averaging_window = 10;
    double min_variance = 1e-4;
};

class AnomalyLikelihood {
public:
    explicit AnomalyLikelihood(const LikelihoodParams& p = {}) : p_(p) {}
    // Feeds one raw score; returns the likelihood for this step.
    double compute(double raw);
    static double log_likelihood(double likelihood);
    double mean() const { return mean_; }
    double sd() const { return sd_; }
    // Checkpoints: the windows of raw and averaged scores, the running sum, the fit.
    void save_state(StateWriter& w) const;
    void load_state(StateReader& r);

private:
    void estimate();
    LikelihoodParams p_;
    std::deque<double> recent_; // last averaging_window raw scores
    double recent_sum_ = 0.0;
    std::deque<double> history_; // averaged scores after the learning period
    std::uint64_t n_ = 0;
    double mean_ = 0.0, sd_ = 1.0;
    bool estimated_ = false;
};

} // namespace apical::models::htm
