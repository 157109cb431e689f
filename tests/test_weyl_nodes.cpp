// Task weyl_nodes (include/bzint/weyl_nodes.hpp): the nodes of weyl_lattice, their chirality by
// det(∂d/∂k) and by the Berry flux through a sphere, and the chiral-anomaly rate of the
// kinetic-equation paper's Eq. 52 against the Landau-level spectral flow of Eq. 53; the same for
// the crossing of two bands of an N-band model (a two-band model read as N = 2, and qhz
// magnetised by a uniform texture's exchange field); and both as Wannier90 files (`export-hr`),
// whose nodes must be the built-in models' own.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "bzint/hd.hpp"
#include "bzint/models/qhz.hpp"
#include "bzint/models/weyl_lattice.hpp"
#include "bzint/nband_texture.hpp"
#include "bzint/weyl_nodes.hpp"
#include "input_error.hpp"
#include "run_file.hpp"
#include "stop.hpp"
#include "test_util.hpp"
#include "wannier/export_model.hpp"
#include "wannier/tb_model.hpp"
#include "workers.hpp"

using namespace bzint;

namespace {

nlohmann::json weyl(const std::string& model, const std::string& task) {
    return test::run_toml(fmt::format("[model]\nname = 'weyl_lattice'\n{}\n[task]\nkind = 'weyl_nodes'\n{}\n", model, task));
}

// Task weyl_nodes for `model` (its parameter lines) in a uniform exchange field J ẑ.
nlohmann::json magnetised(const std::string& model, double J) {
    return test::run_toml(fmt::format("[model]\n{}\n[task]\nkind = 'weyl_nodes'\n[texture]\nkind = 'uniform'\nexchange = {}\n"
                                      "direction = [0, 0, 1]\n",
                                      model, J));
}

// A built-in lattice model as a Wannier90 tight-binding model (`bzint export-hr`).
TbModel exported(const std::string& model) {
    const auto rf = RunFile::parse(fmt::format("[model]\n{}\n[task]\nkind = 'bands'\n", model), "m.toml");
    const RunConfig cfg = read_model_section(rf);
    return export_model(*cfg.model, cfg.params);
}

// `tb` with `extra` more orbitals, each uncoupled, on site at `energy`.
TbModel with_spectator_orbitals(const TbModel& tb, int extra, double energy) {
    TbModel out = tb;
    const int W = tb.num_wann, V = W + extra;
    out.num_wann = V;
    out.H.assign(tb.R.size() * V * V, 0.0);
    for (std::size_t r = 0; r < tb.R.size(); ++r) {
        for (int m = 0; m < W; ++m)
            for (int n = 0; n < W; ++n) out.H[(r * V + m) * V + n] = tb.h(r, m, n);
        if (tb.R[r] == std::array<int, 3>{0, 0, 0})
            for (int m = W; m < V; ++m) out.H[(r * V + m) * V + m] = energy * tb.ndegen[r];
    }
    return out;
}

// The [model] lines that read `tb` back from a hr.dat file written in the test's folder (or, with
// `positions`, from a tb.dat file with orbital_positions = true).
std::string wannier_model(const TbModel& tb, const std::string& name, bool positions = false) {
    static const test::TempDir tmp;  // lives until the test program ends
    const std::filesystem::path hr = std::filesystem::path(tmp.path()) / (name + (positions ? "_tb.dat" : "_hr.dat"));
    {
        std::ofstream f(hr);
        if (positions)
            write_tb(tb, f, "test");
        else
            write_hr(tb, f, "test");
    }
    if (positions) return fmt::format("name = 'wannier'\ntb = '{}'\norbital_positions = true", hr.string());
    return fmt::format("name = 'wannier'\nhr = '{}'\nlattice = [[{:.17g}, {:.17g}, {:.17g}], [{:.17g}, {:.17g}, {:.17g}], "
                       "[{:.17g}, {:.17g}, {:.17g}]]",
                       hr.string(), tb.lattice[0][0], tb.lattice[0][1], tb.lattice[0][2], tb.lattice[1][0], tb.lattice[1][1],
                       tb.lattice[1][2], tb.lattice[2][0], tb.lattice[2][1], tb.lattice[2][2]);
}

// Two runs of weyl_nodes that must find the same nodes: positions, energies, chiralities, fluxes
// and rates to `tolerance`.
void expect_same_nodes(const nlohmann::json& a, const nlohmann::json& b, double tolerance) {
    ASSERT_EQ(a["nodes"], b["nodes"]) << a.dump() << "\n" << b.dump();
    for (std::size_t i = 0; i < a["position"].size(); ++i) {
        for (int c = 0; c < 3; ++c) {
            const double d = double(a["position_reduced"][i][c]) - double(b["position_reduced"][i][c]);
            EXPECT_NEAR(d - std::round(d), 0.0, tolerance) << i << " " << a.dump() << "\n" << b.dump();
        }
        EXPECT_NEAR(double(a["energy"][i]), double(b["energy"][i]), tolerance) << i;
        EXPECT_EQ(a["chirality"][i], b["chirality"][i]) << i;
        EXPECT_NEAR(double(a["monopole_flux"][i]), double(b["monopole_flux"][i]), tolerance) << i;
        EXPECT_NEAR(double(a["abj_rate"][i]), double(b["abj_rate"][i]), tolerance) << i;
    }
    EXPECT_NEAR(double(a["total_abj_rate"]), double(b["total_abj_rate"]), tolerance);
}

}  // namespace

