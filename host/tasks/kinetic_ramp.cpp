// The homogeneous kinetic equation under a slow ramp (include/bzint/kinetic_ramp.hpp: the
// kinetic-equation paper's Eq. 36 with ∂_r n = 0 — Eq. 44 under a ramped field, Eq. 50 under a
// ramped mass; docs/textures.md): the bands' densities n_s(k, t) on the k-mesh, from equilibrium
// at t = 0, by the classical fourth-order Runge–Kutta method with fourth-order differences in k;
// the change of each band's density against the equilibrium's, ∂n/∂B for a field ramp (Eq. 45),
// and the momentum-space flow n_s k̇_s of each band (Fig. 7). Error estimates from the run at twice
// the time step and on the mesh's coarse sub-mesh (docs/accuracy.md).
#include <fmt/core.h>

#include <Eigen/Dense>
#include <atomic>
#include <cmath>

#include "../cpu_launch.hpp"
#include "../error_estimate.hpp"
#include "../input_error.hpp"
#include "../neumaier.hpp"
#include "../progress.hpp"
#include "../texture_input.hpp"
#include "bzint/kinetic_ramp.hpp"
#include "bzint/models/all.hpp"
#include "bzint/texture_density.hpp"
#include "task_common.hpp"

namespace bzint {

namespace {

// The largest Courant number Σ_i |u̇_i| N_i Δt (u_i the mesh's fractional coordinates, summed over
// the axes): the fourth-order central difference with the classical Runge–Kutta method is stable
// up to ~2.06; 1 leaves room for the rates' change between the times surveyed. It is checked at the
// error estimate's step, twice the run's.
constexpr double kMaxCourant = 1.0;

struct RampSetup {
    TextureSetup texture;     // field = B at t = 0
    double field_rate[3] = {0.0, 0.0, 0.0};
    double field_change[3] = {0.0, 0.0, 0.0};
    Mesh mesh{};
    double mu = 0.0, T = 0.0, duration = 0.0;
    long long steps = 0;
    bool map = false;
};

RampSetup read_kinetic_ramp(const TaskContext& ctx) {
    RampSetup s;
    s.texture = read_texture(ctx);
    const Section texture = task_section(ctx, "texture");
    if (s.texture.texture.kind != TextureKind::uniform)
        texture.fail("kind", "task kinetic_ramp solves the homogeneous kinetic equation (Eq. 36 with ∂_r n = 0): it takes "
                             "kind = \"uniform\" (docs/textures.md)");
    if (s.texture.potential.shape != PotentialShape::none)
        texture.fail("potential", "task kinetic_ramp solves the homogeneous kinetic equation (Eq. 36 with ∂_r n = 0): it takes "
                                  "no potential (a uniform one is a shift of mu)");
    if (s.texture.modulation.amplitude != 0.0)
        texture.fail("B_modulation", "task kinetic_ramp solves the homogeneous kinetic equation (Eq. 36 with ∂_r n = 0): it "
                                     "takes a uniform B, not a modulated one");
    for (double e : s.texture.electric)
        if (e != 0.0)
            texture.fail("E", "task kinetic_ramp takes a ramped B and a ramped mass (Eqs. 44, 50), not E: a uniform E is the "
                              "pump of task texture_current (docs/textures.md)");
    s.mesh = require_mesh(ctx);
    require_dim(ctx, 2, 3);
    require_periodic_lattice(ctx, s.texture);
    const ModelInfo& info = *ctx.cfg.model;
    for (int a = 0; a < info.dim; ++a)
        if (s.mesh.n[a] < 8)
            task_section(ctx, "mesh").fail("n",
                                            fmt::format("task kinetic_ramp differentiates n_s along the mesh (five points per derivative): each "
                                         "axis needs at least 8 points, axis {} has {}", a + 1, s.mesh.n[a]));
    const Section& task = ctx.task;
    task.only();
    s.mu = task.number("mu", 0.0);
    s.T = read_temperature(ctx);
    s.duration = task.number("duration");
    const double steps = task.number("steps");
    if (steps != std::round(steps) || std::fmod(steps, 2.0) != 0.0)
        task.fail("steps", "steps must be an even integer (the error estimate repeats the run with half as many steps)");
    s.steps = static_cast<long long>(steps);
    s.map = task.boolean("map", false);
    // The field goes linearly from B_start at t = 0 to [texture] B at t = duration (B_start = B: static).
    std::array<double, 3> start{s.texture.field[0], s.texture.field[1], s.texture.field[2]};
    if (task.has("B_start")) start = read_magnetic_field(ctx, "B_start");
    for (int a = 0; a < 3; ++a) {
        s.field_change[a] = s.texture.field[a] - start[a];
        s.field_rate[a] = s.field_change[a] / s.duration;
        s.texture.field[a] = start[a];
    }
    // Per point and band: the state, the start, the end's equilibrium and three Runge–Kutta arrays,
    // for the run and (at once) the run at twice the step; the flow (three numbers); the survey's two
    // numbers; and a map row of ~200 bytes.
    const double per_point = 8.0 * (2 * 2 * 6 + 2 * 3 + 2) + (s.map ? 200.0 : 0.0);
    require_memory(task_section(ctx, "mesh"), "n", per_point * static_cast<double>(s.mesh.count()), "the bands' densities on the mesh");
    return s;
}

// (∂u_i/∂k_a): the mesh's fractional coordinates u_i (k = origin + Σ_i u_i G_i) per Cartesian k_a.
std::array<std::array<double, 3>, 3> fractional_per_cartesian(const Mesh& mesh) {
    Eigen::Matrix3d G = Eigen::Matrix3d::Identity();
    for (int i = 0; i < mesh.dim; ++i)
        for (int a = 0; a < mesh.dim; ++a) G(i, a) = mesh.basis[i][a];
    const Eigen::Matrix3d inv = G.inverse();  // k_a = Σ_i u_i G(i, a): u_i = Σ_a k_a inv(a, i)
    std::array<std::array<double, 3>, 3> out{};
    for (int a = 0; a < 3; ++a)
        for (int i = 0; i < 3; ++i) out[a][i] = i < mesh.dim && a < mesh.dim ? inv(a, i) : 0.0;
    return out;
}

// The coefficients of (*) for the model on `mesh` (∂_k 𝓕's step from the mesh, ∂_t 𝓕's from the ramp).
template <class Model>
HomogeneousKinetics<Model> kinetics(const Model& model, const RampSetup& s, const Mesh& mesh) {
    return {model, s.texture, {s.field_rate[0], s.field_rate[1], s.field_rate[2]}, derivative_step(mesh), 1e-4 * s.duration};
}

// One integration of (*) on a mesh: n[2 idx + b] from equilibrium at t = 0 to t = duration.
template <class Model>
class RampSolver {
public:
    RampSolver(const HomogeneousKinetics<Model>& kinetics, const Mesh& mesh, bool periodic, const RampSetup& s)
        : kin_(kinetics), mesh_(mesh), periodic_(periodic), s_(s), du_dk_(fractional_per_cartesian(mesh)) {}

