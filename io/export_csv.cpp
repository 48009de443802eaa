#include "io/export_csv.hpp"

#include "io/h5_error.hpp"
#include "io/h5_node.hpp"
#include "io/hdf5_reader.hpp"

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
// float32 trace samples: 9 significant digits round-trip a float exactly.
std::string num(float v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
    return buf;
}

// A /bursts/<pop> group is not specified yet (docs/output.md reserves it), so it is
// exported generically: every 1-D dataset of the group's common length is one column.
struct BurstTable {
    std::vector<std::string> headers;
    std::vector<std::vector<double>> columns;
};

std::vector<std::pair<std::string, BurstTable>> read_bursts(const std::string& path) {
    std::vector<std::pair<std::string, BurstTable>> out;
    H5Quiet quiet;
    H5Id file(h5_check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path, "", "open result file"));
    H5Node root(H5Id(h5_check(H5Gopen2(file.get(), "/", H5P_DEFAULT), path, "/", "open result file")), path, "/");
    if (!root.has_group("bursts"))
        return out;
    H5Node bursts = root.open_group("bursts");
    for (const std::string& pop : bursts.children()) {
        if (!bursts.has_group(pop))
            continue;
        H5Node g = bursts.open_group(pop);
        BurstTable t;
        std::size_t n = 0;
        for (const std::string& c : g.children()) {
            if (g.has_group(c))
                continue;
            H5Node d = g.open_dataset(c);
            const std::vector<hsize_t> dims = d.dims();
            if (dims.size() != 1 || (!t.columns.empty() && dims[0] != n))
                continue;
            n = dims[0];
            std::string h = c;
            if (d.has_attr("units"))
                h += "[" + d.read_attr_string("units") + "]";
            t.headers.push_back(h);
            t.columns.push_back(d.read_all<double>());
        }
        out.emplace_back(pop, std::move(t));
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
                            o << "time_ms,rate_hz\n";
                            for (std::size_t i = 0; i < d.rate.size(); ++i)
                                o << num(d.start + static_cast<double>(i) * d.step) << ',' << num(d.rate[i]) << '\n';
                        }});
    for (const std::string& probe : r.report_names())
        for (const std::string& pop : r.report_populations(probe))
            plan.push_back({out / ("trace_" + probe + "_" + pop + ".csv"), [&r, probe, pop](std::ostream& o) {
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
                                    for (std::size_t k = 0; k < d.n_elements; ++k)
                                        o << ',' << num(d.data[t * d.n_elements + k]);
                                    o << '\n';
                                }
                            }});
    for (auto& [pop, table] : read_bursts(h5_path))
        plan.push_back({out / ("bursts_" + pop + ".csv"), [t = table](std::ostream& o) {
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
    plan.push_back({out / "metadata.csv", [&r](std::ostream& o) {
                        const ResultMeta& m = r.meta();
                        auto row = [&](const std::string& k, const std::string& v) {
                            o << k << ',' << csv_field(v) << '\n';
                        };
                        auto join = [](const auto& xs, auto str) {
                            std::string s;
                            for (std::size_t i = 0; i < xs.size(); ++i)
                                s += (i ? ";" : "") + str(xs[i]);
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
    if (ec)
        throw std::runtime_error(dir + ": cannot create directory: " + ec.message());

    std::vector<std::string> written;
    for (const Planned& p : plan) {
        std::ofstream f(p.path, std::ios::binary | std::ios::trunc);
        if (!f)
            throw std::runtime_error(p.path.string() + ": cannot open for writing");
        p.write(f);
        f.flush();
        if (!f)
            throw std::runtime_error(p.path.string() + ": write failed");
        written.push_back(p.path.string());
    }
    return written;
}

} // namespace apical::io
