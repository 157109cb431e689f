// The equilibrium electron density of a textured two-band model at given positions, as a
// phase-space integral over the k-mesh (include/bzint/texture_density.hpp; docs/textures.md):
// with the gradient expansion's energy correction and density-of-states factor (Eqs. 23, 28),
// and without them; error estimates from the mesh's coarse sub-mesh (docs/accuracy.md).
#include <fmt/core.h>

#include <cmath>

#include "../engine.hpp"
#include "../workers.hpp"
#include "bzint/texture_density.hpp"
#include "../error_estimate.hpp"
#include "../input_error.hpp"
#include "../texture_input.hpp"
#include "task_common.hpp"

namespace bzint {

namespace {

constexpr long long kMaxPositions = 10000;
constexpr long long kMaxDensityLevels = (kMaxKeyedValues - 1) / 2;

struct DensitySetup {
    TextureSetup texture;
    Mesh mesh{};
    std::vector<double> r;  // three per position
    std::vector<double> mu;
    double T = 0.0, t = 0.0;
};

DensitySetup read_texture_density(const TaskContext& ctx) {
    DensitySetup s;
    s.texture = read_texture(ctx);
    s.mesh = require_mesh(ctx);
    require_periodic_lattice(ctx, s.texture);
    const Section& task = ctx.task;
    task.only();
    s.r = read_positions(task, kMaxPositions);
    s.mu = read_levels(task, "mu", kMaxDensityLevels);
    s.T = read_temperature(ctx);
    s.t = task.number("t", 0.0);
    const long long positions = static_cast<long long>(s.r.size() / 3);
    std::vector<double> points;
    for (long long a = 0; a < positions; ++a) points.insert(points.end(), {s.r[3 * a], s.r[3 * a + 1], s.r[3 * a + 2], s.t});
    require_small_gauge_shift(task, s.texture, points);
    if (s.mesh.count() > (1LL << 62) / positions)
        task.fail("r", fmt::format("{} positions × {} mesh points is more than 2^62 points", positions, s.mesh.count()));
    // Per worker two histograms of 2 keys per position × 2 values per level (block_reducer.hpp).
    const double row = 2.0 * static_cast<double>(positions) * (2.0 * static_cast<double>(s.mu.size()) + 1) * sizeof(Neumaier);
    require_memory(task, "r", row * 2.0 * (2 * workers::count() + 1), fmt::format("{} positions' histograms", positions));
    return s;
}

// The densities [position][level] from the reduction's sums: the mesh's (both halves of each
// position's keys) or its coarse sub-mesh's (the odd keys, each point weighing coarse_factor).
struct Densities {
    nlohmann::json corrected = nlohmann::json::array(), plain = nlohmann::json::array();
};
Densities densities(const std::vector<Neumaier>& h, const DensitySetup& s, bool coarse) {
    const std::size_t L = s.mu.size(), nv = 2 * L + 1, P = s.r.size() / 3;
    const double w = mesh_weight(s.mesh) * (coarse ? s.mesh.coarse_factor() : 1);
    Densities d;
    for (std::size_t a = 0; a < P; ++a) {
        std::vector<double> c(L), p(L);
        for (std::size_t j = 0; j < L; ++j) {
            auto sum = [&](std::size_t v) {
                const double odd = h[(2 * a + 1) * nv + v].value();
                return w * (coarse ? odd : h[2 * a * nv + v].value() + odd);
            };
            c[j] = sum(j);
            p[j] = sum(L + j);
        }
        d.corrected.push_back(c);
        d.plain.push_back(p);
    }
    return d;
}

}  // namespace

void check_texture_density(TaskContext& ctx) { read_texture_density(ctx); }

TaskResult task_texture_density(TaskContext& ctx) {
    const DensitySetup s = read_texture_density(ctx);
    const long long positions = static_cast<long long>(s.r.size() / 3), n = positions * s.mesh.count();
    Progress progress("texture_density", n);
    std::vector<Neumaier> h;
    const long long bad = texture_density_reduce(ctx.backend, ctx.cfg.params, s.texture, s.mesh, s.r, s.t, s.mu, s.T, h, &progress);
    progress.finish();
    if (bad >= 0) {
        const long long at = bad / s.mesh.count();
        double k[3];
        s.mesh.k_of(bad % s.mesh.count(), k);
        throw NonFiniteError(fmt::format("the density's integrand is not finite at position {} (r = ({:g}, {:g}, {:g})) and "
                                         "p = ({:g}, {:g}, {:g}): the bands touch there (|d| = 0)",
                                         at, s.r[3 * at], s.r[3 * at + 1], s.r[3 * at + 2], k[0], k[1], k[2]));
    }
    // Where the gradient expansion fails on part of the mesh (|𝓕| ≥ kFirstOrderLimit), a warning.
    std::vector<std::string> warnings;
    {
        const std::size_t nv = 2 * s.mu.size() + 1;
        for (long long a = 0; a < positions; ++a) {
            const double count = h[2 * a * nv + nv - 1].value() + h[(2 * a + 1) * nv + nv - 1].value();
            if (count > 0.0) {
                const double point[4] = {s.r[3 * a], s.r[3 * a + 1], s.r[3 * a + 2], s.t};
                warnings.push_back(first_order_warning(point, a, count / static_cast<double>(s.mesh.count())));
                break;
            }
        }
    }
    const ModelInfo& info = *ctx.cfg.model;
    const std::string lu = length_unit(info), eu = energy_unit(info);
    const int dim = info.dim;
    auto result = [&](bool coarse) {
        TaskResult out;
        const Densities d = densities(h, s, coarse);
        out.results["density"] = d.corrected;
        out.results["density_uncorrected"] = d.plain;
        return out;
    };
    TaskResult out = result(false);
    out.warnings = warnings;
    out.results["mu"] = s.mu;
    out.results["r"] = nlohmann::json::array();
    for (long long a = 0; a < positions; ++a) out.results["r"].push_back({s.r[3 * a], s.r[3 * a + 1], s.r[3 * a + 2]});
    out.units = {{"mu", eu},
                 {"r", lu},
                 {"density", fmt::format("electrons per {}^{} (all bands), [position][mu]: sum_s int D_s f(e_s + dE - mu) "
                                         "(Eqs. 23, 28)",
                                         lu, dim)},
                 {"density_uncorrected", fmt::format("electrons per {}^{} (all bands), [position][mu]: sum_s int f(e_s - mu)", lu,
                                                     dim)}};
    out.principal = {"density"};
    out.kpoints = n;
    CsvTable csv{"texture_density", fmt::format("r in {}; mu in {}; densities in 1/{}^{}", lu, eu, lu, dim),
                 {"x", "y", "z", "mu", "density", "density_uncorrected"}, {}};
    for (long long a = 0; a < positions; ++a)
        for (std::size_t j = 0; j < s.mu.size(); ++j)
            csv.rows.push_back({s.r[3 * a], s.r[3 * a + 1], s.r[3 * a + 2], s.mu[j], out.results["density"][a][j].get<double>(),
                                out.results["density_uncorrected"][a][j].get<double>()});
    out.tables.push_back(csv);
    out.remedy = "the density is not resolved by the k-mesh: raise [mesh] n (docs/accuracy.md)";
    if (s.mesh.coarse_factor() > 0) {
        TaskResult coarse = result(true);
        coarse.results["mu"] = out.results["mu"];
        coarse.results["r"] = out.results["r"];
        coarse.tables = out.tables;
        for (std::size_t row = 0; row < coarse.tables[0].rows.size(); ++row) {
            const std::size_t a = row / s.mu.size(), j = row % s.mu.size();
            coarse.tables[0].rows[row][4] = coarse.results["density"][a][j].get<double>();
            coarse.tables[0].rows[row][5] = coarse.results["density_uncorrected"][a][j].get<double>();
        }
        attach_errors(out, &coarse);
    } else {
        attach_errors(out, nullptr);
    }
    return out;
}

}  // namespace bzint
