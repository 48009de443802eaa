// `apical plot`: one self-contained HTML report (inline SVG, no scripts, no network) of a
// result file, or of a sweep directory holding summary.csv. What each panel shows and how
// large populations are sub-sampled is in docs/plot.md.
#include "app/commands.hpp"
#include "io/hdf5_reader.hpp"
#include "io/csv.hpp"
#include "io/inspect.hpp"
#include "io/report_html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <stdexcept>

namespace apical::app {

namespace {

namespace fs = std::filesystem;
using io::Hdf5Reader;
using io::split_csv_line;
using io::html::Axis;
using io::html::Document;
using io::html::num;
using io::html::SvgPlot;

// Limits that keep a report small and quick to render whatever the run size: a raster of
// more rows than a panel has pixels, or of more points than a browser draws smoothly,
// shows nothing more.
constexpr std::size_t max_raster_cells = 200;
constexpr std::size_t max_raster_points = 50000;
constexpr std::size_t max_trace_cells = 4;
constexpr std::size_t max_line_points = 2000; // per polyline, after min/max decimation
constexpr std::size_t heatmap_max = 120;      // rows and columns of a heatmap

struct Series {
    std::vector<double> x, y;
};

// Decimates a regularly sampled series to at most `max_line_points` points by keeping the
// minimum and maximum of each bucket in time order, so spikes in a voltage trace stay
// visible (plain striding would drop them).
Series decimate(const std::vector<double>& x, const std::vector<double>& y) {
    if (x.size() <= max_line_points) return {x, y};
    Series s;
    const std::size_t buckets = max_line_points / 2;
    for (std::size_t b = 0; b < buckets; ++b) {
        const std::size_t i0 = b * x.size() / buckets, i1 = (b + 1) * x.size() / buckets;
        if (i0 >= i1) continue;
        std::size_t lo = i0, hi = i0;
        for (std::size_t i = i0; i < i1; ++i) {
            if (y[i] < y[lo]) lo = i;
            if (y[i] > y[hi]) hi = i;
        }
        for (std::size_t i : {std::min(lo, hi), std::max(lo, hi)}) {
            s.x.push_back(x[i]);
            s.y.push_back(y[i]);
        }
    }
    return s;
}

std::string with_unit(const std::string& what, const std::string& unit) {
    return unit.empty() ? what : what + " (" + unit + ")";
}

SvgPlot line_plot(const std::string& panel, const std::string& title, const std::vector<double>& x,
                  const std::vector<double>& y, const std::string& xlabel, const std::string& ylabel, bool zero_based,
                  double x0 = NAN, double x1 = NAN) {
    // The x range is the data's unless given (binned series: the bins' full extent).
    const auto [xlo, xhi] = io::html::data_range(x);
    const auto [ylo, yhi] = io::html::data_range(y, zero_based);
    SvgPlot p(panel, title,
              Axis{std::isnan(x0) ? (x.empty() ? 0.0 : x.front()) : x0,
                   std::isnan(x1) ? (x.empty() ? 1.0 : std::max(x.back(), xhi)) : x1, xlabel},
              Axis{ylo, yhi, ylabel});
    (void)xlo;
    const Series s = decimate(x, y);
    p.line(s.x, s.y, SvgPlot::colour(0));
    if (x.empty()) p.note("no data");
    return p;
}

// --- spikes -----------------------------------------------------------------------

// ISIs are histogrammed on the fly into fixed log-spaced bins, 20 per decade from 1 us to
// 10^6 ms, so memory stays constant however many spikes a run has; the panel then shows
// the occupied range only.
constexpr int isi_per_decade = 20;
constexpr double isi_log_lo = -3.0;
constexpr std::size_t isi_bins = 9 * isi_per_decade;

struct SpikeSummary {
    std::uint64_t cells = 0, spikes = 0;
    std::vector<std::uint64_t> shown_cells; // raster rows, evenly chosen
    std::vector<double> raster_t, raster_row;
    double raster_until = 0.0; // raster covers [0, raster_until) ms
    bool raster_truncated = false;
    std::vector<double> isi_counts = std::vector<double>(isi_bins, 0.0);
    std::uint64_t isi_total = 0, isi_zero = 0, isi_outside = 0;
    std::vector<double> bin_counts; // spikes per rate bin (when /rates is absent)
    double bin_ms = 0.0;
    bool resorted = false; // the file was not sorted by time
};

// One pass over the spikes, block by block: raster selection, pooled ISIs and binned
// counts, so a 10 s run of thousands of cells needs no second read.
SpikeSummary summarise_spikes(const Hdf5Reader& r, const std::string& pop, double t_end, bool need_bins) {
    SpikeSummary s;
    s.cells = r.population_size(pop);
    const std::size_t shown = static_cast<std::size_t>(std::min<std::uint64_t>(s.cells, max_raster_cells));
    std::vector<std::int64_t> row_of(s.cells, -1);
    for (std::size_t k = 0; k < shown; ++k) {
        // Evenly spread over the population, first and last cell included when possible.
        const std::uint64_t c = shown > 1 ? k * (s.cells - 1) / (shown - 1) : 0;
        s.shown_cells.push_back(c);
        row_of[c] = static_cast<std::int64_t>(k);
    }
    std::vector<double> last(s.cells, NAN);
    if (need_bins) {
        // About 100 bins, at a round width (1, 2, 5 x 10^k ms, at least 1 ms).
        const std::vector<double> t = io::html::nice_ticks(0.0, std::max(t_end, 1.0), 100);
        s.bin_ms = std::max(1.0, t.size() > 1 ? t[1] - t[0] : 1.0);
        s.bin_counts.assign(static_cast<std::size_t>(std::ceil(t_end / s.bin_ms)), 0.0);
    }
    s.raster_until = t_end;
    auto add = [&](double t, std::uint64_t id) {
        if (id >= s.cells)
            throw std::runtime_error(r.path() + ": /spikes/" + pop + "/node_ids: node id " + std::to_string(id) +
                                     " >= n_nodes " + std::to_string(s.cells));
        ++s.spikes;
        if (!std::isnan(last[id])) {
            const double isi = t - last[id];
            ++s.isi_total;
            if (isi <= 0.0) {
                ++s.isi_zero;
            } else {
                const double b = std::floor((std::log10(isi) - isi_log_lo) * isi_per_decade);
                if (b >= 0.0 && b < static_cast<double>(isi_bins)) s.isi_counts[static_cast<std::size_t>(b)] += 1.0;
                else ++s.isi_outside;
            }
        }
        last[id] = t;
        if (need_bins && t >= 0.0) {
            const auto b = static_cast<std::size_t>(t / s.bin_ms);
            if (b < s.bin_counts.size()) s.bin_counts[b] += 1.0;
        }
        const std::int64_t row = row_of[id];
        if (row >= 0 && !s.raster_truncated) {
            // Spikes come in time order, so cutting at the point limit keeps a complete
            // time window [0, raster_until) rather than thinning it unevenly.
            if (s.raster_t.size() >= max_raster_points) {
                s.raster_truncated = true;
                s.raster_until = t;
                return;
            }
            s.raster_t.push_back(t);
            s.raster_row.push_back(static_cast<double>(row));
        }
    };
    if (r.spike_sorting(pop) == "by_time") {
        r.for_each_spike_block(pop, std::size_t{1} << 20,
                               [&](std::span<const double> t, std::span<const std::uint64_t> id) {
                                   for (std::size_t i = 0; i < t.size(); ++i) add(t[i], id[i]);
                               });
    } else {
        // Not sorted by time (a file Apical did not write): intervals and the raster window
        // need time order, so load and sort. Rare, and only for foreign files.
        s.resorted = true;
        const io::SpikeData d = r.spikes(pop);
        std::vector<std::size_t> order(d.times.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return d.times[a] < d.times[b]; });
        for (std::size_t i : order) add(d.times[i], d.node_ids[i]);
    }
    return s;
}

void spike_panels(Document& doc, const Hdf5Reader& r, const std::string& pop, double t_end) {
    const bool have_rates = r.kind("rates/" + pop + "/rate") == Hdf5Reader::Kind::dataset;
    SpikeSummary s = summarise_spikes(r, pop, t_end, !have_rates);

    // Raster.
    {
        SvgPlot p("raster:" + pop, "Spike raster: " + pop, Axis{0.0, std::max(t_end, 1e-9), "time (ms)"},
                  Axis{-0.5, std::max<double>(1.0, static_cast<double>(s.shown_cells.size())) - 0.5,
                       s.shown_cells.size() < s.cells ? "cell (sub-sampled row)" : "cell"},
                  560, 260);
        p.ticks(s.raster_t, s.raster_row, SvgPlot::colour(0), 0.4);
        if (s.raster_t.empty()) p.note("no spikes");
        std::string cap = std::to_string(s.spikes) + " spikes. ";
        if (s.shown_cells.size() < s.cells)
            cap += "Sub-sampled: " + std::to_string(s.shown_cells.size()) + " of " + std::to_string(s.cells) +
                   " cells shown, evenly spaced (cell ids " + std::to_string(s.shown_cells.front()) + ", " +
                   std::to_string(s.shown_cells.size() > 1 ? s.shown_cells[1] : 0) + ", ..., " +
                   std::to_string(s.shown_cells.back()) + ").";
        else cap += "All " + std::to_string(s.cells) + " cells shown.";
        if (s.raster_truncated)
            cap += " Only spikes before " + num(s.raster_until, 6) + " ms are drawn (limit of " +
                   std::to_string(max_raster_points) + " points).";
        doc.figure(p, cap);
    }
    // Population rate.
    if (have_rates) {
        const io::RateData rd = r.rates(pop);
        std::vector<double> x(rd.rate.size());
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = rd.start + (static_cast<double>(i) + 0.5) * rd.step;
        doc.figure(line_plot("rate:" + pop, "Population rate: " + pop, x, rd.rate, "time (ms)", "rate (Hz per cell)",
                             true, rd.start, rd.start + static_cast<double>(rd.rate.size()) * rd.step),
                   "From /rates/" + pop + " (bins of " + num(rd.step) + " ms), plotted at bin centres.");
    } else {
        std::vector<double> x(s.bin_counts.size()), y(s.bin_counts.size());
        for (std::size_t i = 0; i < x.size(); ++i) {
            x[i] = (static_cast<double>(i) + 0.5) * s.bin_ms;
            y[i] = s.cells ? s.bin_counts[i] / static_cast<double>(s.cells) / (s.bin_ms * 1e-3) : NAN;
        }
        doc.figure(line_plot("rate:" + pop, "Population rate: " + pop, x, y, "time (ms)", "rate (Hz per cell)", true,
                             0.0, static_cast<double>(y.size()) * s.bin_ms),
                   "Computed from the spikes in bins of " + num(s.bin_ms) + " ms (no /rates in the file).");
    }
    // ISI histogram, pooled over cells, log-spaced bins: ISIs span decades (refractory
    // bursts to long pauses), which linear bins would crush into one bar.
    {
        std::size_t first = isi_bins, end = 0;
        double counted = 0.0;
        for (std::size_t b = 0; b < isi_bins; ++b)
            if (s.isi_counts[b] > 0) {
                first = std::min(first, b);
                end = b + 1;
                counted += s.isi_counts[b];
            }
        if (first >= end) {
            SvgPlot p("isi:" + pop, "ISI distribution: " + pop, Axis{0.1, 1000.0, "inter-spike interval (ms)", true},
                      Axis{0.0, 1.0, "fraction of ISIs"});
            p.note("no cell spiked twice");
            doc.figure(p);
        } else {
            // One empty bin either side, so the outermost bars do not touch the frame.
            first = first > 0 ? first - 1 : 0;
            end = std::min(isi_bins, end + 1);
            std::vector<double> edges, fractions;
            double top = 0.0;
            for (std::size_t b = first; b <= end; ++b)
                edges.push_back(std::pow(10.0, isi_log_lo + static_cast<double>(b) / isi_per_decade));
            for (std::size_t b = first; b < end; ++b) {
                fractions.push_back(s.isi_counts[b] / counted);
                top = std::max(top, fractions.back());
            }
            SvgPlot p("isi:" + pop, "ISI distribution: " + pop,
                      Axis{edges.front(), edges.back(), "inter-spike interval (ms)", true},
                      Axis{0.0, top * 1.08, "fraction of ISIs"});
            p.bars(edges, fractions, SvgPlot::colour(0));
            std::string cap = std::to_string(static_cast<std::uint64_t>(counted)) +
                              " intervals pooled over all cells; log-spaced bins, " + std::to_string(isi_per_decade) +
                              " per decade.";
            if (s.isi_zero) cap += " " + std::to_string(s.isi_zero) + " zero-length intervals left out.";
            if (s.isi_outside)
                cap += " " + std::to_string(s.isi_outside) + " intervals outside 1 us to 10^6 ms left out.";
            if (s.resorted) cap += " Spikes were not sorted by time in the file and were sorted here.";
            doc.figure(p, cap);
        }
    }
}

// --- traces -------------------------------------------------------------------------

void trace_panels(Document& doc, const Hdf5Reader& r, const std::string& probe, const std::string& pop) {
    const io::ReportData d = r.report(probe, pop, max_trace_cells);
    const std::size_t nv = std::max<std::size_t>(1, d.variables.size());
    // The probe's cell count from its mapping, before the reader cut it to the cells shown.
    const std::vector<std::uint64_t> nd = r.dims("report/" + probe + "/" + pop + "/mapping/node_ids");
    const std::size_t n_cells = nd.empty() ? d.node_ids.size() : static_cast<std::size_t>(nd[0]);
    const std::size_t shown = std::min(d.node_ids.size(), max_trace_cells);
    std::vector<double> t(d.n_times);
    for (std::size_t i = 0; i < d.n_times; ++i) t[i] = d.start + static_cast<double>(i) * d.step;
    for (std::size_t v = 0; v < nv; ++v) {
        const std::string var = v < d.variables.size() ? d.variables[v] : "value";
        const std::string unit = v < d.variable_units.size() ? d.variable_units[v] : d.units;
        std::vector<Series> lines;
        std::vector<double> all;
        for (std::size_t c = 0; c < shown; ++c) {
            const std::size_t col = c * nv + v;
            if (col >= d.n_elements) break;
            std::vector<double> y(d.n_times);
            for (std::size_t i = 0; i < d.n_times; ++i) y[i] = d.data[i * d.n_elements + col];
            lines.push_back(decimate(t, y));
            all.insert(all.end(), lines.back().y.begin(), lines.back().y.end());
        }
        const auto [ylo, yhi] = io::html::data_range(all);
        SvgPlot p("trace:" + probe + "/" + pop + ":" + var, "Trace " + probe + ": " + pop + " " + var,
                  Axis{d.start, std::max(d.stop, d.start + d.step), "time (ms)"}, Axis{ylo, yhi, with_unit(var, unit)},
                  560, 200);
        std::vector<std::pair<std::string, std::string>> legend;
        for (std::size_t c = 0; c < lines.size(); ++c) {
            p.line(lines[c].x, lines[c].y, SvgPlot::colour(c), 1.0);
            legend.emplace_back(SvgPlot::colour(c), "cell " + std::to_string(d.node_ids[c]));
        }
        p.legend(legend);
        if (lines.empty() || d.n_times == 0) p.note("no samples");
        doc.figure(p, "Probe " + probe + ", every " + num(d.step) + " ms; " + std::to_string(lines.size()) + " of " +
                          std::to_string(n_cells) + " recorded cells shown (the first in probe order)" +
                          (d.n_times > max_line_points ? "; min/max per pixel column." : "."));
    }
}

// --- datasets of later record types, drawn generically --------------------------------

// The x axis of a 1-D series at `path`: a sibling `time` = [start, stop, step] (the /rates
// and /report convention) gives time in ms; a sibling `time` as long as the series gives the
// times themselves; otherwise the sample index.
std::pair<std::vector<double>, std::string> series_axis(const Hdf5Reader& r, const std::string& path, std::size_t n) {
    const std::string parent = path.substr(0, path.rfind('/'));
    const std::string tpath = parent + "/time";
    std::vector<double> x(n);
    if (tpath != path && r.kind(tpath) == Hdf5Reader::Kind::dataset) {
        const std::vector<double> t = r.read_doubles(tpath);
        if (t.size() == 3 && n != 3 && t[2] > 0) {
            for (std::size_t i = 0; i < n; ++i) x[i] = t[0] + (static_cast<double>(i) + 0.5) * t[2];
            return {x, "time (ms)"};
        }
        if (t.size() == n) return {t, "time (ms)"};
    }
    for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<double>(i);
    return {x, "sample"};
}

SvgPlot histogram(const std::string& panel, const std::string& title, const std::vector<double>& v,
                  const std::string& xlabel) {
    const auto [lo, hi] = io::html::data_range(v);
    const std::size_t nb = 40;
    std::vector<double> edges(nb + 1), counts(nb, 0.0);
    for (std::size_t i = 0; i <= nb; ++i) edges[i] = lo + (hi - lo) * static_cast<double>(i) / nb;
    for (double x : v)
        if (std::isfinite(x)) counts[std::min(nb - 1, static_cast<std::size_t>((x - lo) / (hi - lo) * nb))] += 1.0;
    const double top = *std::max_element(counts.begin(), counts.end());
    SvgPlot p(panel, title, Axis{lo, hi, xlabel}, Axis{0.0, std::max(1.0, top * 1.08), "count"});
    p.bars(edges, counts, SvgPlot::colour(0));
    if (v.empty()) p.note("empty");
    return p;
}

// Draws whatever is at `path`: a 1-D dataset as a series over time (or, when
// `as_histogram`, as a histogram of its values), a 2-D dataset as a heatmap (rows x
// columns, block-averaged to at most heatmap_max each way), a group holding timestamps and
// ids as an event raster, and any other group by drawing its members in turn.
void generic_panels(Document& doc, const Hdf5Reader& r, const std::string& path, const std::string& panel,
                    const std::string& title, bool as_histogram, int depth = 0) {
    const Hdf5Reader::Kind k = r.kind(path);
    if (k == Hdf5Reader::Kind::group) {
        const std::vector<std::string> kids = r.children(path);
        const bool has_t = std::find(kids.begin(), kids.end(), "timestamps") != kids.end();
        std::string ids;
        for (const char* c : {"node_ids", "column_ids", "ids"})
            if (std::find(kids.begin(), kids.end(), c) != kids.end()) {
                ids = c;
                break;
            }
        if (has_t && !ids.empty()) {
            std::vector<double> t = r.read_doubles(path + "/timestamps"), id = r.read_doubles(path + "/" + ids);
            const std::size_t n = std::min(t.size(), id.size());
            t.resize(std::min(n, max_raster_points));
            id.resize(t.size());
            const auto [tlo, thi] = io::html::data_range(t);
            double idmax = 0.0;
            for (double v : id) idmax = std::max(idmax, v);
            SvgPlot p(panel, title, Axis{std::min(0.0, tlo), thi, "time (ms)"}, Axis{-0.5, idmax + 0.5, ids}, 560, 240);
            p.ticks(t, id, SvgPlot::colour(1), 0.4);
            if (t.empty()) p.note("no events");
            doc.figure(p, std::to_string(n) + " events" +
                              (n > t.size() ? "; the first " + std::to_string(t.size()) + " drawn." : "."));
            return;
        }
        if (depth > 3) return;
        if (as_histogram) // a projection stored with its source and target ids: only the values
            for (const char* c : {"weight", "weights", "values"})
                if (std::find(kids.begin(), kids.end(), c) != kids.end()) {
                    generic_panels(doc, r, path + "/" + c, panel, title, true, depth + 1);
                    return;
                }
        for (const std::string& c : kids)
            if (c != "time")
                generic_panels(doc, r, path + "/" + c, panel + "/" + c, title + " " + c, as_histogram, depth + 1);
        return;
    }
    if (k != Hdf5Reader::Kind::dataset) return;
    const std::vector<std::uint64_t> d = r.dims(path);
    const std::string unit = r.attr_string(path, "units");
    std::vector<double> v;
    try {
        v = r.read_doubles(path);
    } catch (const std::exception&) {
        doc.paragraph("/" + path + ": not numeric, not drawn.", "note");
        return;
    }
    const std::string name = path.substr(path.rfind('/') + 1);
    if (d.size() == 1) {
        if (as_histogram) {
            doc.figure(histogram(panel, title, v, with_unit(name, unit)),
                       std::to_string(v.size()) + " values of /" + path + ".");
            return;
        }
        auto [x, xlabel] = series_axis(r, path, v.size());
        doc.figure(line_plot(panel, title, x, v, xlabel, with_unit(name, unit), false),
                   "/" + path + ", " + std::to_string(v.size()) + " samples.");
        return;
    }
    if (d.size() == 2 && d[0] > 0 && d[1] > 0) {
        const std::size_t R = d[0], C = d[1];
        if (as_histogram) { // [snapshot x synapse]: the distribution at the last snapshot
            std::vector<double> lastrow(v.end() - static_cast<std::ptrdiff_t>(C), v.end());
            doc.figure(
                histogram(panel, title + " (last of " + std::to_string(R) + " rows)", lastrow, with_unit(name, unit)),
                "/" + path + " [" + std::to_string(R) + " x " + std::to_string(C) + "]: values of the last row.");
            return;
        }
        // Heatmap: x along the first axis (time by the SONATA convention), y along the second.
        const std::size_t gr = std::min(R, heatmap_max), gc = std::min(C, heatmap_max);
        std::vector<double> grid(gr * gc, 0.0), n(gr * gc, 0.0);
        for (std::size_t i = 0; i < R; ++i)
            for (std::size_t j = 0; j < C; ++j) {
                const double x = v[i * C + j];
                if (!std::isfinite(x)) continue;
                const std::size_t g = (j * gc / C) * gr + (i * gr / R);
                grid[g] += x;
                n[g] += 1.0;
            }
        for (std::size_t g = 0; g < grid.size(); ++g) grid[g] = n[g] > 0 ? grid[g] / n[g] : NAN;
        double vlo = INFINITY, vhi = -INFINITY; // the true extremes: the caption states them
        for (double x : v)
            if (std::isfinite(x)) {
                vlo = std::min(vlo, x);
                vhi = std::max(vhi, x);
            }
        auto [x, xlabel] = series_axis(r, path, R);
        const double x0 = x.front(), x1 = R > 1 ? x.back() + (x[1] - x[0]) : x.front() + 1.0;
        SvgPlot p(panel, title, Axis{x0, x1, xlabel}, Axis{0.0, static_cast<double>(C), "index"}, 560, 240);
        p.heatmap(grid, gc, gr, x0, x1, 0.0, static_cast<double>(C), vlo, vhi);
        doc.figure(
            p, "/" + path + " [" + std::to_string(R) + " x " + std::to_string(C) + "]" +
                   (R > gr || C > gc ? ", block-averaged to " + std::to_string(gr) + " x " + std::to_string(gc) : "") +
                   "; white " + num(vlo) + " to dark " + num(vhi) + (unit.empty() ? "" : " " + unit) + ".");
        return;
    }
    doc.paragraph("/" + path + ": " + std::to_string(d.size()) + "-D dataset, not drawn.", "note");
}

std::string fmt_ms(double v) { return num(v, 6) + " ms"; }

std::string render_result(const std::string& path) {
    Hdf5Reader r(path);
    const io::ResultMeta& m = r.meta();
    const double t_end = m.t_reached > 0 ? m.t_reached : m.t_stop;
    Document doc("Apical report: " + (m.name.empty() ? fs::path(path).filename().string() : m.name));
    doc.h1("Apical report: " + (m.name.empty() ? std::string("(unnamed scenario)") : m.name));
    doc.key_values({{"file", path},
                    {"scenario", m.name},
                    {"duration", "t_stop " + fmt_ms(m.t_stop) + ", t_reached " + fmt_ms(m.t_reached)},
                    {"completed", m.completed ? "yes" : "no (stopped early or still running)"},
                    {"seed", std::to_string(m.seed)},
                    {"threads", std::to_string(m.threads)},
                    {"wall time", num(m.wall_seconds) + " s"},
                    {"apical version", m.apical_version},
                    {"file format", std::to_string(m.format_version[0]) + "." + std::to_string(m.format_version[1])}});
    if (!m.scenario.empty()) doc.preformatted("resolved scenario (YAML)", m.scenario);

    // Populations: engine order from /apical, then any only found in the record groups.
    std::vector<std::string> pops = m.populations;
    auto add = [&](const std::vector<std::string>& more) {
        for (const std::string& p : more)
            if (std::find(pops.begin(), pops.end(), p) == pops.end()) pops.push_back(p);
    };
    add(r.spike_populations());
    add(r.rate_populations());
    for (const std::string& probe : r.report_names()) add(r.report_populations(probe));
    for (const char* top : {"bursts", "htm", "column_bursts"})
        if (r.kind(top) == Hdf5Reader::Kind::group) add(r.children(top));
    const std::vector<std::string> spiking = r.spike_populations();

    // Overview: the same numbers as `apical inspect` (one more pass over the spikes; cheap
    // next to the drawing, and the two commands then never disagree).
    {
        const io::InspectResult ins = io::inspect(path);
        std::vector<std::vector<std::string>> rows;
        auto fixed = [](double v) { return std::isfinite(v) ? num(v, 4) : std::string("-"); };
        for (const io::PopulationSummary& p : ins.populations)
            rows.push_back({p.name, std::to_string(p.cells), p.recorded ? std::to_string(p.spikes) : "not recorded",
                            fixed(p.mean_rate_hz), fixed(p.cv_isi)});
        doc.h2("Populations", "populations");
        doc.table({"population", "cells", "spikes", "mean rate (Hz)", "CV of ISI"}, rows, "populations");
    }

    for (std::size_t i = 0; i < pops.size(); ++i) {
        const std::string& pop = pops[i];
        std::string head = "Population " + pop;
        if (i < m.population_sizes.size())
            head += " (" + std::to_string(m.population_sizes[i]) + (m.population_sizes[i] == 1 ? " cell)" : " cells)");
        doc.h2(head, "pop-" + pop);
        doc.open_grid();
        if (std::find(spiking.begin(), spiking.end(), pop) != spiking.end()) {
            spike_panels(doc, r, pop, t_end);
        } else if (r.kind("rates/" + pop + "/rate") == Hdf5Reader::Kind::dataset) {
            const io::RateData rd = r.rates(pop);
            std::vector<double> x(rd.rate.size());
            for (std::size_t j = 0; j < x.size(); ++j) x[j] = rd.start + (static_cast<double>(j) + 0.5) * rd.step;
            doc.figure(line_plot("rate:" + pop, "Population rate: " + pop, x, rd.rate, "time (ms)",
                                 "rate (Hz per cell)", true, rd.start,
                                 rd.start + static_cast<double>(rd.rate.size()) * rd.step),
                       "From /rates/" + pop + "; spikes not recorded, so no raster or ISI histogram.");
        }
        doc.close_grid();
        if (std::find(spiking.begin(), spiking.end(), pop) == spiking.end())
            doc.paragraph("Spikes: not recorded.", "note");

        // Event and burst statistics (later record types): drawn when present.
        std::vector<std::string> missing;
        doc.open_grid();
        for (const auto& [ds, label] :
             std::vector<std::pair<std::string, std::string>>{{"event_rate", "Event rate"},
                                                              {"burst_rate", "Burst rate"},
                                                              {"burst_probability", "Burst probability"}}) {
            const std::string p = "rates/" + pop + "/" + ds;
            if (r.kind(p) == Hdf5Reader::Kind::dataset)
                generic_panels(doc, r, p, ds + ":" + pop, label + ": " + pop, false);
            else missing.push_back(ds);
        }
        if (r.kind("bursts/" + pop) != Hdf5Reader::Kind::none)
            generic_panels(doc, r, "bursts/" + pop, "bursts:" + pop, "Bursts: " + pop, false);
        if (r.kind("htm/" + pop) != Hdf5Reader::Kind::none)
            generic_panels(doc, r, "htm/" + pop, "htm:" + pop, "HTM " + pop, false);
        if (r.kind("column_bursts/" + pop) != Hdf5Reader::Kind::none)
            generic_panels(doc, r, "column_bursts/" + pop, "column_bursts:" + pop, "Column bursts: " + pop, false);
        for (const std::string& probe : r.report_names()) {
            const std::vector<std::string> rp = r.report_populations(probe);
            if (std::find(rp.begin(), rp.end(), pop) != rp.end()) trace_panels(doc, r, probe, pop);
        }
        doc.close_grid();
        if (!missing.empty()) {
            std::string s;
            for (const std::string& x : missing) s += (s.empty() ? "" : ", ") + x;
            doc.paragraph(s + ": not recorded.", "note");
        }
    }
    if (r.kind("weights") == Hdf5Reader::Kind::group) {
        doc.h2("Weights", "weights");
        doc.open_grid();
        for (const std::string& proj : r.children("weights"))
            generic_panels(doc, r, "weights/" + proj, "weights:" + proj, "Weights " + proj, true);
        doc.close_grid();
    }
    return doc.str();
}

// --- sweeps ------------------------------------------------------------------------

bool parse_number(const std::string& s, double& v) {
    if (s.empty()) return false;
    char* end = nullptr;
    v = std::strtod(s.c_str(), &end);
    return end && *end == '\0';
}

std::string render_sweep(const std::string& dir) {
    const fs::path csv = fs::path(dir) / "summary.csv";
    std::ifstream in(csv);
    if (!in)
        throw std::runtime_error(dir + ": a directory without summary.csv (expected a sweep directory or an .h5 file)");
    std::string line;
    if (!std::getline(in, line)) throw std::runtime_error(csv.string() + ": empty file");
    const std::vector<std::string> header = split_csv_line(line);
    auto col = [&](const std::string& name) -> std::size_t {
        const auto it = std::find(header.begin(), header.end(), name);
        if (it == header.end())
            throw std::runtime_error(csv.string() + ":1: no column '" + name +
                                     "'; expected point,<parameters>,seed,status,wall_s,<statistics>");
        return static_cast<std::size_t>(it - header.begin());
    };
    const std::size_t c_point = col("point"), c_seed = col("seed"), c_status = col("status"), c_wall = col("wall_s");
    if (c_point != 0 || c_seed < c_point || c_status != c_seed + 1 || c_wall != c_status + 1)
        throw std::runtime_error(csv.string() +
                                 ":1: columns must be point,<parameters>,seed,status,wall_s,<statistics>");
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row_class;
    for (std::size_t ln = 2; std::getline(in, line); ++ln) {
        if (line.empty() || line == "\r") continue;
        std::vector<std::string> f = split_csv_line(line);
        if (f.size() != header.size())
            throw std::runtime_error(csv.string() + ":" + std::to_string(ln) + ": " + std::to_string(f.size()) +
                                     " fields, the header has " + std::to_string(header.size()));
        // `apical sweep` writes done; hand-made tables may say ok.
        row_class.push_back(f[c_status] == "done" || f[c_status] == "ok" ? "" : "failed");
        rows.push_back(std::move(f));
    }
    std::vector<std::size_t> params, stats;
    for (std::size_t c = c_point + 1; c < c_seed; ++c) params.push_back(c);
    // Statistics: the columns after wall_s, except a `message` column (why a point failed)
    // and columns without a single number (e.g. mean_anomaly of a population that is not HTM).
    for (std::size_t c = c_wall + 1; c < header.size(); ++c) {
        double v = 0.0;
        const bool any = std::any_of(rows.begin(), rows.end(), [&](const auto& r) { return parse_number(r[c], v); });
        if (header[c] != "message" && any) stats.push_back(c);
    }

    Document doc("Apical sweep: " + dir);
    doc.h1("Apical sweep: " + dir);
    std::size_t failed = 0;
    for (const std::string& c : row_class) failed += !c.empty();
    doc.key_values({{"directory", dir},
                    {"points", std::to_string(rows.size())},
                    {"not ok", std::to_string(failed)},
                    {"parameters", std::to_string(params.size())},
                    {"statistics", std::to_string(stats.size())}});
    doc.h2("Summary", "sweep-summary");
    doc.table(header, rows, "sweep", row_class);

    // One plot per (statistic, parameter): every point whose status is ok and whose values
    // are numbers; a categorical parameter is placed at its index among distinct values.
    doc.h2("Statistics against parameters", "sweep-plots");
    doc.open_grid();
    for (std::size_t s : stats)
        for (std::size_t p : params) {
            std::vector<std::string> cats;
            bool numeric = true;
            double dummy = 0.0;
            for (const auto& row : rows)
                if (!parse_number(row[p], dummy)) numeric = false;
            // Points are grouped by the values of the other parameters: each group is one
            // curve (its own colour), so a 2-D sweep reads as a family of curves.
            std::vector<double> xs, ys;
            std::vector<std::size_t> group;
            std::vector<std::string> groups;
            for (std::size_t i = 0; i < rows.size(); ++i) {
                if (!row_class[i].empty()) continue;
                double x = 0.0, y = 0.0;
                if (!parse_number(rows[i][s], y) || !std::isfinite(y)) continue;
                if (numeric) {
                    parse_number(rows[i][p], x);
                } else {
                    auto it = std::find(cats.begin(), cats.end(), rows[i][p]);
                    if (it == cats.end()) {
                        cats.push_back(rows[i][p]);
                        it = cats.end() - 1;
                    }
                    x = static_cast<double>(it - cats.begin());
                }
                std::string key;
                for (std::size_t q : params)
                    if (q != p) key += (key.empty() ? "" : ", ") + header[q] + " = " + rows[i][q];
                auto g = std::find(groups.begin(), groups.end(), key);
                if (g == groups.end()) {
                    groups.push_back(key);
                    g = groups.end() - 1;
                }
                xs.push_back(x);
                ys.push_back(y);
                group.push_back(static_cast<std::size_t>(g - groups.begin()));
            }
            const auto [xlo, xhi] = io::html::data_range(xs);
            const auto [ylo, yhi] = io::html::data_range(ys);
            SvgPlot plot("sweep:" + header[s] + ":" + header[p], header[s] + " vs " + header[p],
                         Axis{xlo, xhi, numeric ? header[p] : header[p] + " (category index)"},
                         Axis{ylo, yhi, header[s]}, 420, 220);
            std::vector<std::pair<std::string, std::string>> legend;
            for (std::size_t g = 0; g < groups.size(); ++g) {
                // The curve joins the mean at each x (repeated seeds give several points per x).
                std::map<double, std::pair<double, int>> at;
                std::vector<double> gx, gy;
                for (std::size_t i = 0; i < xs.size(); ++i)
                    if (group[i] == g) {
                        auto& [sum, n] = at[xs[i]];
                        sum += ys[i];
                        ++n;
                        gx.push_back(xs[i]);
                        gy.push_back(ys[i]);
                    }
                std::vector<double> lx, ly;
                for (const auto& [x, sn] : at) {
                    lx.push_back(x);
                    ly.push_back(sn.first / sn.second);
                }
                if (lx.size() > 1) plot.line(lx, ly, SvgPlot::colour(g), 1.0);
                plot.markers(gx, gy, SvgPlot::colour(g));
                if (!groups[g].empty() && groups.size() <= 8) legend.emplace_back(SvgPlot::colour(g), groups[g]);
            }
            plot.legend(legend);
            if (xs.empty()) plot.note("no numeric values");
            std::string cap = std::to_string(xs.size()) + " points with status ok.";
            if (!cats.empty()) {
                cap += " Categories:";
                for (std::size_t i = 0; i < cats.size(); ++i)
                    cap += " " + std::to_string(i) + " = " + cats[i] + (i + 1 < cats.size() ? "," : ".");
            }
            doc.figure(plot, cap);
        }
    doc.close_grid();
    if (stats.empty() || params.empty()) doc.paragraph("No parameter or statistic columns: nothing to plot.", "note");
    return doc.str();
}

} // namespace

