// Wannier models: a built-in lattice model (two-band or N-band) exported as hr.dat / tb.dat
// (`bzint export-hr`) and read back as [model] name = "wannier" reproduces the built-in bands,
// Berry curvature, orbital moment and AHC to 1e-12 (haldane through its tb.dat with orbital positions: its H(k) carries
// the position phases). The real bcc Fe file runs (when ../shared/data is present).
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "input_error.hpp"
#include "test_util.hpp"
#include "wannier/wannier_fft.hpp"
#include "wannier/export_model.hpp"
#include "wannier/wannier_model.hpp"

using namespace bzint;
using bzint::test::results;

namespace {

constexpr double kSiemensPerCm = 3874.045865;  // e²/(h Å) in S/cm

struct Exported {
    std::string model_toml;    // the built-in [model] table
    std::string wannier_toml;  // the same as a wannier [model] table
    int dim;
};

Exported export_to_files(const std::string& name, const std::string& params, bool positions) {
    const auto rf = RunFile::parse(fmt::format("[model]\nname='{}'\n{}\n[task]\nkind='bands'\n", name, params), "m.toml");
    const RunConfig cfg = read_model_section(rf);
    const TbModel tb = export_model(*cfg.model, cfg.params);
    static const test::TempDir tmp;  // lives until the test program ends
    const std::filesystem::path dir = tmp.path();
    const auto hr = dir / (name + "_hr.dat"), tbp = dir / (name + "_tb.dat");
    {
        std::ofstream f(hr);
        write_hr(tb, f, "test");
        std::ofstream g(tbp);
        write_tb(tb, g, "test");
    }
    std::string lattice = "[";
    for (int i = 0; i < 3; ++i)
        lattice += fmt::format("[{:.17g}, {:.17g}, {:.17g}]{}", tb.lattice[i][0], tb.lattice[i][1], tb.lattice[i][2], i < 2 ? ", " : "]");
    const std::string w = positions ? fmt::format("name='wannier'\ntb='{}'\norbital_positions=true", tbp.string())
                                    : fmt::format("name='wannier'\nhr='{}'\nlattice={}", hr.string(), lattice);
    return {fmt::format("name='{}'\n{}", name, params), w, cfg.model->dim};
}

void expect_same_geometry(const Exported& e) {
    const std::string pts = e.dim == 2 ? "[[0.1,0.2],[0.37,0.81],[0.5,0.05],[0.9,0.66]]"
                                       : "[[0.1,0.2,0.3],[0.37,0.81,0.05],[0.5,0.05,0.7]]";
    const std::string pts3 = "[[0.1,0.2,0],[0.37,0.81,0],[0.5,0.05,0],[0.9,0.66,0]]";
    const auto a = results(fmt::format("[model]\n{}\n[task]\nkind='berry'\npoints={}\n", e.model_toml, pts));
    const auto b = results(fmt::format("[model]\n{}\n[task]\nkind='berry'\npoints={}\n", e.wannier_toml, e.dim == 2 ? pts3 : pts));
    for (std::size_t i = 0; i < a["energies"].size(); ++i)
        for (std::size_t n = 0; n < a["energies"][i].size(); ++n) {
            EXPECT_NEAR(a["energies"][i][n].get<double>(), b["energies"][i][n].get<double>(), 1e-12) << i;
            for (int c = 0; c < 3; ++c) {
                const double w = a["omega"][i][n][c].get<double>(), m = a["orbital_moment"][i][n][c].get<double>();
                EXPECT_NEAR(w, b["omega"][i][n][c].get<double>(), 1e-12 * (1 + std::fabs(w))) << i << " " << n << " " << c;
                EXPECT_NEAR(m, b["orbital_moment"][i][n][c].get<double>(), 1e-12 * (1 + std::fabs(m))) << i;
            }
        }
}

void expect_same_ahc(const Exported& e, const std::string& mu) {
    const std::string mesh2 = e.dim == 2 ? "[48,48]" : "[24,24,24]", mesh3 = e.dim == 2 ? "[48,48,1]" : "[24,24,24]";
    const auto a = results(fmt::format("[model]\n{}\n[mesh]\nn={}\n[task]\nkind='ahc'\nmu={}\nT=0.05\n", e.model_toml, mesh2, mu));
    const auto b = results(fmt::format("[model]\n{}\n[mesh]\nn={}\n[task]\nkind='ahc'\nmu={}\nT=0.05\n", e.wannier_toml, mesh3, mu));
    for (std::size_t j = 0; j < a["mu"].size(); ++j) {
        // A 2D model's σ_xy (e²/h) is the 3D σ_xy times the unit height of the exported cell.
        const double want = e.dim == 2 ? a["sigma_xy"][j].get<double>() : a["sigma"][j][2].get<double>();
        EXPECT_NEAR(b["sigma"][j][2].get<double>() / kSiemensPerCm, want, 1e-12 * (1 + std::fabs(want))) << j;
    }
}

// Calls visit(table, i, k) for every point i of every chunk of `fft`, k its mesh k-point (the
// chunk layout of wannier_fft.hpp); returns the number of points visited.
template <class Visit>
long long for_each_tabulated_point(WannierFft& fft, const Mesh& mesh, Visit&& visit) {
    long long seen = 0;
    for (long long c = 0; c < fft.chunks(); ++c) {
        const cplx* t = fft.transform(c);
        int s[3];
        fft.shift_of(c, s);
        for (long long i = 0; i < fft.chunk_points(); ++i, ++seen) {
            const long long n2 = i % fft.fft_size(2), n1 = (i / fft.fft_size(2)) % fft.fft_size(1),
                            n0 = i / (fft.fft_size(2) * fft.fft_size(1));
            const long long g = ((n0 * fft.divisions(0) + s[0]) * mesh.n[1] + n1 * fft.divisions(1) + s[1]) * mesh.n[2] +
                                n2 * fft.divisions(2) + s[2];
            double k[3];
            mesh.k_of(g, k);
            visit(t, i, k);
        }
    }
    return seen;
}

}  // namespace

