#include "io/hdf5_writer.hpp"

#include "io/h5_burst_stream.hpp"
#include "io/h5_error.hpp"
#include "io/h5_node.hpp"
#include "io/h5_rate_stream.hpp"
#include "io/h5_record_stream.hpp"
#include "io/h5_report_stream.hpp"
#include "io/h5_spike_stream.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <set>
#include <stdexcept>

namespace apical::io {

namespace {

// Spikes are buffered this many at a time per population (32 KiB of times + 32 KiB of ids;
// the same for bursts and records), and probe samples in blocks of about this many bytes per
// probe. A write costs HDF5 about 50 000 instructions whatever its size, so 4096 rows keep
// it near 10 instructions per spike while the buffers of a busy population stay small
// (CUBA, 2 populations: 0.25 MiB instead of 1 MiB at 16384 rows, same speed).
constexpr std::size_t spike_buffer = 1 << 12;
constexpr std::size_t report_buffer_bytes = 1 << 20;

// Names become HDF5 link names: "/" would create nesting and "." means "here".
void check_name(const std::string& what, const std::string& name) {
    if (name.empty() || name == "." || name.find('/') != std::string::npos)
        throw std::invalid_argument(what + " name '" + name + "' cannot be used in the output file " +
                                    "(it must be non-empty, not '.', and contain no '/')");
}

void validate(const OutputMeta& m) {
    const std::size_t n = m.population_names.size();
    if (m.population_sizes.size() != n)
        throw std::invalid_argument("output metadata: " + std::to_string(n) + " population names but " +
                                    std::to_string(m.population_sizes.size()) + " sizes");
    std::set<std::string> seen;
    for (const std::string& p : m.population_names) {
        check_name("population", p);
        if (!seen.insert(p).second)
            throw std::invalid_argument("output metadata: population '" + p + "' appears twice");
    }
    std::set<std::pair<std::string, std::uint32_t>> probes;
    for (const ProbeLayout& p : m.probes) {
        check_name("probe", p.name);
        if (p.population >= n) throw std::invalid_argument("probe '" + p.name + "': population index out of range");
        if (p.cells.empty() || p.variables.empty())
            throw std::invalid_argument("probe '" + p.name + "' records no cells or no variables");
        if (p.units.size() != p.variables.size())
            throw std::invalid_argument("probe '" + p.name + "': one unit per variable is required");
        if (!(p.interval > 0.0))
            throw std::invalid_argument("probe '" + p.name + "': sampling interval must be > 0 ms");
        for (std::uint32_t c : p.cells)
            if (c >= m.population_sizes[p.population])
                throw std::invalid_argument("probe '" + p.name + "': cell " + std::to_string(c) + " out of range");
        if (!probes.insert({p.name, p.population}).second)
            throw std::invalid_argument("two probes named '" + p.name + "' record population '" +
                                        m.population_names[p.population] + "'");
    }
    std::set<std::uint32_t> rate_pops;
    for (std::uint32_t p : m.rate_populations) {
        if (p >= n) throw std::invalid_argument("rate recording: population index out of range");
        if (!rate_pops.insert(p).second)
            throw std::invalid_argument("rate recording: population '" + m.population_names[p] + "' listed twice");
    }
    if (!m.rate_populations.empty() && !(m.rate_bin > 0.0))
        throw std::invalid_argument("rate recording: bin width must be > 0 ms");
}

} // namespace

std::string partial_path_for(const std::string& path) { return path + ".partial"; }

std::string cannot_create_beside(const std::string& path) {
    // A directory there would be found only at the end, when the finished .partial cannot be
    // renamed onto it (--force removes files, not directories).
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return "it is a directory";
    // A probe file of our own (never the output or its .partial, which may hold a killed
    // run's results), created exclusively and removed at once.
    const std::string probe = path + ".probe-" + std::to_string(::getpid());
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return std::strerror(errno);
    ::close(fd);
    ::unlink(probe.c_str());
    return "";
}

bool output_exists(const std::string& path) {
    std::error_code ec;
    // symlink_status: a dangling link is still something we would overwrite.
    return std::filesystem::exists(std::filesystem::symlink_status(path, ec));
}

// Everything that holds an HDF5 id, so that finish() can close it all before closing
// the file (HDF5 keeps a file open while any object in it is open).
struct Objects {
    H5Node root, apical;
    std::vector<std::unique_ptr<SpikeStream>> spikes;                // per population; null: not recorded
    std::vector<std::unique_ptr<RateStream>> rates;                  // per population; null: no rate
    std::vector<ReportStream> reports;                               // per probe
    std::vector<std::vector<std::unique_ptr<RecordStream>>> records; // per population, per record
    std::vector<std::unique_ptr<BurstStream>> bursts;                // per population; null: not recorded
    std::vector<std::unique_ptr<WeightStream>> weights;              // per weight probe
    H5Node weights_group;                                            // /weights, opened on first use
};

struct Hdf5Writer::Impl {
    std::string path, partial;
    OutputMeta meta;
    H5Id file;
    std::unique_ptr<Objects> obj;
    double t_reached = 0.0;
    bool finished = false;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point last_flush = started;
    double flush_interval = 10.0; // s of wall time
    // A write failed (disk full, file too large, I/O error). HDF5's state may then disagree
    // with the disk; its later writes (a flush, the close) would overwrite the superblock the
    // last successful flush left, making the whole file unreadable ("truncated file"), and a
    // failed close crashes the library at exit. So the file is detached from the disk: the
    // descriptor is pointed at /dev/null, HDF5 closes normally, and the .partial file keeps
    // what reached the disk before the failure.
    bool broken = false;
    double flushed_t = 0.0; // t_reached at the last successful flush

