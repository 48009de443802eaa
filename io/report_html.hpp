// Rendering helpers for self-contained HTML reports: escaping, number formatting, "nice"
// axis ticks and a small SVG plot writer. Output is plain inline SVG with presentation
// attributes only (no scripts, no external CSS or fonts), so a report opens offline in any
// browser and can be mailed or archived as one file. Knows nothing about models or files.
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace apical::io::html {

// Escapes &, <, >, " and ' for text and attribute values.
std::string escape(std::string_view s);
// Compact number for labels: %.*g with `sig` significant digits; "NaN"/"inf" spelled out.
std::string num(double v, int sig = 4);
// Ticks covering [lo, hi] at 1/2/5 x 10^k steps, about `target` of them.
std::vector<double> nice_ticks(double lo, double hi, int target = 5);
// Decade ticks (and 2, 5 within a decade when there are few decades) for a log axis.
std::vector<double> log_ticks(double lo, double hi);

struct Axis {
    double lo = 0.0, hi = 1.0;
    std::string label; // with the unit, e.g. "time (ms)"
    bool log = false;  // base-10 log scale (lo must be > 0)
};

// A [lo, hi] range over the finite values of `v`, padded a little and never empty.
std::pair<double, double> data_range(std::span<const double> v, bool include_zero = false);

// One plot: a titled frame with ticks and labelled axes. Drawing calls map data
// coordinates to pixels; points outside the axes are clipped by the frame's clip path.
class SvgPlot {
public:
    // `panel` becomes the svg's data-panel attribute (tests and readers find panels by it).
    SvgPlot(std::string panel, std::string title, Axis x, Axis y, int width = 560, int height = 220);

    // A polyline; NaN in either coordinate breaks the line.
    void line(std::span<const double> x, std::span<const double> y, std::string_view colour, double width = 1.2);
    // Histogram bars: bar i spans [edges[i], edges[i+1]] up to heights[i].
    void bars(std::span<const double> edges, std::span<const double> heights, std::string_view colour);
    // Raster ticks: a short vertical mark per (x, y) point, all in one path (compact).
    void ticks(std::span<const double> x, std::span<const double> y, std::string_view colour, double half_height);
    // Scatter markers (small circles).
    void markers(std::span<const double> x, std::span<const double> y, std::string_view colour);
    // A grid of coloured cells: values[r * cols + c] on [x0, x1] x [y0, y1], mapped to a
    // light-to-dark scale between vmin and vmax; NaN cells are left empty.
    void heatmap(std::span<const double> values, std::size_t rows, std::size_t cols, double x0, double x1, double y0,
                 double y1, double vmin, double vmax);
    // Legend entries (colour, label) in the top-right corner.
    void legend(const std::vector<std::pair<std::string, std::string>>& entries);
    // A centred note inside the frame (e.g. "no spikes").
    void note(std::string_view text);

    std::string str() const; // the complete <svg> element

    static const char* colour(std::size_t i); // a qualitative palette, cycling

private:
    double px(double x) const;
    double py(double y) const;

    std::string panel_, title_;
    Axis x_, y_;
    int width_, height_;
    double left_ = 62, right_ = 12, top_ = 24, bottom_ = 40;
    std::string body_;
    std::vector<std::pair<std::string, std::string>> legend_;
};

// A whole HTML page: a title, then sections appended in order.
class Document {
public:
    explicit Document(std::string title);
    void h1(std::string_view text);
    void h2(std::string_view text, std::string_view id = {});
    void h3(std::string_view text);
    void paragraph(std::string_view text, std::string_view cls = {}); // escaped
    // A two-column table of (key, value), escaped.
    void key_values(const std::vector<std::pair<std::string, std::string>>& rows);
    // A table with a header row; `row_class[i]` (may be empty) classes data row i.
    void table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
               std::string_view data_table, const std::vector<std::string>& row_class = {});
    // A figure: the svg then an escaped caption.
    void figure(const SvgPlot& plot, std::string_view caption = {});
    void preformatted(std::string_view summary, std::string_view text); // collapsible <details>
    void open_grid(); // following figures side by side where the width allows
    void close_grid();
    std::string str() const;

private:
    std::string title_, body_;
};

} // namespace apical::io::html
