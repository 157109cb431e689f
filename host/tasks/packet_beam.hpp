// A beam of wave packets at one energy (task trajectories' [task] beam = {…}; docs/textures.md
// "A beam of packets and its cross-sections"): its packets' starts, sampled across the beam, and
// the 2D scattering cross-sections of their deflections.
#pragma once
#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "../model_registry.hpp"
#include "../task_registry.hpp"

namespace bzint {

struct PacketBeam {
    double energy = 0.0;                   // every packet's ε̄ = ε + δε at its start
    std::array<double, 2> direction{};     // unit vector in the xy plane: the packets' heading (their velocity's direction)
    std::array<double, 3> centre{};        // the middle of the start line
    double width = 0.0;                    // the start line's length
    int packets = 0;                       // odd, ≥ 3: evenly spaced, ends included
    int refine = 0;                        // levels of packets added between unresolved neighbours
    std::array<double, 3> ray_origin{};    // k_0 (Cartesian, canonical): momenta are k_0 + s ê, s > 0 (beam_starts)
    int directions = 1;                    // D: 1, or the beams turned about `target` by 2π j/D, j < D
    std::array<double, 2> target{};        // what the directions turn about
    double temperature = 0.0;              // k_B T > 0: `energy` is μ and the beam runs at each thermal energy
    int energies = 1;                      // N: the thermal average's energies (1 at T = 0)
    int slices = 0;                        // a 3D model's: N k_z intervals of the pocket its transport sums (0: none)
    // Direction j's beam: d̂ and the centre turned about target by 2π j/D (one direction: itself).
    PacketBeam turned(int j) const;
    // The evenly spaced impact parameters b_j = −W/2 + j W/(P − 1); a packet's start is
    // centre + b ẑ × d̂.
    std::vector<double> even_impacts() const;
    // At most this many packets in all, refinement included (the memory check counts them).
    std::size_t most_packets() const { return 4 * static_cast<std::size_t>(packets); }
};

// The angle from v0 to v1 in the xy plane, in (−π, π], counterclockwise positive; 0 where either
// is zero.
inline double signed_angle(const std::array<double, 2>& v0, const std::array<double, 2>& v1) {
    if (!(std::hypot(v0[0], v0[1]) > 0.0 && std::hypot(v1[0], v1[1]) > 0.0)) return 0.0;
    return std::atan2(v0[0] * v1[1] - v0[1] * v1[0], v0[0] * v1[0] + v0[1] * v1[1]);
}

// ∫ f(b) db by the trapezoid rule over the packets i = 0, stride, 2 stride, …, and the last
// (b sorted).
template <class F>
double trapezoid(const std::vector<double>& b, std::size_t stride, F f) {
    double sum = 0.0;
    std::size_t prev = 0;
    for (std::size_t i = stride;; i += stride) {
        if (i >= b.size()) i = b.size() - 1;
        sum += 0.5 * (b[i] - b[prev]) * (f(prev) + f(i));
        prev = i;
        if (i == b.size() - 1) return sum;
    }
}

// Neighbouring packets (in impact parameter) whose deflections differ by more than this (rad,
// modulo 2π) do not resolve θ(b) between them: the beam adds a packet halfway.
constexpr double kUnresolvedTurn = 0.1;

// [task] beam, if given (with it `r` is refused and `k`, one point, is the ray's origin k_0).
std::optional<PacketBeam> read_beam(const TaskContext& ctx);

// A band's velocity ṙ (Eq. 24) in the xy plane at a phase-space point (x, p, t) (not finite where
// it fails).
using PlanarVelocity = std::function<std::array<double, 2>(const double*)>;

// The packets' phase-space starts (x, y, z, px, py, pz) at the given impact parameters, each with
// the momentum k_0 + s ê of the smallest s > 0 where its band's energy ε̄(r, t, k) crosses the
// beam's upward along the ray ê (∂ε̄/∂s > 0; a scan, then bisection to rounding). `energy`
// evaluates ε̄ at a phase-space point (r, p, t); it may return a non-finite value at a band
// touching, which the scan steps over (looking for the crossing next to a non-finite point by
// halving towards it). Without `velocity` (the contour's rays) ê = d̂. With it, the packets head
// along d̂ on any band: the ray turns (a root find in its angle, from d̂'s or the previous packet's,
// within ±π/2 of d̂) until the velocity at the crossing is along d̂ to kHeadingTolerance (or, where
// rounding in the velocity stops the search first, kLargestHeading), so that the packets cross
// their start line at right angles (the cross-sections' measure db). No crossing (within twice the
// longest reciprocal basis vector on a lattice, s ≤ 10^6/L on a continuum) along d̂, a momentum
// whose energy is off by more than 1e-9 · max(1, |energy|), or a start with no velocity is bad
// input naming [task] beam's energy; no momentum heading along d̂ (a contour not convex about k_0,
// or k_0 outside it) names its direction. `velocity` may itself refuse a start (a band not
// isolated there).
constexpr double kHeadingTolerance = 1e-12;  // rad: the root find's aim
constexpr double kLargestHeading = 1e-9;     // rad: accepted where it ends (db's measure is then off by 1 − cos ≤ 5e-19)
std::vector<std::array<double, 6>> beam_starts(const TaskContext& ctx, const PacketBeam& beam, const std::vector<double>& impacts,
                                               double t0, const std::function<double(const double*)>& energy,
                                               const PlanarVelocity& velocity = {});

// The impact parameters halfway between neighbours (impacts sorted) whose deflections differ by
// more than kUnresolvedTurn.
std::vector<double> unresolved_midpoints(const std::vector<double>& impacts, const std::vector<double>& deflection);

// From each packet's deflection θ (rad, counterclockwise) at the sorted impact parameters b: the
// transport cross-section ∫ (1 − cos θ) db, the skew cross-section ∫ sin θ db and the Hall angle
// atan2(skew, transport), by the trapezoid rule; `error`: the quadrature's estimate, the change
// from the rule over every other packet (the last kept), plus for each interval still unresolved
// its length times the integrands' range (2); `unresolved`: how many, and the first's start.
struct BeamCrossSections {
    nlohmann::json values, error;
    int unresolved = 0;
    double first_unresolved = 0.0;
    double open = 0.0;  // the unresolved intervals' total length
};
BeamCrossSections beam_cross_sections(const std::vector<double>& impacts, const std::vector<double>& deflection);

// The keys beam_cross_sections writes.
inline constexpr const char* kBeamKeys[] = {"transport_cross_section", "skew_cross_section", "hall_angle"};

// A beam's results beside its packets' (after attach_errors has put the 2 dt run's change into
// out.errors): each packet's impact parameter; the cross-sections' error estimates widened by
// their quadrature's (beam_cross_sections) and by how far each packet is from a scattering angle at
// the end (`unsettled`, rad) and before the start (`start_turn`, rad) — through
// |Δ(1 − cos θ)| ≤ |sin θ| u + u²/2 and |Δ sin θ| ≤ |cos θ| u + u²/2 for their sum u —, the
// deflections' by u; the Hall angle's estimate at most π. Warnings where no packet is deflected,
// where θ(b) stays unresolved (and that matters), where packets still turn at the end or already
// turn at the start, and where packets near the edges are deflected (the beam may not cover the
// scatterer).
void add_beam_results(const std::vector<double>& impacts, const std::vector<double>& unsettled, const std::vector<double>& start_turn,
                      const ModelInfo& info, TaskResult& out);

// With several beam directions (docs/textures.md "Directions of incidence"), from each
// direction's results and estimates: σ_tr and σ_⊥ averaged over the directions (the trapezoid rule
// on the circle of incidence angles; for an isotropic band, a randomly oriented scatterer's), each
// estimate the directions' mean estimate plus the change from the average over every other
// direction; the Hall angle of the averages; and each direction's in `<key>_by_direction`.
void add_direction_average(const std::vector<TaskResult>& runs, TaskResult& out);

// The band's Fermi contour about k_0 at the start line's centre, the pocket whose transport
// Boltzmann theory gives from the cross-sections (add_boltzmann_transport): solved on
// kContourRays rays k_0 + s d̂(φ), φ evenly spaced from the beam's d̂, each as a beam's packet at
// impact parameter 0 with its momentum on the ray (not turned to head along it).
constexpr int kContourRays = 48;  // every 7.5°: the extremes of a 4- or 6-fold anisotropy (0°, 30°, 45°) among them
// The beams along those rays (the beam's own first), each to be solved at b = 0, unturned.
std::vector<PacketBeam> contour_rays(const PacketBeam& beam);
struct FermiContour {
    bool closed = false;      // every ray crossed the energy upward, with a velocity, where the band is isolated
    std::string reason;       // why not
    double wavevector = 0.0;  // k_F: the mean |k − k_0| over the rays
    // How far the pocket is from isotropic (a circle about k_0 with one speed and radial
    // velocities): the largest of the rays' relative spreads (max − min)/mean of |k − k_0| and of
    // the speed, and of the velocities' angles to their rays (rad).
    double anisotropy = 0.0;
    // The velocity turns counterclockwise from each ray to the next (fermi_contour), and the
    // contour bends towards k_0 at each ray's point (its radius of curvature is positive there;
    // the caller's check): a convex contour about k_0, each direction of the velocity the normal
    // of one point of it.
    bool convex = false;
};
// From each ray's solved start (x, p) and its planar velocity at the start.
FermiContour fermi_contour(const PacketBeam& beam, const std::vector<std::array<double, 6>>& starts,
                           const std::vector<std::array<double, 2>>& velocity);

// The radius of curvature R = |∇ε̄|/∂²ε̄/∂k_t² (1/L) of the band's contour ε̄ = E at a start
// `start` (x, p) heading along d̂ (its tangent t̂ = ẑ × d̂): dk_t = R dφ along the contour, φ the
// velocity's angle, so R dφ is the incoming measure of the aligned kernel (aligned_transport.hpp).
// By central differences of ε̄ (`energy` at (r, p, t)) at steps h = 1e-4 |k − k_0| and 2h,
// Richardson-extrapolated; the estimate is the two steps' change plus the rounding of the second
// difference. Not positive where the contour bends away from k_0 there; none where it is not
// finite (a straight stretch of contour, or a band not finite next to the start).
struct CurvatureRadius {
    double value = 0.0, error = 0.0;
};
std::optional<CurvatureRadius> contour_curvature_radius(const PacketBeam& beam, const std::array<double, 6>& start, double t0,
                                                        const std::function<double(const double*)>& energy);

// Above this anisotropy the beam's results warn that its Boltzmann transport (and the Hall angle's
// reading as the current's) assumes an isotropic band.
constexpr double kLargestAnisotropy = 1e-3;

// The transport at T > 0 (docs/textures.md "The transport at T > 0"): σ(T) = ∫ dε (−∂f/∂ε) σ(ε),
// each energy's σ(ε) its T = 0 transport, by an equally spaced rule in x = (ε − μ)/k_BT over
// |x| ≤ kThermalWindow with N energies, its weights normalised (the rule with every other one,
// its estimate).
constexpr double kThermalWindow = 10.0;  // −∂f/∂x beyond it weighs 2/(1 + e^10) = 9.1e-5 in all
struct ThermalNode {
    double energy;          // μ + k_B T x_j
    double weight;          // (−∂f/∂x)(x_j) = 1/(4 cosh²(x_j/2)), normalised to sum to 1 over the window
    bool carriers = true;   // false at or below the pocket's bottom (pocket_bottom.hpp): σ = 0 exactly, no beam runs
};
// The beam's energies and weights: N of them at T > 0, its energy (weight 1) at T = 0.
std::vector<ThermalNode> thermal_nodes(const PacketBeam& beam);

// A 2D beam's Boltzmann transport of dilute, identical scatterers in its band's pocket about k_0,
// at T = 0 at the beam's energy (docs/textures.md "The resistivity of dilute scatterers"), after
// add_beam_results (it reads the cross-sections' values and estimates): `fermi_wavevector`,
// `contour_anisotropy`, `resistivity_per_density` ρ/n_i = (h/e²)(2/k_F)[[σ_tr, σ_⊥], [−σ_⊥, σ_tr]]
// and `conductivity_times_density` σ n_i, its inverse (omitted, with a warning, where the
// cross-sections' estimates reach their size); their estimates add the anisotropy's share; a
// warning where the contour is not convex. Without a closed contour, none of them and a warning
// why.
void add_boltzmann_transport(const FermiContour& contour, const ModelInfo& info, TaskResult& out);

// A 3D pocket's k_z slices (docs/textures.md "Tubes along z"): over its extent [low, high] about
// k_0 (middle c, half-length K), k_z = c + K sin θ_j with θ_j = −π/2 + π j/N, j = 0 … N. The ends
// (j = 0, N) hold no carriers (the slice's pocket is a point). Each weight is the trapezoid rule's
// in θ times dk_z/dθ over 2π, (π/N) K cos θ_j/2π: the substitution makes the slice's conductivity,
// which vanishes at the ends as a power of their distance's square root, a smooth function of θ.
struct SliceNode {
    double kz, weight;
    bool carriers;
};
std::vector<SliceNode> slice_nodes(int slices, double low, double high);
// An open pocket's slices (the band along the line through k_0 below the energy over a period of
// k_z: a corrugated cylinder) over the period [low, high): k_z = low + (high − low) j/N, j = 0 …
// N − 1, each with carriers and the weight (high − low)/(2πN): the trapezoid rule of a periodic
// integrand, exponentially accurate where σ(k_z) is smooth (the more slowly the nearer the energy
// is to where the pocket opens, where σ(k_z) nearly vanishes at the neck); the rule over every other slice, each
// weight doubled, is its estimate (slice_sum's, as for a closed pocket).
std::vector<SliceNode> periodic_slice_nodes(int slices, double low, double high);

// A weighted sum of beams' Boltzmann transport over nodes: the thermal average over energies
// (docs/textures.md "The transport at T > 0") or a 3D pocket's integral over k_z slices ("Tubes
// along z"). Each node has a weight and its beam's results, or none where σ = 0 exactly (no
// carriers: below the pocket's bottom, or at a slice's end); the rule over every other node
// (ends and middle included) is the estimate's: the thermal one's weights rescaled to the same
// total (both normalised), the slices' doubled (the trapezoid rule at twice the step).
struct NodeSum {
    std::string what;            // "energy" or "slice": each beam's result is listed as <key>_by_<what>
    std::string label;           // the noun a beam's warnings are labelled by: "energy" or "k_z slice"
    std::vector<double> weight;  // per node, in order
    std::vector<int> run;        // per node: its beam's index among the runs, or −1 (σ = 0)
    double cut = 0.0;            // the thermal window's cut, 4/(1 + e^10) (0 for slices): times σ's change to the ends
    double coarse_scale = 0.0;   // the rule over every other node: its weights times this (0: rescaled to the same total)
    int length_power = 2;        // σ n_i in e²/h per L^power (3 for tubes)
    bool onset = false;          // where σ starts after a node without carriers, that first beam's share w_j |σ_j| is added
    std::string angle;           // the key of the summed conductivity's Hall angle
    std::string sigma_unit, rho_unit, angle_unit, aligned_conditions;  // the units of the summed results
};
// The thermal average's: the nodes' normalised weights, the cut and the onset; of a 2D beam's
// transport, or (`tubes`) of a 3D pocket's, each energy's the sum over its k_z slices.
NodeSum thermal_sum(const std::vector<ThermalNode>& nodes, const ModelInfo& info, bool tubes);
// The k_z slices' (per length along z: σ_3D = ∫ dk_z/2π σ_2D(k_z)), neither cut nor onset.
NodeSum slice_sum(const std::vector<SliceNode>& slices, const ModelInfo& info);

// Each beam's result `key` listed as `<key>_by_<what>` (its unit's shape led by [what]), where
// every beam has it (true).
bool list_by(const NodeSum& sum, const std::vector<TaskResult>& runs, const std::string& key, TaskResult& out);

// The sum of a 2×2 result `key` ([i][j], every run has it), per component, with its estimate: the
// beams' estimates weighted, the change from the rule over every other node, the cut times the
// larger change from the sum to an end node, and the onset's share.
using Matrix2 = std::array<std::array<double, 2>, 2>;  // [i][j], i, j in x, y
struct ThermalAverage {
    Matrix2 value, error;
};
ThermalAverage node_sum(const NodeSum& sum, const std::vector<TaskResult>& runs, const std::string& key);

// The summed Boltzmann transport (`runs`: the beams' results, in the nodes' order): σ n_i with its
// estimate (node_sum's), ρ/n_i, its inverse, and the Hall angle (`sum.angle`); each beam's in
// `<key>_by_<what>`. None (a warning why) where a beam has no conductivity.
void add_summed_transport(const NodeSum& sum, const std::vector<TaskResult>& runs, TaskResult& out);

// A unit string "unit, [shape]: meaning" (or "unit: meaning") of a result listed over several beams:
// its shape led by [what] ("unit, [what][shape]: meaning", or "unit, [what]: meaning").
std::string listed_unit(const std::string& unit, const std::string& what);

}  // namespace bzint
