// Task streda: the density in a weak B and ∂n/∂B_z at fixed μ (SU(N) paper Eq. 17),
// σ_Středa = −e ∂n/∂B_z in e²/h. Expected values: Chern numbers (docs/conventions.md),
// the Dirac-cone closed forms derived in docs/semiclassical.md, and finite differences
// of n(μ, B) from the independent finite-B passes.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>

#include "test_util.hpp"

using bzint::test::results;

namespace {

double sgn(double x) { return x > 0 ? 1.0 : -1.0; }

// −(1/2π)·2π∫_box Ω_lower d²k/(2π)² for the Dirac cone on |k_a| ≤ kcut (as in test_ahc.cpp).
double sigma_gap_box(double v, double m, double kcut) {
    const double a = v * kcut;
    return -sgn(m) / M_PI * std::atan(a * a / (std::fabs(m) * std::sqrt(2 * a * a + m * m)));
}

// ⟨1/E⟩_T = ∫_{|m|}^∞ dE (−∂f/∂E)(E − μ) / E by the trapezoid rule on a fine grid.
double inverse_energy_average(double m, double mu, double T) {
    const double lo = std::max(std::fabs(m), mu - 60 * T), hi = mu + 60 * T;
    const int n = 200000;
    const double h = (hi - lo) / n;
    double s = 0.0;
    for (int i = 0; i <= n; ++i) {
        const double E = lo + i * h, x = (E - mu) / T;
        const double w = 1.0 / (4.0 * T * std::cosh(0.5 * x) * std::cosh(0.5 * x));
        s += (i == 0 || i == n ? 0.5 : 1.0) * w / E;
    }
    return s * h;
}

}  // namespace

TEST(Streda, GapValueIsMinusChernForHaldaneAndQwz) {
    // C_lower: Haldane sgn(t2 sin φ) = +1 in its topological phase; QWZ +1 for −2 < u < 0,
    // −1 for 0 < u < 2, 0 for |u| > 2 (docs/conventions.md; test_chern.cpp checks them by FHS).
    struct Case {
        std::string model;
        double C;
    };
    const Case cases[] = {{"name='haldane'\nt2=0.1\nphi=1.5707963267948966\nM=0.2", 1.0},
                          {"name='qwz'\nu=-1.0", 1.0},
                          {"name='qwz'\nu=1.0", -1.0},
                          {"name='qwz'\nu=-3.0", 0.0}};
    for (const auto& c : cases) {
        // μ = 0 is mid-gap; T = 0.005 leaves e^{−60} of the gap edges (half-gaps ≥ 0.32).
        const auto r = results(fmt::format("[model]\n{}\n[mesh]\nn=[300,300]\n[task]\nkind='streda'\nmu=0.0\nT=0.005\n", c.model));
        EXPECT_NEAR(r["sigma_streda"][0].get<double>(), -c.C, 1e-6) << c.model;
        EXPECT_NEAR(r["dn_dB"][0].get<double>(), c.C, 1e-6) << c.model;
        EXPECT_NEAR(r["sigma_streda"][0].get<double>(), r["sigma_ahc"][0].get<double>(), 1e-12) << c.model;
        EXPECT_NEAR(r["dn_dB_surface"][0].get<double>(), 0.0, 1e-12) << c.model;  // no Fermi surface in the gap
    }
}

TEST(Streda, DiracGapIsHalfQuantumWithCutoffCorrection) {
    for (double m : {0.5, -0.3}) {
        const auto r = results(fmt::format(
            "[model]\nname='dirac2d'\nv=1.0\nm={}\nkcut=10.0\n[mesh]\nn=[1000,1000]\n[task]\nkind='streda'\nmu=0.0\nT=0.002\n", m));
        // The box's solid angle: −(sgn m/π) arctan(a²/(|m|√(2a² + m²))) → −sgn(m)/2 (midpoint rule, smooth: 1e-7).
        EXPECT_NEAR(r["sigma_streda"][0].get<double>(), sigma_gap_box(1.0, m, 10.0), 1e-7) << m;
        EXPECT_NEAR(r["sigma_streda"][0].get<double>(), -0.5 * sgn(m), 0.03) << m;
    }
}

