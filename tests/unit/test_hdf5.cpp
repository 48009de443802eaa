#include "io/h5_error.hpp"
#include "io/hdf5_reader.hpp"
#include "io/hdf5_writer.hpp"
#include "io/inspect.hpp"

#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <hdf5.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <vector>

using namespace apical;
using namespace apical::io;
namespace fs = std::filesystem;

namespace {

OutputMeta sample_meta() {
    OutputMeta m;
    m.apical_version = "0.1.0-test";
    m.name = "unit";
    m.scenario_yaml = "name: unit\nsimulation: {duration: 30 ms}\n";
    m.seed = 42;
    m.threads = 3;
    m.t_stop = 30.0;
    m.population_names = {"exc", "inh", "silent"};
    m.population_sizes = {4, 2, 3};
    m.record_spikes = {true, true, false};
    ProbeLayout p;
    p.name = "v";
    p.population = 0;
    p.cells = {1, 3};
    p.variables = {"v", "I"};
    p.units = {"mV", "pA"};
    p.start = 0.0;
    p.interval = 0.5;
    m.probes = {p};
    m.rate_populations = {0, 1};
    m.rate_bin = 10.0;
    return m;
}

template <class T> std::span<const T> sp(const std::vector<T>& v) { return v; }

// Three epochs of known spikes and samples; the run ends at 25 ms, inside the third
// 10 ms rate bin.
void write_sample_run(Hdf5Writer& w) {
    const std::vector<double> none_t;
    const std::vector<std::uint64_t> none_i;
    w.spikes(0, sp<double>({1.0, 2.5, 2.5}), sp<std::uint64_t>({0, 1, 3}));
    w.spikes(1, none_t, none_i);
    w.spikes(2, sp<double>({5.0}), sp<std::uint64_t>({0})); // not recorded: ignored
    w.samples(0, sp<float>({1, 2, 3, 4, 5, 6, 7, 8}), 2);
    w.reached(10.0);
    w.spikes(0, sp<double>({12.0}), sp<std::uint64_t>({2}));
    w.spikes(1, sp<double>({15.0, 19.99}), sp<std::uint64_t>({1, 0}));
    w.spikes(2, none_t, none_i);
    w.samples(0, sp<float>({-1.5f, 0.25f, 1e-3f, 65.f}), 1);
    w.reached(20.0);
    w.flush();
    w.spikes(0, sp<double>({24.0, 24.5}), sp<std::uint64_t>({0, 0}));
    w.spikes(1, none_t, none_i);
    w.spikes(2, none_t, none_i);
    w.reached(25.0);
}

// Captures what is written to file descriptor 2 (where HDF5 prints its error stack)
// while `f` runs.
template <class F> std::string capture_stderr(F&& f) {
    std::fflush(stderr);
    char name[] = "/tmp/apical_stderr_XXXXXX";
    const int fd = ::mkstemp(name);
    const int saved = ::dup(2);
    ::dup2(fd, 2);
    try {
        f();
    } catch (...) {
        std::fflush(stderr);
        ::dup2(saved, 2);
        ::close(saved);
        ::close(fd);
        std::remove(name);
        throw;
    }
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
    ::close(fd);
    std::ifstream in(name);
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::remove(name);
    return s;
}

} // namespace

