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

// Adds n_c(μ_j) to cell_density[c × levels + j] and Σ_n f(E_n − μ_j) to electrons[j].
void add_dense_densities(const Eigenstates& states, const std::vector<double>& mu, double T,
                         std::vector<double>& cell_density, std::vector<double>& electrons);

}  // namespace bzint
