// Fermi-level scan in one pass over the mesh (the WannierBerri trick): each (k, band)
// drops its per-band quantities ("channels") into an energy histogram once; every
// chemical potential μ of the scan is then read off the histogram.
//
//  zero-temperature mode (T = 0): the bins are the gaps between the scan's levels
//  μ_0 < μ_1 < … < μ_{L−1}; bin b holds the states with μ_{b−1} ≤ ε < μ_b, so the Fermi
//  sea at μ_j is exactly the cumulative sum of bins 0..j (identical to a single-level run).
//
//  finite-temperature mode (T > 0): a fine grid of width h ≤ T/32 over
//  [μ_min − 40T, μ_max + 40T] plus an under- and an overflow bin. Each bin keeps the
//  moments Σq, Σq(ε−c), Σq(ε−c)² about its centre c, and the convolution with f or −∂f/∂ε
//  uses their Taylor expansion: the error is O((h/T)³) relative (docs/fermi-scan.md).
#pragma once
#include "bzint/hd.hpp"
#include "bzint/semiclassical.hpp"
#include "bzint/two_band.hpp"

namespace bzint {

// Which band quantities a task accumulates. "sea" channels are weighted by f(ε − μ),
// "surface" channels by −∂f/∂ε.
enum class ScanKind : int { ahc = 0, cme = 1, anomaly = 2, dipole = 3, streda = 4, spin_density = 5, hybrid = 6 };

// Kinds whose states sit at the magnetic energies ε̄ = ε − m·B and, for spin_density, whose
// distribution is displaced by τE (semiclassical.hpp).
BZINT_HD bool uses_fields(ScanKind kind) { return kind == ScanKind::streda || kind == ScanKind::spin_density; }

constexpr int kMaxSea = 9;
constexpr int kMaxSurface = 9;

struct ScanChannels {
    int n_sea;
    int n_surface;
};

BZINT_HD ScanChannels scan_channels(ScanKind kind, int dim) {
    switch (kind) {
        case ScanKind::ahc: return {dim == 2 ? 1 : 3, 0};         // Ω^z  |  Ω^x, Ω^y, Ω^z
        case ScanKind::cme: return {1, 9};                         // v·Ω  |  v_i m^j
        case ScanKind::anomaly: return {0, 1};                     // v·Ω on the Fermi surface
        case ScanKind::dipole: return {0, dim == 2 ? 2 : 9};       // v_a Ω^z  |  v_a Ω^b
        case ScanKind::streda: return {dim == 2 ? 2 : 4, dim == 2 ? 1 : 3};  // 1, Ω^c  |  m^c
        case ScanKind::spin_density: return {9, 3};                // spin_density_channels
        case ScanKind::hybrid: return {9, 3};  // −v_band, −v_hybrid, −v_remote  |  τ(E·∇E_i) ṽ_i (HybridScanFn)
    }
    return {0, 0};
}

// What one k-point of a scan knows: H and the band geometry at k, and the band geometry
// at the point where the distribution is evaluated (k + τE for spin_density, else k).
struct ScanPoint {
    TwoBandPoint h;
    BandGeometry g[2];
    BandGeometry at_f[2];
};

// The energy at which band n of this point enters the histogram: ε̄_n = ε_n − m_n·B at the
// distribution's point for the field kinds (SU(N) paper Eq. 12), ε_n otherwise.
BZINT_HD double scan_energy(ScanKind kind, const ScanPoint& p, int n, const ScanFields& fields) {
    return uses_fields(kind) ? p.at_f[n].energy - dot3(p.at_f[n].m, fields.B) : p.g[n].energy;
}

// The channel values of one band from its geometry alone (every kind but spin_density):
// sea[0..n_sea), surface[0..n_surface). Two-band and N-band scans share it.
BZINT_HD void band_scan_values(ScanKind kind, int dim, const BandGeometry& g, double* sea, double* surface) {
    switch (kind) {
        case ScanKind::ahc:
            if (dim == 2) {
                sea[0] = g.omega[2];
            } else {
                for (int c = 0; c < 3; ++c) sea[c] = g.omega[c];
            }
            break;
        case ScanKind::cme:
            sea[0] = dot3(g.v, g.omega);
            for (int i = 0; i < 3; ++i)
                for (int j = 0; j < 3; ++j) surface[3 * i + j] = g.v[i] * g.m[j];
            break;
        case ScanKind::anomaly:
            surface[0] = dot3(g.v, g.omega);
            break;
        case ScanKind::dipole:
            if (dim == 2) {
                surface[0] = g.v[0] * g.omega[2];
                surface[1] = g.v[1] * g.omega[2];
            } else {
                for (int a = 0; a < 3; ++a)
                    for (int b = 0; b < 3; ++b) surface[3 * a + b] = g.v[a] * g.omega[b];
            }
            break;
        case ScanKind::streda:  // n(μ, B) = Σ_n ∫ (1 + B·Ω_n) f(ε̄_n); ∂n/∂B_c adds m^c (−∂f/∂ε)
            sea[0] = 1.0;
            if (dim == 2) {
                sea[1] = g.omega[2];
                surface[0] = g.m[2];
            } else {
                for (int c = 0; c < 3; ++c) {
                    sea[1 + c] = g.omega[c];
                    surface[c] = g.m[c];
                }
            }
            break;
        case ScanKind::spin_density:  // needs the two-band state: scan_values
        case ScanKind::hybrid:        // needs the hybridised bands: HybridScanFn
            break;
    }
}

// The channel values of band n of a two-band point.
BZINT_HD void scan_values(ScanKind kind, int dim, const ScanPoint& p, int n, const ScanFields& fields, double* sea,
                          double* surface) {
    if (kind == ScanKind::spin_density) {
        spin_density_channels(p.h, p.g, p.at_f[n].v, n, fields, sea, surface);
    } else {
        band_scan_values(kind, dim, p.g[n], sea, surface);
    }
}

// Adaptive refinement of a Fermi scan: mesh points where some band has a curvature component
// above `threshold` (length²) are replaced by an m^d sub-grid of their cell (per_k.hpp RefineFn).
struct Refine {
    double threshold = 0.0;  // ≤ 0: off
    int m = 0;
};

// The energy bins (plain data, shared by both backends).
struct Binning {
    const double* levels;  // zero-T mode: the sorted scan levels (device or host pointer)
    int n_levels;          // > 0 selects zero-T mode
    double inv_step;       // zero-T mode, evenly spaced levels: 1/spacing (a first guess only), else 0
    double lo, h;          // finite-T mode: fine bins [lo + (b−1)h, lo + b h), b = 1..n_fine
    int n_fine;

