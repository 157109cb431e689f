// Throughput of the density-matrix solvers (task dc_current), CPU (the worker threads over k):
//  - "trajectory": one 2×2 trajectory step per k·step (the Landau–Zener path, 1 solution);
//  - "orbit": lattice lines by the periodic-orbit construction (qwz, 2×2: 5 solutions per
//    line; N-band: N² + 1), counted per physical k·step (lines × steps) and per solution step.
// Reports k·steps/s and the DPA/RTA cost ratio inputs (run both kinds).
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "bzint/models/all.hpp"
#include "bzint/qme/nband_dc.hpp"
#include "bzint/qme/exact_reservoir.hpp"
#include "bzint/qme/two_band_dc.hpp"
#include "parallel_sum.hpp"
#include "qme/fermi_poles.hpp"

using namespace bzint;

namespace {

QmeParams params(Dissipation kind, double E) {
    QmeParams q{};
    q.kind = kind;
    q.tau1 = q.tau2 = 50.0;
    q.gamma = 0.01;
    q.d1 = q.d2 = true;
    q.mu = 0.0;
    q.T = 0.01;
    q.E[0] = E;
    return q;
}

// N/2 Landau–Zener crossings with gaps 1, 1.5, 2, … coupled along a chain by g = 0.1.
template <int N>
struct LzChain {
    static constexpr int bands = N;
    BZINT_HD void operator()(const double k[3], NBandPoint<N>& p) const {
        clear(p);
        for (int c = 0; c < N / 2; ++c) {
            const double delta = 1.0 + 0.5 * c;
            p.H[2 * c][2 * c] = {k[0], 0};
            p.H[2 * c + 1][2 * c + 1] = {-k[0], 0};
            p.H[2 * c][2 * c + 1] = p.H[2 * c + 1][2 * c] = {delta, 0};
            p.dH[0][2 * c][2 * c] = {1, 0};
            p.dH[0][2 * c + 1][2 * c + 1] = {-1, 0};
            if (c + 1 < N / 2) p.H[2 * c + 1][2 * c + 2] = p.H[2 * c + 2][2 * c + 1] = {0.1, 0};
        }
    }
};

// FP64 operations per k·step of the two-band lane solver, counted by hand from
// two_band_dc.hpp / two_band_qme.hpp / dpa_d1.hpp (add, sub, mul, div, sqrt count 1 each;
// compares, selects and the model's sincos are not counted; ±10 %):
//   right-hand side, one solution: 49 (D = 1), 58 (D = 2);
//   RK4 step of one solution: 4 right-hand sides + stage sums 6A + final update 7A (A = 4 + 2D);
//   lane stage (two per step): 55 (D = 1) / 60 (D = 2), plus 128 for the DPA (∂_E d 15, two Im ψ′
//   series 42, the D1/D2 sources 71); Simpson of j_eq 5D; times 4.
double flops_per_kstep(Dissipation kind, int D, int solutions) {
    const int A = 4 + 2 * D, rhs = D == 1 ? 49 : 58;
    const int stage = (D == 1 ? 55 : 60) + (kind == Dissipation::dpa ? 128 : 0);
    return solutions * (4.0 * rhs + 13.0 * A) + 2.0 * stage + 5.0 * D + 4.0;
}

// The same trajectories one k-point at a time (L = 1: the per-k routine, no lanes) — the plain
// reference path of the fused, lane-vectorised solver above.
void BM_two_band_trajectory_reference(benchmark::State& state) {
    const Dissipation kind = static_cast<Dissipation>(state.range(0));
    const double p[2] = {1.0, 1.0};
    const models::LandauZener lz(p);
    const int per_k = 20000, ks = 64;
    for (auto _ : state) {
        const double sum = bench::parallel_sum(ks, [&](long long i) {
            double y[4];
            return two_band_trajectory(lz, params(kind, 0.2 + 0.001 * i), 5.0, per_k, y, nullptr).J[0];
        });
        benchmark::DoNotOptimize(sum);
    }
    const double ksteps = double(per_k) * ks * state.iterations();
    state.counters["ksteps_per_second"] = benchmark::Counter(ksteps, benchmark::Counter::kIsRate);
    state.counters["fp64_flops_per_second"] =
        benchmark::Counter(ksteps * flops_per_kstep(kind, 1, 1), benchmark::Counter::kIsRate);
    state.SetLabel("reference path: one k-point per call, no lanes");
}

void BM_two_band_trajectory(benchmark::State& state) {
    const Dissipation kind = static_cast<Dissipation>(state.range(0));
    const double p[2] = {1.0, 1.0};
    const models::LandauZener lz(p);
    const int per_k = 20000, ks = 64, lanes = 8;  // trajectories in batches of 8 lanes (different E)
    for (auto _ : state) {
        const double sum = bench::parallel_sum(ks / lanes, [&](long long b) {
            QmeParams q[lanes];
            double y[lanes][4];
            LineCurrent c[lanes];
            for (int l = 0; l < lanes; ++l) q[l] = params(kind, 0.2 + 0.001 * (b * lanes + l));
            two_band_trajectories<lanes>(lz, q, 5.0, per_k, y, c, nullptr);
            double s = 0;
            for (int l = 0; l < lanes; ++l) s += c[l].J[0];
            return s;
        });
        benchmark::DoNotOptimize(sum);
    }
    const double ksteps = double(per_k) * ks * state.iterations();
    state.counters["ksteps_per_second"] = benchmark::Counter(ksteps, benchmark::Counter::kIsRate);
    state.counters["fp64_flops_per_second"] =
        benchmark::Counter(ksteps * flops_per_kstep(kind, 1, 1), benchmark::Counter::kIsRate);
}

void BM_two_band_orbit(benchmark::State& state) {
    const Dissipation kind = static_cast<Dissipation>(state.range(0));
    const double u = -1.0;
    const models::Qwz qwz(&u);
    const int steps = 4000, lines = 64, lanes = 8;  // lines in batches of 8 lanes
    const QmeParams q = params(kind, 0.05);
    for (auto _ : state) {
        const double sum = bench::parallel_sum(lines / lanes, [&](long long b) {
            double k0[lanes][3];
            LineCurrent c[lanes];
            for (int l = 0; l < lanes; ++l) {
                k0[l][0] = 0.0;
                k0[l][1] = kTwoPi * (b * lanes + l) / lines;
                k0[l][2] = 0.0;
            }
            two_band_periodic_lines<lanes>(qwz, q, k0, kTwoPi / 0.05, steps, c);
            double s = 0;
            for (int l = 0; l < lanes; ++l) s += c[l].J[1];
            return s;
        });
        benchmark::DoNotOptimize(sum);
    }
    const double ksteps = double(steps) * lines * state.iterations();
    state.counters["ksteps_per_second"] = benchmark::Counter(ksteps, benchmark::Counter::kIsRate);
    state.counters["solution_steps_per_second"] = benchmark::Counter(5 * ksteps, benchmark::Counter::kIsRate);
    state.counters["fp64_flops_per_second"] =
        benchmark::Counter(ksteps * flops_per_kstep(kind, 2, 5), benchmark::Counter::kIsRate);
}

template <int N>
void BM_nband_orbit(benchmark::State& state) {
    const Dissipation kind = static_cast<Dissipation>(state.range(0));
    const LzChain<N> model;
    const int steps = N <= 4 ? 2000 : N <= 8 ? 400 : 60, lines = 8;
    const QmeParams q = params(kind, 0.5);
    for (auto _ : state) {
        const double sum = bench::parallel_sum(lines, [&](long long l) {
            thread_local std::vector<double> work;
            work.resize(nband_workspace_doubles<N>());
            const double k0[3] = {-3.0 + 0.1 * l, 0.0, 0.0};
            return nband_periodic_line<N>(model, q, k0, 12.0, steps, work.data()).J[0];
        });
        benchmark::DoNotOptimize(sum);
    }
    const double ksteps = double(steps) * lines * state.iterations();
    state.counters["ksteps_per_second"] = benchmark::Counter(ksteps, benchmark::Counter::kIsRate);
    state.counters["solution_steps_per_second"] = benchmark::Counter((N * N + 1) * ksteps, benchmark::Counter::kIsRate);
}

template <int N>
void BM_nband_trajectory(benchmark::State& state) {
    const Dissipation kind = static_cast<Dissipation>(state.range(0));
    const LzChain<N> model;
    const int per_k = N <= 4 ? 4000 : N <= 8 ? 1000 : 300, ks = 16;
    for (auto _ : state) {
        const double sum = bench::parallel_sum(ks, [&](long long i) {
            cplx rho[N][N];
            return nband_trajectory<N>(model, params(kind, 0.5 + 0.01 * i), 5.0, per_k, rho, nullptr).J[0];
        });
        benchmark::DoNotOptimize(sum);
    }
    state.counters["ksteps_per_second"] = benchmark::Counter(double(per_k) * ks * state.iterations(), benchmark::Counter::kIsRate);
}

// The exact reservoir with P poles (range(0)): 2×2 Landau–Zener trajectory and qwz lines.

void BM_exact_trajectory(benchmark::State& state) {
    const int P = static_cast<int>(state.range(0));
    const double p[2] = {1.0, 1.0};
    const AsNBand<models::LandauZener> lz{models::LandauZener(p)};
    const int per_k = 4000, ks = 16;
    const double K = 5.0;
    for (auto _ : state) {
        const double sum = bench::parallel_sum(ks, [&](long long i) {
            QmeParams q = params(Dissipation::exact, 0.2 + 0.001 * i);
            const ExactSetup setup(ozaki_poles(P), 0.01, q.T, 2 * K / q.E[0] / per_k);
            std::vector<cplx> work(exact_workspace<2>(P));
            cplx rho[4];
            return exact_trajectory<2>(lz, q, setup.x, K, per_k, work.data(), rho, nullptr).J[0];
        });
        benchmark::DoNotOptimize(sum);
    }
    state.counters["ksteps_per_second"] = benchmark::Counter(double(per_k) * ks * state.iterations(), benchmark::Counter::kIsRate);
    state.counters["poles"] = P;
}

void BM_exact_orbit(benchmark::State& state) {
    const int P = static_cast<int>(state.range(0));
    const double u = -1.0;
    const AsNBand<models::Qwz> qwz{models::Qwz(&u)};
    const int steps = 1000, lines = 16;
    const QmeParams q = params(Dissipation::exact, 0.05);
    const double period = kTwoPi / 0.05;
    const ExactSetup setup(ozaki_poles(P), 0.01, q.T, period / steps);
    for (auto _ : state) {
        const double sum = bench::parallel_sum(lines, [&](long long l) {
            thread_local std::vector<cplx> work;
            work.resize(exact_workspace<2>(P));
            const double k0[3] = {0.0, kTwoPi * l / lines, 0.0};
            return exact_periodic_line<2>(qwz, q, setup.x, k0, period, steps, work.data()).J[1];
        });
        benchmark::DoNotOptimize(sum);
    }
    state.counters["ksteps_per_second"] = benchmark::Counter(double(steps) * lines * state.iterations(), benchmark::Counter::kIsRate);
    state.counters["poles"] = P;
}

BENCHMARK(BM_exact_trajectory)->ArgName("poles")->Arg(30)->Arg(300)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_exact_orbit)->ArgName("poles")->Arg(30)->Arg(300)->UseRealTime()->Unit(benchmark::kMillisecond);

// range(0): 0 none, 1 rta, 2 dpa
BENCHMARK(BM_two_band_trajectory)->ArgName("dissipation")->Arg(0)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_two_band_trajectory_reference)->ArgName("dissipation")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_two_band_orbit)->ArgName("dissipation")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_nband_trajectory<4>)->ArgName("dissipation")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_nband_trajectory<8>)->ArgName("dissipation")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_nband_trajectory<16>)->ArgName("dissipation")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_nband_orbit<4>)->ArgName("dissipation")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_nband_orbit<8>)->ArgName("dissipation")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
