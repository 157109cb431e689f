// The Fermi scan's contract: one pass equals single-level runs; finite T agrees with the
// exact per-level reference; results are bitwise independent of the thread count.
#include <gtest/gtest.h>

#include <cmath>

#include "cpu_launch.hpp"
#include "engine.hpp"
#include "workers.hpp"
#include "model_registry.hpp"

using namespace bzint;

namespace {

ModelParams haldane() { return ModelParams{find_model("haldane")->id, {1.0, 0.15, 0.7, 0.1}}; }

Mesh mesh_for(const ModelParams& mp, long long n) {
    const ModelInfo& info = model_infos()[mp.id];
    return make_mesh(info, mp, {n, n, n});
}

std::vector<double> levels(int count, double lo, double hi) {
    std::vector<double> mu(count);
    for (int i = 0; i < count; ++i) mu[i] = lo + (hi - lo) * i / (count - 1);
    return mu;
}

}  // namespace

TEST(FermiScan, ThousandLevelsEqualThousandSingleRuns) {
    const ModelParams mp = haldane();
    const Mesh mesh = mesh_for(mp, 48);
    const auto mu = levels(1000, -3.2, 3.2);
    const ScanResult all = fermi_scan(Backend::cpu, mp, mesh, ScanKind::ahc, mu, 0.0, nullptr);
    double scale = 0;
    for (int j = 0; j < 1000; ++j) scale = std::max(scale, std::fabs(all.sea_at(j, 0, 0)));
    for (int j = 0; j < 1000; ++j) {
        const ScanResult one = fermi_scan(Backend::cpu, mp, mesh, ScanKind::ahc, {mu[j]}, 0.0, nullptr);
        for (int band = 0; band < 2; ++band)
            ASSERT_NEAR(all.sea_at(j, band, 0), one.sea_at(0, band, 0), 1e-12 * scale) << "level " << j << " band " << band;
    }
}

TEST(FermiScan, ZeroTemperatureMatchesDirectSum) {
    const ModelParams mp = haldane();
    const Mesh mesh = mesh_for(mp, 40);
    const auto mu = levels(37, -3.0, 3.0);
    const ScanResult a = fermi_scan(Backend::cpu, mp, mesh, ScanKind::ahc, mu, 0.0, nullptr);
    const ScanResult b = fermi_scan_reference(mp, mesh, ScanKind::ahc, mu, 0.0);
    for (std::size_t i = 0; i < a.sea.size(); ++i) EXPECT_NEAR(a.sea[i], b.sea[i], 1e-12 * (1 + std::fabs(b.sea[i])));
}

// The binned scan a against the exact reference b, to 1e-6 of the largest value of each kind.
void expect_close_scans(const ScanResult& a, const ScanResult& b) {
    double scale_sea = 1e-300, scale_surf = 1e-300;
    for (double x : b.sea) scale_sea = std::max(scale_sea, std::fabs(x));
    for (double x : b.surface) scale_surf = std::max(scale_surf, std::fabs(x));
    for (std::size_t i = 0; i < a.sea.size(); ++i) EXPECT_NEAR(a.sea[i], b.sea[i], 1e-6 * scale_sea) << i;
    for (std::size_t i = 0; i < a.surface.size(); ++i) EXPECT_NEAR(a.surface[i], b.surface[i], 1e-6 * scale_surf) << i;
}

TEST(FermiScan, FiniteTemperatureMatchesExactFermiFunction) {
    // The binned convolution (moments 0..2 on a T/32 grid) against f and −∂f/∂ε evaluated
    // exactly for every level and k-point: error O((h/T)³) ~ 1e-7 relative.
    // The dipole needs broken rotation symmetry: the tilted Dirac cone (Haldane's vanishes by C3).
    const ModelParams tilted{find_model("tilted_dirac")->id, {0.3, 1.0, 1.0, 0.2, 3.0}};
    for (ScanKind kind : {ScanKind::ahc, ScanKind::dipole}) {
        const ModelParams mp = kind == ScanKind::ahc ? haldane() : tilted;
        const Mesh mesh = mesh_for(mp, 120);
        const auto mu = levels(25, -2.5, 2.5);
        const double T = 0.05;
        expect_close_scans(fermi_scan(Backend::cpu, mp, mesh, kind, mu, T, nullptr), fermi_scan_reference(mp, mesh, kind, mu, T));
    }
}

