#pragma once
#include "core/registry.hpp"

#include <vector>

namespace apical::models {
std::vector<KindInfo> stimulus_kinds();
std::vector<KindInfo> connectivity_kinds();
}
