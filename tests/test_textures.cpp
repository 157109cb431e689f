// Phase-space textures (docs/textures.md): the spin textures and their gradients, the texture's
// curvature 𝓕_IJ against closed forms (kinetic-equation paper Sec. III B) and the Bianchi
// identity, and the real-space Berry flux of a skyrmion lattice, a topological invariant.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../host/cpu_launch.hpp"
#include "bzint/models/all.hpp"
#include "bzint/phase_slice.hpp"
#include "bzint/texture.hpp"
#include "test_util.hpp"
#include "texture_helpers.hpp"

using namespace bzint;
using bzint::test::skyrmion_lattice;

namespace {

template <class Model>
TexturedTwoBand<Model> textured(std::vector<double> params, const SpinTexture& t, double J, double mdot = 0.0) {
    params.resize(kMaxModelParams, 0.0);
    return TexturedTwoBand<Model>{Model(params.data()), TextureTerms{t, J, mdot}};
}

// The texture's curvature at x in the plane (I, J).
template <class H>
double curvature_at(const H& h, std::vector<double> x, int I, int J) {
    PhaseSpacePoint p;
    h(x.data(), p);
    return texture_curvature(p, I, J);
}

// ∂_K f at x by a fourth-order central difference (error ~ h^4 f^(5)).
template <class F>
double derivative(F f, std::vector<double> x, int K, double h) {
    auto at = [&](double s) {
        std::vector<double> y = x;
        y[K] += s;
        return f(y);
    };
    return (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h);
}

// (1/2π) × the band's flux through a plane, by the integral and the link method.
struct PlaneChern {
    double integral[2], link[2];
};
template <class Model>
PlaneChern plane_chern(const TexturedTwoBand<Model>& h, const PhaseSlice& s) {
    std::vector<Neumaier> total;
    EXPECT_EQ(cpu::keyed_reduce(PhaseSliceChernFn<Model>{h, s}, s.count(), total, nullptr), -1);
    return {{total[0].value(), total[1].value()}, {total[2].value(), total[3].value()}};
}

// The real-space cell [0, L)² at k and t = 0, on n × n plaquettes.
PhaseSlice real_space_cell(double L, double kx, double ky, long long n) {
    PhaseSlice s{};
    s.at[kCoordKx] = kx;
    s.at[kCoordKy] = ky;
    s.edge[0][kCoordX] = L;
    s.edge[1][kCoordY] = L;
    s.n[0] = s.n[1] = n;
    return s;
}

}  // namespace

TEST(Textures, SmoothStepAndItsDerivative) {
    // β(x) = ψ(x)/(ψ(x) + ψ(1 − x)): 0, ½ at the midpoint by symmetry, 1; β' against a difference.
    double b, db;
    smooth_step(0.0, b, db);
    EXPECT_EQ(b, 0.0);
    smooth_step(0.5, b, db);
    EXPECT_DOUBLE_EQ(b, 0.5);
    EXPECT_NEAR(db, 2.0, 1e-12);  // β'(½) = ψ² (1/x² + 1/(1 − x)²)/(2ψ)² = 8/4
    smooth_step(1.0, b, db);
    EXPECT_EQ(b, 1.0);
    for (double x : {0.05, 0.2, 0.37, 0.81, 0.96}) {
        const double h = 1e-5;
        double bp, bm, d;
        smooth_step(x + h, bp, d);
        smooth_step(x - h, bm, d);
        smooth_step(x, b, db);
        EXPECT_NEAR(db, (bp - bm) / (2 * h), 1e-8 * (1 + std::fabs(db))) << x;
    }
}

