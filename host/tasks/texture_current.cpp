// The equilibrium particle current of a textured two-band model at points (r, t), as a phase-space
// integral over the k-mesh (include/bzint/texture_current.hpp, the kinetic-equation paper's
// Eq. 30; docs/textures.md), with error estimates from the mesh's coarse sub-mesh. With a uniform
// electric field along a reciprocal vector and period_samples, the times sample one Bloch period T
// and the task reports the charge pumped per period, ∫_0^T j dt (the Thouless pump).
#include <fmt/core.h>

#include <cmath>

#include "../engine.hpp"
#include "../error_estimate.hpp"
#include "../input_error.hpp"
#include "../texture_input.hpp"
#include "../workers.hpp"
#include "bzint/texture_current.hpp"
#include "task_common.hpp"

namespace bzint {

namespace {

constexpr long long kMaxPoints = 10000;
constexpr long long kMaxCurrentLevels = (kMaxKeyedValues - 1) / 3;

struct CurrentSetup {
    const ModelInfo* model = nullptr;
    TextureSetup texture;
    Mesh mesh{};
    std::vector<double> r;       // three per position
    std::vector<double> times;
    std::vector<double> points;  // four per point (x, y, z, t): every position at every time
    std::vector<double> mu;
    double T = 0.0;
    PumpPeriod pump;             // with period_samples: the period the times sample
    bool pumped = false;
    double step = 0.0;           // of ∂_p 𝓕's difference
};

CurrentSetup read_texture_current(const TaskContext& ctx) {
    CurrentSetup s;
    s.model = ctx.cfg.model;
    s.texture = read_texture(ctx);
    s.mesh = require_mesh(ctx);
    require_periodic_lattice(ctx, s.texture);
    const Section& task = ctx.task;
    task.only();
    s.r = read_positions(task, kMaxPoints);
    s.mu = read_levels(task, "mu", kMaxCurrentLevels);
    s.T = read_temperature(ctx);
    const toml::node* t = task.node("t");
    if (task.has("period_samples")) {
        const double n = task.number("period_samples");
        if (n != std::round(n)) task.fail("period_samples", "period_samples must be an integer");
        if (t && t->is_array()) task.fail("t", "with period_samples, t is the first sample's time (one number), not a list");
        s.pump = pump_period(ctx, s.texture);
        if (s.pump.period == 0.0)
            task.fail("period_samples", "period_samples needs a periodic Hamiltonian: a lattice model with [texture] E along one "
                                        "reciprocal vector G_i (its Bloch period is |G_i|/|E|) and no mass_rate (a ramp) "
                                        "(docs/textures.md)");
        const double t0 = task.number("t", 0.0);
        for (long long j = 0; j < static_cast<long long>(n); ++j) s.times.push_back(t0 + s.pump.period * j / n);
        s.pumped = true;
    } else if (t && t->is_array()) {
        s.times = task.numbers("t", kMaxPoints);
    } else {
        s.times = {task.number("t", 0.0)};
    }
    const std::size_t P = s.r.size() / 3, nt = s.times.size();
    if (P * nt > static_cast<std::size_t>(kMaxPoints))
        task.fail(s.pumped ? "period_samples" : "t",
                  fmt::format("{} positions × {} times is more than {} points", P, nt, kMaxPoints));
    for (std::size_t a = 0; a < P; ++a)
        for (double time : s.times) {
            s.points.insert(s.points.end(), s.r.begin() + 3 * a, s.r.begin() + 3 * a + 3);
            s.points.push_back(time);
        }
    const long long n_points = static_cast<long long>(P * nt);
    if (s.mesh.count() > (1LL << 62) / n_points)
        task.fail("r", fmt::format("{} points × {} mesh points is more than 2^62 points", n_points, s.mesh.count()));
    // Per worker two histograms of 2 keys per point × (3 values per level + 1) (block_reducer.hpp).
    const double row = 2.0 * static_cast<double>(n_points) * (3.0 * static_cast<double>(s.mu.size()) + 1) * sizeof(Neumaier);
    require_memory(task, "r", row * 2.0 * (2 * workers::count() + 1), fmt::format("{} points' histograms", n_points));
    s.step = derivative_step(s.mesh);
    return s;
}

// The currents [point][level][3] from the reduction's sums (TextureDensityFn's halves).
nlohmann::json currents(const std::vector<Neumaier>& h, const CurrentSetup& s, bool coarse) {
    const std::size_t L = s.mu.size(), nv = 3 * L + 1, n_points = s.points.size() / 4;
    const double w = mesh_weight(s.mesh) * (coarse ? s.mesh.coarse_factor() : 1);
    nlohmann::json j = nlohmann::json::array();
    for (std::size_t a = 0; a < n_points; ++a) {
        nlohmann::json per_level = nlohmann::json::array();
        for (std::size_t l = 0; l < L; ++l) {
            std::vector<double> c(3);
            for (int x = 0; x < 3; ++x) {
                const double odd = h[(2 * a + 1) * nv + 3 * l + x].value();
                c[x] = w * (coarse ? odd : h[2 * a * nv + 3 * l + x].value() + odd);
            }
            per_level.push_back(c);
        }
        j.push_back(per_level);
    }
    return j;
}

// The results from the currents: j per point, and with period_samples the charge pumped per period
// per position, ∫_0^T j dt by the trapezoid rule on the periodic samples (spectrally accurate for a
// smooth j(t)), and for a 2D lattice the particles per period through one chain (pumped_per_chain).
TaskResult current_result(const CurrentSetup& s, const nlohmann::json& j) {
    TaskResult out;
    out.results["current"] = j;
    if (!s.pumped) return out;
    const std::size_t L = s.mu.size(), nt = s.times.size(), P = s.r.size() / 3;
    const ModelInfo& info = *s.model;
    nlohmann::json pumped = nlohmann::json::array(), per_chain = nlohmann::json::array();
    for (std::size_t a = 0; a < P; ++a) {
        nlohmann::json q_a = nlohmann::json::array(), n_a = nlohmann::json::array();
        for (std::size_t l = 0; l < L; ++l) {
            std::array<double, 3> q{0.0, 0.0, 0.0};
            for (std::size_t it = 0; it < nt; ++it)
                for (int x = 0; x < 3; ++x) q[x] += j[a * nt + it][l][x].get<double>() * s.pump.period / static_cast<double>(nt);
            q_a.push_back(q);
            if (info.dim == 2) n_a.push_back(charge_per_chain(info, s.pump.axis, q));
        }
        pumped.push_back(q_a);
        per_chain.push_back(n_a);
    }
    out.results["pumped"] = pumped;
    if (info.dim == 2) out.results["pumped_per_chain"] = per_chain;
    return out;
}

// The time sampling's error estimate: with an even period_samples, the pumped charges from the
// even samples alone differ from all samples' by about the error of the coarser rule, as the
// coarse sub-mesh's results do for k (docs/accuracy.md); each estimate becomes the larger of the two.
void widen_by_time_sampling(TaskResult& out, const CurrentSetup& s, const nlohmann::json& j) {
    const std::size_t nt = s.times.size();
    if (!s.pumped || nt % 2 != 0 || !out.errors.is_object() || !out.errors.contains("pumped")) return;
    CurrentSetup half = s;
    half.times.clear();
    nlohmann::json j_half = nlohmann::json::array();
    for (std::size_t a = 0; a < j.size(); ++a)
        if ((a % nt) % 2 == 0) j_half.push_back(j[a]);
    for (std::size_t it = 0; it < nt; it += 2) half.times.push_back(s.times[it]);
    const TaskResult fine = current_result(s, j), coarse = current_result(half, j_half);
    for (const char* key : {"pumped", "pumped_per_chain"}) {
        if (!fine.results.contains(key)) continue;
        const nlohmann::json d = difference_estimate(fine.results[key], coarse.results[key]);
        nlohmann::json& e = out.errors[key];
        for (std::size_t a = 0; a < d.size(); ++a)
            for (std::size_t l = 0; l < d[a].size(); ++l) {
                if (d[a][l].is_array()) {
                    for (std::size_t x = 0; x < 3; ++x)
                        e[a][l][x] = std::max(e[a][l][x].get<double>(), d[a][l][x].get<double>());
                } else {
                    e[a][l] = std::max(e[a][l].get<double>(), d[a][l].get<double>());
                }
            }
    }
}

}  // namespace

void check_texture_current(TaskContext& ctx) { read_texture_current(ctx); }

TaskResult task_texture_current(TaskContext& ctx) {
    const CurrentSetup s = read_texture_current(ctx);
    const long long n_points = static_cast<long long>(s.points.size() / 4), n = n_points * s.mesh.count();
    Progress progress("texture_current", n);
    std::vector<Neumaier> h;
    const long long bad = texture_current_reduce(ctx.backend, ctx.cfg.params, s.texture, s.mesh, s.points, s.mu, s.T, s.step, h,
                                                 &progress);
    progress.finish();
    if (bad >= 0) {
        const long long at = bad / s.mesh.count();
        double k[3];
        s.mesh.k_of(bad % s.mesh.count(), k);
        const double* x = s.points.data() + 4 * at;
        throw NonFiniteError(fmt::format("the current's integrand is not finite at point {} (r = ({:g}, {:g}, {:g}), t = {:g}) "
                                         "and k = ({:g}, {:g}, {:g}): the bands touch there (|d| = 0)",
                                         at, x[0], x[1], x[2], x[3], k[0], k[1], k[2]));
    }
    const std::size_t nv = 3 * s.mu.size() + 1;
    std::vector<std::string> warnings;
    for (long long a = 0; a < n_points; ++a) {
        const double count = h[2 * a * nv + nv - 1].value() + h[(2 * a + 1) * nv + nv - 1].value();
        if (count > 0.0) {
            warnings.push_back(first_order_warning(s.points.data() + 4 * a, a, count / static_cast<double>(s.mesh.count())));
            break;
        }
    }
    const ModelInfo& info = *ctx.cfg.model;
    const std::string lu = length_unit(info), eu = energy_unit(info);
    const int dim = info.dim;
    const std::string current_unit =
        dim == 1 ? fmt::format("particles per ħ/{}", eu) : fmt::format("particles per (ħ/{}) per {}^{}", eu, lu, dim - 1);
    TaskResult out = current_result(s, currents(h, s, false));
    out.warnings = warnings;
    auto echo = [&](TaskResult& r) {
        r.results["mu"] = s.mu;
        r.results["r"] = nlohmann::json::array();
        r.results["t"] = nlohmann::json::array();
        for (std::size_t a = 0; a < s.points.size() / 4; ++a) {
            r.results["r"].push_back({s.points[4 * a], s.points[4 * a + 1], s.points[4 * a + 2]});
            r.results["t"].push_back(s.points[4 * a + 3]);
        }
        if (s.pumped) r.results["period"] = s.pump.period;
    };
    echo(out);
    out.units = {{"mu", eu},
                 {"r", lu},
                 {"t", fmt::format("ħ/{}", eu)},
                 {"current", current_unit + ", [point][mu][x, y, z]: Eq. 30, particles (the electric current is −e times it)"}};
    if (s.pumped) {
        out.units["period"] = fmt::format("ħ/{}", eu);
        out.units["pumped"] = fmt::format("particles per {}^{}, [position][mu][x, y, z]: the integral of current over one period",
                                          lu, dim - 1);
        if (dim == 2)
            out.units["pumped_per_chain"] =
                fmt::format("particles per period through one lattice vector a_{} (docs/textures.md), [position][mu]",
                            s.pump.axis + 1);
    }
    out.principal = {s.pumped && dim == 2 ? "pumped_per_chain" : "current"};
    out.kpoints = n;
    auto table = [&](const TaskResult& r) {
        CsvTable csv{"texture_current", fmt::format("r in {}; t in ħ/{}; mu in {}; current in {}", lu, eu, eu, current_unit),
                     {"x", "y", "z", "t", "mu", "jx", "jy", "jz"}, {}};
        for (std::size_t a = 0; a < s.points.size() / 4; ++a)
            for (std::size_t l = 0; l < s.mu.size(); ++l) {
                const auto& c = r.results["current"][a][l];
                csv.rows.push_back({s.points[4 * a], s.points[4 * a + 1], s.points[4 * a + 2], s.points[4 * a + 3], s.mu[l],
                                    c[0].get<double>(), c[1].get<double>(), c[2].get<double>()});
            }
        return csv;
    };
    out.tables.push_back(table(out));
    out.remedy = s.pumped ? "the current is not resolved by the k-mesh or the period by its samples: raise [mesh] n or "
                            "period_samples (docs/accuracy.md)"
                          : "the current is not resolved by the k-mesh: raise [mesh] n (docs/accuracy.md)";
    if (s.mesh.coarse_factor() > 0) {
        TaskResult coarse = current_result(s, currents(h, s, true));
        echo(coarse);
        coarse.tables.push_back(table(coarse));
        attach_errors(out, &coarse);
    } else {
        attach_errors(out, nullptr);
    }
    widen_by_time_sampling(out, s, out.results["current"]);
    return out;
}

}  // namespace bzint