    void detach() {
        if (broken || !file.valid()) return;
        broken = true;
        void* handle = nullptr;
        if (H5Fget_vfd_handle(file.get(), H5P_DEFAULT, &handle) >= 0 && handle) {
            // A memory file in its place: HDF5 can still write, read back what it wrote and
            // truncate (its close does all three), and the disk is left alone. The close
            // writes only metadata, so this holds a few MiB at most, and goes with the file.
            const int fd = *static_cast<int*>(handle);
            const int mem = ::memfd_create("apical-detached-output", MFD_CLOEXEC);
            struct stat st {};
            if (mem >= 0) {
                if (::fstat(fd, &st) == 0) (void)!::ftruncate(mem, st.st_size);
                ::dup2(mem, fd);
                ::close(mem);
            }
        }
        H5Eclear2(H5E_DEFAULT);
    }

    // Every H5Fflush of the writer goes through here. The file on disk is first grown to
    // HDF5's end of allocation, so that a full disk or a file size limit fails before anything
    // of the flush is written. Met inside H5Fflush, it would leave the superblock (at offset 0,
    // written first) naming an end the file does not reach: the whole file unreadable
    // ("truncated file"), where the last flush's state should survive.
    void flush_file() {
        hsize_t end = 0;
        h5_check(H5Fget_filesize(file.get(), &end), partial, "", "reserve space");
        void* handle = nullptr;
        h5_check(H5Fget_vfd_handle(file.get(), H5P_DEFAULT, &handle), partial, "", "reserve space");
        const int fd = *static_cast<int*>(handle);
        struct stat st {};
        if (::fstat(fd, &st) != 0) throw Hdf5Error(partial, "", "reserve space", std::strerror(errno));
        if (static_cast<hsize_t>(st.st_size) < end) {
            const int err = ::posix_fallocate(fd, st.st_size, static_cast<off_t>(end) - st.st_size);
            if (err != 0) throw Hdf5Error(partial, "", "reserve space", std::strerror(err));
        }
        h5_check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), partial, "", "flush file");
    }

    // Runs a write; when HDF5 fails, detaches the file and rethrows (a caller's mistake, such
    // as spikes out of order, is refused before anything is written and breaks nothing).
    // After a failure, refuses.
    template <class F> void guarded(F&& f) {
        if (broken)
            throw Hdf5Error(partial, "", "write",
                            "an earlier write failed; the results up to t = " + std::to_string(flushed_t) +
                                " ms are in the file");
        try {
            f();
        } catch (const Hdf5Error&) {
            detach();
            throw;
        }
    }

    void flush_data() {
        for (auto& s : obj->spikes)
            if (s) s->flush();
        for (auto& r : obj->rates)
            if (r) r->flush();
        for (auto& r : obj->reports) r.flush();
        for (auto& p : obj->records)
            for (auto& r : p) r->flush();
        for (auto& b : obj->bursts)
            if (b) b->flush();
        for (auto& x : obj->weights) x->flush();
    }

    void close() {
        obj.reset();
        if (!file.valid()) return;
        if (H5Fclose(file.get()) >= 0) {
            file.release();
            return;
        }
        // A failed close leaves HDF5's file half closed: asking again crashes the library, so
        // the id is let go (everything was flushed before; see finish()).
        const std::string detail = h5_error_detail();
        file.release();
        throw Hdf5Error(partial, "", "close file", detail);
    }
};

