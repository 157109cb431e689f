// The carriers a beam's Boltzmann transport leaves out (docs/textures.md "Other carriers"): its
// transport is that of its band's pocket about k_0 alone, so where other bands have values in the
// energies it averages over (μ at T = 0, the thermal window at T > 0), or its own band has another
// pocket below the window's top, the results say so.
#pragma once
#include <array>
#include <functional>
#include <string>
#include <vector>

namespace bzint {

// The momenta scanned at the beam's centre: a lattice's zone as kScanSide² points k_0 + (i G_1 +
// j G_2)/kScanSide (periodic, k_0 among them), or a continuum's square of half-side `reach` about
// k_0 in (kScanSide + 1)² points (k_0 its centre).
constexpr int kScanSide = 96;
struct CarrierScan {
    std::array<double, 2> origin{};   // k_0 (Cartesian)
    bool lattice = false;
    std::array<std::array<double, 2>, 2> reciprocal{};  // a lattice's G_1, G_2 (Cartesian, in the plane)
    std::array<std::array<double, 2>, 2> direct{};      // and its A_1, A_2: momenta are named in reduced coordinates k·A_i/2π
    double reach = 0.0;               // a continuum's half-side
};

// Per band other than `band` whose values on the scan reach [lo, hi] (a band is continuous: its
// range meets the window), "band b (its values span [min, max])"; and for `band` itself, where
// its momenta with ε ≤ hi form a region that is not connected (4 neighbours, periodic on a
// lattice) to those within `pocket` of k_0 (the pocket's largest |k − k_0|), "another pocket of
// band b: n momenta of the scan, the lowest ε at k" (a lattice's k reduced, a continuum's Cartesian). `energies(b, momenta)` gives band b's ε̄ at
// each momentum (not finite where it is not isolated: left out). Empty where there are none.
std::vector<std::string> other_carriers(const CarrierScan& scan, int bands, int band, double lo, double hi, double pocket,
                                        const std::function<std::vector<double>(int, const std::vector<std::array<double, 2>>&)>& energies);

}  // namespace bzint
