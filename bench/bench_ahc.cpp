// Throughput of the `ahc` Fermi scan: k-points per second on haldane (2D) and weyl_lattice
// (3D), 1 and 1000 Fermi levels, CPU and (when a device is present) CUDA.
//
//   build/bzint_bench --benchmark_format=json --benchmark_out=bench/results/<name>.json
//
// Mesh sizes run from 2^12 to 2^BZINT_BENCH_MAX_LOG2 points (environment; default 24, up to
// 30 — a 2^30 mesh streams in bounded memory but takes ~1 min per iteration on 2 cores).
// Counters: kpoints_per_second, fp64_flops_per_second (hand-counted arithmetic per k-point,
// transcendentals excluded: see kFlopsPerK), peak_rss_MiB (host).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "cuda_backend.hpp"
#include "engine.hpp"
#include "model_registry.hpp"
#include "parallel_sum.hpp"
#include "symmetry/irreducible_mesh.hpp"
#include "workers.hpp"
#include "wannier/export_model.hpp"
#include "wannier/runtime_wannier.hpp"
#include "wannier/wannier_model.hpp"

using namespace bzint;

namespace {

// Arithmetic per k-point (both bands): model H(k) and derivatives + two-band geometry
// (~140) + binning; sincos calls not counted. Haldane: 3 sincos + ~130 model flops;
// weyl_lattice: 3 sincos + ~30.
double flops_per_k(const std::string& model) { return model == "haldane" ? 290.0 : 190.0; }

double peak_rss_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024.0;
}

void BM_ahc(benchmark::State& state, std::string model, Backend backend) {
    if (backend == Backend::cuda && !cuda::available()) {
        state.SkipWithError("no CUDA device");
        return;
    }
    const ModelInfo& info = *find_model(model);
    ModelParams mp{info.id, {}};
    for (std::size_t i = 0; i < info.params.size(); ++i) mp.p[i] = info.params[i].default_value;
    if (model == "haldane") mp.p[3] = 0.2;  // M: gapped
    const int log2n = static_cast<int>(state.range(0));
    const int levels = static_cast<int>(state.range(1));
    std::array<long long, 3> n{1, 1, 1};
    for (int a = 0; a < info.dim; ++a) n[a] = 1LL << (log2n / info.dim + (a < log2n % info.dim ? 1 : 0));
    const Mesh mesh = make_mesh(info, mp, n);
    std::vector<double> mu(levels);
    for (int i = 0; i < levels; ++i) mu[i] = levels == 1 ? 0.0 : -3.5 + 7.0 * i / (levels - 1);
    for (auto _ : state) {
        const ScanResult r = fermi_scan(backend, mp, mesh, ScanKind::ahc, mu, 0.0, nullptr);
        benchmark::DoNotOptimize(r.sea.data());
    }
    const double k = static_cast<double>(mesh.count()) * state.iterations();
    state.counters["kpoints"] = static_cast<double>(mesh.count());
    state.counters["kpoints_per_second"] = benchmark::Counter(k, benchmark::Counter::kIsRate);
    state.counters["fp64_flops_per_second"] = benchmark::Counter(k * flops_per_k(model), benchmark::Counter::kIsRate);
    state.counters["peak_rss_MiB"] = peak_rss_mib();
    state.SetLabel(std::string(backend_name(backend)) + (backend == Backend::cuda ? " " + cuda::device_name() : ""));
}