namespace {

// Creates (truncating) the result file `name`, in the formats and with the caches the writer
// needs.
H5Id create_file(const std::string& name) {
    H5Quiet quiet;
    // Memory must not grow with simulated time: with the 1.8 file format every appended chunk
    // adds a B-tree entry kept in the (adaptive, growing) metadata cache. The 1.10 format
    // indexes extendible datasets with extensible arrays, and the cache is capped.
    // HDF5 keeps freed blocks on internal free lists without bound by default; cap them
    // (a library-wide setting, harmless to set again).
    H5set_free_list_limits(1 << 20, 1 << 18, 1 << 20, 1 << 18, 1 << 20, 1 << 18);
    H5Id fapl(h5_check(H5Pcreate(H5P_FILE_ACCESS), name, "", "create file access list"));
    // The file is created with the 1.8 superblock, which has no "open for writing" flag:
    // with the 1.10 superblock a file whose writer was killed cannot be opened by h5py at
    // all until `h5clear -s`. The objects inside are then made in the 1.10 format.
    h5_check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST), name, "", "set format");
    H5AC_cache_config_t mdc;
    mdc.version = H5AC__CURR_CACHE_CONFIG_VERSION;
    h5_check(H5Pget_mdc_config(fapl.get(), &mdc), name, "", "read cache config");
    mdc.set_initial_size = true;
    mdc.initial_size = 1 << 20;
    mdc.max_size = 2 << 20;
    mdc.min_size = 1 << 20;
    h5_check(H5Pset_mdc_config(fapl.get(), &mdc), name, "", "set cache config");
    // No raw-data chunk cache: data is appended in whole buffers, never re-read, and the
    // default 1 MiB per dataset would be most of the writer's memory.
    h5_check(H5Pset_cache(fapl.get(), 0, 0, 0, 1.0), name, "", "set chunk cache");
    H5Id file(h5_check(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), name, "", "create file"));
    h5_check(H5Fset_libver_bounds(file.get(), H5F_LIBVER_V110, H5F_LIBVER_LATEST), name, "", "set format");
    return file;
}

} // namespace

struct EarlyFile::Impl {
    std::string name;
    H5Id file;
    ~Impl() {
        if (!file.valid()) return;
        file.reset();
        std::error_code ec;
        std::filesystem::remove(name, ec);
    }
};

EarlyFile::EarlyFile(const std::string& path) : impl_(std::make_unique<Impl>()) {
    impl_->name = partial_path_for(path) + "-" + std::to_string(::getpid());
    impl_->file = create_file(impl_->name);
}
EarlyFile::~EarlyFile() = default;
EarlyFile::EarlyFile(EarlyFile&&) noexcept = default;
EarlyFile& EarlyFile::operator=(EarlyFile&&) noexcept = default;
const std::string& EarlyFile::name() const { return impl_->name; }

