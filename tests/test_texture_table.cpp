// Textures from a table ([texture] kind = "table", docs/textures.md "Textures from a table"): the
// periodic spline's coefficients, its convergence to a built-in texture sampled on finer grids,
// and the tasks on a table against the same tasks on the texture it samples.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "bzint/texture.hpp"
#include "test_util.hpp"
#include "texture_helpers.hpp"
#include "texture_table.hpp"

namespace {

using bzint::SpinTexture;
using bzint::TextureKind;

// The built-in skyrmion lattice of examples/texture/skyrmion_flux.toml (L = 10, R = 5, Néel).
SpinTexture flux_example_lattice() { return bzint::test::skyrmion_lattice(10.0, 5.0); }

// Writes `texture` sampled on an n × n grid of the cell [0, L)² (rows x y mx my mz) to `path`;
// with far_edge, also the rows at x = L and y = L that repeat the near edge.
void write_table(const std::string& path, const SpinTexture& texture, int n, double L, bool far_edge = false) {
    std::ofstream out(path);
    out << "# x y mx my mz\n";
    const int last = far_edge ? n : n - 1;
    for (int j = 0; j <= last; ++j)
        for (int i = 0; i <= last; ++i) {
            const double r[3] = {i * L / n, j * L / n, 0.0};
            double m[3], dm[3][3];
            texture(r, m, dm);
            out << fmt::format("{:.17g} {:.17g} {:.17g}, {:.17g}, {:.17g}\n", r[0], r[1], m[0], m[1], m[2]);
        }
}

SpinTexture table_texture(const bzint::TextureTable& table) {
    SpinTexture t;
    t.kind = TextureKind::table;
    t.table = table.spline;
    return t;
}

// The largest deviation of m and of its gradient from the built-in texture's at 400 random points.
std::pair<double, double> deviation(const SpinTexture& table, const SpinTexture& exact) {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(-3.0, 13.0);  // beyond the cell: the table repeats
    double dm_max = 0.0, dgrad_max = 0.0;
    for (int p = 0; p < 400; ++p) {
        const double r[3] = {u(rng), u(rng), 0.0};
        double m[3], dm[3][3], me[3], dme[3][3];
        table(r, m, dm);
        exact(r, me, dme);
        for (int i = 0; i < 3; ++i) {
            dm_max = std::max(dm_max, std::abs(m[i] - me[i]));
            for (int a = 0; a < 2; ++a) dgrad_max = std::max(dgrad_max, std::abs(dm[a][i] - dme[a][i]));
        }
    }
    return {dm_max, dgrad_max};
}

std::string flux_run(const std::string& texture, const std::string& k) {
    return "[model]\nname = 'dirac2d'\nv = 1.0\nm = 0.5\n" + texture +
           "exchange = 1.0\n[task]\nkind = 'phase_space_chern'\nplane = ['x', 'y']\nn = [192, 192]\nk = " + k + "\n";
}

}  // namespace

TEST(TextureTable, SplineCoefficientsInterpolatePeriodically) {
    // (c_{i−1} + 4c_i + c_{i+1})/6 = d_i around the period, for every n from 1 on (n = 1, 2: the
    // neighbours are the point itself or the other one), to rounding.
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    for (long long n : {1, 2, 3, 4, 7, 33, 256}) {
        std::vector<double> d(static_cast<std::size_t>(2 * n)), c;
        for (auto& v : d) v = u(rng);
        c = d;
        bzint::periodic_spline_coefficients(c.data(), n, 2);  // every other value: the stride
        for (long long i = 0; i < n; ++i) {
            const double back = (c[2 * ((i + n - 1) % n)] + 4.0 * c[2 * i] + c[2 * ((i + 1) % n)]) / 6.0;
            EXPECT_NEAR(back, d[2 * i], 1e-14) << n << " " << i;
            EXPECT_EQ(c[2 * i + 1], d[2 * i + 1]);  // the values between are not touched
        }
    }
}

