// The Hall conductivity of a box (box_hamiltonian.hpp) at any μ and T, in a gap or in a band, by
// the Kubo formula on its torus of twists: the box is one cell of a superlattice with Bloch
// momentum K = θ/(S a), and its intrinsic σ_xy is the Fermi-sea integral of the Berry curvature
// of the superlattice's bands (Thouless, Kohmoto, Nightingale and den Nijs 1982; Haldane 2004, for
// a metal),
//   σ_xy = −(e²/h) C(μ, T),  C = (1/2π) ∫ d²θ Σ_n f(E_n(θ) − μ) Ω_n(θ),
//   Ω_n = −2 Im Σ_{m≠n} ⟨n|∂_{θ1}H|m⟩⟨m|∂_{θ2}H|n⟩ / (E_n − E_m)²,
// the curvature of the twist torus (a 2-form: the same in θ as in K), with ∂H from
// box_twist_derivatives. In a gap of the box at T = 0, C is the Chern number of twist_chern.hpp;
// in a band it is the Hall conductivity that Středa's count is only a part of.
#pragma once
#include <array>
#include <vector>

#include "box_hamiltonian.hpp"
#include "dense_density.hpp"

namespace bzint {

// Σ_n f(E_n − μ_j) Ω_n at one twist, per level μ_j (occupation() of dense_density.hpp: T = 0 allowed),
// summed over pairs as Σ_{n<m} (f_n − f_m)(−2 Im ⟨n|∂_1H|m⟩⟨m|∂_2H|n⟩)/(E_n − E_m)². Pairs closer
// than 1e-9 max(1, |E|) are taken as degenerate and left out: an exact degeneracy's pair carries
// one f and cancels, but split by rounding it would give f'/(E_n − E_m) times a basis-dependent
// overlap (a degenerate subspace's curvature is its sum, not its members'). A pair truly split by
// less that straddles μ at T = 0 is lost with them (docs/textures.md: μ on two levels).
//
// With a broadening η > 0 (broadening[i], energy) each pair's 1/(E_n − E_m)² becomes the Bastin
// formula's ((E_n − E_m)² − η²)/((E_n − E_m)² + η²)² (kpm_hall.hpp): no pair is left out then (a
// pair split by rounding carries f_n − f_m ≈ 0 against at most 1/η²). Result [broadening × levels + level].
std::vector<double> twist_berry_sum(const Eigenstates& states, const std::array<SparseHamiltonian, 2>& derivative,
                                    const std::vector<double>& mu, double T, const std::vector<double>& broadening = {0.0});

}  // namespace bzint