TEST(WeylNodes, LatticeNodesTheirChiralityAndTheAnomalyRate) {
    // weyl_lattice (t = m = k0 = 1, b0 = 0): d = (sin kx, sin ky, 2 − cos kx − cos ky + cos kz − cos 1)
    // vanishes at (0, 0, ±1), where ∂d/∂k = diag(1, 1, ∓sin 1): the node at +1 is left-handed
    // (χ = −1), the one at −1 right-handed, by hand. Sorted by reduced k (k3 = 1/2π first).
    // The test: Eq. 52's rate −χ e²/4π² per node (Eq. 53) to 1e-4 (here 1e-10: with μ at
    // the nodes n_z = −1 on the whole sphere and the flux of d̂ is topological; the quadrature is
    // spectral); the total is 0, as charge conservation on a lattice demands.
    const auto doc = weyl("", "");
    const auto& r = doc["results"];
    ASSERT_EQ(r["nodes"], 2);
    const double expected_k3[2] = {1.0, -1.0}, chi[2] = {-1.0, 1.0};
    for (int a = 0; a < 2; ++a) {
        EXPECT_NEAR(double(r["position"][a][0]), 0.0, 1e-12);
        EXPECT_NEAR(double(r["position"][a][1]), 0.0, 1e-12);
        EXPECT_NEAR(double(r["position"][a][2]), expected_k3[a] < 0 ? kTwoPi + expected_k3[a] : expected_k3[a], 1e-12);
        EXPECT_NEAR(double(r["energy"][a]), 0.0, 1e-12);
        EXPECT_EQ(double(r["chirality"][a]), chi[a]);
        EXPECT_NEAR(double(r["monopole_flux"][a]), chi[a], 1e-10);
        EXPECT_NEAR(double(r["abj_rate"][a]), -chi[a] / (4.0 * kPi * kPi), 1e-10);
        EXPECT_EQ(double(r["abj_rate_landau"][a]), -chi[a] / (4.0 * kPi * kPi));
    }
    EXPECT_NEAR(double(r["total_abj_rate"]), 0.0, 1e-12);
    EXPECT_FALSE(doc.contains("warnings")) << doc.dump();
}

TEST(WeylNodes, InversionBrokenNodesAtDifferentEnergiesKeepTheirRate) {
    // b0 = 0.4 puts the nodes at ±0.4 sin 1 = ±0.337 with a tilt: at μ = 0 each has a Fermi pocket.
    // A sphere of radius 0.8 encloses it (lower band filled, upper empty on it, up to e^{−16} at
    // T = 0.01), so the flux through it is still −χ/4π² (to 1e-6: the thermal tails), while the
    // nodes' energies follow d0 = b0 sin kz.
    const auto doc = weyl("b0 = 0.4", "mu = 0.0\nT = 0.01\nradius = 0.8");
    const auto& r = doc["results"];
    ASSERT_EQ(r["nodes"], 2);
    for (int a = 0; a < 2; ++a) {
        const double chi = r["chirality"][a];
        EXPECT_NEAR(double(r["energy"][a]), 0.4 * std::sin(double(r["position"][a][2])), 1e-12);
        EXPECT_NEAR(double(r["abj_rate"][a]), -chi / (4.0 * kPi * kPi), 1e-6);
    }
    EXPECT_FALSE(bzint::test::warns_about(doc, "Fermi pocket")) << doc.dump();
}

