// The MPI transport of a distributed `apical run` (mpirun -n K): core's Exchange over
// MPI_COMM_WORLD, Allgather of the byte counts then Allgatherv (Gather/Gatherv to rank 0).
// Without MPI (APICAL_HAVE_MPI unset) make() returns nullptr.
#pragma once
#include "app/sweep_mpi.hpp"
#include "core/exchange.hpp"

#include <memory>

namespace apical::app {

std::unique_ptr<Exchange> make_mpi_exchange(const MpiWorld& world);

} // namespace apical::app