TEST(Streda, DiracInTheBandDiffersFromAhcByTheOrbitalMomentTerm) {
    // μ in the upper band of H = v k·σ + m σz. The upper band adds ∫ f Ω_+ + ∫ m_z (−∂f/∂ε)
    // = −sgn(m) f(|m|)/(4π) whatever μ and T (docs/semiclassical.md), so
    //   σ_Středa = σ_gap_box + sgn(m)/2        (the band's Středa response cancels the Dirac point's),
    // while σ_ahc keeps only the sea; the difference is the Fermi-surface term
    //   σ_Středa − σ_ahc = (m/2)⟨1/E⟩_T → m/(2μ) at T = 0.
    const double m = 0.5, kcut = 4.0, T = 0.03;
    const auto r = results(fmt::format("[model]\nname='dirac2d'\nv=1.0\nm={}\nkcut={}\n[mesh]\nn=[1600,1600]\n[task]\n"
                                       "kind='streda'\nmu=[0.9,1.3,2.0]\nT={}\n",
                                       m, kcut, T));
    for (std::size_t j = 0; j < r["mu"].size(); ++j) {
        const double mu = r["mu"][j].get<double>();
        const double streda = r["sigma_streda"][j].get<double>(), ahc = r["sigma_ahc"][j].get<double>();
        // The Fermi circle is resolved by T/(v h) = 6 mesh spacings (measured error ≤ 1e-6).
        EXPECT_NEAR(streda, sigma_gap_box(1.0, m, kcut) + 0.5 * sgn(m), 1e-5) << mu;
        EXPECT_NEAR(streda - ahc, 0.5 * m * inverse_energy_average(m, mu, T), 1e-4) << mu;
        EXPECT_GT(std::fabs(streda - ahc), 0.1);  // the relation fails in the band
    }
}

TEST(Streda, PerBandRelationFailsWhileTheTotalHolds) {
    // Haldane, μ in the gap. Wave-packet reading: band 0 carries all of ∂n/∂B (= its own
    // Berry-curvature AHC). Band-projected density (SU(N) paper Eq. 16; kinetic-equation paper
    // Eq. 44): both bands change by the same amount, half the total each — the upper band
    // changes although it is empty and carries no Hall current.
    const auto r = results("[model]\nname='haldane'\nM=0.2\n[mesh]\nn=[300,300]\n[task]\nkind='streda'\nmu=0.0\nT=0.005\n");
    const auto& wp = r["dn_dB_band"][0];
    const auto& proj = r["dn_dB_band_projected"][0];
    EXPECT_NEAR(wp[0].get<double>(), 1.0, 1e-6);
    EXPECT_NEAR(wp[1].get<double>(), 0.0, 1e-12);
    EXPECT_NEAR(proj[0].get<double>(), 0.5, 1e-6);
    EXPECT_NEAR(proj[1].get<double>(), 0.5, 1e-6);
    EXPECT_NEAR(proj[0].get<double>() + proj[1].get<double>(), wp[0].get<double>() + wp[1].get<double>(), 1e-13);
}

TEST(Streda, DerivativeMatchesFiniteFieldDensities) {
    // n(μ, ±B) from two independent passes at the magnetic energies ε − m·B against the
    // analytic ∂n/∂B at B = 0 (in e/h: 2π × the e/ħ value): central difference, O(B²).
    const double B = 0.002;
    const auto r = results(fmt::format("[model]\nname='haldane'\nM=0.2\n[mesh]\nn=[400,400]\n[task]\nkind='streda'\n"
                                       "mu=[-2.0,-0.5,0.0,0.7,1.5]\nT=0.05\nB=[{},{}]\n",
                                       -B, B));
    for (std::size_t j = 0; j < r["mu"].size(); ++j) {
        const double fd = (r["density_B"][1][j].get<double>() - r["density_B"][0][j].get<double>()) / (2 * B) * 2 * M_PI;
        const double exact = r["dn_dB"][j].get<double>();
        EXPECT_NEAR(fd, exact, 1e-4 * (1 + std::fabs(exact))) << r["mu"][j];
    }
}