TEST(WeylNodes, SphereInsideTheFermiPocketIsReportedNotTrusted) {
    // μ = 0.3 above nodes at 0 with a sphere of radius 0.1: both bands are filled on it (n_z = 0),
    // so Eq. 52's bracket vanishes there — not the anomaly, which then flows through the Fermi
    // surface outside the sphere. The task says so; radius 0.8 encloses the pocket and restores it.
    const auto inside = weyl("", "mu = 0.3\nradius = 0.1");
    EXPECT_TRUE(bzint::test::warns_about(inside, "Fermi pocket"));
    EXPECT_NEAR(double(inside["results"]["abj_rate"][0]), 0.0, 1e-12);
    const auto outside = weyl("", "mu = 0.3\nradius = 0.8");
    EXPECT_FALSE(bzint::test::warns_about(outside, "Fermi pocket")) << outside.dump();
    EXPECT_NEAR(double(outside["results"]["abj_rate"][0]), 1.0 / (4.0 * kPi * kPi), 1e-10);
}

TEST(WeylNodes, EightNodesCloseNodePairsAndSlowVelocitiesAreFound) {
    // m = 0.2: nodes where kx, ky ∈ {0, π} and cos kz = cos 1 − 2m·(number of π among kx, ky):
    // kz = ±1, ±1.4299 (twice), ±1.8335; ∂d/∂k = diag(cos kx, cos ky, −sin kz) there, so
    // χ = −cos kx cos ky sign(kz), by hand. Each rate −χ/4π² (isotropic nodes, μ at them).
    {
        const auto doc = weyl("m = 0.2", "");
        const auto& r = doc["results"];
        ASSERT_EQ(r["nodes"], 8);
        for (int a = 0; a < 8; ++a) {
            const auto& k = r["position"][a];
            const double kz = std::remainder(double(k[2]), kTwoPi);
            const double chi = -std::cos(double(k[0])) * std::cos(double(k[1])) * (kz > 0 ? 1.0 : -1.0);
            const int pis = (std::fabs(std::cos(double(k[0])) + 1.0) < 1e-9) + (std::fabs(std::cos(double(k[1])) + 1.0) < 1e-9);
            EXPECT_NEAR(std::cos(kz), std::cos(1.0) - 0.4 * pis, 1e-12);
            EXPECT_EQ(double(r["chirality"][a]), chi);
            EXPECT_NEAR(double(r["abj_rate"][a]), -chi / (4.0 * kPi * kPi), 1e-8);
        }
        EXPECT_NEAR(double(r["total_abj_rate"]), 0.0, 1e-12);
    }
    // Pairs 0.2 apart across the mirror plane kz = 0 and 0.08 apart across kz = π (where ∂d/∂kz
    // vanishes and |d| is smallest between the nodes) are found on the default 24³ mesh (spacing 0.26).
    for (double k0 : {0.1, 3.1}) {
        const auto doc = weyl(fmt::format("k0 = {}", k0), "");
        const auto& r = doc["results"];
        ASSERT_EQ(r["nodes"], 2) << "k0 = " << k0;
        for (int a = 0; a < 2; ++a)
            EXPECT_NEAR(std::fabs(std::remainder(double(r["position"][a][2]), kTwoPi)), k0, 1e-12) << "k0 = " << k0;
        EXPECT_EQ(double(r["chirality"][0]) + double(r["chirality"][1]), 0.0);
    }
    // Slow in-plane velocity t = 1e-3: still simple nodes (the test on det ∂d/∂k is scale free).
    const auto slow = weyl("t = 0.001", "");
    ASSERT_EQ(slow["results"]["nodes"], 2);
    EXPECT_EQ(double(slow["results"]["chirality"][0]), -1.0);
}

TEST(WeylNodes, QuadraticTouchingIsNamedNotCountedAsANode) {
    // k0 = π: d = (sin kx, sin ky, 2 − cos kx − cos ky + cos kz + 1) vanishes only at (0, 0, π), where
    // d_z ≈ (kz − π)²/2: the two nodes have merged into a quadratic touching with det ∂d/∂k = 0. It is
    // named and left out; no node is reported, and the smallest gap is named too.
    const auto doc = weyl("k0 = 3.141592653589793", "");
    EXPECT_EQ(doc["results"]["nodes"], 0);
    EXPECT_TRUE(bzint::test::warns_about(doc, "not a Weyl node")) << doc.dump();
    EXPECT_TRUE(bzint::test::warns_about(doc, "smallest gap")) << doc.dump();
}

