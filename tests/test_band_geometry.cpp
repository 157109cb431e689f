// Per-k band geometry of every built-in model against independent methods:
//  - closed forms for the massive Dirac cone (SU(N) paper Eq. 38; orbital moment of Xiao,
//    Chang, Niu RMP 82, 1959);
//  - velocities against central finite differences of the energies;
//  - Ω_n and m_n against the Kubo sums over states built from H(k) alone, with ∂H from
//    finite differences of H (so each model's analytic derivatives are checked too).
#include <gtest/gtest.h>

#include <complex>
#include <random>

#include "bzint/band_touching.hpp"
#include "bzint/models/all.hpp"
#include "model_registry.hpp"

using namespace bzint;
using cd = std::complex<double>;

namespace {

struct Mat2 {
    cd a[2][2];
};

Mat2 hamiltonian(const ModelParams& mp, const double k[3]) {
    Mat2 H{};
    visit_model(mp, [&](auto model) {
        TwoBandPoint p;
        model(k, p);
        H.a[0][0] = p.d0 + p.d[2];
        H.a[1][1] = p.d0 - p.d[2];
        H.a[0][1] = cd(p.d[0], -p.d[1]);
        H.a[1][0] = cd(p.d[0], p.d[1]);
    });
    return H;
}

BandGeometry geometry(const ModelParams& mp, const double k[3], int band) {
    BandGeometry g[2];
    visit_model(mp, [&](auto model) {
        TwoBandPoint p;
        model(k, p);
        two_band_geometry(p, g);
    });
    return g[band];
}

// Eigen-decomposition of a Hermitian 2×2 via its d-vector (independent of the model's dd).
void eig(const Mat2& H, double e[2], cd u[2][2]) {
    const double d0 = 0.5 * (H.a[0][0] + H.a[1][1]).real();
    const double d[3] = {H.a[1][0].real(), H.a[1][0].imag(), 0.5 * (H.a[0][0] - H.a[1][1]).real()};
    const double dn = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    for (int s = 0; s < 2; ++s) {
        e[s] = d0 + (s == 0 ? -dn : dn);
        const Spinor sp = two_band_eigenvector(d, s == 0 ? -1 : 1);
        u[s][0] = cd(sp.re[0], sp.im[0]);
        u[s][1] = cd(sp.re[1], sp.im[1]);
    }
}

cd sandwich(const cd* a, const Mat2& M, const cd* b) {
    cd r = 0;
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) r += std::conj(a[i]) * M.a[i][j] * b[j];
    return r;
}

// Kubo sums at k: Ω_n^c = −2 Im[⟨n|∂_aH|m⟩⟨m|∂_bH|n⟩]/(ε_n−ε_m)², m_n^c = Im[…]/(ε_m−ε_n).
void kubo(const ModelParams& mp, int dim, const double k[3], int n, double omega[3], double moment[3]) {
    const double h = 1e-6;
    Mat2 dH[3]{};
    for (int a = 0; a < dim; ++a) {
        double kp[3] = {k[0], k[1], k[2]}, km[3] = {k[0], k[1], k[2]};
        kp[a] += h;
        km[a] -= h;
        const Mat2 Hp = hamiltonian(mp, kp), Hm = hamiltonian(mp, km);
        for (int i = 0; i < 2; ++i)
            for (int j = 0; j < 2; ++j) dH[a].a[i][j] = (Hp.a[i][j] - Hm.a[i][j]) / (2 * h);
    }
    double e[2];
    cd u[2][2];
    eig(hamiltonian(mp, k), e, u);
    const int m = 1 - n;
    for (int c = 0; c < 3; ++c) {
        const int a = (c + 1) % 3, b = (c + 2) % 3;
        const double im = (sandwich(u[n], dH[a], u[m]) * sandwich(u[m], dH[b], u[n])).imag();
        omega[c] = -2 * im / ((e[n] - e[m]) * (e[n] - e[m]));
        moment[c] = im / (e[m] - e[n]);
    }
}

}  // namespace

TEST(BandGeometry, DiracClosedForms) {
    // Ω_± = ∓ v² m / (2E³), m_z = −v² m / (2E²) for both bands, E = √(v²k² + m²).
    const double v = 1.3, mass = 0.4;
    const ModelParams mp{find_model("dirac2d")->id, {v, mass, 10.0}};
    for (double kx : {-0.7, 0.0, 0.31})
        for (double ky : {-0.2, 0.05, 1.1}) {
            const double k[3] = {kx, ky, 0};
            const double E = std::sqrt(v * v * (kx * kx + ky * ky) + mass * mass);
            for (int n = 0; n < 2; ++n) {
                const BandGeometry g = geometry(mp, k, n);
                const double sign = n == 0 ? -1.0 : 1.0;
                EXPECT_NEAR(g.energy, sign * E, 1e-14);
                EXPECT_NEAR(g.omega[2], -sign * v * v * mass / (2 * E * E * E), 1e-14);
                EXPECT_NEAR(g.m[2], -v * v * mass / (2 * E * E), 1e-14);
                EXPECT_EQ(g.omega[0], 0.0);
                EXPECT_EQ(g.omega[1], 0.0);
            }
        }
}

