// A beam of wave packets at one energy and its 2D scattering cross-sections (packet_beam.hpp).
#include "packet_beam.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "../model_registry.hpp"
#include "../run_file.hpp"
#include "../stop.hpp"
#include "../texture_input.hpp"
#include "bzint/phase_space.hpp"
#include "task_common.hpp"

namespace bzint {

namespace {

Section beam_section(const TaskContext& ctx) { return Section(ctx.file, ctx.task.node("beam")->as_table(), "task.beam", ctx.cfg.task); }

// How far along the ray the scan looks: twice the longest reciprocal basis vector of a lattice
// (every band value a straight line through the zone meets within one period along a lattice
// direction, and most within two), |k| ≤ 10^6 on a continuum (by doubling from 1/L).
double lattice_reach(const ModelInfo& info) {
    double G[3][3];
    reciprocal_basis(info.bravais, G);
    double longest = 0.0;
    for (int i = 0; i < info.dim; ++i) longest = std::max(longest, std::sqrt(G[i][0] * G[i][0] + G[i][1] * G[i][1] + G[i][2] * G[i][2]));
    return 2.0 * longest;
}

constexpr int kScanPoints = 512;        // per scanned stretch of the ray
constexpr double kContinuumReach = 1e6;  // 1/L, [task] k's own range

}  // namespace

std::optional<PacketBeam> read_beam(const TaskContext& ctx) {
    const Section& task = ctx.task;
    if (!task.has("beam")) return std::nullopt;
    if (!task.node("beam")->as_table())
        task.fail("beam", "must be a table {energy, direction, centre, width, packets, refine, directions, target, temperature, "
                          "energies, slices}");
    const ModelInfo& info = *ctx.cfg.model;
    if (info.dim < 2) task.fail("beam", "a beam needs a 2D or 3D model: its packets are deflected in the xy plane");
    if (task.has("r")) task.fail("r", "a beam places its packets itself, across [task] beam's centre; leave out r");
    const Section sec = beam_section(ctx);
    sec.only();
    PacketBeam b;
    b.energy = sec.number("energy");
    const std::vector<double> d = sec.numbers("direction", 2);
    if (d.size() != 2) sec.fail("direction", "give [dx, dy]: the beam's heading in the xy plane");
    const double norm = std::hypot(d[0], d[1]);
    if (!(norm > 0.0)) sec.fail("direction", "must not be zero");
    b.direction = {d[0] / norm, d[1] / norm};
    const std::vector<double> c = sec.numbers("centre", 3);
    if (c.size() < 2) sec.fail("centre", "give [x, y] or [x, y, z]");
    b.centre = {c[0], c[1], c.size() == 3 ? c[2] : 0.0};
    b.width = sec.number("width");
    const long long packets = sec.integer("packets", 65);
    if (packets % 2 == 0)
        sec.fail("packets", fmt::format("must be odd (the trapezoid rule over every other packet, its error estimate, needs "
                                        "the end packets); got {}",
                                        packets));
    b.packets = static_cast<int>(packets);
    b.refine = static_cast<int>(sec.integer("refine", 10));
    // The average over D directions is exact for σ(φ)'s harmonics cos mφ with m not a multiple of D;
    // its estimate, the change from every other direction, sees the harmonic D/2. A scatterer with
    // n-fold symmetry has only harmonics that are multiples of n: where n divides D but not D/2 the
    // estimate is blind (n = 2, every centrosymmetric scatterer, at D = 2, 6, 10, …). With D a power of
    // two that happens only at n = D, so D ≥ 8 leaves it to 8-fold scatterers and above.
    const long long directions = sec.integer("directions", 1);
    if (directions != 1 && (directions < 8 || (directions & (directions - 1)) != 0))
        sec.fail("directions", fmt::format("must be 1 or a power of two, at least 8 (the change from every other direction, the "
                                           "average's estimate, is blind to a scatterer with n-fold symmetry where n divides D but "
                                           "not D/2, e.g. any centrosymmetric one at D = 2 or 6); got {}",
                                           directions));
    b.directions = static_cast<int>(directions);
    if (b.directions > 1) {
        if (!sec.has("target"))
            sec.fail("target", "missing: with directions > 1, give [x, y], the point the beam's directions turn about (the "
                               "scatterer's centre)");
        const std::vector<double> t = sec.numbers("target", 2);
        if (t.size() != 2) sec.fail("target", "give [x, y]: the point the beam's directions turn about (the scatterer's centre)");
        b.target = {t[0], t[1]};
    } else if (sec.has("target")) {
        sec.fail("target", "only with directions > 1: the point the beam's directions turn about");
    }
    // A 3D model's pocket: its transport sums the Boltzmann transport of its k_z slices (tubes
    // along z conserve k_z), the trapezoid rule over N intervals and over N/2 its estimate.
    if (sec.has("slices")) {
        if (info.dim != 3)
            sec.fail("slices", "only for a 3D model: the k_z slices of its pocket, whose transport sums to the 3D one");
        const long long n = sec.integer("slices", 0);
        if (n < 4 || (n & (n - 1)) != 0)
            sec.fail("slices", fmt::format("must be a power of two, at least 4 (the rule over every other slice is the sum's "
                                           "estimate); got {}",
                                           n));
        b.slices = static_cast<int>(n);
    }
    b.temperature = sec.number("temperature", 0.0);
    if (b.temperature > 0.0) {
        if (info.dim != 2 && b.slices == 0)
            sec.fail("temperature", "the transport at T > 0 of a 3D model is its pocket's, summed over its k_z slices: give "
                                    "slices = N (tubes along z), or leave out temperature");
        // The rule over every other energy (spacing 2h) must span the same window, with μ in it.
        const long long n = sec.integer("energies", 21);
        if (n % 4 != 1)
            sec.fail("energies", fmt::format("must be 4m + 1 (9, 13, …, 21, …): the rule over every other energy, the thermal "
                                             "average's estimate, needs the window's ends and its middle; got {}",
                                             n));
        b.energies = static_cast<int>(n);
    } else if (sec.has("energies")) {
        sec.fail("energies", "only with temperature > 0: the number of energies of the thermal average");
    }
    // k, one point (reduced on lattices), is the ray's origin; r is refused above, so the point's
    // position is the default one.
    const std::array<double, 6> origin = read_phase_points(ctx, 1).front();
    b.ray_origin = {origin[3], origin[4], origin[5]};
    return b;
}

PacketBeam PacketBeam::turned(int j) const {
    PacketBeam b = *this;
    const double phi = 2.0 * kPi * j / directions, c = std::cos(phi), s = std::sin(phi);
    b.direction = {c * direction[0] - s * direction[1], s * direction[0] + c * direction[1]};
    const double x = centre[0] - target[0], y = centre[1] - target[1];
    if (directions > 1) b.centre = {target[0] + c * x - s * y, target[1] + s * x + c * y, centre[2]};
    return b;
}

std::vector<double> PacketBeam::even_impacts() const {
    std::vector<double> b;
    for (int j = 0; j < packets; ++j) b.push_back(-width / 2 + width * j / (packets - 1));
    return b;
}

namespace {

// The crossing of a ray k_0 + s ê (ê in the xy plane) through the beam's energy at position r: the
// smallest s > 0 where ε̄ − E crosses upward (∂ε̄/∂s > 0), by a scan and bisection to rounding;
// none where the scan finds no crossing (`low`, `high`: the band's range along the ray) or the
// bisection, cut short by a non-finite point, ends off the energy.
struct RayCrossing {
    std::optional<std::array<double, 6>> start;
    double low = std::numeric_limits<double>::infinity(), high = -std::numeric_limits<double>::infinity();
    bool off = false;  // a crossing, but not found to 1e-9 of the energy
};
RayCrossing ray_crossing(const ModelInfo& info, const PacketBeam& beam, const double r[3], const std::array<double, 2>& e, double t0,
                         const std::function<double(const double*)>& energy) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    auto point = [&](double s, double x[kPhaseCoords]) {
        x[kCoordX] = r[0];
        x[kCoordY] = r[1];
        x[kCoordZ] = r[2];
        x[kCoordKx] = beam.ray_origin[0] + s * e[0];
        x[kCoordKy] = beam.ray_origin[1] + s * e[1];
        x[kCoordKz] = beam.ray_origin[2];
        x[kCoordT] = t0;
    };
    auto offset = [&](double s) {
        double x[kPhaseCoords];
        point(s, x);
        const double f = energy(x);
        return std::isfinite(f) ? f - beam.energy : nan;
    };
    RayCrossing out;
    // The first upward crossing of ε̄ − E on the scanned stretches [from, to] of the ray: there
    // ∂ε̄/∂s > 0, the packet's band velocity along ê (outside the texture, where the start
    // belongs, Eq. 24's velocity is ∂ε̄/∂k) is positive.
    double lo = nan, hi = nan;
    auto scan = [&](double from, double to) {
        double prev_s = from, prev = offset(from);
        for (int i = 1; i <= kScanPoints; ++i) {
            const double s = from + (to - from) * i / kScanPoints, f = offset(s);
            if (std::isfinite(f)) {
                out.low = std::min(out.low, f);
                out.high = std::max(out.high, f);
            }
            // Where the scan's previous point is not finite (a band touching at k_0, say), the
            // crossing may lie between it and s: look for a negative value halving towards it.
            if (std::isfinite(f) && f >= 0.0 && !std::isfinite(prev))
                for (double q = 0.5 * (s - prev_s), top = s; q > 1e-15 * (std::fabs(s) + 1e-300); q *= 0.5) {
                    const double g = offset(prev_s + q);
                    if (std::isfinite(g) && g < 0.0) {
                        lo = prev_s + q;
                        hi = top;
                        out.low = std::min(out.low, g);
                        return true;
                    }
                    if (std::isfinite(g)) top = prev_s + q;
                }
            if (std::isfinite(f) && std::isfinite(prev) && prev < 0.0 && f >= 0.0) {
                lo = prev_s;
                hi = s;
                return true;
            }
            prev_s = s;
            prev = f;
        }
        return false;
    };
    bool found = false;
    if (info.lattice) {
        found = scan(0.0, lattice_reach(info));
    } else {
        for (double from = 0.0, to = 1.0; !found && from < kContinuumReach; from = to, to *= 2) found = scan(from, to);
    }
    out.low += beam.energy;
    out.high += beam.energy;
    if (!found) return out;
    // Bisection to rounding: the bracket keeps ε̄ − E < 0 at lo and ≥ 0 at hi.
    for (int it = 0; it < 200 && hi - lo > 4 * std::numeric_limits<double>::epsilon() * std::fabs(hi); ++it) {
        const double mid = 0.5 * (lo + hi), f = offset(mid);
        if (!std::isfinite(f)) break;
        (f < 0.0 ? lo : hi) = mid;
    }
    // A bisection cut short by a non-finite point leaves hi up to a scan step off the energy.
    if (!(std::fabs(offset(hi)) <= 1e-9 * std::max(1.0, std::fabs(beam.energy)))) {
        out.off = true;
        return out;
    }
    double x[kPhaseCoords];
    point(hi, x);
    out.start = std::array<double, 6>{x[kCoordX], x[kCoordY], x[kCoordZ], x[kCoordKx], x[kCoordKy], x[kCoordKz]};
    return out;
}

std::array<double, 2> unit(double angle) { return {std::cos(angle), std::sin(angle)}; }

}  // namespace

