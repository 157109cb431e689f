// The charge a domain wall binds per unit length, semiclassically (texture_density, bound_charge =
// true with [texture] kind = "domain_wall"; docs/textures.md "The bound charge"): ∫ (n − n_ref) dx
// over the window [−40w, 40w], n_ref the far field on each side of the wall's centre. Against the
// task's own densities, a topological zero in a gap, and the emergent magnetic field's Středa
// response in a band.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "bzint/hd.hpp"
#include "test_util.hpp"

namespace {

const char* kBloch = "helicity = 1.5707963267948966\n";

// The upper band's density [level 0] of dirac2d (v = 1, m = 0.5, kcut = 3) with a uniform
// exchange J = 0.3 along m, at μ = 0.9, T = 0.05 on a 240² mesh.
const char* kDirac = "[model]\nname = 'dirac2d'\nv = 1.0\nm = 0.5\nkcut = 3.0\n[mesh]\nn = [240, 240]\n";
const char* kDiracTask = "[task]\nkind = 'texture_density'\nmu = 0.9\nT = 0.05\nband_resolved = true\n";
double dirac_upper_band(double mx, double my, double mz) {
    const auto r = bzint::test::results(std::string(kDirac) +
                                        fmt::format("[texture]\nkind = 'uniform'\nexchange = 0.3\ndirection = [{:.17g}, {:.17g}, {:.17g}]\n",
                                                    mx, my, mz) +
                                        kDiracTask);
    return r["density_bands"][0][0][1].get<double>();
}

}  // namespace

TEST(DomainWallCharge, IsTheGridSumAgainstTheFarFieldOnEachSide) {
    // qwz with a Néel wall (w = 2, J = 0.3): the window is [−80, 80] on 16 points (h = 10), its
    // point x = 0 the wall's centre. The bound charge is h Σ_i (n(x_i) − n_ref(x_i)) with n_ref the
    // uniform texture p ẑ for x < 0, −p ẑ for x > 0 and their mean at x = 0: from texture_density at
    // the grid's positions and the two uniform textures, to rounding (1e-12). (16 points resolve
    // nothing of a wall of width 2: this checks the sum, not its accuracy.)
    const std::string model = "[model]\nname = 'qwz'\nu = -1.2\n[mesh]\nn = [32, 32]\n";
    const std::string wall = "[texture]\nkind = 'domain_wall'\nwidth = 2.0\nexchange = 0.3\n";
    const std::string task = "[task]\nkind = 'texture_density'\nmu = [0.0, 0.9]\nT = 0.1\n";
    const auto bound = bzint::test::results(model + wall + task + "bound_charge = true\ncell_points = [16, 4]\n");
    std::string r = "r = [";
    for (int i = 0; i < 16; ++i) r += (i ? ", [" : "[") + std::to_string(-80 + 10 * i) + ", 0, 0]";
    const auto grid = bzint::test::results(model + wall + task + r + "]\n");
    auto uniform = [&](int p) {
        return bzint::test::results(model + "[texture]\nkind = 'uniform'\nexchange = 0.3\ndirection = [0, 0, " + std::to_string(p) +
                                    "]\n" + task)["density"][0];
    };
    const auto left = uniform(1), right = uniform(-1);
    for (std::size_t l = 0; l < 2; ++l) {
        double sum = 0.0;
        for (int i = 0; i < 16; ++i) {
            const double n_left = left[l].get<double>(), n_right = right[l].get<double>();
            const double ref = i < 8 ? n_left : i > 8 ? n_right : 0.5 * (n_left + n_right);
            sum += 10.0 * (grid["density"][static_cast<std::size_t>(i)][l].get<double>() - ref);
        }
        EXPECT_NEAR(bound["bound_charge"][l].get<double>(), sum, 1e-12) << l;
    }
    EXPECT_EQ(bound["cell"], nlohmann::json({160.0, 1.0}));
    EXPECT_EQ(bound["cell_origin"], nlohmann::json({-80.0, 0.0}));
    EXPECT_EQ(bound["background"], nlohmann::json({{0.0, 0.0, 1.0}, {0.0, 0.0, -1.0}}));
    EXPECT_GT(std::fabs(right[1].get<double>() - left[1].get<double>()), 0.01);  // a band: the far fields differ
}

