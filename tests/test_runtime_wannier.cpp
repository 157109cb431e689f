// Wannier models by the run-time-sized engine (host/wannier/runtime_wannier.hpp). It agrees per
// k-point with the compiled one (the same models of 16 and 24 orbitals, weakly coupled copies):
// band geometry, curvature tensor, Chern plaquettes and hybridised bands. 64- and 128-orbital
// models of decoupled copies give the AHC known in closed form, σ(μ) = Σ_c σ_1(μ − c·shift) with
// σ_1 the single copy's (from the compiled 2-orbital path), on the FFT and the direct path, and a
// 34-orbital one the hybrid_current of its copies; run files run its band geometry, curvature
// tensor and scans (with [mesh] symmetry); its workspaces are checked against memory before any work.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "engine.hpp"
#include "bzint/per_k.hpp"
#include "bzint/semiclassical.hpp"
#include "input_error.hpp"
#include "run_file.hpp"
#include "run_keys.hpp"
#include "test_util.hpp"
#include "wannier/export_model.hpp"
#include "wannier/runtime_wannier.hpp"
#include "wannier/wannier_model.hpp"
#include "workers.hpp"

using namespace bzint;

namespace {

TbModel weyl_lattice_tb() {
    const ModelInfo& info = *find_model("weyl_lattice");
    ModelParams mp{info.id, {}};
    for (std::size_t i = 0; i < info.params.size(); ++i) mp.p[i] = info.params[i].default_value;
    return export_model(info, mp);
}

struct Registered {
    ModelParams params;
    std::shared_ptr<ModelInfo> info;
};

Registered load(TbModel tb, Interpolation interpolation = Interpolation::automatic) {
    double lattice[3][3];
    std::copy(&tb.lattice[0][0], &tb.lattice[0][0] + 9, &lattice[0][0]);
    Registered r;
    auto w = make_wannier(std::move(tb), lattice, PositionTerms::none);
    w->interpolation = interpolation;
    r.info = register_wannier(std::move(w), r.params);
    return r;
}

// The [model] section of a run file for tb, written as hr.dat `name` into dir.
std::string wannier_model_section(const std::string& dir, const TbModel& tb, const std::string& name) {
    const auto hr = std::filesystem::path(dir) / name;
    {
        std::ofstream f(hr);
        write_hr(tb, f, "test");
    }
    std::string lattice = "[";
    for (int i = 0; i < 3; ++i)
        lattice += fmt::format("[{:.17g}, {:.17g}, {:.17g}]{}", tb.lattice[i][0], tb.lattice[i][1], tb.lattice[i][2],
                               i < 2 ? ", " : "]");
    return fmt::format("[model]\nname='wannier'\nhr='{}'\nlattice={}\n", hr.string(), lattice);
}

}  // namespace

