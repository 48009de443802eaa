#include "io/sweep_summary.hpp"

#include "io/csv.hpp"
#include "io/h5_error.hpp"
#include "io/h5_node.hpp"
#include "io/inspect.hpp"
#include "io/units.hpp"
#include "io/yaml_check.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace apical::io {
namespace {

namespace fs = std::filesystem;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

ParameterColumn parameter_column(const std::string& key, const std::vector<std::vector<std::string>>& values,
                                 std::size_t col) {
    ParameterColumn c;
    c.key = key;
    for (const auto& row : values) c.texts.push_back(row[col]);
    c.numeric = !values.empty();
    Dim dim = Dim::none;
    for (std::size_t i = 0; i < values.size() && c.numeric; ++i) {
        try {
            const Quantity q = parse_quantity(values[i][col]);
            if (i > 0 && q.dim != dim) c.numeric = false;
            dim = q.dim;
            c.numbers.push_back(q.value);
        } catch (const UnitError&) {
            c.numeric = false;
        }
    }
    if (!c.numeric) c.numbers.clear();
    else if (dim != Dim::none) c.unit = canonical_unit(dim);
    return c;
}

double mean_of(const std::vector<double>& v) {
    double sum = 0.0;
    std::size_t n = 0;
    for (double x : v)
        if (std::isfinite(x)) {
            sum += x;
            ++n;
        }
    return n ? sum / static_cast<double>(n) : nan;
}

std::string number_text(double v) { return std::isfinite(v) ? format_number(v) : ""; }

void write_text_file(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".partial";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        if (!out.flush()) throw std::runtime_error(tmp + ": cannot write");
    }
    fs::rename(tmp, path);
}

} // namespace

std::string ParameterColumn::header() const { return unit.empty() ? key : key + " [" + unit + "]"; }

std::size_t SweepSummary::count(PointState s) const {
    return static_cast<std::size_t>(
        std::count_if(points.begin(), points.end(), [s](const PointOnDisk& p) { return p.state == s; }));
}

const char* state_name(PointState s) {
    switch (s) {
    case PointState::done: return "done";
    case PointState::failed: return "failed";
    case PointState::missing: return "missing";
    }
    return "?";
}

std::vector<PopulationStats> result_statistics(const std::string& h5_path, std::vector<std::string>& names) {
    const InspectResult ins = inspect(h5_path);
    const Hdf5Reader r(h5_path);
    std::vector<PopulationStats> out;
    names.clear();
    for (const PopulationSummary& p : ins.populations) {
        names.push_back(p.name);
        PopulationStats s{p.mean_rate_hz, p.cv_isi, p.event_rate_hz, p.burst_probability, nan};
        if (!p.recorded) s.rate_hz = s.cv_isi = s.event_rate_hz = s.burst_probability = nan;
        // HTM layers record their anomaly score per step (docs/output.md).
        const std::string anomaly = "htm/" + p.name + "/anomaly";
        if (r.kind(anomaly) == Hdf5Reader::Kind::dataset) s.mean_anomaly = mean_of(r.read_doubles(anomaly));
        out.push_back(s);
    }
    return out;
}

SweepSummary collect_sweep(const std::string& dir) {
    const SweepManifest m = read_manifest(dir);
    SweepSummary s;
    s.dir = dir;
    for (std::size_t k = 0; k < m.keys.size(); ++k) s.parameters.push_back(parameter_column(m.keys[k], m.values, k));
    s.seeds = m.seeds;
    std::vector<std::vector<std::pair<std::string, PopulationStats>>> found(m.values.size());
    for (std::size_t i = 0; i < m.values.size(); ++i) {
        PointOnDisk p = point_on_disk(dir, i);
        if (p.state == PointState::done) {
            try {
                std::vector<std::string> names;
                const std::vector<PopulationStats> st = result_statistics(point_file(dir, i), names);
                for (std::size_t k = 0; k < names.size(); ++k) {
                    found[i].emplace_back(names[k], st[k]);
                    if (std::find(s.populations.begin(), s.populations.end(), names[k]) == s.populations.end())
                        s.populations.push_back(names[k]);
                }
            } catch (const Hdf5Error& e) {
                p.state = PointState::failed;
                p.message = e.what();
            }
        }
        s.points.push_back(std::move(p));
    }
    const PopulationStats undefined{nan, nan, nan, nan, nan};
    for (const auto& row : found) {
        std::vector<PopulationStats> r(s.populations.size(), undefined);
        for (const auto& [name, st] : row)
            r[static_cast<std::size_t>(std::find(s.populations.begin(), s.populations.end(), name) -
                                       s.populations.begin())] = st;
        s.stats.push_back(std::move(r));
    }
    return s;
}