std::vector<std::array<double, 6>> beam_starts(const TaskContext& ctx, const PacketBeam& beam, const std::vector<double>& impacts,
                                               double t0, const std::function<double(const double*)>& energy,
                                               const PlanarVelocity& velocity) {
    const ModelInfo& info = *ctx.cfg.model;
    const std::string lu = length_unit(info), eu = energy_unit(info);
    std::vector<std::array<double, 6>> starts;
    const double heading = std::atan2(beam.direction[1], beam.direction[0]);
    double ray = heading;  // the ray's angle: d̂'s, or the previous packet's solved one
    for (std::size_t j = 0; j < impacts.size(); ++j) {
        throw_if_stopped();  // up to 10^4 packets of 512-point scans (N-band: an eigensolution each): Ctrl-C between packets
        const double b = impacts[j];
        const double r[3] = {beam.centre[0] - b * beam.direction[1], beam.centre[1] + b * beam.direction[0], beam.centre[2]};
        // The crossing along d̂ itself (where the search for a heading along d̂ starts), or bad input
        // saying why there is none.
        auto along_d = [&] {
            const RayCrossing c = ray_crossing(info, beam, r, beam.direction, t0, energy);
            if (c.start) return *c.start;
            const std::string along = velocity ? " (along d, where the search for the momentum whose velocity is along d starts: "
                                                 "k_0, [task] k, belongs inside the pocket)"
                                               : std::string();
            if (c.off)
                beam_section(ctx).fail("energy", fmt::format("the packet at impact parameter {:g} {}: its momentum on the ray{} could "
                                                             "not be found to 1e-9 of the energy {:g} {} (the band is not finite next "
                                                             "to the crossing: a touching or a failed eigensolution); move k_0 or the "
                                                             "energy",
                                                             b, lu, along, beam.energy, eu));
            const std::string range = std::isfinite(c.low) ? fmt::format("[{:.6g}, {:.6g}] {}", c.low, c.high, eu) : "nowhere finite";
            beam_section(ctx).fail(
                "energy", fmt::format("no momentum k_0 + s e (s > 0, {}) along the ray e{} gives the packet at impact parameter {:g} "
                                      "{} the energy {:g} {} with its band velocity along e (an upward crossing): its band along the "
                                      "ray spans {}",
                                      info.lattice ? "within twice the longest reciprocal basis vector" : "s ≤ 10^6 1/L", along, b,
                                      lu, beam.energy, eu, range));
        };
        if (!velocity) {
            starts.push_back(along_d());
            continue;
        }
        // The packet must head along d̂, so that it crosses its start line at right angles (the
        // cross-sections' measure db): on an anisotropic band the ray turns. g(α), the angle from
        // d̂ to the velocity at the crossing of the ray at angle α, increases with α on a convex
        // contour about k_0 (the velocity is its outward normal) and changes sign within ±π/2 of
        // d̂: bracketed, then regula falsi in its Illinois form. A trial ray that misses the pocket
        // (or whose crossing is not found to 1e-9 of the energy) steps back towards the bracket's
        // near end. On a contour that is not convex several momenta may head along d̂: the first
        // found is taken (the contour's check warns about it).
        struct Trial {
            double g;
            std::array<double, 6> x;
        };
        auto trial = [&](double angle) -> std::optional<Trial> {
            throw_if_stopped();  // (up to 200 trial rays a packet, each a scan: Ctrl-C between them)
            const RayCrossing c = ray_crossing(info, beam, r, unit(angle), t0, energy);
            if (!c.start) return std::nullopt;
            const std::array<double, 6>& x = *c.start;
            double p[kPhaseCoords] = {x[0], x[1], x[2], x[3], x[4], x[5], t0};
            const std::array<double, 2> v = velocity(p);  // (which refuses a start where the band is not isolated)
            if (!(std::hypot(v[0], v[1]) > 0.0))
                beam_section(ctx).fail("energy", fmt::format("the packet at impact parameter {:g} {} has no velocity in the xy plane "
                                                             "where its ray at {:.6g} rad from d crosses the energy (a band "
                                                             "extremum): it would not move; choose another energy",
                                                             b, lu, angle - heading));
            return Trial{signed_angle(beam.direction, v), x};
        };
        std::optional<Trial> first = trial(ray);
        if (!first && ray != heading) first = trial(ray = heading);
        if (!first) along_d();  // (which says why the ray along d̂ misses)
        double near_angle = ray;
        Trial near = *first;
        if (std::fabs(near.g) > kHeadingTolerance) {
            // Bracket: steps of −g (the turn of a round contour), doubling, to within ±π/2 of d̂
            // (no sign change there: the contour is not convex about k_0, or k_0 is outside it).
            double far_angle = near_angle, step = std::clamp(-near.g, -kPi / 4, kPi / 4);
            Trial far = near;
            bool bracketed = false;
            for (int tries = 0; tries < 100 && !bracketed; ++tries) {
                const bool edge = std::fabs(near_angle + step - heading) >= kPi / 2 - 2e-6;
                const double a = std::clamp(near_angle + step, heading - kPi / 2 + 1e-6, heading + kPi / 2 - 1e-6);
                const std::optional<Trial> t = trial(a);
                if (!t) {
                    step /= 2;
                } else if ((t->g > 0.0) != (near.g > 0.0) || std::fabs(t->g) <= kHeadingTolerance) {
                    far_angle = a, far = *t, bracketed = true;
                } else if (edge) {
                    break;
                } else {
                    near_angle = a, near = *t, step *= 2;  // (the bracket's near end moves along)
                }
            }
            // Regula falsi on the secant's values, Illinois: the end kept halves its value each time
            // (the trials keep their true g).
            double g_near = near.g, g_far = far.g;
            for (int it = 0; bracketed && it < 100 && std::fabs(far.g) > kHeadingTolerance && std::fabs(far_angle - near_angle) > 1e-15;
                 ++it) {
                const double a = far_angle - g_far * (far_angle - near_angle) / (g_far - g_near);
                const std::optional<Trial> t = trial(a);
                if (!t) break;  // (a ray between two that cross the contour misses it: not convex)
                if ((t->g > 0.0) != (far.g > 0.0))
                    near_angle = far_angle, near = far, g_near = g_far;
                else
                    g_near /= 2;
                far_angle = a, far = *t, g_far = t->g;
            }
            if (bracketed && std::fabs(far.g) < std::fabs(near.g)) near_angle = far_angle, near = far;
            if (!(std::fabs(near.g) <= kLargestHeading))
                beam_section(ctx).fail(
                    "direction",
                    fmt::format("no momentum on the band's contour about k_0 at the energy {:g} {} was found with its velocity "
                                "along d to {:g} rad for the packet at impact parameter {:g} {} (the nearest, on the rays "
                                "within 90° of d: {:.3g} rad off): the contour is not convex about k_0, or k_0 is outside it; "
                                "move k_0 ([task] k) into the pocket",
                                beam.energy, eu, kLargestHeading, b, lu, near.g));
        }
        ray = near_angle;
        starts.push_back(near.x);
    }
    return starts;
}

