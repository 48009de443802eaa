#include "io/hdf5_reader.hpp"

#include "io/h5_error.hpp"
#include "io/h5_node.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace apical::io {

namespace {

constexpr std::uint32_t sonata_magic = 0x0A7A;
constexpr std::uint32_t supported_major = 0;

} // namespace

struct Hdf5Reader::Impl {
    std::string path;
    H5Id file;
    H5Node root;
    ResultMeta meta;

    // A new handle on "/" (H5Node is move-only) to walk paths from.
    H5Node fresh_root() const {
        return H5Node(H5Id(h5_check(H5Gopen2(file.get(), "/", H5P_DEFAULT), path, "/", "open group")), path, "/");
    }
    H5Node group_at(const std::string& top, const std::string& name) const {
        return root.open_group(top).open_group(name);
    }
    std::vector<std::string> groups_under(const std::string& top) const {
        if (!root.has_group(top)) return {};
        H5Node g = root.open_group(top);
        std::vector<std::string> out;
        for (const std::string& c : g.children())
            if (g.has_group(c)) out.push_back(c);
        return out;
    }
};

Hdf5Reader::Hdf5Reader(const std::string& path) : impl_(std::make_unique<Impl>()) {
    H5Quiet quiet;
    Impl& r = *impl_;
    r.path = path;
    const char* op = "open result file";
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw Hdf5Error(path, "", op, "no such file");
    if (std::filesystem::is_directory(path, ec)) throw Hdf5Error(path, "", op, "is a directory");
    // H5Fis_hdf5 tells "not HDF5 at all" apart from a damaged HDF5 file, so the user
    // gets the more useful of the two messages.
    if (H5Fis_hdf5(path.c_str()) <= 0) throw Hdf5Error(path, "", op, "not an HDF5 file");
    r.file = H5Id(h5_check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path, "", op));
    r.root = H5Node(H5Id(h5_check(H5Gopen2(r.file.get(), "/", H5P_DEFAULT), path, "/", op)), path, "/");

    if (!r.root.has_attr("magic"))
        throw Hdf5Error(path, "/", op, "not a SONATA/Apical result file: no root attribute 'magic'");
    const auto magic = r.root.read_attr<std::uint32_t>("magic");
    if (magic != sonata_magic) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "root attribute 'magic' is 0x%X, expected 0x0A7A", magic);
        throw Hdf5Error(path, "/", op, buf);
    }
    if (!r.root.has_attr("version")) throw Hdf5Error(path, "/", op, "no root attribute 'version'");
    const auto version = r.root.read_attr_array<std::uint32_t>("version");
    if (version.size() != 2) throw Hdf5Error(path, "/", op, "root attribute 'version' must hold 2 values");
    if (version[0] != supported_major)
        throw Hdf5Error(path, "/", op,
                        "format version " + std::to_string(version[0]) + "." + std::to_string(version[1]) +
                            " is not supported (this Apical reads 0.x)");
    if (!r.root.has_group("apical"))
        throw Hdf5Error(path, "/apical", op, "not an Apical result file: no /apical group (a plain SONATA file?)");

    ResultMeta& m = r.meta;
    m.format_version = {version[0], version[1]};
    H5Node a = r.root.open_group("apical");
    m.apical_version = a.read_attr_string("version");
    m.scenario = a.read_attr_string("scenario");
    m.name = a.has_attr("name") ? a.read_attr_string("name") : std::string();
    m.seed = a.read_attr<std::uint64_t>("seed");
    m.threads = a.read_attr<std::int32_t>("threads");
    m.t_stop = a.read_attr<double>("t_stop");
    m.t_reached = a.read_attr<double>("t_reached");
    m.completed = a.read_attr<std::int32_t>("completed") != 0;
    m.wall_seconds = a.read_attr<double>("wall_seconds");
    if (a.has_attr("populations") && a.has_attr("population_sizes")) {
        m.populations = a.read_attr_strings("populations");
        m.population_sizes = a.read_attr_array<std::uint64_t>("population_sizes");
        if (m.populations.size() != m.population_sizes.size())
            throw Hdf5Error(path, "/apical", op, "attributes 'populations' and 'population_sizes' differ in length");
    }
}

Hdf5Reader::~Hdf5Reader() {
    H5Quiet quiet;
    impl_.reset();
}

const std::string& Hdf5Reader::path() const { return impl_->path; }
const ResultMeta& Hdf5Reader::meta() const { return impl_->meta; }