Hdf5Writer::Hdf5Writer(std::string path, OutputMeta meta, std::optional<EarlyFile> early)
    : impl_(std::make_unique<Impl>()) {
    validate(meta);
    H5Quiet quiet;
    Impl& w = *impl_;
    w.path = std::move(path);
    w.partial = partial_path_for(w.path);
    w.meta = std::move(meta);
    const OutputMeta& m = w.meta;
    if (early && early->impl_ && early->impl_->file.valid()) {
        // Taken over under the name every writer uses (replacing a killed run's file only now).
        if (::rename(early->impl_->name.c_str(), w.partial.c_str()) != 0)
            throw Hdf5Error(w.partial, "", "rename " + early->impl_->name + " to it", std::strerror(errno));
        w.file = std::move(early->impl_->file);
    } else {
        w.file = create_file(w.partial);
    }
    try {
        w.obj = std::make_unique<Objects>();
        Objects& o = *w.obj;
        o.root = H5Node(H5Id(h5_check(H5Gopen2(w.file.get(), "/", H5P_DEFAULT), w.partial, "/", "open group")),
                        w.partial, "/");
        o.root.write_attr("magic", std::uint32_t{0x0A7A});
        const std::uint32_t version[2] = {0, 1};
        o.root.write_attr("version", std::span<const std::uint32_t>(version));

        // Every /apical attribute exists from the start, so a .partial file has the same
        // shape as a finished one; completed = 0 until finish() says otherwise.
        o.apical = o.root.create_group("apical");
        o.apical.write_attr("version", m.apical_version);
        o.apical.write_attr("scenario", m.scenario_yaml);
        o.apical.write_attr("name", m.name);
        o.apical.write_attr("seed", m.seed);
        o.apical.write_attr("threads", std::int32_t{m.threads});
        o.apical.write_attr("t_stop", m.t_stop);
        o.apical.write_attr("t_start", m.t_start);
        o.apical.write_attr("t_reached", 0.0);
        o.apical.write_attr("completed", std::int32_t{0});
        o.apical.write_attr("wall_seconds", 0.0);
        // Apical extension: every population, recorded or not, so `inspect` can list them.
        o.apical.write_attr("populations", m.population_names);
        o.apical.write_attr("population_sizes", std::span<const std::uint32_t>(m.population_sizes));

        const std::size_t n = m.population_names.size();
        o.spikes.resize(n);
        o.rates.resize(n);
        bool any_spikes = false;
        for (std::size_t p = 0; p < n && p < m.record_spikes.size(); ++p) any_spikes = any_spikes || m.record_spikes[p];
        if (any_spikes) {
            H5Node spikes = o.root.create_group("spikes");
            for (std::size_t p = 0; p < n && p < m.record_spikes.size(); ++p)
                if (m.record_spikes[p])
                    o.spikes[p] = std::make_unique<SpikeStream>(spikes, m.population_names[p], m.population_sizes[p],
                                                                spike_buffer);
        }
        if (!m.rate_populations.empty()) {
            H5Node rates = o.root.create_group("rates");
            for (std::uint32_t p : m.rate_populations)
                o.rates[p] = std::make_unique<RateStream>(rates, m.population_names[p], m.population_sizes[p],
                                                          m.rate_bin, m.t_start);
        }
        o.bursts.resize(n);
        if (!m.burst_populations.empty()) {
            H5Node bursts = o.root.create_group("bursts");
            for (std::uint32_t p : m.burst_populations) {
                if (p >= n) throw std::invalid_argument("burst recording: population index out of range");
                o.bursts[p] = std::make_unique<BurstStream>(bursts, m.population_names[p], m.population_sizes[p],
                                                            m.burst_rule, m.burst_threshold, spike_buffer);
                if (o.rates[p]) o.rates[p]->enable_bursts();
            }
        }
        if (!m.weight_probes.empty()) {
            o.weights_group = o.root.create_group("weights");
            for (const WeightProbeMeta& wp : m.weight_probes) {
                check_name("projection", wp.projection);
                o.weights.push_back(std::make_unique<WeightStream>(o.weights_group, wp));
            }
        }
        if (!m.probes.empty()) {
            H5Node report = o.root.create_group("report");
            o.reports.reserve(m.probes.size());
            for (const ProbeLayout& layout : m.probes) {
                H5Node probe =
                    report.has(layout.name) ? report.open_group(layout.name) : report.create_group(layout.name);
                o.reports.emplace_back(probe, layout, m.population_names[layout.population], report_buffer_bytes);
            }
        }
        o.records.resize(n);
        for (std::size_t p = 0; p < n && p < m.records.size(); ++p)
            for (const RecordDecl& d : m.records[p]) {
                check_name("record group", d.group);
                o.records[p].push_back(std::make_unique<RecordStream>(o.root, d, m.population_names[p], spike_buffer));
            }
        // A valid (empty) file is on disk before the first epoch runs.
        w.flush_file();
    } catch (...) {
        // A half-built skeleton is of no use to anyone: close and remove it.
        w.obj.reset();
        w.file.reset();
        std::error_code ec;
        std::filesystem::remove(w.partial, ec);
        throw;
    }
}

