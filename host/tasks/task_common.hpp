// Helpers shared by the task implementations.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "../engine.hpp"
#include "../error_estimate.hpp"
#include "../model_registry.hpp"
#include "bzint/fermi_scan.hpp"
#include "../task_registry.hpp"

namespace bzint {

// The integration mesh from [mesh] n; a missing [mesh] is an error naming the task.
Mesh require_mesh(const TaskContext& ctx);
// An error unless the model's dimension is one of those allowed.
void require_dim(const TaskContext& ctx, int lo, int hi);
// [task] T ≥ 0 (default 0).
double read_temperature(const TaskContext& ctx);
// Refuses (InputError on [task] mu) a Fermi scan whose histograms would not fit in memory: per
// worker thread two histograms of one row of keyed values per band and energy bin (fermi_scan.hpp).
void require_scan_memory(const TaskContext& ctx, ScanKind kind, const std::vector<double>& mu, double T);
// A field vector [task] key: a number (B_z) for a 2D model's magnetic field, otherwise d
// (or 3) Cartesian components; missing → zero.
std::array<double, 3> read_magnetic_field(const TaskContext& ctx, const std::string& key);
std::array<double, 3> read_in_plane_vector(const TaskContext& ctx, const std::string& key);
// A list of magnetic fields: numbers (B_z) for 2D models, 3-vectors for 3D models.
std::vector<std::array<double, 3>> read_magnetic_fields(const TaskContext& ctx, const std::string& key);
// Conductivities: the factor from e²/h (2D) or e²/(h · length unit) (3D) to the reported unit,
// and its name — S/cm for Wannier models (e²/(h Å) = 3874.045865 S/cm), else unchanged.
double conductivity_factor(const ModelInfo& m);
std::string conductivity_unit(const ModelInfo& m, int dim);
// Unit texts for this model's energies and lengths.
std::string energy_unit(const ModelInfo& m);
std::string length_unit(const ModelInfo& m);          // "a" (lattices) or "L" (continuum)
std::string length_unit_meaning(const ModelInfo& m);  // what that symbol means
// The units of the band geometry at a point (task berry; Python's band_geometry): energy, band
// velocity ∂ε/∂k, Berry curvature, orbital moment.
struct GeometryUnits {
    std::string energy, velocity, omega, moment;
};
GeometryUnits geometry_units(const ModelInfo& m);

// A 2D plane's Chern numbers as a task's results (tasks chern and phase_space_chern): chern,
// chern_fhs, chern_manifold and smallest_gap per band, their error estimates (docs/accuracy.md),
// a warning for a gap that closes on the plane, and the chern table.
TaskResult chern_plane_result(const ChernPlane& plane, const std::string& energy_unit);

// The smallest gap met, bracketed by its power sums S_p = Σ g^−p, S_2p = Σ g^−2p (per_k.hpp
// gap_powers): lower ≤ min g ≤ upper; lower = 0 when a point sat at the floor kGapFloor (the bands
// may touch there).
struct GapBracket {
    double lower, upper;
};
GapBracket gap_bracket(double s_p, double s_2p);

// Two judgements of a pass's Fermi surface, from the band states at ≤ 4096 points of `mesh` (a
// sub-grid spread along every axis), sampled once, when the first is asked for.
// - smearing_warning: a Fermi-surface term at T > 0 is resolved by the mesh when the energy step
//   between neighbouring points, spacing × band velocity at the Fermi level, is a few T at most;
//   beyond kResolvedSmearing·T the smearing is sampled like a T = 0 step and the sub-mesh estimate
//   can miss the error (docs/accuracy.md). The velocity is the largest |v| among the sampled states
//   within 10T of a level. A warning naming `term` and the mesh that would resolve it, or none.
// - step: whether the occupations jump between neighbouring points at some level: at T = 0 a
//   level inside a band's sampled range, at T > 0 a smearing the mesh does not resolve. One pass's
//   estimate can then fall short of its error, and the tolerance loop checks it against a second
//   pass (TaskResult::fermi_step).
constexpr double kResolvedSmearing = 4.0;
class FermiSurfaceCheck {
public:
    FermiSurfaceCheck(const TaskContext& ctx, const Mesh& mesh, const std::vector<double>& mu, double T);
    std::vector<std::string> smearing_warning(const std::string& term) const;
    bool step() const;

private:
    const std::vector<BandGeometry>& states() const;
    const TaskContext& ctx_;
    const Mesh& mesh_;
    const std::vector<double>& mu_;
    double T_;
    mutable bool sampled_ = false;
    mutable std::vector<BandGeometry> states_;
};

// A task's results from its Fermi scans, format(scans), with their error estimate: the same
// results from the scans' coarse sub-mesh sums of the same passes, differenced, and from the sums
// without the points near a band touching where a scan met any (error_estimate.hpp,
// docs/accuracy.md).
template <class Format>
TaskResult with_scan_errors(const std::vector<ScanResult>& scans, Format format) {
    TaskResult out = format(scans);
    std::vector<ScanResult> coarse, without;
    bool touching = false;
    for (const ScanResult& s : scans) {
        if (s.coarse) coarse.push_back(*s.coarse);
        touching = touching || s.without_touching;
    }
    if (touching)
        for (const ScanResult& s : scans) without.push_back(s.without_touching ? *s.without_touching : s);
    const TaskResult w = touching ? format(without) : TaskResult{};
    if (coarse.size() == scans.size()) {
        const TaskResult c = format(coarse);
        attach_errors(out, &c, touching ? &w : nullptr);
    } else {
        attach_errors(out, nullptr, touching ? &w : nullptr);
    }
    return out;
}

}  // namespace bzint