TEST(Textures, GradientsMatchDifferencesAndMIsAUnitVector) {
    std::vector<SpinTexture> textures{skyrmion_lattice(10, 4.5, 1, 1, 0.3), skyrmion_lattice(8, 4, 2, -1, 1.1)};
    SpinTexture wall, spiral, isolated = skyrmion_lattice(1, 3, 3, 1, -0.4);
    isolated.kind = TextureKind::skyrmion;
    wall.kind = TextureKind::domain_wall;
    wall.width = 1.5;
    wall.helicity = 0.5 * kPi;
    spiral.kind = TextureKind::spiral;
    spiral.period = 7;
    spiral.winding = 2;
    spiral.helicity = 0.2;
    textures.insert(textures.end(), {isolated, wall, spiral});
    for (const SpinTexture& t : textures) {
        for (double x : {-2.3, 0.7, 2.9, 3.6, 5.4}) {
            for (double y : {-1.1, 0.4, 3.3, 4.2}) {
                double r[3] = {x, y, 0}, m[3], dm[3][3];
                t(r, m, dm);
                EXPECT_NEAR(m[0] * m[0] + m[1] * m[1] + m[2] * m[2], 1.0, 1e-14);
                for (int a = 0; a < 3; ++a) {
                    const double h = 1e-5;
                    double rp[3] = {x, y, 0}, rm[3] = {x, y, 0}, mp[3], mm[3], unused[3][3];
                    rp[a] += h;
                    rm[a] -= h;
                    t(rp, mp, unused);
                    t(rm, mm, unused);
                    for (int i = 0; i < 3; ++i)
                        EXPECT_NEAR(dm[a][i], (mp[i] - mm[i]) / (2 * h), 1e-7) << static_cast<int>(t.kind) << " " << x << " " << y;
                }
            }
        }
    }
}

TEST(Textures, SkyrmionLatticeWrapsTheSphereMinusPWTimes) {
    // Q = (1/4π) ∫_cell m·(∂_x m × ∂_y m) d²r = −pW (docs/textures.md): the cell sum of a smooth
    // periodic integrand converges faster than any power of the grid step.
    for (double W : {1.0, 2.0, -1.0})
        for (double p : {1.0, -1.0}) {
            const SpinTexture t = skyrmion_lattice(10, 5, W, p, 0.3);
            const int n = 400;
            double q = 0;
            for (int i = 0; i < n; ++i)
                for (int j = 0; j < n; ++j) {
                    double r[3] = {10.0 * i / n, 10.0 * j / n, 0}, m[3], dm[3][3], c[3];
                    t(r, m, dm);
                    cross3(dm[0], dm[1], c);
                    q += dot3(m, c);
                }
            q *= (10.0 / n) * (10.0 / n) / (4 * kPi);
            EXPECT_NEAR(q, -p * W, 1e-9) << "W = " << W << ", p = " << p;
        }
}

TEST(Textures, DiracMetricAndMomentumCurvatureClosedForms) {
    // H = v k·σ + m σz: 𝓕_{kx ky} = v²m/E³ (twice the upper band's −Ω, docs/conventions.md) and
    // 𝓖_{kx kx} = v²(v²k_y² + m²)/E⁴ (four times the quantum metric), E = √(v²k² + m²).
    const auto h = textured<models::Dirac2d>({1.3, 0.4, 10}, SpinTexture{}, 0.0);
    for (double kx : {-0.8, 0.1, 1.7})
        for (double ky : {-0.3, 0.9}) {
            const double v = 1.3, m = 0.4, E = std::sqrt(v * v * (kx * kx + ky * ky) + m * m);
            PhaseSpacePoint p;
            const double x[7] = {0, 0, 0, kx, ky, 0, 0};
            h(x, p);
            EXPECT_NEAR(texture_curvature(p, kCoordKx, kCoordKy), v * v * m / (E * E * E), 1e-14);
            EXPECT_NEAR(band_curvature(p, +1, kCoordKx, kCoordKy), -v * v * m / (2 * E * E * E), 1e-14);
            EXPECT_NEAR(texture_metric(p, kCoordKx, kCoordKx), v * v * (v * v * ky * ky + m * m) / (E * E * E * E), 1e-14);
        }
}

