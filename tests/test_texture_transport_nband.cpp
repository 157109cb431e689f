// Transport through a texture for N-band models (task texture_transport, include/bzint/
// texture_transport.hpp's N-band TransportBands): each band a one-band manifold of the
// non-adiabatic paper's Eqs. 57–68, with its Berry curvatures Ω_n^IJ (Eq. 44) from the Kubo sums
// of nband_phase_geometry.hpp. Checked against the two-band closed forms and, through the task,
// against the two copies of a decoupled pair.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "bzint/models/qwz.hpp"
#include "bzint/texture_transport.hpp"
#include "nband_test_models.hpp"
#include "test_util.hpp"
#include "texture_helpers.hpp"

using namespace bzint;

TEST(NBandTransport, TwoBandModelAsNEquals2IsTheClosedForms) {
    // qwz with a skyrmion lattice and a cosine potential (forces of their own, Eq. 66), once as
    // TexturedTwoBand (Ω_s = q_s 𝓕 in closed form) and once as an N = 2 TexturedNBand (Kubo sums
    // over its two states): per band, the energy, ṽ and ẋ of Eqs. 67–68 and both drives of Eqs. 64,
    // 65 in a field E, to 1e-12 (rounding of the two evaluations); neither flags the point.
    const double u = -1.2, E[3] = {0.037, -0.052, 0.0};
    TextureTerms terms{};
    terms.texture = test::skyrmion_lattice(12.0, 5.0, 1.0, 1.0, 0.4);
    terms.exchange = 0.6;
    terms.potential.shape = PotentialShape::cosine;
    terms.potential.amplitude = 0.15;
    terms.potential.period = 12.0;
    const TexturedTwoBand<models::Qwz> two{models::Qwz(&u), terms};
    const TexturedNBand<test::QwzAsNBand> nband{test::QwzAsNBand{models::Qwz(&u)}, terms};
    for (const auto& pt : std::vector<std::vector<double>>{{3.1, 4.7, 0.4, -0.9}, {8.2, 2.5, -2.2, 1.3}, {6.6, 9.9, 1.7, 2.8}}) {
        const double r[3] = {pt[0], pt[1], 0.0}, k[3] = {pt[2], pt[3], 0.0};
        double x[kPhaseCoords];
        two.canonical_point(r, 0.0, k, x);
        const TransportBands<2> a = transport_bands(two, x, E), b = transport_bands(nband, x, E);
        ASSERT_TRUE(a.finite && b.finite);
        for (int n = 0; n < 2; ++n) {
            EXPECT_FALSE(b.beyond[n] || b.degenerate[n]) << n;
            EXPECT_NEAR(b.band[n].energy, a.band[n].energy, 1e-12);
            for (int c = 0; c < 3; ++c) {
                EXPECT_NEAR(b.band[n].v_tilde[c], a.band[n].v_tilde[c], 1e-12) << n << " " << c;
                EXPECT_NEAR(b.band[n].x_dot[c], a.band[n].x_dot[c], 1e-12) << n << " " << c;
            }
            EXPECT_NEAR(b.band[n].drive_hybrid, a.band[n].drive_hybrid, 1e-12);
            EXPECT_NEAR(b.band[n].drive_single, a.band[n].drive_single, 1e-12);
            // Not vacuous: the texture's Berry terms move ẋ off ṽ.
            EXPECT_GT(std::hypot(a.band[n].x_dot[0] - a.band[n].v_tilde[0], a.band[n].x_dot[1] - a.band[n].v_tilde[1]), 1e-4);
        }
    }
}