namespace {

double wrapped(double angle) { return std::atan2(std::sin(angle), std::cos(angle)); }

// The cross-sections and the Hall angle from the deflections θ by the rule above.
nlohmann::json cross_sections(const std::vector<double>& b, const std::vector<double>& theta, std::size_t stride) {
    // 1 − cos θ = 2 sin²(θ/2), without the cancellation at small angles.
    const double transport = trapezoid(b, stride, [&](std::size_t i) { return 2.0 * std::sin(theta[i] / 2) * std::sin(theta[i] / 2); });
    const double skew = trapezoid(b, stride, [&](std::size_t i) { return std::sin(theta[i]); });
    return {{kBeamKeys[0], transport}, {kBeamKeys[1], skew}, {kBeamKeys[2], std::atan2(skew, transport)}};
}

// The intervals (i, i + 1) whose deflections differ by more than kUnresolvedTurn (modulo 2π).
std::vector<std::size_t> unresolved_intervals(const std::vector<double>& deflection) {
    std::vector<std::size_t> at;
    for (std::size_t i = 0; i + 1 < deflection.size(); ++i)
        if (std::fabs(wrapped(deflection[i + 1] - deflection[i])) > kUnresolvedTurn) at.push_back(i);
    return at;
}

// |d atan2(y, x)| ≤ (|x| |dy| + |y| |dx|)/(x² + y²); π (atan2's whole range is 2π) where x = y = 0.
double angle_error(double x, double y, double dx, double dy) {
    const double r2 = x * x + y * y;
    return r2 > 0.0 ? std::min(kPi, (std::fabs(x) * dy + std::fabs(y) * dx) / r2) : kPi;
}

}  // namespace

