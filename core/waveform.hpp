// Injected current waveforms (constant, piecewise constant, sinusoidal). A waveform is
// population-wide; a group evaluates it once per step, not once per cell.
#pragma once
#include <cmath>
#include <limits>
#include <vector>

namespace apical {

struct Waveform {
    enum class Kind { piecewise, sine } kind = Kind::piecewise;
    // piecewise: values[i] holds on [times[i], times[i+1]); zero before times[0].
    std::vector<double> times, values;
    // sine: offset + amplitude * sin(omega (t - start) + phase) on [start, stop), omega in rad/ms.
    double offset = 0, amplitude = 0, omega = 0, phase = 0;
    double start = 0, stop = std::numeric_limits<double>::infinity();

    double at(double t) const {
        if (kind == Kind::sine)
            return (t >= start && t < stop) ? offset + amplitude * std::sin(omega * (t - start) + phase) : 0.0;
        double v = 0.0;
        for (std::size_t i = 0; i < times.size() && times[i] <= t; ++i) v = values[i];
        return v;
    }
    // Times inside (t0, t1) where a piecewise waveform changes value.
    template <class F> void for_each_change(double t0, double t1, F&& f) const {
        if (kind == Kind::sine) {
            if (start > t0 && start < t1) f(start);
            if (stop > t0 && stop < t1) f(stop);
            return;
        }
        for (double t : times)
            if (t > t0 && t < t1) f(t);
    }
};

} // namespace apical