Hdf5Writer::~Hdf5Writer() {
    if (!impl_ || impl_->finished) return;
    // An unfinished run (exception, interrupt): keep whatever can still be saved in the
    // .partial file. Nothing may escape a destructor, and there is nobody to tell.
    H5Quiet quiet;
    try {
        if (!impl_->broken) flush();
    } catch (...) {}
    try {
        impl_->close();
    } catch (...) {
        impl_->detach();
        try {
            impl_->close();
        } catch (...) {}
    }
}

void Hdf5Writer::spikes(std::uint32_t population, std::span<const double> times,
                        std::span<const std::uint64_t> node_ids) {
    Impl& w = *impl_;
    if (w.finished) throw std::logic_error("Hdf5Writer: spikes() after finish()");
    if (population >= w.obj->spikes.size())
        throw std::out_of_range("Hdf5Writer: population index " + std::to_string(population) + " out of range");
    // The per-epoch calls (spikes, samples, records, classified, bursts, weights, reached)
    // only buffer rows; HDF5 is called, quieted, when a buffer fills (AppendableDataset::flush).
    w.guarded([&] {
        if (auto& s = w.obj->spikes[population]) s->append(times, node_ids);
        if (auto& r = w.obj->rates[population]) r->add(times);
    });
}

void Hdf5Writer::samples(std::uint32_t probe, std::span<const float> rows, std::size_t n_rows) {
    Impl& w = *impl_;
    if (w.finished) throw std::logic_error("Hdf5Writer: samples() after finish()");
    if (probe >= w.obj->reports.size())
        throw std::out_of_range("Hdf5Writer: probe index " + std::to_string(probe) + " out of range");
    w.guarded([&] { w.obj->reports[probe].append(rows, n_rows); });
}

void Hdf5Writer::records(std::uint32_t population, std::uint32_t record, std::span<const double> times,
                         std::span<const std::uint64_t> ids, std::span<const double> values) {
    Impl& w = *impl_;
    if (w.finished) throw std::logic_error("Hdf5Writer: records() after finish()");
    if (population >= w.obj->records.size() || record >= w.obj->records[population].size())
        throw std::out_of_range("Hdf5Writer: record " + std::to_string(record) + " of population " +
                                std::to_string(population) + " was not declared");
    w.guarded([&] { w.obj->records[population][record]->append(times, ids, values); });
}

void Hdf5Writer::classified(std::uint32_t population, std::span<const double> event_times,
                            std::span<const double> burst_times) {
    Impl& w = *impl_;
    if (w.finished) throw std::logic_error("Hdf5Writer: classified() after finish()");
    if (population < w.obj->rates.size() && w.obj->rates[population])
        w.obj->rates[population]->add_classified(event_times, burst_times);
}

void Hdf5Writer::bursts(std::uint32_t population, std::span<const BurstRecord> bursts) {
    Impl& w = *impl_;
    if (w.finished) throw std::logic_error("Hdf5Writer: bursts() after finish()");
    if (population < w.obj->bursts.size() && w.obj->bursts[population]) w.obj->bursts[population]->append(bursts);
}