TEST(Textures, FaradayLawInMomentumSpace) {
    // Kinetic-equation paper Sec. III B: H = k·σ + m(t) σz with m(t) = m + ṁt. The fictitious
    // electric field 𝓔_k = 𝓕_{k t} = (ṁ/E³) ẑ × k, the Berry flux 𝓑 = 𝓕_{kx ky} = m/E³ changes as
    // ∂_t𝓑 = ṁ(k² − 2m²)/E⁵, and ∂_t𝓑 + ∂_k × 𝓔 = 0 (the Bianchi identity, its Eq. E4).
    const double m = 0.6, mdot = 0.25;
    const auto h = textured<models::Dirac2d>({1.0, m, 10}, SpinTexture{}, 0.0, mdot);
    for (double kx : {0.0, 0.3, -1.2})
        for (double ky : {0.45, -0.7}) {
            const double E = std::sqrt(kx * kx + ky * ky + m * m), k2 = kx * kx + ky * ky;
            const std::vector<double> x{0, 0, 0, kx, ky, 0, 0};
            EXPECT_NEAR(curvature_at(h, x, kCoordKx, kCoordT), -mdot * ky / (E * E * E), 1e-14);
            EXPECT_NEAR(curvature_at(h, x, kCoordKy, kCoordT), mdot * kx / (E * E * E), 1e-14);
            auto flux = [&](const std::vector<double>& y) { return curvature_at(h, y, kCoordKx, kCoordKy); };
            auto ex = [&](const std::vector<double>& y) { return curvature_at(h, y, kCoordKx, kCoordT); };
            auto ey = [&](const std::vector<double>& y) { return curvature_at(h, y, kCoordKy, kCoordT); };
            const double dB = derivative(flux, x, kCoordT, 1e-3);
            EXPECT_NEAR(dB, mdot * (k2 - 2 * m * m) / std::pow(E, 5), 1e-9);
            const double curl = derivative(ey, x, kCoordKx, 1e-3) - derivative(ex, x, kCoordKy, 1e-3);
            EXPECT_NEAR(dB + curl, 0.0, 1e-9);
        }
}

TEST(Textures, BianchiIdentityOfATexturedLattice) {
    // For any three coordinates ∂_I 𝓕_JK + ∂_J 𝓕_KI + ∂_K 𝓕_IJ = 0 (d𝓕 = 0, the paper's Eq. E1),
    // which holds only if every analytic derivative the textured model gives is right (texture,
    // mass ramp and vector potential together).
    auto h = textured<models::Qwz>({-1.0}, skyrmion_lattice(6, 3, 1, 1, 0.4), 1.2, 0.3);
    h.terms.field[2] = 0.35;  // and a uniform B through a(r): the kinetic momentum's r-dependence
    const std::vector<double> x{2.1, 3.7, 0, 0.4, -1.3, 0, 0.2};
    const int triples[][3] = {{kCoordX, kCoordY, kCoordKx}, {kCoordX, kCoordKx, kCoordKy},
                              {kCoordY, kCoordKy, kCoordT}, {kCoordX, kCoordY, kCoordT}};
    for (const auto& t : triples) {
        double sum = 0, scale = 0;
        for (int c = 0; c < 3; ++c) {
            const int I = t[c], J = t[(c + 1) % 3], K = t[(c + 2) % 3];
            const double term = derivative([&](const std::vector<double>& y) { return curvature_at(h, y, J, K); }, x, I, 1e-3);
            sum += term;
            scale += std::fabs(term);
        }
        EXPECT_GT(scale, 1e-3);  // the terms are not all zero
        EXPECT_NEAR(sum, 0.0, 1e-8 * scale) << t[0] << t[1] << t[2];
    }
}

TEST(Textures, RealSpaceFluxOfASkyrmionLatticeIsTopological) {
    // H = H_0(k) + J m(r)·σ with m wrapping the sphere Q = −pW times per cell: at fixed k the map
    // r ↦ d(r)/|d| wraps Q times around the origin when |d_0(k)| < J and not at all when
    // |d_0(k)| > J (the sphere of radius J about d_0 then excludes the origin): ∫_cell 𝓕_xy d²r = 4πQ
    // or 0. Band s's flux (1/2π) ∫ q_s 𝓕_xy, q_s = −s/2, is then +Q for the lower band and −Q for the
    // upper (a Berry flux of ±2πQ), or 0.
    for (double W : {1.0, 2.0})
        for (double p : {1.0, -1.0}) {
            const double Q = -p * W, J = 1.0;
            const auto h = textured<models::Dirac2d>({1.0, 0.5, 10}, skyrmion_lattice(10, 5, W, p, 0.3), J);
            const PlaneChern inside = plane_chern(h, real_space_cell(10, 0.3, -0.2, 256));  // |d0| = 0.62
            EXPECT_NEAR(inside.integral[0], Q, 1e-8) << W << " " << p;
            EXPECT_NEAR(inside.integral[1], -Q, 1e-8);
            EXPECT_NEAR(inside.link[0], Q, 1e-12);
            EXPECT_NEAR(inside.link[1], -Q, 1e-12);
            const PlaneChern outside = plane_chern(h, real_space_cell(10, 1.1, 0.4, 256));  // |d0| = 1.28
            EXPECT_NEAR(outside.integral[0], 0.0, 1e-8);
            EXPECT_NEAR(outside.link[0], 0.0, 1e-12);
        }
}

