// Linear response of a two-band model with scalar Gaussian white-noise disorder in the
// Born approximation, from the states on its Fermi contour (the disorder paper, Eqs. 27–63;
// derivation and the reduction of every pair sum to 2×2 aggregates: docs/disorder.md).
#pragma once
#include <vector>

#include "bzint/disorder.hpp"

namespace bzint {

// Responses per unit field E = ê_b (b = x, y); conductivities in e²/ħ, spin densities as
// ⟨σ⟩ per unit area (Pauli matrices). [a][b]: current (spin) component a, field b.
struct BornResponse {
    double sigma_drude[2][2];  // −Σ v n^(−1)                       (∝ 1/u0²)
    double sigma_ext[2][2];    // −Σ β n^(−1)                       (Eq. 75)
    double sigma_sj[2][2];     // −Σ v n^(sj)                       (Eq. 79)
    double sigma_sk[2][2];     // −Σ v n^(sk), both shells          (Eq. 83)
    double s_edelstein[3][2];  //  Σ s n^(−1)                       (Eq. 87)
    double s_ext[3][2];        //  Σ γ n^(−1)                       (Eq. 97)
    double s_sj[3][2];         //  Σ s n^(sj)                       (Eq. 100)
    double s_sk[3][2];         //  Σ s n^(sk), both shells          (Eq. 102)
    double dos;                // Σ w: states per energy and area at μ
    double rate_out;           // ⟨1/τ_out⟩ = Σ_i w_i 2π u0² Σ_j w_j |⟨u_i|u_j⟩|² / Σ w
    bool skew;                 // false: σ_sk and s_sk were not computed (d0 ≠ 0 on the contour)
};

// `skew` asks for the skew-scattering pieces; they need the second energy shell of the
// other band at the same k, exact when d0 = 0 at every contour point (docs/disorder.md §5),
// otherwise they are skipped and `skew` is false in the result.
BornResponse born_response(const std::vector<FsState>& fs, double u0sq, bool skew);

// The same from explicit pair sums over all point pairs and a dense conjugate-gradient
// solve of the Boltzmann systems: O(N²), the reference path for tests and benchmarks.
BornResponse born_response_reference(const std::vector<FsState>& fs, double u0sq, bool skew);

// d0 small enough on every contour point for the skew term's mirror shell.
bool mirror_shell_exact(const std::vector<FsState>& fs);

}  // namespace bzint
