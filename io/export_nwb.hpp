// Export of an Apical result file to NWB 2.x (Neurodata Without Borders), so that pynwb,
// neo's NWBIO and DANDI tools read simulated spikes as they read recorded ones. Only the
// spikes are exported, as the NWB `Units` table: one unit per cell of every population
// whose spikes were recorded.
#pragma once
#include <string>

namespace apical::io {

// Writes `nwb_path` (through `nwb_path.partial`, renamed on success). An existing file is
// refused (std::runtime_error) unless `force`. HDF5 trouble is an Hdf5Error.
// Layout: root attributes nwb_version "2.5.0", neurodata_type "NWBFile", namespace "core",
// object_id; the required NWBFile datasets and groups; /units with id, spike_times
// (seconds), spike_times_index (cumulative end offsets), population and node_id columns.
void export_nwb(const std::string& h5_path, const std::string& nwb_path, bool force);

} // namespace apical::io
