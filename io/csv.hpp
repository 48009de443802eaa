// The CSV subset Apical reads and writes (RFC 4180): comma-separated fields, a field
// double-quoted when it holds a comma, a quote or a line break, "" for a quote inside.
#pragma once
#include <string>
#include <vector>

namespace apical::io {

// One line (without its line break; a trailing '\r' is dropped) split into fields.
std::vector<std::string> split_csv_line(const std::string& line);
// `field`, quoted when it needs to be.
std::string csv_field(const std::string& field);
// The fields joined with commas, each quoted when needed; no line break.
std::string csv_line(const std::vector<std::string>& fields);

} // namespace apical::io
