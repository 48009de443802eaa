// TEMPORARY: replaced by models/lif.cpp and models/adex.cpp.
#include "core/cell_group.hpp"
#include <stdexcept>
namespace apical::models {
std::unique_ptr<CellGroup> make_lif_group(const GroupBuild&) { throw std::logic_error("lif: not built yet"); }
std::unique_ptr<CellGroup> make_adex_group(const GroupBuild&) { throw std::logic_error("adex: not built yet"); }
}