// bcc Fe from ../shared/data/wannier/Fe_hr.dat (16 bands, 1367 R, CPU): the AHC over E_F ± 1 eV
// with 1000 levels at T = 0.01 eV on an n³ mesh, H and ∂H by FFT interpolation (the default) or by
// the direct Fourier sum per k (the reference path). Skipped without the data.
void BM_fe_wannier(benchmark::State& state, bool fft) {
    const std::string path = std::string(BZINT_SOURCE_DIR) + "/../shared/data/wannier/Fe_hr.dat";
    if (!std::filesystem::exists(path)) {
        state.SkipWithError("no ../shared/data/wannier/Fe_hr.dat");
        return;
    }
    const double lattice[3][3] = {{1.435, 1.435, -1.435}, {-1.435, 1.435, 1.435}, {1.435, -1.435, 1.435}};
    static ModelParams mp;
    static const std::shared_ptr<ModelInfo> info =
        register_wannier(make_wannier(read_hr(path), lattice, PositionTerms::none), mp);  // registered for the process
    const_cast<LoadedWannier&>(wannier_of(mp)).interpolation = fft ? Interpolation::fft : Interpolation::direct;
    const long long n = state.range(0);
    const Mesh mesh = make_mesh(*info, mp, {n, n, n});
    std::vector<double> mu(1000);
    for (int i = 0; i < 1000; ++i) mu[i] = 8.1839 + 2.0 * i / 999;
    for (auto _ : state) {
        const ScanResult r = fermi_scan(Backend::cpu, mp, mesh, ScanKind::ahc, mu, 0.01, nullptr);
        benchmark::DoNotOptimize(r.sea.data());
    }
    const double k = static_cast<double>(mesh.count()) * state.iterations();
    state.counters["kpoints"] = static_cast<double>(mesh.count());
    state.counters["kpoints_per_second"] = benchmark::Counter(k, benchmark::Counter::kIsRate);
    // Per k: the eigensolver (reduction 16/3 N³, ~330 QL rotations × 6N, back-transform 8 N³:
    // ~0.09 Mflop) and the velocity matrices (3 × 2 × 16³ × 8 = 0.2 Mflop), ~0.29 Mflop with the
    // Kubo sums; plus H and ∂H: direct, 1367 R × 256 elements × 4 complex multiply-adds (8 flops)
    // = 11.2 Mflop; FFT, 2 · 16 · 17 = 544 transforms × 5 log2(points per chunk), the chunk at most
    // the default 64 MiB / (544 × 16 B) ≈ 7 700 points.
    const double interp = fft ? 544.0 * 5 * std::log2(std::min<double>(mesh.count(), 7700.0)) : 11.2e6;
    state.counters["fp64_flops_per_second"] = benchmark::Counter(k * (interp + 0.29e6), benchmark::Counter::kIsRate);
    state.counters["peak_rss_MiB"] = peak_rss_mib();
    state.SetLabel(fft ? "cpu, FFT interpolation" : "cpu, direct Fourier sum (reference path)");
}

// `copies` copies of weyl_lattice exported as a Wannier model (2 orbitals each,
// copy j's levels raised by 0.1 j eV so that no two copies are degenerate everywhere), W = 2 copies
// orbitals in one tight-binding model.
TbModel weyl_copies(int copies) {
    const ModelInfo& info = *find_model("weyl_lattice");
    ModelParams mp{info.id, {}};
    for (std::size_t i = 0; i < info.params.size(); ++i) mp.p[i] = info.params[i].default_value;
    return stacked_copies(export_model(info, mp), copies, 0.1, 0.0);
}

// The N-band engine's cost against N (the compiled sizes 8, 16, 32; 64 and 128 by the run-time-sized
// engine, wannier/runtime_wannier.hpp): `ahc` with 1000 levels at T = 0.01 on a 24³ mesh by FFT,
// the model weyl_copies(N/2). Per k the work grows as N³ (the eigensolver and the velocity
// transforms) plus N² log (the FFT tables).
void BM_nband_scaling(benchmark::State& state) {
    const int N = static_cast<int>(state.range(0));
    TbModel tb = weyl_copies(N / 2);
    double lattice[3][3];
    std::copy(&tb.lattice[0][0], &tb.lattice[0][0] + 9, &lattice[0][0]);
    ModelParams mp;
    const std::shared_ptr<ModelInfo> info = register_wannier(make_wannier(std::move(tb), lattice, PositionTerms::none), mp);
    const_cast<LoadedWannier&>(wannier_of(mp)).interpolation = Interpolation::fft;  // as measured before `auto`
    const Mesh mesh = make_mesh(*info, mp, {24, 24, 24});
    std::vector<double> mu(1000);
    for (int i = 0; i < 1000; ++i) mu[i] = -1.0 + 2.0 * i / 999;
    for (auto _ : state) {
        const ScanResult r = fermi_scan(Backend::cpu, mp, mesh, ScanKind::ahc, mu, 0.01, nullptr);
        benchmark::DoNotOptimize(r.sea.data());
    }
    state.counters["orbitals"] = N;
    state.counters["kpoints_per_second"] =
        benchmark::Counter(static_cast<double>(mesh.count()) * state.iterations(), benchmark::Counter::kIsRate);
    state.SetLabel("cpu, FFT interpolation, weyl_lattice copies");
}

