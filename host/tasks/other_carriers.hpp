// The carriers a beam's Boltzmann transport leaves out (docs/textures.md "Other carriers"): its
// transport is that of its band's pocket about k_0 alone, so where other bands have values in the
// energies it averages over (μ at T = 0, the thermal window at T > 0), or its own band has another
// pocket below the window's top, the results say so.
#pragma once
#include <array>
#include <functional>
#include <string>
#include <vector>

#include "momentum.hpp"

namespace bzint {

// The momenta scanned at the beam's centre, in d = 2 (a 2D beam: the plane of k_0's k_z) or 3
// dimensions (a 3D pocket's tubes): a lattice's zone as n^d points k_0 + Σ_a (i_a/n) G_a
// (periodic, k_0 among them), or a continuum's square or cube of half-side `reach` about k_0 in
// (n + 1)^d points (k_0 its centre); n = scan_side(d), 96 in the plane and 32 in space (9216 or
// 9409 points; 32768 or 35937).
int scan_side(int dim);
struct CarrierScan {
    int dim = 2;
    Momentum origin{};                   // k_0 (Cartesian)
    bool lattice = false;
    std::array<Momentum, 3> reciprocal{};  // a lattice's G_a (Cartesian; the first `dim` of them)
    std::array<Momentum, 3> direct{};      // and its A_a: momenta are named in reduced coordinates k·A_a/2π
    double reach = 0.0;                  // a continuum's half-side
};

// Per band other than `band` whose values on the scan reach [lo, hi] (a band is continuous: its
// range meets the window), "band b (its values span [min, max])"; and for `band` itself, where
// its momenta with ε ≤ hi form a region that is not connected (2d neighbours, periodic on a
// lattice) to those within `pocket` of k_0 (the pocket's largest |k − k_0|), "another pocket of
// band b: n momenta of the scan, the lowest ε at k" (a lattice's k reduced, a continuum's
// Cartesian; d components). `energies(b, momenta)` gives band b's ε̄ at each momentum (not finite
// where it is not isolated: left out). Empty where there are none. A pocket smaller than the
// scan's spacing may fall between its points.
std::vector<std::string> other_carriers(const CarrierScan& scan, int bands, int band, double lo, double hi, double pocket,
                                        const std::function<std::vector<double>(int, const std::vector<Momentum>&)>& energies);

}  // namespace bzint