std::vector<std::string> Hdf5Reader::spike_populations() const {
    H5Quiet quiet;
    return impl_->groups_under("spikes");
}

std::uint64_t Hdf5Reader::population_size(const std::string& pop) const {
    H5Quiet quiet;
    return impl_->group_at("spikes", pop).read_attr<std::uint64_t>("n_nodes");
}

std::string Hdf5Reader::spike_sorting(const std::string& pop) const {
    H5Quiet quiet;
    H5Node g = impl_->group_at("spikes", pop);
    return g.has_attr("sorting") ? g.read_attr_enum_name("sorting") : std::string("none");
}

std::uint64_t Hdf5Reader::spike_count(const std::string& pop) const {
    H5Quiet quiet;
    std::vector<hsize_t> d = impl_->group_at("spikes", pop).open_dataset("timestamps").dims();
    return d.empty() ? 0 : d[0];
}

SpikeData Hdf5Reader::spikes(const std::string& pop) const {
    H5Quiet quiet;
    H5Node g = impl_->group_at("spikes", pop);
    SpikeData s;
    s.times = g.open_dataset("timestamps").read_all<double>();
    s.node_ids = g.open_dataset("node_ids").read_all<std::uint64_t>();
    if (s.times.size() != s.node_ids.size())
        throw Hdf5Error(impl_->path, g.path(), "read spikes", "timestamps and node_ids differ in length");
    return s;
}

void Hdf5Reader::for_each_spike_block(
    const std::string& pop, std::size_t block,
    const std::function<void(std::span<const double>, std::span<const std::uint64_t>)>& f) const {
    H5Quiet quiet;
    H5Node g = impl_->group_at("spikes", pop);
    H5Node t = g.open_dataset("timestamps"), n = g.open_dataset("node_ids");
    const std::vector<hsize_t> dt = t.dims(), dn = n.dims();
    if (dt.size() != 1 || dn.size() != 1 || dt[0] != dn[0])
        throw Hdf5Error(impl_->path, g.path(), "read spikes", "timestamps and node_ids must be 1-D of equal length");
    block = std::max<std::size_t>(block, 1);
    for (hsize_t off = 0; off < dt[0]; off += block) {
        const hsize_t count = std::min<hsize_t>(block, dt[0] - off);
        std::vector<double> times = t.read_range<double>(off, count);
        std::vector<std::uint64_t> ids = n.read_range<std::uint64_t>(off, count);
        f(times, ids);
    }
}

std::vector<std::string> Hdf5Reader::report_names() const {
    H5Quiet quiet;
    return impl_->groups_under("report");
}

std::vector<std::string> Hdf5Reader::report_populations(const std::string& name) const {
    H5Quiet quiet;
    H5Node g = impl_->group_at("report", name);
    std::vector<std::string> out;
    for (const std::string& c : g.children())
        if (g.has_group(c)) out.push_back(c);
    return out;
}

ReportData Hdf5Reader::report(const std::string& name, const std::string& pop) const {
    return report(name, pop, static_cast<std::size_t>(-1));
}

ReportData Hdf5Reader::report(const std::string& name, const std::string& pop, std::size_t max_cells) const {
    H5Quiet quiet;
    H5Node g = impl_->group_at("report", name).open_group(pop);
    ReportData r;
    H5Node data = g.open_dataset("data");
    const std::vector<hsize_t> d = data.dims();
    if (d.size() != 2) throw Hdf5Error(impl_->path, data.path(), "read report", "data must be 2-D [time x element]");
    r.n_times = d[0];
    r.n_elements = d[1];
    r.units = data.has_attr("units") ? data.read_attr_string("units") : std::string();
    if (data.has_attr("variables")) r.variables = data.read_attr_strings("variables");
    if (data.has_attr("variable_units")) r.variable_units = data.read_attr_strings("variable_units");
    H5Node mapping = g.open_group("mapping");
    r.node_ids = mapping.open_dataset("node_ids").read_all<std::uint64_t>();
    r.index_pointers = mapping.open_dataset("index_pointers").read_all<std::uint64_t>();
    r.element_ids = mapping.open_dataset("element_ids").read_all<std::uint32_t>();
    if (max_cells < r.node_ids.size()) {
        if (r.index_pointers.size() != r.node_ids.size() + 1 || r.index_pointers[max_cells] > r.n_elements)
            throw Hdf5Error(impl_->path, mapping.path() + "/index_pointers", "read report",
                            "expected n_nodes + 1 offsets within the data columns");
        const std::size_t cols = r.index_pointers[max_cells];
        r.node_ids.resize(max_cells);
        r.index_pointers.resize(max_cells + 1);
        r.element_ids.resize(std::min(r.element_ids.size(), cols));
        r.n_elements = cols;
        r.data = data.read_leading_columns<float>(cols);
    } else {
        r.data = data.read_all<float>();
    }
    const std::vector<double> t = mapping.open_dataset("time").read_all<double>();
    if (t.size() != 3)
        throw Hdf5Error(impl_->path, mapping.path() + "/time", "read report", "expected [start, stop, step]");
    r.start = t[0];
    r.stop = t[1];
    r.step = t[2];
    return r;
}

