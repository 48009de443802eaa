#include "core/registry.hpp"
#include "core/network.hpp"

#include <stdexcept>

namespace apical {
namespace {
template <class V, class F> int index_where(const V& v, F&& f) {
    for (std::size_t i = 0; i < v.size(); ++i)
        if (f(v[i])) return static_cast<int>(i);
    return -1;
}
template <class V> const typename V::value_type* by_name(const V& v, const std::string& n) {
    for (auto& x : v)
        if (x.name == n) return &x;
    return nullptr;
}
template <class V> void add_unique(V& v, typename V::value_type x, const char* what) {
    if (by_name(v, x.name)) throw std::logic_error(std::string("duplicate ") + what + " '" + x.name + "'");
    v.push_back(std::move(x));
}
} // namespace

int ModelInfo::param_index(const std::string& n) const {
    return index_where(parameters, [&](auto& p) { return p.name == n; });
}
int ModelInfo::receptor_index(const std::string& n) const {
    return index_where(receptors, [&](auto& p) { return p.name == n; });
}
int ModelInfo::compartment_index(const std::string& n) const {
    return index_where(compartments, [&](auto& p) { return p == n; });
}
int ModelInfo::variable_index(const std::string& n) const {
    return index_where(variables, [&](auto& p) { return p.name == n; });
}
const ParamPreset* ModelInfo::preset(const std::string& n) const { return by_name(presets, n); }
int KindInfo::param_index(const std::string& n) const {
    return index_where(parameters, [&](auto& p) { return p.name == n; });
}

const ParamPreset* KindInfo::preset(const std::string& n) const { return by_name(presets, n); }

void Registry::add_model(ModelInfo m) { add_unique(models_, std::move(m), "model"); }
void Registry::add_stimulus(KindInfo k) { add_unique(stimuli_, std::move(k), "stimulus type"); }
void Registry::add_connectivity(KindInfo k) { add_unique(rules_, std::move(k), "connectivity rule"); }
void Registry::add_burst_rule(KindInfo k) { add_unique(burst_rules_, std::move(k), "burst rule"); }
void Registry::add_stp(KindInfo k) { add_unique(stp_, std::move(k), "short-term plasticity model"); }
void Registry::add_plasticity(KindInfo k) { add_unique(plasticity_, std::move(k), "plasticity rule"); }
const KindInfo* Registry::burst_rule(const std::string& n) const { return by_name(burst_rules_, n); }
const KindInfo* Registry::stp(const std::string& n) const { return by_name(stp_, n); }
const KindInfo* Registry::plasticity(const std::string& n) const { return by_name(plasticity_, n); }
const ModelInfo* Registry::model(const std::string& n) const { return by_name(models_, n); }
const KindInfo* Registry::stimulus(const std::string& n) const { return by_name(stimuli_, n); }
const KindInfo* Registry::connectivity(const std::string& n) const { return by_name(rules_, n); }

std::vector<double> default_values(const std::vector<ParamDecl>& decls) {
    std::vector<double> v;
    v.reserve(decls.size());
    for (auto& d : decls) v.push_back(d.default_value);
    return v;
}

ModelInfo population_model(const ModelInfo& m, const PopulationDesc& p) {
    if (!m.multi_compartment()) {
        if (!m.specialize) return m;
        ModelInfo r = m;
        m.specialize(r, p);
        return r;
    }
    ModelInfo r = m;
    r.compartments.clear();
    for (auto& c : p.compartments) r.compartments.push_back(c.name);
    for (auto& c : p.compartments)
        for (auto& v : m.compartment_variables)
            r.variables.push_back({v.name + "_" + c.name, v.dim, v.doc + " (" + c.name + ")"});
    if (m.specialize) m.specialize(r, p);
    return r;
}

} // namespace apical