TEST(WannierModels, ExportedQwzReproducesTheBuiltIn) {
    const auto e = export_to_files("qwz", "u=-1.2", false);
    expect_same_geometry(e);
    expect_same_ahc(e, "[-1.0,0.0,0.7]");
}

TEST(WannierModels, ExportedNBandModelReproducesTheBuiltIn) {
    // qwz_pair: two QWZ copies coupled by g, four bands with no degeneracy at these points, so each
    // band's curvature and moment are gauge invariant.
    const auto e = export_to_files("qwz_pair", "u1=-1.0\nu2=1.2\ng=0.2", false);
    expect_same_geometry(e);
    expect_same_ahc(e, "[-1.0,0.0,0.7]");
}

TEST(WannierModels, ExportedWeylLatticeReproducesTheBuiltIn) {
    const auto e = export_to_files("weyl_lattice", "b0=0.3", false);
    expect_same_geometry(e);
    expect_same_ahc(e, "[-0.5,0.1,0.6]");
}

TEST(WannierModels, ExportedHaldaneReproducesTheBuiltInWithOrbitalPositions) {
    const auto e = export_to_files("haldane", "t2=0.15\nphi=1.0\nM=0.2", true);
    expect_same_geometry(e);
    expect_same_ahc(e, "[-1.5,0.0,1.2]");
    // Without the positions (hr.dat) the bands and the gap's Chern value agree, the curvature
    // per k does not: it is the periodic-gauge (orbital-position-free) curvature.
    const auto p = export_to_files("haldane", "t2=0.15\nphi=1.0\nM=0.2", false);
    const auto a = results(fmt::format("[model]\n{}\n[mesh]\nn=[48,48]\n[task]\nkind='ahc'\nmu=0.0\nT=0.01\n", p.model_toml));
    const auto b = results(fmt::format("[model]\n{}\n[mesh]\nn=[48,48,1]\n[task]\nkind='ahc'\nmu=0.0\nT=0.01\n", p.wannier_toml));
    EXPECT_NEAR(b["sigma"][0][2].get<double>() / kSiemensPerCm, a["sigma_xy"][0].get<double>(), 1e-9);
}

// The largest distance `dist(x − h)` between the tabulated (x) and the directly summed (h) H and
// ∂H of a point over its W orbitals.
template <int N, class Dist>
double largest_difference(const NBandPoint<N>& x, const NBandPoint<N>& h, int W, Dist dist) {
    double worst = 0.0;
    for (int m = 0; m < W; ++m)
        for (int n = 0; n < W; ++n) {
            worst = std::max(worst, dist(x.H[m][n] - h.H[m][n]));
            for (int a = 0; a < 3; ++a) worst = std::max(worst, dist(x.dH[a][m][n] - h.dH[a][m][n]));
        }
    return worst;
}

