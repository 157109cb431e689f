// Wave-packet trajectories of a textured model (include/bzint/packet_motion.hpp, two bands, and
// nband_packet_motion.hpp, N bands: Eq. 24 of the kinetic-equation paper by fourth-order
// Runge–Kutta; docs/textures.md): every packet's
// samples as a table, its final state with an error estimate from the same run at twice the step,
// the drift of its energy ε̄_s, and its deflection and transverse displacement with their
// statistics over the ensemble of packets.
#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "../engine.hpp"
#include "../error_estimate.hpp"
#include "../input_error.hpp"
#include "../texture_input.hpp"
#include "bzint/nband_packet_motion.hpp"
#include "aligned_transport.hpp"
#include "momentum.hpp"
#include "other_carriers.hpp"
#include "packet_beam.hpp"
#include "pocket_bottom.hpp"
#include "sweep_log.hpp"
#include "task_common.hpp"

namespace bzint {

namespace {

constexpr std::size_t kMaxPackets = 10000;

// The packets' band: "lower" or "upper" for a two-band model, or a band index 0 … N − 1 counted
// from the lowest (N-band models take the index; a two-band model either).
int read_band(const Section& task, int bands) {
    const std::string choices = bands == 2 ? "lower, upper, 0 or 1" : fmt::format("a band index 0 … {}", bands - 1);
    const toml::node* n = task.node("band");
    if (!n) {
        if (bands == 2) return 1;
        task.fail("band", fmt::format("missing: an N-band model's packets need their band ({})", choices));
    }
    if (const auto name = n->value_exact<std::string>()) {
        if (bands == 2 && (*name == "lower" || *name == "upper")) return *name == "upper" ? 1 : 0;
        task.fail("band", fmt::format("unknown band '{}'; valid choices: {}", *name, choices));
    }
    const auto index = n->value_exact<int64_t>();
    if (!index || *index < 0 || *index >= bands) task.fail("band", fmt::format("must be {}", choices));
    return static_cast<int>(*index);
}

struct TrajectorySetup {
    TextureSetup texture;
    std::vector<double> start;  // kPacketStart per packet
    double t0 = 0.0, dt = 0.0;
    long long steps = 0, stride = 1;
    double step_r = 0.0, step_p = 0.0;
    int band = 0;
    std::optional<PacketBeam> beam;
    std::vector<double> impacts;  // a beam's: each packet's impact parameter, in the packets' order
    FermiContour contour;          // a 2D beam's: its band's pocket about k_0
};

int packet_band(const TrajectorySetup& s, std::size_t i) { return static_cast<int>(s.start[kPacketStart * i + kPacketBand]); }

// The text of packet i's start.
std::string packet_text(const TaskContext& ctx, const TrajectorySetup& s, std::size_t i) {
    const double* x = s.start.data() + kPacketStart * i;
    const int band = packet_band(s, i);
    return fmt::format("packet {} (from r = ({:g}, {:g}, {:g}), p = ({:g}, {:g}, {:g}), band {})", i, x[0], x[1], x[2], x[3], x[4],
                       x[5], ctx.cfg.model->bands == 2 ? (band == 1 ? "upper" : "lower") : std::to_string(band));
}

// Why a packet's velocity fails: Eq. 24 is the motion of an isolated band.
std::string failure_reason(const ModelInfo& info) {
    return info.bands == 2 ? "its band touches the other (|d| = 0), where Eq. 24 does not hold"
                           : "its band comes within reach of another level (a degeneracy, a crossing inside the energy "
                             "correction's difference stencil, or a gap closing within two steps), or the eigensolver did not "
                             "converge: Eq. 24, the motion of an isolated band, does not hold there";
}

// A run that only evaluates velocities (no steps, no samples).
PacketRun velocity_only_run(const TrajectorySetup& s) { return {nullptr, 0.0, 0.0, 0, 1, s.step_r, s.step_p, nullptr, nullptr}; }

// Every packet's velocity at its start, before any stepping: a packet that starts where its band
// is not isolated is bad input (exit 2), not a failure of the run.
void require_isolated_starts(const TaskContext& ctx, const TrajectorySetup& s, const std::vector<std::array<double, 6>>& points) {
    visit_packet_motion(ctx.cfg.params, s.texture, velocity_only_run(s), [&](const auto& fn) {
        for (std::size_t i = 0; i < points.size(); ++i) {
            double x[kPhaseCoords], v[6];
            std::copy(points[i].begin(), points[i].end(), x);
            x[kCoordT] = s.t0;
            if (!fn.rate(x, packet_band(s, i), v))
                ctx.task.fail("band", fmt::format("{} starts where {}", packet_text(ctx, s, i), failure_reason(*ctx.cfg.model)));
        }
    });
}

// Every packet's velocity ṙ_s (Eq. 24) in the xy plane at its sample `at` (0: the start), from
// the samples' first seven numbers, the phase-space point (x, p, t).
std::vector<std::array<double, 2>> planar_velocities(const TaskContext& ctx, const TrajectorySetup& s,
                                                     const std::vector<double>& samples, std::size_t at) {
    const std::size_t packets = s.start.size() / kPacketStart, per = samples.size() / packets / kPacketSample;
    std::vector<std::array<double, 2>> v(packets);
    visit_packet_motion(ctx.cfg.params, s.texture, velocity_only_run(s), [&](const auto& fn) {
        for (std::size_t i = 0; i < packets; ++i) {
            double rate[6] = {};
            if (!fn.rate(samples.data() + (i * per + at) * kPacketSample, packet_band(s, i), rate))
                throw NonFiniteError(fmt::format("{} {} where {}", packet_text(ctx, s, i), at == 0 ? "started" : "ended",
                                                 failure_reason(*ctx.cfg.model)));
            v[i] = {rate[0], rate[1]};
        }
    });
    return v;
}


// Each packet's velocity in the xy plane at its start (s.start holds them, as `points`).
std::vector<std::array<double, 2>> start_velocities(const TaskContext& ctx, const TrajectorySetup& s,
                                                    const std::vector<std::array<double, 6>>& points) {
    std::vector<double> at_start;  // the starts as samples: x, p, t, (ε̄ unused)
    for (const auto& x : points) {
        at_start.insert(at_start.end(), x.begin(), x.end());
        at_start.insert(at_start.end(), {s.t0, 0.0});
    }
    return planar_velocities(ctx, s, at_start, 0);
}

// The packets' band's energy ε̄ at a phase-space point (not finite where the band is not isolated).
double band_energy(const TaskContext& ctx, const TrajectorySetup& s, const double* x) {
    double sample[kPacketSample] = {};
    visit_packet_motion(ctx.cfg.params, s.texture, velocity_only_run(s), [&](const auto& fn) { fn.record(x, s.band, sample); });
    return sample[7];
}

// The beam's starts at impact parameters b (beam_starts at this band's energy ε̄): heading along
// d̂, or (`heading` false: the contour's rays) with momenta on the ray along d̂.
std::vector<std::array<double, 6>> beam_points(const TaskContext& ctx, const TrajectorySetup& s, const std::vector<double>& b,
                                               bool heading = true) {
    std::vector<std::array<double, 6>> points;
    visit_packet_motion(ctx.cfg.params, s.texture, velocity_only_run(s), [&](const auto& fn) {
        auto energy = [&](const double* x) {
            double sample[kPacketSample];
            fn.record(x, s.band, sample);
            return sample[7];
        };
        auto velocity = [&](const double* x) {
            double rate[6] = {};
            if (!fn.rate(x, s.band, rate))
                ctx.task.fail("band", fmt::format("the search for a start of the beam's packets reached r = ({:g}, {:g}, {:g}), p = "
                                                  "({:g}, {:g}, {:g}), where {}",
                                                  x[0], x[1], x[2], x[3], x[4], x[5], failure_reason(*ctx.cfg.model)));
            return std::array<double, 2>{rate[0], rate[1]};
        };
        points = heading ? beam_starts(ctx, *s.beam, b, s.t0, energy, velocity) : beam_starts(ctx, *s.beam, b, s.t0, energy);
    });
    return points;
}

// Band b's ε̄ at each momentum k (Cartesian), at the beam's centre and t0 (not finite where the band
// is not isolated).
std::vector<double> band_energies(const TaskContext& ctx, const TrajectorySetup& s, int b, const std::vector<Momentum>& k) {
    const PacketBeam& beam = *s.beam;
    std::vector<double> out;
    out.reserve(k.size());
    visit_packet_motion(ctx.cfg.params, s.texture, velocity_only_run(s), [&](const auto& fn) {
        for (const Momentum& q : k) {
            const double x[kPhaseCoords] = {beam.centre[0], beam.centre[1], beam.centre[2], q[0], q[1], q[2], s.t0};
            double sample[kPacketSample] = {};
            fn.record(x, b, sample);
            out.push_back(sample[7]);
        }
    });
    return out;
}

// The packets' band at momentum k, at the beam's centre and t0.
double band_at(const TaskContext& ctx, const TrajectorySetup& s, const Momentum& k) {
    const PacketBeam& beam = *s.beam;
    const double x[kPhaseCoords] = {beam.centre[0], beam.centre[1], beam.centre[2], k[0], k[1], k[2], s.t0};
    return band_energy(ctx, s, x);
}

// The band at k_0 where the beam's start line is centred.
double band_at_origin(const TaskContext& ctx, const TrajectorySetup& s) { return band_at(ctx, s, s.beam->ray_origin); }

// A beam with a Boltzmann transport: a 2D model's, or a 3D model's k_z slice (its pocket's
// transport sums them: [task.beam] slices).
bool has_transport(const ModelInfo& info, const TrajectorySetup& s) { return s.beam && (info.dim == 2 || s.beam->slices > 0); }

// The dimensions a beam's pocket is searched (its bottom) and scanned (other carriers) in: 3 for
// a 3D pocket's tubes, else 2, the plane of k_0's k_z (a beam with transport: a 2D model's).
int pocket_dim(const TrajectorySetup& s) { return s.beam->slices > 0 ? 3 : 2; }

// Appends the packets' starts (each with the band) to s.start.
void add_starts(TrajectorySetup& s, const std::vector<std::array<double, 6>>& points) {
    for (const auto& x : points) {
        s.start.insert(s.start.end(), x.begin(), x.end());
        s.start.push_back(s.band);
    }
}

// The band's Fermi contour about k_0 at the beam's centre (fermi_contour), for the Boltzmann
// transport of 2D beams. Left open (with the reason) where that transport does not hold: fields,
// a sliding texture or a mass ramp (the scattering is then not elastic, or the carriers orbit);
// a band not below the energy at k_0 (the pocket is no disc about k_0: a ring, or k_0 outside it);
// a ray without an upward crossing, or whose crossing has no velocity or touches another band.
FermiContour beam_contour(const TaskContext& ctx, const TrajectorySetup& s) {
    const TextureTerms& tx = s.texture;
    const bool field = tx.electric[0] != 0.0 || tx.electric[1] != 0.0 || tx.electric[2] != 0.0;
    if (has_magnetic_field(tx) || field || tx.mass_rate != 0.0 || is_sliding(tx))
        return {false, "[texture] has a magnetic field, E, a mass ramp or a sliding velocity: the formulas are those of "
                       "elastic scattering in a static texture without fields"};
    const PacketBeam& beam = *s.beam;
    const double inside = band_at_origin(ctx, s);  // not finite at a touching, the disc's centre (a Dirac point)
    if (std::isfinite(inside) && inside >= beam.energy)
        return {false, fmt::format("the band at k_0 ({:.6g} {}) is not below the beam's energy: the carriers' pocket about k_0 "
                                   "is not a disc (a ring, or k_0 outside it), which the formulas assume",
                                   inside, energy_unit(*ctx.cfg.model))};
    std::vector<std::array<double, 6>> points;
    TrajectorySetup along = s;
    for (const PacketBeam& ray : contour_rays(beam)) {
        along.beam = ray;
        try {
            points.push_back(beam_points(ctx, along, {0.0}, false).front());
        } catch (const InputError& e) {
            return {false, fmt::format("along the ray at {:.4g} rad from d: {}", 2.0 * kPi * static_cast<double>(points.size()) / kContourRays,
                                       e.what())};
        }
    }
    along.start.clear();
    add_starts(along, points);
    try {
        const std::vector<std::array<double, 2>> velocity = start_velocities(ctx, along, points);
        FermiContour contour = fermi_contour(beam, points, velocity);
        // Convex also between the rays' turns: the contour bends towards k_0 at each ray's point.
        for (std::size_t j = 0; contour.closed && j < points.size(); ++j) {
            PacketBeam normal = beam;  // (heading along the velocity there, the contour's normal)
            const double speed = std::hypot(velocity[j][0], velocity[j][1]);
            normal.direction = {velocity[j][0] / speed, velocity[j][1] / speed};
            const auto r = contour_curvature_radius(normal, points[j], s.t0, [&](const double* x) { return band_energy(ctx, s, x); });
            if (!r || !(r->value > 0.0)) contour.convex = false;
        }
        return contour;
    } catch (const NonFiniteError& e) {
        return {false, e.what()};
    }
}

// Places the packets at their starts (s.start) and checks them: the gauge's range over the run,
// and each start where its band is isolated (a beam's heads along it: beam_starts).
void place_packets(const TaskContext& ctx, TrajectorySetup& s, const std::vector<std::array<double, 6>>& points) {
    std::vector<double> ends;  // each start at the first and the last time, for the gauge's range
    for (const auto& x : points)
        for (double t : {s.t0, s.t0 + s.dt * static_cast<double>(s.steps)}) ends.insert(ends.end(), {x[0], x[1], x[2], t});
    s.start.clear();
    add_starts(s, points);
    require_small_gauge_shift(ctx.task, s.texture, ends);
    require_isolated_starts(ctx, s, points);
}

// The run's setup (a beam of several directions: its first direction's).
TrajectorySetup read_trajectories(const TaskContext& ctx) {
    TrajectorySetup s;
    s.texture = read_texture(ctx);
    const Section& task = ctx.task;
    task.only();
    const ModelInfo& info = *ctx.cfg.model;
    s.band = read_band(task, info.bands);
    s.t0 = task.number("t", 0.0);
    s.step_r = position_step(s.texture);
    s.step_p = derivative_step(make_mesh(info, ctx.cfg.params, {1, 1, 1}));
    // r and k (canonical momenta): lists of equal length, or one of either shared by every packet;
    // or a beam's packets at one energy.
    s.beam = read_beam(ctx);
    if (s.beam) s.impacts = s.beam->even_impacts();
    const std::vector<std::array<double, 6>> points = s.beam ? beam_points(ctx, s, s.impacts) : read_phase_points(ctx, kMaxPackets);
    s.dt = task.number("dt");
    const double steps = task.number("steps"), samples = task.number("samples", 100);
    if (samples != std::round(samples)) task.fail("samples", "samples must be an integer");
    if (s.beam && samples < 2)
        task.fail("samples", "a beam needs at least 2 samples: its packets' turn over the last sample interval tells whether "
                             "they have left the scatterer");
    // The error estimate repeats the run with half as many steps of 2 dt; both must sample the
    // same times, the last one the end.
    if (steps != std::round(steps) || std::fmod(steps, 2 * samples) != 0.0)
        task.fail("steps", fmt::format("steps must be a multiple of 2 × samples = {:g} (the error estimate repeats the run with "
                                       "half as many steps of 2 dt, sampling the same times)",
                                       2 * samples));
    s.steps = static_cast<long long>(steps);
    s.stride = s.steps / static_cast<long long>(samples);
    const std::size_t n = s.beam ? s.beam->most_packets() * static_cast<std::size_t>(s.beam->directions) *
                                       static_cast<std::size_t>(s.beam->energies) * static_cast<std::size_t>(std::max(1, s.beam->slices - 1))
                                 : points.size();
    const double rows = static_cast<double>(n) * static_cast<double>(s.steps / s.stride + 1);
    require_memory(task, "samples", rows * (kPacketSample * 8.0 + 200.0), fmt::format("{} packets' samples", n));
    place_packets(ctx, s, points);
    if (has_transport(info, s)) s.contour = beam_contour(ctx, s);
    return s;
}

// The incidence angle of a beam direction (rad, counterclockwise from x).
double incidence_angle(const TrajectorySetup& s) { return std::atan2(s.beam->direction[1], s.beam->direction[0]); }

// A beam's directions: `first` (placed), then direction j, the same setup (its texture and tables
// shared, not read again) with the beam turned by 2π j/D; a refused start names its direction.
std::vector<TrajectorySetup> turned_setups(const TaskContext& ctx, const TrajectorySetup& first) {
    std::vector<TrajectorySetup> setups{first};
    const int directions = first.beam ? first.beam->directions : 1;
    for (int j = 1; j < directions; ++j) {
        TrajectorySetup s = first;
        s.beam = first.beam->turned(j);
        s.impacts = s.beam->even_impacts();
        try {
            place_packets(ctx, s, beam_points(ctx, s, s.impacts));
        } catch (const InputError& e) {
            throw InputError(fmt::format("{} (in beam direction {}, at incidence angle {:.4g} rad: the given beam turned by 2π·{}/{} "
                                         "about [task.beam] target)",
                                         e.what(), j, incidence_angle(s), j, directions));
        }
        setups.push_back(std::move(s));
    }
    return setups;
}

// The beam of `first` (placed, at μ) at another energy of the thermal average: its starts placed
// and its contour solved anew (InputError where there is no transport there).
TrajectorySetup at_energy(const TaskContext& ctx, const TrajectorySetup& first, double energy) {
    TrajectorySetup s = first;
    s.beam->energy = energy;
    place_packets(ctx, s, beam_points(ctx, s, s.impacts));
    s.contour = beam_contour(ctx, s);
    if (!s.contour.closed) ctx.task.fail("beam", fmt::format("no Boltzmann transport: {}", s.contour.reason));
    return s;
}

// A 3D pocket's k_z slices at one energy ([task.beam] slices; docs/textures.md "Tubes along z").
struct Tube {
    std::vector<SliceNode> slices;   // Beams::at holds a beam per slice with carriers
    std::array<double, 2> extent{};  // the pocket's extent along k_z through k_0 (an open one's: the period about k_0),
    double extent_error = 0.0;       // to within this (its bisection's end)
    bool open = false;               // open along z: the band along the line stays below the energy
    double energy = 0.0;             // the beam's energy there
};

// Every beam's setup, all read and their starts checked before any packet moves: per energy of
// the thermal average with carriers (one at T = 0), per k_z slice with carriers of a 3D pocket,
// per direction. Without a beam: the packets' one setup.
struct Beams {
    std::vector<ThermalNode> nodes;                // the thermal average's energies (one at T = 0; μ's in the middle at T > 0)
    std::vector<std::vector<TrajectorySetup>> at;  // [beam][direction]: per energy with carriers, and within it per slice
    std::optional<PocketBottom> bottom;            // where the window reaches the band's value at k_0
    std::vector<Tube> tubes;                       // a 3D pocket's, per energy with carriers (none for a 2D beam)
    Momentum k0{};                                 // the beam's k_0 as given (`at`'s first may be a slice's)
};

// The bottom of the beam's pocket (pocket_bottom), at the start line's centre: where the thermal
// window reaches the band's value at k_0, or k_0 is a touching. In the plane of k_0's k_z for a
// 2D beam, in space for a 3D pocket's slices.
PocketBottom beam_pocket_bottom(const TaskContext& ctx, const TrajectorySetup& s) {
    return pocket_bottom(s.beam->ray_origin, pocket_dim(s), s.contour.wavevector,
                         [&](const Momentum& k) { return band_at(ctx, s, k); });
}

// The period of k_z along a line parallel to z on a lattice: the shortest reciprocal vector g ẑ,
// whose g A_a,z/2π are integers for every lattice vector A_a (g = 2π/|A_3,z| for a cubic or
// tetragonal cell, 4π/a for a bcc one); 0 where none is within 64 of the largest |A_a,z|'s own
// (a continuum; a lattice whose A_a,z are not commensurate). Integers to 1e-6: a Wannier file's
// lattice vectors are read to about 7 digits.
double kz_period(const ModelInfo& info) {
    if (!info.lattice) return 0.0;
    int widest = 0;
    for (int a = 1; a < 3; ++a)
        if (std::fabs(info.bravais[a][2]) > std::fabs(info.bravais[widest][2])) widest = a;
    const double along = std::fabs(info.bravais[widest][2]);
    if (!(along > 0.0)) return 0.0;
    for (int n = 1; n <= 64; ++n) {
        const double g = 2 * kPi * n / along;
        const std::array<double, 3> m = reduced_k(info, {0.0, 0.0, g});  // g A_a,z / 2π
        bool integers = true;
        for (double c : m) integers = integers && std::fabs(c - std::round(c)) < 1e-6;
        if (integers) return g;
    }
    return 0.0;
}

// The length of the longest reciprocal basis vector of a lattice.
double longest_reciprocal(const ModelInfo& info) {
    double G[3][3];
    reciprocal_basis(info.bravais, G);
    return std::max({std::hypot(G[0][0], G[0][1], G[0][2]), std::hypot(G[1][0], G[1][1], G[1][2]), std::hypot(G[2][0], G[2][1], G[2][2])});
}

// Where band(k_z) rises to `level` between two neighbouring samples below it (a barrier or neck
// thinner than their spacing): the first such interval of `below` (consecutive samples) and the
// band's highest value found there, by golden-section search for the interval's maximum, stopped
// at the first value at or above the level, or when the bracket is below 1e-3 of the interval (a
// barrier narrower than that is a touching, for the march's purposes). A value that is not finite
// (the band not isolated there) ends the search too: top is then NaN.
struct Rise {
    double a = 0.0, b = 0.0, top = 0.0;
};
template <typename Band>
std::optional<Rise> first_rise(const Band& band, const std::vector<double>& below, double level) {
    const double golden = (std::sqrt(5.0) - 1) / 2;
    for (std::size_t n = 1; n < below.size(); ++n) {
        const double a0 = std::min(below[n - 1], below[n]), b0 = std::max(below[n - 1], below[n]);
        double a = a0, b = b0, c = b - golden * (b - a), d = a + golden * (b - a), fc = band(c), fd = band(d);
        while (std::isfinite(fc) && std::isfinite(fd) && fc < level && fd < level && b - a > 1e-3 * (b0 - a0)) {
            if (fc > fd)
                b = d, d = c, fd = fc, c = b - golden * (b - a), fc = band(c);
            else
                a = c, c = d, fc = fd, d = a + golden * (b - a), fd = band(d);
        }
        if (!std::isfinite(fc) || !std::isfinite(fd) || fc >= level || fd >= level)
            return Rise{a0, b0, std::isfinite(fc) && std::isfinite(fd) ? std::max(fc, fd) : std::numeric_limits<double>::quiet_NaN()};
    }
    return std::nullopt;
}

// The pocket's extent along k_z through k_0 at the beam's centre: where ε̄(k_0x, k_0y, k_z) rises
// through the beam's energy above and below k_0's k_z, marched to by steps of k_F/8 (k_F the
// contour's at k_0) and bisected to 1e-13 k_F. Where it does not rise through the energy over a
// period of k_z (kz_period) the pocket is open along z: its extent is that period about k_0.
// Refused where the band is not isolated on the way, or where it does not rise through the energy
// within a reciprocal vector's length (a lattice without a period along z) or 64 k_F (a
// continuum): an open pocket whose slices would not span a period.
Tube pocket_extent(const TaskContext& ctx, const TrajectorySetup& s) {
    const PacketBeam& beam = *s.beam;
    const ModelInfo& info = *ctx.cfg.model;
    auto band = [&](double kz) { return band_at(ctx, s, {beam.ray_origin[0], beam.ray_origin[1], kz}); };
    const double kf = s.contour.wavevector, k0 = beam.ray_origin[2], period = kz_period(info);
    const double reach = period > 0.0 ? period : info.lattice ? longest_reciprocal(info) : 64 * kf;
    const double step = std::max(kf / 8, reach / 4096);  // (at most 4096 steps: a tiny k_F at k_0)
    Tube tube;
    tube.energy = beam.energy;
    tube.extent_error = 0.5e-13 * kf;
    std::array<double, 2>& extent = tube.extent;
    for (int side = 0; side < 2; ++side) {
        const double sign = side == 0 ? -1.0 : 1.0;
        double inside = k0, outside = k0;
        bool closed = false;
        std::vector<double> below;  // the march's k_z below the energy: k_0, then each step's
        below.push_back(k0);
        for (long long n = 1; static_cast<double>(n) * step <= reach && !closed; ++n) {
            const double kz = k0 + sign * n * step, e = band(kz);
            if (!std::isfinite(e))
                ctx.task.fail("k", fmt::format("slices = {}: along k_z from k_0 the band is not isolated at k_z = {:.6g} (a touching "
                                               "inside the pocket): its extent along z is not found",
                                               beam.slices, kz));
            if (e >= beam.energy)
                outside = kz, closed = true;
            else
                inside = kz, below.push_back(kz);
        }
        // Between two samples below the energy the band may still rise through it. In a closed
        // pocket, a barrier thinner than the step would join the pocket to the next one along the
        // line, read as one; where the line stays below over a period, a neck thinner than the step
        // closes the pocket after all, barely. Either is refused. (Over a period the march ends
        // within a step of k_0 ± period, whose band is k_0's: that last stretch is searched too.)
        if (!closed && period > 0.0) below.push_back(k0 + sign * period);
        if (const std::optional<Rise> rise = first_rise(band, below, beam.energy)) {
            if (!std::isfinite(rise->top))
                ctx.task.fail("k", fmt::format("slices = {}: along k_z from k_0 the band is not isolated within [{:.6g}, {:.6g}] "
                                               "(a touching inside the pocket, between two steps of the march): its extent along "
                                               "z is not found",
                                               beam.slices, rise->a, rise->b));
            if (closed)
                ctx.task.fail("k", fmt::format("slices = {}: along k_z from k_0 the band rises through the beam's energy between "
                                               "two steps of the march ({:.3g} 1/{}) within [{:.6g}, {:.6g}] (to {:.6g}) and falls "
                                               "again: a barrier thinner than the step parts this pocket from another along z, "
                                               "which the march would join to it; move energy away from the barrier's top",
                                               beam.slices, step, length_unit(info), rise->a, rise->b, rise->top));
            ctx.task.fail("k", fmt::format("slices = {}: along k_z from k_0 the band reaches the beam's energy only in a neck "
                                           "narrower than the march's step ({:.3g} 1/{}) within [{:.6g}, {:.6g}] (it rises to "
                                           "{:.6g} there): the pocket is barely closed, at the energy where it opens along z, "
                                           "and its slices are not resolved; move energy away from there",
                                           beam.slices, step, length_unit(info), rise->a, rise->b, rise->top));
        }
        if (!closed && period > 0.0) {  // over a whole period: the band never reaches the energy along the line
            tube.open = true;
            tube.extent = {k0 - period / 2, k0 + period / 2};
            tube.extent_error = 0.0;
            return tube;
        }
        if (!closed)
            ctx.task.fail("k", fmt::format("slices = {}: along k_z from k_0 the band stays below the beam's energy over {:.4g} 1/{} "
                                           "({}): the pocket is open along z, whose transport is implemented on a lattice with "
                                           "a period along z alone (A_1 and A_2 in the plane)",
                                           beam.slices, reach, length_unit(info), info.lattice ? "a reciprocal vector" : "64 k_F"));
        while (std::fabs(outside - inside) > 1e-13 * kf) {
            const double middle = 0.5 * (inside + outside);
            if (middle == inside || middle == outside) break;
            (band(middle) >= beam.energy ? outside : inside) = middle;
        }
        extent[side] = 0.5 * (inside + outside);
        // The slices span the line's extent: the pocket must not reach beyond it, as one that is not
        // symmetric about the line would (a tilted ellipsoid). At each end the slice's in-plane
        // bottom, descended from (k_0x, k_0y), must not lie below the energy.
        const PocketBottom end = pocket_bottom({beam.ray_origin[0], beam.ray_origin[1], extent[side]}, 2, kf,
                                               [&](const Momentum& k) { return band_at(ctx, s, k); });
        if (end.found && !end.tip && end.energy < beam.energy - end.error - 1e-9 * std::max(1.0, std::fabs(beam.energy))) {
            ctx.task.fail("k", fmt::format("slices = {}: the pocket reaches beyond its extent along the line through k_0 parallel "
                                           "to k_z (to k_z = {:.6g} 1/{}): the slice there holds carriers about k = {} (its "
                                           "bottom {:.6g}, below the beam's energy); the slices need a pocket symmetric about "
                                           "that line: give k at its in-plane centre",
                                           beam.slices, extent[side], length_unit(info), momentum_text(reduced_k(info, end.k), 3, 6),
                                           end.energy));
        }
    }
    return tube;
}

// The beam of `first` (placed, at k_0's k_z) in the k_z slice at kz: its starts placed and its
// contour solved anew (InputError where there is no transport there).
TrajectorySetup at_slice(const TaskContext& ctx, const TrajectorySetup& first, double kz) {
    TrajectorySetup s = first;
    s.beam->ray_origin[2] = kz;
    place_packets(ctx, s, beam_points(ctx, s, s.impacts));
    s.contour = beam_contour(ctx, s);
    if (!s.contour.closed) ctx.task.fail("beam", fmt::format("slices: no Boltzmann transport in this slice: {}", s.contour.reason));
    return s;
}

// A 3D pocket's slices at the energy of `first` (placed, at k_0's k_z), their beams (per slice
// with carriers, per direction) appended to `at`.
Tube read_tube(const TaskContext& ctx, const TrajectorySetup& first, std::vector<std::vector<TrajectorySetup>>& at) {
    const PacketBeam& beam = *first.beam;
    if (!first.contour.closed)
        ctx.task.fail("beam", fmt::format("slices = {}: the transport of tubes sums the Boltzmann transport of the pocket's k_z "
                                          "slices, which this beam has not at k_0's k_z: {}",
                                          beam.slices, first.contour.reason));
    Tube tube = pocket_extent(ctx, first);
    tube.slices = tube.open ? periodic_slice_nodes(beam.slices, tube.extent[0], tube.extent[1])
                            : slice_nodes(beam.slices, tube.extent[0], tube.extent[1]);
    for (const SliceNode& node : tube.slices) {
        if (!node.carriers) continue;
        try {
            at.push_back(turned_setups(ctx, at_slice(ctx, first, node.kz)));
        } catch (const InputError& e) {
            throw InputError(fmt::format("{} (in the k_z slice at k_z = {:.6g} of the pocket's [{:.6g}, {:.6g}]: [task.beam] slices = "
                                         "{})",
                                         e.what(), node.kz, tube.extent[0], tube.extent[1], beam.slices));
        }
    }
    return tube;
}

Beams read_beams(const TaskContext& ctx) {
    const TrajectorySetup first = read_trajectories(ctx);
    Beams beams{first.beam ? thermal_nodes(*first.beam) : std::vector<ThermalNode>{}, {}, {}, {},
                first.beam ? first.beam->ray_origin : Momentum{}};
    // One energy's beams: its directions', or a 3D pocket's slices'.
    auto add = [&](const TrajectorySetup& s) {
        if (s.beam && s.beam->slices > 0)
            beams.tubes.push_back(read_tube(ctx, s, beams.at));
        else
            beams.at.push_back(turned_setups(ctx, s));
        // A thermal window across the energy where the pocket opens along z (a neck's Lifshitz
        // transition, where σ(ε) has a van Hove kink the thermal rule converges on slowly; the
        // energies' slices would not be alike either).
        if (beams.tubes.size() > 1 && beams.tubes.back().open != beams.tubes.front().open) {
            const Tube& open = beams.tubes.front().open ? beams.tubes.front() : beams.tubes.back();
            const Tube& closed = beams.tubes.front().open ? beams.tubes.back() : beams.tubes.front();
            const std::string eu = energy_unit(*ctx.cfg.model);
            ctx.task.fail("beam", fmt::format("temperature = {:g}: the thermal window crosses the energy where the pocket opens along "
                                              "z (closed at {:.6g} {}, open at {:.6g} {}), whose transport at T is not implemented; "
                                              "lower the temperature, or move energy away from it",
                                              s.beam->temperature, closed.energy, eu, open.energy, eu));
        }
    };
    if (!first.beam || !(first.beam->temperature > 0.0)) {
        add(first);
        return beams;
    }
    const PacketBeam& beam = *first.beam;
    if (!first.contour.closed)
        ctx.task.fail("beam", fmt::format("temperature = {:g}: the transport at T > 0 is the Boltzmann transport's, which this "
                                          "beam has not at its energy: {}",
                                          beam.temperature, first.contour.reason));
    const std::string eu = energy_unit(*ctx.cfg.model);
    // Below the pocket's bottom the band has no carriers there: σ = 0 exactly, no beam. Between
    // the bottom and the band at k_0 the pocket does not hold k_0, the rays' origin.
    // (Within 1e-6 k_BT of the bottom the pocket is a point: σ there is below (1e-6)^{3/2} of its
    // size, and the packets would hardly move.)
    const double inside = band_at_origin(ctx, first), point = 1e-6 * beam.temperature;
    if (!std::isfinite(inside) || beams.nodes.front().energy <= inside + point) {
        beams.bottom = beam_pocket_bottom(ctx, first);
        if (!beams.bottom->found) {
            if (!std::isfinite(inside)) {
                beams.bottom.reset();  // a touching that is no cone's tip: each energy's own checks below
            } else {
                ctx.task.fail("beam", fmt::format("temperature = {:g}: the thermal window reaches {:.6g} {}, at or below the band's "
                                                  "value at k_0 ({:.6g} {}), and the bottom of its pocket is not found: {}",
                                                  beam.temperature, beams.nodes.front().energy, eu, inside, eu, beams.bottom->reason));
            }
        } else if (beams.bottom->error > point) {
            ctx.task.fail("beam", fmt::format("temperature = {:g}: the bottom of the pocket the thermal window reaches, {:.6g} {}, is "
                                              "found only to {:.2g} {}, above 1e-6 k_B T: which energies have carriers is not settled",
                                              beam.temperature, beams.bottom->energy, eu, beams.bottom->error, eu));
        }
    }
    for (ThermalNode& node : beams.nodes) {
        if (node.energy == beam.energy) {  // the middle one, x = 0: `first` itself, as at T = 0
            add(first);
            continue;
        }
        const PocketBottom* bottom = beams.bottom ? &*beams.bottom : nullptr;
        if (bottom && node.energy <= bottom->energy + bottom->error + point) {
            node.carriers = false;
            continue;
        }
        if (bottom && node.energy <= inside) {
            const std::string where = momentum_text(reduced_k(*ctx.cfg.model, bottom->k), pocket_dim(first), 10);
            ctx.task.fail("k", fmt::format("temperature = {:g}: at the thermal average's energy {:.6g} {} the band's pocket does "
                                           "not hold k_0, where the band is {:.6g} {}: its bottom is at k = {} ({:.6g} {}); give k "
                                           "there (the beam's rays start at k_0)",
                                           beam.temperature, node.energy, eu, inside, eu, where, bottom->energy, eu));
        }
        try {
            add(at_energy(ctx, first, node.energy));
        } catch (const InputError& e) {
            throw InputError(fmt::format("{} (at the thermal average's energy {:.6g} {}, mu + k_B T x with |x| ≤ {:g}: [task.beam] "
                                         "temperature = {:g}; lower it, or move energy away from where the pocket ends)",
                                         e.what(), node.energy, eu, kThermalWindow, beam.temperature));
        }
    }
    return beams;
}

// The packets' samples, run with `halve` true at twice the step (half as many steps, half the stride).
std::vector<double> run_packets(const TaskContext& ctx, const TrajectorySetup& s, bool halve, Progress* progress) {
    std::vector<double> out;
    const long long stride = halve ? s.stride / 2 : s.stride;
    const long long bad = packet_trajectories(ctx.backend, ctx.cfg.params, s.texture, s.start, s.t0, halve ? 2 * s.dt : s.dt,
                                              halve ? s.steps / 2 : s.steps, stride, s.step_r, s.step_p, out, progress);
    if (bad >= 0)
        throw NonFiniteError(fmt::format("{} stopped where {}", packet_text(ctx, s, static_cast<std::size_t>(bad)),
                                         failure_reason(*ctx.cfg.model)));
    return out;
}

// The mean and the sample standard deviation of a packet quantity over the ensemble.
std::pair<double, double> mean_and_spread(const std::vector<double>& v) {
    double mean = 0.0, square = 0.0;
    for (double x : v) mean += x / static_cast<double>(v.size());
    for (double x : v) square += (x - mean) * (x - mean);
    return {mean, v.size() > 1 ? std::sqrt(square / static_cast<double>(v.size() - 1)) : 0.0};
}

// Each packet's deflection: the angle from its first velocity to its last.
std::vector<double> deflections(const TaskContext& ctx, const TrajectorySetup& s, const std::vector<double>& samples) {
    const std::size_t packets = s.start.size() / kPacketStart, per = samples.size() / packets / kPacketSample;
    const auto v0 = planar_velocities(ctx, s, samples, 0), v1 = planar_velocities(ctx, s, samples, per - 1);
    std::vector<double> turn(packets);
    for (std::size_t i = 0; i < packets; ++i) turn[i] = signed_angle(v0[i], v1[i]);
    return turn;
}

// Each packet's turn outside its run at one end, an estimate of how much deflection lies beyond
// it. Its rates of turning (the angle between successive velocities dt apart along its flow,
// Eq. 24's ẋ by Euler steps, over dt): ω_0 at the end's sample, ω_1 one step further. With `before`
// the turn before the start, where the rate grows towards the scatterer (ω_1 > ω_0), else the turn
// after the end, where it decays away from it (ω_1 < ω_0): a rate ω_0 e^{−|t|/τ} away from the run
// turns by ω_0 τ, with τ = ω_0 dt/|ω_1 − ω_0| its own time scale, at most the run's duration T (a
// rate that does not fall off, such as a uniform field's, gets ω_0 T). 0 for a packet beyond the
// reach of every force.
std::vector<double> turn_beyond(const TaskContext& ctx, const TrajectorySetup& s, const std::vector<double>& samples, bool before) {
    const std::size_t packets = s.start.size() / kPacketStart, per = samples.size() / packets / kPacketSample;
    const double duration = s.dt * static_cast<double>(s.steps);
    std::vector<double> turn(packets, 0.0);
    visit_packet_motion(ctx.cfg.params, s.texture, velocity_only_run(s), [&](const auto& fn) {
        for (std::size_t i = 0; i < packets; ++i) {
            double x[3][kPhaseCoords], v[3][6] = {};
            const double* sample = samples.data() + (i * per + (before ? 0 : per - 1)) * kPacketSample;
            std::copy(sample, sample + kPhaseCoords, x[0]);  // x, y, z, p, t: the kCoord* order
            bool finite = true;
            for (int n = 0; n < 3 && finite; ++n) {
                finite = fn.rate(x[n], packet_band(s, i), v[n]);
                if (n < 2) {
                    for (int c = 0; c < 6; ++c) x[n + 1][c] = x[n][c] + s.dt * v[n][c];
                    x[n + 1][kCoordT] = x[n][kCoordT] + s.dt;
                }
            }
            if (!finite) continue;  // beyond the run's own points: no estimate to add
            const double w0 = std::fabs(signed_angle({v[0][0], v[0][1]}, {v[1][0], v[1][1]})) / s.dt;
            const double w1 = std::fabs(signed_angle({v[1][0], v[1][1]}, {v[2][0], v[2][1]})) / s.dt;
            // w0 is the rate at the run's edge; the rate falls off away from the run (before the
            // start, towards earlier times; after the end, towards later ones) by `decay` per step.
            const double decay = before ? w1 - w0 : w0 - w1;
            const double tau = decay > 0.0 ? std::min(w0 * s.dt / decay, duration) : duration;
            turn[i] = w0 * tau;
        }
    });
    return turn;
}

// How far each packet is from a scattering angle at its end: the larger of its turn over the last
// sample interval (the angle between its last two velocities) and its turn beyond the end
// (turn_beyond, which also sees a packet that turned a whole 2π between the samples).
std::vector<double> unsettled_turns(const TaskContext& ctx, const TrajectorySetup& s, const std::vector<double>& samples) {
    const std::size_t packets = s.start.size() / kPacketStart, per = samples.size() / packets / kPacketSample;
    const auto v0 = planar_velocities(ctx, s, samples, per - 2), v1 = planar_velocities(ctx, s, samples, per - 1);
    const std::vector<double> beyond = turn_beyond(ctx, s, samples, false);
    std::vector<double> turn(packets);
    for (std::size_t i = 0; i < packets; ++i) turn[i] = std::max(std::fabs(signed_angle(v0[i], v1[i])), beyond[i]);
    return turn;
}

// The final states: positions, canonical momenta and energies per packet, in keys of their own
// (each key's error estimates are judged against its own scale, docs/accuracy.md); and each
// packet's deflection, the angle in the xy plane from its first velocity ṙ_s (Eq. 24) to its last
// (in (−π, π], counterclockwise about z positive), and its transverse displacement, the shift of
// its position across its first direction, (r_end − r_0)·(ẑ × ṙ_0/|ṙ_0|), with their means and
// spreads over the packets. Returns the packets whose velocity has no xy part at either end
// (deflection 0).
std::vector<std::size_t> final_states(const TaskContext& ctx, const TrajectorySetup& s, const std::vector<double>& samples,
                                      TaskResult& out) {
    const std::size_t packets = s.start.size() / kPacketStart, per = samples.size() / packets / kPacketSample;
    const auto v0 = planar_velocities(ctx, s, samples, 0), v1 = planar_velocities(ctx, s, samples, per - 1);
    nlohmann::json r = nlohmann::json::array(), p = nlohmann::json::array(), e = nlohmann::json::array();
    std::vector<double> turn(packets), shift(packets);  // (deflections() is this loop's turn alone, for the beam's refinement)
    std::vector<std::size_t> still;
    for (std::size_t i = 0; i < packets; ++i) {
        const double* first = samples.data() + i * per * kPacketSample;
        const double* last = first + (per - 1) * kPacketSample;
        r.push_back({last[0], last[1], last[2]});
        p.push_back({last[3], last[4], last[5]});
        e.push_back(last[7]);
        const double n0 = std::hypot(v0[i][0], v0[i][1]);
        if (!(n0 > 0.0 && std::hypot(v1[i][0], v1[i][1]) > 0.0)) {
            still.push_back(i);
            continue;
        }
        turn[i] = signed_angle(v0[i], v1[i]);
        shift[i] = ((last[1] - first[1]) * v0[i][0] - (last[0] - first[0]) * v0[i][1]) / n0;
    }
    out.results["final_position"] = r;
    out.results["final_momentum"] = p;
    out.results["final_energy"] = e;
    out.results["deflection"] = turn;
    out.results["transverse_displacement"] = shift;
    const auto [turn_mean, turn_spread] = mean_and_spread(turn);
    const auto [shift_mean, shift_spread] = mean_and_spread(shift);
    out.results["mean_deflection"] = turn_mean;
    out.results["deflection_spread"] = turn_spread;
    out.results["mean_transverse_displacement"] = shift_mean;
    out.results["transverse_displacement_spread"] = shift_spread;
    return still;
}

// A beam's refinement (docs/textures.md "A beam of packets"): up to `refine` times, a packet halfway
// between each pair of neighbours (in impact parameter) whose deflections differ by more than
// kUnresolvedTurn, run as the others (at dt and at 2 dt), within most_packets() in all; then every
// packet, its samples and its impact parameter in order of impact parameter. Returns why it stopped
// early where a refined start is refused (a warning), else nothing.
std::string refine_beam(const TaskContext& ctx, TrajectorySetup& s, std::vector<double>& fine, std::vector<double>& coarse) {
    std::string stopped;
    auto order = [&] {
        std::vector<std::size_t> o(s.impacts.size());
        for (std::size_t i = 0; i < o.size(); ++i) o[i] = i;
        std::sort(o.begin(), o.end(), [&](std::size_t a, std::size_t b) { return s.impacts[a] < s.impacts[b]; });
        return o;
    };
    for (int level = 0; level < s.beam->refine; ++level) {
        const std::vector<double> turn = deflections(ctx, s, fine);
        std::vector<double> b, theta;
        for (std::size_t i : order()) {
            b.push_back(s.impacts[i]);
            theta.push_back(turn[i]);
        }
        const std::vector<double> mid = unresolved_midpoints(b, theta);
        // A level whole or not at all: part of one would refine one side of the beam alone.
        if (mid.empty() || s.impacts.size() + mid.size() > s.beam->most_packets()) break;
        TrajectorySetup more = s;
        more.start.clear();
        try {  // bad input found after the first runs: stop refining rather than lose them
            const auto points = beam_points(ctx, s, mid);
            add_starts(more, points);
            require_isolated_starts(ctx, more, points);
        } catch (const InputError& e) {
            stopped = fmt::format("the beam's refinement stopped at level {} (its unresolved intervals stay in the error "
                                  "estimates): a refined packet's start is refused: {}",
                                  level + 1, e.what());
            break;
        }
        const std::vector<double> more_fine = run_packets(ctx, more, false, nullptr), more_coarse = run_packets(ctx, more, true, nullptr);
        s.start.insert(s.start.end(), more.start.begin(), more.start.end());
        s.impacts.insert(s.impacts.end(), mid.begin(), mid.end());
        fine.insert(fine.end(), more_fine.begin(), more_fine.end());
        coarse.insert(coarse.end(), more_coarse.begin(), more_coarse.end());
    }
    const std::vector<std::size_t> o = order();
    auto reorder = [&](std::vector<double>& v) {
        const std::size_t block = v.size() / o.size();
        std::vector<double> sorted;
        sorted.reserve(v.size());
        for (std::size_t i : o) sorted.insert(sorted.end(), v.begin() + i * block, v.begin() + (i + 1) * block);
        v = std::move(sorted);
    };
    for (std::vector<double>* v : {&s.start, &s.impacts, &fine, &coarse}) reorder(*v);
    return stopped;
}

// A 2D beam's `contour_curvature_radius` where its pocket's contour is solved (s.contour): the
// contour's radius of curvature R where its middle packet (b = 0) starts (contour_curvature_radius),
// the incoming measure R dφ of the aligned kernel; a warning where it is not finite or not positive
// within its estimate (the contour is straight or bends away from k_0 there).
void add_curvature_radius(const TaskContext& ctx, const TrajectorySetup& s, TaskResult& out) {
    const std::string lu = length_unit(*ctx.cfg.model);
    const auto middle = std::min_element(s.impacts.begin(), s.impacts.end(), [](double a, double b) { return std::fabs(a) < std::fabs(b); });
    const double* x = s.start.data() + kPacketStart * static_cast<std::size_t>(middle - s.impacts.begin());
    const std::array<double, 6> start = {x[0], x[1], x[2], x[3], x[4], x[5]};
    const std::optional<CurvatureRadius> r =
        contour_curvature_radius(*s.beam, start, s.t0, [&](const double* x) { return band_energy(ctx, s, x); });
    if (!r) {
        out.warnings.push_back("contour_curvature_radius is not reported: the band's contour at the beam's energy has no "
                               "finite radius of curvature where the packets start (a straight stretch, or a band not finite "
                               "next to the start)");
        return;
    }
    if (!(r->value > 2 * r->error))
        out.warnings.push_back(fmt::format("the band's contour at the beam's energy bends away from k_0 where the packets start "
                                           "(radius of curvature {:.3g} ± {:.3g} 1/{}): it is not convex, and other momenta may "
                                           "head along d too",
                                           r->value, r->error, lu));
    out.results["contour_curvature_radius"] = r->value;
    out.errors["contour_curvature_radius"] = r->error;
    out.units["contour_curvature_radius"] =
        fmt::format("1/{}: the radius of curvature of the band's contour at the beam's energy where the packets start, "
                    "|grad e|/(d^2 e/dk_t^2) along its tangent k_t (dk_t = R dphi, phi the velocity's angle; not positive "
                    "where the contour bends away from k_0)",
                    lu);
}

// One setup's packets (one beam direction's, `label` naming it): their runs, results and estimates.
TaskResult run_trajectories(const TaskContext& ctx, TrajectorySetup& s, const std::string& label) {
    Progress progress(label, static_cast<long long>(s.start.size() / kPacketStart) * s.steps);  // packet-steps
    std::vector<double> fine = run_packets(ctx, s, false, &progress);
    progress.finish();
    std::vector<double> coarse = run_packets(ctx, s, true, nullptr);
    const std::string refinement = s.beam ? refine_beam(ctx, s, fine, coarse) : std::string();
    const std::size_t packets = s.start.size() / kPacketStart;
    const ModelInfo& info = *ctx.cfg.model;
    const std::string lu = length_unit(info), eu = energy_unit(info);
    TaskResult out, twice;
    const std::vector<std::size_t> still = final_states(ctx, s, fine, out);
    final_states(ctx, s, coarse, twice);
    if (s.beam)
        for (TaskResult* r : {&out, &twice})
            r->results.update(beam_cross_sections(s.impacts, r->results["deflection"].get<std::vector<double>>()).values);
    attach_errors(out, &twice);
    if (!refinement.empty()) out.warnings.push_back(refinement);
    if (!still.empty())
        out.warnings.push_back(fmt::format("{} packet(s), the first of them packet {}, have no velocity in the xy plane at their "
                                           "start or end: their deflection and transverse displacement are reported as 0",
                                           still.size(), still.front()));
    // The energy's largest change along each trajectory: Eq. 24 conserves ε̄_s for a static H up to
    // the terms it drops (second order in the gradients), so this is their size (or E's work, or a
    // sliding texture's).
    // A texture that slides with nothing else depending on r or t is static in its own frame
    // r' = r − v t, whose Hamiltonian is ε̄ − v·p (the frame change's generator; Eq. 24's 𝓕_tI =
    // −v_a 𝓕_{r_a I} turn its Berry terms into the frame's): Eq. 24 conserves that energy up to the
    // terms it drops, as it conserves ε̄ for a static H (docs/textures.md "A sliding texture").
    const TextureTerms& tx = s.texture;
    const bool sliding = is_sliding(tx);
    const bool frame = sliding && !has_magnetic_field(tx) && tx.potential.shape == PotentialShape::none &&
                       tx.mass_rate == 0.0 && tx.electric[0] == 0.0 && tx.electric[1] == 0.0 && tx.electric[2] == 0.0;
    if (frame)
        out.warnings.push_back("the texture slides: it does work on the packets, so energy_drift is that work; "
                               "frame_energy_drift (of e − v·p, conserved in the texture's frame) measures the terms "
                               "Eq. 24 drops");
    else if (sliding)
        out.warnings.push_back("the texture slides over a static potential or field (or with E or a mass ramp): e − v·p "
                               "is not conserved in general, so frame_energy_drift is not reported, and energy_drift "
                               "includes the work done on the packets, not only the terms Eq. 24 drops");
    const std::size_t per = fine.size() / packets / kPacketSample;
    nlohmann::json drift = nlohmann::json::array(), frame_drift = nlohmann::json::array();
    CsvTable csv{"trajectories",
                 fmt::format("packet index; t in hbar/({1}); x, y, z in {0}; px, py, pz (canonical) in 1/{0}; energy (e_s + dE) in "
                             "{1}",
                             lu, eu),
                 {"packet", "t", "x", "y", "z", "px", "py", "pz", "energy"},
                 {}};
    for (std::size_t i = 0; i < packets; ++i) {
        const double* o = fine.data() + i * per * kPacketSample;
        double largest = 0.0, largest_frame = 0.0;
        auto frame_energy = [&](const double* x) { return x[7] - (tx.velocity[0] * x[3] + tx.velocity[1] * x[4] + tx.velocity[2] * x[5]); };
        for (std::size_t j = 0; j < per; ++j) {
            const double* x = o + j * kPacketSample;
            largest = std::max(largest, std::fabs(x[7] - o[7]));
            largest_frame = std::max(largest_frame, std::fabs(frame_energy(x) - frame_energy(o)));
            csv.rows.push_back({static_cast<double>(i), x[6], x[0], x[1], x[2], x[3], x[4], x[5], x[7]});
        }
        drift.push_back(largest);
        frame_drift.push_back(largest_frame);
    }
    out.results["energy_drift"] = drift;
    if (frame) out.results["frame_energy_drift"] = frame_drift;
    out.results["dt"] = s.dt;
    out.results["steps"] = s.steps;
    out.units = {{"final_position", fmt::format("{}, [packet][x, y, z]", lu)},
                 {"final_momentum", fmt::format("1/{}, [packet][px, py, pz]: the canonical momentum", lu)},
                 {"final_energy", fmt::format("{}, [packet]: e_s + dE", eu)},
                 {"energy_drift", fmt::format("{}: the largest |energy(t) − energy(0)| along each trajectory", eu)},
                 {"deflection", "rad, [packet]: the angle in the xy plane from the first velocity to the last, in (−π, π], "
                                "counterclockwise positive"},
                 {"transverse_displacement", fmt::format("{}, [packet]: (r_end − r_0)·(z × v_0/|v_0|), the shift across the "
                                                         "first direction", lu)},
                 {"mean_deflection", "rad: over the packets"},
                 {"deflection_spread", "rad: the packets' standard deviation (n − 1)"},
                 {"mean_transverse_displacement", fmt::format("{}: over the packets", lu)},
                 {"transverse_displacement_spread", fmt::format("{}: the packets' standard deviation (n − 1)", lu)},
                 {"dt", fmt::format("hbar/({})", eu)},
                 {"steps", "Runge–Kutta steps"}};
    if (frame)
        out.units["frame_energy_drift"] = fmt::format("{}: the largest change of energy − v·p (p canonical, in 1/{}) along "
                                                      "each trajectory, the energy in the sliding texture's frame",
                                                      eu, lu);
    if (s.beam) {  // after the units above, which it adds to
        add_beam_results(s.impacts, unsettled_turns(ctx, s, fine), turn_beyond(ctx, s, fine, true), info, out);
        if (has_transport(info, s) && s.contour.closed) add_curvature_radius(ctx, s, out);
    }
    out.principal = {"final_position"};
    // The Hall angle follows from the two cross-sections, whose warnings cover it (an angle near 0
    // has a small estimate but no relative accuracy to warn about).
    if (s.beam) out.principal.insert(out.principal.end(), {kBeamKeys[0], kBeamKeys[1]});
    out.tables.push_back(csv);  // after attach_errors: the samples carry no error columns
    out.remedy = s.beam ? "the trajectories are not resolved in time, or the beam's cross-sections not in its impact "
                          "parameters (or, averaged, not in its directions; summed, not in its energies or k_z slices): "
                          "lower dt (and raise steps), or raise [task] beam's packets (or directions, energies, slices) "
                          "(docs/textures.md)"
                        : "the trajectories are not resolved in time: lower dt (and raise steps) (docs/textures.md)";
    out.kpoints = static_cast<long long>(packets);
    return out;
}

// Several beams' results as one (docs/textures.md "Directions of incidence", "The transport at
// T > 0"): each per-packet result (an array with an entry per packet) one beam's after another's,
// with `packet_<what>` naming each packet's beam; every other result listed over the beams, its
// unit's shape led by [what]; the keys in `skip` left out, but not their units (the caller
// combines them); the trajectories table's rows one beam's after another's, packet indices
// offset; the warnings each prefixed by its beam's label.
TaskResult merge_beams(std::vector<TaskResult>& runs, const std::vector<std::string>& labels, const std::string& what,
                       const std::vector<std::string>& skip) {
    std::vector<std::vector<double>> first_rows = std::move(runs.front().tables.front().rows);  // not copied with the rest
    TaskResult out = runs.front();
    runs.front().tables.front().rows = std::move(first_rows);
    auto packets = [](const TaskResult& r) { return r.results.at("impact_parameter").size(); };
    std::vector<int> packet_beam;
    for (std::size_t j = 0; j < runs.size(); ++j) packet_beam.insert(packet_beam.end(), packets(runs[j]), static_cast<int>(j));
    out.warnings.clear();
    out.tables.front().rows.clear();
    out.kpoints = 0;
    double offset = 0.0;  // the packet index of the beam's first
    for (std::size_t j = 0; j < runs.size(); ++j) {
        for (const std::string& w : runs[j].warnings) out.warnings.push_back(fmt::format("{}: {}", labels[j], w));
        for (std::vector<double>& row : runs[j].tables.front().rows) {
            row[0] += offset;
            out.tables.front().rows.push_back(std::move(row));
        }
        runs[j].tables.front().rows.clear();
        offset += static_cast<double>(packets(runs[j]));
        out.kpoints += runs[j].kpoints;
    }
    for (const auto& [key, first] : runs.front().results.items()) {
        if (key == "dt" || key == "steps") continue;
        if (std::find(skip.begin(), skip.end(), key) != skip.end()) {
            out.results.erase(key);
            out.errors.erase(key);
            continue;
        }
        // (Some results have no estimate: energy_drift is itself one.) A beam has at least 3
        // packets, and no other array of its results is that long.
        const bool estimated = runs.front().errors.contains(key) && !runs.front().errors.at(key).is_null();
        const bool per_packet = first.is_array() && first.size() == packets(runs.front());
        nlohmann::json value = nlohmann::json::array(), error = nlohmann::json::array();
        for (const TaskResult& r : runs) {
            if (per_packet) {
                for (const auto& v : r.results.at(key)) value.push_back(v);
                if (estimated)
                    for (const auto& e : r.errors.at(key)) error.push_back(e);
            } else {
                value.push_back(r.results.at(key));
                if (estimated) error.push_back(r.errors.at(key));
            }
        }
        out.results[key] = value;
        if (estimated) out.errors[key] = error;
        if (!per_packet) out.units[key] = listed_unit(out.units[key].get<std::string>(), what);
    }
    out.results["packet_" + what] = packet_beam;
    out.errors["packet_" + what] = std::vector<double>(packet_beam.size(), 0.0);
    out.units["packet_" + what] = fmt::format("[packet]: the index of the packet's beam {}", what);
    return out;
}

// The directions' runs as one (merge_beams), the cross-sections averaged over them
// (add_direction_average).
TaskResult merge_directions(const std::vector<TrajectorySetup>& setups, std::vector<TaskResult>& runs) {
    std::vector<double> angle;
    std::vector<std::string> labels;
    for (std::size_t j = 0; j < setups.size(); ++j) {
        angle.push_back(incidence_angle(setups[j]));
        labels.push_back(fmt::format("beam direction {} (incidence angle {:.4g} rad)", j, angle.back()));
    }
    TaskResult out = merge_beams(runs, labels, "direction", {std::begin(kBeamKeys), std::end(kBeamKeys)});
    add_direction_average(runs, out);  // (merge_beams moved the runs' table rows only)
    out.results["incidence_angle"] = angle;
    out.errors["incidence_angle"] = std::vector<double>(angle.size(), 0.0);
    out.units["incidence_angle"] = "rad, [direction]: each beam direction's heading d, counterclockwise from x";
    out.units["packet_direction"] = "[packet]: the index of the packet's beam direction (incidence_angle's)";
    return out;
}

// A beam's result as a row of the sweep log (key "beam": its index, beam × D + direction, the beams
// of Beams::at in order) and back, every part of it the merges read: the log keeps each finished
// beam, so a stop loses none.
nlohmann::json beam_row(int j, const TaskResult& r) {
    nlohmann::json tables = nlohmann::json::array();
    for (const CsvTable& t : r.tables)
        tables.push_back({{"name", t.name}, {"comment", t.comment}, {"columns", t.columns}, {"rows", t.rows}, {"keys", t.keys}});
    return {{"beam", j}, {"results", r.results}, {"errors", r.errors},   {"units", r.units},         {"tables", tables},
            {"kpoints", r.kpoints}, {"principal", r.principal}, {"remedy", r.remedy}, {"warnings", r.warnings}};
}

TaskResult beam_result(const nlohmann::json& row, const SweepLog& log) {
    try {
        TaskResult r;
        r.results = row.at("results");
        r.errors = row.at("errors");
        r.units = row.at("units");
        for (const auto& t : row.at("tables"))
            r.tables.push_back({t.at("name").get<std::string>(), t.at("comment").get<std::string>(),
                                t.at("columns").get<std::vector<std::string>>(), t.at("rows").get<std::vector<std::vector<double>>>(),
                                t.at("keys").get<std::size_t>()});
        r.kpoints = row.at("kpoints").get<long long>();
        r.principal = row.at("principal").get<std::vector<std::string>>();
        r.remedy = row.at("remedy").get<std::string>();
        r.warnings = row.at("warnings").get<std::vector<std::string>>();
        return r;
    } catch (const nlohmann::json::exception&) {  // a row with a valid checksum that is not a beam's result
        throw InputError(fmt::format("{}: the row of beam {} is not a beam's result (written by another version?); run without "
                                     "--resume to start over",
                                     log.file().get<std::string>(), row.value("beam", -1)));
    }
}

// Where the thermal window reaches the band's value at k_0: the pocket's bottom (energy and
// momentum), and the weight of the window's energies at or below it, which have no carriers.
void add_pocket_bottom(const TaskContext& ctx, const PocketBottom& bottom, int dim, const std::vector<ThermalNode>& nodes,
                       TaskResult& out) {
    const ModelInfo& info = *ctx.cfg.model;
    const std::string eu = energy_unit(info);
    out.results["pocket_bottom"] = bottom.energy;
    out.errors["pocket_bottom"] = bottom.error;
    out.units["pocket_bottom"] = fmt::format("{}: the lowest value of the band in its pocket about k_0 ({}), where the "
                                             "beams start; below it the pocket has no carriers, and its conductivity is 0",
                                             eu, bottom.tip ? "a cone's tip at k_0, where the band is not isolated" : "its minimum");
    // (A 2D beam's bottom is in its plane: its k_z is k_0's, not listed.)
    const std::array<double, 3> k = reduced_k(info, bottom.k);
    // (The momentum's estimate is a length: a reduced component's bound is |A_i| times it over 2π.)
    auto bound = [&](int i) {
        return info.lattice ? std::hypot(info.bravais[i][0], info.bravais[i][1], info.bravais[i][2]) * bottom.k_error / (2 * kPi)
                            : bottom.k_error;
    };
    out.results["pocket_bottom_momentum"] = std::vector<double>(k.begin(), k.begin() + dim);
    std::vector<double> bounds;
    for (int i = 0; i < dim; ++i) bounds.push_back(bound(i));
    out.errors["pocket_bottom_momentum"] = bounds;
    out.units["pocket_bottom_momentum"] = fmt::format("{}, [{}]: where pocket_bottom lies ({})",
                                                      info.lattice ? "reduced coordinates" : fmt::format("1/{}", length_unit(info)),
                                                      dim, info.lattice ? "as [task] k" : "Cartesian");
    double below = 0.0;
    for (const ThermalNode& n : nodes)
        if (!n.carriers) below += n.weight;
    out.results["thermal_weight_below_bottom"] = below;
    out.errors["thermal_weight_below_bottom"] = 0.0;
    out.units["thermal_weight_below_bottom"] = "1: the summed weight of the window's energies at or below pocket_bottom (or "
                                               "within its estimate plus 1e-6 k_B T above it; normalised as thermal_weight), where "
                                               "the conductivity is 0 and no beam runs";
}

// One energy's beams (its directions; a 2D beam's Boltzmann transport at that energy), each
// direction read back from the log where it holds it (index `first` + j), else run and logged.
TaskResult run_energy(const TaskContext& ctx, std::vector<TrajectorySetup>& setups, SweepLog* log, int first, const std::string& label) {
    std::vector<TaskResult> runs;
    for (std::size_t j = 0; j < setups.size(); ++j) {
        const int index = first + static_cast<int>(j);
        if (const nlohmann::json* row = log ? log->find(index) : nullptr) {
            runs.push_back(beam_result(*row, *log));
            continue;
        }
        const std::string progress_label =
            setups.size() > 1 ? fmt::format("{}, beam direction {} of 0–{}", label, j, setups.size() - 1) : label;
        runs.push_back(run_trajectories(ctx, setups[j], progress_label));
        if (log) log->add(beam_row(index, runs.back()));
    }
    TaskResult out = runs.size() > 1 ? merge_directions(setups, runs) : std::move(runs.front());
    if (has_transport(*ctx.cfg.model, setups.front())) {
        add_boltzmann_transport(setups.front().contour, *ctx.cfg.model, out);
        if (runs.size() > 1)  // (merge_directions listed the directions' incidence angles)
            add_aligned_transport(out.results.at("incidence_angle").get<std::vector<double>>(), runs, setups.front().contour,
                                  *ctx.cfg.model, out);
        if (out.results.contains("aligned_conductivity_times_density")) out.principal.push_back("aligned_conductivity_times_density");
    }
    return out;
}

// Where a beam has its Boltzmann transport (a 2D beam's, a 3D pocket's tubes'): a warning naming
// the carriers it leaves out (other_carriers) at μ (T = 0) or in the thermal window, on a scan of
// the zone (a lattice) or of the square or cube of half-side 3 times the pocket's reach about k_0
// (a continuum).
std::optional<std::string> other_carriers_warning(const TaskContext& ctx, const Beams& read) {
    const TrajectorySetup& first = read.at.front().front();
    const ModelInfo& info = *ctx.cfg.model;
    if (!has_transport(info, first) || !first.contour.closed) return std::nullopt;
    double pocket = 0.0;  // the pocket's largest |k − k_0| over the energies (and slices)
    for (const auto& at : read.at) pocket = std::max(pocket, at.front().contour.wavevector * (1 + at.front().contour.anisotropy));
    for (const Tube& tube : read.tubes)  // (an open one's slices join along z: the fill follows them from k_0)
        for (double end : tube.extent)
            if (!tube.open) pocket = std::max(pocket, std::fabs(end - read.k0[2]));
    CarrierScan scan;
    scan.dim = pocket_dim(first);
    scan.origin = read.k0;
    scan.lattice = info.lattice;
    const int side = scan_side(scan.dim);
    double spacing = 0.0;
    if (info.lattice) {
        double G[3][3];
        reciprocal_basis(info.bravais, G);
        for (int a = 0; a < scan.dim; ++a) {
            scan.reciprocal[a] = {G[a][0], G[a][1], G[a][2]};
            scan.direct[a] = {info.bravais[a][0], info.bravais[a][1], info.bravais[a][2]};
            spacing = std::max(spacing, std::hypot(G[a][0], G[a][1], G[a][2]) / side);
        }
    } else {
        scan.reach = 3 * pocket;
        spacing = scan.reach / (side / 2);
    }
    const double lo = read.nodes.front().energy, hi = read.nodes.back().energy;
    const std::vector<std::string> found =
        other_carriers(scan, info.bands, first.band, lo, hi, pocket + 1.5 * spacing,
                       [&](int b, const std::vector<Momentum>& k) { return band_energies(ctx, first, b, k); });
    if (found.empty()) return std::nullopt;
    const std::string eu = energy_unit(info);
    std::string list;
    for (const std::string& f : found) list += (list.empty() ? "" : "; ") + f;
    const int points = info.lattice ? side : side + 1;
    return fmt::format("carriers outside the band's pocket about k_0 {}: {} (on a scan of {}{} momenta {} at the beam's centre; a "
                       "pocket smaller than its spacing, {:.3g} 1/{}, may fall between them); the Boltzmann transport is that "
                       "pocket's alone, and the others add their own (each from a beam with k in it)",
                       lo == hi ? fmt::format("at mu = {:.6g} {}", lo, eu) : fmt::format("in the thermal window [{:.6g}, {:.6g}] {}", lo, hi, eu),
                       list, points, scan.dim == 2 ? "²" : "³",
                       info.lattice ? std::string("over the zone") : fmt::format("within {:.3g} 1/{} of k_0", scan.reach, length_unit(info)),
                       spacing, length_unit(info));
}

// The beams' results `runs` (one per node with carriers, in order; each node's coordinate `at`, in
// `unit`) summed over the nodes (`sum`: a thermal average's or a pocket's slices'): merged
// (merge_beams), with their summed Boltzmann transport and aligned transport.
TaskResult sum_beams(const NodeSum& sum, std::vector<TaskResult>& runs, const std::vector<double>& at, const std::string& unit,
                     const ModelInfo& info) {
    std::vector<std::string> labels;
    for (std::size_t e = 0; e < runs.size(); ++e)
        labels.push_back(fmt::format("beam {} {} ({:.6g} {})", sum.label, e, at[e], unit));
    TaskResult out = merge_beams(runs, labels, sum.what,
                                 {"conductivity_times_density", "resistivity_per_density", "aligned_conductivity_times_density",
                                  "aligned_resistivity_per_density"});
    add_summed_transport(sum, runs, out);
    add_aligned_summed_transport(sum, runs, info, out);
    // (The aligned conductivity is principal already where the first beam's run_energy made it so.)
    const bool listed = std::find(out.principal.begin(), out.principal.end(), "conductivity_times_density") != out.principal.end();
    if (out.results.contains("conductivity_times_density") && !listed) out.principal.push_back("conductivity_times_density");
    return out;
}

// A list of exact numbers (the nodes' coordinates or weights: no estimate) as result `key`.
void put_exact_list(TaskResult& out, const std::string& key, const std::vector<double>& values, std::string unit) {
    out.results[key] = values;
    out.errors[key] = std::vector<double>(values.size(), 0.0);
    out.units[key] = std::move(unit);
}

// Each node's value of `of` where it has carriers (sum.run), and its weight.
template <typename Node, typename Of>
std::pair<std::vector<double>, std::vector<double>> carrier_nodes(const NodeSum& sum, const std::vector<Node>& nodes, Of of) {
    std::pair<std::vector<double>, std::vector<double>> out;
    for (std::size_t j = 0; j < nodes.size(); ++j)
        if (sum.run[j] >= 0) {
            out.first.push_back(of(nodes[j]));
            out.second.push_back(sum.weight[j]);
        }
    return out;
}

TaskResult run_beams(TaskContext& ctx, Beams& read) {
    std::vector<std::vector<TrajectorySetup>>& beams = read.at;
    const std::size_t directions = beams.front().size();
    if (beams.size() == 1 && directions == 1) return run_energy(ctx, beams.front(), nullptr, 0, "trajectories");
    // Several beams: each finished one is logged (index: beam × D + direction), and a resumed run
    // reads it back — unless their rows (each its trajectories table: 9 numbers of some 25
    // characters per sample) could outgrow the log, which is then not kept (a warning says so).
    const TrajectorySetup& one = beams.front().front();
    const double log_bytes = static_cast<double>(beams.size() * directions) * static_cast<double>(one.beam->most_packets()) *
                             static_cast<double>(one.steps / one.stride + 1) * 9 * 25;
    const bool keep = log_bytes < static_cast<double>(kLargestSweepLog) / 2;
    SweepLog log(ctx, "beam", keep);
    auto finish = [&](TaskResult& out) {
        log.complete();
        out.results["sweep_log"] = log.file();
        out.units["sweep_log"] = "the file that keeps each finished beam (read back by --resume); null without outputs";
        if (!keep)
            out.warnings.push_back(fmt::format("the finished beams were not logged (their trajectories could make the sweep log "
                                               "{:.2g} GiB, over half its limit of 1 GiB): a stop would have lost them; lower "
                                               "[task] samples to keep them",
                                               log_bytes / static_cast<double>(std::size_t(1) << 30)));
    };
    std::size_t next = 0;  // the next beam of read.at to run
    auto run_next = [&](const std::string& label) {
        TaskResult r = run_energy(ctx, beams[next], &log, static_cast<int>(next * directions), label);
        ++next;
        return r;
    };
    const ModelInfo& info = *ctx.cfg.model;
    const std::string lu = length_unit(info), eu = energy_unit(info);
    // A 3D pocket's slices at one energy: their beams, then their sum over k_z.
    auto run_tube = [&](const Tube& tube, const std::string& label) {
        const NodeSum sum = slice_sum(tube.slices, info);
        const auto [kz, weight] = carrier_nodes(sum, tube.slices, [](const SliceNode& n) { return n.kz; });
        std::vector<TaskResult> runs;
        for (std::size_t j = 0; j < kz.size(); ++j)
            runs.push_back(run_next(fmt::format("{}, beam k_z slice {} of 0–{}", label, j, kz.size() - 1)));
        TaskResult out = sum_beams(sum, runs, kz, "1/" + lu, info);
        put_exact_list(out, "slice_kz", kz,
                       fmt::format("1/{}, [slice]: each beam's k_z (Cartesian), the slices c + K sin(theta_j) of pocket_kz_extent "
                                   "with carriers (an open pocket's equally spaced over its period)",
                                   lu));
        put_exact_list(out, "slice_weight", weight,
                       fmt::format("1/{}, [slice]: each slice's weight in the sum over k_z, (pi/N) K cos(theta_j)/2pi (an open "
                                   "pocket's period/2piN)",
                                   lu));
        out.results["pocket_kz_extent"] = {tube.extent[0], tube.extent[1]};
        out.errors["pocket_kz_extent"] = {tube.extent_error, tube.extent_error};
        out.units["pocket_kz_extent"] = fmt::format("1/{}, [2]: where the band along k_z through k_0 rises through the beam's "
                                                    "energy, below and above k_0's k_z (an open pocket's: the period of k_z "
                                                    "about k_0 its slices span)",
                                                    lu);
        out.results["pocket_kz_open"] = tube.open ? 1 : 0;
        out.errors["pocket_kz_open"] = 0;
        out.units["pocket_kz_open"] = "1: 1 where the pocket is open along z (the band along the line through k_0 stays below "
                                      "the energy over a period of k_z: its slices are equally spaced over the period), else 0";
        out.units["packet_slice"] = "[packet]: the index of the packet's beam slice (slice_kz's, within its energy's at T > 0)";
        return out;
    };
    const bool tubes = !read.tubes.empty();
    if (read.nodes.size() == 1) {  // T = 0: one energy's directions, or a pocket's slices
        TaskResult out = tubes ? run_tube(read.tubes.front(), "trajectories") : run_next("trajectories");
        finish(out);
        return out;
    }
    // T > 0: each energy's beams (a 3D pocket's: its slices' sum), then the thermal average.
    const NodeSum sum = thermal_sum(read.nodes, info, tubes);
    const auto [energy, weight] = carrier_nodes(sum, read.nodes, [](const ThermalNode& n) { return n.energy; });
    std::vector<TaskResult> runs;
    for (std::size_t e = 0; e < energy.size(); ++e) {
        const std::string label = fmt::format("trajectories, beam energy {} of 0–{}", e, energy.size() - 1);
        runs.push_back(tubes ? run_tube(read.tubes[e], label) : run_next(label));
    }
    TaskResult out = sum_beams(sum, runs, energy, eu, info);
    put_exact_list(out, "beam_energy", energy,
                   fmt::format("{}, [energy]: the thermal average's energies mu + k_B T x_j that have carriers (above "
                               "pocket_bottom, where the window reaches it), each with its beams",
                               eu));
    put_exact_list(out, "thermal_weight", weight,
                   "1, [energy]: each beam energy's weight in the thermal average, (-df/dx)(x_j) normalised to sum to 1 over "
                   "the window's equally spaced energies (with those at or below pocket_bottom, thermal_weight_below_bottom)");
    if (read.bottom) add_pocket_bottom(ctx, *read.bottom, pocket_dim(one), read.nodes, out);
    out.units["packet_energy"] = "[packet]: the index of the packet's beam energy (beam_energy's)";
    finish(out);
    return out;
}

}  // namespace

void check_trajectories(TaskContext& ctx) { read_beams(ctx); }

TaskResult task_trajectories(TaskContext& ctx) {
    Beams read = read_beams(ctx);
    const std::optional<std::string> other = other_carriers_warning(ctx, read);
    TaskResult out = run_beams(ctx, read);
    if (other) out.warnings.push_back(*other);
    return out;
}

}  // namespace bzint
