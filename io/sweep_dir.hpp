// The files of a sweep directory DIR (docs/sweeps.md):
//   DIR/design.csv         point,<key>...,seed: every point of the sweep, written once
//   DIR/scenario.yaml      the base scenario (after --set), written once
//   DIR/points/<i>.h5      point i's result file (a normal `apical run` file; <i>.h5.partial
//                          while it runs)
//   DIR/points/<i>.failed  why point i failed (first line: wall seconds, then the message)
//   DIR/summary.csv, DIR/sweep.h5: the summary, rebuilt by `apical collect DIR`
// Every process of a sweep (array task, MPI rank, worker thread) writes only the files of
// its own points; the shared files are written by rename of an identical text, so two
// writers never interleave.
#pragma once
#include "io/sweep_design.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace apical::io {

struct SweepManifest {
    std::vector<std::string> keys;
    std::vector<std::vector<std::string>> values; // [point][key]: YAML value text
    std::vector<std::uint64_t> seeds;             // per point
};

std::string point_file(const std::string& dir, std::size_t index);   // DIR/points/<i>.h5
std::string failure_file(const std::string& dir, std::size_t index); // DIR/points/<i>.failed

std::string manifest_text(const SweepManifest& m);
// Reads DIR/design.csv; throws std::runtime_error naming the file and line.
SweepManifest read_manifest(const std::string& dir);

// Creates DIR and DIR/points, then writes `text` to DIR/<name> unless the file exists.
// Returns false (writing nothing) when it exists with other contents: DIR holds another
// sweep. Safe when several processes call it at once with the same text.
bool write_once(const std::string& dir, const std::string& name, const std::string& text);

// Point i's state on disk.
enum class PointState { done, failed, missing };
struct PointOnDisk {
    PointState state = PointState::missing;
    std::string message; // why it failed
    double wall_seconds = 0.0;
};
// done: DIR/points/<i>.h5 exists and says completed = 1. failed: a .failed record, or a
// result file marked incomplete or unreadable. missing: neither (never run, or in flight
// or killed: only a .partial file).
PointOnDisk point_on_disk(const std::string& dir, std::size_t index);

// Records a failure of point i (replacing an earlier record).
void write_failure(const std::string& dir, std::size_t index, const std::string& message, double wall_seconds);

} // namespace apical::io
