// Traces over a box's orbitals from random-phase start vectors, plain or probed by colours, for
// the kernel polynomial method's Hall sum (kpm_hall.hpp) and the electrons in the box (kpm.hpp),
// and the diagonal from the same vectors, for the densities (random_diagonal); docs/textures.md
// "The trace".
//
// A trace Tr A is estimated from a start vector |r⟩ by ⟨r|A|r⟩:
// - draws = R ≥ 2 with one colour: R random-phase vectors (random_phase_vector), each ⟨r|A|r⟩ an
//   unbiased estimate of Tr A whose noise is Σ_{i≠j} φ_i* φ_j A_ij, variance Σ_{i≠j} |A_ij|²;
// - draws = R with C colours (probing; Tang and Saad, Numer. Linear Algebra Appl. 19, 485 (2012),
//   with random phases as in Stathopoulos, Laeuchli and Orginos, SIAM J. Sci. Comput. 35, S299
//   (2013); lattice QCD's "dilution", Foley et al., Comput. Phys. Commun. 172, 145 (2005)): each
//   draw's phases split by the orbitals' colours into C vectors |r_c⟩, and Σ_c ⟨r_c|A|r_c⟩ keeps
//   only the pairs i ≠ j of one colour. It is still unbiased, and where A_ij falls off with the
//   distance between i and j, colours that put equal-coloured orbitals far apart
//   (probing_colours) leave only A's far, small elements in the noise. Colours are independent
//   (disjoint phases), so the variance of a draw is Σ_c Var⟨r_c|A|r_c⟩, estimated from each
//   colour's spread over the R draws: up to C(R − 1) degrees of freedom where one colour has
//   R − 1 (fewer where the colours' variances differ, by Welch–Satterthwaite).
#pragma once
#include <complex>
#include <cstddef>
#include <functional>
#include <vector>

#include "../progress.hpp"

