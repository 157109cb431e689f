// The Boltzmann transport of dilute, identical scatterers that all share one orientation, from
// beams of many directions of incidence (docs/textures.md "Aligned scatterers"): the linearised
// Boltzmann equation with the whole collision kernel the beams measure, solved in angular
// harmonics of the velocity's angle on the band's convex contour, each direction weighed by the
// contour's radius of curvature there.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "../model_registry.hpp"
#include "../task_registry.hpp"
#include "packet_beam.hpp"

namespace bzint {

// Fewer directions resolve too few of the kernel's harmonics: with D directions the harmonics
// |n| ≤ D/4 − 1 of the distribution are solved for (their couplings, harmonics |n − m| ≤ D/2 − 2
// of the kernel over the incidence angle, do not fold onto each other), and the estimate's rule
// over every other direction needs at least one (D/2 directions, |n| ≤ D/8 − 1).
constexpr int kFewestAlignedDirections = 16;
// At most this many harmonics: the solution's, driven at n = ±1 alone, fall off long before.
constexpr int kMostAlignedHarmonics = 15;

// For a 2D beam of D ≥ kFewestAlignedDirections directions (`incidence`: each direction's heading angle, `runs`: each
// direction's results): `aligned_conductivity_times_density` σ n_i and
// `aligned_resistivity_per_density` ρ/n_i [i][j] of scatterers all oriented as the beam's texture,
// with their estimates (the cross-sections' and the radii of curvature's estimates through the
// solve, and the change from the solution over every other direction); none where the contour is
// not closed or not convex (add_boltzmann_transport says why), and none, with a warning why, where
// a direction's `contour_curvature_radius` is missing or not positive within its estimate, or
// where the estimates reach the solution's size.
void add_aligned_transport(const std::vector<double>& incidence, const std::vector<TaskResult>& runs, const FermiContour& contour,
                           const ModelInfo& info, TaskResult& out);

// From each beam's results (`runs`, in the nodes' order: NodeSum): each one's aligned transport in
// `aligned_<key>_by_<what>`, and the sum of the conductivity (node_sum) with its inverse; nothing
// where no beam has it, a warning where some lack it.
void add_aligned_summed_transport(const NodeSum& sum, const std::vector<TaskResult>& runs, const ModelInfo& info, TaskResult& out);

// Writes `aligned_conductivity_times_density` σ n_i with its estimate, and its inverse
// `aligned_resistivity_per_density` ρ/n_i with |Δρ| ≲ |ρ| |Δσ| |ρ|/(1 − ‖|ρ| |Δσ|‖_∞) (omitted, with
// a warning, from ‖|ρ| |Δσ|‖_∞ = 1/2 on); `conditions` ends each unit (the temperature and what σ
// is computed from); σ n_i in e²/h per L^power (2: a 2D pocket's; 3: tubes in a 3D one).
void put_aligned_transport(const Matrix2& sigma, const Matrix2& error, const std::string& conditions, const ModelInfo& info,
                           TaskResult& out, int power = 2);

}  // namespace bzint
