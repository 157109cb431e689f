// Chern numbers: integral and Fukui–Hatsugai–Suzuki link method against the known
// phase diagrams, and σ_xy = −C_lower in the gap (docs/conventions.md).
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>

#include "test_util.hpp"

using bzint::test::results;

namespace {

int sgn(double x) { return (x > 0) - (x < 0); }

}  // namespace

TEST(Chern, QwzPhaseDiagram) {
    // C_lower = +1 for −2 < u < 0, −1 for 0 < u < 2, 0 for |u| > 2.
    for (double u : {-3.0, -2.5, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.5, 3.0}) {
        const int expected = (u > -2 && u < 0) ? 1 : (u > 0 && u < 2) ? -1 : 0;
        const auto r = results(fmt::format("[model]\nname='qwz'\nu={}\n[mesh]\nn=[60,60]\n[task]\nkind='chern'\n", u));
        EXPECT_NEAR(r["chern_fhs"][0].get<double>(), expected, 1e-9) << "u = " << u;  // exact integer on any mesh
        EXPECT_NEAR(r["chern"][0].get<double>(), expected, 2e-3) << "u = " << u;
        EXPECT_NEAR(r["chern"][1].get<double>(), -expected, 2e-3) << "u = " << u;
        // In the gap (μ = the mid-gap energy 0 for this particle-hole symmetric model).
        const auto s = results(fmt::format("[model]\nname='qwz'\nu={}\n[mesh]\nn=[60,60]\n[task]\nkind='ahc'\nmu=0.0\n", u));
        EXPECT_NEAR(s["sigma_xy"][0].get<double>(), -expected, 2e-3) << "u = " << u;
    }
}

TEST(Chern, HaldanePhaseDiagram) {
    // C_lower = sgn(t2 sin φ) where |M| < 3√3 |t2 sin φ|, else 0 (Haldane, PRL 61, 2015).
    const double t2 = 0.1;
    int checked = 0;
    for (double phi : {-2.5, -1.5707963267948966, -0.6, 0.6, 1.5707963267948966, 2.5})
        for (double M : {-0.8, -0.4, -0.1, 0.0, 0.2, 0.45, 0.9}) {
            const double crit = 3 * std::sqrt(3.0) * std::fabs(t2 * std::sin(phi));
            if (std::fabs(std::fabs(M) - crit) < 0.1) continue;  // too close to the transition for a 72² mesh
            const int expected = std::fabs(M) < crit ? sgn(t2 * std::sin(phi)) : 0;
            const std::string model = fmt::format("[model]\nname='haldane'\nt1=1.0\nt2={}\nphi={}\nM={}\n", t2, phi, M);
            const auto r = results(model + "[mesh]\nn=[72,72]\n[task]\nkind='chern'\n");
            EXPECT_NEAR(r["chern_fhs"][0].get<double>(), expected, 1e-9) << "phi " << phi << " M " << M;
            EXPECT_NEAR(r["chern"][0].get<double>(), expected, 5e-3) << "phi " << phi << " M " << M;
            // Mid-gap: the gap is centred near the band-average energy 2 t2 cos φ Σ cos(k·b) at the K points = −3 t2 cos φ.
            const auto s = results(model + fmt::format("[mesh]\nn=[72,72]\n[task]\nkind='ahc'\nmu={}\n", -3 * t2 * std::cos(phi)));
            EXPECT_NEAR(s["sigma_xy"][0].get<double>(), -expected, 5e-3) << "phi " << phi << " M " << M;
            ++checked;
        }
    EXPECT_GT(checked, 25);
}

