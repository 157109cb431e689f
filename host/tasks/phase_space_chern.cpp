// Chern numbers of a 2D plane of phase space for a textured model, two-band or N-band
// (docs/textures.md): the real-space cell of a periodic texture at fixed k, the Brillouin zone at
// fixed r, or a mixed (r, k) torus; by the integral and by the link method, each band's and each
// manifold's of the lowest bands (include/bzint/phase_slice.hpp), with the smallest gaps met, and
// optionally the Berry-flux density over the plane as a map.
#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "../cpu_launch.hpp"
#include "../engine.hpp"
#include "../input_error.hpp"
#include "../texture_input.hpp"
#include "bzint/phase_slice.hpp"
#include "task_common.hpp"

namespace bzint {

namespace {

constexpr const auto& kAxisNames = kPhaseAxisNames;
constexpr long long kMaxMapPoints = 1LL << 22;

struct PhaseChernSetup {
    TextureSetup texture;
    PhaseSlice slice{};
    int axes[2];
    double k_reduced[3] = {0.0, 0.0, 0.0};  // the fixed k in reduced coordinates (lattices)
    bool map = false;
};

PhaseChernSetup read_phase_chern(const TaskContext& ctx) {
    require_dim(ctx, 1, 3);
    PhaseChernSetup s;
    s.texture = read_texture(ctx);
    const Section& task = ctx.task;
    task.only();
    const ModelInfo& info = *ctx.cfg.model;
    // The plane's axes and their edge vectors, each a period of H, and its fixed point.
    const PhaseAxes axes = read_phase_axes(ctx, s.texture, "plane", 2);
    for (int a = 0; a < 2; ++a) {
        s.axes[a] = axes.axes[a];
        std::copy(axes.edge[a].begin(), axes.edge[a].end(), s.slice.edge[a]);
    }
    std::copy(std::begin(axes.at), std::end(axes.at), s.slice.at);
    std::copy(std::begin(axes.k_reduced), std::end(axes.k_reduced), s.k_reduced);
    const std::vector<double> n = task.numbers("n", 2);
    if (n.size() != 2) task.fail("n", "n needs two plaquette counts, one per axis of the plane");
    s.slice.n[0] = static_cast<long long>(n[0]);
    s.slice.n[1] = static_cast<long long>(n[1]);
    if (static_cast<double>(s.slice.n[0]) != n[0] || static_cast<double>(s.slice.n[1]) != n[1])
        task.fail("n", "n must be two integers");
    // The plane's corner bounds its vector potential: a real-space edge is refused with B, and a t
    // edge (one Bloch period) moves k by one reciprocal vector.
    require_small_gauge_shift(task, s.texture, {s.slice.at[0], s.slice.at[1], s.slice.at[2], s.slice.at[kCoordT]});
    s.map = task.boolean("map", false);
    // A row has 4 + 2N numbers (7 for two bands): the limit is on the table's numbers.
    if (s.map && s.slice.count() * (4 + 2 * info.bands) > kMaxMapPoints * 7)
        task.fail("map", fmt::format("a map of {} × {} points is more than {} rows of {} numbers; lower n or leave map out",
                                     s.slice.n[0], s.slice.n[1], kMaxMapPoints * 7 / (4 + 2 * info.bands), 4 + 2 * info.bands));
    return s;
}

// The plane's Chern numbers in chern_planes' layout (engine.hpp), from PhaseSliceChernFn's sums.
ChernPlane reduce_plane(const TaskContext& ctx, const PhaseChernSetup& s, Progress* progress) {
    std::vector<Neumaier> h;
    const long long bad = phase_plane_reduce(ctx.backend, ctx.cfg.params, s.texture, s.slice, h, progress);
    if (bad >= 0) {
        double x[kPhaseCoords];
        s.slice.point(bad % s.slice.n[0], bad / s.slice.n[0], x);
        throw NonFiniteError(fmt::format("the texture's curvature or link phase is not finite at plaquette {} of the plane, "
                                         "(x, y, z, kx, ky, kz, t) = ({:g}, {:g}, {:g}, {:g}, {:g}, {:g}, {:g}): {}",
                                         bad, x[0], x[1], x[2], x[3], x[4], x[5], x[6],
                                         ctx.cfg.model->bands == 2 ? "the bands touch there (|d| = 0)"
                                                                   : "the eigensolver did not converge there, or H is not finite"));
    }
    const int bands = ctx.cfg.model->bands;
    return bands == 2 ? two_band_chern_plane(h.data()) : nband_chern_plane(h.data(), bands, bands);
}

// A position or time axis as is; a k axis (along G_i) in reduced coordinates.
double map_coordinate(const PhaseChernSetup& s, const double x[kPhaseCoords], const double su[2], int a) {
    const int I = s.axes[a];
    return I < kCoordKx || I == kCoordT ? x[I] : s.k_reduced[I - kCoordKx] + su[a];
}

// The N-band map: each band's Berry-flux density (1/2π) Ω_n(e_0, e_1) per unit (s, u) and energy.
template <class Model>
void nband_flux_map(const PhaseChernSetup& s, const Model& model, CsvTable& csv) {
    constexpr int N = Model::bands;
    const TexturedNBand<Model> H{model, s.texture};
    cpu::for_each_point(0, s.slice.count(), [&](long long idx) {
        const long long i = idx % s.slice.n[0], j = idx / s.slice.n[0];
        double x[kPhaseCoords];
        s.slice.point(i, j, x);
        NBandPhasePoint<N> p;
        H(x, p);
        NBandPhaseEigen<N> e;
        nband_phase_eigen<N>(p, e);  // a failure shows as a non-finite value, as the plane's sums found
        const double su[2] = {static_cast<double>(i) / s.slice.n[0], static_cast<double>(j) / s.slice.n[1]};
        std::vector<double> row{su[0], su[1], map_coordinate(s, x, su, 0), map_coordinate(s, x, su, 1)};
        for (int n = 0; n < N; ++n) {
            double f = 0.0;
            for (int I = 0; I < kPhaseCoords; ++I)
                for (int J = 0; J < kPhaseCoords; ++J)
                    if (s.slice.edge[0][I] != 0.0 && s.slice.edge[1][J] != 0.0)
                        f += s.slice.edge[0][I] * s.slice.edge[1][J] * phase_curvature<N>(e, n, I, J);
            row.push_back(f / kTwoPi);
        }
        for (int n = 0; n < N; ++n) row.push_back(e.e[n]);
        csv.rows[idx] = row;
    });
}

// The map: at each grid point (s, u) the lower band's Berry-flux density (1/2π) q_s 𝓕_su per unit
// (s, u) — its mean over the plane is the band's Chern number; the upper band's is its negative —
// and both band energies.
CsvTable flux_map(const TaskContext& ctx, const PhaseChernSetup& s) {
    const int bands = ctx.cfg.model->bands;
    if (bands != 2) {
        CsvTable csv{"flux_map",
                     fmt::format("each band's Berry flux density (1/2pi) Omega_n(e0, e1) per unit (s, u) over the plane ({}, {}) = "
                                 "at + s e0 + u e1 (its mean is the band's Chern number), and the band energies; positions in "
                                 "length units, t in hbar/energy, k along G_i in reduced coordinates",
                                 kAxisNames[s.axes[0]], kAxisNames[s.axes[1]]),
                     {"s", "u", kAxisNames[s.axes[0]], kAxisNames[s.axes[1]]},
                     {}};
        for (int n = 0; n < bands; ++n) csv.columns.push_back(fmt::format("flux_density_band{}", n));
        for (int n = 0; n < bands; ++n) csv.columns.push_back(fmt::format("energy_band{}", n));
        csv.rows.resize(static_cast<std::size_t>(s.slice.count()));
        visit_nband_model(ctx.cfg.params, [&](auto model) { nband_flux_map(s, model, csv); });
        return csv;
    }
    CsvTable csv{"flux_map",
                 fmt::format("lower band's Berry flux density (1/2pi) q F_su per unit (s, u) over the plane ({}, {}) = at + s e0 + "
                             "u e1 (its mean is the Chern number; the upper band's is its negative), and the band energies; "
                             "positions in length units, t in hbar/energy, k along G_i in reduced coordinates",
                             kAxisNames[s.axes[0]], kAxisNames[s.axes[1]]),
                 {"s", "u", kAxisNames[s.axes[0]], kAxisNames[s.axes[1]], "flux_density_band0", "energy_band0", "energy_band1"},
                 {}};
    csv.rows.resize(static_cast<std::size_t>(s.slice.count()));
    visit_model(ctx.cfg.params, [&](auto model) {
        const TexturedTwoBand<decltype(model)> H{model, s.texture};
        cpu::for_each_point(0, s.slice.count(), [&](long long idx) {
            const long long i = idx % s.slice.n[0], j = idx / s.slice.n[0];
            double x[kPhaseCoords], da[3], db[3];
            s.slice.point(i, j, x);
            PhaseSpacePoint p;
            H(x, p);
            derivative_along(p, s.slice.edge[0], da);
            derivative_along(p, s.slice.edge[1], db);
            const double e = std::sqrt(dot3(p.d, p.d));
            const double su[2] = {static_cast<double>(i) / s.slice.n[0], static_cast<double>(j) / s.slice.n[1]};
            csv.rows[idx] = {su[0], su[1], map_coordinate(s, x, su, 0), map_coordinate(s, x, su, 1),
                             0.5 * solid_angle_density(p.d, da, db) / kTwoPi,
                             p.d0 - e, p.d0 + e};
        });
    });
    return csv;
}

}  // namespace

void check_phase_space_chern(TaskContext& ctx) { read_phase_chern(ctx); }

TaskResult task_phase_space_chern(TaskContext& ctx) {
    const PhaseChernSetup s = read_phase_chern(ctx);
    Progress progress("phase_space_chern", s.slice.count());
    const ChernPlane plane = reduce_plane(ctx, s, &progress);
    progress.finish();
    TaskResult out = chern_plane_result(plane, energy_unit(*ctx.cfg.model));
    out.kpoints = s.slice.count();
    out.remedy = "the Chern number is not resolved by the plane's grid (or the bands touch on it): raise [task] n, or move "
                 "the fixed point away from a band touching (docs/textures.md)";
    if (s.map) out.tables.push_back(flux_map(ctx, s));
    return out;
}

}  // namespace bzint
