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
    // The detector (band_touching.hpp) finds the two points next to the nodes (6e-4 = 0.03 of the
    // spacing away): without them the sum is 0.7123, the mesh's ordinary error of 1.2e-3 from
    // the exact value, so their contribution is the spurious part, within that.
    ASSERT_TRUE(doc.contains("near_touching"));
    EXPECT_NEAR(doc["near_touching"]["sigma"][0][2].get<double>(), got - kWeylSigma, 2e-3);
    EXPECT_EQ(doc["near_touching"]["sigma"][0][0].get<double>(), 0.0);
    EXPECT_NE(doc["warnings"][0].get<std::string>().find("near a band touching"), std::string::npos);
}

TEST(ErrorEstimate, RefinementReplacesThePointsNearTheNodes) {
    // The same mesh with [task] refine (m = 2, points with |Ω| > 1e4: within 0.007 of a node): the two
    // points 6e-4 from the nodes are replaced by 2³ sub-points each, ≥ 0.02 away, which the detector
    // judges on their own plaquettes (A/4) and does not flag; the points themselves leave the
    // detector's section as they entered it (exactly: the same k, the opposite weight). σ_xy comes
    // within the mesh's ordinary error (1.2e-3 above) of the exact value (measured 1.05e-3), within
    // its estimate, and nothing near a touching remains.
    const auto doc = run_toml(weyl(100, 300) + "refine={threshold=1e4,m=2}\n");
    const double got = doc["results"]["sigma"][0][2].get<double>();
    EXPECT_NEAR(got, kWeylSigma, 2e-3);
    EXPECT_GE(doc["errors"]["sigma"][0][2].get<double>(), std::fabs(got - kWeylSigma));
    EXPECT_FALSE(doc.contains("near_touching"));
}

TEST(ErrorEstimate, AGapTheMeshDoesNotResolveIsNamedOnTheNBandPath) {
    // qwz_pair without coupling: the first copy at u1 = −2.0005 is a massive Dirac point at Γ, a mesh
    // point, of gap 0.001 against 0.2 × v × h = 0.021 on 60²: its curvature peak (width 5e-4) is
    // sampled only at its top, where Ω = 1/(2m²) = 2e6. The copy is trivial (|u1| > 2: C = 0), the
    // second (u2 = 1.2) has |C| = 1, so the exact |σ_xy| is 1 (QWZ; test_ahc.cpp). The estimate, at
    // least the Γ point's contribution, bounds the error, and the warning names the touching.
    const auto doc = run_toml("[model]\nname='qwz_pair'\nu1=-2.0005\nu2=1.2\ng=0.0\n[mesh]\nn=[60,60]\n"
                              "[task]\nkind='ahc'\nmu=0.0\n");
    const double got = doc["results"]["sigma_xy"][0].get<double>();
    EXPECT_GT(std::fabs(got), 10.0);
    EXPECT_GE(doc["errors"]["sigma_xy"][0].get<double>(), std::fabs(got) - 1.0);
    ASSERT_TRUE(doc.contains("near_touching"));
    EXPECT_GE(doc["near_touching"]["sigma_xy"][0].get<double>(), std::fabs(got) - 1.0);
    EXPECT_NE(doc["warnings"][0].get<std::string>().find("near a band touching"), std::string::npos);
}

