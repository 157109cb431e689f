// MPI ranks: how a run is split over processes (docs/architecture.md, "MPI").
//
// Every rank reads the same run file and runs the same task. Mesh reductions (both backends)
// reduce only this rank's contiguous share of whole reduction blocks and then combine the
// per-rank compensated partial sums in rank order, so every rank holds the same total and the
// result differs from one rank's only by the rounding of one extra compensated fold per rank
// (~1e-16 relative; tested to 1e-13). Lattice dc_current splits its lines the same way.
// Cheap per-point work (band paths, contours) is repeated on every rank. Only rank 0 prints
// progress and writes results. Built without MPI (or run without mpirun) there is one rank.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "neumaier.hpp"

namespace bzint::ranks {

// Initialises MPI only when an MPI launcher started this process (launched_by_mpi): a plain
// `bzint run` pays nothing for it.
void init(int& argc, char**& argv);
void finalize();
// True when the environment carries an MPI launcher's variables (Open MPI's mpirun, PMIx/PMI
// launchers such as srun --mpi=pmix, MPICH's Hydra, MVAPICH, Intel MPI).
bool launched_by_mpi();
// Ends every rank with `code` (after an error seen by one rank only).
[[noreturn]] void abort(int code);

int rank();
int size();
inline bool is_root() { return rank() == 0; }
// Rank among the ranks of this node (rank → local GPU).
int local_rank();
// "MPI (Open MPI x.y)" or "none".
std::string library();

// This rank's share [begin, end) of [0, n), cut at multiples of `block`. Without `weight`, an
// equal number of blocks per rank. With it (a [mesh] symmetry scan: the stars' sizes, 0 off
// their representatives, which crowd the mesh's first indices), equal numbers of points of
// nonzero weight, the points that are evaluated.
struct Share {
    long long begin, end;
};
Share share(long long n, long long block, const std::uint8_t* weight = nullptr);
// The share of rank `rank` of `size` (share's rule; every rank computes all of them alike).
Share share_of(int rank, int size, long long n, long long block, const std::uint8_t* weight = nullptr);
// Progress of the whole run estimated from this rank's position `at` in its share.
inline long long scaled_progress(long long at, Share s, long long n) {
    const long long len = s.end - s.begin;
    return len > 0 ? static_cast<long long>(static_cast<double>(at - s.begin) / static_cast<double>(len) * static_cast<double>(n)) : n;
}

// Partial sums → the total over ranks, folded in rank order; the same on every rank.
void combine(std::vector<Neumaier>& partial);
// True on every rank when `ok` is true on every rank.
bool all(bool ok);
// The smallest non-negative value over ranks, or −1 when every rank has −1.
long long combine_first(long long index);
// The concatenation over ranks, in rank order.
void combine_concat(std::vector<long long>& values);
void barrier();

}  // namespace bzint::ranks