class EveryModel : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryModel, VelocityCurvatureMomentMatchIndependentMethods) {
    const ModelInfo& info = *find_model(GetParam());
    ModelParams mp{info.id, {}};
    for (std::size_t i = 0; i < info.params.size(); ++i) mp.p[i] = info.params[i].default_value;
    if (info.name == "weyl_lattice") mp.p[3] = 0.3;  // b0: tilt the nodes too
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> U(-2.0, 2.0);
    for (int trial = 0; trial < 20; ++trial) {
        double k[3] = {U(rng), info.dim > 1 ? U(rng) : 0.0, info.dim > 2 ? U(rng) : 0.0};
        for (int n = 0; n < 2; ++n) {
            const BandGeometry g = geometry(mp, k, n);
            const double h = 1e-5;
            for (int a = 0; a < info.dim; ++a) {
                double kp[3] = {k[0], k[1], k[2]}, km[3] = {k[0], k[1], k[2]};
                kp[a] += h;
                km[a] -= h;
                const double fd = (geometry(mp, kp, n).energy - geometry(mp, km, n).energy) / (2 * h);
                EXPECT_NEAR(g.v[a], fd, 1e-7 * (1 + std::fabs(fd))) << info.name << " band " << n << " axis " << a;
            }
            if (info.dim < 2) continue;
            double omega[3], moment[3];
            kubo(mp, info.dim, k, n, omega, moment);
            for (int c = 0; c < 3; ++c) {
                EXPECT_NEAR(g.omega[c], omega[c], 1e-6 * (1 + std::fabs(omega[c]))) << info.name << " Ω component " << c;
                EXPECT_NEAR(g.m[c], moment[c], 1e-6 * (1 + std::fabs(moment[c]))) << info.name << " m component " << c;
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(BuiltIn, EveryModel,
                         ::testing::Values("landau_zener", "dirac2d", "ti_surface", "tilted_dirac", "qwz", "haldane",
                                           "weyl_lattice"));

// The detector of band touchings near a mesh point (band_touching.hpp) on H = v σ·q + m σ_z with
// the node (or the gap's minimum) at q = 0: Ω = v² (q, m)/(2E³) for the lower band.
namespace {

bool near_node(double v, const double q[3], double mass, double level, const Mesh& mesh) {
    TwoBandPoint p;
    clear(p);
    for (int a = 0; a < 3; ++a) {
        p.d[a] = v * q[a];
        p.dd[a][a] = v;
    }
    p.d[2] += mass;
    BandGeometry g[2];
    two_band_geometry(p, g);
    const double levels[1] = {level};
    const Binning bins{levels, 1, 0.0, 0.0, 0.0, 0};
    double x;
    const int key[2] = {2 * bins.bin_of(g[0].energy, x), 2 * bins.bin_of(g[1].energy, x) + 1};
    return near_band_touching(g, key, 2, plaquette_of(mesh, 1.0), bins);
}

Mesh cube(int dim, long long n) {
    Mesh m{};
    m.dim = dim;
    for (int a = 0; a < 3; ++a) m.basis[a][a] = 2 * M_PI;
    m.set_counts(n, dim > 1 ? n : 1, dim > 2 ? n : 1);
    return m;
}

}  // namespace

TEST(BandTouching, AWeylNodeNearerThanATenthOfTheSpacingIsNamed) {
    // Ω = q̂/(2δ²): the flux through the plaquette facing the node is h²/(2δ²), above 50 for δ < h/10.
    const Mesh mesh = cube(3, 40);
    const double h = 2 * M_PI / 40, v = 0.8;
    for (double delta : {0.099, 0.03, 0.001}) {
        const double q[3] = {0.0, 0.0, delta * h};
        EXPECT_TRUE(near_node(v, q, 0.0, 0.0, mesh)) << delta;
    }
    for (double delta : {0.101, 0.3}) {
        const double q[3] = {0.0, 0.0, delta * h};
        EXPECT_FALSE(near_node(v, q, 0.0, 0.0, mesh)) << delta;
    }
    // Both bands above the level: no level separates them, and their sum of curvatures is smooth.
    const double q[3] = {0.0, 0.0, 0.01 * h};
    EXPECT_FALSE(near_node(v, q, 0.0, -1.0, mesh));
}

TEST(BandTouching, AGapBelowAFifthOfVelocityTimesSpacingIsNamed) {
    // At a massive Dirac point Ω_z = v²/(2m²): the plaquette's flux v²h²/(2m²) is above 50 when the
    // gap 2m is below 0.2·v·h — the curvature peak, of width m/v, lies within a tenth of a spacing.
    const Mesh mesh = cube(2, 100);
    const double h = 2 * M_PI / 100, v = 1.5, q[3] = {0.0, 0.0, 0.0};
    EXPECT_TRUE(near_node(v, q, 0.099 * v * h, 0.0, mesh));  // m = 0.099 v h: flux 51
    EXPECT_FALSE(near_node(v, q, 0.101 * v * h, 0.0, mesh));  // flux 49
}
