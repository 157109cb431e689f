// The singularity detector of the mesh integrals (docs/accuracy.md, "A detector for band
// touchings near a mesh point"). A mesh point is near a band touching when, for a band next to a
// scanned level, the Berry flux through a mesh plaquette sampled at the point — bounded by
// |Ω_n|·A, A = Mesh::plaquette_area the largest plaquette of the mesh's steps, and equal to it
// for the plaquette facing Ω on a cubic mesh — exceeds kTouchingFlux. What that means, for a
// crossing H = v σ·q:
//  - next to a Weyl node at distance δ, |Ω| = 1/(2δ²): |Ω|·h² exceeds 50 for δ below
//    1/√(2·kTouchingFlux) = 0.1 of the spacing h;
//  - at a massive Dirac point of gap 2m, |Ω| = v²/(2m²): it fires for 2m < 0.2·v·h, the gap against
//    the spacing times the velocity — the curvature peak, of width m/v, is not resolved.
// Either way the point's plaquette carries nearly eight times (50/2π) the 2π that the whole node
// emits, so its sum is wrong by more than the node's share. The contributions of such points are
// kept apart in the histogram (per_k.hpp key_by_submesh), and the estimate is at least what
// leaving them out changes. The test costs three multiply-adds per band.
#pragma once
#include "bzint/fermi_scan.hpp"
#include "bzint/hd.hpp"
#include "bzint/mesh.hpp"
#include "bzint/two_band.hpp"

namespace bzint {

constexpr double kTouchingFlux = 50.0;

// Whether bands n and n + 1 have a scanned level between them — only then does a touching of
// the two reach the sums over occupied states (a pair below or above every level cancels in the
// sum): at T = 0 they fall in different bins; at T > 0 not both below the binned window (bin 0)
// nor both above it (the last bin). Arguments: the bins of their scan energies.
BZINT_HD bool pair_is_scanned(const Binning& bins, int bin_lower, int bin_upper) {
    if (bins.n_levels > 0) return bin_lower != bin_upper;
    const int last = bins.n_bins() - 1;
    return !(bin_lower == bin_upper && (bin_lower == 0 || bin_lower == last));
}

// The plaquette area A of a point of weight w: a mesh point (1) has the mesh's; a sub-point of
// adaptive refinement (1/m^d) stands for a cell m^d times smaller, whose plaquette is m² times
// smaller, w^(2/d) A; the refined point taken back out (−1) is judged as the mesh point it was,
// so that it leaves the section it went into.
BZINT_HD_INLINE double plaquette_of(const Mesh& mesh, double w) {
    if (!(w > 0.0 && w < 1.0)) return mesh.plaquette_area;
    return mesh.plaquette_area * (mesh.dim == 3 ? cbrt(w * w) : w);  // 1D has no plaquette (A = 0)
}

// The test above for the bands g[0..N) of one point (ascending energies), `plaquette` its A
// (plaquette_of); key[n] = bin·N + n is
// band n's histogram key (per_k.hpp keyed_band), so its bin is key[n]/N: some band with a scanned
// level on one side of it has |Ω_n|·A above kTouchingFlux (compared squared: no square root; the
// bins only for a band that passes).
BZINT_HD_INLINE bool near_band_touching(const BandGeometry* g, const int* key, int N, double plaquette, const Binning& bins) {
    const double limit = kTouchingFlux / plaquette;  // +inf in 1D: never
    const double limit2 = limit * limit;
    for (int n = 0; n < N; ++n) {
        if (!(dot3(g[n].omega, g[n].omega) > limit2)) continue;
        const int bin = key[n] / N;
        if ((n > 0 && pair_is_scanned(bins, key[n - 1] / N, bin)) || (n + 1 < N && pair_is_scanned(bins, bin, key[n + 1] / N)))
            return true;
    }
    return false;
}

}  // namespace bzint
