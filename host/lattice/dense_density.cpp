#include "dense_density.hpp"

#include <algorithm>
#include <cmath>

#include "bzint/fermi.hpp"

namespace bzint {

Eigenstates diagonalise(const SparseHamiltonian& H) {
    const Eigen::Index D = static_cast<Eigen::Index>(H.dim);
    Eigen::MatrixXcd M = Eigen::MatrixXcd::Zero(D, D);
    for (Eigen::Index i = 0; i < D; ++i)
        for (long long e = H.row_start[static_cast<std::size_t>(i)]; e < H.row_start[static_cast<std::size_t>(i) + 1]; ++e)
            M(i, static_cast<Eigen::Index>(H.column[static_cast<std::size_t>(e)])) = H.value[static_cast<std::size_t>(e)];
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> solver(M);
    return {solver.eigenvalues(), solver.eigenvectors()};
}

double occupation(double x, double mu, double T, bool* on_level) {
    if (T > 0.0) return fermi(x, T);
    const double tolerance = 1e-11 * std::max(1.0, std::fabs(mu));
    if (on_level) *on_level = std::fabs(x) <= tolerance;
    return x < -tolerance ? 1.0 : x > tolerance ? 0.0 : 0.5;
}

void add_dense_densities(const Eigenstates& states, int orbitals, const std::vector<double>& mu, double T,
                         std::vector<double>& cell_density, std::vector<double>& electrons, std::vector<long long>& on_level) {
    const Eigen::Index D = states.energy.size();
    // |ψ_n(o)|², summed below over each cell's orbitals.
    const Eigen::MatrixXd weight2 = states.vector.cwiseAbs2();
    const std::size_t levels = mu.size();
    for (std::size_t j = 0; j < levels; ++j) {
        Eigen::VectorXd f(D);
        for (Eigen::Index n = 0; n < D; ++n) {
            bool on = false;
            f(n) = occupation(states.energy(n) - mu[j], mu[j], T, &on);
            if (on) ++on_level[j];
        }
        electrons[j] += f.sum();
        const Eigen::VectorXd per_orbital = weight2 * f;
        for (Eigen::Index c = 0; c < D / orbitals; ++c)
            cell_density[static_cast<std::size_t>(c) * levels + j] += per_orbital.segment(orbitals * c, orbitals).sum();
    }
}

}  // namespace bzint
