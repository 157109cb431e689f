// The [texture] section of a run file (docs/textures.md, keys in docs/run-file.md): the spin
// texture m(r), its exchange coupling J, the mass ramp ṁ and the uniform fields B and E of the
// textured Hamiltonian H(r, p, t) = H_0(p + a(r, t)) + J m(r)·σ + ṁ t σ_z
// (include/bzint/texture.hpp); and what the texture tasks share in reading their points.
#pragma once
#include <array>
#include <memory>
#include <vector>

#include "bzint/mesh.hpp"
#include "bzint/texture.hpp"
#include "task_registry.hpp"
#include "texture_table.hpp"

namespace bzint {

// The [texture] as read: the plain-data terms both backends take, and the tables whose splines a
// table texture and a table potential read (kept alive by every copy of the setup).
struct TextureSetup : TextureTerms {
    std::shared_ptr<const TextureTable> table;
    std::shared_ptr<const PotentialTable> potential_table;
};

// Reads and validates [texture] (an InputError naming file, line and key).
TextureSetup read_texture(const TaskContext& ctx);

// The path a [texture] key names (file, potential_file), relative to the run file's folder; empty
// where the key is absent or not a string.
std::string texture_file(const RunFile& file, const char* key);
// The tables a run file's [texture] reads (kind = "table"'s file, potential = "table"'s
// potential_file): for the run's record of the files it reads.
std::vector<std::string> texture_table_files(const RunFile& file);

// Whether the model's H_0(k) carries orbital-position phases (model_traits.hpp), H_0(k + G) = V H_0(k) V†.
bool has_orbital_phases(const TaskContext& ctx);
// Those orbitals' positions τ_α in the cell (H_αβ(k) = Σ_R e^{ik·(R + τ_β − τ_α)} t_αβ(R)); zeros
// for a model in the periodic gauge.
void orbital_positions(const TaskContext& ctx, double tau[2][3]);

// Whether H is periodic in k with the texture's exchange field: a model with orbital-position
// phases (model_traits.hpp) has H_0(k + G) = V H_0(k) V† with a V that does not commute with an
// in-plane exchange field, so only an exchange along z (or none) keeps H(k + G) ~ H(k).
bool periodic_in_k(const TaskContext& ctx, const TextureTerms& t);

// The period along Cartesian axis a (0, 1, 2) of what the curvatures see: m(r) alone
// (spin_texture_period), or m(r) with a modulated B_z(r) (curvature_period; U(r) enters no
// curvature). That is the square cell's side L for a skyrmion lattice (x, y), a spiral's (x), a
// modulation's (its axis), the longer where both vary and it is a whole multiple of the other; 0
// where there is none (walls, isolated skyrmions, incommensurate periods); −1 along the axes
// neither varies along (any length is a period).
double spin_texture_period(const SpinTexture& t, int axis);
double curvature_period(const TextureTerms& t, int axis);
// The period of what the density sees: the curvatures' and the scalar potential's, in the same terms.
double density_period(const TextureTerms& t, int axis);

// A task's mesh integral over k is the same in every Brillouin-zone cell only if H is periodic in
// k (periodic_in_k): otherwise an InputError at [texture] kind.
void require_periodic_lattice(const TaskContext& ctx, const TextureTerms& t);

// The Bloch period of a uniform electric field: H(t + T) = H(t) when E T is a reciprocal vector.
// With E = e G_axis along one reciprocal basis vector of a lattice model, T = 1/|e| (ħ = e = 1);
// period 0 where there is none (no E, a continuum model, E along no single G_i, a mass ramp, a
// sliding texture).
struct PumpPeriod {
    double period = 0.0;
    int axis = -1;
};
PumpPeriod pump_period(const TaskContext& ctx, const TextureTerms& t);
// The period, or an InputError at `key` of `section` where there is none or it exceeds 1e12 ħ/energy
// (an E so weak that one period's rounding would dominate).
PumpPeriod require_pump_period(const TaskContext& ctx, const TextureTerms& t, const Section& section, const std::string& key);

// Whether the texture slides ([texture] velocity ≠ 0: m(r − v t)).
bool is_sliding(const TextureTerms& t);
// The period of H in t for a torus with a t axis: a sliding texture's, the least common multiple of
// P_a/|v_a| over the axes it slides and varies along (P_a its period there — with potential_slides
// the least common multiple of m(r)'s and U(r)'s, which slide together; the ratios fractions with denominators
// up to 64; no E and no mass_rate with it), otherwise the Bloch period of require_pump_period. An
// InputError at `key` where there is none.
double require_time_period(const TaskContext& ctx, const TextureTerms& t, const Section& section, const std::string& key,
                           bool potential_slides = false);

// The names of the phase-space axes, x^I for I = 0 … 6.
constexpr std::array<const char*, kPhaseCoords> kPhaseAxisNames{"x", "y", "z", "k1", "k2", "k3", "t"};

// A torus of phase space and time (tasks phase_space_chern, second_chern): `count` axes from
// [task] `key` (names from kPhaseAxisNames), each with its edge vector, a period of H — the
// texture's cell side along x or y (refused with a uniform B, or where the texture has none), a
// reciprocal vector along k_i (lattice models), the Bloch period along t (require_pump_period) — and
// the fixed point from [task] r, k (reduced for lattices) and t. InputErrors name the key.
struct PhaseAxes {
    std::vector<int> axes;  // the coordinate I of each axis
    std::vector<std::array<double, kPhaseCoords>> edge;
    double at[kPhaseCoords];
    double k_reduced[3];
};
PhaseAxes read_phase_axes(const TaskContext& ctx, const TextureTerms& texture, const std::string& key, int count);

// The mesh is over the kinetic momentum k = p + a(r, t), and a point's H is evaluated at
// p = k − a: the round trip loses |a| × 1e-16 of k. An InputError (at r or t) where |a| exceeds 1e6
// at any point (x, y, z, t), four numbers each.
// `position_key` names where the positions came from (default r).
void require_small_gauge_shift(const Section& task, const TextureTerms& t, const std::vector<double>& points,
                               const char* position_key = "r");

// The particles pumped per period through one lattice vector a_axis of a 2D lattice, from the
// integral q = ∫_0^T j dt (per unit length): n = (q × a_axis)·(a_o × a_axis)/|a_o × a_axis|, a_o the
// other lattice vector — positive towards a_o's side, so that n is the Chern number of the plane
// (t, k_o) (docs/textures.md).
double charge_per_chain(const ModelInfo& info, int axis, const std::array<double, 3>& q);

// [task] r: positions, three numbers each (at least one, at most max_count; default the origin).
std::vector<double> read_positions(const Section& task, long long max_count);

// [task] r and k: positions and canonical momenta p (reduced for lattices), lists of equal length
// or one of either shared by every point (at most max_count each; default the origins); per point
// (x, y, z, px, py, pz) with p Cartesian.
std::vector<std::array<double, 6>> read_phase_points(const TaskContext& ctx, long long max_count);

// The step of a momentum derivative by differences: 1e-4 of the mesh's shortest spanning vector.
double derivative_step(const Mesh& mesh);
// The step of a position derivative by differences: 1e-4 of the texture's shortest length (its
// radius, width or period, a B_modulation's period, a potential's period, width or table spacing;
// 1e-4 length units for a uniform texture).
double position_step(const TextureTerms& t);

// The warning where the gradient expansion fails (|𝓕| ≥ kFirstOrderLimit) on a fraction of the mesh
// at `point` (x, y, z, t), which `which` names ("point 3").
std::string first_order_warning(const double point[4], const std::string& which, double fraction);

// band_resolved's arrays: [point][level][band]… from one [point][level]… per band, for the first
// `points` points.
nlohmann::json bands_innermost(const std::vector<nlohmann::json>& band, std::size_t points);

}  // namespace bzint