TEST(WannierModels, FftInterpolationEqualsTheDirectSum) {
    // ahc of the exported Weyl lattice and Haldane (with orbital positions): interpolation = "fft"
    // against interpolation = "direct", the per-k Fourier sum (wannier_fft.hpp).
    for (const auto& e : {export_to_files("weyl_lattice", "b0=0.3", false), export_to_files("haldane", "t2=0.15\nphi=1.0\nM=0.2", true)}) {
        const std::string mesh = e.dim == 2 ? "[40,36,1]" : "[20,18,15]";
        const std::string task = fmt::format("[mesh]\nn={}\n[task]\nkind='ahc'\nmu=[-0.5,0.0,0.4]\nT=0.05\n", mesh);
        const auto a = results(fmt::format("[model]\n{}\ninterpolation='fft'\n{}", e.wannier_toml, task));
        const auto b = results(fmt::format("[model]\n{}\ninterpolation='direct'\n{}", e.wannier_toml, task));
        for (std::size_t j = 0; j < 3; ++j)
            for (int c = 0; c < 3; ++c) {
                const double x = b["sigma"][j][c].get<double>();
                EXPECT_NEAR(a["sigma"][j][c].get<double>(), x, 1e-11 * (1 + std::fabs(x))) << j << " " << c;
            }
    }
}

TEST(WannierModels, FftChunksTabulateHAndItsDerivatives) {
    // A budget that forces several chunks (FFT grids of divisors of the mesh): every point of
    // every chunk carries H and ∂H of the direct sum at its mesh k to 1e-12.
    const auto e = export_to_files("weyl_lattice", "b0=0.3", false);
    const auto rf = RunFile::parse(fmt::format("[model]\n{}\n[mesh]\nn=[12,10,9]\n[task]\nkind='ahc'\nmu=0.0\n", e.wannier_toml), "w.toml");
    const RunConfig cfg = read_common(rf);
    const LoadedWannier& w = wannier_of(cfg.params);
    const Mesh mesh = make_mesh(*cfg.model, cfg.params, {12, 10, 9});
    WannierFft fft(w, mesh, sizeof(cplx) * 12 * 68);  // at most 60 points per chunk (W = 2: 12 tables)
    EXPECT_GT(fft.chunks(), 1);
    EXPECT_LE(fft.chunk_points(), 60);
    const models::Wannier<2> direct{w.view()};
    const long long seen = for_each_tabulated_point(fft, mesh, [&](const cplx* t, long long i, const double k[3]) {
        NBandPoint<2> h, x;
        direct(k, h);
        read_tabulated<2>(t, fft.stride(), 2, i, x);
        EXPECT_LE(largest_difference(x, h, 2, [](cplx d) { return std::max(std::fabs(d.re), std::fabs(d.im)); }), 1e-12) << i;
    });
    EXPECT_EQ(seen, mesh.count());
}

