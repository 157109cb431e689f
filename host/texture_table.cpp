#include "texture_table.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "input_error.hpp"

namespace bzint {

void periodic_spline_coefficients(double* data, long long n, long long stride) {
    if (n == 1) return;  // (1 + 4 + 1)/6 = 1: the constant is its own coefficient
    // With z = √3 − 2 (z² + 4z + 1 = 0), (1 − zS⁻¹)(1 − zS) = −6z A for the circulant
    // A = (S⁻¹ + 4 + S)/6 (S the shift, (S d)_i = d_{i+1}), so A⁻¹ = −6z (1 − zS)⁻¹ (1 − zS⁻¹)⁻¹:
    // a causal then an anticausal recursion, each started from its geometric series summed
    // around the period until z^k < 1e-18 (k = 32), exact for any n.
    const double z = std::sqrt(3.0) - 2.0;
    constexpr int kTerms = 32;
    auto at = [&](long long i) -> double& { return data[((i % n + n) % n) * stride]; };
    double start = 0.0, power = 1.0;
    for (int k = 0; k < kTerms; ++k, power *= z) start += power * at(-k);
    std::vector<double> causal(static_cast<std::size_t>(n));
    causal[0] = start;
    for (long long i = 1; i < n; ++i) causal[i] = at(i) + z * causal[i - 1];
    start = 0.0;
    power = 1.0;
    for (int k = 0; k < kTerms; ++k, power *= z) start += power * causal[(n - 1 + k) % n];
    at(n - 1) = -6.0 * z * start;
    double next = start;
    for (long long i = n - 2; i >= 0; --i) {
        next = causal[i] + z * next;
        at(i) = -6.0 * z * next;
    }
}

namespace {

// What a table holds: the columns after x y, their names for messages, and whether a row is a
// unit vector (a texture's m, normalised) or any finite numbers (a potential's U).
struct Field {
    int components;
    const char* columns;  // "x y mx my mz"
    const char* name;     // "texture table"
    bool unit;
};
constexpr Field kTextureField{3, "x y mx my mz", "texture table", true};
constexpr Field kPotentialField{1, "x y U", "potential table", false};

struct Row {
    double x[2];
    double v[3];
    long long line;
};

// The grid along one axis: its first coordinate, its count n of distinct points in the cell and
// whether the rows repeat the far edge x₀ + L.
struct Axis {
    double origin = 0.0, spacing = 1.0;
    long long n = 1;
    bool far_edge = false;
};

Axis grid_axis(const std::vector<Row>& rows, int a, double period) {
    std::vector<double> v(rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r) v[r] = rows[r].x[a];
    std::sort(v.begin(), v.end());
    // Rows that print one coordinate a little differently are one grid line: values closer than a
    // thousandth of the spacing the exactly distinct values would have.
    const long long exact = std::unique(v.begin(), v.end()) - v.begin();
    v.resize(static_cast<std::size_t>(exact));
    const double tol = 1e-3 * period / static_cast<double>(exact);
    Axis axis;
    axis.origin = v.front();
    long long distinct = 1;
    for (std::size_t r = 1; r < v.size(); ++r)
        if (v[r] - v[r - 1] > tol) ++distinct;
    axis.far_edge = distinct > 1 && std::abs(v.back() - (axis.origin + period)) <= tol;
    axis.n = axis.far_edge ? distinct - 1 : distinct;
    axis.spacing = period / static_cast<double>(axis.n);
    return axis;
}

std::vector<Row> read_rows(const std::string& path, const Field& field) {
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(path, ec);
    if (ec) throw InputError(fmt::format("{}: cannot read the {} ({})", path, field.name, ec.message()));
    constexpr std::uintmax_t kMaxBytes = 256ULL << 20;  // 2^20 rows of 17-digit numbers, and comments
    if (bytes > kMaxBytes)
        throw InputError(fmt::format("{}: {} bytes; a {} may have at most {} (and {} grid points)", path, bytes, field.name,
                                     kMaxBytes, kMaxTablePoints));
    std::ifstream in(path);
    if (!in) throw InputError(fmt::format("{}: cannot open the {}", path, field.name));
    const int numbers = 2 + field.components;
    std::vector<Row> rows;
    std::string text;
    for (long long line = 1; std::getline(in, text); ++line) {
        text = text.substr(0, text.find('#'));
        std::replace(text.begin(), text.end(), ',', ' ');
        std::istringstream fields(text);
        double v[6];
        int count = 0;
        std::string word;
        while (fields >> word) {
            if (count == numbers) {
                ++count;
                break;
            }
            std::size_t used = 0;
            try {
                v[count] = std::stod(word, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != word.size() || !std::isfinite(v[count]))
                throw InputError(fmt::format("{}:{}: '{}' is not a finite number (rows are {})", path, line, word, field.columns));
            ++count;
        }
        if (count == 0) continue;
        if (count != numbers)
            throw InputError(fmt::format("{}:{}: a row needs {} numbers, {} (with # comments)", path, line,
                                         numbers == 5 ? "five" : "three", field.columns));
        if (static_cast<long long>(rows.size()) >= 2 * kMaxTablePoints)
            throw InputError(fmt::format("{}:{}: more rows than a table of at most {} grid points may have", path, line,
                                         kMaxTablePoints));
        Row row{{v[0], v[1]}, {0.0, 0.0, 0.0}, line};
        std::copy(v + 2, v + numbers, row.v);
        if (field.unit) {
            const double norm = std::sqrt(v[2] * v[2] + v[3] * v[3] + v[4] * v[4]);
            if (!(std::abs(norm - 1.0) <= kTableNormTolerance))
                throw InputError(fmt::format("{}:{}: |m| = {:.6g}; a texture's m is a unit vector (to {:g})", path, line, norm,
                                             kTableNormTolerance));
            for (double& c : row.v) c /= norm;
        }
        rows.push_back(row);
    }
    if (rows.empty()) throw InputError(fmt::format("{}: the {} has no rows ({})", path, field.name, field.columns));
    return rows;
}

// The spline through a table's rows, and the line each grid point came from.
template <int C>
struct Fitted {
    std::shared_ptr<GridTable<C>> table;
    std::vector<long long> line_of;
};

// The grid, the rows on it and the spline through them; InputErrors name the file (and line).
template <int C>
Fitted<C> fit_table(const std::string& path, const std::array<double, 2>& period, const Field& field) {
    const std::vector<Row> rows = read_rows(path, field);
    const Axis axes[2] = {grid_axis(rows, 0, period[0]), grid_axis(rows, 1, period[1])};
    const long long n0 = axes[0].n, n1 = axes[1].n;
    if (n0 * n1 > kMaxTablePoints)
        throw InputError(fmt::format("{}: a grid of {} × {} points; at most {}", path, n0, n1, kMaxTablePoints));
    for (int a = 0; a < 2; ++a)
        if (axes[a].n == 2 || axes[a].n == 3)
            throw InputError(fmt::format("{}: {} points along {}; a field that varies along an axis needs at least 4 "
                                         "(1 if it does not vary)",
                                         path, axes[a].n, a == 0 ? "x" : "y"));

    Fitted<C> fitted{std::make_shared<GridTable<C>>(), std::vector<long long>(static_cast<std::size_t>(n0 * n1), 0)};
    GridTable<C>& table = *fitted.table;
    std::vector<long long>& line_of = fitted.line_of;
    table.rows = static_cast<long long>(rows.size());
    std::vector<double>& c = table.coefficients;
    c.assign(static_cast<std::size_t>(C * n0 * n1), 0.0);
    std::vector<const Row*> edge;  // rows on the far edge, checked against the near one below
    double largest = 0.0;          // the largest |value|, the scale of the far edge's check
    for (const Row& row : rows) {
        long long index[2];
        for (int a = 0; a < 2; ++a) {
            const double u = (row.x[a] - axes[a].origin) / axes[a].spacing;
            index[a] = std::llround(u);
            if (index[a] < 0 || index[a] > axes[a].n || (index[a] == axes[a].n && !axes[a].far_edge))
                throw InputError(fmt::format("{}:{}: {} = {:.10g} lies outside the cell [{:.10g}, {:.10g}] of the period {:g}", path,
                                             row.line, a == 0 ? "x" : "y", row.x[a], axes[a].origin,
                                             axes[a].origin + period[a], period[a]));
            if (std::abs(u - static_cast<double>(index[a])) > 1e-4)
                throw InputError(fmt::format("{}:{}: {} = {:.10g} is not on the grid {:.10g} + i·{:.10g} (the period {:g} over "
                                             "{} points)",
                                             path, row.line, a == 0 ? "x" : "y", row.x[a], axes[a].origin, axes[a].spacing,
                                             period[a], axes[a].n));
        }
        for (int k = 0; k < C; ++k) largest = std::max(largest, std::abs(row.v[k]));
        if (index[0] == n0 || index[1] == n1) {
            edge.push_back(&row);
            continue;
        }
        const long long p = index[1] * n0 + index[0];
        if (line_of[p])
            throw InputError(fmt::format("{}:{}: the grid point (x, y) = ({:g}, {:g}) was given already at line {}", path,
                                         row.line, row.x[0], row.x[1], line_of[p]));
        line_of[p] = row.line;
        std::copy(row.v, row.v + C, c.begin() + C * p);
    }
    for (long long p = 0; p < n0 * n1; ++p)
        if (!line_of[p])
            throw InputError(fmt::format("{}: no row for the grid point (x, y) = ({:.10g}, {:.10g}); the table needs all {} × {} "
                                         "points of the cell",
                                         path, axes[0].origin + (p % n0) * axes[0].spacing,
                                         axes[1].origin + (p / n0) * axes[1].spacing, n0, n1));
    for (const Row* row : edge) {  // x₀ + L is x₀: the row must say what the near edge says
        long long index[2];
        for (int a = 0; a < 2; ++a) index[a] = std::llround((row->x[a] - axes[a].origin) / axes[a].spacing) % axes[a].n;
        const double* near = &c[C * (index[1] * n0 + index[0])];
        double diff = 0.0;
        for (int k = 0; k < C; ++k) diff += std::abs(near[k] - row->v[k]);
        if (diff > 1e-6 * largest)
            throw InputError(fmt::format("{}:{}: this row lies on the cell's far edge, the period {:g} × {:g} away from line {}, "
                                         "and must repeat its {} (it differs by {:.3g})",
                                         path, row->line, period[0], period[1], line_of[index[1] * n0 + index[0]],
                                         field.unit ? "m" : "U", diff));
    }

    for (long long j = 0; j < n1; ++j)
        for (int k = 0; k < C; ++k) periodic_spline_coefficients(&c[C * j * n0 + k], n0, C);
    for (long long i = 0; i < n0; ++i)
        for (int k = 0; k < C; ++k) periodic_spline_coefficients(&c[C * i + k], n1, C * n0);
    PeriodicSpline<C>& s = table.spline;
    for (int a = 0; a < 2; ++a) {
        s.n[a] = static_cast<int>(axes[a].n);
        s.origin[a] = axes[a].origin;
        s.spacing[a] = axes[a].spacing;
    }
    s.coeff = c.data();
    return fitted;
}

// Between the grid points of a texture: the interpolant's |s| at each cell's edge midpoints and
// centre must stay at least kTableMinNorm.
void require_resolved(const std::string& path, const Fitted<3>& fitted) {
    const PeriodicSpline<3>& s = fitted.table->spline;
    for (long long j = 0; j < s.n[1]; ++j)
        for (long long i = 0; i < s.n[0]; ++i)
            for (const auto& [fx, fy] : {std::pair{0.5, 0.0}, std::pair{0.0, 0.5}, std::pair{0.5, 0.5}}) {
                const double x = s.origin[0] + (i + fx) * s.spacing[0], y = s.origin[1] + (j + fy) * s.spacing[1];
                double v[3], dv[2][3];
                s(x, y, v, dv);
                const double norm = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
                if (!(norm >= kTableMinNorm))
                    throw InputError(fmt::format(
                        "{}: between the grid point at line {} and its neighbours (at (x, y) = ({:g}, {:g})) the "
                        "interpolated m has |m| = {:.3g} before normalising: neighbouring rows point nearly opposite "
                        "ways, and the table does not resolve the texture (give it on a finer grid)",
                        path, fitted.line_of[j * s.n[0] + i], x, y, norm));
            }
}

}  // namespace

std::shared_ptr<const TextureTable> read_texture_table(const std::string& path, const std::array<double, 2>& period,
                                                       const std::string& where) {
    try {
        const Fitted<3> fitted = fit_table<3>(path, period, kTextureField);
        require_resolved(path, fitted);
        return fitted.table;
    } catch (const InputError& e) {
        throw InputError(fmt::format("{} (the table of {})", e.what(), where));
    }
}

std::shared_ptr<const PotentialTable> read_potential_table(const std::string& path, const std::array<double, 2>& period,
                                                           const std::string& where) {
    try {
        return fit_table<1>(path, period, kPotentialField).table;
    } catch (const InputError& e) {
        throw InputError(fmt::format("{} (the table of {})", e.what(), where));
    }
}

}  // namespace bzint