    // Equilibrium at time t (n0 at 0, the comparison at the end); the first non-finite point, or −1.
    long long equilibrium(double t, std::vector<double>& n) const {
        n.assign(2 * mesh_.count(), 0.0);
        std::atomic<long long> bad{-1};
        cpu::for_each_point(0, mesh_.count(), [&](long long i) {
            double k[3];
            mesh_.k_of(i, k);
            if (!kin_.equilibrium(k, t, s_.mu, s_.T, &n[2 * i])) note(bad, i);
        });
        return bad.load();
    }

    // At time t: the largest Courant number with a step dt, and the largest |𝓕|.
    struct Survey {
        double courant = 0.0, curvature = 0.0;
    };
    Survey survey(double t, double dt) const {
        std::vector<Survey> at(mesh_.count());
        cpu::for_each_point(0, mesh_.count(), [&](long long i) {
            double k[3];
            mesh_.k_of(i, k);
            KineticCoefficients c;
            if (!kin_(k, t, c)) return;  // a touching: the run names it
            at[i].curvature = std::fabs(c.F);
            for (int b = 0; b < 2; ++b) {
                double sum = 0.0;
                for (int ax = 0; ax < mesh_.dim; ++ax) {
                    double du = 0.0;
                    for (int a = 0; a < 3; ++a) du += du_dk_[a][ax] * c.k_dot[b][a];
                    sum += std::fabs(du) * static_cast<double>(mesh_.n[ax]) * dt;
                }
                at[i].courant = std::max(at[i].courant, sum);
            }
        });
        Survey out;
        for (const Survey& x : at) {
            out.courant = std::max(out.courant, x.courant);
            out.curvature = std::max(out.curvature, x.curvature);
        }
        return out;
    }