namespace {

// The run-time-sized engine against models::Wannier<N> (padded to N) per k-point, for
// `copies` weakly coupled copies. Eigenvalues to 1e-12 (the bar); Ω and m to 1e-9 of
// their scale — both are sums over 1/gap² and 1/gap with gaps ≥ 1e-3 here (asserted), far above
// either engine's degeneracy threshold (≤ 1e-6), the two eigensolvers' vectors differing at
// rounding level.
template <int N>
void expect_same_as_compiled(int copies) {
    const Registered m = load(stacked_copies(weyl_lattice_tb(), copies, 0.1, 0.05));
    const WannierData d = wannier_of(m.params).view();
    const int W = d.num_wann;
    ASSERT_LE(W, N);
    const models::Wannier<N> compiled{d};
    const double k[4][3] = {{0.1, 0.2, 0.3}, {1.1, -0.4, 0.7}, {2.0, 0.5, -1.3}, {0.0, 0.0, 0.0}};
    std::vector<BandGeometry> g(W);
    for (int i = 0; i < 4; ++i) {
        NBandPoint<N> h;
        compiled(k[i], h);
        BandGeometry a[N];
        ASSERT_TRUE(nband_geometry<N>(h, a));
        ASSERT_TRUE(runtime_wannier_geometry(d, k[i], g.data()));
        for (int n = 0; n + 1 < W; ++n) ASSERT_GT(a[n + 1].energy - a[n].energy, 1e-3) << W << " " << i << " " << n;
        double scale_w = 1.0, scale_m = 1.0;
        for (int n = 0; n < W; ++n)
            for (int c = 0; c < 3; ++c) {
                scale_w = std::max(scale_w, std::fabs(a[n].omega[c]));
                scale_m = std::max(scale_m, std::fabs(a[n].m[c]));
            }
        // The curvature tensor Ω^n_m (semiclassical.hpp), as curvature_tensor_at_points computes it.
        cplx A[N][N], U[N][N];
        double e[N], omega[N][N][3];
        for (int x = 0; x < N; ++x)
            for (int y = 0; y < N; ++y) A[x][y] = h.H[x][y];
        ASSERT_TRUE(hermitian_eigen<N>(A, e, U));
        nband_curvature_tensor<N>(h.dH, e, U, kDegenerateRelative * (1.0 + std::fabs(e[0]) + std::fabs(e[N - 1])), omega);
        std::vector<double> tensor(static_cast<std::size_t>(W) * W * 3);
        ASSERT_TRUE(runtime_wannier_curvature_tensor(d, k[i], tensor.data()));
        for (int n = 0; n < W; ++n)
            for (int m = 0; m < W; ++m)
                for (int c = 0; c < 3; ++c)
                    EXPECT_NEAR(tensor[(n * W + m) * 3 + c], omega[n][m][c], 1e-9 * scale_w) << W << " " << n << " " << m;
        for (int n = 0; n < W; ++n) {
            EXPECT_NEAR(g[n].energy, a[n].energy, 1e-12 * (1.0 + std::fabs(a[n].energy))) << W << " " << i << " " << n;
            for (int c = 0; c < 3; ++c) {
                EXPECT_NEAR(g[n].v[c], a[n].v[c], 1e-11) << W << " " << i << " " << n;
                EXPECT_NEAR(g[n].omega[c], a[n].omega[c], 1e-9 * scale_w) << W << " " << i << " " << n << " " << c;
                EXPECT_NEAR(g[n].m[c], a[n].m[c], 1e-9 * scale_m) << W << " " << i << " " << n << " " << c;
            }
        }
    }
}

}  // namespace

TEST(RuntimeWannier, AgreesPerKPointWithTheCompiledEngine) {
    expect_same_as_compiled<16>(8);   // 16 orbitals: geometry_at_points keeps the compiled engine
    expect_same_as_compiled<32>(12);  // 24 orbitals: Wannier<32> as an independent reference
    // Which engine a model gets (kMaxCompiledWannier): 16 orbitals compiled, 18 run-time-sized.
    EXPECT_FALSE(wannier_of(load(stacked_copies(weyl_lattice_tb(), 8, 0.1, 0.0)).params).runtime_sized());
    EXPECT_TRUE(wannier_of(load(stacked_copies(weyl_lattice_tb(), 9, 0.1, 0.0)).params).runtime_sized());
}

namespace {

// σ_xy of `copies` decoupled weyl_lattice copies against Σ_c σ_1(μ − 0.1c), T = 0.05, 8³ mesh. Exact
// to rounding because the copies' shift 0.1 and the levels' offsets are whole multiples of the
// finite-T bin width T/32 (engine.cpp make_binning): each copy's energies then fall into bins at
// the same offsets from the levels as the single copy's do at the shifted levels.
void expect_copies_ahc(int copies, Interpolation interpolation) {
    const Registered many = load(stacked_copies(weyl_lattice_tb(), copies, 0.1, 0.0), interpolation);
    ASSERT_TRUE(wannier_of(many.params).runtime_sized());
    EXPECT_EQ(wannier_of(many.params).scans_by_fft(512, 512), interpolation == Interpolation::fft);
    const Registered one = load(weyl_lattice_tb());
    const std::vector<double> mu{-0.4, 0.3, 1.7, 3.1};
    std::vector<double> shifted;  // μ − 0.1c for every level and copy
    for (double m : mu)
        for (int c = 0; c < copies; ++c) shifted.push_back(m - 0.1 * c);
    std::sort(shifted.begin(), shifted.end());  // levels may coincide (0.3 − 0.7 = −0.4): kept once
    shifted.erase(std::unique(shifted.begin(), shifted.end(), [](double x, double y) { return std::fabs(x - y) < 1e-12; }),
                  shifted.end());
    const Mesh mesh = make_mesh(*many.info, many.params, {8, 8, 8});
    const ScanResult a = fermi_scan(Backend::cpu, many.params, mesh, ScanKind::ahc, mu, 0.05, nullptr);
    const ScanResult b = fermi_scan(Backend::cpu, one.params, make_mesh(*one.info, one.params, {8, 8, 8}), ScanKind::ahc,
                                    shifted, 0.05, nullptr);
    ASSERT_EQ(a.bands, 2 * copies);
    const int ns = a.channels.n_sea;
    for (std::size_t j = 0; j < mu.size(); ++j)
        for (int c = 0; c < ns; ++c) {
            double want = 0.0, got = 0.0, scale = 0.0;
            for (int copy = 0; copy < copies; ++copy) {
                const double level = mu[j] - 0.1 * copy;
                const std::size_t l = std::lower_bound(shifted.begin(), shifted.end(), level - 1e-12) - shifted.begin();
                for (int n = 0; n < 2; ++n) {
                    const double x = b.sea[(l * 2 + n) * ns + c];
                    want += x;
                    scale += std::fabs(x);
                }
            }
            for (int n = 0; n < a.bands; ++n) got += a.sea[(j * a.bands + n) * ns + c];
            EXPECT_NEAR(got, want, 1e-10 * (1.0 + scale)) << copies << " copies, level " << j << ", channel " << c;
        }
}

}  // namespace

