// Error estimates of mesh integrals (docs/accuracy.md): the estimate — the same result from the
// mesh's coarser sub-mesh, differenced — bounds the actual error against closed forms, flags a
// Weyl node next to a mesh plane, and is reported in the same keys, shapes and units.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>

#include "test_util.hpp"

using bzint::test::results;
using bzint::test::run_toml;

namespace {

// The Dirac box's gap value (test_ahc.cpp): −(sgn m/π) arctan(a²/(|m|√(2a²+m²))), a = v kcut.
double sigma_gap_box(double v, double m, double kcut) {
    const double a = v * kcut;
    return -(m > 0 ? 1.0 : -1.0) / M_PI * std::atan(a * a / (std::fabs(m) * std::sqrt(2 * a * a + m * m)));
}

// weyl_lattice with b0 = 0: σ_xy = (π − k0)/π e²/(h a) for k0 < π (test_ahc.cpp).
std::string weyl(long long n, long long nz) {
    return fmt::format("[model]\nname='weyl_lattice'\nt=0.8\nm=1.4\nk0=0.9\nb0=0.0\n[mesh]\nn=[{},{},{}]\n[task]\nkind='ahc'\nmu=0.0\n",
                       n, n, nz);
}
const double kWeylSigma = (M_PI - 0.9) / M_PI;

}  // namespace

TEST(ErrorEstimate, SmoothIntegrandIsBoundedWithinTheRichardsonFactor) {
    // Gapped Dirac box (μ in the gap): a smooth integrand, midpoint rule O(h²). n = 300 and 900 have
    // the sub-mesh of spacing 3h, whose error is 3² times the mesh's: the estimate is (3² − 1) × the
    // actual error (measured 8.0 and 5.1; docs/accuracy.md).
    for (int n : {300, 900}) {
        const auto doc = run_toml(fmt::format(
            "[model]\nname='dirac2d'\nv=1.0\nm=0.5\nkcut=10.0\n[mesh]\nn=[{0},{0}]\n[task]\nkind='ahc'\nmu=[0.0,0.1]\n", n));
        for (int j = 0; j < 2; ++j) {
            const double got = doc["results"]["sigma_xy"][j].get<double>();
            const double actual = std::fabs(got - sigma_gap_box(1.0, 0.5, 10.0));
            const double est = doc["errors"]["sigma_xy"][j].get<double>();
            EXPECT_GE(est, actual) << n;
            EXPECT_LE(est, 10.0 * actual) << n;
            EXPECT_EQ(doc["errors"]["mu"][j].get<double>(), 0.0);  // inputs are exact
        }
        EXPECT_FALSE(doc.contains("warnings"));
    }
}

TEST(ErrorEstimate, WeylNodeNextToAMeshPlaneIsFlaggedAndBounded) {
    // 100 × 100 × 300: a k_z plane lies 6e-4 from the node at k_z = 0.9, and that one plane's
    // curvature makes σ_xy = 6.99 against 0.7135. The estimate must cover the error and warn.
    const auto doc = run_toml(weyl(100, 300));
    const double got = doc["results"]["sigma"][0][2].get<double>();
    const double est = doc["errors"]["sigma"][0][2].get<double>();
    EXPECT_GT(std::fabs(got - kWeylSigma), 6.0);
    EXPECT_GE(est, std::fabs(got - kWeylSigma));
    ASSERT_TRUE(doc.contains("warnings"));
    EXPECT_NE(doc["warnings"][0].get<std::string>().find("sigma[0][2]"), std::string::npos);
    // The components that vanish by symmetry stay below the warning floor.
    EXPECT_LT(doc["errors"]["sigma"][0][0].get<double>(), 1e-10);
}

TEST(ErrorEstimate, ShiftedMeshMovesThePlaneAwayFromTheNode) {
    // [mesh] shift = [0, 0, 0.5] puts the k_z planes midway: the nearest is then 5e-3 from the node and
    // σ_xy is within 2 % of the exact value, the estimate still covering the error.
    const auto doc = run_toml(weyl(100, 300) + "");
    const auto shifted = run_toml(fmt::format(
        "[model]\nname='weyl_lattice'\nt=0.8\nm=1.4\nk0=0.9\nb0=0.0\n[mesh]\nn=[100,100,300]\nshift=[0,0,0.5]\n"
        "[task]\nkind='ahc'\nmu=0.0\n"));
    const double got = shifted["results"]["sigma"][0][2].get<double>();
    EXPECT_NEAR(got, kWeylSigma, 0.02 * kWeylSigma);
    EXPECT_GE(shifted["errors"]["sigma"][0][2].get<double>(), std::fabs(got - kWeylSigma));
    EXPECT_GT(std::fabs(doc["results"]["sigma"][0][2].get<double>() - got), 6.0);
}

TEST(ErrorEstimate, LatticeMetalAtZeroTemperatureIsBounded) {
    // Nodal semimetal at T = 0 on Γ-centred meshes (sub-mesh of spacing 2h): bounded on every mesh
    // of the convergence study in docs/accuracy.md (ratios 3.1–13).
    for (auto [n, nz] : {std::pair{64, 128}, {64, 256}, {128, 512}, {60, 60}, {80, 80}, {100, 100}}) {
        const auto r = run_toml(weyl(n, nz));
        const double actual = std::fabs(r["results"]["sigma"][0][2].get<double>() - kWeylSigma);
        EXPECT_GE(r["errors"]["sigma"][0][2].get<double>(), actual) << n << "x" << nz;
    }
}

