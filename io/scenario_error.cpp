#include "io/scenario.hpp"

namespace apical::io {

ScenarioError::ScenarioError(std::string file, int line, int col, const std::string& what)
    : std::runtime_error(file + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + what),
      file_(std::move(file)), line_(line), col_(col) {}

} // namespace apical::io
