#include "point_group.hpp"

#include <cmath>
#include <map>

namespace bzint {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kMaxGroupOrder = 96;  // O_h × {1, θ}: no magnetic point group is larger

// A right-handed rotation by 2π/n about Cartesian axis a (0: x, 1: y, 2: z), times `sign`
// (−1: that rotation followed by inversion).
PointOp axis_op(const char* name, int a, int n, double sign) {
    PointOp op{};
    op.name = name;
    op.time_reversal = false;
    const double c = std::cos(2.0 * kPi / n), s = std::sin(2.0 * kPi / n);
    const int b = (a + 1) % 3, d = (a + 2) % 3;
    op.R[a][a] = 1.0;
    op.R[b][b] = c;
    op.R[d][d] = c;
    op.R[b][d] = -s;
    op.R[d][b] = s;
    for (auto& row : op.R)
        for (double& x : row) {
            if (std::fabs(x) < 1e-15) x = 0.0;  // exact zeros for C2 and C4 (cos π/2 is 6e-17)
            x *= sign;
        }
    return op;
}

const std::map<std::string, PointOp>& named_ops() {
    static const std::map<std::string, PointOp> ops = [] {
        std::map<std::string, PointOp> m;
        m["Identity"] = axis_op("Identity", 2, 1, 1.0);
        m["Inversion"] = axis_op("Inversion", 2, 1, -1.0);
        PointOp t = axis_op("TimeReversal", 2, 1, 1.0);
        t.time_reversal = true;
        m["TimeReversal"] = t;
        // A mirror normal to a is the 2-fold rotation about a followed by inversion.
        m["Mx"] = axis_op("Mx", 0, 2, -1.0);
        m["My"] = axis_op("My", 1, 2, -1.0);
        m["Mz"] = axis_op("Mz", 2, 2, -1.0);
        m["C2x"] = axis_op("C2x", 0, 2, 1.0);
        m["C2y"] = axis_op("C2y", 1, 2, 1.0);
        m["C2z"] = axis_op("C2z", 2, 2, 1.0);
        m["C3z"] = axis_op("C3z", 2, 3, 1.0);
        m["C4x"] = axis_op("C4x", 0, 4, 1.0);
        m["C4y"] = axis_op("C4y", 1, 4, 1.0);
        m["C4z"] = axis_op("C4z", 2, 4, 1.0);
        m["C6z"] = axis_op("C6z", 2, 6, 1.0);
        return m;
    }();
    return ops;
}

}  // namespace

double PointOp::det() const {
    return R[0][0] * (R[1][1] * R[2][2] - R[1][2] * R[2][1]) - R[0][1] * (R[1][0] * R[2][2] - R[1][2] * R[2][0]) +
           R[0][2] * (R[1][0] * R[2][1] - R[1][1] * R[2][0]);
}

const std::vector<std::string>& point_op_names() {
    static const std::vector<std::string> names{"Identity", "Inversion", "TimeReversal", "Mx", "My",  "Mz",  "C2x",
                                                "C2y",      "C2z",       "C3z",          "C4x", "C4y", "C4z", "C6z"};
    return names;
}

PointOp compose(const PointOp& a, const PointOp& b) {
    PointOp c{};
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            for (int l = 0; l < 3; ++l) c.R[i][j] += a.R[i][l] * b.R[l][j];
    c.time_reversal = a.time_reversal != b.time_reversal;
    c.name = a.name == "Identity" ? b.name : b.name == "Identity" ? a.name : a.name + "*" + b.name;
    return c;
}

bool same_op(const PointOp& a, const PointOp& b) {
    if (a.time_reversal != b.time_reversal) return false;
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            if (std::fabs(a.R[i][j] - b.R[i][j]) > 1e-9) return false;
    return true;
}

bool parse_point_op(const std::string& text, PointOp& op, std::string& unknown) {
    op = named_ops().at("Identity");
    std::size_t from = 0;
    std::vector<PointOp> factors;
    while (true) {
        const std::size_t star = text.find('*', from);
        const std::string part = text.substr(from, star == std::string::npos ? std::string::npos : star - from);
        const auto it = named_ops().find(part);
        if (it == named_ops().end()) {
            unknown = part;
            return false;
        }
        factors.push_back(it->second);
        if (star == std::string::npos) break;
        from = star + 1;
    }
    for (auto f = factors.rbegin(); f != factors.rend(); ++f) op = compose(*f, op);  // "A*B": A after B
    op.name = text;
    return true;
}

std::vector<PointOp> generate_group(const std::vector<PointOp>& generators) {
    std::vector<PointOp> group{named_ops().at("Identity")};
    auto add = [&](const PointOp& g) {
        for (const PointOp& h : group)
            if (same_op(g, h)) return;
        group.push_back(g);
    };
    for (const PointOp& g : generators) add(g);
    // Closure: every product of two elements, until no new one appears.
    for (std::size_t i = 0; i < group.size(); ++i)
        for (std::size_t j = 0; j <= i; ++j) {
            add(compose(group[i], group[j]));
            add(compose(group[j], group[i]));
            if (group.size() > kMaxGroupOrder) return {};
        }
    return group;
}

bool reduced_matrix(const PointOp& g, const double bravais[3][3], const double reciprocal[3][3], int M[3][3]) {
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) {
            double RG[3] = {0.0, 0.0, 0.0};
            for (int a = 0; a < 3; ++a)
                for (int b = 0; b < 3; ++b) RG[a] += g.R[a][b] * reciprocal[j][b];
            const double m = g.k_sign() * (bravais[i][0] * RG[0] + bravais[i][1] * RG[1] + bravais[i][2] * RG[2]) / (2.0 * kPi);
            const double r = std::round(m);
            if (std::fabs(m - r) > 1e-6) return false;
            M[i][j] = static_cast<int>(r);
        }
    return true;
}

}  // namespace bzint
