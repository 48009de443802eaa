#include "io/source_map.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace apical::io {
namespace {

// Node identity, not equality: a --set value may be textually equal to file content.
bool contains(const YAML::Node& root, const YAML::Node& n) {
    if (root.is(n)) return true;
    if (root.IsSequence()) {
        for (const auto& c : root)
            if (contains(c, n)) return true;
    } else if (root.IsMap()) {
        for (const auto& kv : root)
            if (contains(kv.first, n) || contains(kv.second, n)) return true;
    }
    return false;
}

} // namespace

YAML::Node SourceMap::load(const std::string& text) const {
    try {
        return YAML::Load(text);
    } catch (const YAML::ParserException& e) {
        // A tab in the indentation of the line yaml-cpp stopped at (or of the line before it)
        // gives messages like "illegal map value" that do not name the cause.
        auto tab_indented = [&](int line) { // 0-based
            std::size_t at = 0;
            for (int l = 0; l < line && at != std::string::npos; ++l) {
                at = text.find('\n', at);
                if (at != std::string::npos) ++at;
            }
            for (; at < text.size() && (text[at] == ' ' || text[at] == '\t'); ++at)
                if (text[at] == '\t') return true;
            return false;
        };
        const std::string hint = tab_indented(e.mark.line) || (e.mark.line > 0 && tab_indented(e.mark.line - 1))
                                     ? " (YAML indents with spaces; this line or the one before is indented with a tab)"
                                     : "";
        fail_at(e.mark.line + 1, e.mark.column + 1, "malformed YAML: " + e.msg + hint);
    }
}

std::string SourceMap::read_file(const std::string& path) {
    // (A directory opens as a stream on Linux and reads as empty: it would be reported as a
    // scenario without keys.)
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw ScenarioError(path, 1, 1, "is a directory; expected a scenario file (YAML)");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ScenarioError(path, 1, 1, "cannot open the scenario file");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void SourceMap::add_override(const YAML::Node& root, int index, int column) {
    overrides_.push_back({root, index, column});
}

void SourceMap::fail(const YAML::Node& at, const std::string& msg) const {
    const YAML::Mark m = at.Mark();
    // The node itself first; else the most recent root holding it (later overrides
    // replace earlier ones, and a value is registered after the maps created to hold it).
    for (auto it = overrides_.rbegin(); it != overrides_.rend(); ++it)
        if (it->root.is(at)) fail_override(it->index, it->column + (m.is_null() ? 0 : m.pos), msg);
    for (auto it = overrides_.rbegin(); it != overrides_.rend(); ++it)
        if (contains(it->root, at)) fail_override(it->index, it->column + (m.is_null() ? 0 : m.pos), msg);
    if (m.is_null()) throw ScenarioError(file_, 1, 1, msg); // a node built by the reader itself
    throw ScenarioError(file_, m.line + 1, m.column + 1, msg);
}

void SourceMap::fail_at(int line, int col, const std::string& msg) const { throw ScenarioError(file_, line, col, msg); }

void SourceMap::fail_override(int index, int column, const std::string& msg) const {
    throw ScenarioError(override_label, index, column + 1, msg);
}

} // namespace apical::io
