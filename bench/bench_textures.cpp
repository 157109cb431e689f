// Throughput of the phase-space texture reductions (docs/textures.md): points per second of a
// plane of phase space (task phase_space_chern: four textured Hamiltonians, eigenvectors and a
// plaquette per point) and of the density at positions over a k-mesh (task texture_density: one
// textured Hamiltonian and its scalar curvature per point, two levels; and a four-band model's,
// N-band path) and of the current (task
// texture_current: 1 + 4 × dim textured Hamiltonians per point, for ∂_p 𝓕's difference; task
// texture_transport: one Hamiltonian and both bands' curvatures per point),
// CPU and (when a device is present) CUDA, with the peak host memory: the reductions stream, so it
// stays flat with size; the second Chern number's 4D torus (task second_chern); and the exact
// lattice reference's kernel polynomial method (task texture_lattice) in moments × sites per
// second: one orbital's diagonal moments on boxes of qwz with a skyrmion lattice.
//
//   build/bzint_bench_textures --benchmark_format=json --benchmark_out=bench/results/<name>.json
#include <benchmark/benchmark.h>
#include <algorithm>
#include <cmath>
#include <fmt/core.h>
#include <sys/resource.h>

#include <string>
#include <vector>

#include "bzint/models/all.hpp"
#include "cuda_backend.hpp"
#include "lattice/dense_density.hpp"
#include "lattice/kpm.hpp"
#include "lattice/kpm_hall.hpp"
#include "lattice/twist_kubo.hpp"
#include "engine.hpp"
#include "model_registry.hpp"
#include "texture_table.hpp"

using namespace bzint;

namespace {

double peak_rss_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024.0;
}

ModelParams params_of(const std::string& name) {
    const ModelInfo& info = *find_model(name);
    ModelParams mp{info.id, {}};
    for (std::size_t i = 0; i < info.params.size(); ++i) mp.p[i] = info.params[i].default_value;
    return mp;
}

TextureTerms skyrmion_lattice(double L, double R, double J) {
    TextureTerms t;
    t.texture.kind = TextureKind::skyrmion_lattice;
    t.texture.period = L;
    t.texture.radius = R;
    t.exchange = J;
    return t;
}

// The same lattice read as a table: m sampled on an n × n grid of the cell, the periodic spline's
// coefficients solved in `storage` as host/texture_table.cpp does (along x, then along y).
TextureTerms skyrmion_lattice_table(double L, double R, double J, int n, std::vector<double>& storage) {
    const TextureTerms analytic = skyrmion_lattice(L, R, J);
    storage.assign(3 * static_cast<std::size_t>(n) * n, 0.0);
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i) {
            const double r[3] = {i * L / n, j * L / n, 0.0};
            double dm[3][3];
            analytic.texture(r, &storage[3 * (static_cast<std::size_t>(j) * n + i)], dm);
        }
    for (int j = 0; j < n; ++j)  // every row along x, then every column along y
        for (int c = 0; c < 3; ++c) periodic_spline_coefficients(&storage[3 * static_cast<std::size_t>(j) * n + c], n, 3);
    for (int i = 0; i < n; ++i)
        for (int c = 0; c < 3; ++c) periodic_spline_coefficients(&storage[3 * static_cast<std::size_t>(i) + c], n, 3LL * n);
    TextureTerms t = analytic;
    t.texture.kind = TextureKind::table;
    t.texture.table.n[0] = t.texture.table.n[1] = n;
    t.texture.table.spacing[0] = t.texture.table.spacing[1] = L / n;
    t.texture.table.coeff = storage.data();
    return t;
}

// Whether two textures' m agree within tol at points off a 64-point grid of the cell [0, 160)².
bool same_texture(const TextureTerms& a, const TextureTerms& b, double tol) {
    for (double x = 0.3; x < 160.0; x += 7.1)
        for (double y = 1.1; y < 160.0; y += 9.7) {
            const double r[3] = {x, y, 0.0};
            double ma[3], mb[3], dm[3][3];
            a.texture(r, ma, dm);
            b.texture(r, mb, dm);
            for (int i = 0; i < 3; ++i)
                if (std::abs(ma[i] - mb[i]) > tol) return false;
        }
    return true;
}