TEST(DomainWallCharge, AGapBindsNoChargeAcrossAWallThatKeepsItOpen) {
    // In a gap the filled band binds −½∫dx ∫d²p/(2π)² 𝓕_{x p_x} per unit length (𝒟_− − 1; the energy
    // correction moves no occupation there): the change of the band's polarisation from one far
    // field to the other. qwz's far fields (u ± J) are inversion symmetric, σ_z H(−k) σ_z = H(k),
    // which makes the continuous change of ∫ dk_y γ(k_y) across the wall a half-integer that is
    // continuous in J, hence 0 while the gap stays open (|d(k)| ≥ 0.8 − J > 0 for J = 0.3, d the
    // untextured model's vector). A Bloch wall (m_y couples to sin k_y σ_y) breaks the symmetry
    // between ±k_y locally, so its density moves at the wall (by 4e-3 here), yet the wall binds
    // nothing: measured 7e-14 at T = 0.01 (the thermal tail, ~e^{−0.5/T} at the gap edge 0.5, is
    // far below), against 1e-10.
    const std::string text = "[model]\nname = 'qwz'\nu = -1.2\n[mesh]\nn = [64, 64]\n[texture]\nkind = 'domain_wall'\n"
                             "width = 5.0\nexchange = 0.3\n" + std::string(kBloch) +
                             "[task]\nkind = 'texture_density'\nmu = 0.0\nT = 0.01\nr = [[-5, 0, 0], [5, 0, 0]]\n"
                             "bound_charge = true\n";
    const auto r = bzint::test::results(text);
    EXPECT_GT(std::fabs(r["density"][0][0].get<double>() - 1.0), 3e-3);
    EXPECT_GT(std::fabs(r["density"][1][0].get<double>() - 1.0), 3e-3);
    EXPECT_NEAR(r["bound_charge"][0].get<double>(), 0.0, 1e-10);
    EXPECT_NEAR(r["bound_charge_uncorrected"][0].get<double>(), 0.0, 1e-12);
}