void write_summary_csv(const SweepSummary& s, const std::string& path) {
    std::vector<std::string> header{"point"};
    for (const ParameterColumn& c : s.parameters) header.push_back(c.header());
    header.insert(header.end(), {"seed", "status", "wall_s"});
    for (const std::string& pop : s.populations)
        for (const char* stat : statistic_names) header.push_back(pop + "." + stat);
    header.push_back("message");
    std::string out = csv_line(header) + "\n";
    for (std::size_t i = 0; i < s.points.size(); ++i) {
        const PointOnDisk& p = s.points[i];
        std::vector<std::string> row{std::to_string(i)};
        for (const ParameterColumn& c : s.parameters)
            row.push_back(c.numeric ? format_number(c.numbers[i]) : c.texts[i]);
        row.push_back(std::to_string(s.seeds[i]));
        row.push_back(state_name(p.state));
        row.push_back(p.state == PointState::missing ? "" : format_number(p.wall_seconds));
        for (const PopulationStats& st : s.stats[i])
            for (double v : {st.rate_hz, st.cv_isi, st.event_rate_hz, st.burst_probability, st.mean_anomaly})
                row.push_back(number_text(v));
        // One line per point: a multi-line message keeps its first line here.
        row.push_back(p.message.substr(0, p.message.find('\n')));
        out += csv_line(row) + "\n";
    }
    write_text_file(path, out);
}

void write_sweep_h5(const SweepSummary& s, const std::string& path, const std::string& apical_version) {
    H5Quiet quiet;
    const std::string tmp = path + ".partial";
    std::error_code ec;
    {
        H5Id fcpl(h5_check(H5Pcreate(H5P_FILE_CREATE), tmp, "", "create file"));
        H5Id file(h5_check(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, fcpl.get(), H5P_DEFAULT), tmp, "", "create file"));
        try {
            {
                H5Id root_id(h5_check(H5Gopen2(file.get(), "/", H5P_DEFAULT), tmp, "/", "open group"));
                const H5Node root(std::move(root_id), tmp, "");
                root.write_attr("apical_version", apical_version);
                root.write_attr("points", static_cast<std::uint64_t>(s.points.size()));
                const fs::path scenario = fs::path(s.dir) / "scenario.yaml";
                if (fs::exists(scenario)) {
                    std::ifstream in(scenario, std::ios::binary);
                    std::ostringstream text;
                    text << in.rdbuf();
                    root.write_attr("scenario", text.str());
                }
                const std::size_t n = s.points.size();
                std::vector<std::uint64_t> ids(n);
                std::vector<std::string> status(n), message(n);
                std::vector<double> wall(n);
                for (std::size_t i = 0; i < n; ++i) {
                    ids[i] = i;
                    status[i] = state_name(s.points[i].state);
                    message[i] = s.points[i].message;
                    wall[i] = s.points[i].state == PointState::missing ? nan : s.points[i].wall_seconds;
                }
                const H5Node pts = root.create_group("points");
                pts.create_dataset<std::uint64_t>("point", ids);
                pts.create_dataset<std::uint64_t>("seed", s.seeds);
                pts.create_text_dataset("status", status);
                pts.create_text_dataset("message", message);
                pts.create_dataset<double>("wall_s", wall).write_attr("units", std::string("s"));
                const H5Node par = root.create_group("parameters");
                std::vector<std::string> keys;
                for (const ParameterColumn& c : s.parameters) {
                    keys.push_back(c.key);
                    const H5Node d = c.numeric ? par.create_dataset<double>(c.key, c.numbers)
                                               : par.create_text_dataset(c.key, c.texts);
                    if (c.numeric) d.write_attr("units", c.unit.empty() ? std::string("1") : c.unit);
                    d.write_attr("values", c.texts);
                }
                par.write_attr("keys", keys);
                const H5Node stats = root.create_group("statistics");
                for (std::size_t p = 0; p < s.populations.size(); ++p) {
                    const H5Node g = stats.create_group(s.populations[p]);
                    for (std::size_t k = 0; k < std::size(statistic_names); ++k) {
                        std::vector<double> col(n);
                        for (std::size_t i = 0; i < n; ++i) {
                            const PopulationStats& st = s.stats[i][p];
                            const double v[] = {st.rate_hz, st.cv_isi, st.event_rate_hz, st.burst_probability,
                                                st.mean_anomaly};
                            col[i] = v[k];
                        }
                        g.create_dataset<double>(statistic_names[k], col);
                    }
                }
            }
            h5_check(H5Fclose(file.release()), tmp, "", "close file");
        } catch (...) {
            file.reset();
            fs::remove(tmp, ec);
            throw;
        }
    }
    fs::rename(tmp, path, ec);
    if (ec) throw std::runtime_error(path + ": cannot rename from " + tmp + ": " + ec.message());
}

} // namespace apical::io
