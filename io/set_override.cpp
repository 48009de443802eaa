#include "io/set_override.hpp"

#include "io/suggest.hpp"

namespace apical::io {

void apply_override(YAML::Node& root, const std::string& arg, int index,
                    const std::vector<NamedCollection>& collections, SourceMap& src) {
    const std::size_t eq = arg.find('=');
    if (eq == std::string::npos || eq == 0)
        src.fail_override(index, 0,
                          "expected KEY=VALUE (KEY a dot path like simulation.duration), got \"" + arg + "\"");
    const std::string key = arg.substr(0, eq), text = arg.substr(eq + 1);
    const int value_col = static_cast<int>(eq + 1);

    YAML::Node value;
    try {
        value = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
        src.fail_override(index, value_col + (e.mark.is_null() ? 0 : e.mark.pos), "malformed YAML value: " + e.msg);
    }
    if (!value.IsDefined() || value.IsNull())
        src.fail_override(index, value_col, "empty value for " + key + "; write the value after '='");

    // Split the key at dots, remembering where each segment starts for messages.
    std::vector<std::pair<std::string, int>> segs;
    for (std::size_t start = 0;;) {
        const std::size_t dot = key.find('.', start);
        const std::string seg = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (seg.empty()) src.fail_override(index, static_cast<int>(start), "empty segment in key \"" + key + "\"");
        segs.emplace_back(seg, static_cast<int>(start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }

    // Walk down with `reset`, not `=`: assigning yaml-cpp nodes copies into them.
    YAML::Node cur;
    cur.reset(root);
    std::string path;
    for (std::size_t i = 0; i < segs.size(); ++i) {
        const auto& [seg, col] = segs[i];
        const bool last = i + 1 == segs.size();
        if (!cur.IsMap())
            src.fail_override(index, col,
                              "cannot set " + key + ": " + (path.empty() ? "the scenario" : path) + " is not a map");
        YAML::Node child(YAML::NodeType::Undefined);
        std::vector<std::string> names;
        for (const auto& kv : cur) {
            if (kv.first.IsScalar() && kv.first.Scalar() == seg) child.reset(kv.second);
            if (kv.first.IsScalar()) names.push_back(kv.first.Scalar());
        }
        for (const auto& c : collections)
            if (c.path == path && !child.IsDefined())
                src.fail_override(index, col, unknown_choice(c.what, seg, names) + " (in " + path + ")");
        path += (path.empty() ? "" : ".") + seg;

        if (last) {
            src.add_override(value, index, value_col);
            if (child.IsDefined()) {
                child = value; // replaces the value in place; keeps the original key
            } else {
                YAML::Node k(seg);
                src.add_override(k, index, col);
                cur[k] = value;
            }
            return;
        }
        if (!child.IsDefined()) {
            YAML::Node k(seg);
            child.reset(YAML::Node(YAML::NodeType::Map));
            src.add_override(k, index, col);
            src.add_override(child, index, col);
            cur[k] = child;
        }
        cur.reset(child);
    }
}

} // namespace apical::io
