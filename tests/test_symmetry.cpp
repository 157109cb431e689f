// [mesh] symmetry (docs/symmetry.md): the point groups the generators give, the irreducible mesh,
// the laws of the symmetrised sums worked by hand, the model check — and the result that matters:
// a reduced scan equals the full mesh's to 1e-10 relative at T > 0, for the cubic weyl_lattice and
// the hexagonal haldane exported as Wannier90 files (whose symmetry is exact), every scan kind
// that takes symmetry. The shipped Fe_hr.dat is refused under its nominal group.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "input_error.hpp"
#include "ranks.hpp"
#include "symmetry/irreducible_mesh.hpp"
#include "symmetry/model_check.hpp"
#include "symmetry/point_group.hpp"
#include "symmetry/symmetrise.hpp"
#include "test_util.hpp"
#include "wannier/export_model.hpp"

using namespace bzint;
using bzint::test::results;

namespace {

PointOp op(const std::string& text) {
    PointOp g;
    std::string unknown;
    EXPECT_TRUE(parse_point_op(text, g, unknown)) << text;
    return g;
}

std::vector<PointOp> group_of(const std::vector<std::string>& names) {
    std::vector<PointOp> gens;
    for (const auto& n : names) gens.push_back(op(n));
    return generate_group(gens);
}

}  // namespace

// Orders from the crystallographic tables: 4/mm'm' (bcc Fe with M ∥ z) 16, −6m'2'-like C3z·Mx'·Mz
// 12, C6 6, O (C4z, C4x) 24, O_h 48, O_h × {1, θ} 96. C3z with C4x is no finite group.
TEST(PointGroup, OrdersOfKnownGroups) {
    EXPECT_EQ(group_of({"C4z", "C2x*TimeReversal", "Inversion"}).size(), 16u);
    EXPECT_EQ(group_of({"C3z", "Mx*TimeReversal", "Mz"}).size(), 12u);
    EXPECT_EQ(group_of({"C6z"}).size(), 6u);
    EXPECT_EQ(group_of({"C4z", "C4x"}).size(), 24u);
    EXPECT_EQ(group_of({"C4z", "C4x", "Inversion"}).size(), 48u);
    EXPECT_EQ(group_of({"C4z", "C4x", "Inversion", "TimeReversal"}).size(), 96u);
    EXPECT_TRUE(group_of({"C3z", "C4x"}).empty());
}

// "A*B" is A after B (WannierBerri's product): (C4z*Mx)(1, 0, 0) = C4z(−1, 0, 0) = (0, −1, 0).
TEST(PointGroup, NamesAndProducts) {
    const PointOp g = op("C4z*Mx");
    EXPECT_DOUBLE_EQ(g.R[0][0], 0.0);
    EXPECT_DOUBLE_EQ(g.R[1][0], -1.0);
    EXPECT_DOUBLE_EQ(g.R[2][0], 0.0);
    EXPECT_DOUBLE_EQ(g.det(), -1.0);
    const PointOp t = op("C2x*TimeReversal");
    EXPECT_TRUE(t.time_reversal);
    EXPECT_EQ(t.k_sign(), -1);
    EXPECT_DOUBLE_EQ(t.R[1][1], -1.0);
    PointOp bad;
    std::string unknown;
    EXPECT_FALSE(parse_point_op("C2x*C5z", bad, unknown));
    EXPECT_EQ(unknown, "C5z");
}