    BZINT_HD int n_bins() const { return n_levels > 0 ? n_levels + 1 : n_fine + 2; }
    BZINT_HD int n_moments() const { return n_levels > 0 ? 1 : 3; }

    // The bin of energy e, and e minus the bin centre (finite-T mode; 0 otherwise).
    BZINT_HD int bin_of(double e, double& offset) const {
        offset = 0.0;
        if (n_levels > 0) {  // the number of levels ≤ e, decided by exact comparisons
            if (inv_step > 0.0) {  // evenly spaced: guess, then step to the exact bin
                // A NaN energy (a non-finite point, reported as such) goes to bin 0 on every backend:
                // !(x > 0) holds for NaN, so no NaN reaches the conversion to int (undefined).
                const double x = (e - levels[0]) * inv_step + 1.0;
                int b = !(x > 0.0) ? 0 : x >= n_levels ? n_levels : static_cast<int>(x);
                while (b > 0 && levels[b - 1] > e) --b;
                while (b < n_levels && levels[b] <= e) ++b;
                return b;
            }
            int lo_i = 0, hi_i = n_levels;
            while (lo_i < hi_i) {
                const int mid = (lo_i + hi_i) / 2;
                if (levels[mid] <= e) lo_i = mid + 1; else hi_i = mid;
            }
            return lo_i;
        }
        const double x = (e - lo) / h;
        if (!(x >= 0.0)) return 0;
        if (x >= static_cast<double>(n_fine)) return n_fine + 1;
        const int b = static_cast<int>(x);
        offset = e - (lo + (b + 0.5) * h);
        return b + 1;
    }
};

}  // namespace bzint