void Hdf5Writer::weights(std::uint32_t probe, double t, double sum, std::span<const float> samples) {
    Impl& w = *impl_;
    if (w.finished) throw std::logic_error("Hdf5Writer: weights() after finish()");
    if (probe >= w.obj->weights.size())
        throw std::out_of_range("Hdf5Writer: weight probe " + std::to_string(probe) + " was not declared");
    w.obj->weights[probe]->append(t, sum, samples);
}

void Hdf5Writer::final_weights(const std::string& projection, std::span<const std::uint32_t> source,
                               std::span<const std::uint32_t> target, std::span<const float> weight) {
    Impl& w = *impl_;
    if (w.finished) throw std::logic_error("Hdf5Writer: final_weights() after finish()");
    H5Quiet quiet;
    check_name("projection", projection);
    if (!w.obj->root.has("weights")) w.obj->weights_group = w.obj->root.create_group("weights");
    else if (w.obj->weights_group.path().empty()) w.obj->weights_group = w.obj->root.open_group("weights");
    write_final_weights(w.obj->weights_group, projection, source, target, weight);
}

void Hdf5Writer::reached(double t) {
    Impl& w = *impl_;
    if (w.finished) throw std::logic_error("Hdf5Writer: reached() after finish()");
    w.t_reached = t;
    w.guarded([&] {
        for (auto& r : w.obj->rates)
            if (r) r->complete_until(t);
    });
    if (w.flush_interval > 0.0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - w.last_flush).count() >= w.flush_interval)
        flush();
}

void Hdf5Writer::set_flush_interval(double seconds) { impl_->flush_interval = seconds; }

void Hdf5Writer::flush() {
    Impl& w = *impl_;
    if (w.finished) throw std::logic_error("Hdf5Writer: flush() after finish()");
    H5Quiet quiet;
    w.guarded([&] {
        w.flush_data();
        w.obj->apical.write_attr("t_reached", w.t_reached);
        w.obj->apical.write_attr("wall_seconds",
                                 std::chrono::duration<double>(std::chrono::steady_clock::now() - w.started).count());
        w.flush_file();
    });
    w.flushed_t = w.t_reached;
    w.last_flush = std::chrono::steady_clock::now();
}

void Hdf5Writer::finish(bool completed, double t_reached, double wall_seconds) {
    Impl& w = *impl_;
    if (w.finished) throw std::logic_error("Hdf5Writer: finish() called twice");
    H5Quiet quiet;
    // Whatever happens next, the destructor must not try to write again.
    w.finished = true;
    if (w.broken) {
        try {
            w.close(); // into the memory file: the disk keeps what it had
        } catch (...) {}
        throw Hdf5Error(w.partial, "", "finish the file",
                        "an earlier write failed; it keeps the results up to t = " + std::to_string(w.flushed_t) +
                            " ms (its last flush), marked completed = 0");
    }
    try {
        // Everything is written and flushed before the close, so that a failure (disk full)
        // is met while the file can still be detached, not inside H5Fclose.
        w.guarded([&] {
            w.t_reached = t_reached;
            for (auto& r : w.obj->rates)
                if (r) r->complete_until(t_reached);
            w.flush_data();
            w.obj->apical.write_attr("t_reached", t_reached);
            w.obj->apical.write_attr("wall_seconds", wall_seconds);
            w.obj->apical.write_attr("completed", std::int32_t{completed ? 1 : 0});
            w.flush_file();
        });
    } catch (...) {
        try {
            w.close();
        } catch (...) {}
        throw;
    }
    w.close();
    // POSIX rename within one directory is atomic: readers see either no file or the
    // whole finished one, never a half-written file under the final name.
    std::error_code ec;
    std::filesystem::rename(w.partial, w.path, ec);
    if (ec) throw std::runtime_error(w.partial + ": cannot rename to " + w.path + " (" + ec.message() + ")");
}

const std::string& Hdf5Writer::path() const { return impl_->path; }
std::string Hdf5Writer::partial_path() const { return impl_->partial; }

bool writers_may_run_in_parallel() {
    hbool_t safe = 0;
    return H5is_library_threadsafe(&safe) >= 0 && safe;
}

} // namespace apical::io
