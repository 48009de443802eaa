// The `pyramidal` multi-compartment model family (see models/pyramidal.cpp).
#pragma once
#include "core/registry.hpp"

namespace apical::models {
ModelInfo pyramidal_info();
}
