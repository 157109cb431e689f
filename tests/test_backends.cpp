// CPU and CUDA run the same per-k code: they must agree per k-point (1e-13) and in the
// reduced results (tests/device_test_util.hpp). Skipped when no CUDA device is present; run in
// full by the emulated build (ctest -L device).
#include <gtest/gtest.h>

#include <cmath>
#include <fmt/core.h>
#include <filesystem>

#include "bzint/qme/nband_dc.hpp"
#include "cuda_backend.hpp"
#include "qme/fermi_poles.hpp"
#include "engine.hpp"
#include "model_registry.hpp"
#include "run_file.hpp"
#include "device_test_util.hpp"
#include "test_util.hpp"

using namespace bzint;

using bzint::test::defaults;

using bzint::test::expect_backends_agree;

class PerModel : public ::testing::TestWithParam<std::string> {};

TEST_P(PerModel, GeometryAgreesPerKPoint) {
    REQUIRE_DEVICE();
    const ModelInfo& info = *find_model(GetParam());
    const ModelParams mp = defaults(info);
    const long long n = info.dim == 3 ? 24 : info.dim == 2 ? 96 : 4096;
    const Mesh mesh = make_mesh(info, mp, {n, n, n});
    const auto k = test::mesh_points(mesh);
    const std::vector<BandGeometry> a = geometry_at_points(Backend::cpu, mp, k), b = geometry_at_points(Backend::cuda, mp, k);
    auto close = [](double x, double y) { return std::fabs(x - y) <= 1e-13 * (1 + std::fabs(x)); };
    for (long long i = 0; i < 2 * mesh.count(); ++i) {
        ASSERT_TRUE(close(a[i].energy, b[i].energy)) << "k-point " << i / 2 << " band " << i % 2;
        for (int c = 0; c < 3; ++c) {
            ASSERT_TRUE(close(a[i].v[c], b[i].v[c])) << "k-point " << i / 2 << " v" << c;
            ASSERT_TRUE(close(a[i].omega[c], b[i].omega[c])) << "k-point " << i / 2 << " omega" << c;
            ASSERT_TRUE(close(a[i].m[c], b[i].m[c])) << "k-point " << i / 2 << " m" << c;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(BuiltIn, PerModel,
                         ::testing::Values("landau_zener", "dirac2d", "ti_surface", "tilted_dirac", "qwz", "haldane",
                                           "weyl_lattice"));

TEST(Backends, FermiScanAndChernAgree) {
    REQUIRE_DEVICE();
    for (const char* name : {"haldane", "weyl_lattice"}) {
        const ModelInfo& info = *find_model(name);
        ModelParams mp = defaults(info);
        if (info.dim == 3) mp.p[3] = 0.3;
        const long long n = info.dim == 3 ? 40 : 300;
        const Mesh mesh = make_mesh(info, mp, {n, n, n});
        std::vector<double> mu;
        // Levels off the models' exact energies (test_device_paths.cpp, LightHistogramAtSmallTemperature).
        for (int i = 0; i < 101; ++i) mu.push_back(-2.9973 + 0.06 * i);
        for (double T : {0.0, 0.05}) {
            const ScanKind kind = T > 0 ? ScanKind::dipole : ScanKind::ahc;
            const ScanResult a = fermi_scan(Backend::cpu, mp, mesh, kind, mu, T, nullptr);
            const ScanResult b = fermi_scan(Backend::cuda, mp, mesh, kind, mu, T, nullptr);
            // Each entry against its L1 mass (the reference path's sums of |channel value|): the
            // dipole's surface terms vanish by symmetry to ~1e-10, sums of terms of either sign.
            const ScanResult mass = fermi_scan_reference(mp, mesh, kind, mu, T, {}, true);
            expect_backends_agree(a.sea, b.sea, std::string(name) + " sea", 1e-13, true, test::scan_mass_scale(mass.sea));
            expect_backends_agree(a.surface, b.surface, std::string(name) + " surface", 1e-13, true,
                                  test::scan_mass_scale(mass.surface));
        }
        const auto ca = chern_planes(Backend::cpu, mp, mesh, nullptr);
        const auto cb = chern_planes(Backend::cuda, mp, mesh, nullptr);
        // A Chern integral's unit is 1 (an integer invariant); its value here is the discretisation
        // error of a plane near the Weyl nodes (~1e-6), a sum of plaquettes of either sign.
        for (std::size_t p = 0; p < ca.size(); ++p)
            expect_backends_agree(ca[p].integral, cb[p].integral, std::string(name) + " Chern integral", 1e-13, true,
                                  test::uniform_scale(ca[p].integral.size(), 1.0));
    }
}

TEST(Backends, SemiclassicalScansAgree) {
    REQUIRE_DEVICE();
    const ModelInfo& info = *find_model("ti_surface");
    const ModelParams mp = defaults(info);
    const Mesh mesh = make_mesh(info, mp, {200, 200, 1});
    std::vector<double> mu;
    for (int i = 0; i < 41; ++i) mu.push_back(-2.0 + 0.1 * i);
    const ScanFields fields{{0.0, 0.0, 0.02}, {0.01, 0.0, 0.0}, {0.05, 0.0, 0.0}};
    for (ScanKind kind : {ScanKind::streda, ScanKind::spin_density}) {
        const ScanResult a = fermi_scan(Backend::cpu, mp, mesh, kind, mu, 0.05, nullptr, fields);
        const ScanResult b = fermi_scan(Backend::cuda, mp, mesh, kind, mu, 0.05, nullptr, fields);
        expect_backends_agree(a.sea, b.sea, "semiclassical sea");
        expect_backends_agree(a.surface, b.surface, "semiclassical surface");
    }
}

TEST(Backends, NBandScanAgrees) {
    REQUIRE_DEVICE();
    const ModelInfo& info = *find_model("qwz_pair");
    const ModelParams mp = defaults(info);
    const Mesh mesh = make_mesh(info, mp, {200, 200, 1});
    std::vector<double> mu;
    for (int i = 0; i < 41; ++i) mu.push_back(-3.0 + 0.15 * i);
    // N-band per-k values come from an iterative eigen-solver whose vectors carry ~ε‖H‖/Δ per k
    // (Δ the smallest gap between the copies' bands): 1e-10 of the Hall conductance's magnitude (the
    // ahc scan's largest entry), as for the per-k geometry below.
    const ScanResult a = fermi_scan(Backend::cpu, mp, mesh, ScanKind::ahc, mu, 0.05, nullptr);
    const ScanResult b = fermi_scan(Backend::cuda, mp, mesh, ScanKind::ahc, mu, 0.05, nullptr);
    const double sea_scale = test::largest_magnitude(a.sea);
    ASSERT_GT(sea_scale, 0.1) << "qwz_pair's Hall conductance is of order 1";
    expect_backends_agree(a.sea, b.sea, "N-band sea", 1e-10, true, test::uniform_scale(a.sea.size(), sea_scale));
    // Its Berry-curvature dipole (surface terms only) vanishes, Ω being even and v odd under k → −k:
    // on both backends, zero within the same bound (the values differ from each other by their size).
    const ScanResult da = fermi_scan(Backend::cpu, mp, mesh, ScanKind::dipole, mu, 0.05, nullptr);
    const ScanResult db = fermi_scan(Backend::cuda, mp, mesh, ScanKind::dipole, mu, 0.05, nullptr);
    ASSERT_EQ(da.surface.size(), db.surface.size());
    for (std::size_t i = 0; i < da.surface.size(); ++i) {
        EXPECT_LE(std::fabs(da.surface[i]), 1e-10 * sea_scale) << "CPU dipole [" << i << "]";
        EXPECT_LE(std::fabs(db.surface[i]), 1e-10 * sea_scale) << "device dipole [" << i << "]";
    }
    const std::vector<std::array<double, 3>> k{{0.1, 0.2, 0.0}, {1.3, -0.7, 0.0}};
    const auto ga = geometry_at_points(Backend::cpu, mp, k), gb = geometry_at_points(Backend::cuda, mp, k);
    for (std::size_t i = 0; i < ga.size(); ++i) EXPECT_NEAR(ga[i].omega[2], gb[i].omega[2], 1e-10);
}

TEST(Backends, HybridScanAgrees) {
    REQUIRE_DEVICE();
    std::vector<double> mu;
    for (int i = 0; i < 21; ++i) mu.push_back(-3.0 + 0.3 * i);
    for (const char* name : {"qwz", "qwz_pair"}) {
        const ModelInfo& info = *find_model(name);
        const ModelParams mp = defaults(info);
        const Mesh mesh = make_mesh(info, mp, {120, 120, 1});
        ScanFields f{};
        f.hybrid = HybridSetup{{0.3, 0.1, 0.0}, 0, info.bands - 1, 2.0, 1e-5, 1e-9, info.bands};
        const ScanResult a = fermi_scan(Backend::cpu, mp, mesh, ScanKind::hybrid, mu, 0.05, nullptr, f);
        const ScanResult b = fermi_scan(Backend::cuda, mp, mesh, ScanKind::hybrid, mu, 0.05, nullptr, f);
        // E·∇E_i is a central difference with step 1e-5: it amplifies per-k ulps ~1e5 times.
        expect_backends_agree(a.sea, b.sea, std::string(name) + " hybrid sea", 1e-10);
        expect_backends_agree(a.surface, b.surface, std::string(name) + " hybrid surface", 1e-9);
    }
}

TEST(Backends, WannierScanAgrees) {
    // A 16-orbital model — bcc Fe when ../shared/data is beside the clone, else 8 coupled copies of
    // the Weyl lattice (tests/device_test_util.hpp) — through the device's Wannier<16> kernels:
    // the CPU's FFT interpolation against the device's direct sum, ahc and the hybridised-band
    // current on a 12³ mesh. Two methods: they agree to the rounding of the Fourier sums (1e-9).
    REQUIRE_DEVICE();
    const test::TempDir dir;
    const std::string fe = std::string(BZINT_SOURCE_DIR) + "/../shared/data/wannier/Fe_hr.dat";
    const bool have_fe = std::filesystem::exists(fe);
    const std::string model =
        have_fe ? fmt::format("[model]\nname='wannier'\nhr='{}'\nlattice=[[1.435,1.435,-1.435],[-1.435,1.435,1.435],"
                              "[1.435,-1.435,1.435]]\n",
                              fe)
                : test::tiled_wannier_model(dir.path(), 8);
    const RunConfig cfg =
        read_common(RunFile::parse(model + "interpolation='fft'\n[mesh]\nn=[12,12,12]\n[task]\nkind='ahc'\nmu=9.0\n", "w.toml"));
    const Mesh mesh = make_mesh(*cfg.model, cfg.params, {12, 12, 12});
    std::vector<double> mu;
    const double mu0 = have_fe ? 8.6839 : -0.5;
    for (int i = 0; i < 11; ++i) mu.push_back(mu0 + 0.1 * i);
    ScanFields f{};
    f.hybrid = HybridSetup{{0.0, 0.0, 1e-3}, have_fe ? 7 : 6, 9, 0.0, 1e-5, 1e-9, 16};
    for (ScanKind kind : {ScanKind::ahc, ScanKind::hybrid}) {
        const ScanResult a = fermi_scan(Backend::cpu, cfg.params, mesh, kind, mu, 0.02, nullptr, f);
        const ScanResult b = fermi_scan(Backend::cuda, cfg.params, mesh, kind, mu, 0.02, nullptr, f);
        expect_backends_agree(a.sea, b.sea, have_fe ? "Fe" : "tiled Weyl", 1e-9, false);
    }
}

TEST(Backends, ExactLinesAgreePerLine) {
    REQUIRE_DEVICE();
    const double u = -1.0;
    const ModelParams mp{find_model("qwz")->id, {u}};
    QmeParams q{};
    q.kind = Dissipation::exact;
    q.gamma = 0.05;
    q.mu = 0.2;
    q.T = 0.1;
    q.E[0] = 0.1;
    const double period = kTwoPi / 0.1;
    const int steps = 600, P = 16;
    const ExactSetup setup(ozaki_poles(P), q.gamma, q.T, period / steps);
    const ExactParams& x = setup.x;
    std::vector<double> k0;
    for (int l = 0; l < 8; ++l) k0.insert(k0.end(), {0.0, kTwoPi * l / 8, 0.0});
    std::vector<LineCurrent> gpu;
    cuda::dc_lines_exact(mp, 2, q, x, k0, period, steps, gpu);
    const AsNBand<models::Qwz> model{models::Qwz(&u)};
    std::vector<cplx> work(exact_workspace<2>(P));
    for (int l = 0; l < 8; ++l) {
        const LineCurrent cpu = exact_periodic_line<2>(model, q, x, &k0[3 * l], period, steps, work.data());
        for (int a = 0; a < 2; ++a) EXPECT_NEAR(cpu.J[a], gpu[l].J[a], 1e-12 * (1 + std::fabs(cpu.J[a]))) << "line " << l;
    }
}
