// N-band band geometry (Kubo sums on the Jacobi eigenbasis) and the N-band Fermi scan:
// reduction to the two-band formulas, sum rules, decoupled and degenerate copies.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "bzint/models/all.hpp"
#include "bzint/nband_geometry.hpp"
#include "test_util.hpp"

using namespace bzint;
using bzint::test::results;

TEST(NBandGeometry, ReducesToTheTwoBandFormulas) {
    const double p[] = {1.0, 0.1, 1.0, 0.2};  // Haldane with φ = 1: particle-hole asymmetric
    const AsNBand<models::Haldane> model{models::Haldane(p)};
    std::mt19937 g(7);
    std::uniform_real_distribution<double> u(-3, 3);
    for (int trial = 0; trial < 100; ++trial) {
        const double k[3] = {u(g), u(g), 0.0};
        NBandPoint<2> h;
        model(k, h);
        BandGeometry a[2], b[2];
        ASSERT_TRUE(nband_geometry<2>(h, a));
        TwoBandPoint t;
        model.model(k, t);
        two_band_geometry(t, b);
        for (int n = 0; n < 2; ++n) {
            EXPECT_NEAR(a[n].energy, b[n].energy, 1e-12);
            for (int c = 0; c < 3; ++c) {
                EXPECT_NEAR(a[n].v[c], b[n].v[c], 1e-11);
                EXPECT_NEAR(a[n].omega[c], b[n].omega[c], 1e-10 * (1 + std::fabs(b[n].omega[c])));
                EXPECT_NEAR(a[n].m[c], b[n].m[c], 1e-10 * (1 + std::fabs(b[n].m[c])));
            }
        }
    }
}

TEST(NBandGeometry, CurvaturesOfCoupledBandsSumToZero) {
    const auto r = results("[model]\nname='qwz_pair'\nu1=-1.0\nu2=1.2\ng=0.3\n[task]\nkind='berry'\n"
                           "points=[[0.1,0.2],[0.37,0.81],[0.5,0.5],[0.05,0.9]]\n");
    for (const auto& w : r["omega"]) {
        double sum = 0.0, scale = 0.0;
        for (const auto& band : w) {
            sum += band[2].get<double>();
            scale += std::fabs(band[2].get<double>());
        }
        EXPECT_NEAR(sum, 0.0, 1e-12 * (1 + scale));
    }
}

namespace {

std::vector<double> sigma(const std::string& model) {
    const auto r = results(fmt::format("[model]\n{}\n[mesh]\nn=[160,160]\n[task]\nkind='ahc'\nmu=[-2.0,-0.5,0.0,1.3]\nT=0.02\n", model));
    return r["sigma_xy"].get<std::vector<double>>();
}

}  // namespace

TEST(NBandScan, DecoupledCopiesGiveTheSumOfTheirAhc) {
    const auto pair = sigma("name='qwz_pair'\nu1=-1.0\nu2=-1.5\ng=0.0");
    const auto a = sigma("name='qwz'\nu=-1.0"), b = sigma("name='qwz'\nu=-1.5");
    for (std::size_t j = 0; j < pair.size(); ++j) EXPECT_NEAR(pair[j], a[j] + b[j], 1e-12) << j;
}

TEST(NBandScan, DegenerateCopiesAreTreatedAsGroups) {
    // Two identical copies: every band is doubly degenerate, each pair's split is arbitrary,
    // but the group totals — all a Fermi scan uses — are exactly twice one copy.
    const auto pair = sigma("name='qwz_pair'\nu1=-1.0\nu2=-1.0\ng=0.0");
    const auto one = sigma("name='qwz'\nu=-1.0");
    for (std::size_t j = 0; j < pair.size(); ++j) EXPECT_NEAR(pair[j], 2 * one[j], 1e-10) << j;
}

