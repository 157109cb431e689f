// The kernel polynomial method for the local density ⟨o|f(H)|o⟩ of a sparse Hamiltonian:
// the Fermi function expanded in Chebyshev polynomials of the scaled H̃ = (H − center)/half_width,
// f(H) = Σ_n c_n T_n(H̃), and the diagonal moments μ_n = ⟨o|T_n(H̃)|o⟩ from the three-term
// recursion. At T > 0 the Fermi function is analytic on [−1, 1] and c_n falls off geometrically,
// so the series is truncated where its tail is below a tolerance and no damping kernel (Jackson)
// is needed: the result is exact to that tolerance (|μ_n| ≤ 1 bounds the rest).
#pragma once
#include <array>
#include <complex>
#include <vector>

#include "../backend.hpp"
#include "../progress.hpp"
#include "box_hamiltonian.hpp"
#include "random_trace.hpp"
#include "bzint/kpm_moments.hpp"

namespace bzint {

struct ChebyshevScale {
    double center = 0.0, half_width = 1.0;
};

// Gershgorin's bounds of the spectrum, widened by 1% so that H̃'s spectrum lies inside [−1, 1].
ChebyshevScale chebyshev_scale(const SparseHamiltonian& H);

// The moments a tolerance needs: from the Fermi function's poles at μ ± iπT, the nearest to [−1, 1]
// in x = (E − center)/half_width sets the coefficients' decay ρ^{−n}, ln ρ = Re acosh x; the largest
// over the levels. A double: the caller compares it with its limit before it counts with it.
double moments_needed(ChebyshevScale s, const std::vector<double>& mu, double T, double tolerance);
// An upper bound of moments_needed for any level and any center with half_width ≤ spectral_radius:
// ln ρ ≥ asinh(Im x) (ρ grows with |Re x|), Im x = πT/half_width.
double moments_bound(double spectral_radius, double T, double tolerance);

// c[level][n], n < moments, by Gauss–Chebyshev quadrature on 4 × moments nodes (a type-II DCT);
// tail: the largest over the levels of Σ_{n ≥ moments} |c_n| among the quadrature's coefficients
// above its rounding (8ε), and at least the nearest poles' geometric tail.
struct FermiSeries {
    std::vector<std::vector<double>> c;
    double tail = 0.0;
};
FermiSeries fermi_series(ChebyshevScale s, const std::vector<double>& mu, double T, long long moments);

// H as plain data for the recursion of include/bzint/kpm_moments.hpp (a view: H must outlive it).
ChebyshevRecursion chebyshev_recursion(const SparseHamiltonian& H, ChebyshevScale s, long long moments);

// μ_n = ⟨o|T_n(H̃)|o⟩ for n < moments (kpm_moments.hpp), on this thread. Polls the stop flag (stop.hpp).
std::vector<double> diagonal_moments(const SparseHamiltonian& H, ChebyshevScale s, long long orbital, long long moments);

// ⟨r|f(H)|r⟩ = Σ_n c[level][n] Re⟨r|T_n(H̃)|r⟩ per level for any start vector |r⟩ (random_trace.hpp's),
// on this thread: kpm_moments.hpp's recursion from |r⟩, one sparse product per two moments. Polls the
// stop flag at every product.
std::vector<double> vector_fermi_sums(const SparseHamiltonian& H, ChebyshevScale s, const FermiSeries& series,
                                      const std::vector<std::complex<double>>& r);

// Re(r_o* ⟨o|f(H)|r⟩) per level for each orbital o of `support` ([index × levels + level]): the
// diagonal estimate of f(H) from the start vector |r⟩ (random_trace.hpp's random_diagonal), whose
// sum over every o with r_o ≠ 0 is vector_fermi_sums'. f(H)|r⟩ = Σ_n c_n T_n(H̃)|r⟩ is summed at the
// support alone (kpm_moments.hpp's add_at_support), one sparse product per moment.
// On this thread; polls the stop flag at every product.
std::vector<double> vector_fermi_diagonal(const SparseHamiltonian& H, ChebyshevScale s, const FermiSeries& series,
                                          const std::vector<std::complex<double>>& r, const std::vector<long long>& support);

// vector_fermi_sums of every job of a trace (random_trace.hpp; its twist's matrix H[twist]), its
// `levels` numbers handed to `take`: on the worker pool, or on the device (Backend::cuda: batches of
// jobs, a thread each, the same recursion). `progress` counts jobs; Ctrl-C is polled.
void kpm_vector_sums(Backend b, const std::vector<SparseHamiltonian>& H, ChebyshevScale s, const FermiSeries& series,
                     const TraceJobs& jobs, const JobValues& take, Progress& progress);

// vector_fermi_diagonal of every job at its colour's support, support[colour] (levels numbers per
// orbital, [index × levels + level]), likewise on either backend.
void kpm_vector_diagonal(Backend b, const std::vector<SparseHamiltonian>& H, ChebyshevScale s, const FermiSeries& series,
                         const TraceJobs& jobs, const std::vector<std::vector<long long>>& support, const JobValues& take,
                         Progress& progress);

// ⟨o|f(H)|o⟩ = Σ_n c[level][n] μ_n for each job {matrix, orbital}: [job × levels + level]. On the
// worker pool, or on the device (Backend::cuda: each matrix's orbitals as batches of threads); the
// same recursion either way. `progress` counts jobs; Ctrl-C is polled.
std::vector<double> kpm_diagonal(Backend b, const std::vector<SparseHamiltonian>& H, ChebyshevScale s, const FermiSeries& series,
                                 const std::vector<std::array<long long, 2>>& jobs, Progress& progress);

}  // namespace bzint
