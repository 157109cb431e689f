// The bottom of a band's pocket about k_0, where a beam's thermal window reaches below the band
// (docs/textures.md "The transport at T > 0"): below that energy the pocket holds no carriers, and
// its Boltzmann conductivity is 0 exactly.
#pragma once
#include <functional>
#include <string>

#include "momentum.hpp"

namespace bzint {

struct PocketBottom {
    bool found = false;
    std::string reason;             // why not
    Momentum k{};                   // its momentum (k_z that of k_0 where the search is in the plane)
    double k_error = 0.0;           // the momentum's estimate (its length)
    double energy = 0.0, error = 0.0;
    bool tip = false;               // a cone's tip (a touching, where the band is not finite), not a smooth minimum
};

// The band ε̄(k) (`energy`: not finite where the band is not isolated) descended from k_0 to its
// local minimum over the first `dim` components of k (2: in the plane of k_0's k_z; 3: in space).
// Where ε̄(k_0) is finite: Newton's steps on its central differences at h = 1e-4 `scale` (the
// pocket's size at the beam's energy, k_F), each at most scale/4 and halved until ε̄ falls (so the
// search usually stays in k_0's basin: a step may cross a barrier thinner than scale/4), until a
// step is below 1e-10 scale; then one Newton step on the Richardson gradient removes the
// differences' bias (its length the momentum's estimate). The energy's estimate is the Newton
// steps' gain left (gᵀH⁻¹g/2) plus the differences' rounding (a momentum component below the
// momentum's estimate is read as 0). Where ε̄(k_0) is not finite (a touching): k_0 is the bottom
// where ε̄ rises from it along every direction of a star (8 in the plane; in space the 6 axes' and
// the 8 cube diagonals'; and −τ̂, a tilted cone's steepest descent, so that one tilted over is no
// bottom), its energy the linear extrapolation 2ε̄(ρ) − ε̄(2ρ) at ρ = 1e-6 scale
// (exact for a cone), the estimate their spread plus the change from the extrapolation at 2ρ, 4ρ
// (the curvature's bias). A flat or quartic bottom, whose differences' Hessian rounding makes
// indefinite, is refused. Not found (with the reason) where the descent reaches a point where the
// band is not finite, ends at a saddle, or takes more than 200 steps.
PocketBottom pocket_bottom(Momentum k0, int dim, double scale, const std::function<double(const Momentum&)>& energy);

}  // namespace bzint