TEST(TextureTable, ConvergesToTheTextureItSamples) {
    // The C∞ skyrmion lattice sampled on 32², 64² and 128² grids: the cubic spline's error falls as
    // h⁴ in m and h³ in its gradient (de Boor, A Practical Guide to Splines, ch. V), once h
    // resolves the profile. Measured: m 6.5e-4, 2.1e-5, 8.7e-7 (ratios 31, 24), gradient 5.7e-3,
    // 4.2e-4, 4.5e-5 (ratios 14, 9), still above the asymptotic 16 and 8.
    const bzint::test::TempDir dir;
    const SpinTexture exact = flux_example_lattice();
    std::vector<std::pair<double, double>> err;
    for (int n : {32, 64, 128}) {
        write_table(dir / "m.dat", exact, n, 10.0);
        const auto table = bzint::read_texture_table(dir / "m.dat", {10.0, 10.0}, "test");
        EXPECT_EQ(table->spline.n[0], n);
        EXPECT_NEAR(table->spline.spacing[1], 10.0 / n, 1e-15);
        err.push_back(deviation(table_texture(*table), exact));
    }
    EXPECT_LT(err[2].first, 1e-5);
    EXPECT_LT(err[2].second, 1e-3);
    for (int i = 1; i < 3; ++i) {
        EXPECT_GT(err[i - 1].first / err[i].first, 12.0) << i;
        EXPECT_GT(err[i - 1].second / err[i].second, 6.0) << i;
    }
}

TEST(TextureTable, ARepeatedFarEdgeIsTheSameTable) {
    // Rows at x = L and y = L that repeat those at 0 (a table written with both ends) give the
    // same grid and the same coefficients.
    const bzint::test::TempDir dir;
    write_table(dir / "open.dat", flux_example_lattice(), 16, 10.0);
    write_table(dir / "closed.dat", flux_example_lattice(), 16, 10.0, true);
    const auto open = bzint::read_texture_table(dir / "open.dat", {10.0, 10.0}, "test");
    const auto closed = bzint::read_texture_table(dir / "closed.dat", {10.0, 10.0}, "test");
    EXPECT_EQ(closed->spline.n[0], 16);
    EXPECT_EQ(closed->rows, 17 * 17);
    EXPECT_EQ(open->coefficients, closed->coefficients);
    EXPECT_EQ(closed->spline.n[1], 16);
    // The far edge along x only (rows at x = L, none at y = L): the same table again.
    {
        std::ofstream out(dir / "x_edge.dat");
        for (int j = 0; j < 16; ++j)
            for (int i = 0; i <= 16; ++i) {
                const double r[3] = {i * 10.0 / 16, j * 10.0 / 16, 0.0};
                double m[3], dm[3][3];
                flux_example_lattice()(r, m, dm);
                out << fmt::format("{:.17g} {:.17g} {:.17g} {:.17g} {:.17g}\n", r[0], r[1], m[0], m[1], m[2]);
            }
    }
    const auto x_edge = bzint::read_texture_table(dir / "x_edge.dat", {10.0, 10.0}, "test");
    EXPECT_EQ(x_edge->rows, 17 * 16);
    EXPECT_EQ(x_edge->coefficients, open->coefficients);
}

TEST(TextureTable, RepeatsFarFromTheCellAndRefusesNoPosition) {
    // m(r + (a L, b L)) = m(r) for cells far away on either side (fmod of the position in spacings:
    // the difference is the position's own rounding, |r| × 1e-16 over the spacing 0.625), and a
    // non-finite position gives a non-finite m (the non-finite error), never an index.
    const bzint::test::TempDir dir;
    write_table(dir / "m.dat", flux_example_lattice(), 16, 10.0);
    const auto table = bzint::read_texture_table(dir / "m.dat", {10.0, 10.0}, "test");
    const SpinTexture t = table_texture(*table);
    for (double shift : {-1e7, -30.0, 1e3, 1e9}) {
        const double r[3] = {3.3, 7.1, 0.0}, far[3] = {3.3 + shift, 7.1 - shift, 0.0};
        double m[3], dm[3][3], mf[3], dmf[3][3];
        t(r, m, dm);
        t(far, mf, dmf);
        for (int i = 0; i < 3; ++i) EXPECT_NEAR(mf[i], m[i], 1e-15 * (1.0 + std::abs(shift))) << shift << " " << i;
    }
    const double bad[3] = {std::nan(""), 1.0, 0.0};
    double m[3], dm[3][3];
    t(bad, m, dm);
    EXPECT_TRUE(std::isnan(m[0]) && std::isnan(m[2]));
}

