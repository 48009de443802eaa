#include "io/inspect.hpp"

#include "io/h5_error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <tuple>

namespace apical::io {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// Per-cell ISI statistics, accumulated one spike at a time (Welford), so a file of any
// length is summarised in O(cells) memory; events and bursts by the ISI rule on the way.
struct IsiStats {
    std::vector<double> last, mean, m2;
    std::vector<std::uint64_t> n;
    std::vector<std::uint32_t> in_event; // spikes so far in the cell's current event
    std::uint64_t events = 0, bursts = 0;
    explicit IsiStats(std::uint64_t cells)
        : last(cells, nan), mean(cells, 0.0), m2(cells, 0.0), n(cells, 0), in_event(cells, 0) {}

    void add(std::uint64_t cell, double t) {
        if (!std::isnan(last[cell])) {
            const double isi = t - last[cell];
            ++n[cell];
            const double d = isi - mean[cell];
            mean[cell] += d / static_cast<double>(n[cell]);
            m2[cell] += d * (isi - mean[cell]);
        }
        if (std::isnan(last[cell]) || t - last[cell] > event_gap_ms) {
            ++events;
            in_event[cell] = 1;
        } else if (++in_event[cell] == 2) {
            ++bursts;
        }
        last[cell] = t;
    }

    // Mean over cells with >= 2 ISIs of sd/mean (ddof = 0).
    std::pair<double, std::uint64_t> mean_cv() const {
        double sum = 0.0;
        std::uint64_t cells = 0;
        for (std::size_t c = 0; c < n.size(); ++c)
            if (n[c] >= 2 && mean[c] > 0.0) {
                sum += std::sqrt(m2[c] / static_cast<double>(n[c])) / mean[c];
                ++cells;
            }
        return {cells ? sum / static_cast<double>(cells) : nan, cells};
    }
};

PopulationSummary summarise(const Hdf5Reader& r, const std::string& pop) {
    PopulationSummary s;
    s.name = pop;
    s.recorded = true;
    s.cells = r.population_size(pop);
    IsiStats isi(s.cells);
    auto check_ids = [&](std::span<const std::uint64_t> ids) {
        for (std::uint64_t id : ids)
            if (id >= s.cells)
                throw Hdf5Error(r.path(), "/spikes/" + pop + "/node_ids", "inspect",
                                "node id " + std::to_string(id) + " >= n_nodes " + std::to_string(s.cells));
    };
    if (r.spike_sorting(pop) == "by_time") {
        r.for_each_spike_block(pop, std::size_t{1} << 20,
                               [&](std::span<const double> times, std::span<const std::uint64_t> ids) {
                                   check_ids(ids);
                                   for (std::size_t i = 0; i < times.size(); ++i) isi.add(ids[i], times[i]);
                                   s.spikes += times.size();
                               });
    } else {
        // Not sorted by time (a foreign file): per-cell intervals need each cell's
        // spikes in order, so load and sort. Rare, and only for files we did not write.
        SpikeData d = r.spikes(pop);
        check_ids(d.node_ids);
        std::vector<std::size_t> order(d.times.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return d.times[a] < d.times[b]; });
        for (std::size_t i : order) isi.add(d.node_ids[i], d.times[i]);
        s.spikes = d.times.size();
    }
    const double seconds = r.meta().t_reached * 1e-3;
    s.mean_rate_hz =
        (s.cells > 0 && seconds > 0.0) ? static_cast<double>(s.spikes) / static_cast<double>(s.cells) / seconds : nan;
    std::tie(s.cv_isi, s.cells_with_cv) = isi.mean_cv();
    s.events = isi.events;
    s.bursts = isi.bursts;
    s.event_rate_hz =
        (s.cells > 0 && seconds > 0.0) ? static_cast<double>(s.events) / static_cast<double>(s.cells) / seconds : nan;
    s.burst_probability = s.events ? static_cast<double>(s.bursts) / static_cast<double>(s.events) : nan;
    return s;
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out + "\"";
}