TEST(PointGroup, LatticeCompatibility) {
    const double cubic[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    const double r3 = std::sqrt(3.0);
    const double hexagonal[3][3] = {{r3, 0, 0}, {r3 / 2, 1.5, 0}, {0, 0, 1}};
    double G[3][3];
    int M[3][3];
    reciprocal_basis(cubic, G);
    EXPECT_TRUE(reduced_matrix(op("C4z"), cubic, G, M));
    EXPECT_FALSE(reduced_matrix(op("C3z"), cubic, G, M));
    reciprocal_basis(hexagonal, G);
    EXPECT_TRUE(reduced_matrix(op("C3z"), hexagonal, G, M));
    EXPECT_TRUE(reduced_matrix(op("C6z*TimeReversal"), hexagonal, G, M));
    EXPECT_FALSE(reduced_matrix(op("C4z"), hexagonal, G, M));
}

// O_h on the Γ-centred n³ mesh of the simple cubic lattice (n even): a star is fixed by the
// multiset of min(i, n − i) over the three axes, n/2 + 1 values each, so there are C(n/2 + 3, 3)
// of them — 35 for n = 8. The weights are the stars' sizes and add up to the mesh.
TEST(IrreducibleMesh, CubicStarsCountedByHand) {
    const double cubic[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    for (int n : {4, 8, 10}) {
        Mesh mesh = make_mesh(*find_model("weyl_lattice"), test::defaults(*find_model("weyl_lattice")), {n, n, n});
        const IrreducibleMesh irr = irreducible_mesh(mesh, cubic, group_of({"C4z", "C4x", "Inversion"}), "test");
        const long long m = n / 2 + 1;
        EXPECT_EQ(irr.points, m * (m + 1) * (m + 2) / 6) << n;
        long long total = 0, nonzero = 0;
        for (std::uint8_t w : irr.weight) {
            total += w;
            nonzero += w > 0;
        }
        EXPECT_EQ(total, mesh.count());
        EXPECT_EQ(nonzero, irr.points);
        EXPECT_EQ(irr.weight[0], 1);  // Γ is its own star
    }
}

TEST(IrreducibleMesh, RefusesMeshesTheGroupDoesNotKeep) {
    const ModelInfo& weyl = *find_model("weyl_lattice");
    const double cubic[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    const auto c4 = group_of({"C4z"});
    const Mesh uneven = make_mesh(weyl, test::defaults(weyl), {8, 6, 8});
    EXPECT_THROW(irreducible_mesh(uneven, cubic, c4, "test"), InputError);
    const Mesh shifted = make_mesh(weyl, test::defaults(weyl), {8, 8, 8}, {0.5, 0.5, 0.5});
    EXPECT_THROW(irreducible_mesh(shifted, cubic, c4, "test"), InputError);
    EXPECT_NO_THROW(irreducible_mesh(make_mesh(weyl, test::defaults(weyl), {8, 8, 6}), cubic, c4, "test"));
}

// MPI ranks of a reduced scan (ranks.hpp share): the representatives are the lowest indices of
// their stars and crowd the mesh's first blocks, so equal numbers of blocks would give rank 0 most
// of the work. Weighted by the representatives, the shares still tile the mesh in whole blocks, in
// rank order, and each holds total/R of them up to one block's points.
TEST(IrreducibleMesh, RanksShareTheRepresentativesEvenly) {
    const ModelInfo& weyl = *find_model("weyl_lattice");
    const double cubic[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    const Mesh mesh = make_mesh(weyl, test::defaults(weyl), {32, 32, 64});
    const IrreducibleMesh irr = irreducible_mesh(mesh, cubic, group_of({"C4z", "C2x*TimeReversal", "Inversion"}), "test");
    const long long n = mesh.count(), block = 1024;
    auto representatives = [&](ranks::Share s) {
        long long c = 0;
        for (long long i = s.begin; i < s.end; ++i) c += irr.weight[i] != 0;
        return c;
    };
    for (int size : {1, 2, 3, 4, 7}) {
        long long at = 0;
        for (int r = 0; r < size; ++r) {
            const ranks::Share s = ranks::share_of(r, size, n, block, irr.weight.data());
            EXPECT_EQ(s.begin, at) << size << " " << r;
            EXPECT_TRUE(s.begin % block == 0 && (s.end % block == 0 || s.end == n));
            at = s.end;
            EXPECT_NEAR(static_cast<double>(representatives(s)), static_cast<double>(irr.points) / size, block)
                << size << " " << r;
        }
        EXPECT_EQ(at, n);
    }
    // By blocks alone, the first of 4 ranks holds more than half of the representatives.
    EXPECT_GT(representatives(ranks::share_of(0, 4, n, block)), irr.points / 2);
}

// The laws by hand: a C4z average keeps only Ω_z; Mz (det −1, R = diag(1, 1, −1)) keeps Ω_z, as
// σ_xy survives a mirror in the plane; time reversal removes Ω (no AHC with T symmetry); inversion
// removes v·Ω; C2z keeps v_x Ω_x and v_z Ω_z and removes v_x Ω_z.
TEST(Symmetrise, LawsWorkedByHand) {
    auto scan = [](ScanKind kind, std::vector<double> sea, std::vector<double> surface) {
        ScanResult r;
        r.channels = scan_channels(kind, 3);
        r.mu = {0.0};
        r.bands = 1;
        r.sea = std::move(sea);
        r.surface = std::move(surface);
        return r;
    };
    ScanResult a = scan(ScanKind::ahc, {1, 2, 3}, {});
    symmetrise(a, ScanKind::ahc, 3, group_of({"C4z"}));
    EXPECT_NEAR(a.sea[0], 0.0, 1e-15);
    EXPECT_NEAR(a.sea[1], 0.0, 1e-15);
    EXPECT_DOUBLE_EQ(a.sea[2], 3.0);
    ScanResult m = scan(ScanKind::ahc, {1, 2, 3}, {});
    symmetrise(m, ScanKind::ahc, 3, group_of({"Mz"}));
    EXPECT_DOUBLE_EQ(m.sea[0], 0.0);
    EXPECT_DOUBLE_EQ(m.sea[2], 3.0);
    ScanResult t = scan(ScanKind::ahc, {1, 2, 3}, {});
    symmetrise(t, ScanKind::ahc, 3, group_of({"TimeReversal"}));
    EXPECT_DOUBLE_EQ(t.sea[2], 0.0);
    ScanResult an = scan(ScanKind::anomaly, {}, {5});
    symmetrise(an, ScanKind::anomaly, 3, group_of({"Inversion"}));
    EXPECT_DOUBLE_EQ(an.surface[0], 0.0);
    ScanResult d = scan(ScanKind::dipole, {}, {1, 2, 3, 4, 5, 6, 7, 8, 9});  // v_a Ω_b at 3a + b
    symmetrise(d, ScanKind::dipole, 3, group_of({"C2z"}));
    EXPECT_DOUBLE_EQ(d.surface[0], 1.0);  // xx
    EXPECT_DOUBLE_EQ(d.surface[2], 0.0);  // xz
    EXPECT_DOUBLE_EQ(d.surface[8], 9.0);  // zz
    // 2D: (v_x Ω_z, v_y Ω_z). Mx (R = diag(−1, 1, 1), det −1) keeps v_x Ω_z (det·R_xx·R_zz = +1)
    // and removes v_y Ω_z; C4z removes both (an in-plane vector).
    ScanResult d2 = scan(ScanKind::dipole, {}, {});
    d2.channels = scan_channels(ScanKind::dipole, 2);
    d2.surface = {1, 2};
    symmetrise(d2, ScanKind::dipole, 2, group_of({"Mx"}));
    EXPECT_DOUBLE_EQ(d2.surface[0], 1.0);
    EXPECT_DOUBLE_EQ(d2.surface[1], 0.0);
    d2.surface = {1, 2};
    symmetrise(d2, ScanKind::dipole, 2, group_of({"C4z"}));
    EXPECT_NEAR(d2.surface[0], 0.0, 1e-15);
    EXPECT_NEAR(d2.surface[1], 0.0, 1e-15);
}

namespace {

// A built-in model exported with export-hr as a tb.dat (orbital positions inside).
std::string exported_file(const std::string& name, const std::string& params, const test::TempDir& dir) {
    const auto rf = RunFile::parse(fmt::format("[model]\nname='{}'\n{}\n[task]\nkind='bands'\n", name, params), "m.toml");
    const RunConfig cfg = read_model_section(rf);
    const TbModel tb = export_model(*cfg.model, cfg.params);
    static int files = 0;  // one file per export: several live in one folder
    const auto path = std::filesystem::path(dir.path()) / fmt::format("{}{}_tb.dat", name, ++files);
    std::ofstream f(path);
    write_tb(tb, f, "test");
    return path.string();
}

// The same as a wannier [model] with its orbital positions.
std::string exported(const std::string& name, const std::string& params, const test::TempDir& dir) {
    return fmt::format("name='wannier'\ntb='{}'\norbital_positions=true", exported_file(name, params, dir));
}

// Every number in the results of the reduced run equals the full run's to 1e-10 of the largest
// magnitude of its key (components that vanish by symmetry are rounding noise in both).
void expect_same(const nlohmann::json& full, const nlohmann::json& reduced, const std::string& key,
                 const nlohmann::json* scale_of = nullptr) {
    std::vector<double> a, b;
    std::function<void(const nlohmann::json&, std::vector<double>&)> flat = [&](const nlohmann::json& j, std::vector<double>& v) {
        if (j.is_number()) v.push_back(j.get<double>());
        if (j.is_array())
            for (const auto& x : j) flat(x, v);
    };
    flat(full[key], a);
    flat(reduced[key], b);
    ASSERT_EQ(a.size(), b.size()) << key;
    ASSERT_FALSE(a.empty()) << key;
    std::vector<double> s;
    flat(scale_of ? (*scale_of)[key] : full[key], s);
    double scale = 0.0;
    for (double x : s) scale = std::fmax(scale, std::fabs(x));
    ASSERT_GT(scale, 0.0) << key;
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(b[i], a[i], 1e-10 * scale) << key << "[" << i << "]";
}

// The results and their error estimates (the coarse sub-mesh's sums, symmetrised alike; held to
// the results' scale, as an estimate is a difference of results).
void expect_reduced_equals_full(const std::string& model, const std::string& mesh, const std::string& symmetry,
                                const std::string& kind, const std::vector<std::string>& keys, long long stars,
                                double T = 0.05) {
    const std::string task = fmt::format("[task]\nkind='{}'\nmu={{from=-1.2, to=1.2, count=13}}\nT={}\n", kind, T);
    const auto full = test::run_toml(fmt::format("[model]\n{}\n[mesh]\nn={}\n{}", model, mesh, task));
    const auto reduced = test::run_toml(fmt::format("[model]\n{}\n[mesh]\nn={}\nsymmetry={}\n{}", model, mesh, symmetry, task));
    EXPECT_EQ(reduced["results"]["symmetry"]["irreducible_points"].get<long long>(), stars) << kind;
    for (const auto& key : keys) {
        expect_same(full["results"], reduced["results"], key);
        expect_same(full["errors"], reduced["errors"], key, &full["results"]);
    }
}

}  // namespace

// The cubic lattice: weyl_lattice with its nodes on the z axis has 4/mm'm' (b0 = 0; the group of
// bcc Fe with M ∥ z); with b0 ≠ 0 (nodes at different energies: a CME) inversion and Mz are gone,
// C4z and C2x·θ stay. Stars on 12³, by hand: 4/mm'm' acts on k as 4/mmm, a star fixed by
// min(i_z, 12 − i_z) (7 values) and the unordered pair of min(i, 12 − i) in the plane (28):
// 196; C4z and C2x·θ act as C4v on the plane alone: 12 × 28 = 336.
TEST(SymmetricScan, CubicModelEqualsTheFullMesh) {
    const test::TempDir dir;
    const std::string weyl = exported("weyl_lattice", "b0=0", dir);
    const std::string tilted = exported("weyl_lattice", "b0=0.3", dir);
    const std::string g16 = "['C4z', 'C2x*TimeReversal', 'Inversion']", g8 = "['C4z', 'C2x*TimeReversal']";
    expect_reduced_equals_full(weyl, "[12,12,12]", g16, "ahc", {"sigma", "sigma_band"}, 196);
    expect_reduced_equals_full(tilted, "[12,12,12]", g8, "ahc", {"sigma", "sigma_band"}, 336);
    expect_reduced_equals_full(tilted, "[12,12,12]", g8, "cme", {"cme_band", "gyrotropic_K"}, 336);
    expect_reduced_equals_full(tilted, "[12,12,12]", g8, "anomaly", {"anomaly_flux"}, 336);
    expect_reduced_equals_full(tilted, "[12,12,12]", g8, "dipole", {"dipole", "dipole_band"}, 336);
    // The FFT path (TabulatedFn skips the points off the stars), and T = 0.
    expect_reduced_equals_full(weyl + "\ninterpolation='fft'", "[12,12,12]", g16, "ahc", {"sigma", "sigma_band"}, 196);
    expect_reduced_equals_full(tilted, "[12,12,12]", g8, "ahc", {"sigma", "sigma_band"}, 336, 0.0);
}

// A built-in 2D model (the two-band scan functor, the 2D layout of ahc): haldane has the same
// group as its export. (Its dipole vanishes by C3z; the 2D dipole's law is checked by hand above.)
TEST(SymmetricScan, BuiltInTwoDimensionalModel) {
    const std::string haldane = "name='haldane'\nt2=0.15\nphi=1.0\nM=0.2";
    const std::string g = "['C3z', 'Mx*TimeReversal', 'Mz']";
    expect_reduced_equals_full(haldane, "[36,36]", g, "ahc", {"sigma_xy", "sigma_band"}, 235);
    expect_reduced_equals_full(haldane, "[36,36]", g, "ahc", {"sigma_xy", "sigma_band"}, 235, 0.0);
}

// A tolerance refines the mesh pass by pass; the denser meshes stay Γ-centred (convergence.cpp),
// so each pass is reduced as the first.
TEST(SymmetricScan, ToleranceLoopKeepsTheMeshGammaCentred) {
    const auto doc = test::run_toml(
        "[model]\nname='haldane'\nt2=0.15\nphi=1.0\nM=0.2\n[mesh]\nn=[12,12]\nsymmetry=['C3z', 'Mx*TimeReversal']\n"
        "[task]\nkind='ahc'\nmu=0.0\nT=0.05\nrtol=1e-6\nmax_points=20000\n");
    EXPECT_GE(doc["convergence"]["passes"].size(), 2u) << doc["convergence"].dump();
    EXPECT_GT(doc["results"]["symmetry"]["irreducible_points"].get<long long>(), 12 * 12 / 6);
}

// The hexagonal lattice: haldane (M ≠ 0, φ ≠ 0) has C3z, Mx·θ and Mz: order 12. On the 36 × 36
// plane its 12 operations act as the 6 of C3v; by Burnside's lemma the stars number (36² + 2·3 +
// 3·36)/6 = 235 (a C3 rotation fixes Γ, K and K′; each mirror a line of 36 points).
TEST(SymmetricScan, HexagonalModelEqualsTheFullMesh) {
    const test::TempDir dir;
    const std::string haldane = exported("haldane", "t2=0.15\nphi=1.0\nM=0.2", dir);
    expect_reduced_equals_full(haldane, "[36,36,1]", "['C3z', 'Mx*TimeReversal', 'Mz']", "ahc", {"sigma", "sigma_band"}, 235);
}

// Without its orbital positions the exported haldane is not C3z-covariant: its Berry curvature in
// that (lattice) gauge is not, though its energies are. The check sees it, and refuses b0 ≠ 0
// under inversion; an exact model passes to rounding.
TEST(ModelCheck, FindsWhatTheModelLacks) {
    const test::TempDir dir;
    auto params = [&](const std::string& model) {
        const auto rf = RunFile::parse(fmt::format("[model]\n{}\n[task]\nkind='bands'\n", model), "m.toml");
        return read_model_section(rf);
    };
    const RunConfig weyl = params(exported("weyl_lattice", "b0=0", dir));
    double G[3][3];
    reciprocal_basis(weyl.model->bravais, G);
    for (const char* g : {"C4z", "C2x*TimeReversal", "Inversion", "Mz"}) {
        const SymmetryDefect d = symmetry_defect(weyl.params, op(g), G, 3);
        EXPECT_LT(d.energy_rel, 1e-13) << g;
        EXPECT_LT(d.curvature_rel, 1e-11) << g;
        EXPECT_LT(d.moment_rel, 1e-11) << g;
    }
    const RunConfig tilted = params(exported("weyl_lattice", "b0=0.3", dir));
    EXPECT_GT(symmetry_defect(tilted.params, op("Inversion"), G, 3).energy_rel, 1e-2);
    EXPECT_THROW(check_model_symmetry(tilted.params, {op("C4z"), op("Inversion")}, G, 3, "eV", "test"), InputError);
    try {
        check_model_symmetry(tilted.params, {op("C4z"), op("Inversion")}, G, 3, "eV", "test");
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("'Inversion'"), std::string::npos) << e.what();
    }
    const std::string haldane = exported_file("haldane", "t2=0.15\nphi=1.0\nM=0.2", dir);
    const RunConfig hal = params(fmt::format("name='wannier'\ntb='{}'\norbital_positions=true", haldane));
    reciprocal_basis(hal.model->bravais, G);
    EXPECT_LT(symmetry_defect(hal.params, op("C3z"), G, 2).curvature_rel, 1e-11);
    const RunConfig lattice_gauge = params(fmt::format("name='wannier'\ntb='{}'", haldane));
    const SymmetryDefect d = symmetry_defect(lattice_gauge.params, op("C3z"), G, 2);
    EXPECT_LT(d.energy_rel, 1e-13);
    EXPECT_GT(d.curvature_rel, 1e-2);
    // Graphene (φ = 0, M = 0) has inversion and time reversal, so its curvature vanishes: rounding
    // is measured against the lattice's scale a², not against the largest (rounding-sized) |Ω|.
    const RunConfig graphene = params("name='haldane'\nt2=0.15\nphi=0\nM=0");
    reciprocal_basis(graphene.model->bravais, G);
    for (const char* g : {"Inversion", "TimeReversal", "C3z"})
        EXPECT_LT(symmetry_defect(graphene.params, op(g), G, 2).curvature_rel, 1e-12) << g;
}

// The shipped bcc Fe file is not symmetric to better than 0.01–1 eV (../shared/data/wannier/README):
// its nominal group is refused, generator by generator.
TEST(ModelCheck, RefusesFeUnderItsNominalGroup) {
    const std::filesystem::path fe = std::filesystem::path(BZINT_SOURCE_DIR) / "../shared/data/wannier/Fe_hr.dat";
    if (!std::filesystem::exists(fe)) GTEST_SKIP() << "no " << fe;
    const auto rf = RunFile::parse(
        fmt::format("[model]\nname='wannier'\nhr='{}'\nlattice=[[1.435,1.435,-1.435],[-1.435,1.435,1.435],[1.435,-1.435,1.435]]\n"
                    "[task]\nkind='bands'\n",
                    fe.string()),
        "fe.toml");
    const RunConfig cfg = read_model_section(rf);
    double G[3][3];
    reciprocal_basis(cfg.model->bravais, G);
    for (const char* g : {"C4z", "C2x*TimeReversal", "Inversion"})
        EXPECT_GT(symmetry_defect(cfg.params, op(g), G, 3).energy, 1e-3) << g;  // eV
}