TEST(Streda, ThreeDimensionalWeylLattice) {
    // 3D: ∂n/∂B is a vector; its Fermi-sea part is the `ahc` task's σ (same sums, same mesh),
    // and the finite-field densities at B = ±B ẑ reproduce ∂n/∂B_z (central difference, O(B²)).
    const std::string model = "[model]\nname='weyl_lattice'\n[mesh]\nn=[40,40,40]\n";
    const auto r = results(model + "[task]\nkind='streda'\nmu=[-0.3,0.5]\nT=0.02\nB=[[0,0,-0.002],[0,0,0.002]]\n");
    const auto a = results(model + "[task]\nkind='ahc'\nmu=[-0.3,0.5]\nT=0.02\n");
    for (std::size_t j = 0; j < 2; ++j) {
        for (int c = 0; c < 3; ++c) {
            // σ_Středa's Fermi-sea part −∂n/∂B_c against σ_ab, (a, b, c) cyclic.
            EXPECT_NEAR(r["sigma_ahc"][j][c].get<double>(), a["sigma"][j][c].get<double>(), 1e-12);
        }
        const double fd = (r["density_B"][1][j].get<double>() - r["density_B"][0][j].get<double>()) / 0.004 * 2 * M_PI;
        EXPECT_NEAR(fd, r["dn_dB"][j][2].get<double>(), 1e-4) << j;
        EXPECT_NEAR(r["dn_dB"][j][0].get<double>(), 0.0, 1e-12);  // Ω^x sums to zero by symmetry
    }
}

TEST(Streda, FourBandModelAddsItsCopies) {
    // qwz_pair, decoupled (g = 0): ∂n/∂B and n(μ, B) are the sums of the two QWZ copies'
    // (their magnetic energies ε − m·B included); in the common gap σ_Středa = −(C1 + C2) = −2.
    auto run = [](const std::string& model) {
        return results(fmt::format("[model]\n{}\n[mesh]\nn=[120,120]\n[task]\nkind='streda'\nmu=[-1.0,0.0,0.9]\nT=0.02\n"
                                   "B=[0.01]\n",
                                   model));
    };
    const auto pair = run("name='qwz_pair'\nu1=-1.0\nu2=-1.5\ng=0.0");
    const auto a = run("name='qwz'\nu=-1.0"), b = run("name='qwz'\nu=-1.5");
    for (std::size_t j = 0; j < 3; ++j) {
        // The N-band path (Jacobi eigenvectors, Kubo sums) against the two-band closed forms:
        // agreement to ~1e-9 relative (the orbital moments near the band edges are the least precise).
        const double want = a["dn_dB"][j].get<double>() + b["dn_dB"][j].get<double>();
        EXPECT_NEAR(pair["dn_dB"][j].get<double>(), want, 1e-8 * (1 + std::fabs(want))) << j;
        const double nB = a["density_B"][0][j].get<double>() + b["density_B"][0][j].get<double>();
        EXPECT_NEAR(pair["density_B"][0][j].get<double>(), nB, 1e-8 * (1 + std::fabs(nB))) << j;
    }
    EXPECT_NEAR(pair["sigma_streda"][1].get<double>(), -2.0, 1e-6);
    EXPECT_TRUE(pair["dn_dB_band_projected"][0].is_null());
    EXPECT_EQ(pair["dn_dB_band"][0].size(), 4u);
}
