// The Kubo–Bastin Hall sum by the kernel polynomial method (host/lattice/kpm_hall.hpp,
// docs/textures.md "The Hall conductivity by the kernel polynomial method"): its closed-form
// expansion of 1/(z − x)², its agreement with the same broadened sum over a dense box's
// eigenstates, the η² approach of that sum to the clean Kubo formula in a gap, the random
// vectors' unbiased trace, and the probing colours.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <complex>
#include <vector>

#include "lattice/box_hamiltonian.hpp"
#include "lattice/dense_density.hpp"
#include "lattice/kpm_hall.hpp"
#include "lattice/random_trace.hpp"
#include "lattice/twist_kubo.hpp"
#include "progress.hpp"

using namespace bzint;

namespace {

// qwz's hoppings: d = (sin k_x, sin k_y, u + cos k_x + cos k_y) on the square lattice, H(k) = Σ_R
// e^{ik·R} t(R): t(±x) = ∓iσ_x/2 + σ_z/2, t(±y) = ∓iσ_y/2 + σ_z/2; the mass u σ_z on site.
std::vector<Hopping> qwz_hoppings() {
    using C = std::complex<double>;
    const C i(0.0, 1.0);
    std::vector<Hopping> h;
    for (int sign : {1, -1}) {
        const double s = sign;
        // σ_x = [[0, 1], [1, 0]], σ_y = [[0, −i], [i, 0]], σ_z = diag(1, −1)
        h.push_back(two_orbital_hopping(sign, 0, C(0.5), -i * s * 0.5, -i * s * 0.5, C(-0.5)));
        h.push_back(two_orbital_hopping(0, sign, C(0.5), -i * s * 0.5 * (-i), -i * s * 0.5 * i, C(-0.5)));
    }
    return h;
}

// A 3 × 3 box of qwz (u = −1.2) with fixed, uneven exchange fields f·σ (|f| ≤ 0.5) and a twist:
// no symmetry, no degeneracy.
struct Box {
    std::vector<Hopping> hoppings = qwz_hoppings();
    int cells[2] = {3, 3};
    OnSiteBlocks on_site;
    double twist[2] = {0.4, 1.3};
    SparseHamiltonian H;
    std::array<SparseHamiltonian, 2> V;
    Box() {
        for (int c = 0; c < 9; ++c) {
            const double phase = 0.7 * c + 0.3;
            add_two_orbital_site(on_site, {0.0, 0.0}, {0.4 * std::cos(phase), 0.3 * std::sin(1.7 * phase), -1.2 + 0.2 * std::cos(2.3 * phase)});
        }
        H = box_hamiltonian(2, hoppings, cells, on_site, twist);
        V = box_twist_derivatives(2, hoppings, cells, twist, nullptr, {});
    }
};

// Σ_o over unit vectors: the exact trace of the Bastin sums.
std::vector<double> exact_trace(const Box& box, const BastinSeries& series) {
    std::vector<double> total;
    for (long long o = 0; o < box.H.dim; ++o) {
        std::vector<std::complex<double>> e(static_cast<std::size_t>(box.H.dim), 0.0);
        e[static_cast<std::size_t>(o)] = 1.0;
        const std::vector<double> s = bastin_sums(series, hall_moments(box.H, box.V, series.scale, series.moments, e));
        total.resize(s.size(), 0.0);
        for (std::size_t i = 0; i < s.size(); ++i) total[i] += s[i];
    }
    return total;
}

}  // namespace

TEST(KpmHall, ResolventSquareExpansion) {
    // 1/(z − x)² = Σ_a (2 − δ_a0) T_a(x) ζ^a (a s + z)/s³ (kpm_hall.hpp), z = y − iη below the
    // segment, at points near its ends and middle: the series summed to 6000 terms (|ζ|^6000 <
    // e^{−290} at η = 0.05) equals the closed form to 1e-12 of its size.
    for (double eta : {0.05, 0.3})
        for (double y : {-0.95, 0.0, 0.6})
            for (double x : {-0.9, 0.1, 0.7, 0.99}) {
                const std::complex<double> z(y, -eta);
                const ResolventSquare r(z);
                EXPECT_LT(std::abs(r.zeta), 1.0);
                std::complex<double> sum = 0.0, power = 1.0;
                const double theta = std::acos(x);
                for (long long a = 0; a < 6000; ++a) {
                    sum += (a == 0 ? 1.0 : 2.0) * std::cos(double(a) * theta) * r.coefficient(a, power);
                    power *= r.zeta;
                }
                const std::complex<double> exact = 1.0 / ((z - x) * (z - x));
                EXPECT_LT(std::abs(sum - exact), 1e-12 * std::abs(exact)) << eta << " " << y << " " << x;
            }
}

