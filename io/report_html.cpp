#include "io/report_html.hpp"

#include <algorithm>
#include <cmath>
#include <cctype>
#include <cstdint>
#include <cstdio>

namespace apical::io::html {

std::string escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string num(double v, int sig) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    if (v == 0.0) return "0"; // also turns -0 into 0
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*g", sig, v);
    return buf;
}

namespace {

// Pixel coordinates with one decimal: sub-pixel enough for a screen and keeps the file
// small (raster paths hold tens of thousands of them).
void put_coord(std::string& out, double v) {
    char buf[32];
    const long tenths = std::lround(v * 10.0);
    if (tenths % 10 == 0) std::snprintf(buf, sizeof buf, "%ld", tenths / 10);
    else std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(tenths) / 10.0);
    out += buf;
}

std::string coord(double v) {
    std::string s;
    put_coord(s, v);
    return s;
}

} // namespace

std::vector<double> nice_ticks(double lo, double hi, int target) {
    if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return {lo};
    const double raw = (hi - lo) / std::max(target, 1);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * mag >= raw) {
            step = m * mag;
            break;
        }
    std::vector<double> t;
    for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step)
        t.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
    return t;
}

std::vector<double> log_ticks(double lo, double hi) {
    std::vector<double> t;
    if (!(lo > 0.0) || !(hi > lo)) return t;
    const int d0 = static_cast<int>(std::floor(std::log10(lo))), d1 = static_cast<int>(std::ceil(std::log10(hi)));
    const bool fine = d1 - d0 <= 3; // up to three decades: 1, 2, 5 per decade fit
    for (int d = d0; d <= d1; ++d)
        for (double m : {1.0, 2.0, 5.0}) {
            if (m != 1.0 && !fine) continue;
            const double v = m * std::pow(10.0, d);
            if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) t.push_back(v);
        }
    return t;
}

std::pair<double, double> data_range(std::span<const double> v, bool include_zero) {
    double lo = include_zero ? 0.0 : INFINITY, hi = include_zero ? 0.0 : -INFINITY;
    for (double x : v)
        if (std::isfinite(x)) {
            lo = std::min(lo, x);
            hi = std::max(hi, x);
        }
    if (!std::isfinite(lo)) return {0.0, 1.0};
    if (include_zero && lo == 0.0 && hi == 0.0)
        return {0.0, 1.0}; // all zero (a silent population): no negative half-axis
    if (hi == lo) {
        const double pad = lo == 0.0 ? 1.0 : std::abs(lo) * 0.1;
        return {lo - pad, hi + pad};
    }
    const double pad = (hi - lo) * 0.05;
    // A range that starts at zero stays at zero (rates, counts): padding below would
    // suggest negative values.
    return {(include_zero && lo == 0.0) ? 0.0 : lo - pad, hi + pad};
}

SvgPlot::SvgPlot(std::string panel, std::string title, Axis x, Axis y, int width, int height)
    : panel_(std::move(panel)), title_(std::move(title)), x_(std::move(x)), y_(std::move(y)), width_(width),
      height_(height) {
    // A degenerate or invalid range would divide by zero; widen it instead.
    for (Axis* a : {&x_, &y_}) {
        if (a->log && !(a->lo > 0.0)) a->log = false;
        if (!(a->hi > a->lo) || !std::isfinite(a->lo) || !std::isfinite(a->hi)) {
            const double c = std::isfinite(a->lo) ? a->lo : 0.0;
            a->lo = a->log ? c / 2 : c - 1;
            a->hi = a->log ? c * 2 : c + 1;
        }
    }
}

const char* SvgPlot::colour(std::size_t i) {
    static constexpr const char* palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                              "#ff7f0e", "#17becf", "#8c564b", "#e377c2"};
    return palette[i % (sizeof palette / sizeof *palette)];
}

double SvgPlot::px(double x) const {
    const double w = width_ - left_ - right_;
    if (x_.log) return left_ + w * (std::log10(x) - std::log10(x_.lo)) / (std::log10(x_.hi) - std::log10(x_.lo));
    return left_ + w * (x - x_.lo) / (x_.hi - x_.lo);
}

double SvgPlot::py(double y) const {
    const double h = height_ - top_ - bottom_;
    if (y_.log) return top_ + h * (1.0 - (std::log10(y) - std::log10(y_.lo)) / (std::log10(y_.hi) - std::log10(y_.lo)));
    return top_ + h * (1.0 - (y - y_.lo) / (y_.hi - y_.lo));
}

