#include "io/export_csv.hpp"

#include "io/h5_error.hpp"
#include "io/h5_node.hpp"
#include "io/csv_table.hpp"
#include "io/hdf5_reader.hpp"
#include "io/output_meta.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>

namespace apical::io {

namespace fs = std::filesystem;

namespace {

// %.17g round-trips every double exactly, so a CSV value parses back to the HDF5 value.
std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}
// The shortest text that reads back as the same double ("62.361", not "62.360999999999997").
std::string short_num(double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}
// float32 trace samples: 9 significant digits round-trip a float exactly.
std::string num(float v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
    return buf;
}

// Groups of per-population tables: /bursts/<pop>, /weights/<projection> (its final_*
// columns: the time series has another length and is left out) and the model records (/column_bursts/<pop>, /htm/<pop>,
// ...; core RecordDecl). Each is exported generically: every 1-D dataset of the group's common length is one column.
struct Table1D {
    std::vector<std::string> names, headers, units;
    std::vector<std::vector<double>> columns;
    const std::vector<double>* column(const std::string& name) const {
        for (std::size_t c = 0; c < names.size(); ++c)
            if (names[c] == name) return &columns[c];
        return nullptr;
    }
};

// Every group under the root that holds per-population tables: all but the fixed layout's.
std::vector<std::string> table_groups(const H5Node& root) {
    std::vector<std::string> out;
    for (const std::string& g : root.children())
        if (root.has_group(g) && g != "apical" && g != "spikes" && g != "report" && g != "rates") out.push_back(g);
    return out;
}

std::vector<std::pair<std::string, std::vector<std::pair<std::string, Table1D>>>> read_tables(const std::string& path) {
    std::vector<std::pair<std::string, std::vector<std::pair<std::string, Table1D>>>> out;
    H5Quiet quiet;
    H5Id file(h5_check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path, "", "open result file"));
    H5Node root(H5Id(h5_check(H5Gopen2(file.get(), "/", H5P_DEFAULT), path, "/", "open result file")), path, "/");
    for (const std::string& group : table_groups(root)) {
        H5Node top = root.open_group(group);
        std::vector<std::pair<std::string, Table1D>> pops;
        for (const std::string& pop : top.children()) {
            if (!top.has_group(pop)) continue;
            H5Node g = top.open_group(pop);
            Table1D t;
            std::size_t n = 0;
            for (const std::string& c : g.children()) {
                if (g.has_group(c)) continue;
                H5Node d = g.open_dataset(c);
                const std::vector<hsize_t> dims = d.dims();
                if (dims.size() != 1 || (!t.columns.empty() && dims[0] != n)) continue;
                n = dims[0];
                const std::string u = d.has_attr("units") ? d.read_attr_string("units") : "";
                t.names.push_back(c);
                t.units.push_back(u);
                t.headers.push_back(u.empty() ? c : c + "[" + u + "]");
                t.columns.push_back(d.read_all<double>());
            }
            // the time column first
            for (std::size_t c = 1; c < t.names.size(); ++c)
                if (t.names[c] == "timestamps") {
                    std::rotate(t.names.begin(), t.names.begin() + c, t.names.begin() + c + 1);
                    std::rotate(t.units.begin(), t.units.begin() + c, t.units.begin() + c + 1);
                    std::rotate(t.headers.begin(), t.headers.begin() + c, t.headers.begin() + c + 1);
                    std::rotate(t.columns.begin(), t.columns.begin() + c, t.columns.begin() + c + 1);
                }
            pops.emplace_back(pop, std::move(t));
        }
        out.emplace_back(group, std::move(pops));
    }
    return out;
}

// One output file: its path and the function that fills it.
struct Planned {
    fs::path path;
    std::function<void(std::ostream&)> write;
};

} // namespace

