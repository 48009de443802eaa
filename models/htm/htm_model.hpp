// The `htm` population kind: a layer of minicolumns (spatial pooler + temporal memory)
// stepped every step_interval of simulated time. Declaration in htm_decl.cpp, the cell
// group in htm_group.cpp. User documentation: docs/htm.md.
#pragma once
#include "core/registry.hpp"

namespace apical::models {
ModelInfo htm_info();
void register_htm(Registry&);
// Bits the CSV encoders produce (0 without an input table); spike input bits follow them.
std::uint32_t htm_encoded_bits(const ModelInfo& m, const std::vector<double>& params, bool has_table);
} // namespace apical::models
