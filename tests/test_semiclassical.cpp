// The semiclassical density matrix (SU(N) paper Eqs. 13–16, 24–28): the generalised
// curvature tensor and its sum rules, the spectral weights, the band-projected densities,
// and the spin density of the gapped TI surface against closed forms derived in
// docs/semiclassical.md.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "bzint/linalg/hermitian_eigen.hpp"
#include "bzint/models/all.hpp"
#include "bzint/semiclassical.hpp"
#include "test_util.hpp"

using namespace bzint;
using bzint::test::results;

namespace {

template <int N, class Model>
void tensor_at(const Model& model, const double k[3], double (&omega)[N][N][3]) {
    NBandPoint<N> p;
    model(k, p);
    cplx A[N][N], U[N][N];
    double e[N];
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) A[i][j] = p.H[i][j];
    ASSERT_TRUE(hermitian_eigen<N>(A, e, U));
    nband_curvature_tensor<N>(p.dH, e, U, 1e-9, omega);
}

}  // namespace

TEST(CurvatureTensor, NBandReducesToTwoBandAndKubo) {
    // AsNBand<Haldane>: the eigenvector formula against the two-band solid-angle form,
    // Ω^n_m = Ω_n for both m (the paper's Ω^σ_σ = Ω^σ_{−σ} = σΩ).
    const double p[] = {1.0, 0.1, 1.5707963267948966, 0.2};
    const AsNBand<models::Haldane> model{models::Haldane(p)};
    std::mt19937 g(5);
    std::uniform_real_distribution<double> u(-3, 3);
    for (int trial = 0; trial < 50; ++trial) {
        const double k[3] = {u(g), u(g), 0.0};
        double omega[2][2][3], ref[2][2][3];
        tensor_at<2>(model, k, omega);
        TwoBandPoint h;
        model.model(k, h);
        BandGeometry geo[2];
        two_band_geometry(h, geo);
        two_band_curvature_tensor(geo, ref);
        for (int n = 0; n < 2; ++n)
            for (int m = 0; m < 2; ++m)
                for (int c = 0; c < 3; ++c)
                    EXPECT_NEAR(omega[n][m][c], ref[n][m][c], 1e-10 * (1 + std::fabs(ref[n][m][c])));
    }
}

TEST(CurvatureTensor, SumRulesAndSpectralWeightsForFourBands) {
    // qwz_pair (two coupled QWZ copies): Σ_n Ω^n_m = 0 for every m (Σ_n P_n = 1), Σ_n Ω^n_n = 0,
    // and the lower-index sum Σ_{m≠n} Ω^n_m = +Ω^n_n (the Kubo sum; docs/semiclassical.md on the
    // printed sign). Spectral weights: Σ_n Z_tot^n = N at every k, Z_tot^n = 1 + B·Ω_n.
    const double p[] = {-1.0, 1.2, 0.3};
    const models::QwzPair model(p);
    std::mt19937 g(11);
    std::uniform_real_distribution<double> u(-M_PI, M_PI);
    const double B[3] = {0.0, 0.0, 0.37};
    for (int trial = 0; trial < 200; ++trial) {
        const double k[3] = {u(g), u(g), 0.0};
        double omega[4][4][3];
        tensor_at<4>(model, k, omega);
        double scale = 0.0;
        for (int n = 0; n < 4; ++n) scale = std::max(scale, std::fabs(omega[n][n][2]));
        const double tol = 1e-11 * (1 + scale);
        double trace = 0.0;
        for (int m = 0; m < 4; ++m) {
            double upper = 0.0, lower = 0.0;
            for (int n = 0; n < 4; ++n) upper += omega[n][m][2];
            for (int mm = 0; mm < 4; ++mm)
                if (mm != m) lower += omega[m][mm][2];
            EXPECT_NEAR(upper, 0.0, tol);
            EXPECT_NEAR(lower, omega[m][m][2], tol);
            trace += omega[m][m][2];
        }
        EXPECT_NEAR(trace, 0.0, tol);
        double Z[4][4], total = 0.0;
        spectral_weights<4>(omega, B, Z);
        for (int n = 0; n < 4; ++n) {
            double zt = 0.0;
            for (int m = 0; m < 4; ++m) zt += Z[n][m];
            EXPECT_NEAR(zt, 1.0 + B[2] * omega[n][n][2], tol);
            total += zt;
        }
        EXPECT_NEAR(total, 4.0, tol);
    }
}

