// Anomalous Hall conductivity against closed forms (units e²/h in 2D, e²/(h a) in 3D).
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>

#include "test_util.hpp"

using bzint::test::results;

namespace {

// −(1/2π) ∫_box Ω_lower d²k for H = v k·σ + m σz on the square |k_a| ≤ kcut: the solid
// angle of a square of half-side a = v kcut seen from height |m| is 4 arctan(a²/(|m|√(2a²+m²))),
// so σ_gap = −(sgn m/π) arctan(a²/(|m|√(2a²+m²))) (→ −sgn(m)/2 as kcut → ∞; a disk of
// radius Λ gives −(1/2)[sgn m − m/√(v²Λ²+m²)] instead).
double sigma_gap_box(double v, double m, double kcut) {
    const double a = v * kcut;
    return -(m > 0 ? 1.0 : -1.0) / M_PI * std::atan(a * a / (std::fabs(m) * std::sqrt(2 * a * a + m * m)));
}

// With |μ| > |m| the states inside the Fermi circle contribute (1/2)(sgn m − m/|μ|) on top.
double sigma_doped_box(double v, double m, double kcut, double mu) {
    return sigma_gap_box(v, m, kcut) + 0.5 * ((m > 0 ? 1.0 : -1.0) - m / std::fabs(mu));
}

}  // namespace

TEST(Ahc, DiracGapAndDopedClosedForms) {
    for (double m : {0.5, -0.3}) {
        const auto r = results(fmt::format(
            "[model]\nname='dirac2d'\nv=1.0\nm={}\nkcut=10.0\n[mesh]\nn=[1000,1000]\n[task]\nkind='ahc'\nmu=[-1.5,-0.9,0.0,0.8,2.0]\n", m));
        for (std::size_t j = 0; j < r["mu"].size(); ++j) {
            const double mu = r["mu"][j].get<double>();
            const double got = r["sigma_xy"][j].get<double>();
            if (std::fabs(mu) < std::fabs(m)) {
                EXPECT_NEAR(got, sigma_gap_box(1.0, m, 10.0), 1e-7) << "m " << m << " mu " << mu;  // smooth integrand
            } else {
                EXPECT_NEAR(got, sigma_doped_box(1.0, m, 10.0, mu), 1e-3) << "m " << m << " mu " << mu;  // sharp Fermi circle: O(h)
            }
        }
    }
}

TEST(Ahc, DiracBoxApproachesHalfQuantum) {
    // As the cutoff grows the gap value tends to −sgn(m)/2, like the disk formula.
    const auto r = results("[model]\nname='dirac2d'\nv=1.0\nm=0.5\nkcut=200.0\n[mesh]\nn=[4000,4000]\n[task]\nkind='ahc'\nmu=0.0\n");
    EXPECT_NEAR(r["sigma_xy"][0].get<double>(), sigma_gap_box(1.0, 0.5, 200.0), 1e-6);
    EXPECT_NEAR(r["sigma_xy"][0].get<double>(), -0.5, 2e-3);  // √2 m/(π v kcut) = 1.1e-3 away
}

TEST(Ahc, TiSurfaceIntrinsic) {
    // Disorder paper Eq. 74: intrinsic σ_xy = −M/(2ε_F) above the gap (infinite cutoff);
    // the box adds σ_gap_box + sgn(M)/2, which vanishes as kcut → ∞.
    const double M = 0.2, kcut = 30.0;
    const auto r = results(fmt::format(
        "[model]\nname='ti_surface'\nv=1.0\nM={}\nkcut={}\n[mesh]\nn=[3000,3000]\n[task]\nkind='ahc'\nmu=[0.3,0.5,1.0]\n", M, kcut));
    for (std::size_t j = 0; j < r["mu"].size(); ++j) {
        const double eF = r["mu"][j].get<double>();
        const double cutoff = sigma_gap_box(1.0, M, kcut) + 0.5;
        EXPECT_NEAR(r["sigma_xy"][j].get<double>(), -M / (2 * eF) + cutoff, 1e-3) << "eF " << eF;
    }
}

TEST(Ahc, WeylNodesGiveLinearHall) {
    // b0 = 0: C(k_z) = −1 for |k_z| > k0, so σ_xy = −∫dk_z/2π C = (π − k0)/π e²/(h a).
    // Converges as h² in-plane (64²: 1.4e-2, 128²: 3.5e-3 off) and 1/N3 across planes.
    const double k0 = 1.0;
    const auto r = results("[model]\nname='weyl_lattice'\nk0=1.0\n[mesh]\nn=[128,128,512]\n[task]\nkind='ahc'\nmu=0.0\n");
    EXPECT_NEAR(r["sigma"][0][2].get<double>(), (M_PI - k0) / M_PI, 5e-3);
    EXPECT_NEAR(r["sigma"][0][0].get<double>(), 0.0, 1e-12);
    EXPECT_NEAR(r["sigma"][0][1].get<double>(), 0.0, 1e-12);
}