TEST(NBandTransport, DecoupledPairIsItsTwoCopies) {
    // qwz_pair at g = 0 is diag(h_QWZ(u1), h_QWZ(u2)) with the texture's J m·σ on each copy's σ:
    // its four bands are the two copies' bands, each with the same Ω^IJ, v_b and F_b, so each of
    // the four currents is the sum of the textured qwz(u1) and qwz(u2) ones, at every position and
    // level, to 1e-10 relative (the copies' levels cross along curves of the zone, near which the
    // four-band eigensolver's rounding differs from the two-band closed forms'). A skyrmion lattice, a
    // field E and τ = 2, μ in the gap and in the bands.
    const std::string texture = "[texture]\nkind = 'skyrmion_lattice'\nexchange = 0.4\nperiod = 16.0\nradius = 7.0\n"
                                "helicity = 1.5707963267948966\n";
    const std::string task = "[mesh]\nn = [64, 64]\n[task]\nkind = 'texture_transport'\nmu = [-1.2, 0.0, 1.4]\nT = 0.1\ntau = 2.0\n"
                             "E = [0.02, -0.01]\nr = [[2, 8, 0], [6, 8, 0], [8, 3, 0]]\n";
    const auto pair = test::results("[model]\nname = 'qwz_pair'\nu1 = -1.0\nu2 = 1.3\ng = 0.0\n" + texture + task);
    const auto first = test::results("[model]\nname = 'qwz'\nu = -1.0\n" + texture + task);
    const auto second = test::results("[model]\nname = 'qwz'\nu = 1.3\n" + texture + task);
    double largest = 0.0;
    for (const char* key : {"current_hybridised", "relaxation_hybridised", "current_single_band", "relaxation_single_band"})
        for (int a = 0; a < 3; ++a)
            for (int j = 0; j < 3; ++j)
                for (int c = 0; c < 2; ++c) {
                    const double sum = first[key][a][j][c].get<double>() + second[key][a][j][c].get<double>();
                    EXPECT_NEAR(pair[key][a][j][c].get<double>(), sum, 1e-10 * std::max(1e-3, std::fabs(sum)))
                        << key << " " << a << " " << j << " " << c;
                    largest = std::max(largest, std::fabs(sum));
                }
    EXPECT_GT(largest, 1e-3);  // not vacuous
}

TEST(NBandTransport, EachBandsPartIsItsCopysBand) {
    // band = n keeps band n's terms alone (each band is its own manifold in Eqs. 57–68): the parts
    // sum to the whole, and for qwz_pair at g = 0 with its copies' bands apart in energy (u1 = 6:
    // |d| ≥ 3.6; u2 = 0.5: |d| ≤ 2.9, with J = 0.4) its bands 0, 1, 2, 3 are qwz(6)'s lower,
    // qwz(0.5)'s lower and upper, and qwz(6)'s upper band: every current of each to 1e-10 relative
    // (as above). A skyrmion lattice, E and τ = 2, μ in the copies' gaps and bands.
    const std::string texture = "[texture]\nkind = 'skyrmion_lattice'\nexchange = 0.4\nperiod = 16.0\nradius = 7.0\n"
                                "helicity = 1.5707963267948966\n";
    const std::string task = "[mesh]\nn = [48, 48]\n[task]\nkind = 'texture_transport'\nmu = [-3.0, 0.0, 1.5]\nT = 0.1\ntau = 2.0\n"
                             "E = [0.02, -0.01]\nr = [[2, 8, 0], [8, 3, 0]]\n";
    const std::string pair = "[model]\nname = 'qwz_pair'\nu1 = 6.0\nu2 = 0.5\ng = 0.0\n" + texture + task;
    auto band = [](const std::string& text, int n) { return test::results(text + "band = " + std::to_string(n) + "\n"); };
    const auto whole = test::results(pair);
    std::vector<nlohmann::json> parts;
    for (int n = 0; n < 4; ++n) parts.push_back(band(pair, n));
    const std::string far = "[model]\nname = 'qwz'\nu = 6.0\n" + texture + task, near = "[model]\nname = 'qwz'\nu = 0.5\n" + texture + task;
    const std::vector<nlohmann::json> copies{band(far, 0), band(near, 0), band(near, 1), band(far, 1)};
    const auto far_whole = test::results(far);
    double largest = 0.0;
    for (const char* key : {"current_hybridised", "relaxation_hybridised", "current_single_band", "relaxation_single_band"})
        for (int a = 0; a < 2; ++a)
            for (int j = 0; j < 3; ++j)
                for (int c = 0; c < 2; ++c) {
                    double sum = 0.0;
                    for (int n = 0; n < 4; ++n) {
                        const double part = parts[n][key][a][j][c].get<double>(), copy = copies[n][key][a][j][c].get<double>();
                        EXPECT_NEAR(part, copy, 1e-10 * std::max(1e-3, std::fabs(copy))) << key << " band " << n << " " << a << " " << j;
                        sum += part;
                        largest = std::max(largest, std::fabs(part));
                    }
                    const double total = whole[key][a][j][c].get<double>();
                    EXPECT_NEAR(sum, total, 1e-12 * std::max(1e-3, std::fabs(total))) << key << " " << a << " " << j << " " << c;
                    const double two = copies[0][key][a][j][c].get<double>() + copies[3][key][a][j][c].get<double>();
                    EXPECT_NEAR(two, far_whole[key][a][j][c].get<double>(), 1e-12 * std::max(1e-3, std::fabs(two))) << key;
                }
    EXPECT_GT(largest, 1e-3);  // not vacuous
    EXPECT_EQ(parts[2]["band"].get<int>(), 2);
    EXPECT_FALSE(whole.contains("band"));
}

