// The phase-space geometry of a textured two-band model at given points (docs/textures.md): the
// band energies, the texture's curvature 𝓕_IJ and metric 𝓖_IJ over all seven coordinates
// (x, y, z, kx, ky, kz, t), the scalar 𝓕 = Σ_l 𝓕_{r_l k_l}, the energy correction δε = −Δ𝓕/4
// (Eq. 23), the bands' density-of-states factors 𝒟_s = 1 − q_s 𝓕 (Eq. 28) and their
// semiclassical velocities ṙ_s, ṗ_s (Eq. 24).
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "../input_error.hpp"
#include "../texture_input.hpp"
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
    // Per point the JSON's two 7 × 7 matrices and the table's row: ~12 KB.
    require_memory(task, "r", static_cast<double>(points.size()) * 12e3, fmt::format("{} points' geometry", points.size()));
    std::vector<double> at;  // (x, y, z, t) per point, for the vector potential's bound
    for (const auto& x : points) {
        s.points.push_back({x[0], x[1], x[2], x[3], x[4], x[5], t});
        at.insert(at.end(), {x[0], x[1], x[2], t});
    }
    require_small_gauge_shift(task, s.texture, at);
    return s;
}

}  // namespace

void check_texture_geometry(TaskContext& ctx) { read_texture_geometry(ctx); }

TaskResult task_texture_geometry(TaskContext& ctx) {
    const GeometrySetup s = read_texture_geometry(ctx);
    const ModelInfo& info = *ctx.cfg.model;
    const std::string eu = energy_unit(info), lu = length_unit(info);
    TaskResult out;
    out.units = {{"points", fmt::format("x, y, z in {0}; kx, ky, kz in 1/{0}; t in hbar/({1})", lu, eu)},
                 {"energies", eu},
                 {"curvature", fmt::format("1/(u_I u_J), u = {0} (x, y, z), 1/{0} (k), hbar/({1}) (t)", lu, eu)},
                 {"metric", fmt::format("1/(u_I u_J), u = {0} (x, y, z), 1/{0} (k), hbar/({1}) (t)", lu, eu)},
                 {"scalar_curvature", "dimensionless (hbar = 1)"},
                 {"energy_correction", eu},
                 {"dos_factor", "dimensionless"},
                 {"velocity", fmt::format("{} x {}/hbar, [point][band][x, y, z]: r_dot of Eq. 24", lu, eu)},
                 {"force", fmt::format("{}/({} hbar), [point][band][x, y, z]: p_dot of Eq. 24 (canonical momentum)", eu, lu)}};
    nlohmann::json P = nlohmann::json::array(), E = nlohmann::json::array(), F = nlohmann::json::array(),
                   G = nlohmann::json::array(), S = nlohmann::json::array(), dE = nlohmann::json::array(),
                   D = nlohmann::json::array(), V = nlohmann::json::array(), Fo = nlohmann::json::array();
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
            nlohmann::json f = nlohmann::json::array(), g = nlohmann::json::array();
            for (int I = 0; I < kPhaseCoords; ++I) {
                std::vector<double> fr, gr;
                for (int J = 0; J < kPhaseCoords; ++J) {
                    fr.push_back(texture_curvature(p, I, J));
                    gr.push_back(texture_metric(p, I, J));
                }
                f.push_back(fr);
                g.push_back(gr);
            }
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
            out.warnings.push_back(fmt::format(
                "the scalar curvature |F| = {:.3g} at point {} is at least {}: the gradient expansion's energy correction and "
                "density-of-states factor (Eqs. 23, 28) are first order in F, and the terms they drop (~F^2/8) exceed 1 % "
                "there; the texture varies too fast for the gap (make it smoother or the gap larger)",
                std::fabs(S[i].get<double>()), i, kFirstOrderLimit));
            break;
        }
    out.results["points"] = P;
    out.results["energies"] = E;
    out.results["curvature"] = F;
    out.results["metric"] = G;
    out.results["scalar_curvature"] = S;
    out.results["energy_correction"] = dE;
    out.results["dos_factor"] = D;
    out.results["velocity"] = V;
    out.results["force"] = Fo;
    out.tables.push_back(csv);
    out.kpoints = static_cast<long long>(s.points.size());
    return out;
}

}  // namespace bzint