std::vector<double> unresolved_midpoints(const std::vector<double>& impacts, const std::vector<double>& deflection) {
    std::vector<double> mid;
    for (std::size_t i : unresolved_intervals(deflection)) mid.push_back(0.5 * (impacts[i] + impacts[i + 1]));
    return mid;
}

BeamCrossSections beam_cross_sections(const std::vector<double>& impacts, const std::vector<double>& deflection) {
    BeamCrossSections out;
    out.values = cross_sections(impacts, deflection, 1);
    const nlohmann::json sparse = cross_sections(impacts, deflection, 2);
    const std::vector<std::size_t> at = unresolved_intervals(deflection);
    out.unresolved = static_cast<int>(at.size());
    if (!at.empty()) out.first_unresolved = impacts[at.front()];
    for (std::size_t i : at) out.open += impacts[i + 1] - impacts[i];
    const double open = out.open;
    const double tr = out.values[kBeamKeys[0]].get<double>(), sk = out.values[kBeamKeys[1]].get<double>();
    for (int c = 0; c < 2; ++c)
        out.error[kBeamKeys[c]] = std::fabs(out.values[kBeamKeys[c]].get<double>() - sparse[kBeamKeys[c]].get<double>()) + 2.0 * open;
    // The angle's: its own change, plus the cross-sections' unresolved part carried through atan2.
    const double angle_change = std::fabs(wrapped(out.values[kBeamKeys[2]].get<double>() - sparse[kBeamKeys[2]].get<double>()));
    out.error[kBeamKeys[2]] = std::min(kPi, angle_change + (open > 0.0 ? angle_error(tr, sk, 2.0 * open, 2.0 * open) : 0.0));
    return out;
}

void add_beam_results(const std::vector<double>& impacts, const std::vector<double>& unsettled, const std::vector<double>& start_turn,
                      const ModelInfo& info, TaskResult& out) {
    const std::string lu = length_unit(info);
    const std::vector<double> turn = out.results["deflection"].get<std::vector<double>>();
    const BeamCrossSections cs = beam_cross_sections(impacts, turn);
    double largest = 0.0;
    for (double t : turn) largest = std::max(largest, std::fabs(t));
    // Turns below this are rounding (1e-9 rad: the "no deflection" warning's floor), or too small
    // against the largest deflection to matter.
    const double negligible = std::max(1e-9, 1e-3 * largest);
    // Each packet's deflection is uncertain by u = its turn beyond the end plus the turn before its
    // start; the integrands then by |Δ(1 − cos θ)| ≤ |sin θ| u + u²/2 and |Δ sin θ| ≤ |cos θ| u + u²/2,
    // at most their range 2.
    auto u = [&](std::size_t i) { return unsettled[i] + start_turn[i]; };
    const double spread_tr = trapezoid(impacts, 1, [&](std::size_t i) {
        return std::min(2.0, std::fabs(std::sin(turn[i])) * u(i) + u(i) * u(i) / 2);
    });
    const double spread_sk = trapezoid(impacts, 1, [&](std::size_t i) {
        return std::min(2.0, std::fabs(std::cos(turn[i])) * u(i) + u(i) * u(i) / 2);
    });
    double mean_turn = 0.0, most = 0.0, most_start = 0.0;  // the mean |Δθ|, the largest turns beyond the end and before the start
    int turning = 0, first_turning = -1, started = 0, first_started = -1;
    for (std::size_t i = 0; i < impacts.size(); ++i) {
        out.errors["deflection"][i] = out.errors["deflection"][i].get<double>() + u(i);
        mean_turn += u(i) / static_cast<double>(impacts.size());
        most = std::max(most, unsettled[i]);
        most_start = std::max(most_start, start_turn[i]);
        if (unsettled[i] > negligible && turning++ == 0) first_turning = static_cast<int>(i);
        if (start_turn[i] > negligible && started++ == 0) first_started = static_cast<int>(i);
    }
    out.errors["mean_deflection"] = out.errors["mean_deflection"].get<double>() + mean_turn;
    const double tr = cs.values[kBeamKeys[0]].get<double>(), sk = cs.values[kBeamKeys[1]].get<double>();
    const double angle_spread = angle_error(tr, sk, spread_tr, spread_sk);
    const double extra[3] = {spread_tr, spread_sk, angle_spread};
    for (int c = 0; c < 3; ++c)
        out.errors[kBeamKeys[c]] = out.errors[kBeamKeys[c]].get<double>() + cs.error[kBeamKeys[c]].get<double>() + extra[c];
    out.errors[kBeamKeys[2]] = std::min(out.errors[kBeamKeys[2]].get<double>(), kPi);
    out.results["impact_parameter"] = impacts;
    out.errors["impact_parameter"] = std::vector<double>(impacts.size(), 0.0);
    if (!(largest > 1e-9) && turning == 0)
        out.warnings.push_back(fmt::format("no packet of the beam was deflected by more than 1e-9 rad (the largest: {:.3g} rad): it "
                                           "missed the scatterer or did not reach it within steps; move or widen the beam, or "
                                           "raise steps",
                                           largest));
    // (Only where it matters: an orbiting singularity's windings stay unresolved at any depth, in
    // intervals whose bound 2 × length soon falls below the cross-sections' 1e-2.)
    if (cs.unresolved > 0 && 2.0 * cs.open >= 1e-2 * (std::fabs(tr) + std::fabs(sk)))
        out.warnings.push_back(fmt::format("the deflection changes by more than {} rad between {} pair(s) of neighbouring packets, "
                                           "the first from impact parameter {:g} {} (a rainbow or an orbiting packet's winding): "
                                           "the cross-sections' error estimates take each such interval's whole range; raise "
                                           "[task] beam's packets or refine",
                                           kUnresolvedTurn, cs.unresolved, cs.first_unresolved, lu));
    if (turning > 0)
        out.warnings.push_back(fmt::format("{} packet(s) of the beam, the first at impact parameter {:g} {}, were still turning at "
                                           "the end (by up to {:.3g} rad: the larger of the last sample interval's turn and the "
                                           "turn beyond the end, extrapolated): they had not left the "
                                           "scatterer and have no scattering angle yet (their turn is in the error estimates); "
                                           "raise steps",
                                           turning, impacts[first_turning], lu, most));
    if (started > 0)
        out.warnings.push_back(fmt::format("{} packet(s) of the beam, the first at impact parameter {:g} {}, were already turning "
                                           "at their start (by up to {:.3g} rad before it, extrapolated; in the error "
                                           "estimates): the beam starts within the scatterer's reach, and their deflections miss "
                                           "that turn; move [task] beam's centre back",
                                           started, impacts[first_started], lu, most_start));
    // The outer 5 % of the beam on either side: one edge packet alone can sit where θ = 0 by chance
    // (a beam whose edge crosses the scatterer's middle).
    double edge = 0.0;
    const double margin = 0.05 * (impacts.back() - impacts.front());
    for (std::size_t i = 0; i < impacts.size(); ++i)
        if (impacts[i] <= impacts.front() + margin || impacts[i] >= impacts.back() - margin) edge = std::max(edge, std::fabs(turn[i]));
    if (edge > negligible)
        out.warnings.push_back(fmt::format("the beam's packets within 5 % of its edges are deflected by up to {:.3g} rad ({:.2g} of the largest "
                                           "deflection): the beam may not cover the scatterer, so the cross-sections may miss "
                                           "its tails; widen [task] beam's width",
                                           edge, edge / largest));
    out.units["impact_parameter"] = fmt::format("{}, [packet]: b across the beam (the start is centre + b z × d), in order", lu);
    out.units[kBeamKeys[0]] = fmt::format("{}: the integral of 1 − cos(deflection) over b (trapezoid rule)", lu);
    out.units[kBeamKeys[1]] = fmt::format("{}: the integral of sin(deflection) over b (trapezoid rule)", lu);
    out.units[kBeamKeys[2]] = "rad: atan2(skew, transport): for dilute identical scatterers of an isotropic band the current "
                              "turns counterclockwise from E by it, tan = sigma_yx/sigma_xx (Boltzmann theory; docs/textures.md)";
}