// Which engine for 17–32 orbitals (kMaxCompiledWannier, wannier/runtime_wannier.hpp): the band
// geometry per k-point on one thread, H(k) by the direct sum, of weakly coupled weyl_lattice copies
// (W = range(0) orbitals) by the compiled engine (models::Wannier<16>, or <32> padded) or by the
// run-time one.
void BM_engine_choice(benchmark::State& state, bool runtime) {
    const int W = static_cast<int>(state.range(0));
    const ModelInfo& info = *find_model("weyl_lattice");
    ModelParams one{info.id, {}};
    for (std::size_t i = 0; i < info.params.size(); ++i) one.p[i] = info.params[i].default_value;
    TbModel tb = stacked_copies(export_model(info, one), W / 2, 0.1, 0.05);
    double lattice[3][3];
    std::copy(&tb.lattice[0][0], &tb.lattice[0][0] + 9, &lattice[0][0]);
    const std::shared_ptr<const LoadedWannier> w = make_wannier(std::move(tb), lattice, PositionTerms::none);
    const WannierData d = w->view();
    std::vector<BandGeometry> g(32);
    long long points = 0;
    auto compiled = [&](auto model, const double k[3]) {
        constexpr int N = decltype(model)::bands;
        NBandPoint<N> h;
        model(k, h);
        BandGeometry a[N];
        nband_geometry<N>(h, a);
        g[0] = a[0];
    };
    for (auto _ : state)
        for (int i = 0; i < 200; ++i, ++points) {
            const double k[3] = {0.013 * i, 0.021 * i, 0.034 * i};
            if (runtime)
                runtime_wannier_geometry(d, k, g.data());
            else if (W <= 16)
                compiled(models::Wannier<16>{d}, k);
            else
                compiled(models::Wannier<32>{d}, k);
            benchmark::DoNotOptimize(g.data());
        }
    state.counters["orbitals"] = W;
    state.counters["kpoints_per_second"] = benchmark::Counter(static_cast<double>(points), benchmark::Counter::kIsRate);
    state.SetLabel(runtime ? "run-time-sized engine (Eigen)" : W <= 16 ? "compiled Wannier<16>" : "compiled Wannier<32>, padded");
}

