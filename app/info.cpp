// `apical inspect` and `apical models`.
#include "app/commands.hpp"
#include "io/h5_error.hpp"
#include "io/inspect.hpp"
#include "models/builtin.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace apical::app {

int cmd_inspect(const InspectOptions& o) {
    try {
        const io::InspectResult r = io::inspect(o.file);
        std::cout << (o.json ? io::to_json(r) : io::format_table(r));
        if (o.json) std::cout << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "apical inspect: " << e.what() << "\n";
        return 2;
    }
}

namespace {

std::string num(double v) {
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    std::ostringstream s;
    s << v;
    return s.str();
}

void print_params(const std::vector<ParamDecl>& ps, const char* title = "parameters") {
    if (ps.empty()) return;
    std::cout << "  " << title << ":\n";
    int w = 12; // wider for long names, so a name never runs into its unit
    for (auto& p : ps) w = std::max(w, static_cast<int>(p.name.size()) + 1);
    for (auto& p : ps) {
        std::ostringstream range;
        if (!std::isinf(p.min) || !std::isinf(p.max))
            range << (p.min_exclusive ? "(" : "[") << num(p.min) << ", " << num(p.max) << "]";
        std::string def = num(p.default_value);
        if (!p.choices.empty()) { // a word parameter: show the words
            def = p.choices.at(static_cast<std::size_t>(p.default_value));
            range.str("");
            for (std::size_t i = 0; i < p.choices.size(); ++i) range << (i ? "|" : "") << p.choices[i];
        }
        std::cout << "    " << std::left << std::setw(w) << p.name << std::setw(8) << canonical_unit(p.dim)
                  << " default " << std::setw(10) << def << " " << std::setw(18) << range.str() << " " << p.doc << "\n";
    }
}

} // namespace

int cmd_models(const ModelsOptions& o) {
    const Registry reg = models::builtin_registry();
    if (o.name.empty()) {
        std::cout << "models:\n";
        for (auto& m : reg.models())
            std::cout << "  " << std::left << std::setw(20) << m.name << m.doc.substr(0, m.doc.find('.') + 1) << "\n";
        std::cout << "stimulus types:\n";
        for (auto& k : reg.stimuli())
            std::cout << "  " << std::left << std::setw(20) << k.name << k.doc.substr(0, k.doc.find('.') + 1) << "\n";
        std::cout << "connectivity rules:\n";
        for (auto& k : reg.connectivity_rules())
            std::cout << "  " << std::left << std::setw(20) << k.name << k.doc << "\n";
        for (auto [title, list] :
             {std::pair{"burst rules (recording.bursts.rule):", &reg.burst_rules()},
              std::pair{"short-term plasticity (projections.X.stp.model):", &reg.stp_models()},
              std::pair{"plasticity rules (projections.X.plasticity.rule):", &reg.plasticity_rules()}}) {
            std::cout << title << "\n";
            for (auto& k : *list) std::cout << "  " << std::left << std::setw(20) << k.name << k.doc << "\n";
        }
        std::cout << "Details: apical models NAME\n";
        return 0;
    }
    if (const ModelInfo* m = reg.model(o.name)) {
        std::cout << "model " << m->name << "\n  " << m->doc << "\n";
        if (m->multi_compartment()) {
            std::cout << "  compartments: a tree per population (scenario `compartments:` or a parameter set's "
                         "tree; default: ";
            for (std::size_t i = 0; i < m->default_compartments.size(); ++i)
                std::cout << (i ? ", " : "") << m->default_compartments[i].name;
            std::cout << ")\n";
        } else {
            std::cout << "  compartments: ";
            for (std::size_t i = 0; i < m->compartments.size(); ++i) std::cout << (i ? ", " : "") << m->compartments[i];
            std::cout << "\n";
        }
        print_params(m->parameters, m->multi_compartment() ? "cell parameters" : "parameters");
        print_params(m->compartment_parameters, "compartment parameters (each compartment has its own)");
        std::cout << "  receptors (weight unit)" << (m->multi_compartment() ? ", on every compartment" : "") << ":\n";
        for (auto& r : m->receptors)
            std::cout << "    " << std::left << std::setw(12) << r.name << std::setw(8) << canonical_unit(r.weight_dim)
                      << " " << r.doc << "\n";
        std::cout << "  variables (recordable):\n";
        for (auto& v : m->variables)
            std::cout << "    " << std::left << std::setw(12) << v.name << std::setw(8) << canonical_unit(v.dim) << " "
                      << v.doc << "\n";
        for (auto& v : m->compartment_variables)
            std::cout << "    " << std::left << std::setw(14) << (v.name + "_<c>") << std::setw(8)
                      << canonical_unit(v.dim) << " " << v.doc << ", of compartment <c>\n";
        if (!m->presets.empty()) {
            std::cout << "  parameter sets:\n";
            for (auto& p : m->presets) {
                std::cout << "    " << p.name << ": " << p.doc << " (" << p.source << ")";
                for (auto& [k, v] : p.values) std::cout << "; " << k << " = " << num(v);
                std::cout << "\n";
                for (auto& c : p.compartments) {
                    std::cout << "      " << c.name << (c.parent.empty() ? " (root)" : " (parent " + c.parent + ")");
                    if (!c.doc.empty()) std::cout << ", " << c.doc;
                    std::cout << ":";
                    for (auto& [k, v] : c.values) {
                        std::string unit;
                        for (auto& d : m->compartment_parameters)
                            if (d.name == k && d.dim != Dim::none) unit = " " + std::string(canonical_unit(d.dim));
                        std::cout << " " << k << " = " << num(v) << unit << ";";
                    }
                    std::cout << "\n";
                }
            }
        }
        return 0;
    }
    const std::pair<const char*, const std::vector<KindInfo>*> kinds[] = {
        {"stimulus type ", &reg.stimuli()},
        {"connectivity rule ", &reg.connectivity_rules()},
        {"burst rule ", &reg.burst_rules()},
        {"short-term plasticity model ", &reg.stp_models()},
        {"plasticity rule ", &reg.plasticity_rules()}};
    for (auto [what, list] : kinds)
        for (auto& k : *list)
            if (k.name == o.name) {
                std::cout << what << k.name << "\n  " << k.doc << "\n";
                print_params(k.parameters);
                for (auto& p : k.presets) {
                    std::cout << "  preset " << p.name << ": " << p.doc << " (" << p.source << ")";
                    for (auto& [n, v] : p.values) std::cout << "; " << n << " = " << num(v);
                    std::cout << "\n";
                }
                for (auto& l : k.lists)
                    std::cout << "  list " << l.name << " (" << canonical_unit(l.dim) << "): " << l.doc << "\n";
                return 0;
            }
    std::cerr
        << "apical models: no model, stimulus type, connectivity rule, burst rule, STP model or plasticity rule named '"
        << o.name << "'; run `apical models` for the list\n";
    return 2;
}

} // namespace apical::app
