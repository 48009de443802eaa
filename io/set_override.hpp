// `--set KEY=VALUE`: replace or add one value of the scenario tree before it is
// validated. KEY is a dot path ("populations.exc.size"), VALUE is YAML text
// ("200 ms", "[exc, inh]", "{distribution: uniform, low: 1 ms, high: 2 ms}").
#pragma once
#include "io/source_map.hpp"

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace apical::io {

// A map whose keys are user-chosen names ("populations", "recording.traces"): a path
// may not create a new entry there, so that a misspelt name is an error rather than a
// new, incomplete population. `what` names an entry in messages ("population").
struct NamedCollection {
    std::string path;
    std::string what;
};

// Applies argument `index` (1-based) to `root`. Missing intermediate maps are created
// (their keys are validated later like any other key); a path through a scalar or a
// list, or to a missing entry of a named collection, is an error. The new nodes are
// registered in `src` so that later errors point into the argument.
void apply_override(YAML::Node& root, const std::string& arg, int index,
                    const std::vector<NamedCollection>& collections, SourceMap& src);

} // namespace apical::io
