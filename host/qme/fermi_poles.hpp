// Padé (Ozaki) expansion of the Fermi function, for the exact reservoir hierarchy:
//   f(x) = 1/(e^{x/T} + 1) = ½ − Σ_{p=1}^{P} η_p [(x/T + iζ_p)⁻¹ + (x/T − iζ_p)⁻¹].
// T. Ozaki, PRB 75, 035123 (2007): ±1/ζ_p are the eigenvalues of the 2P×2P symmetric
// tridiagonal matrix B_{m,m+1} = 1/(2√((2m−1)(2m+1))), and η_p = v_p(1)²/(4 b_p²) with v_p the
// normalised eigenvector of b_p = 1/ζ_p > 0.
#pragma once
#include <vector>

#include "bzint/qme/exact_reservoir.hpp"

namespace bzint {

struct FermiPoles {
    std::vector<double> zeta;  // ζ_p > 0, ascending
    std::vector<double> eta;   // η_p
    double error = 0.0;        // max |f − expansion| over the range it was chosen for
};

FermiPoles ozaki_poles(int P);

// The pole-sum value of f(x) at temperature T.
double fermi_from_poles(const FermiPoles& poles, double x, double T);

// The fewest poles (≥ 2) whose expansion is within `tolerance` of f over |x| ≤ x_max.
FermiPoles choose_fermi_poles(double x_max, double T, double tolerance);

// The exact Lorentzian-broadened occupation of a level at ε coupled to the wide-band reservoir:
// n(ε) = ½ − (1/π) Im ψ(½ + (Γ + i(ε − μ))/(2πT)).
double broadened_occupation_exact(double e, double gamma, double mu, double T);

// max over ε ∈ [emin, emax] of |n_poles(ε) − n_exact(ε)|.
double reservoir_pole_error(const FermiPoles& poles, double gamma, double mu, double T, double emin, double emax);

// The fewest Ozaki poles (from 8, ×1.5) whose broadened occupation is within `tolerance` of
// the exact one over the spectrum [emin, emax]; `error` records the achieved accuracy.
FermiPoles choose_reservoir_poles(double gamma, double mu, double T, double emin, double emax, double tolerance);

// The hierarchy's parameters for given poles and step h (ETDRK4 coefficients per block). Holds
// the arrays ExactParams points into: not copyable.
struct ExactSetup {
    FermiPoles poles;
    std::vector<EtdCoefficients> coef;
    ExactParams x;
    ExactSetup(FermiPoles p, double gamma, double T, double h);
    ExactSetup(const ExactSetup&) = delete;
    ExactSetup& operator=(const ExactSetup&) = delete;
};

}  // namespace bzint
