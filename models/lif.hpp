#pragma once
#include "core/registry.hpp"

namespace apical::models {
ModelInfo lif_info();
}