TEST(WeylNodes, SphereEnclosingTheOtherNodeIsWarnedAbout) {
    // weyl_lattice's nodes are 2 apart: a sphere of radius 2.5 around each encloses the other, so the
    // flux through it is 0, not χ — two warnings, the sphere's reach and the flux.
    const auto doc = weyl("", "radius = 2.5");
    EXPECT_TRUE(bzint::test::warns_about(doc, "half-way to the nearest other node")) << doc.dump();
    EXPECT_TRUE(bzint::test::warns_about(doc, "not its chirality")) << doc.dump();
    EXPECT_NEAR(double(doc["results"]["monopole_flux"][0]), 0.0, 1e-6);
}

TEST(WeylNodes, PairCrossingOfATwoBandModelReadAsNEquals2IsItsOwn) {
    // pair_crossing's effective d is the model's d rotated by the eigenbasis at k (R ∈ SO(3)): the
    // same length, mean energy and its gradient, and det ∂d/∂k, at any k — to rounding. The N-band
    // sphere integrands (Kubo Ω of the lower band; −Σ f_n Ω_n) are the two-band ones (d̂'s flux;
    // (1/4π)𝓑 n_z) point by point (include/bzint/weyl_nodes.hpp). weyl_lattice with b0 = 0.4.
    const double params[4] = {1.0, 1.0, 1.0, 0.4};
    const models::WeylLattice model(params);
    const AsNBand<models::WeylLattice> as_nband{model};
    const double ks[3][3] = {{0.3, -0.2, 1.1}, {2.0, 0.7, -0.4}, {-1.3, 2.9, 0.05}};
    for (const auto& k : ks) {
        TwoBandPoint h, eff;
        model(k, h);
        NBandPoint<2> p;
        as_nband(k, p);
        NBandEigen<2> e;
        ASSERT_TRUE(nband_eigen<2>(p, e));
        pair_crossing(2, e.e, &e.v[0][0][0], 0, eff);
        EXPECT_NEAR(std::sqrt(dot3(eff.d, eff.d)), std::sqrt(dot3(h.d, h.d)), 1e-13);
        EXPECT_NEAR(eff.d0, h.d0, 1e-13);
        for (int a = 0; a < 3; ++a) EXPECT_NEAR(eff.dd0[a], h.dd0[a], 1e-13);
        EXPECT_NEAR(jacobian_det(eff.dd), jacobian_det(h.dd), 1e-12 * (1.0 + std::fabs(jacobian_det(h.dd))));
    }
    const double K[3] = {0.0, 0.0, 1.0};
    for (double u : {-0.9, 0.1, 0.7})
        for (double phi : {0.2, 2.5, 5.0}) {
            const SphereSample two = boundary_flux_density(model, K, 0.3, u, phi, 0.05, 0.02);
            const SpherePoint q = sphere_point(K, 0.3, u, phi);
            NBandPoint<2> p;
            as_nband(q.k, p);
            NBandEigen<2> e;
            const bool solved = nband_eigen<2>(p, e);
            BandGeometry g[2];
            const SphereSample n = pair_sphere_sample(2, e.e, &e.v[0][0][0], solved, e.degenerate, 0, q, 0.3, 0.05, 0.02, g);
            ASSERT_TRUE(n.resolved);
            EXPECT_NEAR(n.flux, two.flux, 1e-12 * std::fabs(two.flux));
            EXPECT_NEAR(n.bracket, two.bracket, 1e-12 * std::fabs(two.flux));
            EXPECT_NEAR(n.nz, two.nz, 1e-14);
        }
}