TEST(CurvatureTensor, DecoupledCopiesKeepTheirOwnCurvature) {
    // g = 0: the 4×4 tensor is block diagonal, each block the two-band tensor of its copy.
    const double p[] = {-1.0, 1.2, 0.0};
    const models::QwzPair model(p);
    const double k[3] = {0.4, -1.1, 0.0};
    double omega[4][4][3];
    tensor_at<4>(model, k, omega);
    double total_from_copies = 0.0, total = 0.0;
    for (double uu : {-1.0, 1.2}) {
        TwoBandPoint h;
        const models::Qwz copy(&uu);
        copy(k, h);
        BandGeometry geo[2];
        two_band_geometry(h, geo);
        total_from_copies += std::fabs(geo[0].omega[2]) + std::fabs(geo[1].omega[2]);
    }
    for (int n = 0; n < 4; ++n) total += std::fabs(omega[n][n][2]);
    EXPECT_NEAR(total, total_from_copies, 1e-12);
}

TEST(SpectralWeights, BerryTaskSumsToTwoAtEveryPoint) {
    const auto r = results("[model]\nname='haldane'\nM=0.2\n[task]\nkind='berry'\nB=0.05\n"
                           "points=[[0.1,0.2],[0.3333333,0.6666667],[0.5,0.0],[0.71,0.13]]\n");
    for (std::size_t i = 0; i < r["Z_tot"].size(); ++i) {
        const double z0 = r["Z_tot"][i][0].get<double>(), z1 = r["Z_tot"][i][1].get<double>();
        EXPECT_NEAR(z0 + z1, 2.0, 1e-13);
        EXPECT_NEAR(z0, 1.0 + 0.05 * r["omega"][i][0][2].get<double>(), 1e-13);
        // Z[n][m≠n] = −½ B·Ω^m_n = +½ B·Ω_n for two bands.
        EXPECT_NEAR(r["spectral_weights"][i][0][1].get<double>(), 0.025 * r["omega"][i][0][2].get<double>(), 1e-13);
    }
}

TEST(BandDensities, Eq25TraceEqualsEq24AndPerBandDiffersByTheSharedWeight) {
    // Eq. 25: ρ̄^σ = (1 − σw/2) f^σ + σ(w/2) f^{−σ}, w = −B·Ω_+ (the paper's Ω, charge −e);
    // Eq. 24: ρ_WP^σ = (1 − σw) f^σ. Traces agree (Eq. 28a = 27a); per band they differ by
    // σ(w/2)(f↑ + f↓), which vanishes only when both bands are empty.
    std::mt19937 g(2);
    std::uniform_real_distribution<double> u(0, 1);
    for (int trial = 0; trial < 100; ++trial) {
        BandGeometry geo[2] = {};
        geo[1].omega[2] = 4 * u(g) - 2;
        geo[0].omega[2] = -geo[1].omega[2];
        const double B[3] = {0, 0, u(g) - 0.5};
        double omega[2][2][3], Z[2][2], rho[2], wp[2];
        const double f[2] = {u(g), u(g)};  // lower (σ = −1), upper (σ = +1)
        two_band_curvature_tensor(geo, omega);
        spectral_weights<2>(omega, B, Z);
        band_projected_density<2>(Z, f, rho);
        wave_packet_density<2>(Z, f, wp);
        const double w = -B[2] * geo[1].omega[2];
        for (int n = 0; n < 2; ++n) {
            const double s = n == 0 ? -1.0 : 1.0;
            EXPECT_NEAR(rho[n], (1 - s * w / 2) * f[n] + s * (w / 2) * f[1 - n], 1e-14);
            EXPECT_NEAR(wp[n], (1 - s * w) * f[n], 1e-14);
            EXPECT_NEAR(rho[n] - wp[n], s * (w / 2) * (f[0] + f[1]), 1e-14);
        }
        EXPECT_NEAR(rho[0] + rho[1], wp[0] + wp[1], 1e-14);
    }
}

