// Plasticity rules, registered as `payeur2021` and `stdp` (see plasticity.cpp).
#pragma once
#include "core/spike_hooks.hpp"

#include <memory>
#include <vector>

namespace apical::models {

// payeur2021 parameters in declaration order (canonical units: ms, Hz).
struct PayeurParams {
    double eta, tau_pre, alpha, e_min, e_max, w_min, w_max, ebar_init, bbar_init;
};
PayeurParams payeur_params(const std::vector<double>& declared);
// For tests: a rule's state for one (projection, target group).
std::unique_ptr<PlasticityRule> make_payeur(const PayeurParams& p, std::uint32_t n_source, std::uint32_t n_target);
std::unique_ptr<PlasticityRule> make_stdp(const std::vector<double>& declared, std::uint32_t n_source,
                                          std::uint32_t n_target);

} // namespace apical::models
