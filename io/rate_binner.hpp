// Population rate in fixed time bins, counted from the spike stream as it arrives, so
// the writer never keeps spikes around to compute rates. Bins are [start + k*bin,
// start + (k+1)*bin) from the start of the run (t = 0, or the checkpoint a restarted run
// began at); a bin is complete once the simulation has passed its end.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace apical::io {

class RateBinner {
public:
    RateBinner(double bin_ms, std::uint32_t n_cells, double start_ms = 0.0)
        : bin_(bin_ms), start_(start_ms), n_cells_(n_cells) {}

    // Spike times of this population, in time order across calls. Bins passed over by
    // these spikes are complete; their rates (Hz per cell) are appended to `completed`.
    void add(std::span<const double> times, std::vector<double>& completed);
    // Every spike before `t` (ms) has been added: append the rates of bins ending at or
    // before `t` to `completed`. The bin containing `t` stays open.
    void complete_until(double t, std::vector<double>& completed);

    std::uint64_t bins_done() const { return static_cast<std::uint64_t>(current_); }
    double bin() const { return bin_; }
    double start() const { return start_; }

private:
    void close_current(std::vector<double>& completed);

    double bin_, start_;
    std::uint32_t n_cells_;
    std::int64_t current_ = 0; // index of the first bin not yet complete
    std::uint64_t count_ = 0;  // spikes counted into bin `current_`
};

} // namespace apical::io