namespace {

// ∫_box d²k/(2π)² |d|^{-4} for |d|² = v²k² + M² on |k_a| ≤ kcut, v = 1: the inner integral
// in closed form, ∫_0^L dy/(y² + c²)² = [L/(L² + c²) + arctan(L/c)/c]/(2c²), the outer by
// composite Simpson.
double box_inverse_fourth(double M, double L) {
    const int n = 20000;
    const double h = L / n;
    double s = 0.0;
    for (int i = 0; i <= n; ++i) {
        const double x = i * h, c2 = x * x + M * M, c = std::sqrt(c2);
        const double inner = (L / (L * L + c2) + std::atan(L / c) / c) / (2 * c2);
        s += (i == 0 || i == n ? 1 : (i % 2 ? 4 : 2)) * inner;
    }
    return 4 * s * h / 3 / (4 * M_PI * M_PI);
}

}  // namespace

TEST(SpinDensity, TiSurfaceTransversePartInTheGap) {
    // H = v(kx σy − ky σx) + M σz, μ in the gap, E along x, B = 0, τ = 0:
    // ρ̄⊥ = ½(f↑ − f↓)/|d| · u × (E·∂)u gives s⊥_x = ½ v E M ∫_box d²k/(2π)² |d|^{-3}
    //      = (E sgn M / 2π² v) arctan(L²/(|M|√(2L² + M²))), L = v kcut  (→ E sgn M/(4π v)).
    for (double M : {0.5, -0.3}) {
        const double E = 0.01, kcut = 6.0, L = kcut;
        const auto r = results(fmt::format("[model]\nname='ti_surface'\nv=1.0\nM={}\nkcut={}\n[mesh]\nn=[1000,1000]\n"
                                           "[task]\nkind='spin_density'\nmu=0.0\nE=[{},0.0]\n",
                                           M, kcut, E));
        const double expect = E * (M > 0 ? 1 : -1) / (2 * M_PI * M_PI) *
                              std::atan(L * L / (std::fabs(M) * std::sqrt(2 * L * L + M * M)));
        const auto& perp = r["s_perp"][0];
        EXPECT_NEAR(perp[0].get<double>(), expect, 1e-6 * std::fabs(expect)) << M;  // smooth integrand: midpoint rule
        EXPECT_NEAR(perp[1].get<double>(), 0.0, 1e-15);
        EXPECT_NEAR(perp[2].get<double>(), 0.0, 1e-15);
        // Without B the wave-packet formula has no spurious term: the two differ by ρ̄⊥ alone.
        EXPECT_NEAR(r["s_spurious"][0][2].get<double>(), 0.0, 1e-15);
        EXPECT_NEAR(r["difference"][0][0].get<double>(), perp[0].get<double>(), 1e-15);
    }
}

TEST(SpinDensity, TiSurfaceSpuriousTermInTheGap) {
    // B_z ≠ 0, μ in the gap: the second term of Eq. 27b is −∫ w (f↑ + f↓) u with w = −B Ω_+^z,
    // Ω_+^z = −v²M/(2|d|³): s_spurious_z = −(B M² v²/2) ∫_box |d|^{-4} (→ −B/(8π) as kcut → ∞).
    // Eq. 28b has no such term and, in the gap with d0 = 0, no transverse part either.
    const double M = 0.5, B = 0.02, kcut = 6.0;
    const auto r = results(fmt::format("[model]\nname='ti_surface'\nv=1.0\nM={}\nkcut={}\n[mesh]\nn=[1000,1000]\n"
                                       "[task]\nkind='spin_density'\nmu=0.0\nT=0.005\nB={}\n",
                                       M, kcut, B));
    const double expect = -0.5 * B * M * M * box_inverse_fourth(M, kcut);
    EXPECT_NEAR(r["s_spurious"][0][2].get<double>(), expect, 1e-6 * std::fabs(expect));
    EXPECT_NEAR(expect, -B / (8 * M_PI), 0.01 * B / (8 * M_PI));
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(r["s_perp"][0][i].get<double>(), 0.0, 1e-15);
    EXPECT_NEAR(r["difference"][0][2].get<double>(), -expect, 1e-6 * std::fabs(expect));
}