TEST(DomainWallCharge, ABandBindsTheEmergentFieldsStredaCharge) {
    // dirac2d (v = 1, m = 0.5) with a Bloch wall: d = (v k_x, v k_y + J m_y, m + J m_z), so m_y is
    // a vector potential a_y = J m_y/v (k + a the kinetic momentum), whose field B(x) = (J/v) ∂_x m_y
    // the wall's electrons feel, while the mass M(x) = m + J m_z changes across it. To first order
    // in the gradients the upper band's density moves by (∂n_+/∂B)(M(x)) B(x) (the mass's own term
    // is odd in k_y + a_y and integrates to 0), so the charge it binds per unit length is
    //   q(w) = w I + C₁ + O(1/w),   C₁ = −(J/v) ∫ du (∂n_+/∂B)(M(u)) sech u tanh u,
    // with x = w u and I = ∫ du [n_+(m(u)) − n_ref(u)] the local-density term (uniform textures).
    // ∂n_+/∂B is task streda's dn_dB_band (the wave-packet reading, in e/h = 1/2π). The upper band
    // alone: the lower band's sea ends at the continuum box's edge, and the shift a_y moves it
    // across (a w-independent −1.6e-3 per unit length of the box, not of the model). The u
    // integrals by the trapezoid rule on [−20, 20] with h = 0.25, the step's mean at u = 0 as the
    // task takes it (the Fermi function narrows the integrands' strip of analyticity to about 1.2
    // in u: h = 0.5 moved I by 6.5e-9, which the Richardson step multiplies by 60). Measured:
    // C(w) = q(w) − wI = 1.51371e-3, 1.45940e-3 at w = 20, 40, their Richardson limit 1.40509e-3
    // against C₁ = 1.40554e-3 (3.2e-4 relative, the mesh's), and C(w) − C₁ halves as w doubles
    // (2.008).
    const double J = 0.3;
    double I = 0.0, C1 = 0.0;
    const double n_left = dirac_upper_band(0, 0, 1), n_right = dirac_upper_band(0, 0, -1);
    for (int i = 0; i <= 160; ++i) {
        const double u = -20.0 + 0.25 * i, weight = (i == 0 || i == 160) ? 0.125 : 0.25;
        const double ref = i < 80 ? n_left : i > 80 ? n_right : 0.5 * (n_left + n_right);
        I += weight * (dirac_upper_band(0.0, 1.0 / std::cosh(u), -std::tanh(u)) - ref);
        const auto s = bzint::test::results(fmt::format("[model]\nname = 'dirac2d'\nv = 1.0\nm = {:.17g}\nkcut = 3.0\n[mesh]\n"
                                                        "n = [240, 240]\n[task]\nkind = 'streda'\nmu = 0.9\nT = 0.05\n",
                                                        0.5 - J * std::tanh(u)));
        const double dn_dB = s["dn_dB_band"][0][1].get<double>() / (2.0 * bzint::kPi);
        C1 += weight * dn_dB / std::cosh(u) * std::tanh(u);
    }
    C1 *= -J;
    auto C = [&](double w) {
        const auto r = bzint::test::results(std::string(kDirac) + "[texture]\nkind = 'domain_wall'\nexchange = 0.3\nwidth = " +
                                            std::to_string(w) + "\n" + kBloch + kDiracTask +
                                            "bound_charge = true\ncell_points = [256, 4]\n");
        return r["bound_charge_bands"][0][1].get<double>() - w * I;
    };
    const double c20 = C(20.0), c40 = C(40.0);
    EXPECT_NEAR(2.0 * c40 - c20, C1, 1e-3 * std::fabs(C1));
    EXPECT_NEAR((c20 - C1) / (c40 - C1), 2.0, 0.15);
    EXPECT_GT(std::fabs(C1), 1e-3);
}

TEST(DomainWallCharge, ANeelWallBindsOnlySecondOrderTermsInABand) {
    // qwz's Néel wall (m_y = 0) keeps H(k_x, −k_y) = H(k_x, k_y)* at every x, under which 𝓕 is odd
    // and the band energies even: the first-order terms vanish point by point, and what the
    // corrections bind comes from the second-order products inside the first-order expressions
    // (f(ε + δε) to δε², 𝒟 f′ δε), (1/w)² per point over a width w: it halves as w doubles
    // (measured 1.797e-3, 0.899e-3 at w = 10, 20: ratio 1.999). The uncorrected charge is the
    // local-density term alone, w I: the same per unit width at every w (measured 0.04089355 and
    // equal to 1e-11).
    auto run = [](double w) {
        return bzint::test::results("[model]\nname = 'qwz'\nu = -1.2\n[mesh]\nn = [128, 128]\n[texture]\nkind = 'domain_wall'\n"
                                    "exchange = 0.3\nwidth = " + std::to_string(w) +
                                    "\n[task]\nkind = 'texture_density'\nmu = 0.9\nT = 0.05\nbound_charge = true\n"
                                    "cell_points = [256, 4]\n");
    };
    const auto r10 = run(10.0), r20 = run(20.0);
    auto corrections = [](const nlohmann::json& r) {
        return r["bound_charge"][0].get<double>() - r["bound_charge_uncorrected"][0].get<double>();
    };
    EXPECT_NEAR(corrections(r10) / corrections(r20), 2.0, 0.05);
    EXPECT_GT(corrections(r20), 5e-4);
    EXPECT_NEAR(r10["bound_charge_uncorrected"][0].get<double>() / 10.0, r20["bound_charge_uncorrected"][0].get<double>() / 20.0,
                1e-10);
    EXPECT_GT(r20["bound_charge_uncorrected"][0].get<double>(), 0.5);
}