TEST(RuntimeWannier, SixtyFourOrbitalsGiveTheSumOfTheCopiesAhcByFftAndDirectSum) {
    expect_copies_ahc(32, Interpolation::fft);
    expect_copies_ahc(32, Interpolation::direct);
}

TEST(RuntimeWannier, HundredTwentyEightOrbitalsGiveTheSumOfTheCopiesAhc) { expect_copies_ahc(64, Interpolation::fft); }

TEST(RuntimeWannier, RunFilesRunTheBandGeometryAndSymmetricScans) {
    const test::TempDir dir;
    // 40 orbitals, decoupled: each copy keeps weyl_lattice's C4z and C2x·θ (docs/symmetry.md).
    const std::string model = wannier_model_section(dir.path(), stacked_copies(weyl_lattice_tb(), 20, 0.1, 0.0), "copies_hr.dat");
    const auto r = test::results(model + "[task]\nkind='berry'\npoints=[[0.1,0.2,0.3]]\nB=[0,0,0.01]\n");
    ASSERT_EQ(r["energies"][0].size(), 40u);
    // The curvature tensor's diagonal is each band's Berry curvature; Σ_n Ω_n = 0 (docs/semiclassical.md).
    double sum = 0.0;
    for (int n = 0; n < 40; ++n) {
        EXPECT_NEAR(r["curvature_tensor"][0][n][n][2].get<double>(), r["omega"][0][n][2].get<double>(),
                    1e-9 * (1.0 + std::fabs(r["omega"][0][n][2].get<double>())));
        sum += r["omega"][0][n][2].get<double>();
    }
    EXPECT_NEAR(sum, 0.0, 1e-8);
    // [mesh] symmetry on the run-time engine's scans, by the direct sum and by FFT: equal to the full
    // mesh to 1e-10 (as tests/test_symmetry.cpp for the compiled sizes). Stars of C4v acting on the
    // plane of an 8³ mesh: 8 planes × 15 unordered pairs of min(i, 8 − i) ∈ {0…4} = 120.
    for (const std::string interpolation : {"direct", "fft"}) {
        const std::string task = "[task]\nkind='ahc'\nmu=[-0.3, 0.5, 1.4]\nT=0.05\n";
        const std::string m = model + "interpolation='" + interpolation + "'\n";
        const auto full = test::results(m + "[mesh]\nn=[8,8,8]\n" + task);
        const auto reduced = test::results(m + "[mesh]\nn=[8,8,8]\nsymmetry=['C4z', 'C2x*TimeReversal']\n" + task);
        EXPECT_EQ(reduced["symmetry"]["irreducible_points"].get<long long>(), 120);
        double scale = 0.0;
        for (const auto& level : full["sigma"])
            for (const auto& x : level) scale = std::max(scale, std::fabs(x.get<double>()));
        ASSERT_GT(scale, 0.0);
        for (std::size_t j = 0; j < 3; ++j)
            for (int c = 0; c < 3; ++c)
                EXPECT_NEAR(reduced["sigma"][j][c].get<double>(), full["sigma"][j][c].get<double>(), 1e-10 * scale)
                    << interpolation << " " << j << " " << c;
    }
}