bool skip_without_device(benchmark::State& state, Backend b) {
    if (b == Backend::cuda && !cuda::available()) {
        state.SkipWithError("no CUDA device");
        return true;
    }
    return false;
}

// The real-space cell of a skyrmion lattice on qwz at a fixed k, on n × n plaquettes.
void BM_phase_plane(benchmark::State& state, Backend backend) {
    if (skip_without_device(state, backend)) return;
    const ModelParams mp = params_of("qwz");
    const TextureTerms terms = skyrmion_lattice(10.0, 5.0, 1.0);
    PhaseSlice slice{};
    slice.at[kCoordKx] = 0.3;
    slice.edge[0][kCoordX] = slice.edge[1][kCoordY] = 10.0;
    slice.n[0] = slice.n[1] = state.range(0);
    for (auto _ : state) {
        std::vector<Neumaier> total;
        benchmark::DoNotOptimize(phase_plane_reduce(backend, mp, terms, slice, total, nullptr));
    }
    state.counters["points"] = static_cast<double>(slice.count());
    state.counters["points_per_second"] =
        benchmark::Counter(static_cast<double>(slice.count()) * state.iterations(), benchmark::Counter::kIsRate);
    state.counters["peak_rss_MiB"] = peak_rss_mib();
    state.SetLabel(backend_name(backend));
}

// The density of a model with a skyrmion lattice at 16 positions, over an n × n k-mesh, two
// levels: qwz (two bands), or qwz_pair (four bands, the N-band path: an eigen-decomposition and
// the Kubo sums of δε_n and 𝒟_n per point, CPU); with `table`, the lattice read from a 64 × 64
// table (the spline's 16-term sum per point; on the device the WithTables kernels).
void BM_texture_density(benchmark::State& state, Backend backend, const char* model, bool table = false) {
    if (skip_without_device(state, backend)) return;
    const ModelParams mp = params_of(model);
    std::vector<double> coefficients;
    const TextureTerms terms =
        table ? skyrmion_lattice_table(160.0, 80.0, 0.5, 64, coefficients) : skyrmion_lattice(160.0, 80.0, 0.5);
    if (table && !same_texture(terms, skyrmion_lattice(160.0, 80.0, 0.5), 1e-3)) {
        state.SkipWithError("the table does not interpolate the skyrmion lattice");
        return;
    }
    const long long n = state.range(0);
    const Mesh mesh = make_mesh(*find_model(model), mp, {n, n, 1});
    std::vector<double> r;
    for (int a = 0; a < 16; ++a) r.insert(r.end(), {10.0 * a, 80.0, 0.0});
    const std::vector<double> mu{0.0, 1.0};
    for (auto _ : state) {
        std::vector<Neumaier> total;
        benchmark::DoNotOptimize(texture_density_reduce(backend, mp, terms, mesh, r, 0.0, mu, 0.02, false, total, nullptr));
    }
    const double points = 16.0 * static_cast<double>(mesh.count());
    state.counters["points"] = points;
    state.counters["points_per_second"] = benchmark::Counter(points * state.iterations(), benchmark::Counter::kIsRate);
    state.counters["peak_rss_MiB"] = peak_rss_mib();
    state.SetLabel(fmt::format("{}{} {}", model, table ? " table" : "", backend_name(backend)));
}

