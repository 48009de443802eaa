// Reading Apical result files back (the layout of docs/output.md): metadata, spikes,
// reports and rates, for `apical inspect`, export, plots and tests. Any problem (missing
// file, not HDF5, not an Apical file, missing or mistyped object) is an Hdf5Error whose
// message names the file, the object and what is wrong; HDF5 itself prints nothing.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace apical::io {

struct ResultMeta {
    std::array<std::uint32_t, 2> format_version{}; // root `version`
    std::string apical_version, name, scenario;    // /apical version, name, scenario (YAML)
    std::uint64_t seed = 0;
    int threads = 0;
    double t_stop = 0.0, t_reached = 0.0; // ms
    bool completed = false;
    double wall_seconds = 0.0;
    // Every population of the run in engine order, recorded or not (empty for files
    // written without the /apical populations attribute).
    std::vector<std::string> populations;
    std::vector<std::uint64_t> population_sizes;
};

struct SpikeData {
    std::vector<double> times;           // ms
    std::vector<std::uint64_t> node_ids; // within the population
};

struct ReportData {
    std::size_t n_times = 0, n_elements = 0;
    std::vector<float> data; // row-major [n_times x n_elements]
    std::vector<std::uint64_t> node_ids, index_pointers;
    std::vector<std::uint32_t> element_ids;
    double start = 0.0, stop = 0.0, step = 0.0; // ms, right-open
    std::string units;
    std::vector<std::string> variables, variable_units;
};

struct RateData {
    std::vector<double> rate; // Hz per cell, one per bin
    // With burst detection (else empty): per bin as `rate`.
    std::vector<double> event_rate, burst_rate, burst_probability;
    double start = 0.0, stop = 0.0, step = 0.0; // ms; bin i is [start + i*step, start + (i+1)*step)
};

class Hdf5Reader {
public:
    // Opens read-only and checks that this is an Apical result file (root magic and
    // version, /apical group); reads the metadata. A .partial file opens too.
    explicit Hdf5Reader(const std::string& path);
    ~Hdf5Reader();
    Hdf5Reader(const Hdf5Reader&) = delete;
    Hdf5Reader& operator=(const Hdf5Reader&) = delete;

    const std::string& path() const;
    const ResultMeta& meta() const;

    std::vector<std::string> spike_populations() const;          // groups under /spikes
    std::uint64_t population_size(const std::string& pop) const; // /spikes/<pop> n_nodes
    std::string spike_sorting(const std::string& pop) const;     // "none", "by_id", "by_time"
    std::uint64_t spike_count(const std::string& pop) const;
    SpikeData spikes(const std::string& pop) const;
    // Streams a population's spikes in file order, `block` at a time, so that large files
    // can be summarised without loading them whole.
    void
    for_each_spike_block(const std::string& pop, std::size_t block,
                         const std::function<void(std::span<const double>, std::span<const std::uint64_t>)>& f) const;

    std::vector<std::string> report_names() const;                              // /report/<name>
    std::vector<std::string> report_populations(const std::string& name) const; // /report/<name>/<pop>
    ReportData report(const std::string& name, const std::string& pop) const;
    // The same for the first `max_cells` cells of the probe only (their columns lead the
    // data; node_ids, index_pointers and element_ids are cut to match), so that a plot of a
    // few cells does not read a wide report whole.
    ReportData report(const std::string& name, const std::string& pop, std::size_t max_cells) const;

    std::vector<std::string> rate_populations() const; // groups under /rates
    RateData rates(const std::string& pop) const;

    // Generic access by slash-separated path below the root ("rates/exc/event_rate"), for
    // record types that have no struct here yet (plots show whatever a file holds).
    enum class Kind { none, group, dataset };
    Kind kind(const std::string& path) const;
    std::vector<std::string> children(const std::string& group_path) const; // link names
    std::vector<std::uint64_t> dims(const std::string& dataset_path) const;
    std::vector<double> read_doubles(const std::string& dataset_path) const; // any numeric type, converted
    // A string attribute of a group or dataset; "" when absent or not a string.
    std::string attr_string(const std::string& path, const std::string& attr) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace apical::io
