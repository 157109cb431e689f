// CPU and CUDA run the same per-k code: they must agree per k-point (1e-13) and in the
// reduced results. Skipped when no CUDA device is present.
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
#include "test_util.hpp"

using namespace bzint;

using bzint::test::defaults;

namespace {

// GTEST_SKIP returns from the enclosing function, so this must expand in the test body.
#define REQUIRE_DEVICE()                                                                                      \
    if (!cuda::available())                                                                                   \
    GTEST_SKIP() << "no CUDA device (CUDA backend compiled in: " << (cuda::compiled() ? "yes" : "no") << ")"

}  // namespace

class PerModel : public ::testing::TestWithParam<std::string> {};

TEST_P(PerModel, GeometryAgreesPerKPoint) {
    REQUIRE_DEVICE();
    const ModelInfo& info = *find_model(GetParam());
    const ModelParams mp = defaults(info);
    const long long n = info.dim == 3 ? 24 : info.dim == 2 ? 96 : 4096;
    const Mesh mesh = make_mesh(info, mp, {n, n, n});
    std::vector<BandGeometry> a(2 * mesh.count()), b(2 * mesh.count());
    geometry_on_mesh(Backend::cpu, mp, mesh, 0, mesh.count(), a.data());
    geometry_on_mesh(Backend::cuda, mp, mesh, 0, mesh.count(), b.data());
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
        for (int i = 0; i < 101; ++i) mu.push_back(-3.0 + 0.06 * i);
        for (double T : {0.0, 0.05}) {
            const ScanKind kind = T > 0 ? ScanKind::dipole : ScanKind::ahc;
            const ScanResult a = fermi_scan(Backend::cpu, mp, mesh, kind, mu, T, nullptr);
            const ScanResult b = fermi_scan(Backend::cuda, mp, mesh, kind, mu, T, nullptr);
            for (std::size_t i = 0; i < a.sea.size(); ++i) EXPECT_NEAR(a.sea[i], b.sea[i], 1e-12 * (1 + std::fabs(a.sea[i])));
            for (std::size_t i = 0; i < a.surface.size(); ++i)
                EXPECT_NEAR(a.surface[i], b.surface[i], 1e-12 * (1 + std::fabs(a.surface[i])));
        }
        const auto ca = chern_planes(Backend::cpu, mp, mesh, nullptr);
        const auto cb = chern_planes(Backend::cuda, mp, mesh, nullptr);
        for (std::size_t p = 0; p < ca.size(); ++p)
            for (std::size_t n = 0; n < ca[p].integral.size(); ++n) {
                EXPECT_NEAR(ca[p].integral[n], cb[p].integral[n], 1e-12);
                EXPECT_NEAR(ca[p].link[n], cb[p].link[n], 1e-12);
            }
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
        for (std::size_t i = 0; i < a.sea.size(); ++i) EXPECT_NEAR(a.sea[i], b.sea[i], 1e-12 * (1 + std::fabs(a.sea[i])));
        for (std::size_t i = 0; i < a.surface.size(); ++i)
            EXPECT_NEAR(a.surface[i], b.surface[i], 1e-12 * (1 + std::fabs(a.surface[i])));
    }
}

TEST(Backends, NBandScanAgrees) {
    REQUIRE_DEVICE();
    const ModelInfo& info = *find_model("qwz_pair");
    const ModelParams mp = defaults(info);
    const Mesh mesh = make_mesh(info, mp, {200, 200, 1});
    std::vector<double> mu;
    for (int i = 0; i < 41; ++i) mu.push_back(-3.0 + 0.15 * i);
    for (ScanKind kind : {ScanKind::ahc, ScanKind::dipole}) {
        const ScanResult a = fermi_scan(Backend::cpu, mp, mesh, kind, mu, 0.05, nullptr);
        const ScanResult b = fermi_scan(Backend::cuda, mp, mesh, kind, mu, 0.05, nullptr);
        for (std::size_t i = 0; i < a.sea.size(); ++i) EXPECT_NEAR(a.sea[i], b.sea[i], 1e-12 * (1 + std::fabs(a.sea[i])));
        for (std::size_t i = 0; i < a.surface.size(); ++i)
            EXPECT_NEAR(a.surface[i], b.surface[i], 1e-12 * (1 + std::fabs(a.surface[i])));
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
        f.hybrid = HybridSetup{{0.3, 0.1, 0.0}, 0, info.bands - 1, 2.0, 1e-5, 1e-9};
        const ScanResult a = fermi_scan(Backend::cpu, mp, mesh, ScanKind::hybrid, mu, 0.05, nullptr, f);
        const ScanResult b = fermi_scan(Backend::cuda, mp, mesh, ScanKind::hybrid, mu, 0.05, nullptr, f);
        for (std::size_t i = 0; i < a.sea.size(); ++i) EXPECT_NEAR(a.sea[i], b.sea[i], 1e-10 * (1 + std::fabs(a.sea[i]))) << name;
        for (std::size_t i = 0; i < a.surface.size(); ++i)
            EXPECT_NEAR(a.surface[i], b.surface[i], 1e-9 * (1 + std::fabs(a.surface[i]))) << name;
    }
}

