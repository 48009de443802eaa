// The one registration list: every model, stimulus type and connectivity rule that
// ships with Apical. A new model adds its register function here and nowhere else.
#pragma once
#include "core/registry.hpp"

namespace apical::models {

void register_lif(Registry&);
void register_adex(Registry&);
void register_pyramidal(Registry&);
void register_htm(Registry&);
void register_stimuli(Registry&);
void register_connectivity(Registry&);
void register_burst_rules(Registry&);
void register_stp(Registry&);
void register_plasticity(Registry&);

inline Registry builtin_registry() {
    Registry r;
    register_lif(r);
    register_adex(r);
    register_pyramidal(r);
    register_htm(r);
    register_stimuli(r);
    register_connectivity(r);
    register_burst_rules(r);
    register_stp(r);
    register_plasticity(r);
    return r;
}

} // namespace apical::models