std::string listed_unit(const std::string& unit, const std::string& what) {
    const std::size_t colon = std::min(unit.find(':'), unit.size()), shape = unit.find('[');
    if (shape < colon) return unit.substr(0, shape) + "[" + what + "]" + unit.substr(shape);
    return unit.substr(0, colon) + ", [" + what + "]" + unit.substr(colon);
}

void add_direction_average(const std::vector<TaskResult>& runs, TaskResult& out) {
    const double n = static_cast<double>(runs.size());
    double average[2] = {}, error[2] = {};
    for (int c = 0; c < 3; ++c) {
        const std::string key = kBeamKeys[c];
        std::vector<double> v, e;
        for (std::size_t j = 0; j < runs.size(); ++j) {
            v.push_back(runs[j].results.at(key).get<double>());
            e.push_back(runs[j].errors.at(key).get<double>());
        }
        out.results[key + "_by_direction"] = v;
        out.errors[key + "_by_direction"] = e;
        out.units[key + "_by_direction"] = listed_unit(out.units[key].get<std::string>(), "direction");
        if (c == 2) break;
        double every = 0.0, every_other = 0.0, estimate = 0.0;
        for (std::size_t j = 0; j < v.size(); ++j) {
            every += v[j] / n;
            estimate += e[j] / n;
            if (j % 2 == 0) every_other += v[j] / (n / 2);
        }
        average[c] = every;
        error[c] = estimate + std::fabs(every - every_other);
    }
    for (int c = 0; c < 2; ++c) {
        out.results[kBeamKeys[c]] = average[c];
        out.errors[kBeamKeys[c]] = error[c];
        out.units[kBeamKeys[c]] = out.units[kBeamKeys[c]].get<std::string>() + ", averaged over the directions of incidence";
    }
    out.results[kBeamKeys[2]] = std::atan2(average[1], average[0]);
    out.errors[kBeamKeys[2]] = angle_error(average[0], average[1], error[0], error[1]);
    out.units[kBeamKeys[2]] = "rad: atan2 of the averaged skew and transport cross-sections: for dilute, identical, randomly "
                              "oriented scatterers of an isotropic band the current turns counterclockwise from E by it "
                              "(Boltzmann theory; docs/textures.md)";
}

std::vector<PacketBeam> contour_rays(const PacketBeam& beam) {
    std::vector<PacketBeam> rays;
    for (int j = 0; j < kContourRays; ++j) {
        const double phi = 2.0 * kPi * j / kContourRays, c = std::cos(phi), s = std::sin(phi);
        PacketBeam ray = beam;
        ray.direction = {c * beam.direction[0] - s * beam.direction[1], s * beam.direction[0] + c * beam.direction[1]};
        rays.push_back(ray);
    }
    return rays;
}

FermiContour fermi_contour(const PacketBeam& beam, const std::vector<std::array<double, 6>>& starts,
                           const std::vector<std::array<double, 2>>& velocity) {
    FermiContour out;
    out.closed = true;
    const std::vector<PacketBeam> rays = contour_rays(beam);
    double k_low = std::numeric_limits<double>::infinity(), k_high = 0.0, v_low = k_low, v_high = 0.0, k_sum = 0.0, v_sum = 0.0;
    for (std::size_t j = 0; j < starts.size(); ++j) {
        const double k = std::hypot(starts[j][3] - beam.ray_origin[0], starts[j][4] - beam.ray_origin[1]);
        const double v = std::hypot(velocity[j][0], velocity[j][1]);
        if (!(v > 0.0)) return {false, fmt::format("the band has no velocity where the ray at {:g} rad from d crosses the energy",
                                                   2.0 * kPi * static_cast<double>(j) / kContourRays)};
        k_low = std::min(k_low, k), k_high = std::max(k_high, k), k_sum += k;
        v_low = std::min(v_low, v), v_high = std::max(v_high, v), v_sum += v;
        out.anisotropy = std::max(out.anisotropy, std::fabs(signed_angle(rays[j].direction, velocity[j])));
    }
    out.convex = true;
    for (std::size_t j = 0; j < starts.size(); ++j)
        if (!(signed_angle(velocity[j], velocity[(j + 1) % starts.size()]) > 0.0)) out.convex = false;
    const double n = static_cast<double>(starts.size());
    out.wavevector = k_sum / n;
    out.anisotropy = std::max({out.anisotropy, (k_high - k_low) / (k_sum / n), (v_high - v_low) / (v_sum / n)});
    return out;
}