TEST(NBandTransport, BandResolvedGivesEveryBandsPartInOneRun) {
    // band_resolved = true runs band = n's pass for every band: each <current>_bands[a][l][n] is
    // band n's run's current bit for bit (the same sums), the current itself their sum (the sum of
    // the passes' sums, so to rounding, 1e-12, against one pass over all bands), on qwz_pair with
    // its copies coupled (g = 0.25) and on the two-band qwz.
    const std::string texture = "[texture]\nkind = 'skyrmion_lattice'\nexchange = 0.4\nperiod = 16.0\nradius = 7.0\n";
    const std::string task = "[mesh]\nn = [32, 32]\n[task]\nkind = 'texture_transport'\nmu = [-1.0, 0.5]\nT = 0.1\ntau = 2.0\n"
                             "E = [0.02, -0.01]\nr = [[2, 8, 0], [8, 3, 0]]\n";
    for (const std::string model : {"[model]\nname = 'qwz_pair'\nu1 = -0.3\nu2 = 1.2\ng = 0.25\n", "[model]\nname = 'qwz'\nu = -1.2\n"}) {
        const int bands = model.find("qwz_pair") != std::string::npos ? 4 : 2;
        const auto run = test::run_toml(model + texture + task + "band_resolved = true\n", Backend::cpu);
        const auto& resolved = run["results"];
        const auto whole = test::results(model + texture + task);
        for (const char* key : {"current_hybridised", "relaxation_hybridised", "current_single_band", "relaxation_single_band"}) {
            const std::string parts = std::string(key) + "_bands";
            ASSERT_TRUE(resolved.contains(parts)) << key;
            for (int n = 0; n < bands; ++n) {
                const auto one = test::results(model + texture + task + "band = " + std::to_string(n) + "\n");
                for (int a = 0; a < 2; ++a)
                    for (int l = 0; l < 2; ++l) EXPECT_EQ(resolved[parts][a][l][n], one[key][a][l]) << key << " band " << n;
            }
            for (int a = 0; a < 2; ++a)
                for (int l = 0; l < 2; ++l)
                    for (int c = 0; c < 3; ++c) {
                        double sum = 0.0;
                        for (int n = 0; n < bands; ++n) sum += resolved[parts][a][l][n][c].get<double>();
                        const double total = whole[key][a][l][c].get<double>();
                        EXPECT_NEAR(resolved[key][a][l][c].get<double>(), total, 1e-12 * std::max(1e-3, std::fabs(total))) << key;
                        EXPECT_NEAR(sum, total, 1e-12 * std::max(1e-3, std::fabs(total))) << key;
                    }
            EXPECT_TRUE(run["errors"].contains(parts)) << key;
        }
    }
}

