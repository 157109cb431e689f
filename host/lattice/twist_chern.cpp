#include "twist_chern.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <map>

#include "../stop.hpp"
#include "../workers.hpp"

namespace bzint {

namespace {

constexpr double kPi = 3.14159265358979323846;
// Below this smallest pivot of a link's overlap the neighbouring twists' filled states are nearly
// orthogonal: the phase is not resolved (a finer twist mesh is needed).
constexpr double kSingularLink = 1e-8;

struct Link {
    double phase = 0.0;       // arg det(A†B)
    double smallest = 1.0;    // the smallest |pivot|
};

// arg det(A†B) of the first `filled` columns: the phase of the LU factors' diagonal and of the
// permutation (magnitudes can underflow for many states; phases do not).
Link link(const Eigenstates& a, const Eigenstates& b, long long filled) {
    const Eigen::Index N = static_cast<Eigen::Index>(filled);
    const Eigen::MatrixXcd overlap = a.vector.leftCols(N).adjoint() * b.vector.leftCols(N);
    const Eigen::PartialPivLU<Eigen::MatrixXcd> lu(overlap);
    Link l;
    l.phase = lu.permutationP().determinant() < 0 ? kPi : 0.0;
    for (Eigen::Index i = 0; i < N; ++i) {
        l.phase += std::arg(lu.matrixLU()(i, i));
        l.smallest = std::min(l.smallest, std::abs(lu.matrixLU()(i, i)));
    }
    return l;
}

// −Σ over the plaquettes of the mesh with stride `step` of arg(U_1 U_2 U_1'^* U_2'^*), / 2π, from
// links[direction][t] (the link from twist t along that direction by `step`). The sign:
// arg⟨u(θ)|u(θ + δ)⟩ ≈ δ Im⟨u|∂u⟩ = −δ·A with A = i⟨u|∂_θ u⟩ (docs/conventions.md), so the
// plaquettes sum to −∮A = −∫Ω. A 1 × 1 box has H(θ) = H_0(k = θ): C is then task chern's.
// Per row of plaquettes (each t1 on the mesh), summed over t2; the rows sum to C.
std::vector<double> chern_rows(const std::vector<Link> (&links)[2], int n1, int n2, int step) {
    auto at = [&](int d, int t1, int t2) { return links[d][static_cast<std::size_t>((t1 % n1) * n2 + (t2 % n2))].phase; };
    std::vector<double> rows;
    for (int t1 = 0; t1 < n1; t1 += step) {
        double row = 0.0;
        for (int t2 = 0; t2 < n2; t2 += step) {
            const double flux = at(0, t1, t2) + at(1, t1 + step, t2) - at(0, t1, t2 + step) - at(1, t1, t2);
            row += std::remainder(flux, 2.0 * kPi);  // the principal branch, (−π, π]
        }
        rows.push_back(-row / (2.0 * kPi));
    }
    return rows;
}

double sum_of(const std::vector<double>& rows) {
    double total = 0.0;
    for (double r : rows) total += r;
    return total;
}

}  // namespace

long long twist_links(int n1, int n2, long long distinct) { return distinct * (2LL * n1 * n2 + (n1 / 2) * (n2 / 2) * 2LL); }

std::vector<TwistChern> twist_chern(const std::vector<Eigenstates>& states, int n1, int n2, const std::vector<double>& mu,
                                    Progress* progress) {
    const long long D = states.front().energy.size();
    std::vector<TwistChern> out(mu.size());
    for (std::size_t j = 0; j < mu.size(); ++j) {
        TwistChern& c = out[j];
        c.gap_below = c.gap_above = 1e300;
        long long filled = -1;
        bool same = true;
        for (const Eigenstates& s : states) {
            long long below = 0;
            while (below < D && s.energy(static_cast<Eigen::Index>(below)) < mu[j]) ++below;
            if (filled >= 0 && below != filled) same = false;
            filled = below;
            if (below > 0) c.gap_below = std::min(c.gap_below, mu[j] - s.energy(static_cast<Eigen::Index>(below - 1)));
            if (below < D) c.gap_above = std::min(c.gap_above, s.energy(static_cast<Eigen::Index>(below)) - mu[j]);
        }
        c.gapped = same;
        c.filled = filled;
    }
    // Per distinct filled count (neither none nor all): the full mesh's links (step 1, both
    // directions) and the sub-mesh's (step 2, from the even twists).
    std::map<long long, std::pair<std::vector<double>, std::vector<double>>> chern;  // filled → rows (full, coarse)
    std::map<long long, bool> singular;
    for (const TwistChern& c : out) {
        if (!c.gapped || c.filled == 0 || c.filled == D || chern.count(c.filled)) continue;
        const long long N = c.filled;
        const int T = n1 * n2;
        std::vector<Link> fine[2], coarse[2];
        for (int d = 0; d < 2; ++d) {
            fine[d].resize(static_cast<std::size_t>(T));
            coarse[d].resize(static_cast<std::size_t>(T));
        }
        // Jobs: 2T fine links, then the sub-mesh's links from the even twists.
        std::vector<std::array<int, 3>> jobs;  // (direction, twist, step)
        for (int d = 0; d < 2; ++d)
            for (int t = 0; t < T; ++t) jobs.push_back({d, t, 1});
        for (int d = 0; d < 2; ++d)
            for (int t1 = 0; t1 < n1; t1 += 2)
                for (int t2 = 0; t2 < n2; t2 += 2) jobs.push_back({d, t1 * n2 + t2, 2});
        workers::parallel_for(
            static_cast<long long>(jobs.size()), 1,
            [&](long long b, long long e) {
                for (long long i = b; i < e; ++i) {
                    const auto [d, t, step] = jobs[static_cast<std::size_t>(i)];
                    const int t1 = t / n2, t2 = t % n2;
                    const int u1 = d == 0 ? (t1 + step) % n1 : t1, u2 = d == 1 ? (t2 + step) % n2 : t2;
                    const Link l = link(states[static_cast<std::size_t>(t)], states[static_cast<std::size_t>(u1 * n2 + u2)], N);
                    (step == 1 ? fine : coarse)[d][static_cast<std::size_t>(t)] = l;
                    if (progress) progress->add(1);
                    count_stop_unit();
                }
            },
            [] { return !stop_requested(); });
        throw_if_stopped();
        bool bad = false;
        for (int d = 0; d < 2; ++d)
            for (const Link& l : fine[d]) bad = bad || l.smallest < kSingularLink;
        chern[N] = {chern_rows(fine, n1, n2, 1), chern_rows(coarse, n1, n2, 2)};
        singular[N] = bad;
    }
    for (TwistChern& c : out) {
        const auto it = chern.find(c.filled);
        if (!c.gapped || it == chern.end()) {  // nothing or everything filled: C = 0, in every row
            c.rows.assign(static_cast<std::size_t>(n1), 0.0);
            c.rows_coarse.assign(static_cast<std::size_t>(n1 / 2), 0.0);
            continue;
        }
        c.rows = it->second.first;
        c.rows_coarse = it->second.second;
        c.chern = sum_of(c.rows);
        c.chern_coarse = sum_of(c.rows_coarse);
        c.singular = singular[c.filled];
    }
    return out;
}

}  // namespace bzint
