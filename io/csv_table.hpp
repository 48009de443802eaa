// Input tables for populations that take one (ModelInfo::takes_table): a CSV file with a
// header row, then one row per record. Every field is a number, a date-time, or empty
// (missing: NaN). Date-times are ISO 8601, "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS[.f]]" or with
// a "T" between, optionally ending in "Z"; they are read as UTC and stored as seconds since
// 1970-01-01 00:00 UTC. A column holds numbers or date-times, not both.
#pragma once
#include "core/registry.hpp"

#include <optional>
#include <string>

namespace apical::io {

// Throws ScenarioError at the offending FILE:LINE:COL.
Table read_csv_table(const std::string& path);
// Parses a date-time as above; nullopt if `s` is not one.
std::optional<double> parse_datetime(const std::string& s);
// Seconds since 1970-01-01 UTC -> "YYYY-MM-DD HH:MM:SS" (fractional seconds kept when present).
std::string format_datetime(double unix_seconds);

} // namespace apical::io