TEST(Refinement, RefiningEveryPointEqualsTheFinerMesh) {
    // With a threshold below every |Ω| and even m, each point's m^d sub-grid is exactly its share
    // of the (n m)^d mesh shifted by half its spacing ([mesh] shift = [0.5, 0.5]): the refined scan
    // equals the plain finer scan (two-band and N-band paths).
    for (const char* model : {"name='qwz'\nu=-1.3", "name='qwz_pair'\nu1=-1.0\nu2=1.3\ng=0.2"}) {
        const auto coarse = results(fmt::format("[model]\n{}\n[mesh]\nn=[40,40]\n[task]\nkind='ahc'\nmu=[-1.0,0.0,0.8]\nT=0.05\n"
                                                "refine={{threshold=1e-300, m=4}}\n",
                                                model));
        const auto fine = results(fmt::format("[model]\n{}\n[mesh]\nn=[160,160]\nshift=[0.5,0.5]\n[task]\nkind='ahc'\nmu=[-1.0,0.0,0.8]\nT=0.05\n", model));
        EXPECT_EQ(coarse["refinement"]["refined_points"].get<long long>(), 1600);
        for (std::size_t j = 0; j < 3; ++j)
            EXPECT_NEAR(coarse["sigma_xy"][j].get<double>(), fine["sigma_xy"][j].get<double>(), 1e-10) << model << j;
    }
}

TEST(Refinement, HotSpotsRescueACoarseMesh) {
    // Haldane near its transition (M = 0.45 against 3√3 t2 = 0.52: a small gap at K), μ in the
    // gap: the curvature is a sharp peak at K that a 30² mesh samples badly (σ_xy = −1.35
    // instead of −C = −1). Refining the few hot points (|Ω| > 1) with 8² sub-grids restores −1.
    const std::string model = "[model]\nname='haldane'\nM=0.45\nphi=1.5707963267948966\n[mesh]\nn=[30,30]\n"
                              "[task]\nkind='ahc'\nmu=0.0\nT=0.005\n";
    const auto coarse = results(model), refined = results(model + "refine={threshold=1.0, m=8}\n");
    EXPECT_GT(std::fabs(coarse["sigma_xy"][0].get<double>() + 1.0), 0.1);
    EXPECT_NEAR(refined["sigma_xy"][0].get<double>(), -1.0, 5e-3);
    const long long n = refined["refinement"]["refined_points"].get<long long>();
    EXPECT_GT(n, 0);
    EXPECT_LT(n, 100);  // only the hot spots (of 900)
}

TEST(NBandChern, SeparatedCopiesAndTheLowerManifold) {
    // qwz_pair with u1 = −1 (C_lower = +1) and u2 = −6 (trivial, |d| ≥ 4): with g = 0 the bands,
    // in energy order, are copy 2 lower (C = 0), copy 1 lower (+1), copy 1 upper (−1), copy 2
    // upper (0); the manifold of bands 0..n has C = 0, 1, 0, 0. A coupling g = 0.3 keeps the gaps
    // and so the manifold values (docs/conventions.md: QWZ C_lower = +1 for −2 < u < 0).
    for (const char* g : {"0.0", "0.3"}) {
        const auto r = results(fmt::format("[model]\nname='qwz_pair'\nu1=-1.0\nu2=-6.0\ng={}\n[mesh]\nn=[60,60]\n[task]\nkind='chern'\n", g));
        const double want_band[4] = {0, 1, -1, 0}, want_manifold[4] = {0, 1, 0, 0};
        for (int n = 0; n < 4; ++n) {
            EXPECT_NEAR(r["chern_fhs"][n].get<double>(), want_band[n], 1e-9) << g << " band " << n;
            EXPECT_NEAR(r["chern_manifold"][n].get<double>(), want_manifold[n], 1e-9) << g << " manifold " << n;
            EXPECT_NEAR(r["chern"][n].get<double>(), want_band[n], 2e-2) << g << " integral " << n;
        }
    }
}

TEST(NBandChern, DegenerateCopiesNeedTheManifold) {
    // Two identical QWZ copies: every band is doubly degenerate, so single-band links are
    // meaningless, but the lower manifold (bands 0, 1) has C = 2 exactly.
    const auto r = results("[model]\nname='qwz_pair'\nu1=-1.0\nu2=-1.0\ng=0.0\n[mesh]\nn=[48,48]\n[task]\nkind='chern'\n");
    EXPECT_NEAR(r["chern_manifold"][1].get<double>(), 2.0, 1e-9);
    EXPECT_NEAR(r["chern_manifold"][3].get<double>(), 0.0, 1e-9);
}
