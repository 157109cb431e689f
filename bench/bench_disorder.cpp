// Disorder AHE (task disorder_ahe) on the gapped TI surface: the triangle-method Fermi contour
// on the mesh, and the Born response of all its points — the O(N) aggregate path against the
// O(N²) pair-sum reference (explicit overlaps for every pair, dense conjugate gradients).
//
//   build/bzint_bench_disorder --benchmark_format=json
//
// Counters: fermi_points, points_per_second (contour: mesh points; response: contour points).
#include <benchmark/benchmark.h>

#include "disorder/born_response.hpp"
#include "disorder/fermi_contour.hpp"
#include "model_registry.hpp"

using namespace bzint;

namespace {

struct Contour {
    ModelParams mp;
    Mesh mesh;
    std::vector<FsState> fs;
};

// ti_surface (v = 1, M = 0.3, kcut = 3) at μ = 1: about 2.2 n contour points on an n² mesh.
Contour contour(long long n) {
    const ModelInfo& info = *find_model("ti_surface");
    Contour c{{info.id, {1.0, 0.3, 3.0}}, {}, {}};
    c.mesh = make_mesh(info, c.mp, {n, n, 1});
    bool touches = false;
    c.fs = contour_states(c.mp, c.mesh, fermi_contour(c.mp, c.mesh, 1.0, false, touches));
    return c;
}

void BM_contour(benchmark::State& state) {
    const Contour c = contour(state.range(0));
    for (auto _ : state) {
        bool touches = false;
        auto pts = fermi_contour(c.mp, c.mesh, 1.0, false, touches);
        benchmark::DoNotOptimize(pts.data());
    }
    state.counters["fermi_points"] = static_cast<double>(c.fs.size());
    state.counters["points_per_second"] =
        benchmark::Counter(static_cast<double>(c.mesh.count()) * state.iterations(), benchmark::Counter::kIsRate);
}

template <BornResponse (*Fn)(const std::vector<FsState>&, double, bool)>
void BM_response(benchmark::State& state) {
    const Contour c = contour(state.range(0));
    for (auto _ : state) {
        const BornResponse r = Fn(c.fs, 0.25, true);
        benchmark::DoNotOptimize(r.sigma_sk[1][0]);
    }
    state.counters["fermi_points"] = static_cast<double>(c.fs.size());
    state.counters["points_per_second"] =
        benchmark::Counter(static_cast<double>(c.fs.size()) * state.iterations(), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_contour)->Name("disorder/contour")->Arg(500)->Arg(4500)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_response<born_response>)
    ->Name("disorder/response/aggregates")
    ->Arg(500)
    ->Arg(4500)
    ->Arg(45000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_response<born_response_reference>)
    ->Name("disorder/response/pair_sums")
    ->Arg(500)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