void SvgPlot::line(std::span<const double> x, std::span<const double> y, std::string_view colour, double width) {
    std::string d;
    bool pen = false;
    const std::size_t n = std::min(x.size(), y.size());
    for (std::size_t i = 0; i < n; ++i) {
        const bool ok = std::isfinite(x[i]) && std::isfinite(y[i]) && (!x_.log || x[i] > 0) && (!y_.log || y[i] > 0);
        if (!ok) {
            pen = false;
            continue;
        }
        d += pen ? 'L' : 'M';
        put_coord(d, px(x[i]));
        d += ' ';
        put_coord(d, py(y[i]));
        pen = true;
    }
    if (d.empty()) return;
    body_ += "<path fill=\"none\" stroke=\"" + std::string(colour) + "\" stroke-width=\"" + num(width) +
             "\" stroke-linejoin=\"round\" d=\"" + d + "\"/>\n";
}

void SvgPlot::bars(std::span<const double> edges, std::span<const double> heights, std::string_view colour) {
    std::string d;
    const double base = y_.log ? y_.lo : std::max(0.0, y_.lo);
    for (std::size_t i = 0; i + 1 < edges.size() && i < heights.size(); ++i) {
        if (!std::isfinite(heights[i]) || heights[i] <= base) continue;
        const double x0 = px(edges[i]), x1 = px(edges[i + 1]), y0 = py(base), y1 = py(std::min(heights[i], y_.hi));
        d += 'M';
        put_coord(d, x0);
        d += ' ';
        put_coord(d, y0);
        d += 'V';
        put_coord(d, y1);
        d += 'H';
        put_coord(d, x1);
        d += 'V';
        put_coord(d, y0);
        d += 'Z';
    }
    if (!d.empty())
        body_ += "<path fill=\"" + std::string(colour) + "\" fill-opacity=\"0.75\" stroke=\"none\" d=\"" + d + "\"/>\n";
}

void SvgPlot::ticks(std::span<const double> x, std::span<const double> y, std::string_view colour, double half_height) {
    std::string d;
    const double hh = std::max(0.5, std::abs(py(0.0) - py(half_height)));
    const std::string len = coord(2 * hh);
    d.reserve(std::min(x.size(), y.size()) * 16);
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
        if (x[i] < x_.lo || x[i] > x_.hi) continue;
        d += 'M';
        put_coord(d, px(x[i]));
        d += ' ';
        put_coord(d, py(y[i]) - hh);
        d += 'v';
        d += len;
    }
    if (!d.empty())
        body_ += "<path fill=\"none\" stroke=\"" + std::string(colour) + "\" stroke-width=\"1\" d=\"" + d + "\"/>\n";
}

void SvgPlot::markers(std::span<const double> x, std::span<const double> y, std::string_view colour) {
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
        if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
        body_ += "<circle cx=\"" + coord(px(x[i])) + "\" cy=\"" + coord(py(y[i])) + "\" r=\"3\" fill=\"" +
                 std::string(colour) + "\"/>\n";
    }
}

void SvgPlot::heatmap(std::span<const double> values, std::size_t rows, std::size_t cols, double x0, double x1,
                      double y0, double y1, double vmin, double vmax) {
    if (rows == 0 || cols == 0 || values.size() < rows * cols) return;
    const double span = vmax > vmin ? vmax - vmin : 1.0;
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) {
            const double v = values[r * cols + c];
            if (!std::isfinite(v)) continue;
            const double f = std::clamp((v - vmin) / span, 0.0, 1.0);
            // White to dark blue: readable in print and for most colour-vision deficiencies.
            const int red = static_cast<int>(std::lround(255 - f * 227)),
                      green = static_cast<int>(std::lround(255 - f * 175)),
                      blue = static_cast<int>(std::lround(255 - f * 105));
            char fill[8];
            std::snprintf(fill, sizeof fill, "#%02x%02x%02x", red, green, blue);
            const double cx0 = px(x0 + (x1 - x0) * static_cast<double>(c) / static_cast<double>(cols));
            const double cx1 = px(x0 + (x1 - x0) * static_cast<double>(c + 1) / static_cast<double>(cols));
            const double cy0 = py(y0 + (y1 - y0) * static_cast<double>(r) / static_cast<double>(rows));
            const double cy1 = py(y0 + (y1 - y0) * static_cast<double>(r + 1) / static_cast<double>(rows));
            body_ += "<rect x=\"" + coord(std::min(cx0, cx1)) + "\" y=\"" + coord(std::min(cy0, cy1)) + "\" width=\"" +
                     coord(std::abs(cx1 - cx0) + 0.3) + "\" height=\"" + coord(std::abs(cy1 - cy0) + 0.3) +
                     "\" fill=\"" + fill + "\"/>\n";
        }
}

