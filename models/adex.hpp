#pragma once
#include "core/registry.hpp"

namespace apical::models {
ModelInfo adex_info();
}
