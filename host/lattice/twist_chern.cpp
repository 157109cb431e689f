#include "twist_chern.hpp"

#include <cmath>
#include <complex>

namespace bzint {

namespace {

// arg det(A†B) of the first `filled` columns: the phase of the LU factors' diagonal and of the
// permutation (magnitudes can underflow for many states; phases do not).
double link_phase(const Eigenstates& a, const Eigenstates& b, long long filled) {
    const Eigen::Index N = static_cast<Eigen::Index>(filled);
    const Eigen::MatrixXcd overlap = a.vector.leftCols(N).adjoint() * b.vector.leftCols(N);
    const Eigen::PartialPivLU<Eigen::MatrixXcd> lu(overlap);
    double phase = lu.permutationP().determinant() < 0 ? 3.14159265358979323846 : 0.0;
    for (Eigen::Index i = 0; i < N; ++i) phase += std::arg(lu.matrixLU()(i, i));
    return phase;
}

// −Σ over the plaquettes of the mesh with stride `step` of arg(U_1 U_2 U_1'^* U_2'^*), / 2π. The
// sign: arg⟨u(θ)|u(θ + δ)⟩ ≈ δ Im⟨u|∂u⟩ = −δ·A with A = i⟨u|∂_θ u⟩ (docs/conventions.md), so the
// plaquettes sum to −∮A = −∫Ω. A 1 × 1 box has H(θ) = H_0(k = θ): C is then task chern's.
double chern_on(const std::vector<Eigenstates>& states, int n1, int n2, int step, long long filled) {
    constexpr double kPi = 3.14159265358979323846;
    auto at = [&](int t1, int t2) -> const Eigenstates& { return states[static_cast<std::size_t>((t1 % n1) * n2 + (t2 % n2))]; };
    double total = 0.0;
    for (int t1 = 0; t1 < n1; t1 += step)
        for (int t2 = 0; t2 < n2; t2 += step) {
            const double flux = link_phase(at(t1, t2), at(t1 + step, t2), filled) +
                                link_phase(at(t1 + step, t2), at(t1 + step, t2 + step), filled) -
                                link_phase(at(t1, t2 + step), at(t1 + step, t2 + step), filled) -
                                link_phase(at(t1, t2), at(t1, t2 + step), filled);
            total += std::remainder(flux, 2.0 * kPi);  // the principal branch, (−π, π]
        }
    return -total / (2.0 * kPi);
}

}  // namespace

TwistChern twist_chern(const std::vector<Eigenstates>& states, int n1, int n2, double mu) {
    TwistChern c;
    c.gap_below = c.gap_above = 1e300;
    long long filled = -1;
    for (const Eigenstates& s : states) {
        long long below = 0;
        while (below < s.energy.size() && s.energy(static_cast<Eigen::Index>(below)) < mu) ++below;
        if (filled >= 0 && below != filled) return c;  // not gapped: the count changes with the twist
        filled = below;
        if (below > 0) c.gap_below = std::min(c.gap_below, mu - s.energy(static_cast<Eigen::Index>(below - 1)));
        if (below < s.energy.size()) c.gap_above = std::min(c.gap_above, s.energy(static_cast<Eigen::Index>(below)) - mu);
    }
    c.filled = filled;
    c.gapped = true;
    if (filled == 0 || filled == states.front().energy.size()) return c;  // nothing or everything: C = 0
    c.chern = chern_on(states, n1, n2, 1, filled);
    c.chern_coarse = chern_on(states, n1, n2, 2, filled);
    return c;
}

}  // namespace bzint