TEST(TextureTable, RealSpaceFluxIsTopological) {
    // The invariant on a table: the skyrmion lattice (Q = −1 per cell) sampled on a 24² grid
    // and coupled with J = 1 to dirac2d (m = 0.5): at k = (0.3, −0.2), |d0| = 0.62 < J, the lower
    // band's Berry flux through the cell is 2πQ; at k = (1.1, 0.4), |d0| > J, it is 0 — exactly by
    // the link method, to 1e-6 by the integral on 192² points. The interpolant is C², so the
    // integral converges as h⁴ (measured deviations 2.8e-6, 1.8e-7, 1.1e-8 on 96², 192², 384²),
    // not faster than any power as for the built-in texture; the reported error is that deviation.
    const bzint::test::TempDir dir;
    write_table(dir / "m.dat", flux_example_lattice(), 24, 10.0);
    const std::string texture = "[texture]\nkind = 'table'\nfile = '" + (dir / "m.dat") + "'\nperiod = 10.0\n";
    const auto doc = bzint::test::run_toml(flux_run(texture, "[0.3, -0.2]"));
    const auto& inside = doc["results"];
    EXPECT_NEAR(inside["chern_fhs"][0].get<double>(), -1.0, 1e-12);
    EXPECT_NEAR(inside["chern"][0].get<double>(), -1.0, 1e-6);
    const double deviation = std::abs(inside["chern"][0].get<double>() + 1.0);
    EXPECT_GE(doc["errors"]["chern"][0].get<double>(), 0.5 * deviation);
    EXPECT_LE(doc["errors"]["chern"][0].get<double>(), 2.0 * deviation);
    const auto outside = bzint::test::results(flux_run(texture, "[1.1, 0.4]"));
    EXPECT_NEAR(outside["chern_fhs"][0].get<double>(), 0.0, 1e-12);
    EXPECT_NEAR(outside["chern"][0].get<double>(), 0.0, 1e-6);
}

TEST(TextureTable, DensityApproachesTheBuiltInTexture) {
    // texture_density (Eqs. 23, 28) for qwz with the skyrmion lattice from its 64² table against the
    // built-in: the densities differ by what the table's m and gradient lose (2e-5 and 4e-4 above),
    // times the density's sensitivity to them (≤ ~0.1): below 1e-4, against corrections of ~1e-2.
    const bzint::test::TempDir dir;
    write_table(dir / "m.dat", flux_example_lattice(), 64, 10.0);
    const std::string task = "[task]\nkind = 'texture_density'\nmu = [0.0, 1.0]\nT = 0.05\n"
                             "r = [[2.5, 5.0, 0], [3.7, 4.1, 0], [5.0, 5.0, 0]]\n";
    const std::string model = "[model]\nname = 'qwz'\nu = -1.2\n[mesh]\nn = [48, 48]\n";
    const auto table = bzint::test::results(model + "[texture]\nkind = 'table'\nfile = '" + (dir / "m.dat") +
                                            "'\nperiod = [10.0, 10.0]\nexchange = 0.3\n" + task);
    const auto built_in = bzint::test::results(model + "[texture]\nkind = 'skyrmion_lattice'\nperiod = 10.0\nradius = 5.0\n"
                                               "exchange = 0.3\n" + task);
    for (std::size_t a = 0; a < 3; ++a)
        for (std::size_t j = 0; j < 2; ++j) {
            const double t = table["density"][a][j].get<double>(), b = built_in["density"][a][j].get<double>();
            EXPECT_NEAR(t, b, 1e-4) << a << " " << j;
        }
    // On the device a table runs too (its own kernels): tests/test_device_paths.cpp.
}

TEST(TextureTable, AConstantTableIsTheUniformTexture) {
    // A 1 × 1 table (m the same everywhere) is the uniform texture: the spline of a constant is the
    // constant, so texture_density agrees to rounding.
    const bzint::test::TempDir dir;
    {
        std::ofstream out(dir / "m.dat");
        out << "0 0 0.6 0 0.8\n";
    }
    const std::string model = "[model]\nname = 'qwz'\nu = -1.2\n[mesh]\nn = [32, 32]\n";
    const std::string task = "[task]\nkind = 'texture_density'\nmu = [0.0, 1.0]\nT = 0.05\nr = [[0.3, 0.7, 0]]\n";
    const auto table = bzint::test::results(model + "[texture]\nkind = 'table'\nfile = '" + (dir / "m.dat") +
                                            "'\nperiod = 1.0\nexchange = 0.3\n" + task);
    const auto uniform =
        bzint::test::results(model + "[texture]\nkind = 'uniform'\ndirection = [0.6, 0, 0.8]\nexchange = 0.3\n" + task);
    for (std::size_t j = 0; j < 2; ++j)
        EXPECT_NEAR(table["density"][0][j].get<double>(), uniform["density"][0][j].get<double>(), 1e-14) << j;
}