TEST(WannierModels, FftPairTablesOfManyOrbitalsEqualTheDirectSum) {
    // The pair tables (m ≤ n, the rest by conjugation) for W = 5 orbitals — pairs off the
    // diagonal in every row, an odd count — of a random Hermitian model with complex hoppings on
    // 7 R vectors of a triclinic lattice, split into chunks: H and ∂H at every mesh point equal the
    // direct sum to 1e-12.
    TbModel tb;
    tb.source = "random";
    tb.num_wann = 5;
    tb.R = {{0, 0, 0}, {1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {1, 1, -1}, {-1, -1, 1}};
    tb.ndegen = {1, 1, 1, 2, 2, 1, 1};
    tb.H.assign(tb.R.size() * 25, {0.0, 0.0});
    std::mt19937 g(21);
    std::normal_distribution<double> u(0.0, 1.0);
    for (std::size_t r = 0; r < tb.R.size(); r += (r == 0 ? 1 : 2)) {  // each R, then −R = R†
        for (int m = 0; m < 5; ++m)
            for (int n = 0; n < 5; ++n) tb.H[(r * 5 + m) * 5 + n] = {u(g), u(g)};
        if (r == 0) {
            for (int m = 0; m < 5; ++m)
                for (int n = 0; n < m; ++n) tb.H[m * 5 + n] = std::conj(tb.H[n * 5 + m]);
            for (int m = 0; m < 5; ++m) tb.H[m * 6] = tb.H[m * 6].real();
            continue;
        }
        for (int m = 0; m < 5; ++m)
            for (int n = 0; n < 5; ++n) tb.H[((r + 1) * 5 + n) * 5 + m] = std::conj(tb.H[(r * 5 + m) * 5 + n]);
    }
    const double lattice[3][3] = {{2.0, 0.1, 0.0}, {0.3, 1.7, 0.2}, {0.1, -0.2, 2.2}};
    ModelParams mp;
    const auto info = register_wannier(make_wannier(tb, lattice, PositionTerms::none), mp);
    const LoadedWannier& w = wannier_of(mp);
    const Mesh mesh = make_mesh(*info, mp, {6, 5, 4});
    WannierFft fft(w, mesh, sizeof(cplx) * 60 * 40);  // 4P = 60 tables: chunks of at most ~32 points
    EXPECT_GT(fft.chunks(), 1);
    const models::Wannier<8> direct{w.view()};
    double worst = 0.0;
    const long long seen = for_each_tabulated_point(fft, mesh, [&](const cplx* t, long long i, const double k[3]) {
        NBandPoint<8> h, x;
        direct(k, h);
        read_tabulated<8>(t, fft.stride(), 5, i, x);
        worst = std::max(worst, largest_difference(x, h, 5, [](cplx d) { return std::sqrt(norm2(d)); }));
    });
    EXPECT_EQ(seen, mesh.count());
    EXPECT_LE(worst, 1e-12);
}

TEST(WannierModels, IronRunsFromItsFile) {
    const std::string fe = std::string(BZINT_SOURCE_DIR) + "/../shared/data/wannier/Fe_hr.dat";
    if (!std::filesystem::exists(fe)) GTEST_SKIP() << "no ../shared/data/wannier (clone without data)";
    const auto r = results(fmt::format(
        "[model]\nname='wannier'\nhr='{}'\nlattice=[[1.435,1.435,-1.435],[-1.435,1.435,1.435],[1.435,-1.435,1.435]]\n"
        "[task]\nkind='berry'\npoints=[[0,0,0],[0.1,0.2,0.3]]\n",
        fe));
    EXPECT_EQ(r["energies"][0].size(), 16u);
    // Γ: spin–orbit-split d levels around the Fermi level (E_F = 9.18 eV); bands ascending.
    double prev = -1e9;
    for (const auto& e : r["energies"][1]) {
        EXPECT_GE(e.get<double>(), prev);
        prev = e.get<double>();
    }
}

TEST(WannierModels, PositionMatrixRunsAhcAndRefusesWhatItCannotDo) {
    // Haldane's tb.dat holds only its orbital positions, so position_matrix = true (the WYSV terms,
    // tests/test_position_curvature.cpp) must give the orbital_positions AHC at every μ.
    const auto e = export_to_files("haldane", "t2=0.15\nphi=1.0\nM=0.2", true);
    std::string full = e.wannier_toml;
    full.replace(full.find("orbital_positions"), 17, "position_matrix");
    const std::string task = "[mesh]\nn=[48,48,1]\n[task]\nkind='ahc'\nmu=[-1.5,0.0,1.2]\nT=0.05\n";
    const auto a = results(fmt::format("[model]\n{}\n{}", e.wannier_toml, task));
    const auto b = results(fmt::format("[model]\n{}\n{}", full, task));
    for (std::size_t j = 0; j < a["mu"].size(); ++j) {
        const double want = a["sigma"][j][2].get<double>();
        EXPECT_NEAR(b["sigma"][j][2].get<double>(), want, 1e-10 * (1 + std::fabs(want))) << j;
    }
    auto error_of = [&](const std::string& text) -> std::string {
        try {
            results(text);
        } catch (const InputError& err) {
            return err.what();
        }
        return "";
    };
    // The orbital moment is not corrected: tasks that use it are refused, naming the valid ones.
    EXPECT_NE(error_of(fmt::format("[model]\n{}\n[mesh]\nn=[8,8,1]\n[task]\nkind='cme'\nmu=0.0\n", full))
                  .find("the tasks are bands, ahc, anomaly, dipole"),
              std::string::npos);
    EXPECT_NE(error_of(fmt::format("[model]\n{}\norbital_positions=true\n{}", full, task)).find("excludes orbital_positions"),
              std::string::npos);
    EXPECT_NE(error_of(fmt::format("[model]\n{}\ninterpolation='fft'\n{}", full, task)).find("interpolation = \"direct\""),
              std::string::npos);
}
