// Checkpoint files (`apical run --checkpoint-every`, `apical run --restart`): one file holding
// the resolved scenario and the engine's state bytes (core/state_io.hpp), so a restart needs
// nothing else. Layout and guarantees in docs/checkpoint.md.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace apical::io {

struct Checkpoint {
    std::string apical_version; // of the program that wrote it
    std::string scenario_file;  // where the scenario came from (absolute; relative csv: paths resolve there)
    std::string scenario_yaml;  // the resolved scenario (after --set, --seed)
    std::string output;         // the result file of the run that wrote it
    double t = 0.0;             // ms: simulated time at which the state was taken
    // Cells per group of the saving run (Simulation::group_size()) and its lane cut
    // (Simulation::cut_lanes()): a restart cuts the same groups on any thread count. Format 1
    // has neither (group_size 0: the one-thread automatic size of that time), format 2 no
    // lane cut (1: none).
    std::uint32_t group_size = 0;
    std::uint32_t cut_lanes = 1;
    std::vector<char> state; // Simulation::save_state bytes
};

// A checkpoint file that cannot be read: "PATH: what is wrong".
class CheckpointFileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Written: 3 (with the group size and the lane cut). Read: 1, 2 and 3.
inline constexpr std::uint32_t kCheckpointFormatVersion = 3;

// Writes `<path>.partial`, flushes it to disk, then renames it over `path`, so `path` always
// holds the last complete checkpoint, even when the run is killed while writing the next one.
// Throws CheckpointFileError when the file cannot be written (the message names path and reason).
void write_checkpoint(const std::string& path, const Checkpoint& c);
// Reads and checks a checkpoint: magic, format version, byte order, size and checksum.
// Throws CheckpointFileError.
Checkpoint read_checkpoint(const std::string& path);

} // namespace apical::io
