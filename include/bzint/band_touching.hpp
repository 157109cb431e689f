// The singularity detector of the mesh integrals (docs/accuracy.md, "Band touchings near a mesh
// point"). A mesh point is near a band touching when, for a band next to a scanned level, the
// Berry flux through one mesh plaquette sampled at the point, |Ω_n·(s_a × s_b)| (s_a = G_a/N_a
// the mesh's steps), exceeds kTouchingFlux. What that means, for a crossing H = v σ·q:
//  - next to a Weyl node at distance δ, Ω = q̂/(2δ²): the flux reaches h²/(2δ²), so the test
//    fires for δ below 1/√(2·kTouchingFlux) = 0.1 of the spacing h;
//  - at a massive Dirac point of gap 2m, Ω = v²/(2m²): it fires for 2m < 0.2·v·h, the gap against
//    the spacing times the velocity — the curvature peak, of width m/v, is not resolved.
// Either way the point's own plaquette carries more than eight times the 2π that the whole node
// emits, so its sum is wrong by more than the node's share. The contributions of such points are
// kept apart in the histogram (per_k.hpp key_by_submesh), and the estimate is at least what
// leaving them out changes.
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

// The largest Berry flux of band geometry g through a plaquette of the mesh's axes.
BZINT_HD double plaquette_flux(const BandGeometry& g, const Mesh& mesh) {
    double flux = 0.0;
    for (int a = 0; a < mesh.dim; ++a)
        for (int b = a + 1; b < mesh.dim; ++b) {
            double s_a[3], s_b[3];
            for (int c = 0; c < 3; ++c) {
                s_a[c] = mesh.basis[a][c] * mesh.inv_n[a];
                s_b[c] = mesh.basis[b][c] * mesh.inv_n[b];
            }
            const double n[3] = {s_a[1] * s_b[2] - s_a[2] * s_b[1], s_a[2] * s_b[0] - s_a[0] * s_b[2],
                                 s_a[0] * s_b[1] - s_a[1] * s_b[0]};
            flux = fmax(flux, fabs(dot3(g.omega, n)));
        }
    return flux;
}

// The test above for the bands g[0..N) of one point (ascending energies), bin[n] the bin of band
// n's scan energy: some band with a scanned level on one side of it has a plaquette flux above
// kTouchingFlux.
BZINT_HD bool near_band_touching(const BandGeometry* g, const int* bin, int N, const Mesh& mesh, const Binning& bins) {
    for (int n = 0; n < N; ++n) {
        const bool scanned = (n > 0 && pair_is_scanned(bins, bin[n - 1], bin[n])) ||
                             (n + 1 < N && pair_is_scanned(bins, bin[n], bin[n + 1]));
        if (scanned && !(plaquette_flux(g[n], mesh) <= kTouchingFlux)) return true;
    }
    return false;
}

}  // namespace bzint