TEST(Textures, BrillouinZoneSliceIsTheChernNumber) {
    // At fixed r the (k1, k2) plane of qwz with a uniform exchange J ẑ is qwz at u + J: C_lower = +1
    // for −2 < u + J < 0 (tests/test_chern.cpp's phase diagram).
    SpinTexture up;
    const auto h = textured<models::Qwz>({-2.5}, up, 1.0);
    PhaseSlice s{};
    s.edge[0][kCoordKx] = kTwoPi;
    s.edge[1][kCoordKy] = kTwoPi;
    s.n[0] = s.n[1] = 64;
    const PlaneChern c = plane_chern(h, s);
    EXPECT_NEAR(c.link[0], 1.0, 1e-12);
    // A smooth periodic integrand: the 64² grid sum converges exponentially (observed 3e-16).
    EXPECT_NEAR(c.integral[0], 1.0, 1e-10);
}

TEST(Textures, MixedPositionMomentumTorusOfASpiral) {
    // qwz (u) with a spiral J m(x), m = (0, sin qx, cos qx) (helicity π/2, q = 2π/L), at k_y = 0:
    // d = (sin kx, J sin qx, u + 1 + cos kx + J cos qx). With J = 1 this is qwz itself on the torus
    // (kx, qx) at u' = u + 1, whose lower band has C = +1 for −2 < u' < 0 (tests/test_chern.cpp);
    // the plane (x, k1) runs the axes the other way round, so its lower band has C = −1.
    const auto r = bzint::test::results(
        "[model]\nname = 'qwz'\nu = -1.5\n[texture]\nkind = 'spiral'\nexchange = 1.0\nperiod = 8.0\n"
        "helicity = 1.5707963267948966\n[task]\nkind = 'phase_space_chern'\nplane = ['x', 'k1']\nn = [64, 64]\n"
        "k = [0.0, 0.0]\n");
    EXPECT_NEAR(r["chern_fhs"][0].get<double>(), -1.0, 1e-12);
    EXPECT_NEAR(r["chern_fhs"][1].get<double>(), 1.0, 1e-12);
    EXPECT_NEAR(r["chern"][0].get<double>(), -1.0, 1e-9);
    // The smallest gap 2|d| on the torus: |d| ≥ 0.5 at (kx, qx) = (π, 0) where d = (0, 0, −0.5);
    // the bracket's upper end is within its error of the true minimum 1.
    EXPECT_NEAR(r["smallest_gap"][0].get<double>(), 1.0, 0.06);
}

TEST(Textures, RunFileRealSpaceFluxAndMap) {
    // examples/texture/skyrmion_flux.toml: Q = −1 per cell, |d0(k)| = 0.62 < J = 1 → C_lower = −1;
    // the map's mean flux density is the Chern number (the plane's own sum).
    const bzint::test::TempDir dir;
    const auto doc = run(RunFile::parse(R"(
title = "flux"
[model]
name = "dirac2d"
v = 1.0
m = 0.5
[texture]
kind = "skyrmion_lattice"
exchange = 1.0
period = 10.0
radius = 5.0
[task]
kind = "phase_space_chern"
plane = ["x", "y"]
n = [128, 128]
k = [0.3, -0.2]
map = true
)",
                                         "flux.toml"),
                         Backend::cpu, RunOptions{dir.path(), false, true});
    const auto& r = doc["results"];
    EXPECT_NEAR(r["chern_fhs"][0].get<double>(), -1.0, 1e-12);
    EXPECT_NEAR(r["chern"][0].get<double>(), -1.0, 1e-6);
    EXPECT_LT(doc["errors"]["chern"][0].get<double>(), 1e-6);
    std::ifstream csv(dir / "flux_flux_map.csv");
    std::string line;
    std::getline(csv, line);  // the description
    std::getline(csv, line);
    EXPECT_EQ(line, "s,u,x,y,flux_density_band0,energy_band0,energy_band1");
    double sum = 0;
    long long rows = 0;
    while (std::getline(csv, line)) {
        std::stringstream row(line);
        std::string cell;
        for (int c = 0; c < 5; ++c) std::getline(row, cell, ',');
        sum += std::strtod(cell.c_str(), nullptr);  // (std::stod throws on subnormal values)
        ++rows;
    }
    EXPECT_EQ(rows, 128 * 128);
    EXPECT_NEAR(sum / rows, r["chern"][0].get<double>(), 1e-12);
}

