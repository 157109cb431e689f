// A textured two-band lattice model on a periodic box of S_1 × S_2 cells as a sparse matrix:
// the model's hoppings H(R) (hoppings.hpp) between cells, plus on-site terms U_c + f_c·σ in each cell c
// (a scalar potential and the exchange J m(r_c) of a texture at the cell's position), with twisted boundary conditions
// ψ(n + S_i e_i) = e^{iθ_i} ψ(n): the box is then one cell of a superlattice and θ_i = K·S_i a_i
// its Bloch momentum. Orbital o = 2c + α, cell c = n_1 S_2 + n_2.
#pragma once
#include <array>
#include <complex>
#include <vector>

#include "hoppings.hpp"

namespace bzint {

// A cell's on-site terms U·1 + f·σ.
struct OnSite {
    double potential = 0.0;
    std::array<double, 3> field{0.0, 0.0, 0.0};
};

struct SparseHamiltonian {
    long long dim = 0;
    std::vector<long long> row_start;  // dim + 1
    std::vector<long long> column;
    std::vector<std::complex<double>> value;

    // y = (H − center) x / half_width, the Chebyshev variable's matrix (kpm.hpp).
    void scaled_apply(const std::complex<double>* x, std::complex<double>* y, double center, double half_width) const;
};

// Polls the stop flag (stop.hpp) every 4096 cells.
SparseHamiltonian box_hamiltonian(const std::vector<Hopping>& hoppings, const int cells[2],
                                  const std::vector<OnSite>& on_site, const double twist[2]);

}  // namespace bzint