TEST(Backends, WannierScanAgrees) {
    // bcc Fe (16 orbitals): the CPU's FFT interpolation against the device's direct sum, ahc and
    // the hybridised-band current over E_F ± 0.5 eV on a 12³ mesh.
    REQUIRE_DEVICE();
    const std::string fe = std::string(BZINT_SOURCE_DIR) + "/../shared/data/wannier/Fe_hr.dat";
    if (!std::filesystem::exists(fe)) GTEST_SKIP() << "no ../shared/data/wannier (clone without data)";
    const RunConfig cfg = read_common(RunFile::parse(
        fmt::format("[model]\nname='wannier'\nhr='{}'\nlattice=[[1.435,1.435,-1.435],[-1.435,1.435,1.435],[1.435,-1.435,1.435]]\n"
                    "[mesh]\nn=[12,12,12]\n[task]\nkind='ahc'\nmu=9.0\n",
                    fe),
        "fe.toml"));
    const Mesh mesh = make_mesh(*cfg.model, cfg.params, {12, 12, 12});
    std::vector<double> mu;
    for (int i = 0; i < 11; ++i) mu.push_back(8.6839 + 0.1 * i);
    ScanFields f{};
    f.hybrid = HybridSetup{{0.0, 0.0, 1e-3}, 7, 9, 0.0, 1e-5, 1e-9};
    for (ScanKind kind : {ScanKind::ahc, ScanKind::hybrid}) {
        const ScanResult a = fermi_scan(Backend::cpu, cfg.params, mesh, kind, mu, 0.02, nullptr, f);
        const ScanResult b = fermi_scan(Backend::cuda, cfg.params, mesh, kind, mu, 0.02, nullptr, f);
        ASSERT_EQ(a.sea.size(), b.sea.size());
        for (std::size_t i = 0; i < a.sea.size(); ++i) EXPECT_NEAR(a.sea[i], b.sea[i], 1e-9 * (1 + std::fabs(a.sea[i])));
    }
}

TEST(Backends, DcLinesAgreePerLine) {
    REQUIRE_DEVICE();
    QmeParams q{};
    q.kind = Dissipation::dpa;
    q.gamma = 0.05;
    q.d1 = q.d2 = true;
    q.mu = 0.2;
    q.T = 0.1;
    q.E[0] = 0.1;
    const double period = kTwoPi / 0.1;
    std::vector<double> k0;
    for (int l = 0; l < 16; ++l) k0.insert(k0.end(), {0.0, kTwoPi * l / 16, 0.0});
    for (const char* name : {"qwz", "qwz_pair"}) {
        const ModelInfo& info = *find_model(name);
        const ModelParams mp = defaults(info);
        std::vector<LineCurrent> gpu;
        cuda::dc_lines(mp, info.bands, q, k0, period, 800, gpu);
        for (int l = 0; l < 16; ++l) {
            LineCurrent cpu{};
            if (info.bands == 2) {
                visit_model(mp, [&](auto m) { cpu = two_band_periodic_line(m, q, &k0[3 * l], period, 800); });
            } else {
                visit_nband_model(mp, [&](auto m) {
                    using M = decltype(m);
                    std::vector<double> work(nband_workspace_doubles<M::bands>());
                    cpu = nband_periodic_line<M::bands>(m, q, &k0[3 * l], period, 800, work.data());
                });
            }
            for (int a = 0; a < 2; ++a) EXPECT_NEAR(cpu.J[a], gpu[l].J[a], 1e-12 * (1 + std::fabs(cpu.J[a]))) << name << " line " << l;
        }
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