TEST(WeylNodes, UniformExchangeShiftsTheTwoBandNodes) {
    // A uniform texture J m·σ with m = ẑ adds J to d_z: weyl_lattice's nodes move to
    // cos kz = cos 1 − J on the kz axis, by hand; J = 0.2: kz = ±1.22364. Their chirality is unchanged.
    const auto doc = magnetised("name = 'weyl_lattice'", 0.2);
    const auto& r = doc["results"];
    ASSERT_EQ(r["nodes"], 2) << doc.dump();
    for (int a = 0; a < 2; ++a) {
        const double kz = std::remainder(double(r["position"][a][2]), kTwoPi);
        EXPECT_NEAR(std::cos(kz), std::cos(1.0) - 0.2, 1e-12);
        EXPECT_EQ(double(r["chirality"][a]), kz > 0 ? -1.0 : 1.0);
        EXPECT_NEAR(double(r["monopole_flux"][a]), double(r["chirality"][a]), 1e-10);
    }
    EXPECT_FALSE(doc.contains("warnings")) << doc.dump();
}

TEST(WeylNodes, MagnetisedQhzHasSixNodesAtClosedFormPositions) {
    // qhz (m = −2.5, θ = 0) with J σ_z ⊗ 1 (a uniform texture along z, J = 1): on the lines
    // kx, ky ∈ {0, π} σ_z is conserved and the bands are s J ± √(sin²kz + M²), M = m + 1 + cos kx +
    // cos ky + cos kz; the middle pair (bands 1, 2) touches where √(…) = J, at energy 0: cos kz =
    // (J² − 1 − (m + 3)²)/(2(m + 3)) = −1/4 on the Γ–Z line and (J² − 1 − (m + 1)²)/(2(m + 1)) = 3/4
    // on the two X lines (the (π, π) line has none), by hand. There are no others: the Γ's
    // anticommute, so E² = sin²kx + sin²ky + (√(M² + sin²kz) ± J)², and bands 1 and 2 meet only
    // where sin kx = sin ky = 0 and √(M² + sin²kz) = J. Each is a simple Weyl node: flux ±1 through
    // its sphere, Eq. 52's rate the Landau-level −χ/4π² with μ at the nodes, chiralities opposite
    // along each line (the mirror σ_z τ_z sends kz → −kz).
    const auto doc = magnetised("name = 'qhz'\nm = -2.5", 1.0);
    const auto& r = doc["results"];
    ASSERT_EQ(r["nodes"], 6) << doc.dump();
    int sum = 0;
    for (int a = 0; a < 6; ++a) {
        const auto& k = r["position"][a];
        const double kz = std::remainder(double(k[2]), kTwoPi);
        const bool gamma_line = std::fabs(std::cos(double(k[0])) + std::cos(double(k[1])) - 2.0) < 1e-9;
        const bool x_line = std::fabs(std::cos(double(k[0])) + std::cos(double(k[1]))) < 1e-9;
        ASSERT_TRUE(gamma_line || x_line) << k.dump();
        EXPECT_NEAR(std::cos(kz), gamma_line ? -0.25 : 0.75, 1e-12) << k.dump();
        EXPECT_NEAR(double(r["energy"][a]), 0.0, 1e-12);
        const double chi = r["chirality"][a];
        EXPECT_EQ(std::fabs(chi), 1.0);
        EXPECT_NEAR(double(r["monopole_flux"][a]), chi, 1e-9);
        EXPECT_NEAR(double(r["abj_rate"][a]), -chi / (4.0 * kPi * kPi), 1e-9);
        sum += static_cast<int>(chi);
        for (int b = 0; b < 6; ++b) {  // the node at −kz on the same line has the opposite chirality
            const auto& q = r["position"][b];
            if (std::fabs(double(q[0]) - double(k[0])) < 1e-9 && std::fabs(double(q[1]) - double(k[1])) < 1e-9 && b != a)
                EXPECT_EQ(double(r["chirality"][b]), -chi);
        }
    }
    EXPECT_EQ(sum, 0);
    EXPECT_NEAR(double(r["total_abj_rate"]), 0.0, 1e-9);
    EXPECT_FALSE(doc.contains("warnings")) << doc.dump();
}

