#pragma once
#include "core/registry.hpp"

#include <vector>

namespace apical::models {
std::vector<KindInfo> stimulus_kinds();
std::vector<KindInfo> connectivity_kinds();
void attach_stimulus_behaviour(KindInfo&);
void attach_connectivity_behaviour(KindInfo&);
} // namespace apical::models