// A model (qwz unless named) with a skyrmion lattice at 16 points (x, y, z, t) along a line, over
// an n × n k-mesh, two levels: reduce(mp, terms, mesh, points, mu, total) runs one pass; the rate
// in points per second.
template <class Reduce>
void run_point_case(benchmark::State& state, Backend backend, Reduce reduce, const char* model = "qwz") {
    if (skip_without_device(state, backend)) return;
    const ModelParams mp = params_of(model);
    const TextureTerms terms = skyrmion_lattice(160.0, 80.0, 0.5);
    const long long n = state.range(0);
    const Mesh mesh = make_mesh(*find_model(model), mp, {n, n, 1});
    std::vector<double> points;
    for (int a = 0; a < 16; ++a) points.insert(points.end(), {10.0 * a, 80.0, 0.0, 0.0});
    const std::vector<double> mu{0.0, 1.0};
    for (auto _ : state) {
        std::vector<Neumaier> total;
        benchmark::DoNotOptimize(reduce(mp, terms, mesh, points, mu, total));
    }
    const double count = 16.0 * static_cast<double>(mesh.count());
    state.counters["points"] = count;
    state.counters["points_per_second"] = benchmark::Counter(count * state.iterations(), benchmark::Counter::kIsRate);
    state.counters["peak_rss_MiB"] = peak_rss_mib();
    state.SetLabel(fmt::format("{} {}", model, backend_name(backend)));
}

// The current of Eq. 30 (1 + 4 × dim textured Hamiltonians per point, for ∂_p 𝓕's difference).
void BM_texture_current(benchmark::State& state, Backend backend) {
    run_point_case(state, backend, [&](const ModelParams& mp, const TextureTerms& terms, const Mesh& mesh,
                                       const std::vector<double>& points, const std::vector<double>& mu,
                                       std::vector<Neumaier>& total) {
        return texture_current_reduce(backend, mp, terms, mesh, points, mu, 0.02, 1e-4, false, total, nullptr);
    });
}

// The local orbital magnetisation (texture_current's magnetisation_current takes it at eight
// stencil points per position): one textured Hamiltonian and its bands' Ω and m per point — for
// qwz the closed forms, for qwz_pair (four bands) an eigen-decomposition and the Kubo sums.
void BM_texture_magnetisation(benchmark::State& state, Backend backend, const char* model) {
    run_point_case(
        state, backend,
        [&](const ModelParams& mp, const TextureTerms& terms, const Mesh& mesh, const std::vector<double>& points,
            const std::vector<double>& mu, std::vector<Neumaier>& total) {
            return texture_magnetisation_reduce(backend, mp, terms, mesh, points, mu, 0.02, false, total, nullptr);
        },
        model);
}

