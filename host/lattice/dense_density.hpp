// The exact densities of a box Hamiltonian (box_hamiltonian.hpp) by full diagonalisation
// (Eigen's SelfAdjointEigenSolver): per cell c and level μ, n_c = Σ_n f(E_n − μ) Σ_{α} |ψ_n(c, α)|²,
// and the electrons in the box, Σ_n f(E_n − μ).
#pragma once
#include <Eigen/Dense>
#include <vector>

#include "box_hamiltonian.hpp"

namespace bzint {

struct Eigenstates {
    Eigen::VectorXd energy;   // ascending
    Eigen::MatrixXcd vector;  // columns, in the same order
};

Eigenstates diagonalise(const SparseHamiltonian& H);

// A level's occupation at E − μ = x: the Fermi function at T > 0, and at T = 0 its limit T → 0+:
// 1 below μ, 0 above, 1/2 on it — within 1e-11 max(1, |μ|), the eigenvalues' rounding, a level is
// taken to lie on μ (`on_level` says so).
double occupation(double x, double mu, double T, bool* on_level = nullptr);

// Adds n_c(μ_j), summed over the cell's `orbitals`, to cell_density[c × levels + j] and
// Σ_n f(E_n − μ_j) to electrons[j]; at T = 0, the levels that lie on μ_j to on_level[j].
void add_dense_densities(const Eigenstates& states, int orbitals, const std::vector<double>& mu, double T,
                         std::vector<double>& cell_density, std::vector<double>& electrons, std::vector<long long>& on_level);

}  // namespace bzint