TEST(ErrorEstimate, RefinementLeavesATwoDimensionalGapItCannotResolveFlagged) {
    // The same model with [task] refine (|Ω| > 0.1, m = 4). Γ's sub-points would lie h/8 = 0.013 and
    // more from the gap's centre, against its width gap/v = 5e-4: they would miss the half quantum
    // of Berry flux there, unflagged (refining Γ too gave 0.527 ± 0.038, an estimate of the smooth rest). So
    // Γ is not refined: it stays flagged, and the estimate still bounds the error (docs/accuracy.md);
    // the points around it, where |Ω| > 0.1, are refined.
    const auto doc = run_toml("[model]\nname='qwz_pair'\nu1=-2.0005\nu2=1.2\ng=0.0\n[mesh]\nn=[60,60]\n"
                              "[task]\nkind='ahc'\nmu=0.0\nrefine={threshold=0.1,m=4}\n");
    const double got = doc["results"]["sigma_xy"][0].get<double>();
    EXPECT_GT(std::fabs(got), 10.0);
    EXPECT_GT(doc["results"]["refinement"]["refined_points"].get<long long>(), 0);
    EXPECT_GE(doc["errors"]["sigma_xy"][0].get<double>(), std::fabs(got) - 1.0);
    ASSERT_TRUE(doc.contains("near_touching"));
    EXPECT_GE(doc["near_touching"]["sigma_xy"][0].get<double>(), std::fabs(got) - 1.0);
    EXPECT_NE(doc["warnings"][0].get<std::string>().find("leaves such a point as it is"), std::string::npos);
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
    EXPECT_FALSE(doc.contains("near_touching"));  // a gap of 2·|3√3 t2| = 2.08 is nowhere near a touching
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

TEST(Convergence, AFermiStepIsCheckedAgainstASecondPass) {
    // The Dirac box at T = 0 with μ = 2 in the upper band: the occupations jump at the Fermi circle,
    // and on 60² the sub-mesh estimate (9.75e-4) happens to meet rtol = 1e-2 while the error is
    // 3.25e-3 (bench/accuracy_study.py tolerance). The loop must not stop there: it runs a second
    // pass, whose estimate is at least its change from the first, and stops when both meet the
    // tolerance; the result is then within it of the closed form (test_ahc.cpp:
    // box value + (sgn m − m/μ)/2). μ = 0 in the gap is a smooth integrand: no second pass is forced.
    const double rtol = 1e-2, m = 0.5, mu = 2.0;
    const auto doc = run_toml(fmt::format("[model]\nname='dirac2d'\nv=1.0\nm={}\nkcut=10.0\n[mesh]\nn=[60,60]\n[task]\n"
                                          "kind='ahc'\nmu={}\nrtol={}\n",
                                          m, mu, rtol));
    const auto& c = doc["convergence"];
    ASSERT_TRUE(c["converged"].get<bool>());
    EXPECT_TRUE(c["passes"][0]["fermi_step"].get<bool>());
    EXPECT_LE(c["passes"][0]["worst_error_over_tolerance"].get<double>(), 1.0);  // met by the first estimate alone
    EXPECT_GE(c["passes"].size(), 2u);
    const double got = doc["results"]["sigma_xy"][0].get<double>(), exact = sigma_gap_box(1.0, m, 10.0) + 0.5 * (1.0 - m / mu);
    EXPECT_LE(std::fabs(got - exact), rtol * std::fabs(got));
    EXPECT_GE(doc["errors"]["sigma_xy"][0].get<double>(), std::fabs(got - exact));

    // Where max_points leaves no room for the second pass, the result stands as met but unchecked,
    // and a warning says so.
    const auto capped = run_toml(fmt::format("[model]\nname='dirac2d'\nv=1.0\nm={}\nkcut=10.0\n[mesh]\nn=[60,60]\n[task]\n"
                                             "kind='ahc'\nmu={}\nrtol={}\nmax_points=3600\n",
                                             m, mu, rtol));
    EXPECT_TRUE(capped["convergence"]["converged"].get<bool>());
    EXPECT_NE(capped["convergence"]["unchecked"].get<std::string>().find("max_points"), std::string::npos);
    ASSERT_TRUE(capped.contains("warnings"));

    const auto gap = run_toml("[model]\nname='dirac2d'\nv=1.0\nm=0.5\nkcut=10.0\n[mesh]\nn=[300,300]\n[task]\nkind='ahc'\n"
                              "mu=0.0\nrtol=1e-2\n");
    EXPECT_FALSE(gap["convergence"]["passes"][0]["fermi_step"].get<bool>());
    EXPECT_EQ(gap["convergence"]["passes"].size(), 1u);
}

TEST(Convergence, InTwoDimensionsAFlaggedGapStaysOnTheMeshUntilResolved) {
    // qwz_pair without coupling, the first copy at u1 = −2.005: a massive Dirac point at Γ of gap
    // 2m = 0.01, whose Berry flux (half a quantum) lies within m/v = 0.005 of Γ. The copy is
    // trivial and the second (u2 = 1.2) has |C| = 1, so |σ_xy| = 1 (test_ahc.cpp). 30², 60² and
    // 120² sample Γ and flag it (2m < 0.2·v·h). Moving the mesh off Γ — as in 3D, where a Weyl node
    // is integrable — would miss the flux and converge to ~0.5 within a small estimate (measured
    // with u1 = −2.0005 from 60²: 0.516 ± 0.004). In 2D the next mesh keeps the flagged point
    // (convergence.cpp next_mesh) until the mesh resolves the gap; the result is then within
    // rtol of 1 and inside its estimate.
    const auto doc = run_toml("[model]\nname='qwz_pair'\nu1=-2.005\nu2=1.2\ng=0.0\n[mesh]\nn=[30,30]\n"
                              "[task]\nkind='ahc'\nmu=0.0\nrtol=1e-2\n");
    const auto& c = doc["convergence"];
    ASSERT_TRUE(c["converged"].get<bool>());
    ASSERT_GE(c["passes"].size(), 4u);
    for (int p = 0; p < 3; ++p) {
        EXPECT_TRUE(c["passes"][p]["near_touching"].get<bool>()) << p;
        EXPECT_EQ(c["passes"][p + 1]["shift"][0].get<double>(), 0.0) << p;  // Γ stays on the mesh
    }
    const double got = std::fabs(doc["results"]["sigma_xy"][0].get<double>());
    EXPECT_NEAR(got, 1.0, 1e-2);
    EXPECT_GE(doc["errors"]["sigma_xy"][0].get<double>(), std::fabs(got - 1.0));
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

namespace {
std::string lz(const std::string& diss, const std::string& fields, const std::string& task) {
    return "[model]\nname='landau_zener'\nv=1.0\ndelta=1.0\n[field]\nE=" + fields + "\n[dissipation]\n" + diss +
           "\n[task]\nkind='dc_current'\n" + task + "\n";
}
}  // namespace

TEST(DcErrorEstimate, RtaLinearResponseWithAShortWindowIsBounded) {
    // μ in the gap, T = 0: J_inter/E → σ_inter of S22, 1.0609481e-3 at γ = 0.02 (test_qme_two_band.cpp),
    // on windows of 2, 3 and 5; the estimate (steps + window) covers the error of J_inter (its O(E²)
    // part, ~1e-6 relative at this E, is not an error of the integration).
    const double sigma = 1.0609481e-3, E = 0.0005;
    for (double w : {2.0, 3.0, 5.0}) {
        const auto doc = run_toml(lz("kind='rta'\ntau1=50.0", "[0.0005]", fmt::format("T=0.0\nwindow={}", w)));
        const double J = doc["results"]["J_inter"][0].get<double>();
        EXPECT_GE(doc["errors"]["J_inter"][0].get<double>(), std::fabs(J - sigma * E) - 1e-6 * sigma * E) << w;
        EXPECT_EQ(doc["results"]["window"][0].get<double>(), w);
    }
}

TEST(DcErrorEstimate, DpaAtLowFieldWithTheExamplesWindowIsFlaggedAndBounded) {
    // The case: DPA, T = 0.01, 2Γ = 0.01, window 5 — J is 53 % too high at E = 0.05 against the
    // converged value (window 80, whose own estimate is below 1 % of the error measured: the
    // reference). The estimate covers the error at every field and the warning names the window.
    const std::string diss = "kind='dpa'\ngamma=0.005";
    const auto ref = run_toml(lz(diss, "[0.05,0.1,0.2]", "T=0.01\nwindow=80"));
    const auto doc = run_toml(lz(diss, "[0.05,0.1,0.2]", "T=0.01\nwindow=5"));
    for (int i = 0; i < 3; ++i) {
        const double exact = ref["results"]["J"][i].get<double>();
        const double actual = std::fabs(doc["results"]["J"][i].get<double>() - exact);
        EXPECT_LT(ref["errors"]["J"][i].get<double>(), 1e-2 * actual);
        EXPECT_GE(doc["errors"]["J"][i].get<double>(), actual) << i;
    }
    EXPECT_GT(std::fabs(doc["results"]["J"][0].get<double>() / ref["results"]["J"][0].get<double>() - 1.0), 0.3);
    ASSERT_TRUE(doc.contains("warnings"));
    EXPECT_NE(doc["warnings"][0].get<std::string>().find("raise [task] window"), std::string::npos);
}

TEST(DcErrorEstimate, ToleranceWidensTheWindowUntilMet) {
    // rtol = 1e-5 from window 5: the window doubles (the window estimate dominates) until the estimate
    // meets it, and the result then agrees with the reference to the same tolerance.
    const std::string diss = "kind='dpa'\ngamma=0.005";
    const auto ref = run_toml(lz(diss, "[0.2]", "T=0.01\nwindow=80"));
    const auto doc = run_toml(lz(diss, "[0.2]", "T=0.01\nwindow=5\nrtol=1e-5"));
    ASSERT_TRUE(doc["convergence"]["converged"].get<bool>());
    EXPECT_GT(doc["results"]["window"][0].get<double>(), 5.0);
    const double J = doc["results"]["J"][0].get<double>(), exact = ref["results"]["J"][0].get<double>();
    EXPECT_LE(doc["errors"]["J"][0].get<double>(), 1e-5 * std::fabs(J) + 1e-10);
    EXPECT_LE(std::fabs(J - exact), 1e-5 * std::fabs(exact));
}

TEST(DcErrorEstimate, CoherentTunnellingReportsTheProbabilityAndNoCurrent) {
    // `none` has no steady state: no J; P = exp(−π δ²/(vE)) (Landau–Zener) within its estimate.
    const auto doc = run_toml(lz("kind='none'", "[1.0, 2.0]", "T=0.0\nwindow=60.0"));
    EXPECT_FALSE(doc["results"].contains("J"));
    for (int i = 0; i < 2; ++i) {
        const double E = doc["results"]["E"][i].get<double>(), P = doc["results"]["lz_probability"][i].get<double>();
        EXPECT_GE(doc["errors"]["lz_probability"][i].get<double>(), std::fabs(P - std::exp(-M_PI / E))) << E;
    }
}

TEST(DcErrorEstimate, LatticeLinesCarryAMeshEstimate) {
    // qwz u = −1, μ in the gap, DPA: J_y/E_x = +1 e²/h (test_qme_two_band.cpp) on 16 and 32 lines; the
    // estimate (steps + lines against the sub-mesh of every other line) covers the error.
    for (int lines : {16, 32}) {
        const auto doc = run_toml(fmt::format("[model]\nname='qwz'\nu=-1.0\n[mesh]\nn=[1,{}]\n[field]\nE=[0.01]\ndirection=1\n"
                                              "[dissipation]\nkind='dpa'\ngamma=0.1\n[task]\nkind='dc_current'\nT=0.0\nsteps=4000\n",
                                              lines));
        const double E = 0.01, Jy = doc["results"]["J"][0][1].get<double>();
        EXPECT_GE(doc["errors"]["J"][0][1].get<double>(), std::fabs(Jy - E / (2 * M_PI)) - 1e-6 * E) << lines;  // O(E²)
        EXPECT_TRUE(doc["results"]["error_parts"]["mesh"]["J"][0].is_array());
    }
}

TEST(ChernErrors, DistanceFromTheIntegerAndBetweenTheMethods) {
    // Haldane near its transition (a small gap at K): on a coarse mesh the integral is off the
    // integer while the link method already is one; the estimate of the integral is its distance
    // from the link value, and the link's is its distance from the nearest integer (rounding only).
    const auto doc = run_toml("[model]\nname='haldane'\nM=0.45\nphi=1.5707963267948966\n[mesh]\nn=[30,30]\n[task]\nkind='chern'\n");
    const double integral = doc["results"]["chern"][0].get<double>(), link = doc["results"]["chern_fhs"][0].get<double>();
    EXPECT_NEAR(link, std::round(link), 1e-10);
    EXPECT_GT(std::fabs(integral - link), 0.1);  // the peak at K is undersampled
    EXPECT_NEAR(doc["errors"]["chern"][0].get<double>(), std::fabs(integral - link), 1e-10);
    EXPECT_LT(doc["errors"]["chern_fhs"][0].get<double>(), 1e-10);
    ASSERT_TRUE(doc.contains("warnings"));
}

namespace {
// ti_surface (v = 1, M = 0.3, kcut = 3) with white-noise disorder u0 = 0.5 (test_disorder.cpp).
constexpr double kTiM = 0.3;
double solid_angle(double M, double L) { return std::atan(L * L / (M * std::sqrt(2 * L * L + M * M))); }
}  // namespace

TEST(DisorderErrors, ContourPiecesAreBoundedByTheSubMeshContour) {
    // The contour pieces against the disorder paper's closed forms (Eqs. 78, 82, 85; ξ = M/μ,
    // a = (1 − ξ²)/(1 + 3ξ²)): side-jump and extrinsic velocity ξa, skew 1.5ξa² (e²/h). The
    // estimate — the same pieces from the contour of the coarser sub-mesh — bounds every one on
    // 60² and 150² (measured ratios 1.9–130). The Fermi-sea piece σ_int is a T = 0 sum in a
    // metal (the box value of test_disorder.cpp): bounded in 6 of these 8 cases (the misses, at
    // 150², ξ = 0.67 and 0.5, are the lattice-point error of docs/accuracy.md).
    int sea_bounded = 0;
    for (int n : {60, 150}) {
        const auto doc = run_toml(fmt::format("[model]\nname='ti_surface'\nv=1.0\nM={}\nkcut=3.0\n[mesh]\nn=[{},{}]\n"
                                              "[disorder]\nu0=0.5\n[task]\nkind='disorder_ahe'\nmu=[0.45,0.6,1.0,2.0]\n",
                                              kTiM, n, n));
        const auto& levels = doc["results"]["levels"];
        const auto& errors = doc["errors"]["levels"];
        ASSERT_EQ(errors.size(), levels.size());
        for (std::size_t j = 0; j < levels.size(); ++j) {
            const double mu = levels[j]["mu"].get<double>(), xi = kTiM / mu, a = (1 - xi * xi) / (1 + 3 * xi * xi);
            const double exact_int = solid_angle(kTiM, 3.0) / M_PI - 0.5 * (1.0 - xi);
            const std::pair<const char*, double> pieces[] = {{"sigma_ext", xi * a}, {"sigma_sj", xi * a}, {"sigma_sk", 1.5 * xi * a * a}};
            for (const auto& [key, exact] : pieces)
                EXPECT_GE(errors[j][key][1][0].get<double>(), std::fabs(levels[j][key][1][0].get<double>() - exact))
                    << key << " n " << n << " mu " << mu;
            sea_bounded += errors[j]["sigma_int"][1][0].get<double>() >= std::fabs(levels[j]["sigma_int"][1][0].get<double>() - exact_int);
            EXPECT_TRUE(errors[j]["fermi_points"].is_null());  // a count, not an estimated quantity
        }
    }
    EXPECT_GE(sea_bounded, 6);
}

TEST(DisorderErrors, AGapTheMeshDoesNotResolveWidensTheSeaPiece) {
    // ti_surface with M = 0.001 on 63²: the odd count puts a box midpoint at k = 0, where the
    // massive Dirac point's curvature peak (Ω = v²/2M² = 5e5, width M/v) is sampled at its top;
    // 0.2 × v × h = 0.019 > 2M, so the detector flags the point (band_touching.hpp). With μ = 0 in
    // the gap the sea piece is the box's half-quantized value solid_angle/π (test_disorder.cpp) and
    // the mesh gives ~722: near_touching, and with it the estimate, must cover the error. At μ = 1
    // both bands are occupied at k = 0 (their curvatures cancel): nothing to add, and σ_int is
    // within its estimate of solid_angle/π − (1 − ξ)/2, ξ = M/μ.
    const double M = 0.001;
    const auto doc = run_toml(fmt::format("[model]\nname='ti_surface'\nv=1.0\nM={}\nkcut=3.0\n[mesh]\nn=[63,63]\n"
                                          "[disorder]\nu0=0.5\n[task]\nkind='disorder_ahe'\nmu=[0.0,1.0]\n",
                                          M));
    const auto& levels = doc["results"]["levels"];
    ASSERT_TRUE(doc.contains("near_touching"));
    const double in_gap = levels[0]["sigma_int"][1][0].get<double>(), exact_gap = solid_angle(M, 3.0) / M_PI;
    EXPECT_GT(std::fabs(in_gap - exact_gap), 100.0);
    EXPECT_GE(doc["near_touching"]["levels"][0]["sigma_int"][1][0].get<double>(), std::fabs(in_gap - exact_gap));
    EXPECT_GE(doc["errors"]["levels"][0]["sigma_int"][1][0].get<double>(), std::fabs(in_gap - exact_gap));
    EXPECT_GE(doc["errors"]["levels"][0]["sigma_total"][1][0].get<double>(), std::fabs(in_gap - exact_gap));
    const double in_band = levels[1]["sigma_int"][1][0].get<double>(), exact_band = exact_gap - 0.5 * (1.0 - M);
    EXPECT_LT(std::fabs(doc["near_touching"]["levels"][1]["sigma_int"][1][0].get<double>()), 1e-9);  // ±722 cancel
    EXPECT_GE(doc["errors"]["levels"][1]["sigma_int"][1][0].get<double>(), std::fabs(in_band - exact_band));
    bool named = false;
    for (const auto& w : doc["warnings"])
        named = named || (w.get<std::string>().find("near a band touching") != std::string::npos &&
                          w.get<std::string>().find("do not move the mesh off") != std::string::npos);
    EXPECT_TRUE(named);  // in 2D the flux of the gap is at the point: the remedy is a denser mesh
}

TEST(DisorderErrors, ToleranceRefinesTheContour) {
    // rtol = 2e-3 from 60²: the mesh doubles until every level's pieces meet it; the side-jump piece
    // then agrees with Eq. 82 to the same tolerance.
    const auto doc = run_toml("[model]\nname='ti_surface'\nv=1.0\nM=0.3\nkcut=3.0\n[mesh]\nn=[60,60]\n[disorder]\nu0=0.5\n"
                              "[task]\nkind='disorder_ahe'\nmu=1.0\nrtol=2e-3\n");
    ASSERT_TRUE(doc["convergence"]["converged"].get<bool>());
    EXPECT_GE(doc["convergence"]["passes"].size(), 2u);
    const double xi = 0.3, a = (1 - xi * xi) / (1 + 3 * xi * xi);
    const double sj = doc["results"]["levels"][0]["sigma_sj"][1][0].get<double>();
    EXPECT_LE(std::fabs(sj - xi * a), 2e-3 * xi * a);
}

TEST(HybridErrors, DiracDrudeIsBoundedOnceTheSmearingIsResolved) {
    // The relaxation current of the massive Dirac cone (test_hybrid.cpp): σ_xx = (τ/2) ∫ dE (−f′)
    // (E² − m²)/E in e²/h at T = 0.02 (0.749669 for μ = 1, m = 0.5, τ = 2), bounded on 300², 600²
    // and 900² (spacing 0.067–0.022 against the smearing T/v = 0.02; ratios 18, 7500, 1.0). On a mesh
    // whose spacing is several times T/v the Fermi line is sampled like a T = 0 metal, and the
    // estimate can miss (150²: error 0.089, estimate 0.007; docs/accuracy.md).
    const double m = 0.5, mu = 1.0, T = 0.02, tau = 2.0;
    double s = 0.0;
    const int steps = 200000;
    const double lo = mu - 60 * T, h = 120 * T / steps;
    for (int i = 0; i <= steps; ++i) {
        const double E = lo + i * h, c = std::cosh(0.5 * (E - mu) / T);
        s += (i == 0 || i == steps ? 0.5 : 1.0) * (E * E - m * m) / E / (4 * T * c * c);
    }
    const double exact = 0.5 * tau * s * h;
    for (int n : {300, 600, 900}) {
        const auto doc = run_toml(fmt::format("[model]\nname='dirac2d'\nv=1.0\nm={}\nkcut=10.0\n[mesh]\nn=[{},{}]\n[field]\nE=1e-4\n"
                                              "[task]\nkind='hybrid_current'\nmu={}\nT={}\ntau={}\n",
                                              m, n, n, mu, T, tau));
        const double got = doc["results"]["sigma"][0][0][0].get<double>();
        EXPECT_GE(doc["errors"]["sigma"][0][0][0].get<double>(), std::fabs(got - exact)) << n;
        EXPECT_NEAR(doc["errors"]["J"][0][0][0].get<double>() * bzint::kTwoPi / 1e-4, doc["errors"]["sigma"][0][0][0].get<double>(), 1e-9);
    }
}

TEST(HybridErrors, AnUnresolvedSmearingIsNamed) {
    // The same Drude case on 150²: spacing × Fermi velocity = 0.133 × 0.87 = 6 T. The estimate misses
    // the 12 % error there (above), so the run says that the mesh does not resolve the smearing.
    const auto doc = run_toml("[model]\nname='dirac2d'\nv=1.0\nm=0.5\nkcut=10.0\n[mesh]\nn=[150,150]\n[field]\nE=1e-4\n"
                              "[task]\nkind='hybrid_current'\nmu=1.0\nT=0.02\ntau=2.0\n");
    ASSERT_TRUE(doc.contains("warnings"));
    bool named = false;
    for (const auto& w : doc["warnings"]) named = named || w.get<std::string>().find("does not resolve the Fermi smearing") != std::string::npos;
    EXPECT_TRUE(named);
    const auto fine = run_toml("[model]\nname='dirac2d'\nv=1.0\nm=0.5\nkcut=10.0\n[mesh]\nn=[600,600]\n[field]\nE=1e-4\n"
                               "[task]\nkind='hybrid_current'\nmu=1.0\nT=0.02\ntau=2.0\n");
    for (const auto& w : fine.value("warnings", nlohmann::json::array()))
        EXPECT_EQ(w.get<std::string>().find("does not resolve"), std::string::npos);
}

TEST(HybridErrors, ToleranceConvergesEachFieldOnItsOwn) {
    // QWZ in its Chern phase, μ in the gap: the Hall current per field converges to rtol = 1e-6
    // (the plateau σ_H = 1 e²/h; the first field correction is O(E²), 1e-8 at E = 1e-4).
    const auto doc = run_toml("[model]\nname='qwz'\nu=-1.0\n[mesh]\nn=[12,12]\n[field]\nE=[1e-4, 2e-4]\n"
                              "[task]\nkind='hybrid_current'\nmu=0.0\nrtol=1e-6\n");
    ASSERT_TRUE(doc["convergence"]["converged"].get<bool>());
    ASSERT_EQ(doc["convergence"]["fields"].size(), 2u);
    for (int e = 0; e < 2; ++e) {
        const double sy = doc["results"]["sigma"][e][0][1].get<double>();
        EXPECT_NEAR(sy, 1.0, 1e-6) << e;
        EXPECT_LE(doc["errors"]["sigma"][e][0][1].get<double>(), 1e-6 * std::fabs(sy) + 1e-9) << e;
    }
}

TEST(Convergence, StredaAndSpinDensityMeetATolerance) {
    // Středa in the gap of the gapped Dirac box: −∂n/∂B = the box's σ_xy (test_streda.cpp) to rtol.
    const auto doc = run_toml("[model]\nname='dirac2d'\nv=1.0\nm=0.5\nkcut=10.0\n[mesh]\nn=[30,30]\n"
                              "[task]\nkind='streda'\nmu=0.0\nT=0.002\nrtol=1e-5\n");
    ASSERT_TRUE(doc["convergence"]["converged"].get<bool>());
    const double s = doc["results"]["sigma_streda"][0].get<double>();
    EXPECT_LE(std::fabs(s - sigma_gap_box(1.0, 0.5, 10.0)), 1e-5 * std::fabs(s));
    const auto spin = run_toml("[model]\nname='ti_surface'\n[mesh]\nn=[30,30]\n[task]\nkind='spin_density'\nmu=0.5\nT=0.05\n"
                               "E=[1.0,0.0]\ntau=10.0\nrtol=1e-3\nmax_seconds=60\n");
    ASSERT_TRUE(spin["convergence"]["converged"].get<bool>());
    EXPECT_EQ(spin["convergence"]["passes"].back()["worst"].get<std::string>().rfind("s_", 0), 0u);
}

TEST(DcErrorEstimate, ExactReservoirPoleErrorIsInTheEstimate) {
    // The exact reservoir with 8 Padé poles (occupation error 1.4e-4) against 303 poles (5e-11): the
    // change of J is the pole error's effect (measured 3.6e-5, 6.1e-5), and the pole part of the
    // estimate, pole_error × ∫|∂H/∂k| over the window (docs/accuracy.md), bounds it (4.4e-4).
    const std::string run = "[model]\nname='landau_zener'\nv=1.0\ndelta=1.0\n[field]\nE=[0.2, 0.5]\n[dissipation]\n"
                            "kind='exact'\ngamma=0.05\n{}\n[task]\nkind='dc_current'\nT=0.1\nmu=0.0\nwindow=5.0\n";
    const auto few = run_toml(fmt::format(fmt::runtime(run), "poles=8"));
    const auto many = run_toml(fmt::format(fmt::runtime(run), "pole_tolerance=1e-10"));
    ASSERT_LT(many["results"]["pole_error"].get<double>(), 1e-10);
    for (int i = 0; i < 2; ++i) {
        const double shift = std::fabs(few["results"]["J"][i].get<double>() - many["results"]["J"][i].get<double>());
        const double part = few["results"]["error_parts"]["poles"][i].get<double>();
        EXPECT_GT(shift, 1e-5) << i;
        EXPECT_GE(part, shift) << i;
        EXPECT_GE(few["errors"]["J"][i].get<double>(), part) << i;
        EXPECT_LT(many["results"]["error_parts"]["poles"][i].get<double>(), 1e-9) << i;
    }
}

TEST(Convergence, ToleranceLoopMovesOffANodeNextToAMeshPlane) {
    // The Weyl case with rtol = 1e-2: the first mesh has a k_z plane 6e-4 from a node. The
    // second pass is the doubled mesh moved by half a spacing (no point of the first on it), a
    // midpoint mesh whose centred sub-mesh keeps inversion symmetry: σ_xy meets the tolerance there
    // and agrees with (π − k0)/π, and σ_yz, σ_zx — zero by symmetry — get estimates at rounding level.
    const auto doc = run_toml(weyl(100, 300) + "rtol=1e-2\nmax_seconds=120\n");
    const auto& c = doc["convergence"];
    ASSERT_TRUE(c["converged"].get<bool>());
    ASSERT_EQ(c["passes"].size(), 2u);
    EXPECT_EQ(c["passes"][0]["shift"][2].get<double>(), 0.0);
    EXPECT_EQ(c["passes"][1]["shift"][2].get<double>(), 0.5);
    const double s = doc["results"]["sigma"][0][2].get<double>();
    EXPECT_NEAR(s, kWeylSigma, 1e-2 * kWeylSigma);
    EXPECT_GE(doc["errors"]["sigma"][0][2].get<double>(), std::fabs(s - kWeylSigma));
    for (int a = 0; a < 2; ++a) EXPECT_LT(doc["errors"]["sigma"][0][a].get<double>(), 1e-12) << a;
}
