// Fermi-sea CME and Fermi-surface quantities (anomaly flux, Berry-curvature dipole).
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>

#include "test_util.hpp"

using bzint::test::results;

namespace {
const char* kWeyl = "[model]\nname='weyl_lattice'\nt=1.0\nm=1.0\nk0=1.0\nb0=0.3\n";
}

TEST(Cme, TotalVanishes) {
    // Σ_n α_n = Σ_nodes Σ_n (±2π) F(ε_node) / (2π)³ = 0: the two bands carry opposite monopoles.
    // Below and above every band the cancellation is pointwise-exact up to rounding;
    // inside the bands it holds as the mesh converges (h⁴ here, 96³ → 7e-9).
    const auto r = results(std::string(kWeyl) + "[mesh]\nn=[96,96,96]\n[task]\nkind='cme'\nmu=[-5.0,1.5,5.0]\nT=0.1\n");
    EXPECT_NEAR(r["cme_total"][0].get<double>(), 0.0, 1e-10);
    EXPECT_NEAR(r["cme_total"][2].get<double>(), 0.0, 1e-10);
    EXPECT_NEAR(r["cme_total"][1].get<double>(), 0.0, 3e-8);
    // The per-band values are of order 1e-2: the total is a real cancellation.
    EXPECT_GT(std::fabs(r["cme_band"][2][0].get<double>()), 1e-2);
}

TEST(Cme, LowerBandNodeFormula) {
    // A filled lower band: α_lower = −∫ ∇ε·Ω = ∫ ε ∇·Ω = −b0 sin k0/(2π²) (monopoles at the
    // nodes, energies ±b0 sin k0). Converges as h³; at 160³ the error is ~1.6e-4.
    const auto r = results(std::string(kWeyl) + "[mesh]\nn=[160,160,160]\n[task]\nkind='cme'\nmu=1.5\n");
    EXPECT_NEAR(r["cme_band"][0][0].get<double>(), -0.3 * std::sin(1.0) / (2 * M_PI * M_PI), 4e-4);
}

TEST(Anomaly, EachPocketCarriesUnitFlux) {
    // μ = 0 lies between the node energies ±b0 sin k0: the lower band has a hole pocket
    // around one node and the upper band an electron pocket around the other; the Berry
    // flux out of each is ±2π (chiral charge ±1), and they cancel in total.
    const auto r = results(std::string(kWeyl) + "[mesh]\nn=[128,128,128]\n[task]\nkind='anomaly'\nmu=0.0\nT=0.02\n");
    EXPECT_NEAR(r["anomaly_flux"][0][0].get<double>(), 1.0, 2e-3);
    EXPECT_NEAR(r["anomaly_flux"][0][1].get<double>(), -1.0, 2e-3);
}

TEST(Dipole, TiltedDiracFirstOrderInTilt) {
    // Upper band, T → 0: D_x = −3 s t Δ (μ² − Δ²)/(8π μ⁴) + O(t³); D_y = 0 by the mirror ky → −ky.
    const double t = 0.02, Delta = 0.1;
    for (double s : {1.0, -1.0}) {
        const auto r = results(fmt::format("[model]\nname='tilted_dirac'\nt={}\nv=1.0\ns={}\nDelta={}\nkcut=1.0\n"
                                           "[mesh]\nn=[2000,2000]\n[task]\nkind='dipole'\nmu=[0.15,0.2,0.3]\nT=0.002\n",
                                           t, s, Delta));
        for (std::size_t j = 0; j < r["mu"].size(); ++j) {
            const double mu = r["mu"][j].get<double>();
            const double expected = -3 * s * t * Delta * (mu * mu - Delta * Delta) / (8 * M_PI * std::pow(mu, 4));
            EXPECT_NEAR(r["dipole"][j][0].get<double>(), expected, 2e-3 * std::fabs(expected)) << "mu " << mu;
            EXPECT_NEAR(r["dipole"][j][1].get<double>(), 0.0, 1e-12);
            EXPECT_EQ(r["dipole_band"][j][0][0].get<double>(), 0.0);  // lower band has no Fermi surface
        }
    }
}

TEST(Cme, GyrotropicTensorCountsNodeEnergies) {
    // A linear Weyl node of chirality χ at energy ε_n gives K_ii = −χ(μ − ε_n)/(12π²) for any
    // anisotropy of its velocities and any T (∫(−f′)(ε − ε_n) = μ − ε_n), so two nodes give
    // K_ii = Σ χ_n ε_n/(12π²). With k0 = π/2 the nodes are untilted at energies ±b0 with
    // χ = ∓1: K_ii = −b0/(6π²), K_ij = 0 (Zhong, Moore, Souza, PRL 116, 077201).
    // The cones are linear to a few per cent over the thermal window; N_z odd keeps the
    // nodes off the mesh.
    const double b0 = 0.05;
    const auto r = results(fmt::format("[model]\nname='weyl_lattice'\nk0=1.5707963267948966\nb0={}\n"
                                       "[mesh]\nn=[160,160,161]\n[task]\nkind='cme'\nmu=[-0.05,0.05]\nT=0.03\n", b0));
    const double expected = -b0 / (6 * M_PI * M_PI);
    for (std::size_t j = 0; j < 2; ++j)
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) {
                const double K = r["gyrotropic_K"][j][a][b].get<double>();
                if (a == b)
                    EXPECT_NEAR(K, expected, 0.015 * std::fabs(expected)) << "mu index " << j << " K" << a << b;
                else
                    EXPECT_NEAR(K, 0.0, 1e-12) << "mu index " << j << " K" << a << b;
            }
}