TEST(KpmHall, ExactTraceIsTheDenseBroadenedSum) {
    // The kernel polynomial sum with every unit vector as start vector is the Bastin sum over the
    // box's 18 eigenstates at the same η (twist_berry_sum with a broadening), in the lower band, the
    // gap and the upper band, for η = 0.2 and 0.4 at T = 0.1. The series is cut where its dropped
    // coefficients bound the error by (1/a²) tail × 2‖V_1‖‖V_2‖ dim ≤ 1e-11; asserted 1e-10.
    const Box box;
    const std::vector<double> mu{-1.0, 0.0, 0.9}, eta{0.2, 0.4};
    const double T = 0.1;
    const Eigenstates states = diagonalise(box.H);
    const std::vector<double> dense = twist_berry_sum(states, box.V, mu, T, eta);
    const ChebyshevScale scale = chebyshev_scale(box.H);
    const double bound = 2.0 * row_sum_norm(box.V[0]) * row_sum_norm(box.V[1]) * double(box.H.dim) / (scale.half_width * scale.half_width);
    const double tolerance = 1e-11 / bound;
    const BastinSeries series = bastin_series(scale, mu, T, eta, tolerance,
                                              static_cast<long long>(bastin_moments_needed(scale, mu, T, 0.2, 1e3, tolerance)), 4096);
    EXPECT_LE(series.tail, tolerance);
    const std::vector<double> kpm = exact_trace(box, series);
    ASSERT_EQ(kpm.size(), dense.size());
    for (std::size_t i = 0; i < dense.size(); ++i) EXPECT_NEAR(kpm[i], dense[i], 1e-10) << i;
    // Not a trivial agreement: the sums are O(0.1) and differ between levels and broadenings.
    EXPECT_GT(std::fabs(dense[0] - dense[1]), 1e-2);
    EXPECT_GT(std::fabs(dense[1] - dense[4]), 1e-4);
}

TEST(KpmHall, BroadenedSumApproachesTheCleanOneAsEtaSquared) {
    // In the gap (μ = 0; the box's levels nearest it are 0.35 away), the Bastin sum differs from
    // the clean Kubo sum (η = 0) by −2 Σ f_n Im X (−3η²/Δ⁴ + …): halving η quarters the difference
    // (ratio within 5 % of 4 for η = 0.04, 0.02).
    const Box box;
    const Eigenstates states = diagonalise(box.H);
    const std::vector<double> s = twist_berry_sum(states, box.V, {0.0}, 0.02, {0.0, 0.04, 0.02});
    const double ratio = (s[1] - s[0]) / (s[2] - s[0]);
    EXPECT_NEAR(ratio, 4.0, 0.2);
    EXPECT_GT(std::fabs(s[1] - s[0]), 1e-6);
}

TEST(KpmHall, RandomPhaseVectorsGiveAnUnbiasedTrace) {
    // ⟨r|A|r⟩ over random phases has mean Tr A: the mean of 64 vectors' sums lies within 4 of their
    // standard errors of the exact trace, at each level. The vectors are a function of (seed,
    // twist, index) alone, and unit-modulus.
    const Box box;
    const std::vector<double> mu{-1.0, 0.0, 0.9};
    const ChebyshevScale scale = chebyshev_scale(box.H);
    const BastinSeries series =
        bastin_series(scale, mu, 0.1, {0.3}, 1e-10, static_cast<long long>(bastin_moments_needed(scale, mu, 0.1, 0.3, 1e3, 1e-10)), 4096);
    const std::vector<double> exact = exact_trace(box, series);
    constexpr int R = 64;
    std::vector<double> sum(3, 0.0), sum2(3, 0.0);
    for (int k = 0; k < R; ++k) {
        const std::vector<std::complex<double>> r = random_phase_vector(7, 3, k, box.H.dim);
        for (const auto& x : r) EXPECT_NEAR(std::abs(x), 1.0, 1e-15);
        const std::vector<double> s = bastin_sums(series, hall_moments(box.H, box.V, scale, series.moments, r));
        for (int l = 0; l < 3; ++l) {
            sum[static_cast<std::size_t>(l)] += s[static_cast<std::size_t>(l)];
            sum2[static_cast<std::size_t>(l)] += s[static_cast<std::size_t>(l)] * s[static_cast<std::size_t>(l)];
        }
    }
    for (std::size_t l = 0; l < 3; ++l) {
        const double mean = sum[l] / R, var = (sum2[l] / R - mean * mean) * R / (R - 1), se = std::sqrt(var / R);
        EXPECT_GT(se, 0.0);
        EXPECT_LT(std::fabs(mean - exact[l]), 4.0 * se) << l;
    }
    EXPECT_EQ(random_phase_vector(7, 3, 5, 10), random_phase_vector(7, 3, 5, 10));
    EXPECT_NE(random_phase_vector(7, 3, 5, 10), random_phase_vector(7, 4, 5, 10));
}