TEST(FermiScan, SemiclassicalKindsMatchExactFermiFunction) {
    // streda and spin_density, with B and a displaced distribution: the binned energies are
    // the magnetic ones ε − m·B at k + τE; the reference evaluates f there exactly.
    const ModelParams mp{find_model("tilted_dirac")->id, {0.3, 1.0, 1.0, 0.2, 3.0}};
    const Mesh mesh = mesh_for(mp, 120);
    const auto mu = levels(25, -2.5, 2.5);
    const double T = 0.05;
    const ScanFields fields{{0.0, 0.0, 0.03}, {0.02, -0.01, 0.0}, {0.1, -0.05, 0.0}};
    for (ScanKind kind : {ScanKind::streda, ScanKind::spin_density}) {
        expect_close_scans(fermi_scan(Backend::cpu, mp, mesh, kind, mu, T, nullptr, fields),
                           fermi_scan_reference(mp, mesh, kind, mu, T, fields));
    }
}

TEST(FermiScan, BitwiseIndependentOfThreadCount) {
    const ModelParams mp{find_model("weyl_lattice")->id, {1.0, 1.0, 1.0, 0.3}};
    const Mesh mesh = mesh_for(mp, 44);  // 85184 points: 11 reduction blocks of 8192, one partial
    const auto mu = levels(11, -2.0, 2.0);
    const int saved = workers::count();
    std::vector<std::vector<double>> runs;
    for (int threads : {1, 2, 3, 4, 7}) {
        workers::set_count(threads);
        const ScanResult r = fermi_scan(Backend::cpu, mp, mesh, ScanKind::cme, mu, 0.05, nullptr);
        std::vector<double> v = r.sea;
        v.insert(v.end(), r.surface.begin(), r.surface.end());
        runs.push_back(v);
    }
    workers::set_count(saved);
    for (std::size_t t = 1; t < runs.size(); ++t)
        for (std::size_t i = 0; i < runs[0].size(); ++i) ASSERT_EQ(runs[t][i], runs[0][i]) << "entry " << i;
}

TEST(FermiScan, DegeneracyOnTheMeshIsAnErrorNamingTheKPoint) {
    // qwz at u = 0 closes the gap at (0, π) and (π, 0), which a 32² Γ-centred mesh contains.
    const ModelParams mp{find_model("qwz")->id, {0.0}};
    const Mesh mesh = mesh_for(mp, 32);
    try {
        fermi_scan(Backend::cpu, mp, mesh, ScanKind::ahc, {0.0}, 0.0, nullptr);
        FAIL() << "expected NonFiniteError";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("mesh point 16 "), std::string::npos) << e.what();  // (0, π): n = (0, 16)
    }
}

TEST(BlockReducer, TinyBlocksOnManyThreadsGiveTheSameBits) {
    // The reducer's hand-over under stress: blocks of 16 points (so the ring and the histograms
    // are full most of the time and folds interleave with sums), 3 to 16 threads on this machine's
    // cores, repeated: every run must give the bits of one thread. At T = 0.05 the histogram is
    // kept compensated per block; at T = 0.005 (~2.5e5 rows, over 1 MiB) it is a light one.
    const ModelParams mp = haldane();
    const Mesh mesh = mesh_for(mp, 97);  // 9409 points: 589 blocks, the last one partial
    for (double T : {0.05, 0.005}) {
    const Binning bins = make_binning(levels(41, -3.0, 3.0), T);
    auto reduce = [&] {
        std::vector<Neumaier> total;
        visit_model(mp, [&](auto model) {
            const ScanFn<decltype(model)> fn{model, mesh, ScanKind::ahc, bins, {}, 0.0};
            EXPECT_EQ(cpu::keyed_reduce(fn, mesh.count(), total, nullptr, nullptr, 16), -1);
        });
        std::vector<double> v;
        for (const auto& t : total) v.push_back(t.value());
        return v;
    };
    const int saved = workers::count();
    workers::set_count(1);
    const auto one = reduce();
    for (int threads : {3, 7, 16})
        for (int repeat = 0; repeat < 5; ++repeat) {
            workers::set_count(threads);
            ASSERT_EQ(reduce(), one) << threads << " threads, repeat " << repeat << ", T = " << T;
        }
    workers::set_count(saved);
    }
}

TEST(Binning, ANonFiniteEnergyGoesToBinZero) {
    // A NaN energy (reported as a non-finite point) must land in a defined bin on every backend:
    // before, the evenly spaced branch converted NaN to int (undefined; INT_MIN on x86, then an
    // out-of-bounds read of levels[INT_MIN]).
    const std::vector<double> even = {-1.0, -0.5, 0.0, 0.5, 1.0}, uneven = {-1.0, -0.2, 0.0, 0.7};
    for (const auto* levels : {&even, &uneven}) {
        const Binning bins = make_binning(*levels, 0.0);
        double offset = 1.0;
        EXPECT_EQ(bins.bin_of(std::nan(""), offset), 0);
        EXPECT_EQ(offset, 0.0);
        EXPECT_EQ(bins.bin_of(0.1, offset), 3);
    }
    const Binning fine = make_binning(even, 0.05);
    double offset = 1.0;
    EXPECT_EQ(fine.bin_of(std::nan(""), offset), 0);
}
