// The N×N density-matrix solver: the Jacobi eigensolver, the exact reduction to the
// two-band (Bloch) solver at N = 2, and block-diagonal models as sums of their copies.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "bzint/linalg/hermitian_eigen.hpp"
#include "bzint/qme/nband_dc.hpp"
#include "model_registry.hpp"
#include "tasks/dc_solvers.hpp"
#include "test_util.hpp"

using namespace bzint;
using bzint::test::results;

TEST(Jacobi, ReconstructsRandomHermitianMatrices) {
    std::mt19937 g(3);
    std::normal_distribution<double> n;
    constexpr int N = 8;
    for (int trial = 0; trial < 20; ++trial) {
        cplx A[N][N], A0[N][N], U[N][N];
        double e[N];
        for (int i = 0; i < N; ++i)
            for (int j = i; j < N; ++j) {
                A[i][j] = {n(g), i == j ? 0.0 : n(g)};
                A[j][i] = conj(A[i][j]);
            }
        for (int i = 0; i < N; ++i)
            for (int j = 0; j < N; ++j) A0[i][j] = A[i][j];
        ASSERT_TRUE(hermitian_eigen<N>(A, e, U));
        for (int i = 1; i < N; ++i) EXPECT_LE(e[i - 1], e[i]);
        for (int i = 0; i < N; ++i)
            for (int j = 0; j < N; ++j) {
                cplx s = {0, 0}, o = {0, 0};
                for (int k = 0; k < N; ++k) {
                    s += U[i][k] * (e[k] * conj(U[j][k]));
                    o += conj(U[k][i]) * U[k][j];
                }
                EXPECT_NEAR(s.re, A0[i][j].re, 1e-13);
                EXPECT_NEAR(s.im, A0[i][j].im, 1e-13);
                EXPECT_NEAR(o.re, i == j ? 1.0 : 0.0, 1e-13);  // U unitary
                EXPECT_NEAR(o.im, 0.0, 1e-13);
            }
    }
}

TEST(NBandQme, ReducesExactlyToTheTwoBandForm) {
    // The N×N solver with N = 2 against the Bloch-form solver, per line, for each dissipator.
    const double u = -1.0;
    const models::Qwz qwz(&u);
    const TwoBandSolver<models::Qwz> two{qwz};
    const NBandSolver<2, AsNBand<models::Qwz>> gen{{}, AsNBand<models::Qwz>{qwz}};
    std::vector<double> work(gen.work_doubles());
    for (Dissipation kind : {Dissipation::rta, Dissipation::dpa}) {
        QmeParams q{};
        q.kind = kind;
        q.tau1 = 7.0;
        q.tau2 = 4.0;
        q.gamma = 0.07;
        q.d1 = q.d2 = true;
        q.mu = 0.4;
        q.T = 0.2;
        q.E[0] = 0.15;
        const double k0[3] = {0.3, 1.1, 0.0};
        const LineCurrent a = two_band_periodic_line(two.model, q, k0, kTwoPi / 0.15, 2000);
        const LineCurrent b = gen.line(q, k0, kTwoPi / 0.15, 2000, work.data(), StepMonitor{});
        ASSERT_TRUE(a.ok && b.ok);
        for (int c = 0; c < 2; ++c) {
            EXPECT_NEAR(a.J[c], b.J[c], 1e-12 * (1 + std::fabs(a.J[c]))) << "component " << c;
            EXPECT_NEAR(a.J_intra[c], b.J_intra[c], 1e-12 * (1 + std::fabs(a.J_intra[c]))) << "component " << c;
        }
        EXPECT_GT(std::fabs(a.J[0]), 1e-4);
    }
}

TEST(NBandQme, DecoupledCopiesAddUp) {
    // lz_pair with g = 0 is two Landau–Zener crossings (δ = 1 and 1.5): its current is the sum.
    const std::string diss = "[dissipation]\nkind='dpa'\ngamma=0.01\n[task]\nkind='dc_current'\nT=0.01\nwindow=5.0\nsteps=60000\n";
    const auto pair = results("[model]\nname='lz_pair'\ndelta1=1.0\ndelta2=1.5\ng=0.0\n[field]\nE=[0.05,0.3]\n" + diss);
    const auto one = results("[model]\nname='landau_zener'\ndelta=1.0\n[field]\nE=[0.05,0.3]\n" + diss);
    const auto two = results("[model]\nname='landau_zener'\ndelta=1.5\n[field]\nE=[0.05,0.3]\n" + diss);
    for (int i = 0; i < 2; ++i) {
        const double sum = one["J"][i].get<double>() + two["J"][i].get<double>();
        EXPECT_NEAR(pair["J"][i].get<double>(), sum, 1e-10 * (1 + std::fabs(sum))) << "E index " << i;
    }
    // Lattice: qwz_pair with u1 = −1 (C = +1) and u2 = 1.2 (C = −1): Hall currents cancel.
    const std::string lat = "[mesh]\nn=[1,16]\n[field]\nE=[0.02]\n[dissipation]\nkind='dpa'\ngamma=0.1\n"
                            "[task]\nkind='dc_current'\nT=0.0\nsteps=1500\n";
    const auto qp = results("[model]\nname='qwz_pair'\nu1=-1.0\nu2=1.2\ng=0.0\n" + lat);
    const auto q1 = results("[model]\nname='qwz'\nu=-1.0\n" + lat);
    const auto q2 = results("[model]\nname='qwz'\nu=1.2\n" + lat);
    for (int c = 0; c < 2; ++c) {
        const double sum = q1["J"][0][c].get<double>() + q2["J"][0][c].get<double>();
        EXPECT_NEAR(qp["J"][0][c].get<double>(), sum, 1e-10) << "component " << c;
    }
    EXPECT_NEAR(q1["J"][0][1].get<double>() * kTwoPi / 0.02, 1.0, 1e-3);
    EXPECT_NEAR(q2["J"][0][1].get<double>() * kTwoPi / 0.02, -1.0, 1e-3);
}

TEST(NBandQme, CoupledPairRuns) {
    // With g ≠ 0 the copies hybridise; the solver still reaches a finite steady state.
    const auto r = results("[model]\nname='lz_pair'\ng=0.3\n[field]\nE=[0.2]\n[dissipation]\nkind='rta'\ntau1=20.0\n"
                           "[task]\nkind='dc_current'\nT=0.01\nwindow=5.0\n");
    EXPECT_TRUE(std::isfinite(r["J"][0].get<double>()));
    EXPECT_LT(r["error_parts"]["time_step"]["J"][0].get<double>(), 1e-8);
}

namespace {
// A deliberately broken model: H[0][1] = 1 but H[1][0] = 0.
struct NotHermitian {
    static constexpr int bands = 2;
    void operator()(const double[3], NBandPoint<2>& p) const {
        clear(p);
        p.H[0][1] = {1.0, 0.0};
    }
};
}  // namespace

TEST(NBandQme, HermiticityCheckFindsTheBrokenElement) {
    const double k[3] = {0.1, 0.2, 0.0};
    int r, c;
    EXPECT_NEAR(hermiticity_defect<2>(NotHermitian{}, k, r, c), 1.0, 1e-15);
    EXPECT_EQ(r, 0);
    EXPECT_EQ(c, 1);
    const double p[4] = {1.0, 1.0, 1.5, 0.3};
    EXPECT_LT(hermiticity_defect<4>(models::LzPair(p), k, r, c), 1e-15);
}