    // n(duration) from n (equilibrium at 0) in `steps` steps; the first non-finite point, or −1.
    long long run(std::vector<double>& n, long long steps, Progress* progress) const {
        const double dt = s_.duration / static_cast<double>(steps);
        const std::size_t size = n.size();
        std::vector<double> stage(size), rate(size), sum(size);
        const double c[4] = {0.0, 0.5, 0.5, 1.0}, w[4] = {1.0, 2.0, 2.0, 1.0};
        for (long long step = 0; step < steps; ++step) {
            const double t = static_cast<double>(step) * dt;
            std::fill(sum.begin(), sum.end(), 0.0);
            for (int st = 0; st < 4; ++st) {
                if (st == 0)
                    stage = n;
                else
                    for (std::size_t j = 0; j < size; ++j) stage[j] = n[j] + c[st] * dt * rate[j];
                const long long bad = rates(stage, t + c[st] * dt, rate, progress);
                if (bad >= 0) return bad;
                for (std::size_t j = 0; j < size; ++j) sum[j] += w[st] * rate[j];
            }
            for (std::size_t j = 0; j < size; ++j) n[j] += dt / 6.0 * sum[j];
        }
        return -1;
    }

    // The momentum-space flow n_s k̇_s at the end (Fig. 7), [2 idx + b][a].
    std::vector<std::array<double, 3>> flow(const std::vector<double>& n) const {
        std::vector<std::array<double, 3>> out(n.size());
        cpu::for_each_point(0, mesh_.count(), [&](long long i) {
            double k[3];
            mesh_.k_of(i, k);
            KineticCoefficients c;
            kin_(k, s_.duration, c);
            for (int b = 0; b < 2; ++b)
                for (int a = 0; a < 3; ++a) out[2 * i + b][a] = n[2 * i + b] * c.k_dot[b][a];
        });
        return out;
    }

private:
    static void note(std::atomic<long long>& bad, long long i) {
        long long seen = bad.load();
        while ((seen < 0 || i < seen) && !bad.compare_exchange_weak(seen, i)) {
        }
    }

    // ∂n_b/∂u_ax at mesh point i by the fourth-order central difference (−n₊₂ + 8n₊₁ − 8n₋₁ + n₋₂)/12
    // per spacing: across the zone's edge on a lattice; on a continuum box the edge's value
    // continues outwards (the box must reach where n no longer varies: docs/textures.md).
    double along(const std::vector<double>& n, const long long idx[3], int ax, int b) const {
        const long long N = mesh_.n[ax];
        auto at = [&](long long shift) {
            long long j[3] = {idx[0], idx[1], idx[2]};
            j[ax] += shift;
            j[ax] = periodic_ ? ((j[ax] % N) + N) % N : std::clamp(j[ax], 0LL, N - 1);
            return n[2 * ((j[0] * mesh_.n[1] + j[1]) * mesh_.n[2] + j[2]) + b];
        };
        return (-at(2) + 8.0 * at(1) - 8.0 * at(-1) + at(-2)) / 12.0 * static_cast<double>(N);
    }

    // w·∂_k n_b at point i.
    double directional(const std::vector<double>& n, const long long idx[3], const double w[3], int b) const {
        double out = 0.0;
        for (int ax = 0; ax < mesh_.dim; ++ax) {
            double du = 0.0;
            for (int a = 0; a < 3; ++a) du += du_dk_[a][ax] * w[a];
            if (du != 0.0) out += du * along(n, idx, ax, b);
        }
        return out;
    }