TEST(WeylNodes, WannierFilesOfTheBuiltInModelsHaveTheirNodes) {
    // export-hr writes H(R) of the built-in model exactly (tests/test_wannier_models.cpp: bands and
    // curvature to 1e-12), on its own Bravais lattice in Å: the nodes read back from the file are
    // the built-in ones — weyl_lattice's two (a Wannier<2> model: the pair_crossing path of N
    // bands), with b0 = 0.4 at different energies inside their Fermi pockets, and magnetised qhz's
    // six, the exchange J σ_z ⊗ 1 added to H(R = 0) as the uniform texture adds it (add_spin_term).
    // Tolerance 1e-10: the same H(k) to rounding, Newton's last step below 1e-14 |G|.
    const std::string two_band = "name = 'weyl_lattice'\nb0 = 0.4", task = "mu = 0.0\nT = 0.01\nradius = 0.8";
    const auto built_in = weyl("b0 = 0.4", task);
    const auto from_file = test::run_toml(
        fmt::format("[model]\n{}\n[task]\nkind = 'weyl_nodes'\n{}\n", wannier_model(exported(two_band), "weyl"), task));
    expect_same_nodes(built_in["results"], from_file["results"], 1e-10);
    EXPECT_EQ(from_file["units"]["position"], "1/Angstrom (Cartesian k)");
    EXPECT_EQ(from_file["units"]["energy"], "eV");

    TbModel qhz = exported("name = 'qhz'\nm = -2.5");
    ASSERT_EQ(qhz.num_wann, 4);
    cplx exchange[4][4] = {};
    const double z[3] = {0.0, 0.0, 1.0};
    add_spin_term<4>(models::Qhz::spin_stride, z, 1.0, exchange);
    for (std::size_t r = 0; r < qhz.R.size(); ++r)
        if (qhz.R[r] == std::array<int, 3>{0, 0, 0})
            for (int m = 0; m < 4; ++m)
                for (int n = 0; n < 4; ++n)
                    qhz.H[(r * 4 + m) * 4 + n] += double(qhz.ndegen[r]) * std::complex<double>(exchange[m][n].re, exchange[m][n].im);
    const auto magnetic = test::run_toml(
        fmt::format("[model]\n{}\n[task]\nkind = 'weyl_nodes'\n", wannier_model(qhz, "qhz_exchange")));
    expect_same_nodes(magnetised("name = 'qhz'\nm = -2.5", 1.0)["results"], magnetic["results"], 1e-10);
    EXPECT_FALSE(magnetic.contains("warnings")) << magnetic.dump();
}

TEST(WeylNodes, WannierSpectatorOrbitalsPaddingAndTheRunTimeSizeKeepTheNodes) {
    // weyl_lattice with a third, uncoupled orbital at +5 eV: W = 3 is padded to the compiled size 4
    // (models/wannier.hpp), the default pair is bands 0 and 1 (W/2 − 1 = 0), and the nodes are
    // weyl_lattice's own; the spectator band lies 2 eV or more above the pair, so no warning.
    // With 15 spectators (W = 17) band 0, 1 is named, and the run-time-sized engine finds them.
    const TbModel tb = exported("name = 'weyl_lattice'");
    const auto three = test::run_toml(fmt::format("[model]\n{}\n[task]\nkind = 'weyl_nodes'\n",
                                                  wannier_model(with_spectator_orbitals(tb, 1, 5.0), "weyl3")));
    expect_same_nodes(weyl("", "")["results"], three["results"], 1e-10);
    EXPECT_FALSE(three.contains("warnings")) << three.dump();
    // The pair 1, 2 (a band of the model with the spectator) touches nowhere: no node, said so.
    const auto upper = test::run_toml(fmt::format("[model]\n{}\n[task]\nkind = 'weyl_nodes'\nband = 1\n",
                                                  wannier_model(with_spectator_orbitals(tb, 1, 5.0), "weyl3")));
    EXPECT_EQ(upper["results"]["nodes"], 0);
    EXPECT_TRUE(bzint::test::warns_about(upper, "no Weyl node found"));

    auto error_of = [](const std::string& text) -> std::string {
        try {
            test::run_toml(text);
        } catch (const InputError& e) {
            return e.what();
        }
        return "";
    };
    // Above the compiled sizes (17 orbitals: the run-time-sized engine, runtime_wannier.hpp) the
    // same nodes; with a texture (no spin index in the file) refused before any work, naming the key.
    const auto big = test::run_toml(fmt::format("[model]\n{}\n[task]\nkind = 'weyl_nodes'\nband = 0\n",
                                                wannier_model(with_spectator_orbitals(tb, 15, 5.0), "weyl17")));
    expect_same_nodes(weyl("", "")["results"], big["results"], 1e-10);
    EXPECT_FALSE(big.contains("warnings")) << big.dump();
    const std::string texture = error_of(fmt::format("[model]\n{}\n[task]\nkind = 'weyl_nodes'\n[texture]\nkind = 'uniform'\n"
                                                     "exchange = 0.2\n",
                                                     wannier_model(tb, "weyl")));
    EXPECT_NE(texture.find("no [texture]"), std::string::npos) << texture;
    EXPECT_NE(texture.find("kind"), std::string::npos) << texture;
}