TEST(Textures, UniformFieldGivesTheOrbitalMomentEnergyAndTheStredaDensityOfStates) {
    // A uniform B through a(r) = (B × r)/2: the scalar 𝓕 = Σ_l 𝓕_{r_l k_l} makes Eq. 23's energy
    // correction −m_n·B and Eq. 28's 𝒟_s the density of states 1 + B·Ω_n of task streda (the SU(N)
    // paper's Eq. 17), with m_n and Ω_n of two_band_geometry, at every point (both bands alike).
    auto check = [](const auto& h, std::vector<double> x, const double (&B)[3]) {
        auto hb = h;
        for (int a = 0; a < 3; ++a) hb.terms.field[a] = B[a];
        PhaseSpacePoint p;
        hb(x.data(), p);
        // The uniform model at the kinetic momentum p + (B × r)/2.
        double k[3] = {x[3], x[4], x[5]}, c[3];
        cross3(B, x.data(), c);
        for (int a = 0; a < 3; ++a) k[a] += 0.5 * c[a];
        TwoBandPoint t;
        h.model(k, t);
        BandGeometry g[2];
        two_band_geometry(t, g);
        const double F = phase_space_scalar_curvature(p), d_norm = std::sqrt(dot3(p.d, p.d));
        for (int n = 0; n < 2; ++n) {
            EXPECT_NEAR(energy_correction(d_norm, F), -dot3(g[n].m, B), 1e-13 * (1 + std::fabs(dot3(g[n].m, B))));
            EXPECT_NEAR(dos_factor(F, 2 * n - 1), 1 + dot3(g[n].omega, B), 1e-13 * (1 + std::fabs(dot3(g[n].omega, B))));
        }
        EXPECT_GT(std::fabs(F), 1e-6);  // not a trivial check
    };
    const double Bz[3] = {0, 0, 0.37}, B3[3] = {0.2, -0.45, 0.3};
    for (const std::vector<double>& x : {std::vector<double>{0.3, -1.2, 0, 0.4, -0.7, 0, 0},
                                         std::vector<double>{2.0, 0.5, 0, -1.1, 0.9, 0, 0}}) {
        check(textured<models::Dirac2d>({1.3, 0.4, 10}, SpinTexture{}, 0.0), x, Bz);
        check(textured<models::Qwz>({-1.2}, SpinTexture{}, 0.0), x, Bz);
        check(textured<models::Haldane>({1.0, 0.15, 1.2, 0.25}, SpinTexture{}, 0.0), x, Bz);
    }
    std::vector<double> x3{0.3, -1.2, 0.8, 0.4, -0.7, 1.3, 0};
    check(textured<models::WeylLattice>({1.0, 1.0, 1.2, 0.3}, SpinTexture{}, 0.0), x3, B3);
}

TEST(Textures, GeometryTaskAtPoints) {
    // task texture_geometry: at k = 0 of dirac2d (m = 0.5) and its skyrmion lattice's centre,
    // d = (0, 0, m − J) = (0, 0, −0.5): energies ∓0.5; 𝓕_{kx ky} = d·(∂kx d × ∂ky d)/|d|³ =
    // −0.5/0.125 = −4; far from the centre (m = ẑ) d = (0, 0, 1.5) and it is 1.5/1.5³.
    const auto r = bzint::test::results(
        "[model]\nname = 'dirac2d'\nm = 0.5\n[texture]\nkind = 'skyrmion_lattice'\nexchange = 1.0\nperiod = 10.0\n"
        "radius = 4.0\n[task]\nkind = 'texture_geometry'\nr = [[5.0, 5.0, 0.0], [0.5, 0.5, 0.0]]\nk = [[0.0, 0.0]]\n");
    EXPECT_NEAR(r["energies"][0][0].get<double>(), -0.5, 1e-14);
    EXPECT_NEAR(r["curvature"][0][kCoordKx][kCoordKy].get<double>(), -4.0, 1e-12);
    EXPECT_NEAR(r["curvature"][0][kCoordKy][kCoordKx].get<double>(), 4.0, 1e-12);
    EXPECT_NEAR(r["curvature"][1][kCoordKx][kCoordKy].get<double>(), 1.0 / (1.5 * 1.5), 1e-12);
    EXPECT_NEAR(r["energies"][1][1].get<double>(), 1.5, 1e-14);
    // m(r) is flat at the centre and outside R: no mixed curvature, 𝓕 = 0, 𝒟 = 1.
    EXPECT_NEAR(r["scalar_curvature"][0].get<double>(), 0.0, 1e-14);
    EXPECT_NEAR(r["dos_factor"][1][0].get<double>(), 1.0, 1e-14);
}