TEST(KpmHall, ProbingColoursSpaceLikeOrbitalsWholeDistancesApart) {
    // probing_colours (random_trace.hpp): orbital o = N c + α, cell c = n_1 S_2 + n_2, colour α + N((n_1
    // mod d_1) d_2 + n_2 mod d_2). On a 4 × 6 box of 2 orbitals with d = (2, 3): 12 colours of 4
    // orbitals each, two orbitals share one exactly where they are alike and their cells differ by
    // whole multiples of d.
    const int cells[2] = {4, 6}, distance[2] = {2, 3};
    const std::vector<int> colour = probing_colours(2, cells, distance);
    ASSERT_EQ(colour.size(), 48u);
    std::vector<int> count(12, 0);
    for (int o = 0; o < 48; ++o) {
        ASSERT_GE(colour[static_cast<std::size_t>(o)], 0);
        ASSERT_LT(colour[static_cast<std::size_t>(o)], 12);
        ++count[static_cast<std::size_t>(colour[static_cast<std::size_t>(o)])];
        for (int p = 0; p < 48; ++p) {
            const int c = o / 2, d = p / 2;
            const bool alike = o % 2 == p % 2 && (c / 6 - d / 6) % 2 == 0 && (c % 6 - d % 6) % 3 == 0;
            EXPECT_EQ(colour[static_cast<std::size_t>(o)] == colour[static_cast<std::size_t>(p)], alike) << o << " " << p;
        }
    }
    for (int n : count) EXPECT_EQ(n, 4);
}

TEST(KpmHall, ProbingWithEveryOrbitalItsOwnColourIsTheExactTrace) {
    // d = the box: each colour is one orbital, its vector a unit vector times a phase of modulus 1,
    // so each draw is the exact trace and the colours' spread over the draws is rounding: the same
    // sums as twist_bastin_sums' exact trace to 1e-12 (relative to their size, ~1), with a variance
    // below 1e-24. With one colour the draws are random_phase_vector's, as trace = "stochastic" has
    // always taken them: the mean and the spread of those vectors' own sums.
    const Box box;
    const std::vector<double> mu{-1.0, 0.0, 0.9};
    const ChebyshevScale scale = chebyshev_scale(box.H);
    const BastinSeries series =
        bastin_series(scale, mu, 0.3, {0.6, 1.2}, 1e-10, static_cast<long long>(bastin_moments_needed(scale, mu, 0.3, 0.6, 1e3, 1e-10)), 4096);
    Progress quiet("test", 18 + 18 * 3 + 4, "vectors");
    const std::vector<SparseHamiltonian> H{box.H};
    const std::vector<std::array<SparseHamiltonian, 2>> V{box.V};
    const std::vector<double> exact = twist_bastin_sums(H, V, series, TraceSampling{}, quiet);
    ASSERT_EQ(exact.size(), 9u);  // (2 broadenings + the variance) × 3 levels
    TraceSampling every{3, 11, 18, probing_colours(2, box.cells, box.cells)};
    const std::vector<double> probed = twist_bastin_sums(H, V, series, every, quiet);
    for (std::size_t i = 0; i < 6; ++i) EXPECT_NEAR(probed[i], exact[i], 1e-12) << i;
    for (std::size_t l = 6; l < 9; ++l) {
        EXPECT_EQ(exact[l], 0.0);
        EXPECT_LT(probed[l], 1e-24) << l;
    }
    const std::vector<double> plain = twist_bastin_sums(H, V, series, TraceSampling{4, 7, 1, {}}, quiet);
    std::vector<std::vector<double>> own;
    for (int k = 0; k < 4; ++k)
        own.push_back(bastin_sums(series, hall_moments(box.H, box.V, scale, series.moments, random_phase_vector(7, 0, k, box.H.dim))));
    for (std::size_t l = 0; l < 3; ++l) {
        const double mean = (own[0][l] + own[1][l] + own[2][l] + own[3][l]) / 4.0;
        double square = 0.0;
        for (const auto& x : own) square += (x[l] - mean) * (x[l] - mean);
        EXPECT_NEAR(plain[l], mean, 1e-12) << l;
        EXPECT_NEAR(plain[6 + l], square / 3.0 / 4.0, 1e-12) << l;
    }
}
