#include "twist_kubo.hpp"

#include <algorithm>
#include <cmath>
#include <complex>

namespace bzint {

namespace {

// ⟨n|D|m⟩ for the eigenvectors ψ (columns): ψ† (D ψ), D sparse.
Eigen::MatrixXcd in_eigenbasis(const SparseHamiltonian& D, const Eigen::MatrixXcd& psi) {
    // D ψ column by column (Eigen's matrices are column-major: each a sparse product on contiguous data).
    Eigen::MatrixXcd Dpsi(psi.rows(), psi.cols());
    for (Eigen::Index c = 0; c < psi.cols(); ++c) {
        const std::complex<double>* in = psi.col(c).data();
        std::complex<double>* out = Dpsi.col(c).data();
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
                                    const std::vector<double>& mu, double T) {
    const Eigen::Index N = states.energy.size();
    const Eigen::MatrixXcd V1 = in_eigenbasis(derivative[0], states.vector), V2 = in_eigenbasis(derivative[1], states.vector);
    const double degenerate = 1e-9 * std::max(1.0, states.energy.cwiseAbs().maxCoeff());
    // −2 Im ⟨n|∂_1H|m⟩⟨m|∂_2H|n⟩ / (E_n − E_m)² for n < m, once for every level.
    Eigen::MatrixXd pair = Eigen::MatrixXd::Zero(N, N);
    for (Eigen::Index m = 0; m < N; ++m)
        for (Eigen::Index n = 0; n < m; ++n) {
            const double gap = states.energy(n) - states.energy(m);
            if (std::fabs(gap) > degenerate) pair(n, m) = -2.0 * std::imag(V1(n, m) * V2(m, n)) / (gap * gap);
        }
    std::vector<double> sum(mu.size(), 0.0);
    Eigen::VectorXd f(N);
    for (std::size_t j = 0; j < mu.size(); ++j) {
        for (Eigen::Index n = 0; n < N; ++n) f(n) = occupation(states.energy(n) - mu[j], mu[j], T);
        double s = 0.0;
        for (Eigen::Index m = 0; m < N; ++m)
            for (Eigen::Index n = 0; n < m; ++n) s += (f(n) - f(m)) * pair(n, m);
        sum[j] = s;
    }
    return sum;
}

}  // namespace bzint