// JSON has no NaN or infinity; null is what Python's json and jq understand.
std::string json_number(double v) {
    if (!std::isfinite(v)) return "null";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

std::string fmt(const char* f, double v) {
    if (!std::isfinite(v)) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

} // namespace

InspectResult inspect(const std::string& path) {
    Hdf5Reader r(path);
    InspectResult out;
    out.path = path;
    out.meta = r.meta();
    const std::vector<std::string> recorded = r.spike_populations();
    auto is_recorded = [&](const std::string& p) {
        return std::find(recorded.begin(), recorded.end(), p) != recorded.end();
    };
    // Engine order from /apical when the file has it; then any spike group it does not
    // list (files written by other tools).
    for (std::size_t i = 0; i < out.meta.populations.size(); ++i) {
        const std::string& p = out.meta.populations[i];
        if (is_recorded(p)) {
            out.populations.push_back(summarise(r, p));
        } else {
            PopulationSummary s;
            s.name = p;
            s.cells = out.meta.population_sizes[i];
            s.mean_rate_hz = s.cv_isi = s.event_rate_hz = s.burst_probability = nan;
            out.populations.push_back(s);
        }
    }
    for (const std::string& p : recorded)
        if (std::find(out.meta.populations.begin(), out.meta.populations.end(), p) == out.meta.populations.end())
            out.populations.push_back(summarise(r, p));
    return out;
}

std::string to_json(const InspectResult& r) {
    const ResultMeta& m = r.meta;
    std::string s = "{";
    s += "\"file\": " + json_string(r.path);
    s += ", \"format_version\": [" + std::to_string(m.format_version[0]) + ", " + std::to_string(m.format_version[1]) +
         "]";
    s += ", \"apical_version\": " + json_string(m.apical_version);
    s += ", \"name\": " + json_string(m.name);
    s += ", \"seed\": " + std::to_string(m.seed);
    s += ", \"threads\": " + std::to_string(m.threads);
    s += ", \"t_stop_ms\": " + json_number(m.t_stop);
    s += ", \"t_reached_ms\": " + json_number(m.t_reached);
    s += std::string(", \"completed\": ") + (m.completed ? "true" : "false");
    s += ", \"wall_seconds\": " + json_number(m.wall_seconds);
    s += ", \"populations\": [";
    for (std::size_t i = 0; i < r.populations.size(); ++i) {
        const PopulationSummary& p = r.populations[i];
        s += i ? ", {" : "{";
        s += "\"name\": " + json_string(p.name);
        s += ", \"cells\": " + std::to_string(p.cells);
        s += std::string(", \"recorded\": ") + (p.recorded ? "true" : "false");
        s += ", \"spikes\": " + (p.recorded ? std::to_string(p.spikes) : std::string("null"));
        s += ", \"mean_rate_hz\": " + json_number(p.mean_rate_hz);
        s += ", \"cv_isi\": " + json_number(p.cv_isi);
        s += ", \"cells_with_cv\": " + std::to_string(p.cells_with_cv);
        s += ", \"events\": " + (p.recorded ? std::to_string(p.events) : std::string("null"));
        s += ", \"bursts\": " + (p.recorded ? std::to_string(p.bursts) : std::string("null"));
        s += ", \"event_rate_hz\": " + json_number(p.event_rate_hz);
        s += ", \"burst_probability\": " + json_number(p.burst_probability);
        s += "}";
    }
    s += "]}\n";
    return s;
}

std::string format_table(const InspectResult& r) {
    const ResultMeta& m = r.meta;
    std::string s = r.path + ": " + (m.name.empty() ? std::string("(unnamed)") : m.name) + ", ";
    s += m.completed ? "completed" : "NOT completed";
    s += ", " + fmt("%g", m.t_reached) + " of " + fmt("%g", m.t_stop) + " ms simulated in " +
         fmt("%.3g", m.wall_seconds) + " s\n";
    s += "apical " + m.apical_version + ", format " + std::to_string(m.format_version[0]) + "." +
         std::to_string(m.format_version[1]) + ", seed " + std::to_string(m.seed) + ", threads " +
         std::to_string(m.threads) + "\n";
    std::size_t w = 10;
    for (const PopulationSummary& p : r.populations) w = std::max(w, p.name.size());
    char line[512];
    std::snprintf(line, sizeof line, "%-*s %10s %12s %10s %8s\n", static_cast<int>(w), "population", "cells", "spikes",
                  "rate (Hz)", "CV ISI");
    s += line;
    for (const PopulationSummary& p : r.populations) {
        if (p.recorded)
            std::snprintf(line, sizeof line, "%-*s %10llu %12llu %10s %8s\n", static_cast<int>(w), p.name.c_str(),
                          static_cast<unsigned long long>(p.cells), static_cast<unsigned long long>(p.spikes),
                          fmt("%.3f", p.mean_rate_hz).c_str(), fmt("%.3f", p.cv_isi).c_str());
        else
            std::snprintf(line, sizeof line, "%-*s %10llu %12s\n", static_cast<int>(w), p.name.c_str(),
                          static_cast<unsigned long long>(p.cells), "not recorded");
        s += line;
    }
    return s;
}

} // namespace apical::io