std::vector<std::string> Hdf5Reader::rate_populations() const {
    H5Quiet quiet;
    return impl_->groups_under("rates");
}

RateData Hdf5Reader::rates(const std::string& pop) const {
    H5Quiet quiet;
    H5Node g = impl_->group_at("rates", pop);
    RateData r;
    r.rate = g.open_dataset("rate").read_all<double>();
    if (g.has("event_rate")) {
        r.event_rate = g.open_dataset("event_rate").read_all<double>();
        r.burst_rate = g.open_dataset("burst_rate").read_all<double>();
        r.burst_probability = g.open_dataset("burst_probability").read_all<double>();
    }
    const std::vector<double> t = g.open_dataset("time").read_all<double>();
    if (t.size() != 3) throw Hdf5Error(impl_->path, g.path() + "/time", "read rates", "expected [start, stop, step]");
    r.start = t[0];
    r.stop = t[1];
    r.step = t[2];
    return r;
}

namespace {

// Splits "a/b/c" so each link is checked one level at a time: H5Lexists on a path whose
// middle is missing is an error, not "no".
std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i <= path.size()) {
        const std::size_t j = std::min(path.find('/', i), path.size());
        if (j > i) out.push_back(path.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

} // namespace

Hdf5Reader::Kind Hdf5Reader::kind(const std::string& path) const {
    H5Quiet quiet;
    const std::vector<std::string> parts = split_path(path);
    if (parts.empty()) return Kind::group;
    H5Node g = impl_->fresh_root();
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        if (!g.has_group(parts[i])) return Kind::none;
        g = g.open_group(parts[i]);
    }
    if (!g.has(parts.back())) return Kind::none;
    return g.has_group(parts.back()) ? Kind::group : Kind::dataset;
}

std::vector<std::string> Hdf5Reader::children(const std::string& group_path) const {
    H5Quiet quiet;
    H5Node g = impl_->fresh_root();
    for (const std::string& p : split_path(group_path)) g = g.open_group(p);
    return g.children();
}

namespace {

H5Node open_dataset_at(H5Node root, const std::string& path) {
    const std::vector<std::string> parts = split_path(path);
    if (parts.empty()) throw Hdf5Error(root.file(), "/", "open dataset", "empty path");
    H5Node g = std::move(root);
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) g = g.open_group(parts[i]);
    return g.open_dataset(parts.back());
}

H5Node open_object_at(H5Node root, const std::string& path) {
    const std::vector<std::string> parts = split_path(path);
    H5Node g = std::move(root);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i + 1 == parts.size() && !g.has_group(parts[i])) return g.open_dataset(parts[i]);
        g = g.open_group(parts[i]);
    }
    return g;
}

} // namespace

std::vector<std::uint64_t> Hdf5Reader::dims(const std::string& dataset_path) const {
    H5Quiet quiet;
    const std::vector<hsize_t> d = open_dataset_at(impl_->fresh_root(), dataset_path).dims();
    return {d.begin(), d.end()};
}

std::vector<double> Hdf5Reader::read_doubles(const std::string& dataset_path) const {
    H5Quiet quiet;
    return open_dataset_at(impl_->fresh_root(), dataset_path).read_all<double>();
}

std::string Hdf5Reader::attr_string(const std::string& path, const std::string& attr) const {
    H5Quiet quiet;
    try {
        H5Node n = open_object_at(impl_->fresh_root(), path);
        return n.has_attr(attr) ? n.read_attr_string(attr) : std::string();
    } catch (const Hdf5Error&) {
        return {}; // absent or not a string: the caller shows no unit rather than failing
    }
}

} // namespace apical::io
