#include "io/export_nwb.hpp"

#include "io/h5_error.hpp"
#include "io/h5_node.hpp"
#include "io/hdf5_reader.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <random>
#include <stdexcept>

namespace apical::io {

namespace fs = std::filesystem;

namespace {

// NWB requires an `object_id` (a UUID) on every typed object; version 4 (random) is what
// pynwb generates too.
std::string uuid4(std::mt19937_64& rng) {
    const std::uint64_t a = rng(), b = rng();
    unsigned char x[16];
    for (int i = 0; i < 8; ++i) {
        x[i] = static_cast<unsigned char>(a >> (8 * i));
        x[8 + i] = static_cast<unsigned char>(b >> (8 * i));
    }
    x[6] = static_cast<unsigned char>((x[6] & 0x0F) | 0x40); // version 4
    x[8] = static_cast<unsigned char>((x[8] & 0x3F) | 0x80); // RFC 4122 variant
    char s[37];
    std::snprintf(s, sizeof s, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", x[0], x[1], x[2],
                  x[3], x[4], x[5], x[6], x[7], x[8], x[9], x[10], x[11], x[12], x[13], x[14], x[15]);
    return s;
}

// ISO 8601 with an explicit UTC offset: NWB's isodatetime must carry a time zone.
std::string iso_now_utc() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
    return buf;
}

std::string ms(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

// The table building blocks (VectorData, VectorIndex, ElementIdentifiers) belong to the
// hdmf-common namespace that NWB includes; NWBFile and Units are NWB's own ("core").
void typed(const H5Node& n, const std::string& type, std::mt19937_64& rng) {
    const bool hdmf = type == "VectorData" || type == "VectorIndex" || type == "ElementIdentifiers";
    n.write_attr("namespace", std::string(hdmf ? "hdmf-common" : "core"));
    n.write_attr("neurodata_type", type);
    n.write_attr("object_id", uuid4(rng));
}

// The columns of the NWB Units table, one row per cell.
struct UnitsTable {
    std::vector<std::int64_t> ids;
    std::vector<std::uint64_t> node_ids, index; // index: cumulative end offsets into spike_times
    std::vector<std::string> population;
    std::vector<double> spike_times; // s
};

void write_contents(hid_t file, const std::string& tmp, const std::string& h5_path, const ResultMeta& m,
                    const UnitsTable& t) {
    const auto& [ids, node_ids, index, population, spike_times] = t;
    H5Node root(H5Id(h5_check(H5Gopen2(file, "/", H5P_DEFAULT), tmp, "/", "open group")), tmp, "/");
    // Object ids are random by NWB's design; seeding from the clock and the device keeps
    // two exports of one run distinct files, as DANDI expects.
    std::mt19937_64 rng(std::random_device{}() ^
                        static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
    root.write_attr("nwb_version", std::string("2.5.0"));
    typed(root, "NWBFile", rng);

    const std::string now = iso_now_utc();
    root.create_text_dataset("identifier", {uuid4(rng)}, true);
    root.create_text_dataset("session_description",
                             {"Apical simulation '" + m.name + "' (seed " + std::to_string(m.seed) + ", " +
                              ms(m.t_reached) + " of " + ms(m.t_stop) + " ms simulated), exported from " +
                              fs::path(h5_path).filename().string()},
                             true);
    // A simulation has no wall-clock session: t = 0 of the run is the export time.
    root.create_text_dataset("session_start_time", {now}, true);
    root.create_text_dataset("timestamps_reference_time", {now}, true);
    root.create_text_dataset("file_create_date", {now}, false);
    for (const char* g : {"acquisition", "analysis", "processing", "general", "stimulus"}) root.create_group(g);
    H5Node stim = root.open_group("stimulus");
    stim.create_group("presentation");
    stim.create_group("templates");
    H5Node general = root.open_group("general");
    general.create_text_dataset("source_script", {"apical " + m.apical_version}, true)
        .write_attr("file_name", std::string("apical"));

    H5Node units = root.create_group("units");
    typed(units, "Units", rng);
    units.write_attr("colnames", std::vector<std::string>{"spike_times", "population", "node_id"});
    units.write_attr("description", std::string("Simulated cells: one unit per cell of every population whose "
                                                "spikes were recorded"));
    H5Node id = units.create_dataset<std::int64_t>("id", ids);
    typed(id, "ElementIdentifiers", rng);
    H5Node st = units.create_dataset<double>("spike_times", spike_times);
    typed(st, "VectorData", rng);
    st.write_attr("description", std::string("spike times of each unit, in seconds"));
    H5Node sti = units.create_dataset<std::uint64_t>("spike_times_index", index);
    typed(sti, "VectorIndex", rng);
    sti.write_attr("description", std::string("end offset of each unit's spikes in spike_times"));
    // `target`: an object reference to the column this index slices (hdmf VectorIndex).
    {
        hobj_ref_t ref{};
        sti.check(H5Rcreate(&ref, file, "/units/spike_times", H5R_OBJECT, -1), "create reference");
        H5Id space(sti.check(H5Screate(H5S_SCALAR), "write attribute target"));
        H5Id a(sti.check(H5Acreate2(sti.id(), "target", H5T_STD_REF_OBJ, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                         "write attribute target"));
        sti.check(H5Awrite(a.get(), H5T_STD_REF_OBJ, &ref), "write attribute target");
    }
    H5Node pop = units.create_text_dataset("population", population, false);
    typed(pop, "VectorData", rng);
    pop.write_attr("description", std::string("Apical population of the unit"));
    H5Node nid = units.create_dataset<std::uint64_t>("node_id", node_ids);
    typed(nid, "VectorData", rng);
    nid.write_attr("description", std::string("cell index within its population (SONATA node_id)"));
}

} // namespace

void export_nwb(const std::string& h5_path, const std::string& nwb_path, bool force) {
    const Hdf5Reader r(h5_path);
    std::error_code ec;
    // --force must never turn a typo into the loss of the results being exported.
    if (fs::exists(nwb_path, ec) && fs::equivalent(h5_path, nwb_path, ec))
        throw std::runtime_error(nwb_path + ": is the input file");
    // (--force replaces a file; a directory would be found only when the finished file cannot
    // be renamed onto it.)
    if (fs::is_directory(nwb_path, ec))
        throw std::runtime_error(nwb_path + ": is a directory; the NWB export writes one file (choose it with -o)");
    if (fs::exists(nwb_path, ec) && !force) throw std::runtime_error(nwb_path + ": exists (use --force to overwrite)");
    const ResultMeta& m = r.meta();

    // Units table columns, one row per cell: the spikes of each population regrouped by
    // cell (counting sort keeps each cell's spikes in time order) and converted to s.
    UnitsTable t;
    auto& [ids, node_ids, index, population, spike_times] = t;
    for (const std::string& pop : r.spike_populations()) {
        const std::uint64_t cells = r.population_size(pop);
        const SpikeData s = r.spikes(pop);
        std::vector<std::uint64_t> start(cells + 1, 0);
        for (std::uint64_t id : s.node_ids) {
            if (id >= cells)
                throw Hdf5Error(h5_path, "/spikes/" + pop + "/node_ids", "export nwb",
                                "node id " + std::to_string(id) + " >= n_nodes " + std::to_string(cells));
            ++start[id + 1];
        }
        for (std::uint64_t c = 0; c < cells; ++c) start[c + 1] += start[c];
        const std::size_t base = spike_times.size();
        spike_times.resize(base + s.times.size());
        std::vector<std::uint64_t> fill(start.begin(), start.end() - 1);
        for (std::size_t i = 0; i < s.times.size(); ++i)
            spike_times[base + fill[s.node_ids[i]]++] = s.times[i] / 1000.0; // correctly rounded ms -> s
        // Files Apical writes are sorted by time; a foreign one may not be, and NWB readers
        // expect each unit's spikes in order.
        if (r.spike_sorting(pop) != "by_time")
            for (std::uint64_t c = 0; c < cells; ++c)
                std::sort(spike_times.begin() + static_cast<std::ptrdiff_t>(base + start[c]),
                          spike_times.begin() + static_cast<std::ptrdiff_t>(base + start[c + 1]));
        for (std::uint64_t c = 0; c < cells; ++c) {
            ids.push_back(static_cast<std::int64_t>(ids.size()));
            node_ids.push_back(c);
            population.push_back(pop);
            index.push_back(base + start[c + 1]);
        }
    }

    H5Quiet quiet;
    const std::string tmp = nwb_path + ".partial";
    {
        H5Id file(h5_check(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), tmp, "", "create file"));
        try {
            // write_contents closes every object it opened, so H5Fclose really closes
            // (and flushes) the file here and its status can be checked.
            write_contents(file.get(), tmp, h5_path, m, t);
            h5_check(H5Fclose(file.release()), tmp, "", "close file");
        } catch (...) {
            file.reset();
            fs::remove(tmp, ec);
            throw;
        }
    }
    fs::rename(tmp, nwb_path, ec);
    if (ec) throw std::runtime_error(nwb_path + ": cannot rename from " + tmp + ": " + ec.message());
}

} // namespace apical::io