TEST_CASE("Hdf5Writer output reads back exactly", "[hdf5]") {
    TempDir tmp("roundtrip");
    const std::string path = tmp.file("out.h5");
    {
        Hdf5Writer w(path, sample_meta());
        write_sample_run(w);
        w.finish(true, 25.0, 1.5);
    }
    Hdf5Reader r(path);
    const ResultMeta& m = r.meta();
    CHECK(m.format_version == std::array<std::uint32_t, 2>{0, 1});
    CHECK(m.apical_version == "0.1.0-test");
    CHECK(m.name == "unit");
    CHECK(m.scenario == "name: unit\nsimulation: {duration: 30 ms}\n");
    CHECK(m.seed == 42);
    CHECK(m.threads == 3);
    CHECK(m.t_stop == 30.0);
    CHECK(m.t_reached == 25.0);
    CHECK(m.completed);
    CHECK(m.wall_seconds == 1.5);
    CHECK(m.populations == std::vector<std::string>{"exc", "inh", "silent"});
    CHECK(m.population_sizes == std::vector<std::uint64_t>{4, 2, 3});

    CHECK(r.spike_populations() == std::vector<std::string>{"exc", "inh"});
    CHECK(r.population_size("exc") == 4);
    CHECK(r.population_size("inh") == 2);
    CHECK(r.spike_sorting("exc") == "by_time");
    SpikeData exc = r.spikes("exc");
    CHECK(exc.times == std::vector<double>{1.0, 2.5, 2.5, 12.0, 24.0, 24.5});
    CHECK(exc.node_ids == std::vector<std::uint64_t>{0, 1, 3, 2, 0, 0});
    SpikeData inh = r.spikes("inh");
    CHECK(inh.times == std::vector<double>{15.0, 19.99});
    CHECK(inh.node_ids == std::vector<std::uint64_t>{1, 0});
    CHECK(r.spike_count("exc") == 6);

    REQUIRE(r.report_names() == std::vector<std::string>{"v"});
    REQUIRE(r.report_populations("v") == std::vector<std::string>{"exc"});
    ReportData rep = r.report("v", "exc");
    CHECK(rep.n_times == 3);
    CHECK(rep.n_elements == 4);
    CHECK(rep.data == std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, -1.5f, 0.25f, 1e-3f, 65.f});
    CHECK(rep.node_ids == std::vector<std::uint64_t>{1, 3});
    CHECK(rep.index_pointers == std::vector<std::uint64_t>{0, 2, 4});
    CHECK(rep.element_ids == std::vector<std::uint32_t>{0, 1, 0, 1});
    CHECK(rep.start == 0.0);
    CHECK(rep.stop == 1.5);
    CHECK(rep.step == 0.5);
    CHECK(rep.units == "mixed");
    CHECK(rep.variables == std::vector<std::string>{"v", "I"});
    CHECK(rep.variable_units == std::vector<std::string>{"mV", "pA"});
    // The first cell only: its two leading columns of each row.
    ReportData one = r.report("v", "exc", 1);
    CHECK(one.n_times == 3);
    CHECK(one.n_elements == 2);
    CHECK(one.data == std::vector<float>{1, 2, 5, 6, -1.5f, 0.25f});
    CHECK(one.node_ids == std::vector<std::uint64_t>{1});
    CHECK(one.index_pointers == std::vector<std::uint64_t>{0, 2});
    CHECK(one.element_ids == std::vector<std::uint32_t>{0, 1});
    CHECK(r.report("v", "exc", 5).data == rep.data);

    // Generic access by path (record types without a struct).
    CHECK(r.kind("rates/exc/rate") == Hdf5Reader::Kind::dataset);
    CHECK(r.kind("rates/exc") == Hdf5Reader::Kind::group);
    CHECK(r.kind("rates/nosuch/rate") == Hdf5Reader::Kind::none);
    CHECK(r.kind("htm") == Hdf5Reader::Kind::none);
    CHECK(r.children("rates") == std::vector<std::string>{"exc", "inh"});
    CHECK(r.dims("report/v/exc/data") == std::vector<std::uint64_t>{3, 4});
    CHECK(r.read_doubles("spikes/exc/node_ids") == std::vector<double>{0, 1, 3, 2, 0, 0});
    CHECK(r.attr_string("rates/exc/rate", "units") == "Hz");
    CHECK(r.attr_string("rates/exc/rate", "nosuch").empty());

    // Bins [0,10) and [10,20) are complete; [20,30) is cut at 25 ms and not written.
    CHECK(r.rate_populations() == std::vector<std::string>{"exc", "inh"});
    RateData re = r.rates("exc");
    CHECK(re.rate == std::vector<double>{3.0 / (4 * 0.01), 1.0 / (4 * 0.01)});
    CHECK(re.start == 0.0);
    CHECK(re.stop == 20.0);
    CHECK(re.step == 10.0);
    RateData ri = r.rates("inh");
    CHECK(ri.rate == std::vector<double>{0.0, 2.0 / (2 * 0.01)});
}

TEST_CASE("Hdf5Writer writes <path>.partial and renames it at finish", "[hdf5]") {
    TempDir tmp("partial");
    const std::string path = tmp.file("run.h5");
    Hdf5Writer w(path, sample_meta());
    CHECK(w.partial_path() == path + ".partial");
    CHECK(fs::exists(path + ".partial"));
    CHECK_FALSE(fs::exists(path));
    CHECK_FALSE(output_exists(path));
    write_sample_run(w);
    w.flush();
    {
        // A run in progress is readable up to its last flush, and says it is not done.
        Hdf5Reader r(path + ".partial");
        CHECK_FALSE(r.meta().completed);
        CHECK(r.meta().t_reached == 25.0);
        CHECK(r.spikes("exc").times.size() == 6);
    }
    w.finish(true, 25.0, 0.5);
    CHECK(fs::exists(path));
    CHECK(output_exists(path));
    CHECK_FALSE(fs::exists(path + ".partial"));
    CHECK_THROWS_AS(w.flush(), std::logic_error);
}

