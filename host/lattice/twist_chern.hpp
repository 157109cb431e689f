// The Hall response of a box (box_hamiltonian.hpp) from its twisted boundary conditions: the
// Chern number of the states below μ over the torus of twists θ ∈ [0, 2π)² (Niu, Thouless and Wu,
// Phys. Rev. B 31, 3372 (1985)), σ_xy = C e²/h in the sign convention of task chern
// (docs/conventions.md), by the link method of Fukui, Hatsugai and Suzuki (J. Phys. Soc. Jpn. 74,
// 1674 (2005)) on the twist mesh: each plaquette's flux is the argument of a product of four
// determinants of occupied-state overlaps, so the sum is an integer on any mesh fine enough that
// every plaquette's flux stays below π.
#pragma once
#include <string>
#include <vector>

#include "dense_density.hpp"

namespace bzint {

struct TwistChern {
    bool gapped = false;    // the same number of states below μ at every twist
    long long filled = 0;   // that number
    double gap_below = 0.0, gap_above = 0.0;  // min over twists of μ − E_{filled−1} and E_filled − μ
    double chern = 0.0;     // Σ plaquette fluxes / 2π on the full mesh
    double chern_coarse = 0.0;  // the same on the every-other sub-mesh
};

// states[t1 × n2 + t2] at θ = 2π(t1/n1, t2/n2); n1, n2 even.
TwistChern twist_chern(const std::vector<Eigenstates>& states, int n1, int n2, double mu);

}  // namespace bzint
