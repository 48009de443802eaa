// The MPI transport of a distributed `apical run` (mpirun -n K): core's Exchange over
// MPI_COMM_WORLD, Allgather of the byte counts then Allgatherv (Gather/Gatherv to rank 0).
// Part of the module apical_mpi.so (app/mpi_world.hpp).
#include "core/exchange.hpp"

#include <climits>
#include <memory>
#include <stdexcept>

#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

namespace apical::app {

std::unique_ptr<Exchange> make_mpi_exchange(int rank, int size);

namespace {

class MpiExchange final : public Exchange {
public:
    MpiExchange(int rank, int size) : rank_(rank), size_(size) {}
    int rank() const override { return rank_; }
    int size() const override { return size_; }

    void allgather(const std::vector<char>& mine, std::vector<char>& all, std::vector<std::size_t>& counts) override {
        const int n = count_of(mine);
        icounts_.resize(static_cast<std::size_t>(size_));
        MPI_Allgather(&n, 1, MPI_INT, icounts_.data(), 1, MPI_INT, MPI_COMM_WORLD);
        layout(all, counts);
        MPI_Allgatherv(mine.data(), n, MPI_BYTE, all.data(), icounts_.data(), displs_.data(), MPI_BYTE, MPI_COMM_WORLD);
    }
    void gather(const std::vector<char>& mine, std::vector<char>& all, std::vector<std::size_t>& counts) override {
        const int n = count_of(mine);
        icounts_.resize(static_cast<std::size_t>(size_));
        MPI_Gather(&n, 1, MPI_INT, icounts_.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
        if (rank_ == 0) layout(all, counts);
        else all.clear(), counts.clear();
        MPI_Gatherv(mine.data(), n, MPI_BYTE, all.data(), icounts_.data(), displs_.data(), MPI_BYTE, 0, MPI_COMM_WORLD);
    }

private:
    static int count_of(const std::vector<char>& v) {
        if (v.size() > static_cast<std::size_t>(INT_MAX))
            throw std::runtime_error("one epoch's exchange exceeds 2 GiB on one rank; use more ranks or a "
                                     "shorter minimum delay");
        return static_cast<int>(v.size());
    }
    // Displacements and the receive buffer from the gathered counts.
    void layout(std::vector<char>& all, std::vector<std::size_t>& counts) {
        displs_.resize(static_cast<std::size_t>(size_));
        counts.resize(static_cast<std::size_t>(size_));
        long long total = 0;
        for (int r = 0; r < size_; ++r) {
            if (total > INT_MAX) throw std::runtime_error("one epoch's exchange exceeds 2 GiB in total");
            displs_[static_cast<std::size_t>(r)] = static_cast<int>(total);
            counts[static_cast<std::size_t>(r)] = static_cast<std::size_t>(icounts_[static_cast<std::size_t>(r)]);
            total += icounts_[static_cast<std::size_t>(r)];
        }
        all.resize(static_cast<std::size_t>(total));
    }
    int rank_, size_;
    std::vector<int> icounts_, displs_;
};

} // namespace

std::unique_ptr<Exchange> make_mpi_exchange(int rank, int size) { return std::make_unique<MpiExchange>(rank, size); }

} // namespace apical::app