TEST_CASE("EarlyFile: created beside the output, taken over by the writer, removed if not", "[hdf5]") {
    TempDir tmp("early");
    const std::string path = tmp.file("run.h5");
    const std::string own = path + ".partial-" + std::to_string(::getpid());
    // A killed run's .partial file, which must survive until a writer takes a new file over.
    const std::string old_partial = tmp.write("run.h5.partial", "results of a killed run");
    auto files = [&] {
        std::vector<std::string> v;
        for (auto& e : fs::directory_iterator(tmp.dir)) v.push_back(e.path().filename().string());
        std::sort(v.begin(), v.end());
        return v;
    };

    SECTION("not taken: closed and removed") {
        {
            EarlyFile early(path);
            CHECK(early.name() == own);
            CHECK(fs::exists(own));
        }
        CHECK(files() == std::vector<std::string>{"run.h5.partial"});
    }
    SECTION("made on another thread, taken over by a writer that finishes") {
        auto f = std::async(std::launch::async, [&] { return EarlyFile(path); });
        EarlyFile early = f.get();
        auto inode = [](const std::string& p) {
            struct stat st {};
            REQUIRE(::stat(p.c_str(), &st) == 0);
            return st.st_ino;
        };
        const auto made = inode(own);
        Hdf5Writer w(path, sample_meta(), std::move(early));
        CHECK(files() == std::vector<std::string>{"run.h5.partial"});
        CHECK(inode(path + ".partial") == made); // the early file, renamed (not a new one)
        CHECK(w.partial_path() == path + ".partial");
        write_sample_run(w);
        w.finish(true, 25.0, 0.5);
        CHECK(files() == std::vector<std::string>{"run.h5"});
        Hdf5Reader r(path);
        CHECK(r.meta().completed);
        CHECK(r.spikes("exc").node_ids == std::vector<std::uint64_t>{0, 1, 3, 2, 0, 0});
    }
    SECTION("a writer that refuses its metadata removes the early file, not the old .partial") {
        OutputMeta bad = sample_meta();
        bad.rate_bin = 0.0;
        CHECK_THROWS_AS(Hdf5Writer(path, bad, EarlyFile(path)), std::invalid_argument);
        CHECK(files() == std::vector<std::string>{"run.h5.partial"});
        std::ifstream in(old_partial);
        std::string text;
        std::getline(in, text);
        CHECK(text == "results of a killed run");
    }
}

TEST_CASE("Hdf5Writer destroyed without finish leaves a readable .partial file", "[hdf5]") {
    TempDir tmp("crash");
    const std::string path = tmp.file("run.h5");
    {
        Hdf5Writer w(path, sample_meta());
        write_sample_run(w);
    }
    CHECK_FALSE(fs::exists(path));
    REQUIRE(fs::exists(path + ".partial"));
    Hdf5Reader r(path + ".partial");
    CHECK_FALSE(r.meta().completed);
    CHECK(r.meta().t_reached == 25.0);
    CHECK(r.spikes("exc").node_ids == std::vector<std::uint64_t>{0, 1, 3, 2, 0, 0});
}

TEST_CASE("Hdf5Writer flushes by itself from reached()", "[hdf5]") {
    TempDir tmp("autoflush");
    const std::string path = tmp.file("run.h5");
    Hdf5Writer w(path, sample_meta());
    w.set_flush_interval(1e-12); // every reached() call
    w.spikes(0, sp<double>({1.0, 2.0}), sp<std::uint64_t>({0, 1}));
    w.reached(10.0);
    Hdf5Reader r(w.partial_path());
    CHECK(r.meta().t_reached == 10.0);
    CHECK(r.spikes("exc").times == std::vector<double>{1.0, 2.0});
    CHECK(r.rates("exc").rate == std::vector<double>{2.0 / (4 * 0.01)});
}

