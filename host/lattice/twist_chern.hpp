// The Hall response of a box (box_hamiltonian.hpp) from its twisted boundary conditions: the
// Chern number C of the states below μ over the torus of twists θ ∈ [0, 2π)² (Niu, Thouless and
// Wu, Phys. Rev. B 31, 3372 (1985)), σ_xy = −C e²/h with C in the sign convention of task chern
// (docs/conventions.md), by the link method of Fukui, Hatsugai and Suzuki (J. Phys. Soc. Jpn. 74,
// 1674 (2005)) on the twist mesh: each plaquette's flux is the argument of a product of four
// determinants of occupied-state overlaps, so the sum is an integer on any mesh fine enough that
// every plaquette's flux stays below π.
#pragma once
#include <vector>

#include "../progress.hpp"
#include "dense_density.hpp"

namespace bzint {

struct TwistChern {
    bool gapped = false;    // the same number of states below μ at every twist
    bool singular = false;  // some link's overlap nearly singular: the mesh does not resolve the states
    long long filled = 0;   // the states below μ
    double gap_below = 0.0, gap_above = 0.0;  // min over twists of μ − E_{filled−1} and E_filled − μ
    double chern = 0.0;         // on the full mesh
    double chern_coarse = 0.0;  // on the every-other sub-mesh
    // Each row of plaquettes, θ_1 from t1 to t1 + 1 summed over θ_2, in chern's units (their sum is
    // chern): for a pump, whose θ_1 is time, the particles carried in that time step. rows_coarse:
    // the sub-mesh's, from each even t1 to t1 + 2.
    std::vector<double> rows, rows_coarse;
};

// Per level μ_j; states[t1 × n2 + t2] at θ = 2π(t1/n1, t2/n2), n1, n2 even. The links are computed
// once per number of filled states, on the worker pool (Ctrl-C is polled between links;
// `progress` counts them).
std::vector<TwistChern> twist_chern(const std::vector<Eigenstates>& states, int n1, int n2, const std::vector<double>& mu,
                                    Progress* progress);

// The links a call will compute for `distinct` different filled counts: per count the full mesh's
// 2 n1 n2 and the sub-mesh's n1 n2 / 2.
long long twist_links(int n1, int n2, long long distinct);

}  // namespace bzint
