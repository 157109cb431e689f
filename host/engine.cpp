#include "engine.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cmath>
#include <type_traits>

#include "../kernels/cuda_backend.hpp"
#include "bzint/fermi.hpp"
#include "bzint/semiclassical.hpp"
#include "cpu_launch.hpp"
#include "stop.hpp"
#include "workers.hpp"
#include "wannier/fft_reduce.hpp"
#include "input_error.hpp"
#include "wannier/runtime_wannier.hpp"
#include "wannier/wannier_model.hpp"
#include "bzint/nband_packet_motion.hpp"
#include "bzint/texture_current.hpp"
#include "bzint/texture_magnetisation.hpp"
#include "bzint/texture_transport.hpp"
#include "bzint/texture_density.hpp"
#include "symmetry/irreducible_mesh.hpp"
#include "symmetry/symmetrise.hpp"

namespace bzint {

void throw_too_many_flagged(long long n) {
    throw InputError(fmt::format("[task] refine: the threshold flags more than {} of the {} mesh points for refinement (the "
                                 "flagged points are held in memory); raise refine.threshold",
                                 kMaxFlaggedPoints, n));
}

void non_finite_at(const Mesh& mesh, long long idx, const char* what) {
    long long i[3];
    mesh.indices(idx, i);
    double k[3];
    mesh.k_of(idx, k);
    throw NonFiniteError(fmt::format(
        "non-finite {} at mesh point {} (indices [{}, {}, {}], k = ({:.10g}, {:.10g}, {:.10g})): the bands are "
        "degenerate there; shift the parameters or change the mesh so no point sits on the degeneracy",
        what, idx, i[0], i[1], i[2], k[0], k[1], k[2]));
}

int scanned_bands(const ModelParams& mp) {
    if (!is_wannier(mp)) return model_bands(mp);
    const LoadedWannier& w = wannier_of(mp);
    return w.runtime_sized() ? w.tb.num_wann : w.padded;
}

int model_bands(const ModelParams& mp) {
    if (is_wannier(mp)) return wannier_of(mp).tb.num_wann;
    int bands = 2;
    if (mp.id >= kTwoBandModels) visit_nband_model(mp, [&](auto model) { bands = decltype(model)::bands; });
    return bands;
}

namespace {

// A Wannier model whose geometry the run-time-sized engine evaluates (wannier/runtime_wannier.hpp).
bool is_runtime_sized(const ModelParams& mp) { return is_wannier(mp) && wannier_of(mp).runtime_sized(); }
// A built-in two-band model (the two-band functors), as opposed to an N-band or Wannier one.
bool is_two_band(const ModelParams& mp) { return mp.id < kTwoBandModels; }
// Whether this model runs on the device for backend b (Wannier models: only their Fermi scans).
bool on_device(Backend b, const ModelParams& mp) { return b == Backend::cuda && !is_wannier(mp); }
// Fermi scans also run Wannier models of up to 16 orbitals on the device (direct Fourier sum).
bool scan_on_device(Backend b, const ModelParams& mp) {
    return b == Backend::cuda && (!is_wannier(mp) || cuda::wannier_device_size(wannier_of(mp).tb.num_wann) > 0);
}

// Calls f(model) for an N-band model: a built-in one or a loaded Wannier model.
template <class F>
void visit_any_nband(const ModelParams& mp, F&& f) {
    if (is_wannier(mp)) {
        visit_wannier(mp, f);
    } else {
        visit_nband_model(mp, f);
    }
}

// Keeps the first `keep` bands of a scan over `from` bands (Wannier padding is on top).
void keep_bands(ScanResult& r, int keep) {
    const int from = r.bands;
    if (keep == from) return;
    const int L = static_cast<int>(r.mu.size());
    auto cut = [&](std::vector<double>& v, int nc) {
        std::vector<double> out(static_cast<std::size_t>(L) * keep * nc);
        for (int j = 0; j < L; ++j)
            for (int b = 0; b < keep; ++b)
                for (int c = 0; c < nc; ++c) out[(j * keep + b) * nc + c] = v[(j * from + b) * nc + c];
        v.swap(out);
    };
    cut(r.sea, r.channels.n_sea);
    cut(r.surface, r.channels.n_surface);
    r.bands = keep;
}

}  // namespace

std::vector<BandGeometry> geometry_at_points(Backend b, const ModelParams& mp, const std::vector<std::array<double, 3>>& k,
                                             Progress* progress) {
    const int bands = model_bands(mp);
    std::vector<BandGeometry> out(bands * k.size());
    if (k.empty()) return out;
    std::atomic<long long> first_bad{LLONG_MAX};
    if (on_device(b, mp)) {
        cuda::geometry_at_points(mp, k.data()->data(), static_cast<long long>(k.size()), out.data());
    } else if (is_two_band(mp)) {
        visit_model(mp, [&](auto model) {
            cpu::for_each_point(0, static_cast<long long>(k.size()), [&](long long i) {
                TwoBandPoint h;
                model(k[i].data(), h);
                two_band_geometry(h, out.data() + 2 * i);
            }, progress);
        });
    } else {
        auto unconverged = [&](long long i) {
            long long prev = first_bad.load();
            while (i < prev && !first_bad.compare_exchange_weak(prev, i)) {
            }
        };
        if (is_runtime_sized(mp)) {
            const WannierData d = wannier_of(mp).view();
            cpu::for_each_point(0, static_cast<long long>(k.size()), [&](long long i) {
                if (!runtime_wannier_geometry(d, k[i].data(), out.data() + bands * i)) unconverged(i);
            }, progress);
        } else {
            visit_any_nband(mp, [&](auto model) {
                constexpr int N = decltype(model)::bands;
                cpu::for_each_point(0, static_cast<long long>(k.size()), [&](long long i) {
                    NBandPoint<N> h;
                    model(k[i].data(), h);
                    BandGeometry g[N];
                    if (!nband_geometry<N>(h, g)) unconverged(i);
                    for (int n = 0; n < bands; ++n) out[bands * i + n] = g[n];
                }, progress);
            });
        }
    }
    const long long bad = first_bad.load() == LLONG_MAX ? -1 : first_bad.load();
    if (bad >= 0)
        throw NonFiniteError(fmt::format("the eigensolver did not converge at point {} (k = ({:.10g}, {:.10g}, {:.10g}))",
                                         bad, k[bad][0], k[bad][1], k[bad][2]));
    for (std::size_t i = 0; i < k.size(); ++i)
        for (int n = 0; n < bands; ++n) {
            const BandGeometry& g = out[bands * i + n];
            bool finite = std::isfinite(g.energy);
            for (int a = 0; a < 3; ++a) finite = finite && std::isfinite(g.v[a]) && std::isfinite(g.omega[a]) && std::isfinite(g.m[a]);
            if (!finite)
                throw NonFiniteError(fmt::format(
                    "non-finite band geometry of band {} at point {} (k = ({:.10g}, {:.10g}, {:.10g})): the bands are "
                    "degenerate there, where the Berry curvature and orbital moment are undefined; move the point",
                    n, i, k[i][0], k[i][1], k[i][2]));
        }
    return out;
}

TensorAtPoints curvature_tensor_at_points(const ModelParams& mp, const std::vector<std::array<double, 3>>& k,
                                          const std::array<double, 3>& field, Progress* progress) {
    const int B = model_bands(mp);
    TensorAtPoints out;
    out.tensor.resize(k.size() * B * B * 3);
    out.weights.resize(k.size() * B * B);
    auto store = [&](std::size_t i, int N, const double* omega, const double* Z) {  // omega [N][N][3], Z [N][N]
        for (int n = 0; n < B; ++n)
            for (int m = 0; m < B; ++m) {
                for (int c = 0; c < 3; ++c) out.tensor[((i * B + n) * B + m) * 3 + c] = omega[(n * N + m) * 3 + c];
                out.weights[(i * B + n) * B + m] = Z[n * N + m];
            }
    };
    const long long count = static_cast<long long>(k.size());
    if (is_two_band(mp)) {
        visit_model(mp, [&](auto model) {
            cpu::for_each_point(0, count, [&](long long i) {
                TwoBandPoint h;
                model(k[i].data(), h);
                BandGeometry g[2];
                two_band_geometry(h, g);
                double omega[2][2][3], Z[2][2];
                two_band_curvature_tensor(g, omega);
                spectral_weights<2>(omega, field.data(), Z);
                store(static_cast<std::size_t>(i), 2, &omega[0][0][0], &Z[0][0]);
            }, progress);
        });
        return out;
    }
    if (is_runtime_sized(mp)) {
        const WannierData d = wannier_of(mp).view();
        cpu::for_each_point(0, count, [&](long long i) {
            std::vector<double> omega(static_cast<std::size_t>(B) * B * 3), Z(static_cast<std::size_t>(B) * B);
            // As below, the solver's status is not checked again: geometry_at_points, which the tasks call
            // first at the same points, refuses a point where it fails.
            (void)runtime_wannier_curvature_tensor(d, k[i].data(), omega.data());
            spectral_weights(B, omega.data(), field.data(), Z.data());
            store(static_cast<std::size_t>(i), B, omega.data(), Z.data());
        }, progress);
        return out;
    }
    visit_any_nband(mp, [&](auto model) {
        constexpr int N = decltype(model)::bands;
        cpu::for_each_point(0, count, [&](long long i) {
            NBandPoint<N> h;
            model(k[i].data(), h);
            cplx A[N][N], U[N][N];
            double e[N];
            for (int a = 0; a < N; ++a)
                for (int b = 0; b < N; ++b) A[a][b] = h.H[a][b];
            hermitian_eigen<N>(A, e, U);
            double omega[N][N][3], Z[N][N];
            nband_curvature_tensor<N>(h.dH, e, U, tensor_degenerate_threshold(N, e), omega);
            spectral_weights<N>(omega, field.data(), Z);
            store(static_cast<std::size_t>(i), N, &omega[0][0][0], &Z[0][0]);
        }, progress);
    });
    return out;
}

namespace {
// Finite-T fine grid: width T/32 over [μ_min − 40T, μ_max + 40T] (e^{−40} ≈ 4e−18).
constexpr double kTailInT = 40.0;
constexpr double kBinsPerT = 32.0;
constexpr int kMaxFineBins = 1 << 17;
}  // namespace

Binning make_binning(const std::vector<double>& mu, double T) {
    Binning bins{};
    if (T == 0.0) {
        bins.levels = mu.data();
        bins.n_levels = static_cast<int>(mu.size());
        if (mu.size() > 1) {  // evenly spaced levels (as from {from, to, count}) get an O(1) first guess
            const double step = (mu.back() - mu.front()) / static_cast<double>(mu.size() - 1);
            bool even = step > 0.0;
            for (std::size_t i = 0; even && i < mu.size(); ++i)
                even = std::fabs(mu[i] - (mu.front() + step * static_cast<double>(i))) <= 1e-6 * step;
            if (even) bins.inv_step = 1.0 / step;
        }
        return bins;
    }
    bins.h = T / kBinsPerT;
    bins.lo = mu.front() - kTailInT * T - bins.h;
    const double hi = mu.back() + kTailInT * T + bins.h;
    const double n = std::ceil((hi - bins.lo) / bins.h);
    if (n > kMaxFineBins)
        throw InputError(fmt::format(
            "[task] T = {:g} is too small for a Fermi scan over [{:g}, {:g}]: the energy grid of width T/{:g} would "
            "need {:.0f} bins (at most {}); raise T, narrow the scan, or use T = 0 for Fermi-sea quantities",
            T, mu.front(), mu.back(), kBinsPerT, n, kMaxFineBins));
    bins.n_fine = static_cast<int>(n);
    return bins;
}

namespace {

// Reads the scans off histograms of the same shape (docs/fermi-scan.md): the mesh's and its coarse
// sub-mesh's, in one pass over the levels so that both share the Fermi weights (at T > 0 their
// exponentials are most of the cost).
std::vector<ScanResult> finish_scans(const std::vector<const std::vector<Neumaier>*>& hists, const Binning& bins,
                                     ScanChannels ch, const std::vector<double>& mu, double T, int B) {
    const std::size_t H = hists.size();
    std::vector<ScanResult> out(H);
    const int L = static_cast<int>(mu.size()), nch = ch.n_sea + ch.n_surface, nmom = bins.n_moments();
    const int nv = nch * nmom;
    for (ScanResult& r : out) {
        r.channels = ch;
        r.mu = mu;
        r.bands = B;
        r.sea.assign(static_cast<std::size_t>(L) * B * ch.n_sea, 0.0);
        r.surface.assign(static_cast<std::size_t>(L) * B * ch.n_surface, 0.0);
    }
    auto entry = [&](std::size_t h, int bin, int band, int c, int mom) -> const Neumaier& {
        return (*hists[h])[static_cast<std::size_t>(B * bin + band) * nv + c * nmom + mom];
    };
    if (T == 0.0) {  // Fermi sea at μ_j = bins 0..j
        for (std::size_t h = 0; h < H; ++h)
            for (int band = 0; band < B; ++band)
                for (int c = 0; c < ch.n_sea; ++c) {
                    Neumaier acc;
                    for (int j = 0; j < L; ++j) {
                        acc.add(entry(h, j, band, c, 0));
                        out[h].sea[(j * B + band) * ch.n_sea + c] = acc.value();
                    }
                }
        return out;
    }
    for (ScanResult& r : out) {
        r.fine_bins = bins.n_fine;
        r.bin_width = bins.h;
    }
    const int nb = bins.n_bins();
    // The bins' compensated sums, rounded once, laid out for the window loop below: per bin and
    // moment, the sea values of every (band, histogram, channel) contiguous, then the surface
    // values alike — so that a bin's update is a few contiguous axpys, with the mesh's and the
    // sub-mesh's histograms side by side sharing the bin's Fermi weights.
    const int ns = B * static_cast<int>(H) * ch.n_sea, nf = B * static_cast<int>(H) * ch.n_surface;
    const int per_bin = 3 * (ns + nf);
    std::vector<double> value(static_cast<std::size_t>(nb) * per_bin);
    for (int b = 0; b < nb; ++b)
        for (int band = 0; band < B; ++band)
            for (std::size_t h = 0; h < H; ++h)
                for (int m = 0; m < 3; ++m) {
                    double* row = value.data() + static_cast<std::size_t>(b) * per_bin;
                    const int g = band * static_cast<int>(H) + static_cast<int>(h);
                    for (int c = 0; c < ch.n_sea; ++c) row[m * ns + g * ch.n_sea + c] = entry(h, b, band, c, m).value();
                    for (int c = 0; c < ch.n_surface; ++c)
                        row[3 * ns + m * nf + g * ch.n_surface + c] = entry(h, b, band, ch.n_sea + c, m).value();
                }
    // Below μ − 40T the Fermi function is 1 to double precision (its Taylor terms are below
    // 1e-17 of the sum): those bins enter through a compensated running sum of their moment 0,
    // so each level costs its ±40T window, not the whole range below it.
    std::vector<std::vector<double>> below(H, std::vector<double>(static_cast<std::size_t>(nb) * B * ch.n_sea));
    for (std::size_t h = 0; h < H; ++h)
        for (int band = 0; band < B; ++band)
            for (int c = 0; c < ch.n_sea; ++c) {
                Neumaier acc;
                for (int b = 0; b < nb; ++b) {
                    below[h][(static_cast<std::size_t>(b) * B + band) * ch.n_sea + c] = acc.value();
                    acc.add(entry(h, b, band, c, 0));
                }
            }
    // Inside the window the weights come from z = e^{x/T}: computed exactly at every 32nd bin and
    // times e^{ih/T} (i < 32, tabulated) in between (relative error < 1e-15), so that a level's
    // weights are one vectorisable pass; the window's sums are plain: their rounding, < 1e-12
    // relative, is far below the Taylor error O((h/T)³) ~ 1e-7 of the binning (docs/fermi-scan.md).
    constexpr int kRecompute = 32;
    double growth[kRecompute];
    for (int i = 0; i < kRecompute; ++i) growth[i] = std::exp(i * bins.h / T);
    const double inv_T = 1.0 / T;
    workers::parallel_for(
        L, 1,
        [&](long long j0, long long j1) {
            std::vector<double> acc(per_bin), F[4];
            for (long long j = j0; j < j1; ++j) {
                // The window: from the first fine bin whose centre is within 40T + h below μ_j (bin 0,
                // the underflow, always counts as f = 1, −∂f/∂ε = 0) to the last within 40T + h
                // above it (f = 0 beyond), never the overflow bin.
                const double first = std::ceil((mu[j] - kTailInT * T - bins.h - bins.lo) / bins.h + 0.5);
                const int b_lo = static_cast<int>(std::clamp(first, 1.0, static_cast<double>(nb - 1)));
                auto x_of = [&](int b) { return bins.lo + (b - 0.5) * bins.h - mu[j]; };
                const double limit = kTailInT * T + bins.h;
                int b_end = b_lo;  // one past the window
                while (b_end < nb - 1 && x_of(b_end) <= limit) ++b_end;
                const int n = b_end - b_lo;
                for (auto& v : F) v.resize(std::max<std::size_t>(v.size(), static_cast<std::size_t>(n)));
                // f and its derivatives (fermi_derivs_of, with 1/T as a product): z f² = f(1 − f).
                for (int i0 = 0; i0 < n; i0 += kRecompute) {
                    const double z0 = std::exp(x_of(b_lo + i0) * inv_T);
                    double w[4][kRecompute];  // a whole stride (fixed length: one vector loop), the window's part kept
                    for (int i = 0; i < kRecompute; ++i) {
                        const double z = z0 * growth[i], f = 1.0 / (1.0 + z), g = 1.0 - 2.0 * f;
                        const double d1 = -z * f * f * inv_T, d2 = -d1 * g * inv_T;
                        w[0][i] = f;
                        w[1][i] = d1;
                        w[2][i] = d2;
                        w[3][i] = -(d2 * g - 2.0 * d1 * d1) * inv_T;
                    }
                    const int m = std::min(kRecompute, n - i0);
                    for (int d = 0; d < 4; ++d) std::copy(w[d], w[d] + m, F[d].data() + i0);
                }
                std::fill(acc.begin(), acc.end(), 0.0);
                for (int i = 0; i < n; ++i) {
                    const int b = b_lo + i;
                    // Taylor weights for the moments Σq, Σq·δ, Σq·δ² (δ = ε − centre).
                    const double ws[3] = {F[0][i], F[1][i], 0.5 * F[2][i]};
                    const double wf[3] = {-F[1][i], -F[2][i], -0.5 * F[3][i]};
                    const double* row = value.data() + static_cast<std::size_t>(b) * per_bin;
                    double* a = acc.data();
                    for (int m = 0; m < 3; ++m, row += ns, a += ns)
                        for (int t = 0; t < ns; ++t) a[t] += ws[m] * row[t];
                    for (int m = 0; m < 3; ++m, row += nf, a += nf)
                        for (int t = 0; t < nf; ++t) a[t] += wf[m] * row[t];
                }
                for (int band = 0; band < B; ++band)
                    for (std::size_t h = 0; h < H; ++h) {
                        const int g = band * static_cast<int>(H) + static_cast<int>(h);
                        for (int c = 0; c < ch.n_sea; ++c) {
                            const int t = g * ch.n_sea + c;
                            out[h].sea[(j * B + band) * ch.n_sea + c] =
                                below[h][(static_cast<std::size_t>(b_lo) * B + band) * ch.n_sea + c] +
                                (acc[t] + acc[ns + t] + acc[2 * ns + t]);
                        }
                        for (int c = 0; c < ch.n_surface; ++c) {
                            const int t = 3 * ns + g * ch.n_surface + c;
                            out[h].surface[(j * B + band) * ch.n_surface + c] = acc[t] + acc[nf + t] + acc[2 * nf + t];
                        }
                    }
            }
        },
        [] { return !stop_requested(); });
    throw_if_stopped();
    return out;
}

}  // namespace

ScanResult fermi_scan(Backend b, const ModelParams& mp, const Mesh& mesh, ScanKind kind, const std::vector<double>& mu,
                      double T, Progress* progress, const ScanFields& fields, const Refine& refine,
                      const IrreducibleMesh* symmetric) {
    if (symmetric && (!symmetrises(kind) || refine.threshold > 0.0 || !symmetric->of(mesh)))
        throw std::logic_error("fermi_scan: a symmetric scan of this kind, with refinement, or of another mesh");
    const std::uint8_t* orbit = symmetric ? symmetric->weight.data() : nullptr;
    const Binning bins = make_binning(mu, T);
    const ScanChannels ch = scan_channels(kind, mesh.dim);
    const int bands = model_bands(mp);
    int scanned = bands;  // Wannier models scan their padded size
    std::vector<Neumaier> hist;
    long long bad = -1, refined = 0;
    if (scan_on_device(b, mp) && !symmetric) {
        if (is_wannier(mp)) scanned = cuda::wannier_device_size(wannier_of(mp).tb.num_wann);
        bad = cuda::scan_reduce(mp, mesh, kind, bins, fields, mu, hist, progress, refine, refined);
    } else if (kind == ScanKind::hybrid && is_runtime_sized(mp)) {  // no refinement: the task refuses it
        bad = cpu::keyed_reduce(RuntimeWannierHybridFn{wannier_of(mp).view(), mesh, bins, fields.hybrid}, mesh.count(),
                                hist, progress);
    } else if (kind == ScanKind::hybrid) {
        auto reduce = [&](auto model) {
            using Model = decltype(model);
            scanned = Model::bands;
            bad = cpu::keyed_reduce(HybridScanFn<Model>{model, mesh, bins, fields.hybrid}, mesh.count(), hist, progress);
        };
        if (is_two_band(mp))
            visit_model(mp, [&](auto model) { reduce(AsNBand<decltype(model)>{model}); });
        else
            visit_any_nband(mp, reduce);
    } else if (is_two_band(mp)) {
        visit_model(mp, [&](auto model) {
            using Model = decltype(model);
            bad = cpu::refined_reduce(ScanFn<Model>{model, mesh, kind, bins, fields, refine.threshold, orbit}, mesh.count(),
                                      hist, progress, refine, refined);
        });
    } else if (is_wannier(mp) && wannier_of(mp).scans_by_fft(symmetric ? symmetric->points : mesh.count(), mesh.count()) &&
               mesh.shift == 0.0 && mesh.origin[0] == 0.0 && mesh.origin[1] == 0.0 &&
               mesh.origin[2] == 0.0) {  // a shifted mesh ([mesh] shift) takes the direct sum below
        // H and ∂H on the mesh by FFT; refinement's sub-grids by the direct sum.
        const LoadedWannier& w = wannier_of(mp);
        scanned = w.runtime_sized() ? bands : w.padded;
        auto scan = [&](const auto& fn) {
            using Fn = std::decay_t<decltype(fn)>;
            bad = bzint::refined_reduce(
                fn, mesh.count(), hist, progress, refine, refined,
                [&](const auto& f, long long count, std::vector<Neumaier>& t, Progress* pr, std::vector<long long>* hot) {
                    if constexpr (std::is_same_v<std::decay_t<decltype(f)>, Fn>)
                        return fft_keyed_reduce(f, w, t, pr, hot);
                    else
                        return cpu::keyed_reduce(f, count, t, pr, hot);
                },
                [](const std::vector<long long>& hot) { return cpu::StagedIndices{hot.data()}; });
        };
        if (w.runtime_sized())
            scan(RuntimeWannierScanFn{w.view(), mesh, kind, bins, fields, refine.threshold, orbit});
        else
            visit_wannier(mp, [&](auto model) { scan(NBandScanFn<decltype(model)>{model, mesh, kind, bins, fields, refine.threshold, orbit}); });
    } else if (is_runtime_sized(mp)) {
        scanned = bands;
        bad = cpu::refined_reduce(RuntimeWannierScanFn{wannier_of(mp).view(), mesh, kind, bins, fields, refine.threshold, orbit},
                                  mesh.count(), hist, progress, refine, refined);
    } else {
        visit_any_nband(mp, [&](auto model) {
            using Model = decltype(model);
            scanned = Model::bands;
            bad = cpu::refined_reduce(NBandScanFn<Model>{model, mesh, kind, bins, fields, refine.threshold, orbit},
                                      mesh.count(), hist, progress, refine, refined);
        });
    }
    if (bad >= 0) non_finite_at(mesh, bad, "band energy or Berry curvature");
    // The histogram (per_k.hpp key_by_submesh): two interleaved halves, and for all kinds but hybrid
    // (whose sums have no curvature to diverge) a section for the points near a band touching. The
    // mesh is everything, the coarse sub-mesh the odd keys, its points weighing coarse_factor() mesh
    // points; the sums without the touching points are the ordinary section.
    const bool sectioned = kind != ScanKind::hybrid;
    const std::size_t keys = static_cast<std::size_t>(scanned) * bins.n_bins();
    const std::size_t nk = sectioned ? static_cast<std::size_t>(sectioned_keys(static_cast<int>(2 * keys))) : 2 * keys;
    const std::size_t nv = hist.size() / nk;
    auto row = [&](std::size_t k2, bool touching) {
        return (sectioned ? static_cast<std::size_t>(sectioned_key(static_cast<int>(k2), touching)) : k2) * nv;
    };
    bool touching = false;  // any point in the touching section (usually none: no copy without them)
    for (std::size_t k = 0; sectioned && !touching && k < 2 * keys; ++k)
        for (std::size_t v = 0; v < nv; ++v) {
            const Neumaier& t = hist[row(k, true) + v];
            touching = touching || t.s != 0.0 || t.c != 0.0;
        }
    std::vector<Neumaier> whole(keys * nv), coarse(keys * nv), without(touching ? keys * nv : 0);
    const double factor = mesh.coarse_factor();
    for (std::size_t k = 0; k < keys; ++k)
        for (std::size_t v = 0; v < nv; ++v) {
            const std::size_t i = k * nv + v;
            const Neumaier& off = hist[row(2 * k, false) + v];
            const Neumaier& on = hist[row(2 * k + 1, false) + v];
            whole[i] = off;
            whole[i].add(on);
            if (touching) without[i] = whole[i];
            coarse[i] = on;
            if (touching) {
                const Neumaier& t_off = hist[row(2 * k, true) + v];
                const Neumaier& t_on = hist[row(2 * k + 1, true) + v];
                whole[i].add(t_off);
                whole[i].add(t_on);
                coarse[i].add(t_on);
            }
            coarse[i].s *= factor;
            coarse[i].c *= factor;
        }
    std::vector<const std::vector<Neumaier>*> parts{&whole};
    if (factor > 0.0) parts.push_back(&coarse);
    if (touching) parts.push_back(&without);
    std::vector<ScanResult> read = finish_scans(parts, bins, ch, mu, T, scanned);
    for (ScanResult& r : read) keep_bands(r, bands);
    ScanResult r = std::move(read[0]);
    r.refined_points = refined;
    if (factor > 0.0) r.coarse = std::make_shared<const ScanResult>(std::move(read[1]));
    if (touching) r.without_touching = std::make_shared<const ScanResult>(std::move(read.back()));
    if (symmetric) symmetrise(r, kind, mesh.dim, symmetric->group);
    return r;
}

ScanResult fermi_scan_reference(const ModelParams& mp, const Mesh& mesh, ScanKind kind, const std::vector<double>& mu,
                                double T, const ScanFields& fields, bool magnitude) {
    ScanResult r;
    r.channels = scan_channels(kind, mesh.dim);
    r.mu = mu;
    const ScanChannels ch = r.channels;
    const int L = static_cast<int>(mu.size());
    std::vector<Neumaier> sea(static_cast<std::size_t>(L) * 2 * ch.n_sea), surf(static_cast<std::size_t>(L) * 2 * ch.n_surface);
    visit_model(mp, [&](auto model) {
        using Model = decltype(model);
        const ScanFn<Model> fn{model, mesh, kind, Binning{}, fields, 0.0};
        for (long long idx = 0; idx < mesh.count(); ++idx) {
            double k[3];
            mesh.k_of(idx, k);
            ScanPoint p;
            fn.point(k, p);
            for (int band = 0; band < 2; ++band) {
                double q[kMaxSea + kMaxSurface];
                scan_values(kind, mesh.dim, p, band, fields, q, q + ch.n_sea);
                if (magnitude)
                    for (int c = 0; c < ch.n_sea + ch.n_surface; ++c) q[c] = std::fabs(q[c]);
                const double e = scan_energy(kind, p, band, fields);
                for (int j = 0; j < L; ++j) {
                    const double x = e - mu[j];
                    const double f = fermi(x, T);
                    for (int c = 0; c < ch.n_sea; ++c) sea[(j * 2 + band) * ch.n_sea + c].add(f * q[c]);
                    if (ch.n_surface > 0 && T > 0.0) {
                        const double w = -fermi_derivs(x, T).f1;
                        for (int c = 0; c < ch.n_surface; ++c)
                            surf[(j * 2 + band) * ch.n_surface + c].add(w * q[ch.n_sea + c]);
                    }
                }
            }
        }
    });
    for (const auto& s : sea) r.sea.push_back(s.value());
    for (const auto& s : surf) r.surface.push_back(s.value());
    return r;
}

ChernPlane two_band_chern_plane(const Neumaier* sums) {
    auto at = [&](int v) { return sums[v].value(); };
    ChernPlane c;
    c.integral = {at(0), at(1)};
    c.link = {at(2), at(3)};
    c.manifold = {at(2), at(2) + at(3)};
    c.gap_p = {at(4)};
    c.gap_2p = {at(5)};
    return c;
}

ChernPlane nband_chern_plane(const Neumaier* sums, int scanned, int bands) {
    auto at = [&](int v) { return sums[v].value(); };
    ChernPlane c;
    for (int n = 0; n < bands; ++n) {
        c.integral.push_back(at(n));
        c.link.push_back(at(scanned + n));
        c.manifold.push_back(at(2 * scanned + n));
    }
    for (int n = 0; n + 1 < bands; ++n) {
        c.gap_p.push_back(at(3 * scanned + 2 * n));
        c.gap_2p.push_back(at(3 * scanned + 2 * n + 1));
    }
    return c;
}

std::vector<ChernPlane> chern_planes(Backend b, const ModelParams& mp, const Mesh& mesh, Progress* progress) {
    const int bands = model_bands(mp);
    int scanned = bands;
    std::vector<Neumaier> hist;
    long long bad = -1;
    if (on_device(b, mp)) {
        bad = cuda::chern_reduce(mp, mesh, hist, progress);
    } else if (is_two_band(mp)) {
        visit_model(mp, [&](auto model) {
            using Model = decltype(model);
            bad = cpu::keyed_reduce(ChernFn<Model>{model, mesh}, mesh.count(), hist, progress);
        });
    } else if (is_runtime_sized(mp)) {
        bad = cpu::keyed_reduce(RuntimeWannierChernFn{wannier_of(mp).view(), mesh}, mesh.count(), hist, progress);
    } else {
        visit_any_nband(mp, [&](auto model) {
            using Model = decltype(model);
            scanned = Model::bands;
            bad = cpu::keyed_reduce(NBandChernFn<Model>{model, mesh}, mesh.count(), hist, progress);
        });
    }
    if (bad >= 0) non_finite_at(mesh, bad, "Berry curvature or link phase");
    std::vector<ChernPlane> out(mesh.n[2]);
    const std::size_t nv = hist.size() / static_cast<std::size_t>(mesh.n[2]);
    for (long long p = 0; p < mesh.n[2]; ++p) {
        out[p] = nv == 6 ? two_band_chern_plane(hist.data() + p * nv) : nband_chern_plane(hist.data() + p * nv, scanned, bands);
    }
    return out;
}

long long second_chern_reduce(Backend b, const ModelParams& mp, const FourTorus& torus, std::vector<Neumaier>& total,
                              Progress* progress) {
    if (on_device(b, mp)) return cuda::second_chern_reduce(mp, torus, total, progress);
    long long bad = -1;
    visit_nband_model(mp, [&](auto model) {
        bad = cpu::keyed_reduce(SecondChernFn<decltype(model)>{torus}, torus.count(), total, progress);
    });
    return bad;
}

long long second_chern_reduce(Backend b, const ModelParams& mp, const PhaseFourTorus& torus, std::vector<Neumaier>& total,
                              Progress* progress) {
    if (on_device(b, mp)) return cuda::second_chern_reduce(mp, torus, total, progress);
    long long bad = -1;
    visit_nband_model(mp, [&](auto model) {
        bad = cpu::keyed_reduce(SecondChernFn<decltype(model), PhaseFourTorus>{torus}, torus.count(), total, progress);
    });
    return bad;
}

long long phase_plane_reduce(Backend b, const ModelParams& mp, const TextureTerms& terms, const PhaseSlice& slice,
                             std::vector<Neumaier>& total, Progress* progress) {
    long long bad = -1;
    if (!is_two_band(mp)) {
        if (on_device(b, mp)) return cuda::nband_phase_plane_reduce(mp, terms, slice, total, progress);
        visit_nband_model(mp, [&](auto model) {
            using Model = decltype(model);
            bad = cpu::keyed_reduce(NBandPhaseSliceChernFn<Model>{{model, terms}, slice}, slice.count(), total, progress);
        });
        return bad;
    }
    if (on_device(b, mp)) return cuda::phase_plane_reduce(mp, terms, slice, total, progress);
    visit_model(mp, [&](auto model) {
        using Model = decltype(model);
        bad = cpu::keyed_reduce(PhaseSliceChernFn<Model>{{model, terms}, slice}, slice.count(), total, progress);
    });
    return bad;
}

long long texture_density_reduce(Backend b, const ModelParams& mp, const TextureTerms& terms, const Mesh& mesh,
                                 const std::vector<double>& r, double t, const std::vector<double>& mu, double T,
                                 bool by_band, std::vector<Neumaier>& total, Progress* progress) {
    const long long positions = static_cast<long long>(r.size() / 3);
    if (on_device(b, mp))
        return is_two_band(mp) ? cuda::texture_density_reduce(mp, terms, mesh, r, t, mu, T, by_band, total, progress)
                               : cuda::nband_texture_density_reduce(mp, terms, mesh, r, t, mu, T, by_band, total, progress);
    long long bad = -1;
    visit_any_model(mp, [&](auto model) {
        using Model = decltype(model);
        const TextureDensityFn<Model> fn{{model, terms}, mesh, r.data(), t, mu.data(), static_cast<int>(mu.size()),
                                         static_cast<int>(positions), T, by_band};
        bad = cpu::keyed_reduce(fn, positions * mesh.count(), total, progress);
    });
    return bad;
}

long long texture_current_reduce(Backend b, const ModelParams& mp, const TextureTerms& terms, const Mesh& mesh,
                                 const std::vector<double>& points, const std::vector<double>& mu, double T, double step,
                                 bool by_band, std::vector<Neumaier>& total, Progress* progress) {
    const long long n_points = static_cast<long long>(points.size() / 4);
    if (on_device(b, mp)) return cuda::texture_current_reduce(mp, terms, mesh, points, mu, T, step, by_band, total, progress);
    long long bad = -1;
    visit_model(mp, [&](auto model) {
        using Model = decltype(model);
        const TextureCurrentFn<Model> fn{{model, terms}, mesh, points.data(), mu.data(), static_cast<int>(mu.size()),
                                         static_cast<int>(n_points), T, step, by_band};
        bad = cpu::keyed_reduce(fn, n_points * mesh.count(), total, progress);
    });
    return bad;
}

long long texture_magnetisation_reduce(Backend b, const ModelParams& mp, const TextureTerms& terms, const Mesh& mesh,
                                       const std::vector<double>& points, const std::vector<double>& mu, double T,
                                       bool by_band, std::vector<Neumaier>& total, Progress* progress) {
    const long long n_points = static_cast<long long>(points.size() / 4);
    if (on_device(b, mp))
        return is_two_band(mp) ? cuda::texture_magnetisation_reduce(mp, terms, mesh, points, mu, T, by_band, total, progress)
                               : cuda::nband_texture_magnetisation_reduce(mp, terms, mesh, points, mu, T, by_band, total, progress);
    long long bad = -1;
    visit_any_model(mp, [&](auto model) {
        using Model = decltype(model);
        const TextureMagnetisationFn<Model> fn{{model, terms}, mesh, points.data(), mu.data(), static_cast<int>(mu.size()),
                                               static_cast<int>(n_points), T, by_band};
        bad = cpu::keyed_reduce(fn, n_points * mesh.count(), total, progress);
    });
    return bad;
}

long long texture_transport_reduce(Backend b, const ModelParams& mp, const TextureTerms& terms, const Mesh& mesh,
                                   const std::vector<double>& r, const std::vector<double>& mu, double T, double tau,
                                   const std::array<double, 3>& E, int band, std::vector<Neumaier>& total, Progress* progress) {
    const long long positions = static_cast<long long>(r.size() / 3);
    if (on_device(b, mp))
        return is_two_band(mp) ? cuda::texture_transport_reduce(mp, terms, mesh, r, mu, T, tau, E, band, total, progress)
                               : cuda::nband_texture_transport_reduce(mp, terms, mesh, r, mu, T, tau, E, band, total, progress);
    long long bad = -1;
    visit_any_model(mp, [&](auto model) {
        using Model = decltype(model);
        const TextureTransportFn<Model> fn{{model, terms}, mesh, r.data(), mu.data(), static_cast<int>(mu.size()),
                                           static_cast<int>(positions), T, tau, {E[0], E[1], E[2]}, band};
        bad = cpu::keyed_reduce(fn, positions * mesh.count(), total, progress);
    });
    return bad;
}

long long packet_trajectories(Backend b, const ModelParams& mp, const TextureTerms& terms, const std::vector<double>& start,
                              double t0, double dt, long long steps, long long stride, double step_r, double step_p,
                              std::vector<double>& out, Progress* progress) {
    const long long packets = static_cast<long long>(start.size() / kPacketStart);
    if (on_device(b, mp))
        return is_two_band(mp) ? cuda::packet_trajectories(mp, terms, start, t0, dt, steps, stride, step_r, step_p, out, progress)
                               : cuda::nband_packet_trajectories(mp, terms, start, t0, dt, steps, stride, step_r, step_p, out,
                                                                 progress);
    out.assign(static_cast<std::size_t>(packets * (steps / stride + 1) * kPacketSample), 0.0);
    std::vector<double> state(static_cast<std::size_t>(packets * kPhaseCoords));
    // Slices of ~2·10^4 packet-steps per worker (~0.1 s for two bands): a stop request is seen
    // between them. An N-band rate evaluates as many Hamiltonians (13 + 4·dim), each with an
    // eigensolution and its transforms: ~20× the time, so ~20× fewer steps per slice.
    const long long per_worker = is_two_band(mp) ? 20000 : 1000;
    const long long slice = std::clamp(per_worker * workers::count() / std::max(packets, 1LL), 1LL, steps);
    std::atomic<long long> first_bad{LLONG_MAX};
    const PacketRun run{start.data(), t0, dt, steps, stride, step_r, step_p, out.data(), state.data()};
    visit_packet_motion(mp, terms, run, [&](auto fn) {
        for (fn.run.from = 0; fn.run.from < steps && first_bad.load() == LLONG_MAX; fn.run.from = fn.run.to) {
            fn.run.to = std::min(steps, fn.run.from + slice);
            cpu::for_each_point(0, packets, [&](long long i) {
                if (fn(i)) return;
                long long prev = first_bad.load();
                while (i < prev && !first_bad.compare_exchange_weak(prev, i)) {
                }
            });
            if (progress) progress->add(packets * (fn.run.to - fn.run.from));
        }
    });
    return first_bad.load() == LLONG_MAX ? -1 : first_bad.load();
}

}  // namespace bzint