TEST_CASE("finish(false) records completed = 0", "[hdf5]") {
    TempDir tmp("incomplete");
    const std::string path = tmp.file("run.h5");
    {
        Hdf5Writer w(path, sample_meta());
        write_sample_run(w);
        w.finish(false, 25.0, 2.0);
    }
    Hdf5Reader r(path);
    CHECK_FALSE(r.meta().completed);
    CHECK(r.meta().t_reached == 25.0);
    CHECK(r.meta().wall_seconds == 2.0);
}

TEST_CASE("Hdf5Writer streams more spikes than its buffer holds", "[hdf5]") {
    TempDir tmp("stream");
    const std::string path = tmp.file("big.h5");
    OutputMeta m = sample_meta();
    m.probes.clear();
    std::vector<double> all_t;
    std::vector<std::uint64_t> all_i;
    {
        Hdf5Writer w(path, m);
        std::size_t k = 0;
        for (int epoch = 0; epoch < 7; ++epoch) {
            std::vector<double> t;
            std::vector<std::uint64_t> id;
            for (int i = 0; i < 30001; ++i, ++k) {
                t.push_back(static_cast<double>(k) * 1e-4);
                id.push_back(k % 4);
            }
            w.spikes(0, t, id);
            all_t.insert(all_t.end(), t.begin(), t.end());
            all_i.insert(all_i.end(), id.begin(), id.end());
        }
        w.finish(true, 30.0, 0.0);
    }
    Hdf5Reader r(path);
    SpikeData d = r.spikes("exc");
    CHECK(d.times == all_t);
    CHECK(d.node_ids == all_i);
    std::size_t seen = 0;
    r.for_each_spike_block("exc", 50000, [&](std::span<const double> t, std::span<const std::uint64_t>) {
        CHECK(t[0] == all_t[seen]);
        seen += t.size();
    });
    CHECK(seen == all_t.size());
}

TEST_CASE("Hdf5Writer rejects bad input with clear errors", "[hdf5]") {
    TempDir tmp("bad");
    OutputMeta m = sample_meta();
    m.population_names[1] = "a/b";
    CHECK_THROWS_AS(Hdf5Writer(tmp.file("x.h5"), m), std::invalid_argument);
    m = sample_meta();
    m.rate_bin = 0.0;
    CHECK_THROWS_AS(Hdf5Writer(tmp.file("x.h5"), m), std::invalid_argument);

    Hdf5Writer w(tmp.file("y.h5"), sample_meta());
    CHECK_THROWS_AS(w.spikes(0, sp<double>({2.0, 1.0}), sp<std::uint64_t>({0, 0})), std::logic_error);
    CHECK_THROWS_AS(w.spikes(0, sp<double>({1.0}), sp<std::uint64_t>({4})), std::logic_error);
    CHECK_THROWS_AS(w.samples(0, sp<float>({1, 2, 3}), 1), std::logic_error);
    CHECK_THROWS_AS(w.spikes(7, {}, {}), std::out_of_range);

    // A directory that does not exist: an Hdf5Error naming the file, and HDF5 silent.
    std::string msg;
    const std::string err = capture_stderr([&] {
        try {
            Hdf5Writer bad(tmp.file("no/such/dir/z.h5"), sample_meta());
        } catch (const Hdf5Error& e) {
            msg = e.what();
        }
    });
    CHECK(msg.find("z.h5.partial") != std::string::npos);
    CHECK(msg.find("cannot create file") != std::string::npos);
    CHECK(err.empty());
}