TEST(ErrorEstimate, ChernInsulatorPlateauIsExactWithinItsEstimate) {
    // Haldane in its Chern phase, μ in the gap: σ_xy = −C = ±1 up to exponentially small terms.
    const auto doc = run_toml("[model]\nname='haldane'\nt1=1.0\nt2=0.2\nphi=1.5707963267948966\nM=0.0\n[mesh]\nn=[120,120]\n"
                              "[task]\nkind='ahc'\nmu=0.0\n");
    const double got = doc["results"]["sigma_xy"][0].get<double>();
    const double est = doc["errors"]["sigma_xy"][0].get<double>();
    EXPECT_GE(est, std::fabs(std::fabs(got) - 1.0));
    EXPECT_LT(est, 1e-6);
}

TEST(ErrorEstimate, FermiSurfaceQuantityIsBounded) {
    // Anomaly: each Weyl pocket carries unit Berry flux (test_fermi_surface.cpp) at T = 0.02.
    const auto doc = run_toml("[model]\nname='weyl_lattice'\nt=1.0\nm=1.0\nk0=1.0\nb0=0.3\n[mesh]\nn=[96,96,96]\n"
                              "[task]\nkind='anomaly'\nmu=0.0\nT=0.02\n");
    for (int band = 0; band < 2; ++band) {
        const double got = doc["results"]["anomaly_flux"][0][band].get<double>();
        const double actual = std::fabs(std::fabs(got) - 1.0);
        EXPECT_GE(doc["errors"]["anomaly_flux"][0][band].get<double>(), actual) << band;
    }
}

TEST(ErrorEstimate, AMeshWithoutASubMeshSaysSoAndWarns) {
    // A continuum box needs an odd factor (midpoint rule nesting): 256 has none.
    const auto doc = run_toml("[model]\nname='dirac2d'\nv=1.0\nm=0.5\nkcut=10.0\n[mesh]\nn=[256,256]\n[task]\nkind='ahc'\nmu=0.0\n");
    EXPECT_TRUE(doc["errors"].is_null());
    ASSERT_TRUE(doc.contains("warnings"));
    EXPECT_NE(doc["warnings"][0].get<std::string>().find("no error estimate"), std::string::npos);
}

TEST(ErrorEstimate, CsvCarriesAnErrorColumnPerValueColumn) {
    const bzint::test::TempDir dir;
    bzint::run(bzint::RunFile::parse("title='e'\n[model]\nname='haldane'\n[mesh]\nn=[60,60]\n[task]\nkind='ahc'\nmu=[-1.0,0.0]\n",
                                     "e.toml"),
               bzint::Backend::cpu, bzint::RunOptions{dir.path(), false, true});
    std::ifstream csv(dir / "e_sigma.csv");
    std::string comment, header;
    std::getline(csv, comment);
    std::getline(csv, header);
    EXPECT_EQ(header, "mu,sigma_xy,sigma_xy_band0,sigma_xy_band1,sigma_xy_error,sigma_xy_band0_error,sigma_xy_band1_error");
}

TEST(Convergence, ARelativeToleranceIsMetOnDenserMeshesAndRecorded) {
    // Gapped Dirac box from n = 30: meshes 30, 60, 120, … until the estimate is ≤ rtol·|σ|; the
    // estimate bounds the error here (smooth integrand), so the actual error meets rtol as well.
    const double rtol = 1e-6;
    const auto doc = run_toml(
        "[model]\nname='dirac2d'\nv=1.0\nm=0.5\nkcut=10.0\n[mesh]\nn=[30,30]\n[task]\nkind='ahc'\nmu=0.0\nrtol=1e-6\n");
    const auto& c = doc["convergence"];
    ASSERT_TRUE(c["converged"].get<bool>());
    ASSERT_GE(c["passes"].size(), 2u);
    EXPECT_EQ(c["passes"][1]["n"][0].get<long long>(), 60);  // each pass doubles every axis
    const double got = doc["results"]["sigma_xy"][0].get<double>();
    EXPECT_LE(doc["errors"]["sigma_xy"][0].get<double>(), rtol * std::fabs(got));
    EXPECT_LE(std::fabs(got - sigma_gap_box(1.0, 0.5, 10.0)), rtol * std::fabs(got));
    EXPECT_EQ(doc["timing"]["kpoints"].get<long long>(), c["passes"].back()["points"].get<long long>());
}

TEST(Convergence, BandResolvedPartsDoNotDriveTheWork) {
    // The lower band's σ near a Weyl node converges far more slowly than the total: rtol = 1e-2 is met
    // by the total (the principal quantity) while a band part may still exceed it.
    const auto doc = run_toml(weyl(16, 16) + "T=0.05\nrtol=1e-2\nmax_seconds=60\n");
    ASSERT_TRUE(doc["convergence"]["converged"].get<bool>());
    const double s = doc["results"]["sigma"][0][2].get<double>();
    EXPECT_LE(doc["errors"]["sigma"][0][2].get<double>(), 1e-10 + 1e-2 * std::fabs(s));
    EXPECT_EQ(doc["convergence"]["passes"].back()["worst"].get<std::string>().rfind("sigma[", 0), 0u);
}
