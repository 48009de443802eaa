// MpiWorld::join_if_launched(): decide from the environment whether this process was started
// by an MPI launcher with several ranks, and only then load the MPI module (apical_mpi.so).
#include "app/mpi_world.hpp"

#include <cstdlib>
#include <dlfcn.h>
#include <filesystem>
#include <stdexcept>

namespace apical::app {
namespace {

// The number of ranks the launcher started, from its environment (OpenMPI, PMI/PMIx
// launchers such as MPICH's hydra and srun); 0 when not launched by one.
int launched_ranks() {
    for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS"})
        if (const char* v = std::getenv(var)) return std::atoi(v);
    return std::getenv("PMIX_RANK") ? 1 : 0;
}

#ifdef APICAL_HAVE_MPI
// APICAL_MPI_MODULE when set; otherwise apical_mpi.so in the directory of the executable
// (where the build puts it), or, where /proc is missing, that name on the library path.
std::string module_path() {
    if (const char* p = std::getenv("APICAL_MPI_MODULE"); p && *p) return p;
    std::error_code ec;
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return "apical_mpi.so";
    return (exe.parent_path() / "apical_mpi.so").string();
}
#endif

} // namespace

std::unique_ptr<MpiWorld> MpiWorld::join_if_launched() {
    const int ranks = launched_ranks();
    if (ranks < 2) return nullptr;
#ifdef APICAL_HAVE_MPI
    const std::string path = module_path();
    // RTLD_GLOBAL: Open MPI dlopens its own components, which expect the symbols of libmpi and
    // libopen-pal to be global, as they are when a program links libmpi directly.
    void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (!module) {
        const char* why = dlerror();
        throw std::runtime_error("launched with " + std::to_string(ranks) + " MPI ranks, but the MPI module " + path +
                                 " could not be loaded (" + (why ? why : "unknown reason") +
                                 "); it is built with apical (CMake target apical_mpi) and must lie next to the "
                                 "apical executable, or be named by APICAL_MPI_MODULE");
    }
    // Never unloaded: MPI_Finalize (the world's destructor) runs its code at the end.
    const auto join = reinterpret_cast<MpiJoin>(dlsym(module, APICAL_MPI_ENTRY_NAME));
    if (!join)
        throw std::runtime_error(path + " is not the MPI module of this apical (no " APICAL_MPI_ENTRY_NAME
                                        "); rebuild both, or point APICAL_MPI_MODULE at the right one");
    return std::unique_ptr<MpiWorld>(join());
#else
    throw std::runtime_error("launched with " + std::to_string(ranks) +
                             " MPI ranks, but this apical was built without MPI (every rank would run every "
                             "point); rebuild with MPI (libopenmpi-dev) or use --jobs, or a Slurm job array");
#endif
}

} // namespace apical::app