// Chern planes by the run-time engine: 10 copies of the Haldane model at the same energies, weakly
// coupled (0.05, below the gap), as 20 orbitals. The lower 10 bands are one manifold of Chern
// number 10 C_1 (a topological invariant: the coupling closes no gap), C_1 the single copy's by the
// compiled engine; the link method gives both as integers to rounding.
TEST(RuntimeWannier, ChernNumberOfTheCoupledCopiesIsTenTimesOne) {
    const auto rf = RunFile::parse("[model]\nname='haldane'\nt2=0.15\nphi=1.0\nM=0.2\n[task]\nkind='bands'\n", "h.toml");
    const RunConfig cfg = read_model_section(rf);
    const TbModel one = export_model(*cfg.model, cfg.params);
    const Registered a = load(one), b = load(stacked_copies(one, 10, 0.0, 0.05));
    ASSERT_TRUE(wannier_of(b.params).runtime_sized());
    const auto c1 = chern_planes(Backend::cpu, a.params, make_mesh(*a.info, a.params, {24, 24, 1}), nullptr);
    const auto c10 = chern_planes(Backend::cpu, b.params, make_mesh(*b.info, b.params, {24, 24, 1}), nullptr);
    ASSERT_EQ(c10[0].manifold.size(), 20u);
    const double C1 = c1[0].manifold[0];
    EXPECT_NEAR(std::fabs(C1), 1.0, 1e-9);
    EXPECT_NEAR(c10[0].manifold[9], 10.0 * C1, 1e-9);
    double integral = 0.0;
    for (int n = 0; n < 10; ++n) integral += c10[0].integral[n];
    EXPECT_NEAR(integral, 10.0 * C1, 0.05);  // the curvature integral on 24², the midpoint rule's O(h²)
}

// Per plaquette, RuntimeWannierChernFn against NBandChernFn<Wannier<32>> on the same 20 orbitals
// (copies 7 apart, beyond the bandwidth 6, coupled: no band meets another, so every band's values
// are gauge invariant and well conditioned): the
// integrals, the link phases of each band and of each manifold, and the gap powers, in the same
// layout (5W − 2 values; the compiled one has 5·32 − 2, its padded bands last). 1e-9 of each
// value's scale; the phases compared modulo 1.
TEST(RuntimeWannier, ChernPlaquettesEqualTheCompiledEngines) {
    const auto rf = RunFile::parse("[model]\nname='haldane'\nt2=0.15\nphi=1.0\nM=0.2\n[task]\nkind='bands'\n", "h.toml");
    const RunConfig cfg = read_model_section(rf);
    const Registered m = load(stacked_copies(export_model(*cfg.model, cfg.params), 10, 7.0, 0.05));
    const WannierData d = wannier_of(m.params).view();
    const Mesh mesh = make_mesh(*m.info, m.params, {6, 6, 1});
    const NBandChernFn<models::Wannier<32>> compiled{models::Wannier<32>{d}, mesh};
    const RuntimeWannierChernFn runtime{d, mesh};
    ASSERT_EQ(runtime.n_values(), 98);
    for (long long idx = 0; idx < mesh.count(); ++idx) {
        NBandChernFn<models::Wannier<32>>::Out a;
        KeyedOutRuntime b;
        ASSERT_TRUE(compiled(idx, a));
        ASSERT_TRUE(runtime(idx, b));
        ASSERT_EQ(b.n, 1);
        EXPECT_EQ(b.key[0], a.key[0]);
        auto phase = [](double x) { return x - std::round(x); };
        for (int n = 0; n < 20; ++n) {
            EXPECT_NEAR(b.val[0][n], a.val[0][n], 1e-9 * (1e-3 + std::fabs(a.val[0][n]))) << idx << " " << n;
            EXPECT_NEAR(phase(b.val[0][20 + n] - a.val[0][32 + n]), 0.0, 1e-9) << idx << " link " << n;
            EXPECT_NEAR(phase(b.val[0][40 + n] - a.val[0][64 + n]), 0.0, 1e-9) << idx << " manifold " << n;
        }
        for (int j = 0; j < 2 * 19; ++j)
            EXPECT_NEAR(b.val[0][60 + j], a.val[0][96 + j], 1e-9 * std::fabs(a.val[0][96 + j])) << idx << " gap " << j;
    }
}

