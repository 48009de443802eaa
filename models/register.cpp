// Registration functions for the cell models: declaration + factory.
#include "core/cell_group.hpp"
#include "models/adex.hpp"
#include "models/builtin.hpp"
#include "models/lif.hpp"
#include "models/pyramidal.hpp"

namespace apical::models {

std::unique_ptr<CellGroup> make_lif_group(const GroupBuild&);
std::unique_ptr<CellGroup> make_adex_group(const GroupBuild&);
std::unique_ptr<CellGroup> make_pyramidal_group(const GroupBuild&);

void register_lif(Registry& r) {
    auto m = lif_info();
    m.make = make_lif_group;
    r.add_model(std::move(m));
}
void register_adex(Registry& r) {
    auto m = adex_info();
    m.make = make_adex_group;
    r.add_model(std::move(m));
}

void register_pyramidal(Registry& r) {
    auto m = pyramidal_info();
    m.make = make_pyramidal_group;
    r.add_model(std::move(m));
}

} // namespace apical::models