namespace bzint {

struct TraceSampling {
    long long draws = 0;  // 0: the exact trace over every unit vector
    unsigned long long seed = 1;
    long long colours = 1;
    std::vector<int> colour;  // per orbital, 0 … colours − 1 (empty with one colour)
};

// The probing colours of a box of S_1 × S_2 cells of N orbitals (orbital o = N c + α, cell c =
// n_1 S_2 + n_2, box_hamiltonian.hpp): α + N((n_1 mod d_1) d_2 + n_2 mod d_2), N d_1 d_2 colours.
// Orbitals of one colour are the same orbital α of cells whole multiples of d_i apart along a_i,
// across the box's periodic (twisted) boundary too when d_i divides S_i, which the caller checks.
// d_i = S_i makes every orbital its own colour: the exact trace, each unit vector times a phase of
// modulus 1.
std::vector<int> probing_colours(int orbitals, const int cells[2], const int distance[2]);

// The start vector `index` of twist `twist`: random phases e^{iφ_i} from splitmix64 seeded by
// (seed, twist, index), the same on every machine and thread count.
std::vector<std::complex<double>> random_phase_vector(unsigned long long seed, long long twist, long long index, long long dim);

// The jobs (twist, colour, draw) of a trace's sampling, twist-major, then colour, then draw, and
// each job's start vector: draw k's phases random_phase_vector(seed, twist, k) kept on the
// orbitals of the colour. The sampling must outlive the jobs.
class TraceJobs {
public:
    TraceJobs(long long twists, long long dim, const TraceSampling& trace);  // checks the colours
    TraceJobs(long long, long long, TraceSampling&&) = delete;             // (it keeps a reference)
    long long count() const { return twists_ * trace_.colours * trace_.draws; }
    long long twists() const { return twists_; }
    long long dim() const { return dim_; }
    const TraceSampling& sampling() const { return trace_; }
    long long twist(long long job) const { return job / (trace_.colours * trace_.draws); }
    long long colour(long long job) const { return (job / trace_.draws) % trace_.colours; }
    std::vector<std::complex<double>> start(long long job) const;

private:
    long long twists_, dim_;
    const TraceSampling& trace_;
};

// A job's `count` numbers as it ends: from the workers concurrently (each job once), or from a
// device batch on the calling thread. The receiver checks the count.
using JobValues = std::function<void(long long job, const double* values, std::size_t count)>;

// Runs every job and hands over its numbers (a backend's runner: kpm.hpp's, or one of the worker
// pool's below). `width` numbers a job for a trace; for a diagonal, `width` per orbital of the
// job's colour's support (random_diagonal).
using TraceRunner = std::function<void(const TraceJobs& jobs, const JobValues& take)>;
using DiagonalRunner =
    std::function<void(const TraceJobs& jobs, const std::vector<std::vector<long long>>& support, const JobValues& take)>;

// ⟨r|A|r⟩ of twist t's operator, the job's `width` numbers (several levels or broadenings at once).
using VectorSums = std::function<std::vector<double>(long long twist, const std::vector<std::complex<double>>& r)>;
// Re(r_o* ⟨o|A|r⟩) of twist t's operator for each orbital o of `support` (those with r_o ≠ 0),
// `width` numbers each ([index × width + w]).
using VectorDiagonal = std::function<std::vector<double>(long long twist, const std::vector<std::complex<double>>& r,
                                                         const std::vector<long long>& support)>;

// Runners on the worker pool, a job per worker at a time; `progress` counts jobs, Ctrl-C is
// polled between them and ends the run (StopRequested) once the running jobs are done.
TraceRunner sums_on_workers(const VectorSums& sums, Progress& progress);
DiagonalRunner diagonal_on_workers(const VectorDiagonal& diagonal, Progress& progress);

// Every twist's trace from trace.draws ≥ 1 draws, folded per twist in a fixed order (the bits do
// not depend on the threads). Row t (width + variance_width): the mean over the draws of each
// draw's sum over its colours, and the variance of that mean for the first variance_width numbers
// (0 with one draw). `progress` counts start vectors; Ctrl-C is polled.
std::vector<double> random_trace(long long twists, long long dim, const TraceSampling& trace, std::size_t width,
                                 std::size_t variance_width, const VectorSums& sums, Progress& progress);

// The jobs' sums before their fold: [twist][colour][draw][width] (fold_draws' input), for a
// caller that folds differences of two traces drawn with the same phases.
std::vector<double> random_trace_jobs(const TraceJobs& jobs, std::size_t width, const TraceRunner& run);

// The rows of random_trace from the job sums [twist][colour][draw][width] (the jobs' order there):
// per twist the mean over the draws of each draw's sum over its colours, then for the first
// variance_width numbers each colour's sample variance over the draws, summed over the colours, over
// the draws (0 with one draw). The same order of sums whatever the threads.
std::vector<double> fold_draws(long long twists, long long colours, long long draws, std::size_t width, std::size_t variance_width,
                               const std::vector<double>& job_sums);

// The diagonal of A by probing (Bekas, Kokiopoulou and Saad, Appl. Numer. Math. 57, 1214 (2007)):
// from the jobs (twist, colour, draw), orbital o's estimate A_oo + Re Σ_j φ_o* φ_j A_oj over the
// other orbitals j of its colour, unbiased, and exact where o is its colour's only orbital. The
// runner gets each colour's orbitals (increasing) as the supports.
struct RandomDiagonal {
    // [twist][draw][selected orbital][width]: each selected orbital's estimate in each draw (from
    // its own colour's vector), for the caller's sums over orbitals and spreads over the draws.
    std::vector<double> selected;
    // [twist][colour][draw][width]: each job's sum over its colour's orbitals, ⟨r_c|A|r_c⟩, whose
    // fold_draws is the trace's (as random_trace's).
    std::vector<double> colour_sums;
};
RandomDiagonal random_diagonal(const TraceJobs& jobs, std::size_t width, const std::vector<long long>& selected,
                               const DiagonalRunner& run);

}  // namespace bzint