void SvgPlot::legend(const std::vector<std::pair<std::string, std::string>>& entries) {
    legend_.insert(legend_.end(), entries.begin(), entries.end());
}

void SvgPlot::note(std::string_view text) {
    body_ += "<text x=\"" + coord((left_ + width_ - right_) / 2) + "\" y=\"" + coord((top_ + height_ - bottom_) / 2) +
             "\" text-anchor=\"middle\" fill=\"#666\">" + escape(text) + "</text>\n";
}

std::string SvgPlot::str() const {
    const double x0 = left_, x1 = width_ - right_, y0 = top_, y1 = height_ - bottom_;
    // The clip id must be unique in the page: derive it from the panel name.
    // The clip id must be unique in the page: the panel name's letters and digits, plus an
    // FNV-1a hash of the whole name so that "a.b" and "a_b" still differ.
    std::string clip = "c";
    std::uint32_t h = 2166136261u;
    for (char c : panel_) {
        clip += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
        h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    }
    clip += "_" + std::to_string(h);
    const int total_height = height_ + (legend_.empty() ? 0 : 14 * static_cast<int>(legend_.size()) + 4);
    std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width_) + "\" height=\"" +
                    std::to_string(total_height) + "\" viewBox=\"0 0 " + std::to_string(width_) + " " +
                    std::to_string(total_height) + "\" font-family=\"sans-serif\" font-size=\"11\" data-panel=\"" +
                    escape(panel_) + "\">\n";
    s += "<title>" + escape(title_) + "</title>\n";
    s += "<defs><clipPath id=\"" + escape(clip) + "\"><rect x=\"" + coord(x0) + "\" y=\"" + coord(y0) + "\" width=\"" +
         coord(x1 - x0) + "\" height=\"" + coord(y1 - y0) + "\"/></clipPath></defs>\n";
    s += "<rect x=\"0\" y=\"0\" width=\"" + std::to_string(width_) + "\" height=\"" + std::to_string(total_height) +
         "\" fill=\"#fff\"/>\n";
    s += "<text x=\"" + coord(x0) + "\" y=\"15\" font-size=\"12\" font-weight=\"bold\">" + escape(title_) + "</text>\n";
    // Ticks and grid lines.
    // A log axis narrower than a factor 2 may hold no 1/2/5 tick: fall back to linear ticks.
    auto axis_ticks = [](const Axis& a, int target) {
        std::vector<double> t = a.log ? log_ticks(a.lo, a.hi) : std::vector<double>{};
        return t.size() >= 2 ? t : nice_ticks(a.lo, a.hi, target);
    };
    const std::vector<double> xt = axis_ticks(x_, 6), yt = axis_ticks(y_, 4);
    for (double t : xt) {
        if (t < x_.lo || t > x_.hi) continue;
        const std::string X = coord(px(t));
        s += "<line x1=\"" + X + "\" y1=\"" + coord(y0) + "\" x2=\"" + X + "\" y2=\"" + coord(y1 + 4) +
             "\" stroke=\"#e4e4e4\"/>\n";
        s += "<text x=\"" + X + "\" y=\"" + coord(y1 + 15) + "\" text-anchor=\"middle\">" + escape(num(t, 6)) +
             "</text>\n";
    }
    for (double t : yt) {
        if (t < y_.lo || t > y_.hi) continue;
        const std::string Y = coord(py(t));
        s += "<line x1=\"" + coord(x0 - 4) + "\" y1=\"" + Y + "\" x2=\"" + coord(x1) + "\" y2=\"" + Y +
             "\" stroke=\"#e4e4e4\"/>\n";
        s += "<text x=\"" + coord(x0 - 6) + "\" y=\"" + coord(py(t) + 4) + "\" text-anchor=\"end\">" +
             escape(num(t, 6)) + "</text>\n";
    }
    s += "<g clip-path=\"url(#" + escape(clip) + ")\">\n" + body_ + "</g>\n";
    s += "<rect x=\"" + coord(x0) + "\" y=\"" + coord(y0) + "\" width=\"" + coord(x1 - x0) + "\" height=\"" +
         coord(y1 - y0) + "\" fill=\"none\" stroke=\"#333\"/>\n";
    s += "<text x=\"" + coord((x0 + x1) / 2) + "\" y=\"" + coord(height_ - 6.0) + "\" text-anchor=\"middle\">" +
         escape(x_.label) + "</text>\n";
    s += "<text transform=\"translate(14 " + coord((y0 + y1) / 2) + ") rotate(-90)\" text-anchor=\"middle\">" +
         escape(y_.label) + "</text>\n";
    // The legend goes below the x-axis label, in rows of its own, so it never hides data;
    // the svg grows by one row per entry.
    double ly = height_ + 6.0;
    for (const auto& [c, label] : legend_) {
        s += "<rect x=\"" + coord(x0) + "\" y=\"" + coord(ly - 9) + "\" width=\"10\" height=\"10\" fill=\"" +
             escape(c) + "\"/>";
        s += "<text x=\"" + coord(x0 + 14) + "\" y=\"" + coord(ly) + "\">" + escape(label) + "</text>\n";
        ly += 14;
    }
    s += "</svg>";
    return s;
}

