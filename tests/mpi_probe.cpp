// A minimal MPI program for the MPI tests (tests/python/mpi_launch.py): if it cannot start,
// exchange and finish under mpirun, the MPI runtime itself does not work on this machine,
// whatever Apical does. It uses what `apical run` uses across ranks: MPI_Init_thread
// (FUNNELED), Allgather of counts, Allgatherv of a large buffer, Barrier, Finalize.
#define OMPI_SKIP_MPICXX 1
#include <mpi.h>

#include <cstdio>
#include <numeric>
#include <vector>

int main(int argc, char** argv) {
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    int rank = 0, size = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const int n = 250000 + rank; // about 1 MB per rank: past the shared-memory eager limit
    std::vector<int> counts(size), displs(size);
    MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
    std::exclusive_scan(counts.begin(), counts.end(), displs.begin(), 0);
    std::vector<int> mine(n, rank), all(displs.back() + counts.back());
    MPI_Allgatherv(mine.data(), n, MPI_INT, all.data(), counts.data(), displs.data(), MPI_INT, MPI_COMM_WORLD);
    int bad = provided < MPI_THREAD_FUNNELED ? 1 : 0;
    for (int r = 0; r < size; ++r)
        for (int i = 0; i < counts[r]; ++i) bad += all[displs[r] + i] != r || counts[r] != 250000 + r;
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Finalize();
    if (bad) std::fprintf(stderr, "mpi_probe rank %d: %d wrong values\n", rank, bad);
    return bad ? 1 : 0;
}
