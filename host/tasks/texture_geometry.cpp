// The phase-space geometry of a textured model at given points (docs/textures.md). Two-band
// models: the band energies, the texture's curvature 𝓕_IJ and metric 𝓖_IJ over all seven
// coordinates (x, y, z, kx, ky, kz, t), the scalar 𝓕 = Σ_l 𝓕_{r_l k_l}, the energy correction
// δε = −Δ𝓕/4 (Eq. 23), the bands' density-of-states factors 𝒟_s = 1 − q_s 𝓕 (Eq. 28) and their
// semiclassical velocities ṙ_s, ṗ_s (Eq. 24). N-band models (nband_phase_geometry.hpp): each
// band's curvature Ω_n^IJ (the non-adiabatic paper's Eq. 44) and metric, energy correction,
// density-of-states factor and velocities, and a manifold's non-Abelian curvature.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "../input_error.hpp"
#include "../texture_input.hpp"
#include "bzint/nband_phase_geometry.hpp"
#include "bzint/phase_space_motion.hpp"
#include "bzint/texture_density.hpp"
#include "task_common.hpp"

namespace bzint {

namespace {

constexpr std::size_t kMaxTexturePoints = 10000;

struct GeometrySetup {
    TextureSetup texture;
    double step_r = 0.0, step_p = 0.0;  // of 𝓕's differences (Eq. 24 needs ∂𝓕)
    std::vector<std::array<double, kPhaseCoords>> points;  // (r, Cartesian k, t)
    int manifold[2] = {-1, -1};  // N-band: the first and last band of a manifold, or none
};

GeometrySetup read_texture_geometry(const TaskContext& ctx) {
    GeometrySetup s;
    s.texture = read_texture(ctx);
    const Section& task = ctx.task;
    task.only();
    const ModelInfo& info = *ctx.cfg.model;
    // r and k: lists of equal length, or one of either shared by every point.
    const std::vector<std::array<double, 6>> points = read_phase_points(ctx, kMaxTexturePoints);
    const double t = task.number("t", 0.0);
    s.step_r = position_step(s.texture);
    s.step_p = derivative_step(make_mesh(info, ctx.cfg.params, {1, 1, 1}));
    // Per point the JSON's 7 × 7 matrices — two-band: the texture's two and the bands' two; N-band: two
    // per band and, with a manifold of M bands, M² [re, im] pairs per entry — at ~60 bytes a number
    // in nlohmann::json, with the table's row.
    const double matrices = info.bands == 2 ? 4.0 : 2.0 * info.bands + 2.0 * info.bands * info.bands + 1.0;
    require_memory(task, "r", static_cast<double>(points.size()) * (49.0 * matrices * 60.0 + 2e3),
                   fmt::format("{} points' geometry", points.size()));
    std::vector<double> at;  // (x, y, z, t) per point, for the vector potential's bound
    for (const auto& x : points) {
        s.points.push_back({x[0], x[1], x[2], x[3], x[4], x[5], t});
        at.insert(at.end(), {x[0], x[1], x[2], t});
    }
    require_small_gauge_shift(task, s.texture, at);
    // manifold = [first, last]: the bands (0 the lowest) whose non-Abelian curvature is reported.
    if (task.has("manifold")) {
        if (info.bands == 2)
            task.fail("manifold", "manifold takes an N-band model; each band of a two-band model is its own manifold (band_curvature)");
        const std::vector<double> m = task.numbers("manifold", 2);
        if (m.size() != 2 || m[0] != std::floor(m[0]) || m[1] != std::floor(m[1]) || m[0] < 0 || m[1] < m[0] ||
            m[1] >= info.bands)
            task.fail("manifold", fmt::format("manifold needs two band indices [first, last] with 0 <= first <= last <= {}",
                                              info.bands - 1));
        s.manifold[0] = static_cast<int>(m[0]);
        s.manifold[1] = static_cast<int>(m[1]);
    }
    return s;
}

std::string point_text(const GeometrySetup& s, std::size_t i) {
    return fmt::format("point {} (x, y, z, kx, ky, kz, t) = ({})", i, fmt::join(s.points[i], ", "));
}

// The warning where the gradient expansion fails (Eqs. 23, 28 first order in the curvature).
std::string first_order_point_warning(double F, std::size_t i) {
    return fmt::format("the scalar curvature |F| = {:.3g} at point {} is at least {}: the gradient expansion's energy "
                       "correction and density-of-states factor (Eqs. 23, 28) are first order in F, and the terms they drop "
                       "(~F^2/8) exceed 1 % there; the texture varies too fast for the gap (make it smoother or the gap larger)",
                       F, i, kFirstOrderLimit);
}

// The N-band geometry per point: nband_phase_geometry.hpp. A degenerate group's split among its
// bands is not meaningful (its totals are), and a manifold must be apart from the other bands.
template <class Model>
void nband_geometry_points(const GeometrySetup& s, const Model& model, int dim, TaskResult& out) {
    constexpr int N = Model::bands;
    const TexturedNBand<Model> H{model, s.texture};
    const bool manifold = s.manifold[0] >= 0;
    nlohmann::json P = nlohmann::json::array(), E = nlohmann::json::array(), F = nlohmann::json::array(),
                   G = nlohmann::json::array(), dE = nlohmann::json::array(), D = nlohmann::json::array(),
                   V = nlohmann::json::array(), Fo = nlohmann::json::array(), Mt = nlohmann::json::array(),
                   M = nlohmann::json::array();
    bool warned_degenerate = false, warned_first_order = false, warned_stencil = false, warned_manifold = false;
    for (std::size_t i = 0; i < s.points.size(); ++i) {
        const double* x = s.points[i].data();
        NBandPhasePoint<N> p;
        H(x, p);
        NBandPhaseEigen<N> e;
        if (!nband_phase_eigen<N>(p, e)) throw NonFiniteError("the eigensolver did not converge at " + point_text(s, i));
        for (int n = 0; n < N; ++n)
            if (!is_finite(e.e[n])) throw NonFiniteError("a non-finite energy at " + point_text(s, i));
        for (int n = 0; n + 1 < N && !warned_degenerate; ++n)
            if (e.e[n + 1] - e.e[n] <= e.degenerate) {
                out.warnings.push_back(fmt::format(
                    "bands {} and {} are degenerate at {}: each band's values there are its share of the degenerate group's, "
                    "which only in sum (the group's non-Abelian trace) are gauge invariant",
                    n, n + 1, point_text(s, i)));
                warned_degenerate = true;
            }
        nlohmann::json f = nlohmann::json::array(), g = nlohmann::json::array(), v = nlohmann::json::array(),
                       fo = nlohmann::json::array();
        std::vector<double> energies, corrections, dos;
        // ∂δε_n of every band in one pass, and whether a crossing may lie within the stencil.
        double grad[N][6] = {};
        StencilGaps stencil;
        const bool ok = energy_correction_gradients(H, x, e, kCoordX, 3, s.step_r, grad, 0, stencil) &&
                        energy_correction_gradients(H, x, e, kCoordKx, dim, s.step_p, grad, 3, stencil);
        if (!ok) throw NonFiniteError("the eigensolver did not converge near " + point_text(s, i));
        if (!warned_stencil && N > 1 && stencil.smallest_gap <= 4.0 * stencil.largest_move) {
            out.warnings.push_back(fmt::format(
                "at {} two levels come within {:.3g} of each other within the difference stencil of the velocities, where "
                "the levels move by up to {:.3g}: a crossing may lie inside it, and the velocity and force there may mix "
                "two bands (the other values are exact at the point)",
                point_text(s, i), stencil.smallest_gap, stencil.largest_move));
            warned_stencil = true;
        }
        for (int n = 0; n < N; ++n) {
            nlohmann::json fn = nlohmann::json::array(), gn = nlohmann::json::array();
            for (int I = 0; I < kPhaseCoords; ++I) {
                std::vector<double> fr, gr;
                for (int J = 0; J < kPhaseCoords; ++J) {
                    fr.push_back(phase_curvature<N>(e, n, I, J));
                    gr.push_back(phase_metric<N>(e, n, I, J));
                }
                fn.push_back(fr);
                gn.push_back(gr);
            }
            f.push_back(fn);
            g.push_back(gn);
            energies.push_back(e.e[n]);
            corrections.push_back(phase_energy_correction<N>(e, n));
            dos.push_back(phase_dos_factor<N>(e, n));
            // Two-band: |𝓕| ≥ limit is |1 − 𝒟_s| ≥ limit/2.
            if (!warned_first_order && std::fabs(1.0 - dos.back()) >= 0.5 * kFirstOrderLimit) {
                out.warnings.push_back(first_order_point_warning(2.0 * std::fabs(1.0 - dos.back()), i) +
                                       fmt::format(" (band {}: F = 2 |1 - D_n|)", n));
                warned_first_order = true;
            }
            double r_dot[3], p_dot[3];
            phase_velocities<N>(e, n, grad[n], r_dot, p_dot);
            v.push_back(std::vector<double>(r_dot, r_dot + 3));
            fo.push_back(std::vector<double>(p_dot, p_dot + 3));
        }
        if (manifold) {
            const int first = s.manifold[0], last = s.manifold[1];
            const double below = first > 0 ? e.e[first] - e.e[first - 1] : INFINITY,
                         above = last + 1 < N ? e.e[last + 1] - e.e[last] : INFINITY;
            if (std::min(below, above) <= e.degenerate)
                throw NonFiniteError(fmt::format("manifold [{}, {}] touches the other bands at {}: its curvature diverges "
                                                 "there (choose a manifold that includes the degenerate bands)",
                                                 first, last, point_text(s, i)));
            // Its curvature grows as 1/gap²: a gap within 1e-6 of the energy scale is all but a touching.
            if (!warned_manifold && std::min(below, above) <= 1e3 * e.degenerate) {
                out.warnings.push_back(fmt::format("manifold [{}, {}] is within {:.3g} of the other bands at {}: its curvature "
                                                   "(~1/gap²) is dominated by that near-touching",
                                                   first, last, std::min(below, above), point_text(s, i)));
                warned_manifold = true;
            }
            nlohmann::json trace = nlohmann::json::array(), matrix = nlohmann::json::array();
            for (int I = 0; I < kPhaseCoords; ++I) {
                nlohmann::json tr = nlohmann::json::array(), mr = nlohmann::json::array();
                for (int J = 0; J < kPhaseCoords; ++J) {
                    double sum = 0.0;
                    nlohmann::json block = nlohmann::json::array();
                    for (int n = first; n <= last; ++n) {
                        nlohmann::json row = nlohmann::json::array();
                        for (int n2 = first; n2 <= last; ++n2) {
                            const cplx c = manifold_curvature<N>(e, first, last, n, n2, I, J);
                            row.push_back({c.re, c.im});
                            if (n == n2) sum += c.re;
                        }
                        block.push_back(row);
                    }
                    tr.push_back(sum);
                    mr.push_back(block);
                }
                trace.push_back(tr);
                matrix.push_back(mr);
            }
            Mt.push_back(trace);
            M.push_back(matrix);
        }
        P.push_back(s.points[i]);
        E.push_back(energies);
        F.push_back(f);
        G.push_back(g);
        dE.push_back(corrections);
        D.push_back(dos);
        V.push_back(v);
        Fo.push_back(fo);
    }
    out.results["points"] = P;
    out.results["energies"] = E;
    out.results["band_curvature"] = F;
    out.results["band_metric"] = G;
    out.results["energy_correction"] = dE;
    out.results["dos_factor"] = D;
    out.results["velocity"] = V;
    out.results["force"] = Fo;
    if (manifold) {
        out.results["manifold"] = {s.manifold[0], s.manifold[1]};
        out.results["manifold_curvature_trace"] = Mt;
        out.results["manifold_curvature"] = M;
    }
}

}  // namespace

void check_texture_geometry(TaskContext& ctx) { read_texture_geometry(ctx); }

TaskResult task_texture_geometry(TaskContext& ctx) {
    const GeometrySetup s = read_texture_geometry(ctx);
    const ModelInfo& info = *ctx.cfg.model;
    const std::string eu = energy_unit(info), lu = length_unit(info);
    const std::string pair_unit = fmt::format("1/(u_I u_J), u = {0} (x, y, z), 1/{0} (k), hbar/({1}) (t)", lu, eu);
    TaskResult out;
    out.kpoints = static_cast<long long>(s.points.size());
    if (info.bands != 2) {
        out.units = {{"points", fmt::format("x, y, z in {0}; kx, ky, kz in 1/{0}; t in hbar/({1})", lu, eu)},
                     {"energies", eu + ", [point][band]"},
                     {"band_curvature", pair_unit + ", [point][band][I][J]: Omega_n^IJ (Eq. 44 of the non-adiabatic paper)"},
                     {"band_metric", pair_unit + ", [point][band][I][J]"},
                     {"energy_correction", eu + ", [point][band] (Eq. 23, N-band form)"},
                     {"dos_factor", "dimensionless, [point][band] (Eq. 28, N-band form)"},
                     {"velocity", fmt::format("{} x {}/hbar, [point][band][x, y, z]: r_dot of Eq. 24", lu, eu)},
                     {"force", fmt::format("{}/({} hbar), [point][band][x, y, z]: p_dot of Eq. 24 (canonical momentum)", eu, lu)}};
        if (s.manifold[0] >= 0) {
            out.units["manifold"] = "band indices [first, last] (0 the lowest)";
            out.units["manifold_curvature_trace"] = pair_unit + ", [point][I][J]: the sum of the manifold's Omega_n^IJ";
            out.units["manifold_curvature"] =
                pair_unit + ", [point][I][J][n][n'] as [re, im]: the non-Abelian curvature in the basis of H's eigenvectors";
        }
        visit_nband_model(ctx.cfg.params, [&](auto model) { nband_geometry_points(s, model, info.dim, out); });
        return out;
    }
    out.units = {{"points", fmt::format("x, y, z in {0}; kx, ky, kz in 1/{0}; t in hbar/({1})", lu, eu)},
                 {"energies", eu},
                 {"curvature", pair_unit + ", [point][I][J]: the texture's F_IJ"},
                 {"band_curvature", pair_unit + ", [point][band][I][J]: Omega_s^IJ = -s/2 F_IJ"},
                 {"metric", pair_unit},
                 {"scalar_curvature", "dimensionless (hbar = 1)"},
                 {"energy_correction", eu},
                 {"dos_factor", "dimensionless"},
                 {"velocity", fmt::format("{} x {}/hbar, [point][band][x, y, z]: r_dot of Eq. 24", lu, eu)},
                 {"force", fmt::format("{}/({} hbar), [point][band][x, y, z]: p_dot of Eq. 24 (canonical momentum)", eu, lu)}};
    nlohmann::json P = nlohmann::json::array(), E = nlohmann::json::array(), F = nlohmann::json::array(),
                   G = nlohmann::json::array(), S = nlohmann::json::array(), dE = nlohmann::json::array(),
                   D = nlohmann::json::array(), V = nlohmann::json::array(), Fo = nlohmann::json::array(),
                   Fb = nlohmann::json::array();
    CsvTable csv{"texture_points",
                 fmt::format("x, y, z in {0}; kx, ky, kz in 1/{0}; t in hbar/({1}); energies and dE in {1}; F_IJ the texture's "
                             "curvature (band s carries -s/2 F_IJ); F = sum_l F_(r_l k_l); D_s = 1 + s F/2",
                             lu, eu),
                 {"x", "y", "z", "kx", "ky", "kz", "t", "energy_band0", "energy_band1", "F_xy", "F_xkx", "F_yky", "F_kxky",
                  "F_kxt", "F_kyt", "F", "energy_correction", "dos_factor_band0", "dos_factor_band1"},
                 {}};
    visit_model(ctx.cfg.params, [&](auto model) {
        const TexturedTwoBand<decltype(model)> H{model, s.texture};
        for (std::size_t i = 0; i < s.points.size(); ++i) {
            PhaseSpacePoint p;
            H(s.points[i].data(), p);
            const double e = std::sqrt(dot3(p.d, p.d));
            if (!(e > 0.0) || !is_finite(e))
                throw NonFiniteError(fmt::format("the bands touch (|d| = {:g}) at point {} (x, y, z, kx, ky, kz, t) = ({})", e, i,
                                                 fmt::join(s.points[i], ", ")));
            nlohmann::json f = nlohmann::json::array(), g = nlohmann::json::array(), fb = nlohmann::json::array();
            for (int I = 0; I < kPhaseCoords; ++I) {
                std::vector<double> fr, gr;
                for (int J = 0; J < kPhaseCoords; ++J) {
                    fr.push_back(texture_curvature(p, I, J));
                    gr.push_back(texture_metric(p, I, J));
                }
                f.push_back(fr);
                g.push_back(gr);
            }
            for (int s_band : {-1, 1}) {
                nlohmann::json band = nlohmann::json::array();
                for (int I = 0; I < kPhaseCoords; ++I) {
                    std::vector<double> row;
                    for (int J = 0; J < kPhaseCoords; ++J) row.push_back(band_curvature(p, s_band, I, J));
                    band.push_back(row);
                }
                fb.push_back(band);
            }
            Fb.push_back(fb);
            const double sc = phase_space_scalar_curvature(p), de = energy_correction(e, sc);
            const double d0 = dos_factor(sc, -1), d1 = dos_factor(sc, +1);
            // Eq. 24 per band, with ∂𝓕 by differences along r and p.
            double grad_F[6] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
            scalar_curvature_gradient(H, s.points[i].data(), kCoordX, 3, s.step_r, grad_F);
            scalar_curvature_gradient(H, s.points[i].data(), kCoordKx, info.dim, s.step_p, grad_F + 3);
            nlohmann::json v = nlohmann::json::array(), f_p = nlohmann::json::array();
            for (int band = 0; band < 2; ++band) {
                double r_dot[3], p_dot[3];
                semiclassical_velocities(p, 2 * band - 1, grad_F, r_dot, p_dot);
                v.push_back(std::vector<double>(r_dot, r_dot + 3));
                f_p.push_back(std::vector<double>(p_dot, p_dot + 3));
            }
            V.push_back(v);
            Fo.push_back(f_p);
            P.push_back(s.points[i]);
            E.push_back({p.d0 - e, p.d0 + e});
            F.push_back(f);
            G.push_back(g);
            S.push_back(sc);
            dE.push_back(de);
            D.push_back({d0, d1});
            std::vector<double> row(s.points[i].begin(), s.points[i].end());
            for (double v : {p.d0 - e, p.d0 + e, texture_curvature(p, kCoordX, kCoordY), texture_curvature(p, kCoordX, kCoordKx),
                             texture_curvature(p, kCoordY, kCoordKy), texture_curvature(p, kCoordKx, kCoordKy),
                             texture_curvature(p, kCoordKx, kCoordT), texture_curvature(p, kCoordKy, kCoordT), sc, de, d0, d1})
                row.push_back(v);
            csv.rows.push_back(row);
        }
    });
    // Eqs. 23 and 28 are first order in 𝓕: 𝒟_s = e^{−q_s 𝓕} and the terms the paper drops are
    // ~𝓕²/8 relative, over 1 % from |𝓕| = 0.3 on (a texture that varies too fast for its gap).
    for (std::size_t i = 0; i < S.size(); ++i)
        if (std::fabs(S[i].get<double>()) >= kFirstOrderLimit) {
            out.warnings.push_back(first_order_point_warning(std::fabs(S[i].get<double>()), i));
            break;
        }
    out.results["points"] = P;
    out.results["energies"] = E;
    out.results["curvature"] = F;
    out.results["band_curvature"] = Fb;
    out.results["metric"] = G;
    out.results["scalar_curvature"] = S;
    out.results["energy_correction"] = dE;
    out.results["dos_factor"] = D;
    out.results["velocity"] = V;
    out.results["force"] = Fo;
    out.tables.push_back(csv);
    return out;
}

}  // namespace bzint