std::optional<CurvatureRadius> contour_curvature_radius(const PacketBeam& beam, const std::array<double, 6>& start, double t0,
                                                        const std::function<double(const double*)>& energy) {
    const std::array<double, 2> d = beam.direction, t = {-d[1], d[0]};
    auto at = [&](const std::array<double, 2>& along, double h) {
        double x[kPhaseCoords] = {start[0], start[1], start[2], start[3] + h * along[0], start[4] + h * along[1], start[5], t0};
        return energy(x);
    };
    const double centre = at(d, 0.0), scale = std::hypot(start[3] - beam.ray_origin[0], start[4] - beam.ray_origin[1]);
    double largest = std::fabs(centre);
    auto radius = [&](double h) {
        const double tp = at(t, h), tm = at(t, -h), dp = at(d, h), dm = at(d, -h);
        largest = std::max({largest, std::fabs(tp), std::fabs(tm), std::fabs(dp), std::fabs(dm)});
        return std::array<double, 2>{(dp - dm) / (2 * h), (tp - 2 * centre + tm) / (h * h)};  // ∂ε̄/∂k_d, ∂²ε̄/∂k_t²
    };
    const double h = 1e-4 * scale;
    const std::array<double, 2> fine = radius(h), coarse = radius(2 * h);
    const double r_fine = fine[0] / fine[1], r_coarse = coarse[0] / coarse[1];
    // The second difference's rounding: 4 ulp of the largest energy over h².
    const double rounding = 4 * std::numeric_limits<double>::epsilon() * largest / (h * h);
    CurvatureRadius out;
    out.value = (4 * r_fine - r_coarse) / 3;
    out.error = std::fabs(r_fine - r_coarse) + std::fabs(out.value) * rounding / std::fabs(fine[1]);
    if (!std::isfinite(out.value) || !std::isfinite(out.error)) return std::nullopt;
    return out;
}

namespace {

// 1/z for z = a + i b known to within |Δa| ≤ e_a, |Δb| ≤ e_b (re: Re 1/z̄ = a/|z|², im: b/|z|²).
// A change Δ of z moves 1/z̄ by its linear part −Δ̄/z̄², whose components are bounded by the
// partial derivatives' sizes times the estimates, plus at most |Δ|²/(|z|² (|z| − |Δ|)). None
// where |Δ| reaches |z| (1/z may not be finite).
struct Inverse {
    double re, im, e_re, e_im;
};
std::optional<Inverse> inverse_within(double a, double b, double e_a, double e_b) {
    const double size = std::hypot(a, b), wobble = std::hypot(e_a, e_b);
    if (!(wobble < size)) return std::nullopt;
    const double z2 = size * size, z4 = z2 * z2, rest = wobble * wobble / (z2 * (size - wobble));
    return Inverse{a / z2, b / z2, (std::fabs(b * b - a * a) * e_a + 2 * std::fabs(a * b) * e_b) / z4 + rest,
                   (2 * std::fabs(a * b) * e_a + std::fabs(a * a - b * b) * e_b) / z4 + rest};
}

}  // namespace

void add_boltzmann_transport(const FermiContour& contour, const ModelInfo& info, TaskResult& out) {
    if (!contour.closed) {
        out.warnings.push_back(fmt::format("no Boltzmann transport of the scatterers (resistivity_per_density, "
                                           "conductivity_times_density): the band's Fermi contour about k_0 at the beam's "
                                           "centre could not be solved on {} rays: {}",
                                           kContourRays, contour.reason));
        return;
    }
    const std::string lu = length_unit(info);
    const double kf = contour.wavevector, delta = contour.anisotropy;
    const double tr = out.results[kBeamKeys[0]].get<double>(), sk = out.results[kBeamKeys[1]].get<double>();
    const double e_tr = out.errors[kBeamKeys[0]].get<double>(), e_sk = out.errors[kBeamKeys[1]].get<double>();
    const double size = std::hypot(tr, sk), wobble = std::hypot(e_tr, e_sk);
    out.results["fermi_wavevector"] = kf;
    out.errors["fermi_wavevector"] = delta * kf;
    out.results["contour_anisotropy"] = delta;
    out.errors["contour_anisotropy"] = 0.0;
    // ρ/n_i = (h/e²)(2/k_F)[[σ_tr, σ_⊥], [−σ_⊥, σ_tr]] (docs/textures.md): linear in the
    // cross-sections, so their estimates carry over; an anisotropy δ adds δ of the whole.
    const double r = 2.0 / kf, e_diag = r * (e_tr + delta * size), e_off = r * (e_sk + delta * size);
    out.results["resistivity_per_density"] = {{r * tr, r * sk}, {-r * sk, r * tr}};
    out.errors["resistivity_per_density"] = {{e_diag, e_off}, {e_off, e_diag}};
    // σ n_i = (e²/h)(k_F/2)/w̄ with w = σ_tr + i σ_⊥ (σ_xx its real part, σ_yx its imaginary part);
    // the anisotropy adds δ/|w| of 1/w̄'s size.
    if (const auto inv = inverse_within(tr, sk, e_tr, e_sk)) {
        const double c = kf / 2, e_diag = c * (inv->e_re + delta / size), e_off = c * (inv->e_im + delta / size);
        out.results["conductivity_times_density"] = {{c * inv->re, -c * inv->im}, {c * inv->im, c * inv->re}};
        out.errors["conductivity_times_density"] = {{e_diag, e_off}, {e_off, e_diag}};
        out.units["conductivity_times_density"] =
            fmt::format("e^2/h per {0}^2, [i][j] for i, j in x, y: the Boltzmann conductivity sigma_ij of dilute, identical, "
                        "independent scatterers in this band's pocket about k_0 times their density n_i (per {0}^2), at T = 0 "
                        "at the beam's energy: (k_F/2)(sigma_tr, -sigma_perp; sigma_perp, sigma_tr)/(sigma_tr^2 + sigma_perp^2); "
                        "other pockets add their own",
                        lu);
    } else if (!(size > 0.0)) {
        out.warnings.push_back("conductivity_times_density is not reported: the beam's cross-sections vanish (no scattering), "
                               "and the conductivity, their inverse, is not finite");
    } else {
        out.warnings.push_back(fmt::format("conductivity_times_density is not reported: the cross-sections' error estimates "
                                           "({:.3g} {}) reach their size ({:.3g} {}), and the conductivity is their inverse",
                                           wobble, lu, size, lu));
    }
    if (!contour.convex)
        out.warnings.push_back(fmt::format("the band's Fermi contour about k_0 is not convex (over its {} rays the velocity turns "
                                           "back, or the contour bends away from k_0): a direction of the velocity names several "
                                           "of its points, the beam's packets start at the first the search for one heading along "
                                           "d found, and no aligned transport (aligned_conductivity_times_density) is given",
                                           kContourRays));
    if (delta > kLargestAnisotropy)
        out.warnings.push_back(fmt::format("the band's Fermi contour about k_0 is not isotropic (anisotropy {:.3g}: the spread "
                                           "of |k − k_0|, of the speed and of the velocities' angles to their rays over {} rays): "
                                           "the Boltzmann transport of the scatterers and the Hall angle's reading as the "
                                           "current's assume an isotropic band (the anisotropy is in the transport's estimates, "
                                           "not the Hall angle's); the aligned scatterers' transport of a beam of 16 or more "
                                           "directions (aligned_conductivity_times_density) does not",
                                           delta, kContourRays));
    out.units["fermi_wavevector"] = fmt::format("1/{}: k_F, the mean |k - k_0| of the band's contour at the beam's energy", lu);
    out.units["contour_anisotropy"] = "1: the largest relative spread of |k - k_0| and of the speed, and of the velocities' "
                                      "angles to their rays (rad), over the contour";
    out.units["resistivity_per_density"] =
        fmt::format("h/e^2 times {0}^2, [i][j] for i, j in x, y: the Boltzmann resistivity rho_ij of dilute, identical, "
                    "independent scatterers in this band's pocket about k_0 (alone) over their density n_i (per {0}^2), at "
                    "T = 0 at the beam's energy: (2/k_F)(sigma_tr, sigma_perp; -sigma_perp, sigma_tr)",
                    lu);
}

