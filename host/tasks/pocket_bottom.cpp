// The bottom of a band's pocket about k_0 (pocket_bottom.hpp).
#include "pocket_bottom.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace bzint {

namespace {

constexpr int kMostDescentSteps = 200;
constexpr int kTipDirections = 8;
constexpr double kEpsilon = std::numeric_limits<double>::epsilon();

// The descent's end k (energy e, Hessian {xx, xy, yy} by differences at h, `error` the energy's
// estimate so far) as the minimum. The central differences' gradient at h vanishes there, but the
// true one is that less its bias h² ∂³ε/6: the minimum lies up to h² ε‴/6ε″ away. One Newton step
// on the Richardson gradient (4 g_h − g_2h)/3 (bias O(h⁴)) moves there; its length is the
// momentum's estimate, and ½ sᵀHs joins the energy's. Each component below the momentum's
// resolution (its estimate, at least 1e-10 scale) is read as 0.
PocketBottom corrected(std::array<double, 2> k, double e, std::array<double, 3> hessian, double h, double scale, double error,
                       const std::function<double(std::array<double, 2>)>& energy) {
    auto gradient = [&](double step) {
        return std::array<double, 2>{(energy({k[0] + step, k[1]}) - energy({k[0] - step, k[1]})) / (2 * step),
                                     (energy({k[0], k[1] + step}) - energy({k[0], k[1] - step})) / (2 * step)};
    };
    const std::array<double, 2> fine = gradient(h), coarse = gradient(2 * h);
    const double g[2] = {(4 * fine[0] - coarse[0]) / 3, (4 * fine[1] - coarse[1]) / 3};
    const auto [xx, xy, yy] = hessian;
    const double det = xx * yy - xy * xy;
    std::array<double, 2> s = {-(yy * g[0] - xy * g[1]) / det, -(xx * g[1] - xy * g[0]) / det};
    PocketBottom out;
    out.found = true;
    out.energy = e;
    out.error = error;
    if (std::isfinite(s[0]) && std::isfinite(s[1])) {
        const double moved = energy({k[0] + s[0], k[1] + s[1]});
        if (std::isfinite(moved) && moved <= e) {
            k = {k[0] + s[0], k[1] + s[1]};
            out.energy = moved;
        }
        out.error += 0.5 * std::fabs(s[0] * (xx * s[0] + xy * s[1]) + s[1] * (xy * s[0] + yy * s[1]));
        out.k_error = std::hypot(s[0], s[1]);
    }
    const double resolution = std::max(out.k_error, 1e-10 * scale);
    for (double& c : k)
        if (std::fabs(c) < resolution) c = 0.0;
    out.k = k;
    return out;
}

// k_0 at a touching: the tip of a cone where ε̄ rises along every direction from it.
PocketBottom cone_tip(std::array<double, 2> k0, double scale, const std::function<double(std::array<double, 2>)>& energy) {
    PocketBottom out;
    out.k = k0;
    out.tip = true;
    const double rho = 1e-6 * scale;
    double lowest = std::numeric_limits<double>::infinity(), highest = -lowest, largest = 0.0, curvature = 0.0;
    for (int j = 0; j < kTipDirections; ++j) {
        const double a = 2.0 * std::acos(-1.0) * j / kTipDirections, c = std::cos(a), s = std::sin(a);
        const double near = energy({k0[0] + rho * c, k0[1] + rho * s}), far = energy({k0[0] + 2 * rho * c, k0[1] + 2 * rho * s});
        const double farther = energy({k0[0] + 4 * rho * c, k0[1] + 4 * rho * s});
        if (!std::isfinite(near) || !std::isfinite(far) || !std::isfinite(farther)) {
            out.reason = fmt::format("the band is not finite at k_0 ({:g}, {:g}) nor next to it (at {:.3g} 1/L along {:.4g} rad): "
                                     "not isolated there",
                                     k0[0], k0[1], rho, a);
            return out;
        }
        if (!(far > near)) {
            out.reason = fmt::format("the band is not finite at k_0 ({:g}, {:g}) (a touching), and does not rise from it along "
                                     "{:.4g} rad: k_0 is no cone's tip, the bottom of its pocket",
                                     k0[0], k0[1], a);
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

PocketBottom pocket_bottom(std::array<double, 2> k0, double scale, const std::function<double(std::array<double, 2>)>& energy) {
    double e = energy(k0);
    if (!std::isfinite(e)) return cone_tip(k0, scale, energy);
    PocketBottom out;
    std::array<double, 2> k = k0;
    const double h = 1e-4 * scale, longest = 0.25 * scale;
    for (int step = 0; step < kMostDescentSteps; ++step) {
        double f[3][3];  // ε̄(k + (i − 1) h x̂ + (j − 1) h ŷ)
        double largest = 0.0;
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) {
                f[i][j] = energy({k[0] + (i - 1) * h, k[1] + (j - 1) * h});
                if (!std::isfinite(f[i][j])) {
                    out.reason = fmt::format("the descent from k_0 reached k = ({:g}, {:g}), where the band is not finite (not "
                                             "isolated)",
                                             k[0] + (i - 1) * h, k[1] + (j - 1) * h);
                    return out;
                }
                largest = std::max(largest, std::fabs(f[i][j]));
            }
        const double g[2] = {(f[2][1] - f[0][1]) / (2 * h), (f[1][2] - f[1][0]) / (2 * h)};
        const double hxx = (f[2][1] - 2 * f[1][1] + f[0][1]) / (h * h), hyy = (f[1][2] - 2 * f[1][1] + f[1][0]) / (h * h);
        const double hxy = (f[2][2] - f[2][0] - f[0][2] + f[0][0]) / (4 * h * h), det = hxx * hyy - hxy * hxy;
        const bool convex = hxx > 0.0 && det > 0.0;
        std::array<double, 2> s;
        if (convex) {
            s = {-(hyy * g[0] - hxy * g[1]) / det, -(hxx * g[1] - hxy * g[0]) / det};
        } else {
            const double slope = std::hypot(g[0], g[1]);
            if (!(slope > 0.0)) {
                out.reason = fmt::format("the descent from k_0 ended at k = ({:g}, {:g}), where the band is flat but not a "
                                         "minimum (a saddle or a maximum)",
                                         k[0], k[1]);
                return out;
            }
            s = {-longest * g[0] / slope, -longest * g[1] / slope};
        }
        const double length = std::hypot(s[0], s[1]);
        if (length > longest) s = {s[0] * longest / length, s[1] * longest / length};
        // What the Newton step would still gain, and the rounding of the energies.
        const double left = convex ? 0.5 * std::fabs(g[0] * s[0] + g[1] * s[1]) : 0.0, rounding = 4 * kEpsilon * largest;
        if (convex && length < 1e-10 * scale) return corrected(k, e, {hxx, hxy, hyy}, h, scale, left + rounding, energy);
        bool fell = false;
        for (int halving = 0; halving < 60 && !fell; ++halving) {
            const double trial = energy({k[0] + s[0], k[1] + s[1]});
            if (std::isfinite(trial) && trial < e) {
                k = {k[0] + s[0], k[1] + s[1]};
                e = trial;
                fell = true;
            } else {
                s = {0.5 * s[0], 0.5 * s[1]};
            }
        }
        if (!fell) {
            if (convex) {  // at the energies' rounding: the minimum within it
                return corrected(k, e, {hxx, hxy, hyy}, h, scale, left + rounding, energy);
            } else {
                out.reason = fmt::format("the descent from k_0 stalled at k = ({:g}, {:g}), where the band is not convex", k[0], k[1]);
            }
            return out;
        }
    }
    out.reason = fmt::format("the descent from k_0 took more than {} steps (it ended at k = ({:g}, {:g}))", kMostDescentSteps, k[0], k[1]);
    return out;
}

}  // namespace bzint
