// A textured lattice model with N orbitals per cell on a periodic box of S_1 × S_2 cells as a sparse
// matrix: the model's hoppings H(R) (hoppings.hpp) between cells, plus an on-site block in each cell c
// (a scalar potential and the exchange J m(r_c)·S of a texture at the cell's position), with twisted
// boundary conditions ψ(n + S_i e_i) = e^{iθ_i} ψ(n): the box is then one cell of a superlattice and
// θ_i = K·S_i a_i its Bloch momentum. Orbital o = N c + α, cell c = n_1 S_2 + n_2.
#pragma once
#include <array>
#include <complex>
#include <vector>

#include "bzint/texture.hpp"
#include "hoppings.hpp"

namespace bzint {

// Every cell's on-site block, N × N by rows, cell after cell: the potential at each orbital's
// position (they differ where the orbitals sit apart in the cell) and the exchange field.
using OnSiteBlocks = std::vector<std::complex<double>>;

// Appends a two-orbital cell's block diag(U_1, U_2) + f·σ.
void add_two_orbital_site(OnSiteBlocks& blocks, const std::array<double, 2>& potential, const std::array<double, 3>& field);

struct SparseHamiltonian {
    long long dim = 0;
    std::vector<long long> row_start;  // dim + 1
    std::vector<long long> column;
    std::vector<std::complex<double>> value;

    // y = (H − center) x / half_width, the Chebyshev variable's matrix (kpm.hpp).
    void scaled_apply(const std::complex<double>* x, std::complex<double>* y, double center, double half_width) const;
};

// A vector potential on the box: the hop from cell c's orbital to cell c + R's gains the Peierls
// phase exp(i ∫ a·dl) along the straight segment from r_c to r_c + R, so that a uniform a would
// turn H_0(k) into H_0(k + a), the kinetic momentum of charge −e (texture.hpp). Two parts:
// - a modulated B_z's a(r) (FieldModulation), periodic over the box;
// - a uniform B_z in the symmetric gauge a = (B × r)/2, whose ∫ a·dl = (B_z/2)(r_c × R)_z. It is not
//   periodic: a(r + L) = a(r) + ∇χ_L with χ_L(r) = (B_z/2)(L × r)_z for a box translation
//   L = w_1 S_1 a_1 + w_2 S_2 a_2, and the box is a magnetic torus with the boundary condition
//   ψ(r + L) = exp(i[θ·w + π N_φ w_1 w_2 − χ_L(r)]) ψ(r), which H preserves. The two translations
//   commute only for a whole number N_φ = B_z (L_1 × L_2)_z/2π of flux quanta through the box, and
//   the term π N_φ w_1 w_2 makes the phases of composed translations agree (their cocycle
//   (B_z/2)(L' × L)_z is then a multiple of π). docs/textures.md derives it.
// a_1, a_2: the lattice vectors' in-plane parts; box: the cells S_1, S_2 (for L). Orbital α sits
// at r_c + τ_α (τ in-plane, one per orbital; empty: every orbital at the cell's origin, the
// periodic gauge), and its hops run between those positions.
struct PeierlsField {
    FieldModulation modulation;
    double a1[2], a2[2];
    double uniform_bz = 0.0;     // B_z (ħ/(e length²))
    long long flux_quanta = 0;   // N_φ, checked whole by the caller
    int box[2] = {1, 1};
    std::vector<std::array<double, 2>> tau;
    std::array<double, 2> position(int a) const {
        return tau.empty() ? std::array<double, 2>{0.0, 0.0} : tau[static_cast<std::size_t>(a)];
    }
    bool any() const { return modulation.amplitude != 0.0 || uniform_bz != 0.0; }
    // The phase of the hop from the orbital at r (its cell in the box) by the displacement R, whose
    // target lies w box translations away from its image in the box.
    double phase(const double r[2], const double R[2], const long long w[2]) const;
};
// Polls the stop flag (stop.hpp) every 4096 cells. orbitals: N, per cell; on_site: N² per cell;
// peierls: null for none.
SparseHamiltonian box_hamiltonian(int orbitals, const std::vector<Hopping>& hoppings, const int cells[2],
                                  const OnSiteBlocks& on_site, const double twist[2], const PeierlsField* peierls = nullptr);

// The twist's derivatives ∂H/∂θ_i (i = 1, 2) for the Hall response (twist_kubo.hpp), taken in the
// gauge that spreads the twist over the box — ψ̃ = e^{−iK·r}ψ with K·(S_i a_i) = θ_i, where each hop
// from r to r + R gains e^{iK·R}, so that H̃(K) is the superlattice's Bloch Hamiltonian with the
// orbitals at their positions (Berry curvature in the convention of models with orbital phases,
// docs/conventions.md) — and taken back to box_hamiltonian's basis: each hop's entry times
// i (R_i/S_i), R_i its displacement from orbital to orbital along a_i in lattice units
// (tau_fraction[α]: orbital α's position in the cell along a_1, a_2; empty: all at the origin). The
// on-site terms do not depend on θ.
std::array<SparseHamiltonian, 2> box_twist_derivatives(int orbitals, const std::vector<Hopping>& hoppings, const int cells[2],
                                                       const double twist[2], const PeierlsField* peierls,
                                                       const std::vector<std::array<double, 2>>& tau_fraction);

}  // namespace bzint
