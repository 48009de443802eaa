#include "io/report_html.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <vector>

using namespace apical::io::html;
using Catch::Matchers::Contains;

TEST_CASE("html escape covers markup and quotes", "[report_html]") {
    CHECK(escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;");
    CHECK(escape("plain") == "plain");
}

TEST_CASE("num formats compactly and spells out non-finite values", "[report_html]") {
    CHECK(num(0.0) == "0");
    CHECK(num(-0.0) == "0");
    CHECK(num(2.5) == "2.5");
    CHECK(num(10000.0, 6) == "10000");
    CHECK(num(NAN) == "NaN");
    CHECK(num(INFINITY) == "inf");
}

TEST_CASE("nice ticks are round steps inside the range", "[report_html]") {
    const std::vector<double> t = nice_ticks(0.0, 1000.0, 5);
    REQUIRE(t.size() >= 3);
    CHECK(t.front() == 0.0);
    CHECK(t.back() == 1000.0);
    for (std::size_t i = 1; i < t.size(); ++i) CHECK(t[i] - t[i - 1] == Approx(t[1] - t[0]));
    const std::vector<double> n = nice_ticks(-0.37, 0.81, 4);
    CHECK(n.front() >= -0.37);
    CHECK(n.back() <= 0.81 + 1e-12);
    CHECK(nice_ticks(1.0, 1.0).size() == 1); // degenerate range: no endless loop
    const std::vector<double> l = log_ticks(0.5, 2000.0);
    CHECK(l == std::vector<double>{1.0, 10.0, 100.0, 1000.0});
    CHECK(log_ticks(18.0, 1100.0) == std::vector<double>{20.0, 50.0, 100.0, 200.0, 500.0, 1000.0});
}

TEST_CASE("data range ignores non-finite values and is never empty", "[report_html]") {
    const std::vector<double> v{NAN, 1.0, 3.0, INFINITY};
    auto [lo, hi] = data_range(v);
    CHECK(lo < 1.0);
    CHECK(hi > 3.0);
    const std::vector<double> c{2.0, 2.0};
    std::tie(lo, hi) = data_range(c);
    CHECK(hi > lo);
    std::tie(lo, hi) = data_range(std::vector<double>{0.0, 5.0}, true);
    CHECK(lo == 0.0); // rates start at zero, not below
}

TEST_CASE("an SVG plot is one svg element with its panel name, title and axis labels", "[report_html]") {
    SvgPlot p("raster:exc", "Spike <raster>", Axis{0, 100, "time (ms)"}, Axis{0, 10, "cell"});
    const std::vector<double> x{1, 50, 200}, y{1, 5, 9}; // 200 is outside: not drawn
    p.ticks(x, y, SvgPlot::colour(0), 0.4);
    p.line(x, y, "#000");
    p.legend({{"#f00", "a & b"}});
    const std::string s = p.str();
    CHECK(s.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
    CHECK(s.substr(s.size() - 6) == "</svg>");
    CHECK_THAT(s, Contains("data-panel=\"raster:exc\""));
    CHECK_THAT(s, Contains("Spike &lt;raster&gt;"));
    CHECK_THAT(s, Contains("time (ms)"));
    CHECK_THAT(s, Contains("a &amp; b"));
    CHECK(s.find("<script") == std::string::npos);
    // Two raster ticks drawn (x = 1 and 50), each an M...v segment in one path.
    const std::size_t path = s.find("stroke-width=\"1\" d=\"M");
    REQUIRE(path != std::string::npos);
    const std::string d = s.substr(path, s.find('"', path + 22) - path);
    CHECK(std::count(d.begin(), d.end(), 'v') == 2);
}

TEST_CASE("a degenerate or non-positive log axis does not produce NaN coordinates", "[report_html]") {
    SvgPlot p("x", "t", Axis{5, 5, "x"}, Axis{0, 1, "y", true});
    const std::vector<double> x{5}, y{0.5};
    p.markers(x, y, "#000");
    const std::string s = p.str();
    CHECK(s.find("nan") == std::string::npos);
    CHECK(s.find("inf") == std::string::npos);
}

TEST_CASE("a document is a complete page with no external resources", "[report_html]") {
    Document doc("Report <1>");
    doc.h1("Title");
    doc.key_values({{"seed", "1"}});
    doc.table({"a", "b"}, {{"1", "x<y"}}, "sweep", {"failed"});
    doc.paragraph("note", "note");
    const std::string s = doc.str();
    CHECK(s.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK_THAT(s, Contains("<title>Report &lt;1&gt;</title>"));
    CHECK_THAT(s, Contains("data-table=\"sweep\""));
    CHECK_THAT(s, Contains("<tr class=\"failed\"><td>1</td><td>x&lt;y</td></tr>"));
    CHECK(s.find("http") == std::string::npos);
    CHECK(s.substr(s.size() - 8) == "</html>\n");
}