std::vector<ThermalNode> thermal_nodes(const PacketBeam& beam) {
    if (!(beam.temperature > 0.0)) return {{beam.energy, 1.0}};
    const int n = beam.energies;
    std::vector<ThermalNode> nodes;
    double total = 0.0;
    for (int j = 0; j < n; ++j) {
        const double x = kThermalWindow * (2 * j - (n - 1)) / (n - 1), c = std::cosh(x / 2);  // x = 0 exactly in the middle
        nodes.push_back({beam.energy + beam.temperature * x, 1 / (4 * c * c)});
        total += nodes.back().weight;
    }
    for (ThermalNode& node : nodes) node.weight /= total;
    return nodes;
}

namespace {

// The nodes' weights and their runs' indices (−1 where a node has no carriers).
template <typename Node>
void fill_nodes(const std::vector<Node>& nodes, NodeSum& sum) {
    for (int j = 0, r = 0; j < static_cast<int>(nodes.size()); ++j) {
        sum.weight.push_back(nodes[j].weight);
        sum.run.push_back(nodes[j].carriers ? r++ : -1);
    }
}

// What a summed conductivity's and resistivity's units are of: σ n_i of 2D scatterers (e²/h per
// L²), or of tubes along z (σ in e²/h per L, so σ n_i per L³), and ρ/n_i, its inverse.
std::string conductivity_subject(const std::string& lu, bool tubes) {
    return tubes ? fmt::format("e^2/h per {0}^3, [i][j] for i, j in x, y: the Boltzmann conductivity sigma_ij (e^2/h per {0}) of "
                               "dilute, identical, independent scatterers uniform along z (tubes) in this band's pocket about k_0 "
                               "times their density n_i (tubes per {0}^2)",
                               lu)
                 : fmt::format("e^2/h per {0}^2, [i][j] for i, j in x, y: the Boltzmann conductivity sigma_ij of dilute, "
                               "identical, independent scatterers in this band's pocket about k_0 times their density n_i (per {0}^2)",
                               lu);
}
std::string resistivity_subject(const std::string& lu, bool tubes) {
    return fmt::format("h/e^2 times {0}^{1}, [i][j] for i, j in x, y: the Boltzmann resistivity rho_ij of dilute, identical, "
                       "independent {2} in this band's pocket about k_0 (alone) over their density n_i (per {0}^2)",
                       lu, tubes ? 3 : 2, tubes ? "tubes along z" : "scatterers");
}
// The angle the current (the plane's, for tubes) turns from E by, of conductivity_times_density;
// `when` qualifies it (" at T").
std::string hall_angle_subject(bool tubes, const char* when) {
    return fmt::format("rad: the angle the {}current turns from E by{}, atan2(sigma_yx, sigma_xx) of conductivity_times_density "
                       "(counterclockwise positive)",
                       tubes ? "in-plane " : "", when);
}
// Tubes' aligned conductivity's measure.
constexpr const char* kTubesPerLength = "per length along z of tubes along z (e^2/h per L^3 times n_i per L^2)";

}  // namespace

NodeSum thermal_sum(const std::vector<ThermalNode>& nodes, const ModelInfo& info, bool tubes) {
    NodeSum sum;
    sum.what = sum.label = "energy";
    fill_nodes(nodes, sum);
    sum.cut = 4.0 / (1.0 + std::exp(kThermalWindow));
    sum.onset = true;
    sum.angle = "thermal_hall_angle";
    sum.length_power = tubes ? 3 : 2;
    const std::string lu = length_unit(info);
    sum.sigma_unit = fmt::format("{}, at the temperature [task.beam] temperature and the chemical potential [task.beam] energy: the "
                                 "integral of (-df/de) sigma(e) over the energies' T = 0 values, "
                                 "conductivity_times_density_by_energy{}; other pockets add their own",
                                 conductivity_subject(lu, tubes), tubes ? " (each the integral over k_z of its slices')" : "");
    sum.rho_unit = fmt::format("{} at the temperature and chemical potential of conductivity_times_density: its inverse (not the "
                               "thermal average of resistivity_per_density_by_energy)",
                               resistivity_subject(lu, tubes));
    sum.angle_unit = hall_angle_subject(tubes, " at T");
    sum.aligned_conditions = fmt::format("at the temperature [task.beam] temperature and the chemical potential [task.beam] energy{}{}: "
                                         "the integral of (-df/de) sigma(e) over aligned_conductivity_times_density_by_energy",
                                         tubes ? ", " : "", tubes ? kTubesPerLength : "");
    return sum;
}

std::vector<SliceNode> slice_nodes(int slices, double low, double high) {
    const double middle = 0.5 * (low + high), half = 0.5 * (high - low);
    std::vector<SliceNode> nodes;
    for (int j = 0; j <= slices; ++j) {
        const double theta = kPi * (double(j) / slices - 0.5);
        const bool end = j == 0 || j == slices;
        nodes.push_back({end ? (j == 0 ? low : high) : middle + half * std::sin(theta), end ? 0.0 : half * std::cos(theta) / (2.0 * slices),
                         !end});
    }
    return nodes;
}

std::vector<SliceNode> periodic_slice_nodes(int slices, double low, double high) {
    std::vector<SliceNode> nodes;
    for (int j = 0; j < slices; ++j) nodes.push_back({low + (high - low) * j / slices, (high - low) / (2 * kPi * slices), true});
    return nodes;
}