TEST(SpinDensity, TiSurfaceEdelsteinBandPart) {
    // μ in the upper band, the relaxation-time distribution f0(ε(k + τE)), B = 0: the band
    // part changes by δs_y = τ E ∫ (∂f/∂ε) v_x u_y = −τE(μ² − M²)/(4π v μ) (T → 0; the Fermi
    // circle lies inside the box). Odd part in E, so O(E³) corrections cancel with ±E.
    const double M = 0.5, mu = 1.0, tau = 2.0, E = 0.002;
    auto s_y = [&](double e) {
        const auto r = results(fmt::format("[model]\nname='ti_surface'\nv=1.0\nM={}\nkcut=2.0\n[mesh]\nn=[1400,1400]\n"
                                           "[task]\nkind='spin_density'\nmu={}\nT=0.01\ntau={}\nE=[{},0.0]\n",
                                           M, mu, tau, e));
        return r["s_band"][0][1].get<double>();
    };
    const double got = 0.5 * (s_y(E) - s_y(-E));
    const double expect = -tau * E * (mu * mu - M * M) / (4 * M_PI * mu);
    // Sommerfeld: the T² correction is (π²T²/6)·d²/dμ²[(μ² − M²)/μ]/[(μ² − M²)/μ] ≈ 2e-4 relative.
    EXPECT_NEAR(got, expect, 1e-3 * std::fabs(expect));
}

TEST(SpinDensity, TiSurfaceMagneticResponseInTheBand) {
    // B_z only, μ in a band (docs/semiclassical.md): the Fermi-surface term of ρ̄⊥ gives
    //   s⊥_z = −sgn(μ) B (μ² − M²)/(4π μ²),
    // the shift ε̄ = ε − m·B of the band part gives −M² B/(4π μ²) in the upper band, and
    // together the kinetic formula's induced s_z = −B/(4π) for every μ in the upper band.
    // The odd part in B (runs at ±B) removes the O(B²) terms of a finite-field run.
    const double M = 0.5, B = 0.01, T = 0.01;
    auto run = [&](double b) {
        return results(fmt::format("[model]\nname='ti_surface'\nv=1.0\nM={}\nkcut=2.5\n[mesh]\nn=[2000,2000]\n"
                                   "[task]\nkind='spin_density'\nmu=[-1.5,1.0,1.5]\nT={}\nB={}\n",
                                   M, T, b));
    };
    const auto plus = run(B), minus = run(-B);
    auto odd = [&](const char* key, std::size_t j) {
        return 0.5 * (plus[key][j][2].get<double>() - minus[key][j][2].get<double>());
    };
    for (std::size_t j = 0; j < plus["mu"].size(); ++j) {
        const double mu = plus["mu"][j].get<double>(), s = mu > 0 ? 1.0 : -1.0;
        const double perp = -s * B * (mu * mu - M * M) / (4 * M_PI * mu * mu);
        // Mesh (4 spacings per T) and Sommerfeld O(T²/μ²) errors: 1e-3 relative.
        EXPECT_NEAR(odd("s_perp", j), perp, 1e-3 * std::fabs(perp)) << mu;
        if (mu > 0) EXPECT_NEAR(odd("s_induced_kinetic", j), -B / (4 * M_PI), 1e-3 * B / (4 * M_PI)) << mu;
    }
}

TEST(SpectralWeights, FourBandModelThroughTheBerryTask) {
    // Σ_n Z_tot^n = N = 4 at every k, Z_tot^n = 1 + B·Ω_n, and ε̄_n = ε_n − m_n·B (Eq. 12).
    const auto r = results("[model]\nname='qwz_pair'\nu1=-1.0\nu2=1.2\ng=0.3\n[task]\nkind='berry'\nB=0.2\n"
                           "points=[[0.1,0.2],[0.37,0.81],[0.5,0.05]]\n");
    for (std::size_t i = 0; i < r["Z_tot"].size(); ++i) {
        double sum = 0.0;
        for (int n = 0; n < 4; ++n) {
            const double zt = r["Z_tot"][i][n].get<double>();
            sum += zt;
            EXPECT_NEAR(zt, 1.0 + 0.2 * r["omega"][i][n][2].get<double>(), 1e-11);
            EXPECT_NEAR(r["energies_B"][i][n].get<double>(),
                        r["energies"][i][n].get<double>() - 0.2 * r["orbital_moment"][i][n][2].get<double>(), 1e-13);
        }
        EXPECT_NEAR(sum, 4.0, 1e-11);
    }
}