// Potentials from a table ([texture] potential = "table"): the same periodic spline with one
// component, U(r) in energy units.
namespace {

// U = 0.2 cos(2πx/L) + 0.1 sin(4πy/L) on the cell [0, L)², L = 10, and its gradient.
void two_cosines(double x, double y, double& u, double du[2]) {
    const double q = 2 * bzint::kPi / 10.0;
    u = 0.2 * std::cos(q * x) + 0.1 * std::sin(2 * q * y);
    du[0] = -0.2 * q * std::sin(q * x);
    du[1] = 0.2 * q * std::cos(2 * q * y);
}

// Writes U on an n0 × n1 grid of the cell [0, L0) × [0, L1) (rows x y U) to `path`.
template <class F>
void write_potential(const std::string& path, F u, int n0, int n1, double L0, double L1) {
    std::ofstream out(path);
    out << "# x y U\n";
    for (int j = 0; j < n1; ++j)
        for (int i = 0; i < n0; ++i) out << fmt::format("{:.17g} {:.17g} {:.17g}\n", i * L0 / n0, j * L1 / n1, u(i * L0 / n0, j * L1 / n1));
}

bzint::ScalarPotential table_potential(const bzint::PotentialTable& table) {
    bzint::ScalarPotential p;
    p.shape = bzint::PotentialShape::table;
    p.table = table.spline;
    return p;
}

}  // namespace

TEST(PotentialTable, ConvergesToThePotentialItSamples) {
    // Two Fourier modes sampled on 16², 32² and 64² grids: on the grid the spline is the table (to
    // rounding), and between it the cubic spline's error falls as h⁴ in U and h³ in ∇U (Hall and
    // Meyer, J. Approx. Theory 16, 105 (1976): ‖U − s‖ ≤ (5/384) h⁴ ‖U⁗‖ and ‖U' − s'‖ ≤ (1/24)
    // h³ ‖U⁗‖), so the ratios per halving tend to 16 and 8: checked above 14 and 7. U and ∇U at 400
    // random points, inside and beyond the cell. Measured: U 1.2e-4, 7.1e-6, 4.3e-7 (ratios 16.7,
    // 16.3), ∇U 5.1e-4, 6.2e-5, 7.7e-6 (8.3, 8.1).
    const bzint::test::TempDir dir;
    std::vector<std::pair<double, double>> err;
    for (int n : {16, 32, 64}) {
        write_potential(dir / "u.dat", [](double x, double y) { double u, du[2]; two_cosines(x, y, u, du); return u; }, n, n, 10.0, 10.0);
        const auto table = bzint::read_potential_table(dir / "u.dat", {10.0, 10.0}, "test");
        const bzint::ScalarPotential p = table_potential(*table);
        for (int i = 0; i < n; i += 5) {
            const double r[3] = {i * 10.0 / n, (n - 1 - i) * 10.0 / n, 0.0};
            double u, du[3], ue, due[2];
            p(r, u, du);
            two_cosines(r[0], r[1], ue, due);
            EXPECT_NEAR(u, ue, 1e-15) << n << " " << i;
        }
        std::mt19937_64 rng(11);
        std::uniform_real_distribution<double> at(-3.0, 13.0);
        double du_max = 0.0, dgrad_max = 0.0;
        for (int k = 0; k < 400; ++k) {
            const double r[3] = {at(rng), at(rng), 0.0};
            double u, du[3], ue, due[2];
            p(r, u, du);
            two_cosines(r[0], r[1], ue, due);
            du_max = std::max(du_max, std::abs(u - ue));
            dgrad_max = std::max({dgrad_max, std::abs(du[0] - due[0]), std::abs(du[1] - due[1])});
            EXPECT_EQ(du[2], 0.0);
        }
        err.push_back({du_max, dgrad_max});
    }
    EXPECT_LT(err[2].first, 1e-6);
    for (int i = 1; i < 3; ++i) {
        EXPECT_GT(err[i - 1].first / err[i].first, 14.0) << i;
        EXPECT_GT(err[i - 1].second / err[i].second, 7.0) << i;
    }
}

