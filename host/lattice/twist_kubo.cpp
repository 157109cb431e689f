#include "twist_kubo.hpp"

#include <algorithm>
#include <cmath>
#include <complex>

namespace bzint {

namespace {

// ⟨n|D|m⟩ for the eigenvectors ψ (columns) and m ≥ first: ψ† (D ψ_{m ≥ first}), D sparse; column
// m − first of the result.
Eigen::MatrixXcd in_eigenbasis(const SparseHamiltonian& D, const Eigen::MatrixXcd& psi, Eigen::Index first) {
    // D ψ column by column (Eigen's matrices are column-major: each a sparse product on contiguous data).
    Eigen::MatrixXcd Dpsi(psi.rows(), psi.cols() - first);
    for (Eigen::Index c = first; c < psi.cols(); ++c) {
        const std::complex<double>* in = psi.col(c).data();
        std::complex<double>* out = Dpsi.col(c - first).data();
        for (long long r = 0; r < D.dim; ++r) {
            std::complex<double> acc = 0.0;
            for (long long e = D.row_start[static_cast<std::size_t>(r)]; e < D.row_start[static_cast<std::size_t>(r) + 1]; ++e)
                acc += D.value[static_cast<std::size_t>(e)] * in[D.column[static_cast<std::size_t>(e)]];
            out[r] = acc;
        }
    }
    return psi.adjoint() * Dpsi;
}

}  // namespace

std::vector<double> twist_berry_sum(const Eigenstates& states, const std::array<SparseHamiltonian, 2>& derivative,
                                    const std::vector<double>& mu, double T, const std::vector<double>& broadening) {
    const Eigen::Index N = states.energy.size();
    const std::size_t levels = mu.size();
    // f per level, and `full`: the lowest states, filled (f = 1 exactly) at every level. A pair of
    // two of them has f_n − f_m = 0, so only the columns m ≥ full are needed: the products shrink
    // by the filled fraction at low T (docs/textures.md), and the sum only skips exact zeros.
    Eigen::MatrixXd f(N, static_cast<Eigen::Index>(levels));
    for (std::size_t j = 0; j < levels; ++j)
        for (Eigen::Index n = 0; n < N; ++n) f(n, static_cast<Eigen::Index>(j)) = occupation(states.energy(n) - mu[j], mu[j], T);
    Eigen::Index full = 0;
    while (full < N && (f.row(full).array() == 1.0).all()) ++full;
    std::vector<double> sum(broadening.size() * levels, 0.0);
    if (full == N) return sum;
    const Eigen::MatrixXcd V1 = in_eigenbasis(derivative[0], states.vector, full),
                           V2 = in_eigenbasis(derivative[1], states.vector, full);
    const double degenerate = 1e-9 * std::max(1.0, states.energy.cwiseAbs().maxCoeff());
    Eigen::MatrixXd pair = Eigen::MatrixXd::Zero(N, N - full);
    for (std::size_t b = 0; b < broadening.size(); ++b) {
        const double eta2 = broadening[b] * broadening[b];
        // −2 Im ⟨n|∂_1H|m⟩⟨m|∂_2H|n⟩ times the pair's weight for n < m, m ≥ full, once for every
        // level (⟨m|∂_2H|n⟩ = conj ⟨n|∂_2H|m⟩: ∂_2H is Hermitian).
        for (Eigen::Index m = full; m < N; ++m)
            for (Eigen::Index n = 0; n < m; ++n) {
                const double gap = states.energy(n) - states.energy(m), g2 = gap * gap;
                const double x = -2.0 * std::imag(V1(n, m - full) * std::conj(V2(n, m - full)));
                if (eta2 > 0.0)
                    pair(n, m - full) = x * (g2 - eta2) / ((g2 + eta2) * (g2 + eta2));
                else
                    pair(n, m - full) = std::fabs(gap) > degenerate ? x / g2 : 0.0;
            }
        for (std::size_t j = 0; j < levels; ++j) {
            const Eigen::Index l = static_cast<Eigen::Index>(j);
            double s = 0.0;
            for (Eigen::Index m = full; m < N; ++m)
                for (Eigen::Index n = 0; n < m; ++n) s += (f(n, l) - f(m, l)) * pair(n, m - full);
            sum[b * levels + j] = s;
        }
    }
    return sum;
}

}  // namespace bzint
