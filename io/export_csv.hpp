// Export of an Apical result file (docs/output.md) to plain CSV, for spreadsheets, R,
// pandas and any tool without HDF5. One file per record type and population; units are
// in the column headers because a CSV has nowhere else to keep them.
#pragma once
#include "io/csv.hpp"

#include <string>
#include <vector>

namespace apical::io {

// Writes into `dir` (created when missing):
//   spikes_<pop>.csv            time_ms,node_id
//   rates_<pop>.csv             time_ms,rate_hz          (bin start times)
//   trace_<probe>_<pop>.csv     time_ms,<node>_<variable>[unit],...
//   <group>_<pop>.csv           one column per 1-D dataset of /<group>/<pop>, name[units], for
//                               /bursts and every model record group (column_bursts, htm, ...)
//   anomaly_<pop>.csv           timestamp,value,anomaly_score: for a record table with columns
//                               timestamp, value and anomaly (the htm model), one row per input
//                               row; date-time timestamps printed as "YYYY-MM-DD HH:MM:SS"
//   metadata.csv                key,value
// Every file that would be written is checked first: if one exists and `force` is false,
// nothing is written and std::runtime_error names it. HDF5 trouble is an Hdf5Error.
// Returns the paths written, in the order above.
std::vector<std::string> export_csv(const std::string& h5_path, const std::string& dir, bool force);

} // namespace apical::io
