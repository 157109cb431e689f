// The bottom of a band's pocket about k_0 (pocket_bottom.hpp).
#include "pocket_bottom.hpp"

#include <fmt/core.h>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

namespace bzint {

namespace {

constexpr int kMostDescentSteps = 200;
constexpr double kEpsilon = std::numeric_limits<double>::epsilon();

// Over all three components; in the plane (dim 2) k_z's gradient is 0 and its Hessian row and column
// the identity's, so no step moves it.
using Vector = Eigen::Vector3d;
using Matrix = Eigen::Matrix3d;
using Energy = std::function<double(const Momentum&)>;

Momentum shifted(Momentum k, const Vector& s) {
    for (int i = 0; i < 3; ++i) k[i] += s(i);
    return k;
}

Momentum shifted(Momentum k, int i, double by) {
    k[i] += by;
    return k;
}

// The central differences' gradient at step h.
Vector gradient(const Momentum& k, int dim, double h, const Energy& energy) {
    Vector g = Vector::Zero();
    for (int i = 0; i < dim; ++i) g(i) = (energy(shifted(k, i, h)) - energy(shifted(k, i, -h))) / (2 * h);
    return g;
}

// ε̄'s central differences at k (step h): gradient, Hessian, the largest |ε̄| met (for the
// rounding), or the first point where ε̄ is not finite.
struct Differences {
    Vector g;
    Matrix hessian;
    double largest = 0.0;
    std::optional<Momentum> not_finite;
};
Differences differences(const Momentum& k, int dim, double h, const Energy& energy) {
    Differences d;
    d.g = Vector::Zero();
    d.hessian = Matrix::Identity();
    auto at = [&](const Momentum& q) {
        const double e = energy(q);
        if (!std::isfinite(e) && !d.not_finite) d.not_finite = q;
        d.largest = std::max(d.largest, std::fabs(e));
        return e;
    };
    const double centre = at(k);
    for (int i = 0; i < dim; ++i) {
        const double up = at(shifted(k, i, h)), down = at(shifted(k, i, -h));
        d.g(i) = (up - down) / (2 * h);
        d.hessian(i, i) = (up - 2 * centre + down) / (h * h);
        for (int j = 0; j < i; ++j) {
            auto corner = [&](double a, double b) { return at(shifted(shifted(k, i, a * h), j, b * h)); };
            d.hessian(i, j) = d.hessian(j, i) = (corner(1, 1) - corner(1, -1) - corner(-1, 1) + corner(-1, -1)) / (4 * h * h);
        }
    }
    return d;
}

// The descent's end k (energy e, the differences' gradient g_h and Hessian at h, `error` the
// energy's estimate so far) as the minimum. The central differences' gradient at h vanishes there,
// but the true one is that less its bias h² ∂³ε/6: the minimum lies up to h² ε‴/6ε″ away. One
// Newton step on the Richardson gradient (4 g_h − g_2h)/3 (bias O(h⁴)) moves there; its length is
// the momentum's estimate, and ½ sᵀHs joins the energy's. Each component below the momentum's
// resolution (its estimate, at least 1e-10 scale) is read as 0.
PocketBottom corrected(Momentum k, int dim, double e, const Vector& g_h, const Eigen::LLT<Matrix>& hessian, double h, double scale,
                       double error, const Energy& energy) {
    const Vector g = (4 * g_h - gradient(k, dim, 2 * h, energy)) / 3;
    const Vector s = -hessian.solve(g);
    PocketBottom out;
    out.found = true;
    out.energy = e;
    out.error = error;
    if (s.allFinite()) {
        const double moved = energy(shifted(k, s));
        if (std::isfinite(moved) && moved <= e) {
            k = shifted(k, s);
            out.energy = moved;
        }
        out.error += 0.5 * std::fabs(s.dot(g));  // ½ sᵀHs, s = −H⁻¹g
        out.k_error = s.norm();
    }
    const double resolution = std::max(out.k_error, 1e-10 * scale);
    for (int i = 0; i < dim; ++i)
        if (std::fabs(k[i]) < resolution) k[i] = 0.0;
    out.k = k;
    return out;
}

// The star of directions a cone's tip is checked along: 8 in the plane; in space the 6 axes' and
// the 8 cube diagonals'; and the steepest descent of a tilted cone ε_0 + v|q| + τ·q, −τ̂, with τ
// the odd part of ε̄ along the axes, (ε̄(ρ ê_a) − ε̄(−ρ ê_a))/2ρ (exact for a tilted cone: its
// curvature is even). Without it a cone tilted over (type II, |τ| > v, no bottom) could rise along
// every direction of the star, which leaves gaps of up to 36° in space (22.5° in the plane).
std::vector<Momentum> tip_directions(const Momentum& k0, int dim, double rho, const Energy& energy) {
    Momentum tilt{};
    for (int a = 0; a < dim; ++a) tilt[a] = (energy(shifted(k0, a, rho)) - energy(shifted(k0, a, -rho))) / (2 * rho);
    const double size = std::hypot(tilt[0], tilt[1], tilt[2]);
    std::vector<Momentum> out;
    if (size > 0.0) out.push_back({0.0 - tilt[0] / size, 0.0 - tilt[1] / size, 0.0 - tilt[2] / size});  // (no −0)
    if (dim == 2) {
        for (int j = 0; j < 8; ++j) {
            const double a = 2.0 * std::acos(-1.0) * j / 8;
            out.push_back({std::cos(a), std::sin(a), 0.0});
        }
        return out;
    }
    for (int i = 0; i < 3; ++i)
        for (double sign : {1.0, -1.0}) {
            Momentum d{};
            d[i] = sign;
            out.push_back(d);
        }
    const double c = 1 / std::sqrt(3.0);
    for (int j = 0; j < 8; ++j) out.push_back({j & 1 ? -c : c, j & 2 ? -c : c, j & 4 ? -c : c});
    return out;
}

// k_0 at a touching: the tip of a cone where ε̄ rises along every direction from it.
PocketBottom cone_tip(const Momentum& k0, int dim, double scale, const Energy& energy) {
    PocketBottom out;
    out.k = k0;
    out.tip = true;
    const double rho = 1e-6 * scale;
    double lowest = std::numeric_limits<double>::infinity(), highest = -lowest, largest = 0.0, curvature = 0.0;
    for (const Momentum& d : tip_directions(k0, dim, rho, energy)) {
        auto at = [&](double r) { return energy({k0[0] + r * d[0], k0[1] + r * d[1], k0[2] + r * d[2]}); };
        const double near = at(rho), far = at(2 * rho), farther = at(4 * rho);
        if (!std::isfinite(near) || !std::isfinite(far) || !std::isfinite(farther)) {
            out.reason = fmt::format("the band is not finite at k_0 {} nor next to it (at {:.3g} 1/L along {}): not isolated there",
                                     momentum_text(k0, dim, 6), rho, momentum_text(d, dim, 6));
            return out;
        }
        if (!(far > near)) {
            out.reason = fmt::format("the band is not finite at k_0 {} (a touching), and does not rise from it along {}: k_0 is "
                                     "no cone's tip, the bottom of its pocket",
                                     momentum_text(k0, dim, 6), momentum_text(d, dim, 6));
            return out;
        }
        // ε̄(ρ) = ε_0 + vρ + cρ²: exact for a cone, its bias −2cρ² the change from the pair 2ρ, 4ρ (−8cρ²).
        const double tip = 2 * near - far, bias = std::fabs(tip - (2 * far - farther));
        lowest = std::min(lowest, tip);
        highest = std::max(highest, tip);
        largest = std::max(largest, std::fabs(farther));
        curvature = std::max(curvature, bias);
    }
    out.found = true;
    out.energy = 0.5 * (lowest + highest);
    out.error = 0.5 * (highest - lowest) + curvature + 8 * kEpsilon * largest;
    return out;
}

}  // namespace

PocketBottom pocket_bottom(Momentum k0, int dim, double scale, const Energy& energy) {
    double e = energy(k0);
    if (!std::isfinite(e)) return cone_tip(k0, dim, scale, energy);
    PocketBottom out;
    Momentum k = k0;
    const double h = 1e-4 * scale, longest = 0.25 * scale;
    for (int step = 0; step < kMostDescentSteps; ++step) {
        const Differences d = differences(k, dim, h, energy);
        if (d.not_finite) {
            out.reason = fmt::format("the descent from k_0 reached k = {}, where the band is not finite (not isolated)",
                                     momentum_text(*d.not_finite, dim, 6));
            return out;
        }
        const Eigen::LLT<Matrix> hessian(d.hessian);
        const bool convex = hessian.info() == Eigen::Success;
        Vector s;
        if (convex) {
            s = -hessian.solve(d.g);
        } else {
            const double slope = d.g.norm();
            if (!(slope > 0.0)) {
                out.reason = fmt::format("the descent from k_0 ended at k = {}, where the band is flat but not a minimum (a saddle "
                                         "or a maximum)",
                                         momentum_text(k, dim, 6));
                return out;
            }
            s = -longest * d.g / slope;
        }
        const double length = s.norm();
        if (length > longest) s *= longest / length;
        // What the Newton step would still gain, and the rounding of the energies.
        const double left = convex ? 0.5 * std::fabs(d.g.dot(s)) : 0.0, rounding = 4 * kEpsilon * d.largest;
        if (convex && length < 1e-10 * scale) return corrected(k, dim, e, d.g, hessian, h, scale, left + rounding, energy);
        bool fell = false;
        for (int halving = 0; halving < 60 && !fell; ++halving) {
            const double trial = energy(shifted(k, s));
            if (std::isfinite(trial) && trial < e) {
                k = shifted(k, s);
                e = trial;
                fell = true;
            } else {
                s *= 0.5;
            }
        }
        if (!fell) {
            if (convex) return corrected(k, dim, e, d.g, hessian, h, scale, left + rounding, energy);  // at the energies' rounding
            out.reason = fmt::format("the descent from k_0 stalled at k = {}, where the band is not convex", momentum_text(k, dim, 6));
            return out;
        }
    }
    out.reason = fmt::format("the descent from k_0 took more than {} steps (it ended at k = {})", kMostDescentSteps, momentum_text(k, dim, 6));
    return out;
}

}  // namespace bzint
