// The kernel polynomial method for the local density ⟨o|f(H)|o⟩ of a sparse Hamiltonian:
// the Fermi function expanded in Chebyshev polynomials of the scaled H̃ = (H − center)/half_width,
// f(H) = Σ_n c_n T_n(H̃), and the diagonal moments μ_n = ⟨o|T_n(H̃)|o⟩ from the three-term
// recursion. At T > 0 the Fermi function is analytic on [−1, 1] and c_n falls off geometrically,
// so the series is truncated where its tail is below a tolerance and no damping kernel (Jackson)
// is needed: the result is exact to that tolerance (|μ_n| ≤ 1 bounds the rest).
#pragma once
#include <vector>

#include "box_hamiltonian.hpp"

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
// tail: the largest over the levels of Σ_{n ≥ moments} |c_n| among the quadrature's coefficients.
struct FermiSeries {
    std::vector<std::vector<double>> c;
    double tail = 0.0;
};
FermiSeries fermi_series(ChebyshevScale s, const std::vector<double>& mu, double T, long long moments);

// μ_n = ⟨o|T_n(H̃)|o⟩ for n < moments, with two moments per product: μ_{2n} = 2⟨v_n|v_n⟩ − μ_0,
// μ_{2n+1} = 2 Re⟨v_{n+1}|v_n⟩ − μ_1, v_n = T_n(H̃)|o⟩. Polls the stop flag (stop.hpp).
std::vector<double> diagonal_moments(const SparseHamiltonian& H, ChebyshevScale s, long long orbital, long long moments);

}  // namespace bzint