TEST(PotentialTable, DensityIsTheCosinePotentialsOnTheGrid) {
    // texture_density (qwz, μ = −1.5, T = 0.1) with U = 0.2 cos(2πx/40) from a 16 × 1 table against
    // the built-in cosine: with no exchange 𝓕 = 0 and n(r) = n(μ − U(r)) (test_texture_potential),
    // so on the grid (x = 0, 5, 10, 20: multiples of the spacing 2.5), where the spline is the
    // table, the two agree to rounding (1e-13); at x = 3.7 they differ by the interpolation error
    // of U, at most (5/384) h⁴ q⁴ A = 6.2e-5 (Hall and Meyer's bound, above), times |dn/dμ| < 0.5:
    // below 3.1e-5 (measured: 4.6e-6; 1.1e-16 on the grid).
    const bzint::test::TempDir dir;
    write_potential(dir / "u.dat", [](double x, double) { return 0.2 * std::cos(2 * bzint::kPi * x / 40.0); }, 16, 1, 40.0, 1.0);
    const std::string model = "[model]\nname = 'qwz'\nu = -1.2\n[mesh]\nn = [48, 48]\n"
                              "[texture]\nkind = 'uniform'\nexchange = 0.0\ndirection = [0, 0, 1]\n";
    const std::string task = "[task]\nkind = 'texture_density'\nmu = -1.5\nT = 0.1\n"
                             "r = [[0, 0, 0], [5, 3, 0], [10, -2, 0], [20, 0, 0], [3.7, 0.4, 0]]\n";
    const std::string from_table = model + "potential = 'table'\npotential_file = '" + (dir / "u.dat") +
                                   "'\npotential_period = [40.0, 1.0]\n" + task;
    const auto table = bzint::test::results(from_table);
    const auto cosine =
        bzint::test::results(model + "potential = 'cosine'\npotential_amplitude = 0.2\npotential_period = 40.0\n" + task);
    for (std::size_t a = 0; a < 5; ++a)
        EXPECT_NEAR(table["density"][a][0].get<double>(), cosine["density"][a][0].get<double>(), a < 4 ? 1e-13 : 3.1e-5) << a;
    EXPECT_GT(std::fabs(table["density"][0][0].get<double>() - table["density"][3][0].get<double>()), 0.01);
    // The table is part of the run's input (its fingerprint: a changed table resumes nothing).
    EXPECT_TRUE(bzint::test::run_toml(from_table, bzint::Backend::cpu)["input"]["files_read"].contains(dir / "u.dat"));
}

TEST(PotentialTable, LatticeReferenceTakesTheTable) {
    // The exact lattice reference (texture_lattice, dense) puts U(r_c) on each cell's orbitals: with
    // a table of U = 0.2 cos(2πx/8) on the 8 cells of a box of 8 × 1 (spacing 1, the lattice's),
    // every cell sees the table's value, so the densities are the built-in cosine's to rounding
    // (1e-12; the spectrum's bound, `amplitude` = max |c| ≥ 0.2, only sets the moments of kpm).
    const bzint::test::TempDir dir;
    write_potential(dir / "u.dat", [](double x, double) { return 0.2 * std::cos(2 * bzint::kPi * x / 8.0); }, 8, 1, 8.0, 1.0);
    const std::string model = "[model]\nname = 'qwz'\nu = -1.2\n[texture]\nkind = 'uniform'\nexchange = 0.0\ndirection = [0, 0, 1]\n";
    const std::string task = "[task]\nkind = 'texture_lattice'\nbox = [8, 1]\ntwists = [2, 16]\nmethod = 'dense'\nmu = -1.5\nT = 0.2\n"
                             "r = [[0, 0, 0], [2, 0, 0], [3, 0, 0], [4, 0, 0]]\n";
    const auto table = bzint::test::results(model + "potential = 'table'\npotential_file = '" + (dir / "u.dat") +
                                            "'\npotential_period = [8.0, 1.0]\n" + task);
    const auto cosine = bzint::test::results(model + "potential = 'cosine'\npotential_amplitude = 0.2\npotential_period = 8.0\n" + task);
    for (std::size_t a = 0; a < 4; ++a)
        EXPECT_NEAR(table["density"][a][0].get<double>(), cosine["density"][a][0].get<double>(), 1e-12) << a;
    EXPECT_GT(std::fabs(table["density"][0][0].get<double>() - table["density"][3][0].get<double>()), 0.01);
}