NodeSum slice_sum(const std::vector<SliceNode>& slices, const ModelInfo& info) {
    NodeSum sum;
    sum.what = "slice";
    sum.label = "k_z slice";
    fill_nodes(slices, sum);
    sum.angle = "tube_hall_angle";
    sum.coarse_scale = 2.0;  // the trapezoid rule at 2π/N: each even node's weight doubled
    sum.length_power = 3;
    const std::string lu = length_unit(info);
    sum.sigma_unit = fmt::format("{}, at T = 0 at the beam's energy: the integral over k_z of "
                                 "conductivity_times_density_by_slice/2pi (k_z is conserved: each slice scatters in its plane); "
                                 "other pockets add their own",
                                 conductivity_subject(lu, true));
    sum.rho_unit = fmt::format("{}: the inverse of conductivity_times_density (not a sum of the slices' resistivities)",
                               resistivity_subject(lu, true));
    sum.angle_unit = hall_angle_subject(true, "");
    sum.aligned_conditions = fmt::format("at T = 0 at the beam's energy, {}: the integral over k_z of "
                                         "aligned_conductivity_times_density_by_slice/2pi",
                                         kTubesPerLength);
    return sum;
}

bool list_by(const NodeSum& sum, const std::vector<TaskResult>& runs, const std::string& key, TaskResult& out) {
    for (const TaskResult& r : runs)
        if (!r.results.contains(key)) return false;
    nlohmann::json value = nlohmann::json::array(), error = nlohmann::json::array();
    for (const TaskResult& r : runs) {
        value.push_back(r.results.at(key));
        error.push_back(r.errors.at(key));
    }
    const std::string listed = key + "_by_" + sum.what;
    out.results[listed] = value;
    out.errors[listed] = error;
    out.units[listed] = listed_unit(runs.front().units.at(key).get<std::string>(), sum.what);
    return true;
}

ThermalAverage node_sum(const NodeSum& sum, const std::vector<TaskResult>& runs, const std::string& key) {
    // Per component: the equally spaced rule at spacing h (the thermal one's weights normalised:
    // thermal_nodes), and its estimate: the beams' own estimates weighted; the change from the rule
    // at 2h (every other node, ends and middle included: the thermal rule's weights rescaled to the
    // same total, normalised as the fine one's; the slices' doubled, the trapezoid rule's at 2h);
    // and, for the thermal window, its cut — the weight 2 f(X) = 2/(1 + e^X) beyond it, twice, times
    // the larger change of σ from the average to an end (σ(ε) changes slowly against e^{−x} beyond
    // them; normalising makes a σ constant over the window exact). Below the pocket's bottom σ = 0
    // exactly; σ(ε) starts there with a kink or a power (a 2D band's k_F ∝ (ε − ε_0)^{1/2}), where
    // the rule converges only as a power of h: its error lies in the interval from the bottom to
    // the first energy above it, at most that energy's own share w_j |σ_j| (the rule gives the
    // interval w_j σ_j, the integral over it lies between 0 and about that).
    const std::size_t nodes = sum.weight.size(), last = nodes - 1;
    auto run = [&](std::size_t j) { return sum.run[j] < 0 ? nullptr : &runs.at(static_cast<std::size_t>(sum.run[j])); };
    double total = 0.0, coarse_total = 0.0;
    for (std::size_t j = 0; j <= last; ++j) {
        total += sum.weight[j];
        if (j % 2 == 0) coarse_total += sum.weight[j];
    }
    ThermalAverage out{};
    for (int i = 0; i < 2; ++i)
        for (int c = 0; c < 2; ++c) {
            auto at = [&](std::size_t j) { return run(j) ? run(j)->results.at(key)[i][c].get<double>() : 0.0; };
            double fine = 0.0, coarse = 0.0, own = 0.0, onset = 0.0;
            for (std::size_t j = 0; j <= last; ++j) {
                fine += sum.weight[j] * at(j);
                if (run(j)) own += sum.weight[j] * run(j)->errors.at(key)[i][c].get<double>();
                if (sum.onset && run(j) && j > 0 && !run(j - 1)) onset = sum.weight[j] * std::fabs(at(j));
                if (j % 2 == 0) coarse += sum.weight[j] * at(j);
            }
            out.value[i][c] = fine;
            // (Where the first node has no carriers σ is 0 beyond it too: no cut there.)
            const double below = run(0) ? std::fabs(at(0) - fine) : 0.0;
            const double scale = sum.coarse_scale > 0.0 ? sum.coarse_scale : total / coarse_total;
            out.error[i][c] = own + std::fabs(fine - coarse * scale) + sum.cut * std::max(below, std::fabs(at(last) - fine)) + onset;
        }
    return out;
}

void add_summed_transport(const NodeSum& sum, const std::vector<TaskResult>& runs, TaskResult& out) {
    list_by(sum, runs, "resistivity_per_density", out);
    out.units.erase("conductivity_times_density");
    out.units.erase("resistivity_per_density");
    if (!list_by(sum, runs, "conductivity_times_density", out)) {
        std::size_t j = 0;
        while (runs[j].results.contains("conductivity_times_density")) ++j;
        out.warnings.push_back(fmt::format("no summed transport (conductivity_times_density, resistivity_per_density, {}): beam "
                                           "{} {} has no conductivity (its warnings say why)",
                                           sum.angle, sum.what, j));
        return;
    }
    const ThermalAverage average = node_sum(sum, runs, "conductivity_times_density");
    // (xx and yx; the others follow from the form [[A, −B], [B, A]], which each beam's has.)
    const double value[2] = {average.value[0][0], average.value[1][0]}, error[2] = {average.error[0][0], average.error[1][0]};
    out.results["conductivity_times_density"] = {{value[0], -value[1]}, {value[1], value[0]}};
    out.errors["conductivity_times_density"] = {{error[0], error[1]}, {error[1], error[0]}};
    out.units["conductivity_times_density"] = sum.sigma_unit;
    // The Hall angle of the summed current: tan θ_H = σ_yx/σ_xx, as each beam's hall_angle, with
    // atan2's first-order bound.
    out.results[sum.angle] = std::atan2(value[1], value[0]);
    out.errors[sum.angle] = angle_error(value[0], value[1], error[0], error[1]);
    out.units[sum.angle] = sum.angle_unit;
    // ρ/n_i = (σ n_i)^{-1}: for σ = [[A, −B], [B, A]], ρ = [[A, B], [−B, A]]/(A² + B²), the inverse
    // of z = A + i B as above.
    if (const auto inv = inverse_within(value[0], value[1], error[0], error[1])) {
        out.results["resistivity_per_density"] = {{inv->re, inv->im}, {-inv->im, inv->re}};
        out.errors["resistivity_per_density"] = {{inv->e_re, inv->e_im}, {inv->e_im, inv->e_re}};
        out.units["resistivity_per_density"] = sum.rho_unit;
    } else {
        out.warnings.push_back("the summed resistivity_per_density is not reported: the conductivity's error estimate reaches its "
                               "size, and the resistivity is its inverse");
    }
}

}  // namespace bzint