TEST(Textures, GeometryTaskWarnsWhereTheGradientExpansionFails) {
    // A Bloch skyrmion of radius 4 on dirac2d (J = 1, gap scale 1): 𝓕 ≈ 3.3 at x = 3.5 on the line
    // through the centre, far beyond first order; at radius 80 the same line stays below 0.3.
    const char* run = "[model]\nname = 'dirac2d'\nm = 0.5\n[texture]\nkind = 'skyrmion_lattice'\nexchange = 1.0\n"
                      "period = {0}\nradius = {1}\nhelicity = 1.5707963267948966\n[task]\nkind = 'texture_geometry'\n"
                      "r = [[{2}, {3}, 0.0]]\nk = [[0.3, 0.2]]\n";
    const auto sharp = bzint::test::run_toml(fmt::format(fmt::runtime(run), 10, 4, 3.5, 5));
    EXPECT_GT(std::fabs(sharp["results"]["scalar_curvature"][0].get<double>()), 3.0);
    ASSERT_TRUE(sharp.contains("warnings"));
    ASSERT_EQ(sharp["warnings"].size(), 1u);
    EXPECT_NE(sharp["warnings"][0].get<std::string>().find("first order in F"), std::string::npos);
    const auto smooth = bzint::test::run_toml(fmt::format(fmt::runtime(run), 160, 80, 56, 80));
    EXPECT_LT(std::fabs(smooth["results"]["scalar_curvature"][0].get<double>()), 0.3);
    EXPECT_TRUE(!smooth.contains("warnings") || smooth.at("warnings").empty());  // (operator[] of a const json needs the key)
}

TEST(Textures, DensityInAUniformFieldIsStredas) {
    // A uniform B through a(r) = (B × r)/2: texture_density's phase-space integral with Eqs. 23 and
    // 28, n(μ, B) = Σ_s ∫ 𝒟_s f(ε̄_s − μ), is task streda's n(μ, B) = Σ_n ∫ (1 + B·Ω_n) f(ε_n − m_n·B)
    // (the SU(N) paper's Eq. 17; per point the integrands are equal, test above), to the rounding of
    // streda's finite-T bins (~4e-11 here). The Středa
    // derivative (n(B) − n(−B))/2B is streda's ∂n/∂B (Eq. 45) up to O(B²) (the density has B² terms:
    // its odd B³ terms leave an error ∝ B²: 4e-6 for qwz at B = 1e-3, 1.1e-5 for haldane; 1e-4
    // keeps it near 1e-7). Any position gives the same n: the mesh is over the kinetic momentum, and
    // the lattice models are gauge invariant.
    const double B = 1e-4;
    for (const char* model : {"name = 'qwz'\nu = -1.2", "name = 'haldane'\nt2 = 0.15\nM = 0.2", "name = 'dirac2d'\nm = 0.4\nkcut = 6.0"}) {
        const std::string mesh = "[mesh]\nn = [120, 120]\n";
        const std::string positions = "[[0, 0, 0], [2.5, -1.0, 0]]";
        auto density = [&](double b) {
            return bzint::test::results(fmt::format("[model]\n{}\n{}[texture]\nkind = 'uniform'\nexchange = 0.0\n"
                                                    "direction = [0, 0, 1]\nB = {}\n[task]\nkind = 'texture_density'\n"
                                                    "mu = [-0.9, 0.05, 0.6]\nT = 0.05\nr = {}\n",
                                                    model, mesh, b, positions));
        };
        const auto plus = density(B), minus = density(-B);
        const auto streda = bzint::test::results(fmt::format(
            "[model]\n{}\n{}[task]\nkind = 'streda'\nmu = [-0.9, 0.05, 0.6]\nT = 0.05\nB = [{}, {}]\n", model, mesh, -B, B));
        for (std::size_t a = 0; a < plus["density"].size(); ++a)
            for (int j = 0; j < 3; ++j) {
                EXPECT_NEAR(minus["density"][a][j].get<double>(), streda["density_B"][0][j].get<double>(), 1e-9) << model;
                EXPECT_NEAR(plus["density"][a][j].get<double>(), streda["density_B"][1][j].get<double>(), 1e-9) << model;
                const double dn = (plus["density"][a][j].get<double>() - minus["density"][a][j].get<double>()) / (2 * B);
                // streda reports ∂n/∂B as 2π × the ħ = e = 1 value (docs/conventions.md).
                EXPECT_NEAR(2 * kPi * dn, streda["dn_dB"][j].get<double>(), 1e-6) << model << " mu " << j;
                EXPECT_NEAR(plus["density_uncorrected"][a][j].get<double>(), streda["density"][j].get<double>(), 1e-9);
            }
    }
}