TEST(Chern, WeylPlanes) {
    // b0 = 0: C_lower(k_z) = −1 for |k_z| > k0 (mod 2π), 0 otherwise; the nodes at ±k0.
    const double k0 = 1.0;
    const auto r = results("[model]\nname='weyl_lattice'\nk0=1.0\n[mesh]\nn=[40,40,24]\n[task]\nkind='chern'\n");
    for (std::size_t p = 0; p < r["k3_reduced"].size(); ++p) {
        double kz = 2 * M_PI * r["k3_reduced"][p].get<double>();
        if (kz > M_PI) kz -= 2 * M_PI;
        const int expected = std::fabs(kz) > k0 ? -1 : 0;
        EXPECT_NEAR(r["chern_fhs"][p][0].get<double>(), expected, 1e-9) << "kz " << kz;
    }
}

TEST(Chern, SmallestGapMetIsBracketed) {
    // Haldane, φ = π/2, t2 = 0.2: the gap is smallest at K and K′, which a mesh of 3m points per axis
    // contains: 2|M − 3√3 t2| (Haldane, PRL 61, 2015). The reported value (the bracket's upper end,
    // per_k.hpp gap_powers) and its error (the bracket's width) must hold it; in the Chern phase
    // (M = 0, gap 2.078) and 1e-6 from the transition (gap 2e-6).
    const double crit = 3 * std::sqrt(3.0) * 0.2;
    for (double M : {0.0, crit - 1e-6}) {
        const auto doc = bzint::test::run_toml(fmt::format(
            "[model]\nname='haldane'\nt1=1.0\nt2=0.2\nphi=1.5707963267948966\nM={:.17g}\n[mesh]\nn=[120,120]\n"
            "[task]\nkind='chern'\n",
            M));
        const double exact = 2 * std::fabs(M - crit);
        const double value = doc["results"]["smallest_gap"][0].get<double>();
        const double error = doc["errors"]["smallest_gap"][0].get<double>();
        EXPECT_GE(value, exact * (1 - 1e-9)) << M;
        EXPECT_LE(value - error, exact * (1 + 1e-9)) << M;
        EXPECT_LT(error, 0.3 * exact) << M;  // the bracket: (points near the minimum)^(1/32)
    }
}

TEST(Chern, SmallestGapAboveEachBandOfAnNBandModel) {
    // qwz_pair without coupling: the four bands are ±|d1|, ±|d2| of two QWZ copies (d = (sin kx,
    // sin ky, u + cos kx + cos ky)), sorted. The minimum of each gap over the 60² Γ-centred mesh, by
    // direct evaluation here, must lie in the reported bracket [value − error, value]; the two copies'
    // bands cross (|d1| = |d2| on a line), so the gaps below and above the middle get small.
    const double u1 = -1.0, u2 = 1.2;
    const int n = 60;
    double least[3] = {INFINITY, INFINITY, INFINITY};
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            const double kx = 2 * M_PI * i / n, ky = 2 * M_PI * j / n;
            auto norm = [&](double u) {
                const double z = u + std::cos(kx) + std::cos(ky);
                return std::sqrt(std::sin(kx) * std::sin(kx) + std::sin(ky) * std::sin(ky) + z * z);
            };
            const double a = norm(u1), b = norm(u2);
            const double e[4] = {-std::max(a, b), -std::min(a, b), std::min(a, b), std::max(a, b)};
            for (int g = 0; g < 3; ++g) least[g] = std::min(least[g], e[g + 1] - e[g]);
        }
    const auto doc = bzint::test::run_toml(
        fmt::format("[model]\nname='qwz_pair'\nu1={}\nu2={}\ng=0.0\n[mesh]\nn=[{},{}]\n[task]\nkind='chern'\n", u1, u2, n, n));
    ASSERT_EQ(doc["results"]["smallest_gap"].size(), 3u);
    for (int g = 0; g < 3; ++g) {
        const double value = doc["results"]["smallest_gap"][g].get<double>();
        const double error = doc["errors"]["smallest_gap"][g].get<double>();
        EXPECT_GE(value, least[g] * (1 - 1e-9)) << g;
        EXPECT_LE(value - error, least[g] * (1 + 1e-9)) << g;
    }
}
