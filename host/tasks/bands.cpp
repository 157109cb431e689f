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
                          const std::vector<BandGeometry>& g, TaskResult& out) {
    const auto B = read_magnetic_field(ctx, "B");
    const int N = model_bands(ctx.cfg.params);
    const TensorAtPoints t = curvature_tensor_at_points(ctx.cfg.params, k, B);
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

TaskResult task_bands(TaskContext& ctx) {
    ctx.task.only({"kind", "path", "n", "labels"});
    const auto vertices = ctx.task.vectors("path");
    if (vertices.size() < 2) ctx.task.fail("path", "needs at least two points");
    const long long per_segment = ctx.task.integer("n", 50);
    if (per_segment < 1 || per_segment > 1000000) ctx.task.fail("n", "points per segment must be in 1..10^6");
    std::vector<std::array<double, 3>> corners;
    for (const auto& v : vertices) corners.push_back(read_point(ctx, "path", v));
    std::vector<std::array<double, 3>> k;
    std::vector<double> dist;
    double s = 0.0;
    for (std::size_t seg = 0; seg + 1 < corners.size(); ++seg) {
        for (long long i = 0; i <= per_segment; ++i) {
            if (seg > 0 && i == 0) continue;
            const double t = static_cast<double>(i) / static_cast<double>(per_segment);
            std::array<double, 3> p;
            for (int a = 0; a < 3; ++a) p[a] = corners[seg][a] + t * (corners[seg + 1][a] - corners[seg][a]);
            if (!k.empty()) s += std::hypot(p[0] - k.back()[0], p[1] - k.back()[1], p[2] - k.back()[2]);
            k.push_back(p);
            dist.push_back(s);
        }
    }
    const auto g = geometry_at_points(ctx.backend, ctx.cfg.params, k);
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
        if (!a || a->size() != vertices.size()) ctx.task.fail("labels", "needs one string per path point");
        nlohmann::json labels = nlohmann::json::array();
        for (std::size_t i = 0; i < a->size(); ++i) {
            auto v = (*a)[i].value<std::string>();
            if (!v) ctx.task.fail("labels", "needs one string per path point");
            labels.push_back({{"label", *v}, {"distance", dist[i * per_segment]}});
        }
        out.results["labels"] = labels;
    }
    out.units = {{"energies", energy_unit(*ctx.cfg.model)}, {"distance", "1/" + length_unit(*ctx.cfg.model)},
                 {"k", "Cartesian, 1/" + length_unit(*ctx.cfg.model)}, {"path", coordinate_unit(*ctx.cfg.model)}};
    out.tables.push_back(csv);
    return out;
}

TaskResult task_berry(TaskContext& ctx) {
    ctx.task.only({"kind", "points", "plane", "B"});
    if (!ctx.task.has("points") && !ctx.task.has("plane"))
        ctx.task.fail("points", "task 'berry' needs 'points' (a list of k-points) and/or 'plane' "
                                "(= {origin = [..], e1 = [..], e2 = [..], n = [n1, n2]})");
    TaskResult out;
    const std::string eu = energy_unit(*ctx.cfg.model), lu = length_unit(*ctx.cfg.model);
    out.units = {{"energies", eu},
                 {"omega", lu + "^2 (Omega_n = curl_k A_n, components [x, y, z])"},
                 {"orbital_moment", "e/hbar x energy unit x " + lu + "^2 (hbar = e = 1)"},
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
    if (ctx.task.has("points")) {
        std::vector<std::array<double, 3>> k;
        for (const auto& v : ctx.task.vectors("points")) k.push_back(read_point(ctx, "points", v));
        const auto g = geometry_at_points(ctx.backend, ctx.cfg.params, k);
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
        add_spectral_weights(ctx, k, g, out);
        out.kpoints += static_cast<long long>(k.size());
    }
    if (ctx.task.has("plane")) {
        const toml::table* pt = ctx.task.node("plane")->as_table();
        if (!pt) ctx.task.fail("plane", "must be a table {origin = [..], e1 = [..], e2 = [..], n = [n1, n2]}");
        Section plane(ctx.file, pt, "task.plane");
        plane.only({"origin", "e1", "e2", "n"});
        auto vec = [&](const char* key) { return read_point(ctx, std::string("plane.") + key, plane.numbers(key)); };
        const auto origin = vec("origin");
        auto e1 = vec("e1"), e2 = vec("e2");
        const auto n = plane.numbers("n");
        if (n.size() != 2 || n[0] < 2 || n[1] < 2 || n[0] > 1e5 || n[1] > 1e5 || n[0] != std::floor(n[0]) ||
            n[1] != std::floor(n[1]))
            plane.fail("n", "must be two integers in 2..10^5");
        const long long n1 = static_cast<long long>(n[0]), n2 = static_cast<long long>(n[1]);
        std::vector<std::array<double, 3>> k;
        for (long long i = 0; i < n1; ++i)
            for (long long j = 0; j < n2; ++j) {
                const double s = static_cast<double>(i) / (n1 - 1), t = static_cast<double>(j) / (n2 - 1);
                k.push_back({origin[0] + s * e1[0] + t * e2[0], origin[1] + s * e1[1] + t * e2[1],
                             origin[2] + s * e1[2] + t * e2[2]});
            }
        const auto g = geometry_at_points(ctx.backend, ctx.cfg.params, k);
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
