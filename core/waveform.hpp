// Injected current waveforms (constant, piecewise constant, sinusoidal, EPSP-shaped). A
// waveform is population-wide; a group evaluates it once per step, not once per cell.
#pragma once
#include <cmath>
#include <limits>
#include <vector>

namespace apical {

struct Waveform {
    enum class Kind { piecewise, sine, biexp } kind = Kind::piecewise;
    // piecewise: values[i] holds on [times[i], times[i+1]); zero before times[0].
    std::vector<double> times, values;
    // sine: offset + amplitude * sin(omega (t - start) + phase) on [start, stop), omega in rad/ms.
    double offset = 0, amplitude = 0, omega = 0, phase = 0;
    double start = 0, stop = std::numeric_limits<double>::infinity();
    // biexp (an EPSP-shaped current): amplitude * norm * (exp(-s/tau_decay) - exp(-s/tau_rise)),
    // s = t - start >= 0, norm making the peak equal to amplitude.
    double tau_rise = 0.5, tau_decay = 5.0, norm = 1.0;

    double at(double t) const {
        if (kind == Kind::sine)
            return (t >= start && t < stop) ? offset + amplitude * std::sin(omega * (t - start) + phase) : 0.0;
        if (kind == Kind::biexp)
            return (t >= start && t < stop)
                       ? amplitude * norm * (std::exp(-(t - start) / tau_decay) - std::exp(-(t - start) / tau_rise))
                       : 0.0;
        double v = 0.0;
        for (std::size_t i = 0; i < times.size() && times[i] <= t; ++i) v = values[i];
        return v;
    }
    // The value a model holds constant over a step [a, b): smooth waveforms at the
    // midpoint (second order), piecewise ones at the start (exact between change times).
    double over(double a, double b) const { return at(kind == Kind::piecewise ? a : 0.5 * (a + b)); }
    // Times inside (t0, t1) where a waveform changes value or starts/stops.
    template <class F> void for_each_change(double t0, double t1, F&& f) const {
        if (kind != Kind::piecewise) {
            if (start > t0 && start < t1) f(start);
            if (stop > t0 && stop < t1) f(stop);
            return;
        }
        for (double t : times)
            if (t > t0 && t < t1) f(t);
    }
};

} // namespace apical