namespace {

// RuntimeWannierHybridFn against HybridScanFn<Wannier<N>> per k-point on `copies` weakly coupled
// copies, the active manifold bands 4..7, with relaxation (the central difference of the
// hybridised energies): the same bin and slot for every band, and the 12 channels × 3 moments to
// 1e-9 of their scale (sums over 1/gap and 1/gap² with gaps ≥ 1e-3, as expect_same_as_compiled).
template <int N>
void expect_same_hybrid_bands(int copies) {
    const Registered m = load(stacked_copies(weyl_lattice_tb(), copies, 0.1, 0.05));
    const WannierData d = wannier_of(m.params).view();
    const int W = d.num_wann;
    const Mesh mesh = make_mesh(*m.info, m.params, {4, 4, 4});
    const Binning bins = make_binning({-0.5, 0.4, 1.2}, 0.05);
    const HybridSetup setup{{0.03, -0.02, 0.05}, 4, 7, 2.0, 1e-4, 1e-9, W};
    const HybridScanFn<models::Wannier<N>> compiled{models::Wannier<N>{d}, mesh, bins, setup};
    const RuntimeWannierHybridFn runtime{d, mesh, bins, setup};
    ASSERT_EQ(runtime.n_values(), compiled.n_values());
    const double k[3][3] = {{0.1, 0.2, 0.3}, {1.1, -0.4, 0.7}, {2.0, 0.5, -1.3}};
    for (const auto& ki : k) {
        typename HybridScanFn<models::Wannier<N>>::Out a;
        KeyedOutRuntime b;
        ASSERT_TRUE(compiled.at(ki, 0.5, a));
        ASSERT_TRUE(runtime.at(ki, 0.5, b));
        ASSERT_EQ(b.n, W);
        double scale = 0.0;
        for (int s = 0; s < W; ++s)
            for (int c = 0; c < compiled.n_values(); ++c) scale = std::max(scale, std::fabs(a.val[s][c]));
        ASSERT_GT(scale, 0.0);
        for (int s = 0; s < W; ++s) {
            EXPECT_EQ(b.key[s] / W, a.key[s] / N) << W << " slot " << s;  // the bin
            EXPECT_EQ(b.key[s] % W, s);
            for (int c = 0; c < compiled.n_values(); ++c)
                EXPECT_NEAR(b.val[s][c], a.val[s][c], 1e-9 * scale) << W << " slot " << s << " value " << c;
        }
        // The active slots did hybridise: their hybrid velocity (channels 3–5, first moment) is not zero.
        double hybrid = 0.0;
        for (int s = setup.lo; s <= setup.hi; ++s)
            for (int c = 3; c < 6; ++c) hybrid += std::fabs(b.val[s][3 * c]);
        EXPECT_GT(hybrid, 1e-6 * scale);
    }
}

}  // namespace

TEST(RuntimeWannier, HybridisedBandsAgreePerKPointWithTheCompiledEngine) {
    expect_same_hybrid_bands<16>(8);   // 16 orbitals
    expect_same_hybrid_bands<32>(12);  // 24 orbitals, Wannier<32> padded as an independent reference
}