    long long rates(const std::vector<double>& n, double t, std::vector<double>& rate, Progress* progress) const {
        std::atomic<long long> bad{-1};
        cpu::for_each_point(
            0, mesh_.count(),
            [&](long long i) {
                double k[3];
                long long idx[3];
                mesh_.indices(i, idx);
                mesh_.k_at_indices(idx, k);
                KineticCoefficients c;
                if (!kin_(k, t, c)) {
                    note(bad, i);
                    rate[2 * i] = rate[2 * i + 1] = 0.0;
                    return;
                }
                const double nz = n[2 * i + 1] - n[2 * i];
                for (int b = 0; b < 2; ++b)
                    rate[2 * i + b] = -directional(n, idx, c.k_dot[b], b) + nz * c.source[b] - directional(n, idx, c.cross, 1 - b);
            },
            progress);
        return bad.load();
    }

    HomogeneousKinetics<Model> kin_;
    Mesh mesh_;
    bool periodic_;
    const RampSetup& s_;
    std::array<std::array<double, 3>, 3> du_dk_;
};

// The results of one integration: density changes per band and in all (kinetic and equilibrium),
// ∂n/∂B along the ramp, and the state at the end (n, n0, the equilibrium at the end).
struct RampOutcome {
    TaskResult result;
    std::vector<double> n0, n, end;
    std::vector<std::array<double, 3>> flow;
};

[[noreturn]] void non_finite(const Mesh& mesh, long long i, const std::string& what) {
    double k[3];
    mesh.k_of(i, k);
    throw NonFiniteError(fmt::format("{} is not finite at mesh point {} (k = ({:g}, {:g}, {:g})): the bands touch there "
                                     "(|d| = 0), where the kinetic equation does not hold",
                                     what, i, k[0], k[1], k[2]));
}

template <class Model>
RampOutcome integrate(const TaskContext& ctx, const RampSetup& s, const Model& model, const Mesh& mesh, long long steps,
                      bool with_flow, Progress* progress) {
    const RampSolver<Model> solver(kinetics(model, s, mesh), mesh, ctx.cfg.model->lattice, s);
    RampOutcome o;
    if (const long long bad = solver.equilibrium(0.0, o.n0); bad >= 0) non_finite(mesh, bad, "the equilibrium at t = 0");
    if (const long long bad = solver.equilibrium(s.duration, o.end); bad >= 0) non_finite(mesh, bad, "the equilibrium at the end");
    o.n = o.n0;
    if (const long long bad = solver.run(o.n, steps, progress); bad >= 0) non_finite(mesh, bad, "a coefficient of Eq. 36");
    if (with_flow) o.flow = solver.flow(o.n);
    // Sums in index order (Neumaier): the same for any thread count.
    Neumaier kinetic[2], equilibrium[2];
    for (std::size_t j = 0; j < o.n.size(); ++j) {
        if (!std::isfinite(o.n[j])) non_finite(mesh, static_cast<long long>(j / 2), "the density n_s");
        kinetic[j % 2].add(o.n[j] - o.n0[j]);
        equilibrium[j % 2].add(o.end[j] - o.n0[j]);
    }
    const double w = mesh_weight(mesh);
    const std::vector<double> dn{w * kinetic[0].value(), w * kinetic[1].value(), w * (kinetic[0].value() + kinetic[1].value())};
    const std::vector<double> dn_eq{w * equilibrium[0].value(), w * equilibrium[1].value(),
                                    w * (equilibrium[0].value() + equilibrium[1].value())};
    o.result.results["density_change"] = dn;
    o.result.results["density_change_equilibrium"] = dn_eq;
    // ∂n/∂B_z in e/h (= 1/(2π) with ħ = e = 1; 3D: per length), task streda's unit, for a field ramped along z.
    if (s.field_change[2] != 0.0 && s.field_change[0] == 0.0 && s.field_change[1] == 0.0) {
        std::vector<double> per_field, per_field_eq;
        for (int b = 0; b < 3; ++b) {
            per_field.push_back(kTwoPi * dn[b] / s.field_change[2]);
            per_field_eq.push_back(kTwoPi * dn_eq[b] / s.field_change[2]);
        }
        o.result.results["dn_dB"] = per_field;
        o.result.results["dn_dB_equilibrium"] = per_field_eq;
    }
    return o;
}

// Before the run (and `bzint check`): an InputError at [task] steps where the flow in k would cross
// more than kMaxCourant mesh spacings per step of the error estimate's run (twice the step), at
// five times across the ramp (a ramp towards a small gap peaks between its ends); returns the
// largest |𝓕| met there.
double survey_ramp(const TaskContext& ctx, const RampSetup& s) {
    double courant = 0.0, curvature = 0.0;
    visit_model(ctx.cfg.params, [&](auto model) {
        using Model = decltype(model);
        const RampSolver<Model> solver(kinetics(model, s, s.mesh), s.mesh, ctx.cfg.model->lattice, s);
        for (double t : {0.0, 0.25 * s.duration, 0.5 * s.duration, 0.75 * s.duration, s.duration}) {
            const auto at = solver.survey(t, 2.0 * s.duration / static_cast<double>(s.steps));
            courant = std::max(courant, at.courant);
            curvature = std::max(curvature, at.curvature);
        }
    });
    if (courant > kMaxCourant)
        ctx.task.fail("steps", fmt::format("the flow in k crosses {:.3g} mesh spacings per step (at most {:g} keeps the "
                                           "Runge–Kutta differences stable): raise steps to at least {:.0f}",
                                           courant, kMaxCourant,
                                           2.0 * std::ceil(static_cast<double>(s.steps) * courant / kMaxCourant / 2.0)));
    return curvature;
}

}  // namespace

void check_kinetic_ramp(TaskContext& ctx) { survey_ramp(ctx, read_kinetic_ramp(ctx)); }

TaskResult task_kinetic_ramp(TaskContext& ctx) {
    const RampSetup s = read_kinetic_ramp(ctx);
    const double curvature = survey_ramp(ctx, s);
    const ModelInfo& info = *ctx.cfg.model;
    const std::string lu = length_unit(info), eu = energy_unit(info);
    const int dim = info.dim;
    // The mesh's estimate needs the coarse sub-mesh to take the five-point differences too.
    bool coarse = s.mesh.coarse_factor() > 0;
    for (int a = 0; coarse && a < dim; ++a) coarse = s.mesh.n[a] / s.mesh.coarse_step(a) >= 8;
    TaskResult out;
    // Eq. 36 is first order in 𝓕 = b·𝓑 (docs/textures.md).
    if (curvature >= kFirstOrderLimit)
        out.warnings.push_back(fmt::format("|F| = |B·Omega| reaches {:.3g} on the mesh (at least {:g}: the first-order terms of "
                                           "Eq. 36 miss ~F²/8 > 1 %); lower B",
                                           curvature, kFirstOrderLimit));
    visit_model(ctx.cfg.params, [&](auto model) {
        // Points × stages of the run and of the run at twice the step (the sub-mesh's is not counted).
        const double work = static_cast<double>(s.mesh.count()) * 4.0 * static_cast<double>(s.steps) * 1.5;
        Progress progress("kinetic_ramp", static_cast<long long>(work));
        RampOutcome fine = integrate(ctx, s, model, s.mesh, s.steps, s.map, &progress);
        const RampOutcome twice = integrate(ctx, s, model, s.mesh, s.steps / 2, false, &progress);
        progress.finish();
        const std::vector<std::string> warnings = out.warnings;
        out = fine.result;
        out.warnings = warnings;
        attach_errors(out, &twice.result);
        if (coarse) {
            const RampOutcome sub = integrate(ctx, s, model, s.mesh.coarse(), s.steps, false, nullptr);
            out.errors = larger(out.errors, difference_estimate(out.results, sub.result.results));
        } else {
            out.warnings.push_back("the k-mesh's part of the error is not estimated: [mesh] n has an axis with no coarser "
                                   "sub-mesh of at least 8 points (counts such as 2^a 3^b 5^c on a lattice, a multiple of 3 "
                                   "or 5 on a continuum box; docs/accuracy.md); the estimates are the time step's");
        }
        // On a continuum box the differences take n as constant beyond the edge: where n still varies
        // there (its step between neighbours at the edge above 1e-4 of its largest step inside, at
        // the start or the end), the box is too small.
        if (!info.lattice) {
            double edge = 0.0, largest = 0.0;
            for (const std::vector<double>* n : {&fine.n0, &fine.n})
                for (long long i = 0; i < s.mesh.count(); ++i) {
                    long long idx[3];
                    s.mesh.indices(i, idx);
                    for (int a = 0; a < dim; ++a) {
                        if (idx[a] + 1 >= s.mesh.n[a]) continue;
                        long long next = i, stride = 1;
                        for (int c = a + 1; c < 3; ++c) stride *= s.mesh.n[c];
                        next += stride;
                        const bool on_edge = idx[a] == 0 || idx[a] + 2 == s.mesh.n[a];
                        for (int b = 0; b < 2; ++b) {
                            const double step = std::fabs((*n)[2 * next + b] - (*n)[2 * i + b]);
                            largest = std::max(largest, step);
                            if (on_edge) edge = std::max(edge, step);
                        }
                    }
                }
            if (edge > 1e-4 * largest)
                out.warnings.push_back(fmt::format("n_s still varies at the k-box's edge (a step of {:.3g} between neighbours there, "
                                                   "{:.3g} at most inside), where the differences take it as constant: raise "
                                                   "kcut",
                                                   edge, largest));
        }
        if (s.map) {
            CsvTable csv{"kinetic_ramp",
                         fmt::format("k in 1/{0} (Cartesian); n_s: electrons per state at the end (with D_s); dn_s: n_s(end) − "
                                     "n_s(0); flow_s = n_s k̇_s in 1/({0} · hbar/({1}))",
                                     lu, eu),
                         {},
                         {}};
            const char* axes[3] = {"x", "y", "z"};
            for (int a = 0; a < dim; ++a) csv.columns.push_back(fmt::format("k{}", axes[a]));
            for (const char* band : {"lower", "upper"}) {
                csv.columns.push_back(fmt::format("n_{}", band));
                csv.columns.push_back(fmt::format("dn_{}", band));
                for (int a = 0; a < dim; ++a) csv.columns.push_back(fmt::format("flow_{}_{}", band, axes[a]));
            }
            for (long long i = 0; i < s.mesh.count(); ++i) {
                double k[3];
                s.mesh.k_of(i, k);
                std::vector<double> row(k, k + dim);
                for (int b = 0; b < 2; ++b) {
                    row.push_back(fine.n[2 * i + b]);
                    row.push_back(fine.n[2 * i + b] - fine.n0[2 * i + b]);
                    for (int a = 0; a < dim; ++a) row.push_back(fine.flow[2 * i + b][a]);
                }
                csv.rows.push_back(row);
            }
            out.tables.push_back(std::move(csv));  // after the estimates: the map carries no error columns
        }
    });
    const std::string density_unit = fmt::format("electrons per {}^{}", lu, dim);
    out.results["duration"] = s.duration;
    out.results["steps"] = s.steps;
    out.units = {{"density_change", density_unit + ", [lower, upper, total]: sum over k of n_s(end) − n_s(0), Eq. 36"},
                 {"density_change_equilibrium",
                  density_unit + ", [lower, upper, total]: the change of D_s f(e_s + dE − mu) (Eqs. 23, 28) from the start's "
                                 "Hamiltonian to the end's"},
                 {"duration", fmt::format("hbar/({})", eu)},
                 {"steps", "Runge–Kutta steps"}};
    if (out.results.contains("dn_dB")) {
        const std::string dn_unit = dim == 2 ? "e/h" : fmt::format("e/(h {})", lu);  // task streda's
        out.units["dn_dB"] = dn_unit + ", [lower, upper, total]: density_change / (B_end − B_start)_z (Eq. 45)";
        out.units["dn_dB_equilibrium"] = dn_unit + ", [lower, upper, total]: density_change_equilibrium / (B_end − B_start)_z";
    }
    out.principal = {"density_change"};
    out.remedy = "the ramp is not resolved: raise steps, or [mesh] n (docs/textures.md)";
    out.kpoints = s.mesh.count();
    return out;
}

}  // namespace bzint