// [mesh] symmetry: the wall time of a reduced scan (the stars and the symmetrisation included)
// against the full mesh's, `ahc` with 1000 levels at T = 0.01, H(k) as interpolation = "auto"
// chooses (the label says which), for models whose symmetry
// is exact: the cubic weyl_lattice exported (4/mm'm', order 16), 8 copies of it as one 16-orbital
// model (the size of bcc Fe, the same group), and the hexagonal haldane exported with its orbital
// positions (C3z, Mx·θ, Mz: order 12); the argument is the mesh's side.
void BM_symmetry(benchmark::State& state, std::string model, bool reduced) {
    const ModelInfo& weyl = *find_model("weyl_lattice");
    const ModelInfo& haldane = *find_model("haldane");
    ModelParams params{weyl.id, {}};
    const ModelInfo& built_in = model == "haldane" ? haldane : weyl;
    params.id = built_in.id;
    for (std::size_t i = 0; i < built_in.params.size(); ++i) params.p[i] = built_in.params[i].default_value;
    if (model == "haldane") params.p[3] = 0.2;  // M: gapped, C6 broken, C3 kept
    TbModel tb = model == "weyl_copies" ? weyl_copies(8) : export_model(built_in, params);
    double lattice[3][3];
    std::copy(&tb.lattice[0][0], &tb.lattice[0][0] + 9, &lattice[0][0]);
    ModelParams mp;
    const auto terms = model == "haldane" ? PositionTerms::diagonal : PositionTerms::none;
    const std::shared_ptr<ModelInfo> info = register_wannier(make_wannier(std::move(tb), lattice, terms), mp);
    const long long side = state.range(0);
    const std::array<long long, 3> n{side, side, model == "haldane" ? 1 : side};
    const Mesh mesh = make_mesh(*info, mp, n);
    const std::vector<std::string> names = model == "haldane" ? std::vector<std::string>{"C3z", "Mx*TimeReversal", "Mz"}
                                                              : std::vector<std::string>{"C4z", "C2x*TimeReversal", "Inversion"};
    std::vector<PointOp> generators;
    for (const std::string& name : names) {
        PointOp g;
        std::string unknown;
        parse_point_op(name, g, unknown);
        generators.push_back(g);
    }
    const std::vector<PointOp> group = generate_group(generators);
    std::vector<double> mu(1000);
    for (int i = 0; i < 1000; ++i) mu[i] = -1.0 + 2.0 * i / 999;
    long long stars = mesh.count();
    bool fft = false;
    for (auto _ : state) {
        std::unique_ptr<IrreducibleMesh> irr;
        if (reduced) irr = std::make_unique<IrreducibleMesh>(irreducible_mesh(mesh, info->bravais, group, "bench"));
        const ScanResult r = fermi_scan(Backend::cpu, mp, mesh, ScanKind::ahc, mu, 0.01, nullptr, {}, {}, irr.get());
        if (irr) stars = irr->points;
        fft = wannier_of(mp).scans_by_fft(stars, mesh.count());
        benchmark::DoNotOptimize(r.sea.data());
    }
    state.counters["kpoints"] = static_cast<double>(mesh.count());
    state.counters["evaluated_kpoints"] = static_cast<double>(stars);
    state.counters["group_order"] = reduced ? static_cast<double>(group.size()) : 1.0;
    state.counters["kpoints_per_second"] =
        benchmark::Counter(static_cast<double>(mesh.count()) * state.iterations(), benchmark::Counter::kIsRate);
    state.SetLabel(std::string("cpu, ") + (fft ? "FFT" : "direct sum") + " (auto), " + (reduced ? "irreducible mesh" : "full mesh"));
}

// The plain reference path (engine.hpp fermi_scan_reference): per k-point the same channel
// values, then f evaluated for every level, one thread; the ratio to the one-pass scan above is
// the gain of binning + deterministic parallel reduction.
void BM_ahc_reference(benchmark::State& state) {
    const ModelInfo& info = *find_model("haldane");
    ModelParams mp{info.id, {}};
    for (std::size_t i = 0; i < info.params.size(); ++i) mp.p[i] = info.params[i].default_value;
    mp.p[3] = 0.2;
    const long long side = state.range(0);
    const Mesh mesh = make_mesh(info, mp, {side, side, 1});
    std::vector<double> mu(1000);
    for (int i = 0; i < 1000; ++i) mu[i] = -3.5 + 7.0 * i / 999;
    for (auto _ : state) {
        const ScanResult r = fermi_scan_reference(mp, mesh, ScanKind::ahc, mu, 0.0);
        benchmark::DoNotOptimize(r.sea.data());
    }
    state.counters["kpoints_per_second"] =
        benchmark::Counter(static_cast<double>(mesh.count()) * state.iterations(), benchmark::Counter::kIsRate);
    state.SetLabel("cpu, reference path (per point, every level)");
}

