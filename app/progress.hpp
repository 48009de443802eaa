// A RecordingSink decorator that forwards everything and draws a progress line
// (simulated time, percent, speed in simulated s per wall s, ETA) on a terminal.
#pragma once
#include "core/recording.hpp"

#include <chrono>
#include <cstdio>

namespace apical::app {

class ProgressSink final : public RecordingSink {
public:
    ProgressSink(RecordingSink& inner, double t_stop_ms, bool enabled)
        : inner_(inner), t_stop_(t_stop_ms), enabled_(enabled), start_(clock::now()), last_(start_) {}
    void spikes(std::uint32_t p, std::span<const double> t, std::span<const std::uint64_t> id) override {
        inner_.spikes(p, t, id);
    }
    void samples(std::uint32_t probe, std::span<const float> rows, std::size_t n) override {
        inner_.samples(probe, rows, n);
    }
    void records(std::uint32_t p, std::uint32_t r, std::span<const double> t, std::span<const std::uint64_t> id,
                 std::span<const double> v) override {
        inner_.records(p, r, t, id, v);
    }
    void classified(std::uint32_t p, std::span<const double> ev, std::span<const double> bu) override {
        inner_.classified(p, ev, bu);
    }
    void bursts(std::uint32_t p, std::span<const BurstRecord> b) override { inner_.bursts(p, b); }
    void weights(std::uint32_t probe, double t, double sum, std::span<const float> s) override {
        inner_.weights(probe, t, sum, s);
    }
    void reached(double t) override {
        inner_.reached(t);
        if (!enabled_) return;
        const auto now = clock::now();
        if (now - last_ < std::chrono::milliseconds(200) && t < t_stop_) return;
        last_ = now;
        draw(t, std::chrono::duration<double>(now - start_).count());
    }
    void done() {
        if (enabled_) std::fputs("\n", stderr);
    }

private:
    using clock = std::chrono::steady_clock;
    void draw(double t, double wall) const {
        const double frac = t_stop_ > 0 ? t / t_stop_ : 1.0;
        const double speed = wall > 0 ? t / 1000.0 / wall : 0.0;
        const double eta = speed > 0 ? (t_stop_ - t) / 1000.0 / speed : 0.0;
        std::fprintf(stderr, "\r  t = %.3f s / %.3f s  %5.1f%%  %.3g s/s  ETA %.0f s   ", t / 1000.0, t_stop_ / 1000.0,
                     100.0 * frac, speed, eta);
        std::fflush(stderr);
    }
    RecordingSink& inner_;
    double t_stop_;
    bool enabled_;
    clock::time_point start_, last_;
};

} // namespace apical::app