// Wave packets (task trajectories, and each pass of a beam): packet-steps per second of Eq. 24's
// fourth-order Runge–Kutta steps, four velocity evaluations each (each with the scalar curvature's
// differences in r and p), for `packets` packets crossing an isolated skyrmion (R = 10, J = 0.3)
// along +x, 400 steps of dt = 0.1 sampled 4 times: dirac2d's upper band (two-band closed forms)
// or qwz_pair's band 2 (four bands: an eigen-decomposition per Hamiltonian).
void BM_packet_steps(benchmark::State& state, Backend backend, const char* model) {
    if (skip_without_device(state, backend)) return;
    const ModelParams mp = params_of(model);
    TextureTerms terms;
    terms.texture.kind = TextureKind::skyrmion;
    terms.texture.radius = 10.0;
    terms.exchange = 0.3;
    const bool pair = std::string(model) == "qwz_pair";
    const long long packets = state.range(0), steps = 400;
    std::vector<double> start;
    for (long long i = 0; i < packets; ++i) {  // across |b| ≤ 12 at the momenta of the examples
        const double b = -12.0 + 24.0 * static_cast<double>(i) / static_cast<double>(std::max(packets - 1, 1LL));
        start.insert(start.end(), {-24.0, b, 0.0, pair ? -0.942 : 0.5, 0.0, 0.0, pair ? 2.0 : 1.0});
    }
    std::vector<double> out;
    for (auto _ : state) {
        const long long bad = packet_trajectories(backend, mp, terms, start, 0.0, 0.1, steps, steps / 4, 1e-3, 1e-4, out, nullptr);
        if (bad >= 0) state.SkipWithError("a packet's band was not isolated");
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["packet_steps_per_s"] = benchmark::Counter(static_cast<double>(packets * steps), benchmark::Counter::kIsIterationInvariantRate);
    state.counters["peak_rss_MiB"] = peak_rss_mib();
}

// Transport through a skyrmion lattice in a field at 16 positions, over an n × n k-mesh, two
// levels (task texture_transport): qwz (one textured Hamiltonian and both bands' curvatures per
// point), or qwz_pair (four bands: an eigen-decomposition and each band's Kubo sums per point).
void BM_texture_transport(benchmark::State& state, Backend backend, const char* model) {
    if (skip_without_device(state, backend)) return;
    const ModelParams mp = params_of(model);
    const TextureTerms terms = skyrmion_lattice(160.0, 80.0, 0.5);
    const long long n = state.range(0);
    const Mesh mesh = make_mesh(*find_model(model), mp, {n, n, 1});
    std::vector<double> r;
    for (int a = 0; a < 16; ++a) r.insert(r.end(), {10.0 * a, 80.0, 0.0});
    const std::vector<double> mu{0.0, 1.0};
    const std::array<double, 3> E{0.01, 0.0, 0.0};
    for (auto _ : state) {
        std::vector<Neumaier> total;
        benchmark::DoNotOptimize(texture_transport_reduce(backend, mp, terms, mesh, r, mu, 0.05, 2.0, E, -1, total, nullptr));
    }
    const double count = 16.0 * static_cast<double>(mesh.count());
    state.counters["points"] = count;
    state.counters["points_per_second"] = benchmark::Counter(count * state.iterations(), benchmark::Counter::kIsRate);
    state.counters["peak_rss_MiB"] = peak_rss_mib();
    state.SetLabel(fmt::format("{} {}", model, backend_name(backend)));
}

// The second Chern number of qhz over its 4D torus (k1, k2, k3, θ) on n⁴ points: range(1) = 0 the
// integral alone (one 4 × 4 eigen-decomposition and four differences in θ per point), 1 with the
// lattice method (sixteen more eigen-decompositions for the cube's corners, six FHS plaquettes,
// four sections' zero searches).
void BM_second_chern(benchmark::State& state, Backend backend) {
    if (skip_without_device(state, backend)) return;
    const ModelInfo& info = *find_model("qhz");
    const ModelParams mp = params_of("qhz");
    FourTorus torus{};
    const int axes[4] = {0, 1, 2, 4};  // k1, k2, k3, θ (parameter 1)
    for (int a = 0; a < 4; ++a) {
        torus.axis[a] = axes[a];
        torus.period[a] = a < 3 ? 1.0 : kTwoPi;
        torus.n[a] = state.range(0);
    }
    reciprocal_basis(info.bravais, torus.G);
    for (std::size_t j = 0; j < info.params.size(); ++j) torus.params[j] = mp.p[j];
    torus.params[0] = -1.0;
    torus.filled = 2;
    torus.lattice = state.range(1) != 0;
    for (auto _ : state) {
        std::vector<Neumaier> total;
        benchmark::DoNotOptimize(second_chern_reduce(backend, mp, torus, total, nullptr));
    }
    const double points = static_cast<double>(torus.count());
    state.counters["points"] = points;
    state.counters["points_per_second"] = benchmark::Counter(points * state.iterations(), benchmark::Counter::kIsRate);
    state.counters["peak_rss_MiB"] = peak_rss_mib();
    state.SetLabel(std::string(backend_name(backend)) + (torus.lattice ? ", with the lattice method" : ", integral"));
}

// qwz with a skyrmion lattice of one period on an S × S box: the lattice reference's hoppings and
// on-site terms.
struct SkyrmionBox {
    std::vector<Hopping> hoppings;
    OnSiteBlocks on_site;
    int cells[2];
};
SkyrmionBox skyrmion_box_terms(int S) {
    const ModelInfo& info = *find_model("qwz");
    const ModelParams mp = params_of("qwz");
    double G[3][3];
    reciprocal_basis(info.bravais, G);
    SkyrmionBox box{{}, {}, {S, S}};
    std::string why;
    visit_model(mp, [&](auto model) {
        box.hoppings = real_space_hoppings(
            2,
            [&](const double k[3], std::complex<double>* H) {
                TwoBandPoint p;
                model(k, p);
                H[0] = p.d0 + p.d[2];
                H[1] = {p.d[0], -p.d[1]};
                H[2] = {p.d[0], p.d[1]};
                H[3] = p.d0 - p.d[2];
            },
            G, why);
    });
    const TextureTerms t = skyrmion_lattice(S, 0.5 * S, 0.4);
    for (int n1 = 0; n1 < S; ++n1)
        for (int n2 = 0; n2 < S; ++n2) {
            const double r[3] = {double(n1), double(n2), 0.0};
            double m[3], dm[3][3];
            t.texture(r, m, dm);
            add_two_orbital_site(box.on_site, {0.0, 0.0}, {0.4 * m[0], 0.4 * m[1], 0.4 * m[2]});
        }
    return box;
}

// Its sparse matrix at zero twist.
SparseHamiltonian skyrmion_box(int S) {
    const SkyrmionBox box = skyrmion_box_terms(S);
    const double twist[2] = {0.0, 0.0};
    return box_hamiltonian(2, box.hoppings, box.cells, box.on_site, twist);
}

// The dense lattice reference's work per twist with hall = true, on one thread: the
// diagonalisation (range(1) = 0) or the Kubo sum that follows it (1: the twist's derivatives, two
// products ψ†(∂H ψ) and the pairs, twist_kubo.cpp), for an S × S box (2S² orbitals), one level
// μ = 0 (the gap) at T = range(2)/1000.
void BM_twist_hall(benchmark::State& state) {
    const SkyrmionBox box = skyrmion_box_terms(static_cast<int>(state.range(0)));
    const double twist[2] = {0.3, 0.7};
    const SparseHamiltonian H = box_hamiltonian(2, box.hoppings, box.cells, box.on_site, twist);
    const Eigenstates states = diagonalise(H);
    for (auto _ : state) {
        if (state.range(1) == 0)
            benchmark::DoNotOptimize(diagonalise(H));
        else
            benchmark::DoNotOptimize(twist_berry_sum(states, box_twist_derivatives(2, box.hoppings, box.cells, twist, nullptr, {}), {0.0},
                                                     double(state.range(2)) / 1000.0));
    }
    state.counters["orbitals"] = static_cast<double>(H.dim);
    state.counters["twists_per_second"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    state.counters["peak_rss_MiB"] = peak_rss_mib();
    state.SetLabel(state.range(1) == 0 ? "cpu, one thread, diagonalisation"
                                       : fmt::format("cpu, one thread, Kubo sum, T = {:g}", double(state.range(2)) / 1000.0));
}

void BM_kpm_moments(benchmark::State& state) {
    const SparseHamiltonian H = skyrmion_box(static_cast<int>(state.range(0)));
    const ChebyshevScale scale = chebyshev_scale(H);
    const long long moments = 1024;
    for (auto _ : state) benchmark::DoNotOptimize(diagonal_moments(H, scale, H.dim / 2, moments));
    const double work = static_cast<double>(moments) * static_cast<double>(H.dim);
    state.counters["sites"] = static_cast<double>(H.dim);
    state.counters["moment_sites_per_second"] = benchmark::Counter(work * state.iterations(), benchmark::Counter::kIsRate);
    state.counters["peak_rss_MiB"] = peak_rss_mib();
    state.SetLabel("cpu, one thread, 1024 moments");
}

// One colour vector of an S × S skyrmion box (colours d = 8: one orbital in 128 carries a phase,
// `support` lists them) with a 1024-moment Fermi series at one level, for the probing recursions.
struct ColourVectorCase {
    SparseHamiltonian H;
    ChebyshevScale scale;
    FermiSeries series;
    std::vector<std::complex<double>> r;
    std::vector<long long> support;
};
ColourVectorCase colour_vector_case(int S) {
    ColourVectorCase c{skyrmion_box(S), {}, {}, {}, {}};
    c.scale = chebyshev_scale(c.H);
    c.series = fermi_series(c.scale, {0.0}, 0.1, 1024);
    const int cells[2] = {S, S}, distance[2] = {8, 8};
    const std::vector<int> colour = probing_colours(2, cells, distance);
    c.r = random_phase_vector(1, 0, 0, c.H.dim);
    for (std::size_t o = 0; o < c.r.size(); ++o)
        if (colour[o] != 0)
            c.r[o] = 0.0;
        else
            c.support.push_back(static_cast<long long>(o));
    return c;
}

// A probing recursion's rate over colour_vector_case(range(0)): `run` once per iteration.
template <class Run>
void colour_vector_rate(benchmark::State& state, const ColourVectorCase& c, Run run, const char* label) {
    for (auto _ : state) benchmark::DoNotOptimize(run());
    const double work = 1024.0 * static_cast<double>(c.H.dim);
    state.counters["sites"] = static_cast<double>(c.H.dim);
    state.counters["moment_sites_per_second"] = benchmark::Counter(work * state.iterations(), benchmark::Counter::kIsRate);
    state.counters["peak_rss_MiB"] = peak_rss_mib();
    state.SetLabel(label);
}

// The probing trace's recursion (vector_fermi_sums) on one colour vector — the same work per moment
// as BM_kpm_moments' unit vector, the whole vector carried along.
void BM_kpm_vector_sums(benchmark::State& state) {
    const ColourVectorCase c = colour_vector_case(static_cast<int>(state.range(0)));
    colour_vector_rate(state, c, [&] { return vector_fermi_sums(c.H, c.scale, c.series, c.r); },
                       "cpu, one thread, 1024 moments, one colour vector");
}

// The probed densities' recursion (vector_fermi_diagonal): the same colour vector, f(H)|r⟩ summed at
// its 1 orbital in 128 — one sparse product per moment where the trace's doubling takes one per
// two, so half their moment rate is the same rate of products.
void BM_kpm_vector_diagonal(benchmark::State& state) {
    const ColourVectorCase c = colour_vector_case(static_cast<int>(state.range(0)));
    colour_vector_rate(state, c, [&] { return vector_fermi_diagonal(c.H, c.scale, c.series, c.r, c.support); },
                       "cpu, one thread, 1024 moments, one colour vector's diagonal");
}

// The lattice reference's batched form (kpm_diagonal): range(1) orbitals of an S × S box, 1024
// moments each, on the worker pool or one device thread per orbital.
void BM_kpm_diagonal(benchmark::State& state, Backend backend) {
    if (backend == Backend::cuda && !cuda::available()) {
        state.SkipWithError("no CUDA device");
        return;
    }
    const std::vector<SparseHamiltonian> H{skyrmion_box(static_cast<int>(state.range(0)))};
    const ChebyshevScale scale = chebyshev_scale(H[0]);
    const long long moments = 1024, orbitals = state.range(1);
    const FermiSeries series = fermi_series(scale, {0.0}, 0.1, moments);
    std::vector<std::array<long long, 2>> jobs;
    for (long long o = 0; o < orbitals; ++o) jobs.push_back({0, o * (H[0].dim / orbitals)});
    for (auto _ : state) {
        Progress progress("bench", orbitals, "orbitals");
        benchmark::DoNotOptimize(kpm_diagonal(backend, H, scale, series, jobs, progress));
    }
    const double work = static_cast<double>(moments) * static_cast<double>(H[0].dim) * static_cast<double>(orbitals);
    state.counters["sites"] = static_cast<double>(H[0].dim);
    state.counters["moment_sites_per_second"] = benchmark::Counter(work * state.iterations(), benchmark::Counter::kIsRate);
    state.counters["peak_rss_MiB"] = peak_rss_mib();
    state.SetLabel(std::string(backend_name(backend)) + ", 1024 moments");
}

// The probed densities' batched form (kpm_vector_diagonal, the task's path): every colour vector of
// an S × S skyrmion box, colours d × d cells apart (2 d² colours) and range(2) draws, 1024 moments,
// f(H)|r⟩ summed at each colour's orbitals — on the worker pool or one device thread per vector.
void BM_kpm_probing(benchmark::State& state, Backend backend) {
    if (backend == Backend::cuda && !cuda::available()) {
        state.SkipWithError("no CUDA device");
        return;
    }
    const int S = static_cast<int>(state.range(0)), d = static_cast<int>(state.range(1));
    const std::vector<SparseHamiltonian> H{skyrmion_box(S)};
    const ChebyshevScale scale = chebyshev_scale(H[0]);
    const long long moments = 1024;
    const FermiSeries series = fermi_series(scale, {0.0}, 0.1, moments);
    const int cells[2] = {S, S}, distance[2] = {d, d};
    const TraceSampling trace{state.range(2), 1, 2LL * d * d, probing_colours(2, cells, distance)};
    const TraceJobs jobs(1, H[0].dim, trace);
    std::vector<std::vector<long long>> support(static_cast<std::size_t>(trace.colours));
    for (long long o = 0; o < H[0].dim; ++o) support[static_cast<std::size_t>(trace.colour[static_cast<std::size_t>(o)])].push_back(o);
    for (auto _ : state) {
        Progress progress("bench", jobs.count(), "vectors");
        kpm_vector_diagonal(
            backend, H, scale, series, jobs, support, [](long long, const double* v, std::size_t) { benchmark::DoNotOptimize(v); },
            progress);
    }
    const double work = static_cast<double>(moments) * static_cast<double>(H[0].dim) * static_cast<double>(jobs.count());
    state.counters["sites"] = static_cast<double>(H[0].dim);
    state.counters["vectors"] = static_cast<double>(jobs.count());
    state.counters["moment_sites_per_second"] = benchmark::Counter(work * state.iterations(), benchmark::Counter::kIsRate);
    state.counters["peak_rss_MiB"] = peak_rss_mib();
    state.SetLabel(std::string(backend_name(backend)) + ", 1024 moments, colour vectors' diagonals");
}

// The kernel polynomial Hall sum's work per start vector (kpm_hall.hpp) on an S × S skyrmion box
// (2S² orbitals) with range(1) moments per index: range(2) = 0, the M × M moments of one vector
// (2M sparse products and one complex GEMM of M² × orbitals); 1, their Bastin sums at 3 levels and
// 2 broadenings (2M real type-III DCTs of 2M points and the nodes' sums). One thread.
void BM_kpm_hall(benchmark::State& state) {
    const SkyrmionBox box = skyrmion_box_terms(static_cast<int>(state.range(0)));
    const double twist[2] = {0.3, 0.7};
    const SparseHamiltonian H = box_hamiltonian(2, box.hoppings, box.cells, box.on_site, twist);
    const std::array<SparseHamiltonian, 2> V = box_twist_derivatives(2, box.hoppings, box.cells, twist, nullptr, {});
    const ChebyshevScale scale = chebyshev_scale(H);
    const long long M = state.range(1);
    const std::vector<std::complex<double>> r = random_phase_vector(1, 0, 0, H.dim);
    const BastinSeries series = bastin_series(scale, {-1.0, 0.0, 1.0}, 0.1, {0.2, 0.4}, 1e300, M, M);
    const Eigen::MatrixXcd moments = hall_moments(H, V, scale, M, r);
    for (auto _ : state) {
        if (state.range(2) == 0)
            benchmark::DoNotOptimize(hall_moments(H, V, scale, M, r));
        else
            benchmark::DoNotOptimize(bastin_sums(series, moments));
    }
    const double pairs = double(M) * double(M);
    state.counters["sites"] = static_cast<double>(H.dim);
    if (state.range(2) == 0)
        state.counters["moment_pairs_sites_per_second"] = benchmark::Counter(pairs * double(H.dim) * state.iterations(), benchmark::Counter::kIsRate);
    else
        state.counters["moment_pairs_per_second"] = benchmark::Counter(pairs * state.iterations(), benchmark::Counter::kIsRate);
    state.counters["peak_rss_MiB"] = peak_rss_mib();
    state.SetLabel(fmt::format("cpu, one thread, {} moments, {}", M, state.range(2) == 0 ? "moments of one vector" : "Bastin sums"));
}

}  // namespace

BENCHMARK(BM_kpm_hall)->ArgsProduct({{16, 32}, {512, 1024}, {0}})->Args({16, 1024, 1})->Args({16, 2048, 1})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_kpm_moments)->RangeMultiplier(4)->Range(64, 256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_kpm_vector_sums)->RangeMultiplier(4)->Range(64, 256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_kpm_vector_diagonal)->RangeMultiplier(4)->Range(64, 256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_twist_hall)->ArgsProduct({{8, 12, 16}, {0, 1}, {100}})->Args({16, 1, 20})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_kpm_probing, cpu, Backend::cpu)->Args({32, 4, 1})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_kpm_probing, cuda, Backend::cuda)->Args({64, 8, 8})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_kpm_diagonal, cpu, Backend::cpu)->Args({64, 16})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_kpm_diagonal, cuda, Backend::cuda)->Args({64, 8192})->Args({128, 8192})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_second_chern, cpu, Backend::cpu)->ArgsProduct({{16, 32}, {0, 1}})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_second_chern, cuda, Backend::cuda)->ArgsProduct({{16, 32}, {0, 1}})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_phase_plane, cpu, Backend::cpu)->RangeMultiplier(4)->Range(256, 4096)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_phase_plane, cuda, Backend::cuda)->RangeMultiplier(4)->Range(256, 4096)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_texture_density, cpu, Backend::cpu, "qwz")->RangeMultiplier(4)->Range(64, 1024)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_texture_density, cuda, Backend::cuda, "qwz")->RangeMultiplier(4)->Range(64, 1024)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_texture_density, table_cpu, Backend::cpu, "qwz", true)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_texture_density, table_cuda, Backend::cuda, "qwz", true)->RangeMultiplier(4)->Range(64, 1024)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_texture_density, qwz_pair_cpu, Backend::cpu, "qwz_pair")->RangeMultiplier(4)->Range(64, 256)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_texture_current, cpu, Backend::cpu)->RangeMultiplier(4)->Range(64, 1024)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_texture_current, cuda, Backend::cuda)->RangeMultiplier(4)->Range(64, 1024)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_texture_magnetisation, cpu, Backend::cpu, "qwz")->RangeMultiplier(4)->Range(64, 1024)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_texture_magnetisation, cuda, Backend::cuda, "qwz")->RangeMultiplier(4)->Range(64, 1024)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_texture_magnetisation, qwz_pair_cpu, Backend::cpu, "qwz_pair")->RangeMultiplier(4)->Range(64, 256)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_texture_magnetisation, qwz_pair_cuda, Backend::cuda, "qwz_pair")->RangeMultiplier(4)->Range(64, 256)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_packet_steps, dirac2d_cpu, Backend::cpu, "dirac2d")->RangeMultiplier(8)->Range(64, 4096)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_packet_steps, dirac2d_cuda, Backend::cuda, "dirac2d")->RangeMultiplier(8)->Range(64, 4096)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_packet_steps, qwz_pair_cpu, Backend::cpu, "qwz_pair")->RangeMultiplier(8)->Range(64, 512)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_packet_steps, qwz_pair_cuda, Backend::cuda, "qwz_pair")->RangeMultiplier(8)->Range(64, 4096)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_texture_transport, cpu, Backend::cpu, "qwz")->RangeMultiplier(4)->Range(64, 1024)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_texture_transport, cuda, Backend::cuda, "qwz")->RangeMultiplier(4)->Range(64, 1024)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_texture_transport, qwz_pair_cpu, Backend::cpu, "qwz_pair")->RangeMultiplier(4)->Range(64, 256)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_texture_transport, qwz_pair_cuda, Backend::cuda, "qwz_pair")->RangeMultiplier(4)->Range(64, 256)->Unit(benchmark::kMillisecond);