int cmd_plot(const PlotOptions& o) {
    try {
        std::error_code ec;
        if (!fs::exists(o.input, ec)) throw std::runtime_error(o.input + ": no such file or directory");
        const bool sweep = fs::is_directory(o.input, ec);
        std::string out = o.output;
        if (out.empty())
            out = sweep ? (fs::path(o.input) / "report.html").string()
                        : fs::path(o.input).replace_extension(".html").string();
        if (fs::exists(out, ec) && fs::equivalent(out, o.input, ec)) {
            // --force must never turn a plot into the loss of the results it plots.
            std::cerr << "apical plot: the output " << out << " is the input; choose another file with -o\n";
            return 2;
        }
        if (fs::is_directory(out, ec)) { // (found only at the final rename otherwise)
            std::cerr << "apical plot: the output " << out << " is a directory; choose a file with -o\n";
            return 2;
        }
        if (fs::exists(out, ec) && !o.force) {
            std::cerr << "apical plot: " << out
                      << " exists; use --force to overwrite it, or -o to choose another file\n";
            return 2;
        }
        const std::string html = sweep ? render_sweep(o.input) : render_result(o.input);
        // Written beside the target and renamed, so a failed write never leaves half a report
        // under the final name.
        const std::string tmp = out + ".partial";
        {
            std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
            if (!f) throw std::runtime_error(out + ": cannot write");
            f << html;
            f.close();
            if (!f) throw std::runtime_error(out + ": write failed");
        }
        fs::rename(tmp, out);
        if (!o.quiet) std::cout << "wrote " << out << " (" << html.size() / 1024 << " KiB)\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "apical plot: " << e.what() << "\n";
        return 2;
    }
}

} // namespace apical::app