Document::Document(std::string title) : title_(std::move(title)) {}

void Document::h1(std::string_view text) { body_ += "<h1>" + escape(text) + "</h1>\n"; }

void Document::h2(std::string_view text, std::string_view id) {
    body_ += id.empty() ? "<h2>" : "<h2 id=\"" + escape(id) + "\">";
    body_ += escape(text) + "</h2>\n";
}

void Document::h3(std::string_view text) { body_ += "<h3>" + escape(text) + "</h3>\n"; }

void Document::paragraph(std::string_view text, std::string_view cls) {
    body_ += cls.empty() ? "<p>" : "<p class=\"" + escape(cls) + "\">";
    body_ += escape(text) + "</p>\n";
}

void Document::key_values(const std::vector<std::pair<std::string, std::string>>& rows) {
    body_ += "<table class=\"kv\">\n";
    for (const auto& [k, v] : rows) body_ += "<tr><th>" + escape(k) + "</th><td>" + escape(v) + "</td></tr>\n";
    body_ += "</table>\n";
}

void Document::table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                     std::string_view data_table, const std::vector<std::string>& row_class) {
    body_ += "<table class=\"data\" data-table=\"" + escape(data_table) + "\">\n<tr>";
    for (const std::string& h : header) body_ += "<th>" + escape(h) + "</th>";
    body_ += "</tr>\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const bool cls = i < row_class.size() && !row_class[i].empty();
        body_ += cls ? "<tr class=\"" + escape(row_class[i]) + "\">" : std::string("<tr>");
        for (const std::string& c : rows[i]) body_ += "<td>" + escape(c) + "</td>";
        body_ += "</tr>\n";
    }
    body_ += "</table>\n";
}

void Document::figure(const SvgPlot& plot, std::string_view caption) {
    body_ += "<figure>\n" + plot.str() + "\n";
    if (!caption.empty()) body_ += "<figcaption>" + escape(caption) + "</figcaption>\n";
    body_ += "</figure>\n";
}

void Document::preformatted(std::string_view summary, std::string_view text) {
    body_ += "<details><summary>" + escape(summary) + "</summary><pre>" + escape(text) + "</pre></details>\n";
}

void Document::open_grid() { body_ += "<div class=\"grid\">\n"; }
void Document::close_grid() { body_ += "</div>\n"; }

std::string Document::str() const {
    // Inline style only: the report must render the same offline, with no fetches.
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>" + escape(title_) +
           "</title>\n<style>\n"
           "body{font-family:sans-serif;margin:16px 24px;color:#222;max-width:1400px}\n"
           "h1{font-size:20px}h2{font-size:17px;border-bottom:1px solid #ccc;margin-top:28px}h3{font-size:14px}\n"
           ".grid{display:flex;flex-wrap:wrap;gap:8px 16px}\n"
           "figure{margin:4px 0}figcaption{font-size:11px;color:#555;max-width:560px}\n"
           "table{border-collapse:collapse;font-size:12px}th,td{border:1px solid #ccc;padding:2px "
           "6px;text-align:left}\n"
           "table.kv th{background:#f4f4f4}tr.failed td{background:#fde2e2}\n"
           "p.note{font-size:12px;color:#666}pre{font-size:11px;background:#f7f7f7;padding:6px}\n"
           "</style>\n</head>\n<body>\n" +
           body_ + "</body>\n</html>\n";
}

} // namespace apical::io::html