TEST(Textures, DensityCorrectionsLiveWhereTheTextureVaries) {
    // qwz with a skyrmion lattice (no B): where m(r) is flat — outside the radius, at the centre —
    // ∂_r d = 0, so 𝓕 = 0 and the corrected density is the uncorrected one exactly; on the rim
    // they differ. In the gap (μ = 0) the uncorrected density is the filled lower band, one per cell.
    const auto r = bzint::test::results(
        "[model]\nname = 'qwz'\nu = -1.2\n[mesh]\nn = [48, 48]\n[texture]\nkind = 'skyrmion_lattice'\n"
        "exchange = 0.5\nperiod = 160.0\nradius = 60.0\nhelicity = 1.5707963267948966\n[task]\n"
        "kind = 'texture_density'\nmu = [0.0, 1.0]\nT = 0.02\nr = [[2.0, 2.0, 0], [80.0, 80.0, 0], [45.0, 80.0, 0]]\n");
    for (int a : {0, 1})
        for (int j : {0, 1})
            EXPECT_EQ(r["density"][a][j].get<double>(), r["density_uncorrected"][a][j].get<double>()) << a << j;
    EXPECT_NEAR(r["density_uncorrected"][2][0].get<double>(), 1.0, 1e-12);
    EXPECT_GT(std::fabs(r["density"][2][0].get<double>() - 1.0), 1e-4);
}

TEST(Textures, DensityWarnsWhereTheGradientExpansionFails) {
    // A skyrmion of radius 2 on qwz (gap ~0.8): |𝓕| ≥ 0.3 on part of the mesh at r = (1, 2).
    const auto doc = bzint::test::run_toml(
        "[model]\nname = 'qwz'\nu = -1.2\n[mesh]\nn = [32, 32]\n[texture]\nkind = 'skyrmion_lattice'\n"
        "exchange = 0.5\nperiod = 4.0\nradius = 2.0\n[task]\nkind = 'texture_density'\nmu = [0.0]\nT = 0.02\n"
        "r = [[1.0, 2.0, 0]]\n");
    ASSERT_TRUE(doc.contains("warnings"));
    EXPECT_NE(doc["warnings"][0].get<std::string>().find("first order in F"), std::string::npos);
}

TEST(Textures, SmoothStepNearItsEndsIsFinite) {
    // ψ(x) = e^{−1/x} underflows below x ≈ 1.3e-3; 1/x² overflows below 1.5e-154: the step and the
    // skyrmion's gradient there must be exact zeros, not 0 · ∞.
    for (double x : {1e-320, 1e-200, 1e-155, 1e-10, 1e-3, 1 - 1e-3, 1 - 1e-12}) {
        double b, db;
        smooth_step(x, b, db);
        EXPECT_TRUE(std::isfinite(b) && std::isfinite(db)) << x;
    }
    SpinTexture t = skyrmion_lattice(1, 1, 1, 1, 0.3);
    t.kind = TextureKind::skyrmion;
    for (double x : {1e-155, 1e-300, 1 - 1e-16}) {
        double r[3] = {x, 0, 0}, m[3], dm[3][3];
        t(r, m, dm);
        for (int a = 0; a < 3; ++a)
            for (int i = 0; i < 3; ++i) EXPECT_TRUE(std::isfinite(dm[a][i])) << x;
    }
}