TEST(WeylNodes, ResultsDoNotDependOnTheThreadCountAndCtrlCStops) {
    // The search mesh, the Newton runs and the spheres' points run on the worker threads; each slot
    // is written by one point and summed in index order, so 1, 2 and 5 threads give the same bits —
    // for a compiled model (magnetised qhz) and for a run-time-sized Wannier model (weyl_lattice
    // with fifteen spectator orbitals, W = 17: Eigen and per-thread workspaces).
    // A stop (Ctrl-C) during the search ends the run with Interrupted, not a partial result.
    const std::string big = fmt::format("[model]\n{}\n[task]\nkind = 'weyl_nodes'\nband = 0\nn = [12, 12, 12]\npoints = 16\n",
                                        wannier_model(with_spectator_orbitals(exported("name = 'weyl_lattice'"), 15, 5.0),
                                                      "weyl17_threads"));
    const int saved = workers::count();
    std::vector<std::string> runs, runtime_sized;
    for (int threads : {1, 2, 5}) {
        workers::set_count(threads);
        runs.push_back(magnetised("name = 'qhz'\nm = -2.5", 1.0)["results"].dump());
        runtime_sized.push_back(test::run_toml(big)["results"].dump());
    }
    EXPECT_EQ(runs[1], runs[0]);
    EXPECT_EQ(runs[2], runs[0]);
    EXPECT_EQ(runtime_sized[1], runtime_sized[0]);
    EXPECT_EQ(runtime_sized[2], runtime_sized[0]);
    stop_after(3);
    EXPECT_THROW(magnetised("name = 'qhz'\nm = -2.5", 1.0), Interrupted);
    stop_after(-1);
    clear_stop();
    workers::set_count(saved);
}

TEST(WeylNodes, WannierOrbitalPositionsKeepTheNodesAndNearKramersPairsAreRefused) {
    // Orbital positions τ (tb.dat, orbital_positions = true) turn H(k) into D†H(k)D, D =
    // diag(e^{ik·τ}): a unitary change of basis at each k, so the same bands, nodes, chiralities and
    // sphere fluxes (the flux of a closed sphere does not see the gauge) — to 1e-10.
    TbModel tb = exported("name = 'weyl_lattice'\nb0 = 0.4");
    for (std::size_t r = 0; r < tb.R.size(); ++r)
        if (tb.R[r] == std::array<int, 3>{0, 0, 0})
            for (int a = 0; a < 3; ++a) tb.r[a][(r * 2 + 1) * 2 + 1] = 0.1 * (a + 1);  // τ_1 = (0.1, 0.2, 0.3) Å
    const std::string task = "mu = 0.0\nT = 0.01\nradius = 0.8";
    const auto moved = test::run_toml(
        fmt::format("[model]\n{}\n[task]\nkind = 'weyl_nodes'\n{}\n", wannier_model(tb, "weyl_tau", true), task));
    expect_same_nodes(weyl("b0 = 0.4", task)["results"], moved["results"], 1e-10);

    // qhz without a field, its Kramers pairs split by a 1e-7 perturbation at R = 0 (a file that
    // keeps time reversal to its printed digits): the pair 1, 2 is refused before any work, and the
    // message does not offer a texture, which Wannier models do not take.
    TbModel qhz = exported("name = 'qhz'\nm = -2.5");
    for (std::size_t r = 0; r < qhz.R.size(); ++r)
        if (qhz.R[r] == std::array<int, 3>{0, 0, 0})
            for (int m = 0; m < 4; ++m) qhz.H[(r * 4 + m) * 4 + m] += 1e-7 * (m + 1) * qhz.ndegen[r];
    std::string message;
    try {
        test::run_toml(fmt::format("[model]\n{}\n[task]\nkind = 'weyl_nodes'\n", wannier_model(qhz, "qhz_noisy")));
    } catch (const InputError& e) {
        message = e.what();
    }
    EXPECT_NE(message.find("Kramers pair"), std::string::npos) << message;
    EXPECT_NE(message.find("band"), std::string::npos) << message;
    EXPECT_EQ(message.find("[texture]"), std::string::npos) << message;
}