// The FP64 rate this build can reach: independent multiply–adds (no FMA contraction, as the
// project compiles: -ffp-contract=off) on all threads, 128 accumulators per thread (16 vectors of
// 8: enough independent chains to cover the mul→add latency on every FP pipe) so that the
// compiler vectorises them. The denominator of "fraction of peak" in docs/performance.md.
void BM_fp64_peak(benchmark::State& state) {
    constexpr int kAcc = 128;
    const long long reps = 1LL << 24;
    double total = 0.0;
    const int threads = workers::count();
    for (auto _ : state) {
        total += bench::parallel_sum(threads, [&](long long) {  // one set of chains per thread
            double acc[kAcc];
            for (int i = 0; i < kAcc; ++i) acc[i] = 1.0 + 1e-3 * i;
            const double a = 0.999999, b = 1e-7;
            for (long long r = 0; r < reps; ++r)
#pragma omp simd
                for (int i = 0; i < kAcc; ++i) acc[i] = acc[i] * a + b;
            double t = 0.0;
            for (int i = 0; i < kAcc; ++i) t += acc[i];
            return t;
        });
    }
    benchmark::DoNotOptimize(total);
    const double flops = 2.0 * kAcc * static_cast<double>(reps) * threads * state.iterations();
    state.counters["fp64_flops_per_second"] = benchmark::Counter(flops, benchmark::Counter::kIsRate);
    state.counters["threads"] = threads;
    state.SetLabel("cpu, mul + add, this build's instruction set");
}

void register_all() {
    benchmark::RegisterBenchmark("peak/fp64/cpu", BM_fp64_peak)->Unit(benchmark::kMillisecond)->UseRealTime();
    benchmark::RegisterBenchmark("ahc/haldane/cpu/reference/levels:1000", BM_ahc_reference)
        ->Arg(64)
        ->Arg(128)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark("ahc/fe_wannier/cpu/direct/levels:1000", BM_fe_wannier, false)
        ->Arg(12)
        ->Arg(20)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(1);
    for (const bool runtime : {false, true})
        benchmark::RegisterBenchmark(runtime ? "nband/engine_choice/runtime" : "nband/engine_choice/compiled",
                                     BM_engine_choice, runtime)
            ->Arg(16)
            ->Arg(18)
            ->Arg(24)
            ->Arg(32)
            ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("ahc/nband_scaling/cpu/fft/levels:1000", BM_nband_scaling)
        ->Arg(8)
        ->Arg(16)
        ->Arg(32)
        ->Arg(64)
        ->Arg(128)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(1);
    // Per model two mesh sides: one where the fixed costs (the 1000-level finish at T > 0) still
    // weigh, one where the per-k work dominates.
    const std::pair<const char*, std::array<int, 2>> symmetric[] = {{"weyl", {48, 120}}, {"weyl_copies", {24, 48}},
                                                                    {"haldane", {384, 1536}}};
    for (const auto& [model, sides] : symmetric)
        for (bool reduced : {false, true})
            benchmark::RegisterBenchmark(
                (std::string("ahc/symmetry/") + model + (reduced ? "/reduced" : "/full") + "/levels:1000").c_str(),
                BM_symmetry, model, reduced)
                ->Arg(sides[0])
                ->Arg(sides[1])
                ->Unit(benchmark::kMillisecond)
                ->UseRealTime();
    benchmark::RegisterBenchmark("ahc/fe_wannier/cpu/fft/levels:1000", BM_fe_wannier, true)
        ->Arg(20)
        ->Arg(40)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(1);
    const char* env = std::getenv("BZINT_BENCH_MAX_LOG2");
    const int max_log2 = env ? std::atoi(env) : 24;
    for (const char* model : {"haldane", "weyl_lattice"})
        for (Backend b : {Backend::cpu, Backend::cuda})
            for (int levels : {1, 1000}) {
                auto* bm = benchmark::RegisterBenchmark(
                    (std::string("ahc/") + model + "/" + backend_name(b) + "/levels:" + std::to_string(levels)).c_str(),
                    BM_ahc, model, b);
                for (int l = 12; l <= max_log2; l += 3) bm->Args({l, levels});
                bm->Unit(benchmark::kMillisecond)->UseRealTime();
            }
}

}  // namespace

int main(int argc, char** argv) {
    register_all();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
