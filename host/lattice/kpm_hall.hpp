// The Hall conductivity of a box beyond dense sizes: the Kubo–Bastin formula with a Lorentzian
// broadening η, by the kernel polynomial method (after García, Covaci and Rappoport, PRL 114,
// 116602 (2015), with the two-energy weight expanded exactly instead of through a damping kernel;
// docs/textures.md "The Hall conductivity by the kernel polynomial method").
//
// At one twist, with V_i = ∂H/∂θ_i (box_twist_derivatives) and X_nm = ⟨n|V_1|m⟩⟨m|V_2|n⟩,
//   S_η = −2 Σ_{n,m} f(E_n − μ) Im[X_nm/(E_n − E_m − iη)²], antisymmetrised in 1 ↔ 2,
//       = −2 Σ_{n≠m} f_n Im X_nm ((E_n − E_m)² − η²)/((E_n − E_m)² + η²)²,
// the Bastin form of Σ_n f_n Ω_n (twist_kubo.hpp), to which it tends as η → 0 — as η² where the
// pairs straddling μ are split by more than η. In the Chebyshev variable x = (E − b)/a of H̃,
//   S_η = −(1/a²) Im Σ_{a',b'} c_{a'b'} (μ_{a'b'} − μ_{b'a'}),   μ_{a'b'} = Tr[V_1 T_{a'}(H̃) V_2 T_{b'}(H̃)],
// with c the double Chebyshev coefficients of F(x, y) = f(y)/(y − x − iη̃)², η̃ = η/a: smooth on
// [−1, 1]² for η > 0, so c falls geometrically (as e^{−max(a', b') asinh η̃}, and in b' also with
// the Fermi function's poles) and the series is cut
// where the dropped part is below a tolerance. In x the expansion is closed (ResolventSquare); in y
// it is Gauss–Chebyshev quadrature. The trace is taken over start vectors |r⟩: all unit vectors
// (exact) or random phases (unbiased, with a spread that gives its error).
#pragma once
#include <Eigen/Dense>

#include <array>
#include <complex>
#include <memory>
#include <vector>

#include "../progress.hpp"
#include "box_hamiltonian.hpp"
#include "kpm.hpp"
#include "random_trace.hpp"

struct fftw_plan_s;

namespace bzint {

// 1/(z − x)² = Σ_a (2 − δ_a0) T_a(x) ζ^a (a s + z)/s³ for x ∈ [−1, 1] and z off it, with
// s = √(z − 1)√(z + 1) (the branch ~ z at infinity) and ζ = z − s, |ζ| < 1: the z-derivative of
// 1/(z − x) = Σ_a (2 − δ_a0) T_a(x) ζ^a/s, the generating function Σ_a (2 − δ_a0) T_a(x) t^a =
// (1 − t²)/(1 − 2tx + t²) at t = ζ (ζ + 1/ζ = 2z), with dζ/dz = −ζ/s and ds/dz = z/s.
struct ResolventSquare {
    std::complex<double> z, s, zeta;
    explicit ResolventSquare(std::complex<double> z_);
    // The a-th term's coefficient, given ζ^a.
    std::complex<double> coefficient(long long a, std::complex<double> zeta_power) const {
        return zeta_power * (double(a) * s + z) / (s * s * s);
    }
};

// The series for levels mu at T > 0 and each broadening η (energy) on the scale `scale`: M moments
// per index, Q = 2M quadrature nodes y_j = cos(π(j + ½)/Q) in y.
struct BastinSeries {
    ChebyshevScale scale;
    std::vector<double> mu, broadening;
    double T = 0.0;
    long long moments = 0, nodes = 0;
    // Σ|c_{a'b'}| over the coefficients left out, (a', b') ∈ [0, 2M)² \ [0, M)², the largest over
    // levels and broadenings: with |μ_{a'b'} − μ_{b'a'}| ≤ 2‖V_1‖‖V_2‖ × dim it bounds S's truncation.
    double tail = 0.0;
    std::vector<double> f;                           // f(E(y_j) − μ_l) [level × Q + j]
    std::vector<std::complex<double>> square_u, square_v, zeta;  // per broadening × Q: 1/s², z/s³, ζ
    std::shared_ptr<fftw_plan_s> dct;                // the type-III DCT of Q points (thread-safe execute)
};

// The shortest series from `start` moments (grown by a quarter while the tail exceeds `tolerance`)
// up to `limit`. Polls Ctrl-C.
BastinSeries bastin_series(ChebyshevScale scale, const std::vector<double>& mu, double T, const std::vector<double>& broadening,
                           double tolerance, long long start, long long limit);

// The series' two decay rates per index: asinh(η̃) from the broadening, and the nearest of the
// Fermi function's poles μ ± iπT over the levels, Re acosh((μ − b + iπT)/a).
struct BastinRates {
    double broadening = 0.0, fermi = 0.0;
};
BastinRates bastin_rates(ChebyshevScale scale, const std::vector<double>& mu, double T, double broadening);

// The moments they call for: ln(magnitude/tolerance) over the slower of the two rates (a double,
// for the caller's limit check).
double bastin_moments_needed(ChebyshevScale scale, const std::vector<double>& mu, double T, double broadening, double magnitude,
                             double tolerance);

// μ_{a'b'} = ⟨r|V_1 T_{a'}(H̃) V_2 T_{b'}(H̃)|r⟩ for a', b' < moments: the inner products of
// T_{a'}(H̃)V_1|r⟩ (kept, dim × moments) with V_2 T_{b'}(H̃)|r⟩ (in blocks), one complex GEMM.
// Polls Ctrl-C.
Eigen::MatrixXcd hall_moments(const SparseHamiltonian& H, const std::array<SparseHamiltonian, 2>& V, ChebyshevScale scale,
                              long long moments, const std::vector<std::complex<double>>& r);

// S_η for each broadening and level, [broadening × levels + level], from one vector's moments.
std::vector<double> bastin_sums(const BastinSeries& series, const Eigen::MatrixXcd& moments);

// Every twist's S_η: exactly (trace.draws = 0; jobs (twist, chunk of 64 unit vectors) whose moments
// are summed first, each taking the Bastin sums once, folded per twist in the jobs' order: the
// result does not depend on the threads), or by random_trace. Row t (width (E + 1) × levels, E
// broadenings): the trace's S_η [broadening × levels + level], and then the variance of a random
// trace's mean for the first broadening [E × levels + level] (0 for the exact trace). `progress`
// counts start vectors; Ctrl-C is polled.
std::vector<double> twist_bastin_sums(const std::vector<SparseHamiltonian>& H, const std::vector<std::array<SparseHamiltonian, 2>>& V,
                                      const BastinSeries& series, const TraceSampling& trace, Progress& progress);

// ‖A‖ ≤ max_i Σ_j |A_ij| (A Hermitian): for the tail's bound.
double row_sum_norm(const SparseHamiltonian& A);

}  // namespace bzint
