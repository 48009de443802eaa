#include "io/csv_table.hpp"

#include "io/scenario.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <vector>

namespace apical::io {
namespace {

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's
// well-known civil-calendar formula, written out here).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
}

bool digits(const std::string& s, std::size_t at, std::size_t n, int& out) {
    if (at + n > s.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

std::string trim(const std::string& s) {
    std::size_t a = 0, b = s.size();
    while (a < b && (s[a] == ' ' || s[a] == '\t')) ++a;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r')) --b;
    return s.substr(a, b - a);
}

struct Field {
    std::string text;
    int col; // 1-based column of its first character
};

std::vector<Field> split(const std::string& line) {
    std::vector<Field> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= line.size(); ++i)
        if (i == line.size() || line[i] == ',') {
            std::size_t a = start;
            while (a < i && (line[a] == ' ' || line[a] == '\t')) ++a;
            out.push_back({trim(line.substr(start, i - start)), static_cast<int>(a + 1)});
            start = i + 1;
        }
    return out;
}

} // namespace

std::optional<double> parse_datetime(const std::string& s) {
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
        !digits(s, 8, 2, d))
        return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
    std::size_t at = 10;
    double frac = 0.0;
    if (at < s.size() && (s[at] == ' ' || s[at] == 'T')) {
        if (!digits(s, at + 1, 2, h) || at + 3 >= s.size() || s[at + 3] != ':' || !digits(s, at + 4, 2, mi))
            return std::nullopt;
        at += 6;
        if (at < s.size() && s[at] == ':') {
            if (!digits(s, at + 1, 2, sec)) return std::nullopt;
            at += 3;
            if (at < s.size() && s[at] == '.') {
                std::size_t e = at + 1;
                while (e < s.size() && s[e] >= '0' && s[e] <= '9') ++e;
                if (e == at + 1) return std::nullopt;
                frac = std::stod("0" + s.substr(at, e - at));
                at = e;
            }
        }
        if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
    }
    if (at < s.size() && s[at] == 'Z') ++at;
    if (at != s.size()) return std::nullopt;
    return static_cast<double>(days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d))) * 86400.0 +
           h * 3600.0 + mi * 60.0 + sec + frac;
}

std::string format_datetime(double t) {
    const double day = std::floor(t / 86400.0);
    double rest = t - day * 86400.0;
    std::int64_t y;
    unsigned m, d;
    civil_from_days(static_cast<std::int64_t>(day), y, m, d);
    const int h = static_cast<int>(rest / 3600.0);
    rest -= h * 3600.0;
    const int mi = static_cast<int>(rest / 60.0);
    rest -= mi * 60.0;
    char buf[64];
    if (rest == std::floor(rest))
        std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02d:%02d:%02d", static_cast<long long>(y), m, d, h, mi,
                      static_cast<int>(rest));
    else
        std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02d:%02d:%09.6f", static_cast<long long>(y), m, d, h, mi,
                      rest);
    return buf;
}

Table read_csv_table(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw ScenarioError(path, 1, 1, "is a directory; expected a CSV file");
    if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
        throw ScenarioError(path, 1, 1, "is not a regular file (a device or a pipe?); expected a CSV file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ScenarioError(path, 1, 1, "cannot open the CSV file");
    Table t;
    t.file = path;
    std::string line;
    int lineno = 0;
    std::vector<bool> kind_known;
    while (std::getline(in, line)) {
        ++lineno;
        if (trim(line).empty()) continue;
        auto fields = split(line);
        if (t.columns.empty()) {
            for (auto& f : fields) {
                if (f.text.empty()) throw ScenarioError(path, lineno, f.col, "empty column name in the header row");
                t.columns.push_back(f.text);
            }
            t.datetime.assign(t.columns.size(), false);
            kind_known.assign(t.columns.size(), false);
            continue;
        }
        if (fields.size() != t.columns.size())
            throw ScenarioError(path, lineno, 1,
                                "row has " + std::to_string(fields.size()) + " fields, the header has " +
                                    std::to_string(t.columns.size()) + "; every row needs one value per column");
        for (std::size_t c = 0; c < fields.size(); ++c) {
            const std::string& s = fields[c].text;
            if (s.empty()) {
                t.values.push_back(std::numeric_limits<double>::quiet_NaN());
                continue;
            }
            double v = 0.0;
            const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
            const bool is_num = ec == std::errc() && end == s.data() + s.size();
            std::optional<double> dt;
            if (!is_num) dt = parse_datetime(s);
            if (!is_num && !dt)
                throw ScenarioError(path, lineno, fields[c].col,
                                    "'" + s + "' in column " + t.columns[c] +
                                        " is not a number or a date-time; allowed: numbers (1.5, -2e3), dates "
                                        "(2024-01-31, 2024-01-31 13:45:00, 2024-01-31T13:45Z), or empty");
            if (!kind_known[c]) kind_known[c] = true, t.datetime[c] = !is_num;
            else if (t.datetime[c] == is_num)
                throw ScenarioError(path, lineno, fields[c].col,
                                    "column " + t.columns[c] +
                                        " mixes numbers and date-times; use one kind per column");
            t.values.push_back(is_num ? v : *dt);
        }
    }
    if (t.columns.empty()) throw ScenarioError(path, 1, 1, "empty CSV file; expected a header row and data rows");
    if (t.rows() == 0) throw ScenarioError(path, lineno, 1, "the CSV file has a header but no data rows");
    return t;
}

} // namespace apical::io
