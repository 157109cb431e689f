// Band energies along a path of points (reduced coordinates for lattice models,
// Cartesian k for continuum models), and Berry curvature / orbital moment at points and
// on planes.
#include <fmt/core.h>

#include <cmath>

#include "../engine.hpp"
#include "task_common.hpp"

namespace bzint {

namespace {

std::array<double, 3> read_point(const TaskContext& ctx, const std::string& key, const std::vector<double>& v) {
    const int d = ctx.cfg.model->dim;
    if (static_cast<int>(v.size()) != d)
        ctx.task.fail(key, fmt::format("each point needs {} coordinates for the {}D model '{}'", d, d, ctx.cfg.model->name));
    std::array<double, 3> p{0, 0, 0};
    for (int i = 0; i < d; ++i) p[i] = v[i];
    return cartesian_k(*ctx.cfg.model, p);
}

std::string coordinate_unit(const ModelInfo& m) {
    return m.lattice ? "reduced coordinates of the reciprocal basis" : "Cartesian k (1/length unit of the model)";
}

// The generalised curvature tensor Ω^n_m at each point and, for [task] B, the spectral
// weights Z[n][m] of the quasiparticle of band n on projector m, Z_tot^n, and the energies
// ε̄_n = ε_n − m_n·B (SU(N) paper Eqs. 12–15; semiclassical.hpp). Any number of bands.
void add_spectral_weights(const TaskContext& ctx, const std::vector<std::array<double, 3>>& k,
                          const std::vector<BandGeometry>& g, TaskResult& out, Progress* progress) {
    const auto B = read_magnetic_field(ctx, "B");
    const int N = model_bands(ctx.cfg.params);
    const TensorAtPoints t = curvature_tensor_at_points(ctx.cfg.params, k, B, progress);
    nlohmann::json tensor = nlohmann::json::array(), Z = nlohmann::json::array(), Ztot = nlohmann::json::array(),
                   EB = nlohmann::json::array();
    CsvTable csv{"spectral_weights",
                 fmt::format("B = [{:g}, {:g}, {:g}] hbar/(e {}^2); Z_n_m: weight of the band-n quasiparticle on "
                             "eigenprojector m; Z_tot_n = sum_m Z_n_m = 1 + B.Omega_n; energy_B_n = e_n - m_n.B (Eq. 12)",
                             B[0], B[1], B[2], length_unit(*ctx.cfg.model)),
                 {"kx", "ky", "kz"},
                 {}};
    for (int n = 0; n < N; ++n)
        for (int m = 0; m < N; ++m) csv.columns.push_back(fmt::format("Z_{}_{}", n, m));
    for (int n = 0; n < N; ++n) csv.columns.push_back(fmt::format("Z_tot{}", n));
    csv.columns.push_back("Z_tot_sum");
    for (int n = 0; n < N; ++n) csv.columns.push_back(fmt::format("energy_B{}", n));
    for (std::size_t i = 0; i < k.size(); ++i) {
        nlohmann::json tp = nlohmann::json::array(), zp = nlohmann::json::array();
        std::vector<double> row{k[i][0], k[i][1], k[i][2]}, totals(N), energies(N);
        double sum = 0.0;
        for (int n = 0; n < N; ++n) {
            nlohmann::json tn = nlohmann::json::array();
            std::vector<double> zn(N);
            for (int m = 0; m < N; ++m) {
                const std::size_t at = (i * N + n) * N + m;
                tn.push_back(std::vector<double>(&t.tensor[3 * at], &t.tensor[3 * at] + 3));
                zn[m] = t.weights[at];
                totals[n] += zn[m];
                row.push_back(zn[m]);
            }
            sum += totals[n];
            tp.push_back(tn);
            zp.push_back(zn);
            const BandGeometry& gn = g[N * i + n];
            energies[n] = gn.energy - (gn.m[0] * B[0] + gn.m[1] * B[1] + gn.m[2] * B[2]);
        }
        row.insert(row.end(), totals.begin(), totals.end());
        row.push_back(sum);
        row.insert(row.end(), energies.begin(), energies.end());
        tensor.push_back(tp);
        Z.push_back(zp);
        Ztot.push_back(totals);
        EB.push_back(energies);
        csv.rows.push_back(row);
    }
    out.results["curvature_tensor"] = tensor;
    out.units["curvature_tensor"] = length_unit(*ctx.cfg.model) + "^2; [point][n][m] = Omega^n_m as [x, y, z] (Eq. 13)";
    if (ctx.task.has("B")) {
        out.results["B"] = B;
        out.results["spectral_weights"] = Z;
        out.results["Z_tot"] = Ztot;
        out.results["energies_B"] = EB;
        out.units["B"] = "hbar/(e " + length_unit(*ctx.cfg.model) + "^2)";
        out.units["spectral_weights"] = "dimensionless; [point][n][m]";
        out.units["Z_tot"] = "dimensionless; [point][n]";
        out.units["energies_B"] = energy_unit(*ctx.cfg.model) + "; e_n - m_n.B (SU(N) paper Eq. 12)";
        out.tables.push_back(csv);
    }
}

}  // namespace

namespace {

struct BandPath {
    std::vector<std::vector<double>> vertices;
    long long per_segment;
    std::vector<std::array<double, 3>> k;
    std::vector<double> dist;
};

// Memory of a list of k-points with their band geometry, table row and JSON entry.
double bytes_per_point(const TaskContext& ctx) {
    const double B = model_bands(ctx.cfg.params);
    return 24 + B * sizeof(BandGeometry) + (6 + 7 * B) * 8 + 64 * (1 + B);
}

BandPath read_bands(const TaskContext& ctx) {
    ctx.task.only();
    BandPath p;
    p.vertices = ctx.task.vectors("path", static_cast<std::size_t>(kMaxPathPoints));
    if (p.vertices.size() < 2) ctx.task.fail("path", "needs at least two points");
    p.per_segment = ctx.task.integer("n", 50);
    const long long points = static_cast<long long>(p.vertices.size() - 1) * p.per_segment + 1;
    if (points > kMaxPathPoints)
        ctx.task.fail("n", fmt::format("{} segments × {} points = {} path points; at most {}", p.vertices.size() - 1,
                                       p.per_segment, points, kMaxPathPoints));
    require_memory(ctx.task, "n", static_cast<double>(points) * bytes_per_point(ctx), fmt::format("{} path points", points));
    std::vector<std::array<double, 3>> corners;
    for (const auto& v : p.vertices) corners.push_back(read_point(ctx, "path", v));
    if (ctx.task.has("labels")) {
        const toml::array* a = ctx.task.node("labels")->as_array();
        if (!a || a->size() != p.vertices.size()) ctx.task.fail("labels", "needs one string per path point");
        for (const toml::node& e : *a)
            if (!e.is_string()) ctx.task.fail("labels", "needs one string per path point");
    }
    double s = 0.0;
    for (std::size_t seg = 0; seg + 1 < corners.size(); ++seg) {
        for (long long i = 0; i <= p.per_segment; ++i) {
            if (seg > 0 && i == 0) continue;
            const double t = static_cast<double>(i) / static_cast<double>(p.per_segment);
            std::array<double, 3> q;
            for (int a = 0; a < 3; ++a) q[a] = corners[seg][a] + t * (corners[seg + 1][a] - corners[seg][a]);
            if (!p.k.empty()) s += std::hypot(q[0] - p.k.back()[0], q[1] - p.k.back()[1], q[2] - p.k.back()[2]);
            p.k.push_back(q);
            p.dist.push_back(s);
        }
    }
    return p;
}

}  // namespace

void check_bands(TaskContext& ctx) { read_bands(ctx); }

TaskResult task_bands(TaskContext& ctx) {
    const BandPath path = read_bands(ctx);
    const auto& k = path.k;
    const auto& dist = path.dist;
    const auto& vertices = path.vertices;
    const long long per_segment = path.per_segment;
    Progress progress("bands", static_cast<long long>(k.size()), "points");
    const auto g = geometry_at_points(ctx.backend, ctx.cfg.params, k, &progress);
    progress.finish();
    const std::size_t B = g.size() / k.size();
    TaskResult out;
    out.kpoints = static_cast<long long>(k.size());
    nlohmann::json energies = nlohmann::json::array();
    CsvTable csv{"bands", fmt::format("band energies in {}; distance and k in 1/{}", energy_unit(*ctx.cfg.model),
                                      length_unit(*ctx.cfg.model)),
                 {"distance", "kx", "ky", "kz"}, {}};
    for (std::size_t n = 0; n < B; ++n) csv.columns.push_back(fmt::format("energy_band{}", n));
    for (std::size_t i = 0; i < k.size(); ++i) {
        std::vector<double> e(B);
        for (std::size_t n = 0; n < B; ++n) e[n] = g[B * i + n].energy;
        energies.push_back(e);
        std::vector<double> row{dist[i], k[i][0], k[i][1], k[i][2]};
        row.insert(row.end(), e.begin(), e.end());
        csv.rows.push_back(row);
    }
    out.results["distance"] = dist;
    out.results["k"] = k;
    out.results["energies"] = energies;
    if (ctx.task.has("labels")) {
        const toml::array* a = ctx.task.node("labels")->as_array();
        nlohmann::json labels = nlohmann::json::array();
        for (std::size_t i = 0; i < vertices.size(); ++i)
            labels.push_back({{"label", *(*a)[i].value<std::string>()}, {"distance", dist[i * per_segment]}});
        out.results["labels"] = labels;
    }
    out.units = {{"energies", energy_unit(*ctx.cfg.model)}, {"distance", "1/" + length_unit(*ctx.cfg.model)},
                 {"k", "Cartesian, 1/" + length_unit(*ctx.cfg.model)}, {"path", coordinate_unit(*ctx.cfg.model)}};
    out.tables.push_back(csv);
    return out;
}

namespace {

struct BerrySetup {
    std::vector<std::array<double, 3>> points;
    long long n1 = 0, n2 = 0;  // plane
    std::array<double, 3> origin{}, e1{}, e2{};
};

BerrySetup read_berry(const TaskContext& ctx) {
    ctx.task.only();
    if (!ctx.task.has("points") && !ctx.task.has("plane"))
        ctx.task.fail("points", "task 'berry' needs 'points' (a list of k-points) and/or 'plane' "
                                "(= {origin = [..], e1 = [..], e2 = [..], n = [n1, n2]})");
    BerrySetup b;
    const double per_point = bytes_per_point(ctx) + 40.0 * model_bands(ctx.cfg.params) * model_bands(ctx.cfg.params);
    if (ctx.task.has("points")) {
        for (const auto& v : ctx.task.vectors("points", static_cast<std::size_t>(kMaxPointList)))
            b.points.push_back(read_point(ctx, "points", v));
        require_memory(ctx.task, "points", static_cast<double>(b.points.size()) * per_point,
                       fmt::format("{} points with their curvature tensors", b.points.size()));
    }
    if (ctx.task.has("plane")) {
        const toml::table* pt = ctx.task.node("plane")->as_table();
        if (!pt) ctx.task.fail("plane", "must be a table {origin = [..], e1 = [..], e2 = [..], n = [n1, n2]}");
        Section plane(ctx.file, pt, "task.plane", ctx.cfg.task);
        plane.only();
        auto vec = [&](const char* key) { return read_point(ctx, std::string("plane.") + key, plane.numbers(key, 3)); };
        b.origin = vec("origin");
        b.e1 = vec("e1");
        b.e2 = vec("e2");
        const auto n = plane.numbers("n", 2);
        if (n.size() != 2 || n[0] != std::floor(n[0]) || n[1] != std::floor(n[1])) plane.fail("n", "must be two integers in 2..10^5");
        b.n1 = static_cast<long long>(n[0]);
        b.n2 = static_cast<long long>(n[1]);
        if (b.n1 * b.n2 > kMaxPlanePoints)
            plane.fail("n", fmt::format("{} × {} = {} points; a map has at most {}", b.n1, b.n2, b.n1 * b.n2, kMaxPlanePoints));
        require_memory(plane, "n", static_cast<double>(b.n1 * b.n2) * bytes_per_point(ctx),
                       fmt::format("a map of {} points", b.n1 * b.n2));
    }
    read_magnetic_field(ctx, "B");
    return b;
}

}  // namespace

void check_berry(TaskContext& ctx) { read_berry(ctx); }

TaskResult task_berry(TaskContext& ctx) {
    const BerrySetup setup = read_berry(ctx);
    TaskResult out;
    const GeometryUnits u = geometry_units(*ctx.cfg.model);
    const std::string eu = u.energy, lu = length_unit(*ctx.cfg.model);
    out.units = {{"energies", u.energy},
                 {"omega", u.omega},
                 {"orbital_moment", u.moment},
                 {"points", coordinate_unit(*ctx.cfg.model)}};
    const int B = model_bands(ctx.cfg.params);
    auto columns = [B] {
        std::vector<std::string> c{"kx", "ky", "kz"};
        for (int n = 0; n < B; ++n) {
            c.push_back(fmt::format("energy_band{}", n));
            for (const char* q : {"omega", "m"})
                for (const char* a : {"x", "y", "z"}) c.push_back(fmt::format("{}_{}_band{}", q, a, n));
        }
        return c;
    };
    auto row = [B](const std::array<double, 3>& k, const BandGeometry* g) {
        std::vector<double> r{k[0], k[1], k[2]};
        for (int n = 0; n < B; ++n) {
            r.push_back(g[n].energy);
            for (int a = 0; a < 3; ++a) r.push_back(g[n].omega[a]);
            for (int a = 0; a < 3; ++a) r.push_back(g[n].m[a]);
        }
        return r;
    };
    const std::string comment = fmt::format("k in 1/{}; energies in {}; omega in {}^2; m in e/hbar x energy x {}^2", lu, eu, lu, lu);
    if (!setup.points.empty()) {
        const auto& k = setup.points;
        Progress progress("berry points", 2 * static_cast<long long>(k.size()), "points");
        const auto g = geometry_at_points(ctx.backend, ctx.cfg.params, k, &progress);
        nlohmann::json E = nlohmann::json::array(), W = nlohmann::json::array(), M = nlohmann::json::array();
        CsvTable csv{"berry_points", comment, columns(), {}};
        for (std::size_t i = 0; i < k.size(); ++i) {
            nlohmann::json e = nlohmann::json::array(), w = nlohmann::json::array(), m = nlohmann::json::array();
            for (int n = 0; n < B; ++n) {
                e.push_back(g[B * i + n].energy);
                w.push_back(g[B * i + n].omega);
                m.push_back(g[B * i + n].m);
            }
            E.push_back(e);
            W.push_back(w);
            M.push_back(m);
            csv.rows.push_back(row(k[i], &g[B * i]));
        }
        out.results["k"] = k;
        out.results["energies"] = E;
        out.results["omega"] = W;
        out.results["orbital_moment"] = M;
        out.tables.push_back(csv);
        add_spectral_weights(ctx, k, g, out, &progress);
        progress.finish();
        out.kpoints += static_cast<long long>(k.size());
    }
    if (setup.n1 > 0) {
        const long long n1 = setup.n1, n2 = setup.n2;
        const auto &origin = setup.origin, &e1 = setup.e1, &e2 = setup.e2;
        std::vector<std::array<double, 3>> k;
        for (long long i = 0; i < n1; ++i)
            for (long long j = 0; j < n2; ++j) {
                const double s = static_cast<double>(i) / (n1 - 1), t = static_cast<double>(j) / (n2 - 1);
                k.push_back({origin[0] + s * e1[0] + t * e2[0], origin[1] + s * e1[1] + t * e2[1],
                             origin[2] + s * e1[2] + t * e2[2]});
            }
        Progress progress("berry map", static_cast<long long>(k.size()), "points");
        const auto g = geometry_at_points(ctx.backend, ctx.cfg.params, k, &progress);
        progress.finish();
        CsvTable csv{"berry_map", comment, {"s", "t"}, {}};
        for (const auto& c : columns()) csv.columns.push_back(c);
        for (long long i = 0; i < n1; ++i)
            for (long long j = 0; j < n2; ++j) {
                const std::size_t p = static_cast<std::size_t>(i * n2 + j);
                std::vector<double> r{static_cast<double>(i) / (n1 - 1), static_cast<double>(j) / (n2 - 1)};
                const auto rest = row(k[p], &g[B * p]);
                r.insert(r.end(), rest.begin(), rest.end());
                csv.rows.push_back(r);
            }
        out.results["plane"] = {{"n", {n1, n2}}, {"csv", ctx.cfg.title + "_berry_map.csv"}};
        out.tables.push_back(csv);
        out.kpoints += n1 * n2;
    }
    return out;
}

}  // namespace bzint