TEST(NBandTransport, UniformTextureGivesTheHallCurrent) {
    // Without gradients, ṽ_n = ẋ_n = v_n + E × Ω_n for every band, and over the zone Σ∫ f v = 0: the
    // equilibrium part of either current is E × Σ_n ∫ f Ω_n, the Hall current −J/e of task ahc for
    // N bands (j_x = −σ_xy E_y, j_y = σ_xy E_x, σ_xy in e²/h = 1/2π), on the same mesh: 1e-10
    // (ahc's finite-T energy bins round at ~1e-11). The coupled qwz_pair (u1 = −1, u2 = −1.3, both
    // copies C = +1; g = 0.2) without exchange, μ in the lower bands, the gap and the upper bands.
    const std::string model = "[model]\nname = 'qwz_pair'\nu1 = -1.0\nu2 = -1.3\ng = 0.2\n[mesh]\nn = [128, 128]\n";
    const auto got = test::results(model + "[texture]\nkind = 'uniform'\nexchange = 0.0\ndirection = [0, 0, 1]\n"
                                           "[task]\nkind = 'texture_transport'\nmu = [-1.5, 0.0, 1.5]\nT = 0.1\ntau = 3.0\n"
                                           "E = [0.02, -0.013]\n");
    const auto ahc = test::results(model + "[task]\nkind = 'ahc'\nmu = [-1.5, 0.0, 1.5]\nT = 0.1\n");
    const double E[2] = {0.02, -0.013};
    for (int j = 0; j < 3; ++j) {
        const double sigma = ahc["sigma_xy"][j].get<double>() / (2 * kPi);
        for (const char* part : {"hybridised", "single_band"}) {
            const auto& c = got[std::string("current_") + part][0][j];
            const auto& r = got[std::string("relaxation_") + part][0][j];
            EXPECT_NEAR(c[0].get<double>() - r[0].get<double>(), -sigma * E[1], 1e-10) << part << " " << j;
            EXPECT_NEAR(c[1].get<double>() - r[1].get<double>(), sigma * E[0], 1e-10) << part << " " << j;
        }
        EXPECT_GT(std::fabs(sigma), 1e-3) << j;  // not vacuous
    }
}

TEST(NBandTransport, DegenerateBandsAreNamed) {
    // qhz without exchange keeps time reversal and inversion: every level is a Kramers pair, where a
    // band's own Ω, v_b and F_b are not defined (only the pair's non-Abelian manifold is). The
    // task says so, naming the position; a uniform exchange field splits the pairs and the
    // warning goes.
    const std::string model = "[model]\nname = 'qhz'\nm = -1.5\n[mesh]\nn = [8, 8, 8]\n";
    const std::string task = "[task]\nkind = 'texture_transport'\nmu = 0.0\nT = 0.1\ntau = 1.0\nE = [0.01, 0.0, 0.0]\n";
    auto degenerate_warning = [](const nlohmann::json& doc) {
        bool named = false;
        if (doc.contains("warnings"))
            for (const auto& w : doc["warnings"])
                named = named || w.get<std::string>().find("two bands are degenerate on 100 % of the k-mesh") != std::string::npos;
        return named;
    };
    EXPECT_TRUE(degenerate_warning(test::run_toml(model + "[texture]\nkind = 'uniform'\nexchange = 0.0\ndirection = [0, 0, 1]\n" + task)));
    EXPECT_FALSE(degenerate_warning(test::run_toml(model + "[texture]\nkind = 'uniform'\nexchange = 0.3\ndirection = [0, 0, 1]\n" + task)));
}