std::vector<std::string> export_csv(const std::string& h5_path, const std::string& dir, bool force) {
    const Hdf5Reader r(h5_path);
    const fs::path out(dir);
    std::vector<Planned> plan;

    for (const std::string& pop : r.spike_populations())
        plan.push_back({out / ("spikes_" + pop + ".csv"), [&r, pop](std::ostream& o) {
                            o << "time_ms,node_id\n";
                            // Streamed in blocks: a spike file can be far larger than memory.
                            r.for_each_spike_block(pop, std::size_t{1} << 20,
                                                   [&](std::span<const double> t, std::span<const std::uint64_t> id) {
                                                       for (std::size_t i = 0; i < t.size(); ++i)
                                                           o << num(t[i]) << ',' << id[i] << '\n';
                                                   });
                        }});
    for (const std::string& pop : r.rate_populations())
        plan.push_back({out / ("rates_" + pop + ".csv"), [&r, pop](std::ostream& o) {
                            const RateData d = r.rates(pop);
                            // Burst statistics may lag the rate by a bin or so in a .partial file.
                            const bool b = !d.event_rate.empty();
                            o << (b ? "time_ms,rate_hz,event_rate_hz,burst_rate_hz,burst_probability\n"
                                    : "time_ms,rate_hz\n");
                            auto at = [](const std::vector<double>& v, std::size_t i) {
                                return i < v.size() ? num(v[i]) : std::string();
                            };
                            for (std::size_t i = 0; i < d.rate.size(); ++i) {
                                o << num(d.start + static_cast<double>(i) * d.step) << ',' << num(d.rate[i]);
                                if (b)
                                    o << ',' << at(d.event_rate, i) << ',' << at(d.burst_rate, i) << ','
                                      << at(d.burst_probability, i);
                                o << '\n';
                            }
                        }});
    for (const std::string& probe : r.report_names())
        for (const std::string& pop : r.report_populations(probe))
            plan.push_back(
                {out / ("trace_" + probe + "_" + pop + ".csv"), [&r, probe, pop](std::ostream& o) {
                     const ReportData d = r.report(probe, pop);
                     o << "time_ms";
                     // Column k belongs to the cell whose index_pointers range holds k,
                     // variable element_ids[k] (docs/output.md).
                     for (std::size_t c = 0; c + 1 < d.index_pointers.size(); ++c)
                         for (std::uint64_t k = d.index_pointers[c]; k < d.index_pointers[c + 1]; ++k) {
                             const std::uint32_t v = k < d.element_ids.size() ? d.element_ids[k] : 0;
                             const std::string var = v < d.variables.size() ? d.variables[v] : "e" + std::to_string(v);
                             const std::string unit = v < d.variable_units.size() ? d.variable_units[v] : d.units;
                             o << ',' << csv_field(std::to_string(d.node_ids[c]) + "_" + var + "[" + unit + "]");
                         }
                     o << '\n';
                     for (std::size_t t = 0; t < d.n_times; ++t) {
                         o << num(d.start + static_cast<double>(t) * d.step);
                         for (std::size_t k = 0; k < d.n_elements; ++k) o << ',' << num(d.data[t * d.n_elements + k]);
                         o << '\n';
                     }
                 }});
    for (auto& [group, pops] : read_tables(h5_path))
        for (auto& [pop, table] : pops) {
            plan.push_back({out / (group + "_" + pop + ".csv"), [t = table](std::ostream& o) {
                                for (std::size_t c = 0; c < t.headers.size(); ++c)
                                    o << (c ? "," : "") << csv_field(t.headers[c]);
                                o << '\n';
                                const std::size_t n = t.columns.empty() ? 0 : t.columns[0].size();
                                for (std::size_t i = 0; i < n; ++i) {
                                    for (std::size_t c = 0; c < t.columns.size(); ++c)
                                        o << (c ? "," : "") << num(t.columns[c][i]);
                                    o << '\n';
                                }
                            }});
            // Anomaly detection: one row per input row, as the input had it (docs/output.md).
            const std::vector<double>* ts = table.column("timestamp");
            const std::vector<double>* val = table.column("value");
            const std::vector<double>* an = table.column("anomaly");
            if (!ts || !val || !an) continue;
            bool dates = false;
            for (std::size_t c = 0; c < table.names.size(); ++c)
                dates = dates || (table.names[c] == "timestamp" && table.units[c] == kUnixSecondsUnit);
            plan.push_back(
                {out / ("anomaly_" + pop + ".csv"), [ts = *ts, val = *val, an = *an, dates](std::ostream& o) {
                     o << "timestamp,value,anomaly_score\n";
                     for (std::size_t i = 0; i < an.size(); ++i) {
                         if (std::isnan(ts[i]) && std::isnan(val[i]))
                             continue; // a step without an input row (spiking input only)
                         o << (dates ? format_datetime(ts[i]) : short_num(ts[i])) << ',' << short_num(val[i]) << ','
                           << short_num(an[i]) << '\n';
                     }
                 }});
        }
    plan.push_back(
        {out / "metadata.csv", [&r](std::ostream& o) {
             const ResultMeta& m = r.meta();
             auto row = [&](const std::string& k, const std::string& v) { o << k << ',' << csv_field(v) << '\n'; };
             auto join = [](const auto& xs, auto str) {
                 std::string s;
                 for (std::size_t i = 0; i < xs.size(); ++i) s += (i ? ";" : "") + str(xs[i]);
                 return s;
             };
             o << "key,value\n";
             row("format_version", std::to_string(m.format_version[0]) + "." + std::to_string(m.format_version[1]));
             row("apical_version", m.apical_version);
             row("name", m.name);
             row("seed", std::to_string(m.seed));
             row("threads", std::to_string(m.threads));
             row("t_stop_ms", num(m.t_stop));
             row("t_reached_ms", num(m.t_reached));
             row("completed", m.completed ? "1" : "0");
             row("wall_seconds", num(m.wall_seconds));
             row("populations", join(m.populations, [](const std::string& s) { return s; }));
             row("population_sizes", join(m.population_sizes, [](std::uint64_t v) { return std::to_string(v); }));
             row("scenario", m.scenario);
         }});

    // Refuse before writing anything, so a refused export leaves DIR as it was.
    std::error_code ec;
    if (fs::exists(out, ec) && !fs::is_directory(out, ec))
        throw std::runtime_error(dir + ": exists and is not a directory");
    if (!force)
        for (const Planned& p : plan)
            if (fs::exists(p.path, ec))
                throw std::runtime_error(p.path.string() + ": exists (use --force to overwrite)");
    fs::create_directories(out, ec);
    if (ec) throw std::runtime_error(dir + ": cannot create directory: " + ec.message());

    std::vector<std::string> written;
    for (const Planned& p : plan) {
        std::ofstream f(p.path, std::ios::binary | std::ios::trunc);
        if (!f) throw std::runtime_error(p.path.string() + ": cannot open for writing");
        p.write(f);
        f.flush();
        if (!f) throw std::runtime_error(p.path.string() + ": write failed");
        written.push_back(p.path.string());
    }
    return written;
}

} // namespace apical::io
