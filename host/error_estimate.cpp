#include "error_estimate.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "bzint/band_touching.hpp"
#include "model_registry.hpp"

namespace bzint {

using nlohmann::json;

json difference_estimate(const json& fine, const json& coarse) {
    if (fine.is_number()) return std::fabs(fine.get<double>() - coarse.get<double>());
    if (fine.is_array()) {  // an array of names (no numbers) has no estimate
        json out = json::array();
        bool numbers = false;
        for (std::size_t i = 0; i < fine.size(); ++i) {
            out.push_back(difference_estimate(fine[i], coarse.at(i)));
            numbers = numbers || !out.back().is_null();
        }
        return numbers || fine.empty() ? out : json(nullptr);
    }
    if (fine.is_object()) {
        json out = json::object();
        for (const auto& [k, v] : fine.items())
            if (v.is_number() || v.is_array() || v.is_object()) {
                json e = difference_estimate(v, coarse.at(k));
                if (!e.is_null()) out[k] = std::move(e);
            }
        return out;
    }
    return nullptr;
}

json larger(const json& a, const json& b) {
    if (a.is_number()) return std::max(a.get<double>(), b.get<double>());
    json out = a;
    if (a.is_array())
        for (std::size_t i = 0; i < a.size(); ++i) out[i] = larger(a[i], b.at(i));
    else if (a.is_object())
        for (const auto& [k, v] : a.items()) out[k] = larger(v, b.at(k));
    return out;
}

namespace {

// Each table's `<column>_error` column after its key columns: the largest |fine − other| over the
// comparisons.
void add_error_columns(CsvTable& f, const std::vector<const CsvTable*>& others) {
    const std::size_t cols = f.columns.size();
    for (std::size_t i = f.keys; i < cols; ++i) f.columns.push_back(f.columns[i] + "_error");
    for (std::size_t r = 0; r < f.rows.size(); ++r)
        for (std::size_t i = f.keys; i < cols; ++i) {
            double e = 0.0;
            for (const CsvTable* o : others) e = std::max(e, std::fabs(f.rows[r][i] - o->rows.at(r).at(i)));
            f.rows[r].push_back(e);
        }
    f.comment += "; *_error: error estimate (docs/accuracy.md), same unit";
}

}  // namespace

void attach_errors(TaskResult& fine, const TaskResult* coarse, const TaskResult* without_touching) {
    if (without_touching) {
        fine.near_touching = difference_estimate(fine.results, without_touching->results);
        fine.without_touching = std::make_shared<const TaskResult>(*without_touching);
    }
    if (!coarse) {
        fine.errors = nullptr;
        fine.no_estimate = "no error estimate: [mesh] n has an axis whose count has no factor 2, 3, 5 or 7 (on a "
                           "continuum model's box: 3, 5 or 7), so the mesh has no coarser sub-mesh to compare with; "
                           "use counts such as 2^a 3^b 5^c (box: a multiple of 3 or 5) (docs/accuracy.md)";
        return;
    }
    fine.errors = difference_estimate(fine.results, coarse->results);
    if (without_touching) fine.errors = larger(fine.errors, fine.near_touching);
    for (std::size_t t = 0; t < fine.tables.size(); ++t) {
        std::vector<const CsvTable*> others{&coarse->tables.at(t)};
        if (without_touching) others.push_back(&without_touching->tables.at(t));
        add_error_columns(fine.tables[t], others);
    }
}

namespace {

// e ← max(e, |v − p|) for every numeric leaf whose estimate e is a number above 0 (an estimate of
// exactly 0 is an input echoed or a count; null: no estimate).
void widen(json& e, const json& v, const json& p) {
    if (e.is_number()) {
        if (e.get<double>() > 0.0 && v.is_number() && p.is_number())
            e = std::max(e.get<double>(), std::fabs(v.get<double>() - p.get<double>()));
        return;
    }
    if (e.is_array() && v.is_array() && p.is_array() && v.size() == p.size())
        for (std::size_t i = 0; i < e.size() && i < v.size(); ++i) widen(e[i], v[i], p[i]);
    if (e.is_object() && v.is_object() && p.is_object())
        for (auto& [k, x] : e.items())
            if (v.contains(k) && p.contains(k)) widen(x, v[k], p[k]);
}

}  // namespace

void widen_by_previous_pass(TaskResult& r, const TaskResult& previous) {
    if (!r.errors.is_object()) return;
    const TaskResult& p = previous.without_touching ? *previous.without_touching : previous;
    widen(r.errors, r.results, p.results);
    for (std::size_t t = 0; t < r.tables.size() && t < p.tables.size(); ++t) {
        CsvTable& f = r.tables[t];
        const std::size_t data = (f.columns.size() - f.keys) / 2;  // [keys…, data…, data_error…]
        if (f.rows.size() != p.tables[t].rows.size()) continue;
        for (std::size_t row = 0; row < f.rows.size(); ++row)
            for (std::size_t i = f.keys; i < f.keys + data; ++i) {
                double& e = f.rows[row][data + i];
                if (e > 0.0) e = std::max(e, std::fabs(f.rows[row][i] - p.tables[t].rows[row].at(i)));
            }
    }
}

namespace {

struct Worst {
    double ratio = 0.0, value = 0.0, error = 0.0;
    std::string where, family;
};

// The unit of a leaf: the units entry of its key, else of its family's last name (exactly, or by a
// pattern such as "sigma_*").
std::string unit_of(const json& units, const std::string& key, const std::string& family) {
    if (units.contains(key) && units[key].is_string()) return units[key].get<std::string>();
    const std::string leaf = family.substr(family.rfind('.') + 1);
    for (const auto& [name, u] : units.items()) {
        if (!u.is_string()) continue;
        const bool pattern = !name.empty() && name.back() == '*';
        if (pattern ? leaf.rfind(name.substr(0, name.size() - 1), 0) == 0 : leaf == name) return u.get<std::string>();
    }
    return "";
}

// The largest |value| of each family of numeric leaves: the leaves whose paths differ only in array
// indices (levels[3].dos and levels[7].dos are the family "levels.dos"; sigma[0][1] and sigma[2][0]
// are "sigma").
void largest_by_family(const json& v, const std::string& family, std::map<std::string, double>& m) {
    if (v.is_number()) {
        double& x = m[family];
        x = std::max(x, std::fabs(v.get<double>()));
    } else if (v.is_array()) {
        for (const auto& x : v) largest_by_family(x, family, m);
    } else if (v.is_object()) {
        for (const auto& [k, x] : v.items()) largest_by_family(x, family + "." + k, m);
    }
}

// The element of (value, error) with the largest error/|value| above the threshold: relative to
// the value itself, and to 1e-3 of the largest value of its family (a value at a zero of a scanned
// curve has no relative error to speak of).
void scan_leaves(const json& v, const json& e, const std::string& where, const std::string& family, double relative,
                 const std::map<std::string, double>& scale, double magnitude_floor, Worst& w) {
    if (v.is_number() && e.is_number()) {
        const double x = v.get<double>(), err = e.get<double>();
        if (err > kNegligible && err > relative * std::max(std::fabs(x), magnitude_floor) &&
            err > kScaleFloor * scale.at(family)) {
            const double ratio = std::fabs(x) > 0.0 ? err / std::fabs(x) : INFINITY;
            if (ratio > w.ratio) w = {ratio, x, err, where, family};
        }
        return;
    }
    if (v.is_array() && e.is_array())
        for (std::size_t i = 0; i < v.size() && i < e.size(); ++i)
            scan_leaves(v[i], e[i], fmt::format("{}[{}]", where, i), family, relative, scale, magnitude_floor, w);
    if (v.is_object() && e.is_object())
        for (const auto& [k, x] : v.items())
            if (e.contains(k)) scan_leaves(x, e[k], where + "." + k, family + "." + k, relative, scale, magnitude_floor, w);
}

}  // namespace

namespace {

// The warnings of accuracy_warnings for the estimates `errors` of r's results.
// `what` says what the estimate is ("an error estimate of").
void warn_about(const TaskResult& r, const json& errors, double relative, const std::string& what, const std::string& remedy,
                std::vector<std::string>& out) {
    for (const auto& [key, e] : errors.items()) {
        if (!r.results.contains(key)) continue;
        // The task's physical quantities: band-resolved parts carry estimates but no warnings.
        if (!r.principal.empty() && std::find(r.principal.begin(), r.principal.end(), key) == r.principal.end()) continue;
        Worst w;
        std::map<std::string, double> scale;
        largest_by_family(r.results[key], key, scale);
        const bool integer = std::find(r.integer_valued.begin(), r.integer_valued.end(), key) != r.integer_valued.end();
        scan_leaves(r.results[key], e, key, key, relative, scale, integer ? 1.0 : 0.0, w);
        if (w.where.empty()) continue;
        const std::string unit = unit_of(r.units, key, w.family);
        out.push_back(fmt::format("{} = {:.6g} {} has {} {:.3g} ({:.3g} of its magnitude, above {:g}): {}", w.where, w.value,
                                  unit, what, w.error, w.ratio, relative, remedy));
    }
}

}  // namespace

std::string touching_remedy(const ModelInfo& model) {
    if (model.dim == 2)
        return fmt::format("do not move the mesh off such a point: in 2D the crossing's Berry flux, half a quantum, lies "
                           "within gap/velocity of it, and a mesh (or [task] refine's sub-grid, which leaves such a "
                           "point as it is) that misses the point misses the flux; {} until 0.2 x velocity x spacing is "
                           "below the gap there, or set [task] rtol, whose passes keep the point until then",
                           model.lattice ? "multiply [mesh] n by whole factors (the Γ-centred mesh keeps the point)"
                                         : "multiply [mesh] n by 3, 5 or 7 (odd factors keep the box's midpoint on it)");
    if (!model.lattice)
        return "move the box's points off it by changing [mesh] n (they sit at -kcut + (i + 1/2) 2 kcut / n: an even n keeps "
               "them off k = 0), raise [mesh] n, or set [task] rtol";
    std::string half = "0.5";
    for (int a = 1; a < model.dim; ++a) half += ", 0.5";
    return fmt::format("move the mesh off it with [mesh] shift = [{}] (a Weyl node is integrable), raise [mesh] n, or set "
                       "[task] rtol",
                       half);
}

std::vector<std::string> accuracy_warnings(const TaskResult& r, const ModelInfo& model, double relative) {
    std::vector<std::string> out;
    if (r.near_touching.is_object())
        warn_about(r, r.near_touching, relative, "a contribution from mesh points near a band touching of",
                   fmt::format("at such a point |Berry curvature| × a mesh plaquette's area, sampled there, is above {:g} "
                               "(a Weyl node nearer than 0.1 of the spacing, or a gap below 0.2 × velocity × spacing, which "
                               "the mesh does not resolve), so the point's sum is far off its cell's; the error estimate, where "
                               "there is one, includes it (near_touching in the output); {} (docs/accuracy.md)",
                               kTouchingFlux, touching_remedy(model)),
                   out);
    if (!r.no_estimate.empty()) {
        out.push_back(r.no_estimate);
        return out;
    }
    if (!r.errors.is_object()) return out;
    warn_about(r, r.errors, relative, "an error estimate of",
               r.remedy.empty() ? "the mesh is not converged there; raise [mesh] n (the estimate is the change from the coarser "
                                  "sub-mesh), or set [task] rtol to let bzint choose (docs/accuracy.md)"
                                : r.remedy,
               out);
    return out;
}

}  // namespace bzint
