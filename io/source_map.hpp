// Where a YAML node came from, for error messages: a line and column in the scenario
// file, or a column in one `--set KEY=VALUE` argument (reported as
// `<--set>:N:COL`, N the argument's 1-based position among the overrides).
#pragma once
#include "io/scenario.hpp"

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace apical::io {

class SourceMap {
public:
    explicit SourceMap(std::string file) : file_(std::move(file)) {}

    // `root` (and everything below it) was written in --set argument `index` (1-based),
    // its text starting at 0-based `column` of that argument.
    void add_override(const YAML::Node& root, int index, int column);

    // `text` parsed as YAML; malformed YAML is a ScenarioError at its position in the file.
    YAML::Node load(const std::string& text) const;
    // The whole text of `path`; a ScenarioError at 1:1 when it cannot be read.
    static std::string read_file(const std::string& path);

    [[noreturn]] void fail(const YAML::Node& at, const std::string& msg) const;
    [[noreturn]] void fail_at(int line, int col, const std::string& msg) const;           // in the file, 1-based
    [[noreturn]] void fail_override(int index, int column, const std::string& msg) const; // 0-based column

    const std::string& file() const { return file_; }
    static constexpr const char* override_label = "<--set>";

private:
    struct Origin {
        YAML::Node root;
        int index, column;
    };
    std::string file_;
    std::vector<Origin> overrides_;
};

} // namespace apical::io
