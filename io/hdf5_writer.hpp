// The HDF5 recording sink: streams a run into one SONATA-style result file
// (layout in docs/output.md). The file is written as `<path>.partial` and renamed to
// `<path>` by finish(), so a file under the final name is always a finished run; a run
// that dies leaves `<path>.partial` holding everything up to the last flush().
#pragma once
#include "core/recording.hpp"
#include "io/output_meta.hpp"

#include <memory>
#include <optional>
#include <string>

namespace apical::io {

// The part of a writer's start that needs nothing but the output path: starting the HDF5
// library and creating the file (together a few ms). Made on another thread while the
// network is built (app/run_scenario.cpp, runs with two or more threads); no other HDF5 call
// may run meanwhile. The file is created as `<path>.partial-<pid>`, so that a killed run's
// `<path>.partial` is replaced only when a writer takes the file over (renaming it to
// `<path>.partial`). Destroyed without being taken, it closes and removes its file.
class EarlyFile {
public:
    explicit EarlyFile(const std::string& path); // throws Hdf5Error
    ~EarlyFile();
    EarlyFile(EarlyFile&&) noexcept;
    EarlyFile& operator=(EarlyFile&&) noexcept;
    EarlyFile(const EarlyFile&) = delete;
    EarlyFile& operator=(const EarlyFile&) = delete;
    const std::string& name() const; // where it is until a writer takes it

private:
    friend class Hdf5Writer;
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

class Hdf5Writer : public RecordingSink {
public:
    // Creates (truncating) `<path>.partial` and writes the whole skeleton: metadata,
    // groups, empty datasets, completed = 0. Throws std::invalid_argument for an
    // inconsistent `meta`, Hdf5Error when the file cannot be created.
    // Whether an existing `<path>` may be replaced is the caller's decision (--force).
    // With `early` (made for the same path), the writer takes that file over instead of
    // creating one; otherwise (and when it cannot be used) its file is closed and removed.
    Hdf5Writer(std::string path, OutputMeta meta, std::optional<EarlyFile> early = std::nullopt);
    // Without finish(): flushes what it can and closes, leaving `<path>.partial`.
    ~Hdf5Writer() override;
    Hdf5Writer(const Hdf5Writer&) = delete;
    Hdf5Writer& operator=(const Hdf5Writer&) = delete;

    void spikes(std::uint32_t population, std::span<const double> times,
                std::span<const std::uint64_t> node_ids) override;
    void samples(std::uint32_t probe, std::span<const float> rows, std::size_t n_rows) override;
    void records(std::uint32_t population, std::uint32_t record, std::span<const double> times,
                 std::span<const std::uint64_t> ids, std::span<const double> values) override;
    void classified(std::uint32_t population, std::span<const double> event_times,
                    std::span<const double> burst_times) override;
    void bursts(std::uint32_t population, std::span<const BurstRecord> bursts) override;
    void weights(std::uint32_t probe, double t, double sum, std::span<const float> samples) override;
    void reached(double t) override;
    // A plastic projection's final weights (/weights/<projection>/final_*); before finish().
    void final_weights(const std::string& projection, std::span<const std::uint32_t> source,
                       std::span<const std::uint32_t> target, std::span<const float> weight);

    // Writes buffered data and the current t_reached, and asks HDF5 to push everything
    // to disk, so a killed run leaves a useful .partial file. reached() calls it by
    // itself every flush interval of wall time; the engine may call it more often.
    void flush();
    // Wall-clock seconds between automatic flushes from reached() (default 10; <= 0: never).
    void set_flush_interval(double seconds);
    // Final attributes (completed 0/1, t_reached in ms, wall_seconds), close, and rename
    // `<path>.partial` -> `<path>`. Rate bins that end at or before t_reached are written;
    // a last, partial bin is not. Call once; the writer accepts nothing afterwards.
    void finish(bool completed, double t_reached, double wall_seconds);

    const std::string& path() const;
    std::string partial_path() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Whether writers may run in parallel threads of one process: only when the HDF5 library
// was built thread-safe (Debian's is), since HDF5 then serialises its calls itself.
bool writers_may_run_in_parallel();
// `<path>.partial`: where a writer for `path` writes until finish().
std::string partial_path_for(const std::string& path);
// "" when a file can be created beside `path` (in its directory) and `path` is not a
// directory, else why not ("it is a directory", "No such file or directory", "Read-only file
// system", ...): checked before a long run starts, so an unwritable output is reported at
// once, not after building the network (or, for a directory, after the whole run).
std::string cannot_create_beside(const std::string& path);
// True when `path` exists (file or anything else): the app refuses to overwrite it
// without --force.
bool output_exists(const std::string& path);

} // namespace apical::io