TEST_CASE("Hdf5Reader gives clean errors for files that are not Apical results", "[hdf5]") {
    TempDir tmp("notours");
    auto message = [](const std::string& path) {
        std::string msg;
        const std::string err = capture_stderr([&] {
            try {
                Hdf5Reader r(path);
            } catch (const Hdf5Error& e) {
                msg = e.what();
            }
        });
        CHECK(err.empty()); // no HDF5 error stack on stderr
        return msg;
    };

    const std::string text = tmp.file("notes.h5");
    std::ofstream(text) << "this is not HDF5\n";
    std::string msg = message(text);
    CHECK(msg.find(text) != std::string::npos);
    CHECK(msg.find("not an HDF5 file") != std::string::npos);

    msg = message(tmp.file("missing.h5"));
    CHECK(msg.find("no such file") != std::string::npos);

    // A valid HDF5 file that is not ours.
    const std::string plain = tmp.file("plain.h5");
    H5Fclose(H5Fcreate(plain.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    msg = message(plain);
    CHECK(msg.find(plain) != std::string::npos);
    CHECK(msg.find("magic") != std::string::npos);

    // A damaged one: a real result file cut short.
    const std::string cut = tmp.file("cut.h5");
    {
        Hdf5Writer w(cut, sample_meta());
        write_sample_run(w);
        w.finish(true, 25.0, 0.0);
    }
    fs::resize_file(cut, 600);
    msg = message(cut);
    CHECK(msg.find(cut) != std::string::npos);
    CHECK(msg.find("cannot open result file") != std::string::npos);
}

TEST_CASE("inspect summarises populations", "[hdf5]") {
    TempDir tmp("inspect");
    const std::string path = tmp.file("out.h5");
    {
        Hdf5Writer w(path, sample_meta());
        write_sample_run(w);
        w.finish(true, 25.0, 1.5);
    }
    InspectResult r = inspect(path);
    REQUIRE(r.populations.size() == 3);
    const PopulationSummary& exc = r.populations[0];
    CHECK(exc.name == "exc");
    CHECK(exc.recorded);
    CHECK(exc.cells == 4);
    CHECK(exc.spikes == 6);
    CHECK(exc.mean_rate_hz == Approx(6.0 / 4 / 0.025));
    // Only cell 0 has 2 ISIs (23 and 0.5 ms): mean 11.75, sd 11.25.
    CHECK(exc.cells_with_cv == 1);
    CHECK(exc.cv_isi == Approx(11.25 / 11.75));
    const PopulationSummary& inh = r.populations[1];
    CHECK(inh.spikes == 2);
    CHECK(inh.mean_rate_hz == Approx(2.0 / 2 / 0.025));
    CHECK(std::isnan(inh.cv_isi));
    CHECK_FALSE(r.populations[2].recorded);
    CHECK(r.populations[2].cells == 3);

    const std::string json = to_json(r);
    CHECK(json.find("\"completed\": true") != std::string::npos);
    CHECK(json.find("\"name\": \"inh\", \"cells\": 2, \"recorded\": true, \"spikes\": 2") != std::string::npos);
    CHECK(json.find("\"cv_isi\": null") != std::string::npos);
    CHECK(json.find("\"spikes\": null") != std::string::npos);
    const std::string table = format_table(r);
    CHECK(table.find("not recorded") != std::string::npos);
    CHECK(table.find("exc") != std::string::npos);
    CHECK(table.find("60.000") != std::string::npos);
}

// A killed writer's file must open in h5py/HDF5 without `h5clear`: the 1.10 superblock (v3)
// carries an "open for writing" flag that stays set when the writer dies, so the file uses
// the 1.8 superblock (v2), while its appendable datasets keep the 1.10 extensible-array
// chunk index (memory of long runs does not grow with simulated time).
TEST_CASE("Hdf5Writer files: 1.8 superblock, 1.10 chunk indexes", "[hdf5]") {
    TempDir tmp("format");
    const std::string path = tmp.file("run.h5");
    {
        Hdf5Writer w(path, sample_meta());
        write_sample_run(w);
        w.flush();
        // While the writer still has it open, as after a kill -9: the superblock on disk.
        std::ifstream in(path + ".partial", std::ios::binary);
        char sb[9] = {};
        in.read(sb, 9);
        CHECK(static_cast<int>(sb[8]) == 2); // superblock version
        w.finish(true, 25.0, 0.5);
    }
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(f >= 0);
    const hid_t d = H5Dopen2(f, "/spikes/exc/timestamps", H5P_DEFAULT);
    REQUIRE(d >= 0);
    H5D_chunk_index_t idx{};
    REQUIRE(H5Dget_chunk_index_type(d, &idx) >= 0);
    CHECK(idx == H5D_CHUNK_IDX_EARRAY);
    H5Dclose(d);
    H5Fclose(f);
}

TEST_CASE("cannot_create_beside names why an output cannot be written", "[hdf5]") {
    TempDir tmp("beside");
    CHECK(cannot_create_beside(tmp.file("ok.h5")).empty());
    CHECK(fs::is_empty(tmp.dir)); // the probe file is removed
    CHECK_FALSE(cannot_create_beside(tmp.file("missing/dir/out.h5")).empty());
    const std::string plain = tmp.write("plain", "x");
    CHECK(cannot_create_beside(plain + "/out.h5") == std::string("Not a directory"));
    CHECK_FALSE(cannot_create_beside("/proc/apical_out.h5").empty()); // even for root
}
