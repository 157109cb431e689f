// CUDA launchers for the per-k functors of include/bzint/per_k.hpp (the same code the
// CPU backend runs). Keyed reductions: a fused kernel evaluates each k-point and writes
// its keyed values; a stable sort by key and a segmented reduction (Thrust, fixed order
// for a fixed chunk) sum them on the device; the host folds the per-chunk sums in chunk
// order with compensated summation.
#include <cuda_runtime.h>
#include <thrust/device_vector.h>
#include <thrust/copy.h>
#include <thrust/gather.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/reduce.h>
#include <thrust/sequence.h>
#include <thrust/sort.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <new>
#include <stdexcept>
#include <string>

#include "../host/checkpoint.hpp"
#include "../host/neumaier.hpp"
#include "../host/progress.hpp"
#include "../host/ranks.hpp"
#include "../host/refined_reduce.hpp"
#include "../host/stop.hpp"
#include "../host/wannier/wannier_model.hpp"
#include "bzint/per_k.hpp"
#include "bzint/qme/exact_reservoir.hpp"
#include "bzint/qme/nband_dc.hpp"
#include "cuda_backend.hpp"

namespace bzint::cuda {

namespace {

void check(cudaError_t err, const char* what) {
    if (err != cudaSuccess) throw std::runtime_error(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(err));
}

constexpr int kThreads = 256;

unsigned grid_for(long long n) { return static_cast<unsigned>((n + kThreads - 1) / kThreads); }

template <class Model>
__global__ void geometry_mesh_kernel(GeometryFn<Model> fn, long long begin, long long count, BandGeometry* out) {
    const long long t = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (t < count) fn(begin + t, out + 2 * t);
}

template <class Model>
__global__ void geometry_points_kernel(Model model, const double* k, long long count, BandGeometry* out) {
    const long long t = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (t >= count) return;
    TwoBandPoint h;
    model(k + 3 * t, h);
    two_band_geometry(h, out + 2 * t);
}

template <class Model>
__global__ void nband_points_kernel(Model model, const double* k, long long count, BandGeometry* out) {
    constexpr int N = Model::bands;
    const long long t = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (t >= count) return;
    NBandPoint<N> h;
    model(k + 3 * t, h);
    BandGeometry g[N];
    nband_geometry<N>(h, g);
    for (int n = 0; n < N; ++n) out[N * t + n] = g[n];
}

// Entry e of point t goes to slot E t + e (E = Fn::Out::entries); values are stored value-major.
template <class Fn>
__global__ void keyed_kernel(Fn fn, long long begin, long long count, int nv, int* keys, double* vals,
                             unsigned long long* bad, char* hot) {
    constexpr int E = Fn::Out::entries;
    const long long t = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (t >= count) return;
    typename Fn::Out out;
    if (!fn(begin + t, out)) atomicMin(bad, static_cast<unsigned long long>(begin + t));
    hot[t] = out.hot ? 1 : 0;
    const long long slots = E * count;
    for (int e = 0; e < E; ++e) {
        const long long s = E * t + e;
        keys[s] = e < out.n ? out.key[e] : INT_MAX;
        for (int v = 0; v < nv; ++v) vals[v * slots + s] = e < out.n ? out.val[e][v] : 0.0;
    }
}

struct IsFlagged {
    const char* flags;
    long long begin;
    __host__ __device__ bool operator()(long long i) const { return flags[i - begin] != 0; }
};

// As cpu::keyed_reduce; `hot` collects the indices flagged for refinement, in order. Under MPI
// this rank reduces its share of the index range and the ranks combine (host/ranks.hpp).
template <class Fn>
long long keyed_reduce(const Fn& fn, long long n, std::vector<Neumaier>& total, Progress* progress,
                       std::vector<long long>* hot = nullptr) {
    constexpr long long E = Fn::Out::entries;
    const int nv = fn.n_values();
    const int nk = fn.n_keys();
    total.assign(static_cast<std::size_t>(nk) * nv, Neumaier{});
    const ranks::Share mine = ranks::share(n, kReduceBlock);
    const long long my_n = mine.end - mine.begin;
    // Chunk so that the value buffers stay near 256 MiB whatever the mesh; when the device cannot
    // hold them (other work on it, a small device), halve the chunk until it can.
    long long chunk = std::max<long long>(1 << 12, std::min<long long>(my_n, (1LL << 28) / (8LL * E * (nv + 1))));
    thrust::device_vector<int> keys, ukeys;
    thrust::device_vector<double> vals, tmp, usums;
    thrust::device_vector<long long> perm, flagged;
    thrust::device_vector<char> flags;
    for (;;) {
        try {
            keys.resize(E * chunk);
            ukeys.resize(E * chunk);
            vals.resize(E * chunk * static_cast<long long>(nv));
            tmp.resize(E * chunk);
            usums.resize(E * chunk);
            perm.resize(E * chunk);
            flags.resize(chunk);
            flagged.resize(hot ? chunk : 0);
            break;
        } catch (const std::bad_alloc&) {
            for (auto* v : {&keys, &ukeys}) thrust::device_vector<int>().swap(*v);
            for (auto* v : {&vals, &tmp, &usums}) thrust::device_vector<double>().swap(*v);
            for (auto* v : {&perm, &flagged}) thrust::device_vector<long long>().swap(*v);
            thrust::device_vector<char>().swap(flags);
            if (chunk <= 256)
                throw std::runtime_error("CUDA device out of memory even for 256-point chunks; run with --backend cpu");
            chunk /= 2;
            std::fprintf(stderr, "bzint: device memory is short; continuing with chunks of %lld k-points\n", chunk);
        }
    }
    thrust::device_vector<unsigned long long> bad(1, ULLONG_MAX);
    std::vector<int> hkeys;
    std::vector<double> hsums;
    // Checkpoints (host/checkpoint.hpp): the running total and the next mesh index, saved every
    // 30 s, on SIGINT/SIGTERM and at the end; --resume continues from that index.
    ReductionCheckpoint checkpoint(!hot, n, nv, nk);
    auto last_save = std::chrono::steady_clock::now();
    long long start = mine.begin, saved_bad = -1;
    checkpoint.resume(total, start, saved_bad);
    auto first_bad = [&]() {
        const unsigned long long b = bad[0];
        const long long d = b == ULLONG_MAX ? -1 : static_cast<long long>(b);
        return saved_bad < 0 ? d : d < 0 ? saved_bad : std::min(d, saved_bad);
    };
    for (long long begin = start; begin < mine.end; begin += chunk) {
        const long long count = std::min(chunk, mine.end - begin), slots = E * count;
        keyed_kernel<<<grid_for(count), kThreads>>>(fn, begin, count, nv, thrust::raw_pointer_cast(keys.data()),
                                                    thrust::raw_pointer_cast(vals.data()),
                                                    thrust::raw_pointer_cast(bad.data()),
                                                    thrust::raw_pointer_cast(flags.data()));
        check(cudaGetLastError(), "keyed_kernel");
        if (hot) {
            auto end = thrust::copy_if(thrust::counting_iterator<long long>(begin),
                                       thrust::counting_iterator<long long>(begin + count), flagged.begin(),
                                       IsFlagged{thrust::raw_pointer_cast(flags.data()), begin});
            const long long m = end - flagged.begin();
            const std::size_t at = hot->size();
            if (at + static_cast<std::size_t>(m) > kMaxFlaggedPoints) throw_too_many_flagged(n);
            hot->resize(at + m);
            thrust::copy(flagged.begin(), flagged.begin() + m, hot->begin() + at);
        }
        thrust::sequence(perm.begin(), perm.begin() + slots);
        thrust::stable_sort_by_key(keys.begin(), keys.begin() + slots, perm.begin());
        for (int v = 0; v < nv; ++v) {
            thrust::gather(perm.begin(), perm.begin() + slots, vals.begin() + v * slots, tmp.begin());
            auto ends = thrust::reduce_by_key(keys.begin(), keys.begin() + slots, tmp.begin(), ukeys.begin(), usums.begin());
            const long long m = ends.first - ukeys.begin();
            hkeys.resize(m);
            hsums.resize(m);
            thrust::copy(ukeys.begin(), ukeys.begin() + m, hkeys.begin());
            thrust::copy(usums.begin(), usums.begin() + m, hsums.begin());
            for (long long j = 0; j < m; ++j)
                if (hkeys[j] != INT_MAX) total[static_cast<std::size_t>(hkeys[j]) * nv + v].add(hsums[j]);
        }
        if (progress) progress->update(ranks::scaled_progress(begin + count, mine, n));
        count_stop_unit();
        const auto now = std::chrono::steady_clock::now();
        if (stop_requested() || now - last_save >= kCheckpointInterval) {
            checkpoint.save(begin + count, first_bad(), total);
            last_save = now;
            throw_if_stopped();
        }
    }
    const long long bad_index = first_bad();
    checkpoint.save(mine.end, bad_index, total);
    ranks::combine(total);
    if (hot) ranks::combine_concat(*hot);
    return ranks::combine_first(bad_index);
}

// keyed_reduce with adaptive refinement (host/refined_reduce.hpp); the flagged indices are
// copied to the device for the sub-grid pass.
struct DeviceIndices {
    thrust::device_vector<long long> v;
    const long long* get() const { return thrust::raw_pointer_cast(v.data()); }
};

template <class Fn>
long long refined_reduce(const Fn& fn, long long n, std::vector<Neumaier>& total, Progress* progress, const Refine& refine,
                         long long& refined) {
    return bzint::refined_reduce(
        fn, n, total, progress, refine, refined,
        [](const auto& f, long long count, std::vector<Neumaier>& t, Progress* pr, std::vector<long long>* hot) {
            return keyed_reduce(f, count, t, pr, hot);
        },
        [](const std::vector<long long>& hot) { return DeviceIndices{thrust::device_vector<long long>(hot.begin(), hot.end())}; });
}

template <class Model>
__global__ void two_band_lines_kernel(Model model, QmeParams q, const double* k0, long long lines, double period,
                                      long long steps, LineCurrent* out) {
    const long long l = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (l < lines) out[l] = two_band_periodic_line(model, q, k0 + 3 * l, period, steps);
}

template <int N, class Model>
__global__ void nband_lines_kernel(Model model, QmeParams q, const double* k0, long long lines, double period, long long steps,
                                   double* work, LineCurrent* out) {
    const long long l = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (l < lines)
        out[l] = nband_periodic_line<N>(model, q, k0 + 3 * l, period, steps, work + l * nband_workspace_doubles<N>());
}

template <int N, class Model>
__global__ void exact_lines_kernel(Model model, QmeParams q, ExactParams x, const double* k0, long long lines,
                                   double period, long long steps, cplx* work, long long work_per_line, LineCurrent* out) {
    const long long l = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (l < lines) out[l] = exact_periodic_line<N>(model, q, x, k0 + 3 * l, period, steps, work + l * work_per_line);
}

}  // namespace

bool compiled() { return true; }

bool available() {
    int count = 0;
    return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

void select_device(int local_rank) {
    int count = 0;
    check(cudaGetDeviceCount(&count), "cudaGetDeviceCount");
    check(cudaSetDevice(local_rank % count), "cudaSetDevice");
}

std::string device_name() {
    cudaDeviceProp prop{};
    int dev = 0;
    if (!available() || cudaGetDevice(&dev) != cudaSuccess || cudaGetDeviceProperties(&prop, dev) != cudaSuccess) return "none";
    return prop.name;
}

void geometry_on_mesh(const ModelParams& mp, const Mesh& mesh, long long begin, long long count, BandGeometry* out) {
    thrust::device_vector<BandGeometry> d(2 * count);
    visit_model(mp, [&](auto model) {
        using Model = decltype(model);
        geometry_mesh_kernel<<<grid_for(count), kThreads>>>(GeometryFn<Model>{model, mesh}, begin, count,
                                                            thrust::raw_pointer_cast(d.data()));
    });
    check(cudaGetLastError(), "geometry_mesh_kernel");
    thrust::copy(d.begin(), d.end(), out);
}

void geometry_at_points(const ModelParams& mp, const double* k, long long count, BandGeometry* out) {
    thrust::device_vector<double> dk(k, k + 3 * count);
    if (mp.id >= kTwoBandModels) {
        visit_nband_model(mp, [&](auto model) {
            using Model = decltype(model);
            thrust::device_vector<BandGeometry> d(Model::bands * count);
            nband_points_kernel<<<grid_for(count), kThreads>>>(model, thrust::raw_pointer_cast(dk.data()), count,
                                                               thrust::raw_pointer_cast(d.data()));
            check(cudaGetLastError(), "nband_points_kernel");
            thrust::copy(d.begin(), d.end(), out);
        });
        return;
    }
    thrust::device_vector<BandGeometry> d(2 * count);
    visit_model(mp, [&](auto model) {
        geometry_points_kernel<<<grid_for(count), kThreads>>>(model, thrust::raw_pointer_cast(dk.data()), count,
                                                              thrust::raw_pointer_cast(d.data()));
    });
    check(cudaGetLastError(), "geometry_points_kernel");
    thrust::copy(d.begin(), d.end(), out);
}

int wannier_device_size(int num_wann) { return num_wann <= 4 ? 4 : num_wann <= 16 ? 16 : 0; }

namespace {

// A loaded Wannier model's arrays on the device, padded to 4 or 16 orbitals (models::Wannier<N>
// pads with uncoupled orbitals far above the bands for any N ≥ num_wann).
struct DeviceWannier {
    thrust::device_vector<double> R, inv_degen, tau;
    thrust::device_vector<cplx> H;
    WannierData view;
    explicit DeviceWannier(const LoadedWannier& w)
        : R(w.R_cart.begin(), w.R_cart.end()), inv_degen(w.inv_degen.begin(), w.inv_degen.end()),
          tau(w.tau.begin(), w.tau.end()), H(w.H.begin(), w.H.end()) {
        view = w.view();
        view.R = thrust::raw_pointer_cast(R.data());
        view.inv_degen = thrust::raw_pointer_cast(inv_degen.data());
        view.tau = thrust::raw_pointer_cast(tau.data());
        view.H = thrust::raw_pointer_cast(H.data());
        view.r = nullptr;  // the position matrix's terms run on the CPU (host/app.cpp)
    }
};

template <class F>
void visit_device_wannier(const ModelParams& mp, F&& f) {
    const LoadedWannier& w = wannier_of(mp);
    const DeviceWannier d(w);
    switch (wannier_device_size(w.tb.num_wann)) {
        case 4: f(models::Wannier<4>{d.view}); break;
        case 16: f(models::Wannier<16>{d.view}); break;
        default: throw std::logic_error("wannier model too large for the device path");
    }
}

// The scan functors of one N-band model (built-in or Wannier) on the device.
template <class Model>
long long nband_scan_reduce(const Model& model, const Mesh& mesh, ScanKind kind, const Binning& dbins,
                            const ScanFields& fields, std::vector<Neumaier>& total, Progress* progress, const Refine& refine,
                            long long& refined) {
    if (kind == ScanKind::hybrid)
        return keyed_reduce(HybridScanFn<Model>{model, mesh, dbins, fields.hybrid}, mesh.count(), total, progress);
    return refined_reduce(NBandScanFn<Model>{model, mesh, kind, dbins, fields, refine.threshold}, mesh.count(), total,
                          progress, refine, refined);
}

}  // namespace

long long scan_reduce(const ModelParams& mp, const Mesh& mesh, ScanKind kind, const Binning& bins,
                      const ScanFields& fields, const std::vector<double>& levels, std::vector<Neumaier>& total, Progress* progress,
                      const Refine& refine, long long& refined) {
    thrust::device_vector<double> dlevels(levels.begin(), levels.end());
    Binning dbins = bins;
    dbins.levels = thrust::raw_pointer_cast(dlevels.data());
    long long bad = -1;
    auto nband = [&](auto model) { bad = nband_scan_reduce(model, mesh, kind, dbins, fields, total, progress, refine, refined); };
    if (is_wannier(mp)) {
        visit_device_wannier(mp, nband);
        return bad;
    }
    if (mp.id >= kTwoBandModels) {
        visit_nband_model(mp, nband);
        return bad;
    }
    if (kind == ScanKind::hybrid) {
        visit_model(mp, [&](auto model) { nband(AsNBand<decltype(model)>{model}); });
        return bad;
    }
    visit_model(mp, [&](auto model) {
        using Model = decltype(model);
        bad = refined_reduce(ScanFn<Model>{model, mesh, kind, dbins, fields, refine.threshold}, mesh.count(), total,
                             progress, refine, refined);
    });
    return bad;
}

long long chern_reduce(const ModelParams& mp, const Mesh& mesh, std::vector<Neumaier>& total, Progress* progress) {
    long long bad = -1;
    if (mp.id >= kTwoBandModels) {
        visit_nband_model(mp, [&](auto model) {
            using Model = decltype(model);
            bad = keyed_reduce(NBandChernFn<Model>{model, mesh}, mesh.count(), total, progress);
        });
        return bad;
    }
    visit_model(mp, [&](auto model) {
        using Model = decltype(model);
        bad = keyed_reduce(ChernFn<Model>{model, mesh}, mesh.count(), total, progress);
    });
    return bad;
}

void dc_lines(const ModelParams& mp, int bands, const QmeParams& q, const std::vector<double>& k0, double period,
              long long steps, std::vector<LineCurrent>& out) {
    const long long lines = static_cast<long long>(k0.size() / 3);
    thrust::device_vector<double> dk(k0.begin(), k0.end());
    thrust::device_vector<LineCurrent> dout(lines);
    constexpr int kLineThreads = 64;
    const unsigned grid = static_cast<unsigned>((lines + kLineThreads - 1) / kLineThreads);
    // Lines exist only for lattice models: no kernels are instantiated for continuum ones.
    if (bands == 2) {
        visit_model(mp, [&](auto model) {
            if constexpr (decltype(model)::lattice)
                two_band_lines_kernel<<<grid, kLineThreads>>>(model, q, thrust::raw_pointer_cast(dk.data()), lines,
                                                              period, steps, thrust::raw_pointer_cast(dout.data()));
        });
    } else {
        visit_nband_model(mp, [&](auto model) {
            using Model = decltype(model);
            if constexpr (Model::lattice) {
                constexpr int N = Model::bands;
                thrust::device_vector<double> work(lines * nband_workspace_doubles<N>());
                nband_lines_kernel<N><<<grid, kLineThreads>>>(model, q, thrust::raw_pointer_cast(dk.data()), lines,
                                                             period, steps, thrust::raw_pointer_cast(work.data()),
                                                             thrust::raw_pointer_cast(dout.data()));
                check(cudaDeviceSynchronize(), "nband_lines_kernel");
            }
        });
    }
    check(cudaGetLastError(), "dc_lines");
    out.resize(lines);
    thrust::copy(dout.begin(), dout.end(), out.begin());
}

void dc_lines_exact(const ModelParams& mp, int bands, const QmeParams& q, const ExactParams& x,
                    const std::vector<double>& k0, double period, long long steps, std::vector<LineCurrent>& out) {
    const long long lines = static_cast<long long>(k0.size() / 3);
    const int P = x.poles.P;
    thrust::device_vector<double> dk(k0.begin(), k0.end()), zeta(x.poles.zeta, x.poles.zeta + P),
        eta(x.poles.eta, x.poles.eta + P);
    thrust::device_vector<EtdCoefficients> coef(x.coef, x.coef + 1 + P);
    thrust::device_vector<LineCurrent> dout(lines);
    ExactParams dx = x;
    dx.poles.zeta = thrust::raw_pointer_cast(zeta.data());
    dx.poles.eta = thrust::raw_pointer_cast(eta.data());
    dx.coef = thrust::raw_pointer_cast(coef.data());
    constexpr int kLineThreads = 64;
    const unsigned grid = static_cast<unsigned>((lines + kLineThreads - 1) / kLineThreads);
    auto launch = [&](auto model) {
        using Model = decltype(model);
        constexpr int N = Model::bands;
        const long long per_line = exact_workspace<N>(P);
        thrust::device_vector<cplx> work(lines * per_line);
        exact_lines_kernel<N><<<grid, kLineThreads>>>(model, q, dx, thrust::raw_pointer_cast(dk.data()), lines, period,
                                                      steps, thrust::raw_pointer_cast(work.data()), per_line,
                                                      thrust::raw_pointer_cast(dout.data()));
        check(cudaDeviceSynchronize(), "exact_lines_kernel");
    };
    if (bands == 2)
        visit_model(mp, [&](auto model) {
            if constexpr (decltype(model)::lattice) launch(AsNBand<decltype(model)>{model});
        });
    else
        visit_nband_model(mp, [&](auto model) {
            if constexpr (decltype(model)::lattice) launch(model);
        });
    check(cudaGetLastError(), "dc_lines_exact");
    out.resize(lines);
    thrust::copy(dout.begin(), dout.end(), out.begin());
}

}  // namespace bzint::cuda
