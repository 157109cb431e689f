// Before a scan trusts [mesh] symmetry, the model must have it (docs/symmetry.md): at random
// k-points, for each generator g, the band energies at k and g·k must agree, and the Berry
// curvature and the orbital moment must transform as axial vectors odd under time reversal,
// Ω(g·k) = s det(R) R Ω(k) (point_group.hpp). Degenerate bands are compared through the sums of Ω over the bands below
// each gap (gauge invariant). A model that fails is refused, naming the generator and its
// largest deviation; the check is never relaxed to let a nearly symmetric model through, since
// the reduced result would then differ from the full mesh's by more than its stated accuracy.
#pragma once
#include <string>
#include <vector>

#include "bzint/models/all.hpp"
#include "point_group.hpp"

namespace bzint {

// The largest deviations allowed: energies 1e-6 of 1 + max|ε|; the curvature sums 1e-4 of the
// largest |S_n| met at the test points (or of a², a the lattice's length scale, when the curvature
// vanishes by symmetry, e.g. with inversion and time reversal). Wannier90 prints H(R) to 1e-6 eV,
// so a symmetrised hr.dat keeps defects of that size; the curvature magnifies them by about the
// band width over the gaps at the test points. The reduced result then differs from the full
// mesh's by about the defect, which the output reports (results.symmetry.model_defect).
constexpr double kEnergyTolerance = 1e-6;
constexpr double kCurvatureTolerance = 1e-4;

struct SymmetryDefect {
    double energy = 0.0;         // max |ε_n(g·k) − ε_n(k)| (the model's energy unit)
    double energy_rel = 0.0;     // the same over 1 + max|ε|
    double curvature_rel = 0.0;  // max |S_n(g·k) − D S_n(k)| over the scale above, S_n = Σ_{m≤n} Ω_m
    double moment_rel = 0.0;     // the same for the orbital moment m (cme's K tensor), floor a²(1 + max|ε|)
    double k[3] = {0.0, 0.0, 0.0};  // where the larger relative deviation was met (Cartesian)
};

// The deviations of one operation at `count` pseudo-random k-points of the cell spanned by the
// first `dim` rows of `reciprocal` (CPU backend).
SymmetryDefect symmetry_defect(const ModelParams& model, const PointOp& g, const double reciprocal[3][3], int dim,
                               int count = 24);

// Throws InputError (`where`, the generator's name and its deviations, `energy_unit`) unless each
// generator's defect is within the tolerances; returns the largest of them.
SymmetryDefect check_model_symmetry(const ModelParams& model, const std::vector<PointOp>& generators, const double reciprocal[3][3],
                          int dim, const std::string& energy_unit, const std::string& where);

}  // namespace bzint