namespace {

// hybrid_current of `copies` decoupled weyl_lattice copies 10 apart (its bands span ±4.46, at
// (π, π, 0) on the mesh, so bands 2c and 2c + 1 are copy c's at every point), copy 1 hybridised
// (active = [2, 3]), at levels inside copy 1's bands. With no velocity between copies, the current
// is that of copy 1 with its two bands one manifold plus that of every other copy with each band
// on its own, at μ − 10c: two runs of the single copy, on its compiled engine (active = [0, 1] and
// [0, 0]). Exact to rounding, the shifts being multiples of the bin width T/32 (expect_copies_ahc).
void expect_copies_hybrid_current(int copies) {
    const test::TempDir dir;
    auto model_of = [&](const TbModel& tb, const std::string& name) {
        return wannier_model_section(dir.path(), tb, name) + "[mesh]\nn=[6,6,6]\n[field]\nE=0.02\ndirection=1\n";
    };
    constexpr double shift = 10.0;
    const std::vector<double> mu{shift - 0.3, shift + 0.5};
    std::vector<double> shifted;  // μ − 10c for every level and copy (all distinct), ascending
    for (double x : mu)
        for (int c = 0; c < copies; ++c) shifted.push_back(x - shift * c);
    std::sort(shifted.begin(), shifted.end());
    std::string levels;
    for (double x : shifted) levels += fmt::format("{}{:.17g}", levels.empty() ? "" : ", ", x);
    const std::string task = "[task]\nkind='hybrid_current'\nT=0.05\ntau=1.5\n";
    const auto many = test::results(model_of(stacked_copies(weyl_lattice_tb(), copies, shift, 0.0), "many_hr.dat") + task +
                                    fmt::format("mu=[{}, {}]\nactive=[2, 3]\n", mu[0], mu[1]));
    const std::string one = model_of(weyl_lattice_tb(), "one_hr.dat") + task + "mu=[" + levels + "]\n";
    const auto hybridised = test::results(one + "active=[0, 1]\n");
    const auto single = test::results(one + "active=[0, 0]\n");
    double hybrid = 0.0;  // copy 1's hybridisation at these levels: what the active slots give
    for (const char* part : {"J", "J_band", "J_hybrid", "J_remote", "J_relaxation"}) {
        double scale = 0.0;
        for (const auto& level : single[part][0])
            for (const auto& x : level) scale = std::max(scale, std::fabs(x.get<double>()));
        for (std::size_t j = 0; j < mu.size(); ++j)
            for (int a = 0; a < 3; ++a) {
                double want = 0.0;
                for (int c = 0; c < copies; ++c) {
                    const auto l = std::lower_bound(shifted.begin(), shifted.end(), mu[j] - shift * c - 1e-12) - shifted.begin();
                    want += (c == 1 ? hybridised : single)[part][0][l][a].get<double>();
                    if (c == 1 && std::string(part) == "J_hybrid") hybrid += std::fabs(hybridised[part][0][l][a].get<double>());
                }
                EXPECT_NEAR(many[part][0][j][a].get<double>(), want, 1e-10 * (1.0 + scale)) << part << " " << j << " " << a;
            }
    }
    EXPECT_GT(hybrid, 1e-6);
}

}  // namespace

TEST(RuntimeWannier, HybridCurrentOfManyOrbitalsIsTheSumOfTheCopies) {
    expect_copies_hybrid_current(17);  // 34 orbitals: the run-time engine
    expect_copies_hybrid_current(3);   // 6 orbitals, padded to 8: the padding stays out of the remote sums
}

// The run-time engine's per-thread workspaces are checked against memory before any work
// (run_file.cpp, runtime_workspace_bytes): with the most threads bzint allows, a model whose
// workspaces need twice the budget (half this machine's memory) is refused, naming the model's key.
TEST(RuntimeWannier, WorkspacesBeyondMemoryAreRefusedBeforeAnyWork) {
    struct Threads {
        Threads() { workers::set_count(workers::kMaxThreads); }
        ~Threads() { workers::use_default_count(); }
    } threads;
    int W = kMaxCompiledWannier + 1;
    while (workers::kMaxThreads * runtime_workspace_bytes(W) < 2.0 * memory_budget_bytes()) W += 32;
    TbModel tb;
    tb.num_wann = W;
    tb.R = {{0, 0, 0}};
    tb.ndegen = {1};
    tb.H.assign(static_cast<std::size_t>(W) * W, 0.0);
    for (int m = 0; m < W; ++m) tb.H[static_cast<std::size_t>(m) * W + m] = 0.01 * m;
    tb.has_lattice = true;
    for (int a = 0; a < 3; ++a) tb.lattice[a][a] = 1.0;
    const test::TempDir dir;
    const std::string text = wannier_model_section(dir.path(), tb, "big_hr.dat") + "[mesh]\nn=[4,4,4]\n[task]\nkind='ahc'\nmu=[0]\n";
    try {
        test::results(text);
        ADD_FAILURE() << W << " orbitals on " << workers::count() << " threads were not refused";
    } catch (const InputError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("[model] hr"), std::string::npos) << what;
        EXPECT_NE(what.find(fmt::format("the workspaces of a {}-orbital model on {} threads", W, workers::kMaxThreads)),
                  std::string::npos)
            << what;
    }
}
