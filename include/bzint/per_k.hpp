// The per-k routines every backend launches (one source: the CPU loop in
// host/cpu_launch.hpp and the CUDA kernels in kernels/ call exactly these).
// Each is a small functor on plain data, templated on the concrete model so the model's
// H(k) is inlined into the loop.
#pragma once
#include <cstdint>

#include "bzint/band_touching.hpp"
#include "bzint/fermi_scan.hpp"
#include "bzint/hybrid_bands.hpp"
#include "bzint/mesh.hpp"
#include "bzint/models/wannier.hpp"
#include "bzint/nband_geometry.hpp"
#include "bzint/two_band.hpp"

namespace bzint {

constexpr int kMaxKeyedValues = (kMaxSea + kMaxSurface) * 3;

// Up to E keyed contributions of one k-point to a histogram (key = bin·bands + band, or
// plane), V values each. A functor names its type as Out; the launchers read Out::entries.
template <int E, int V = kMaxKeyedValues>
struct KeyedOutT {
    static constexpr int entries = E;
    int n;
    bool hot = false;  // the point asks for adaptive refinement (Fermi scans with refine_above > 0)
    bool near_touching = false;  // the point lies near a band touching (band_touching.hpp)
    int key[E];
    double val[E][V];
};

// A Fermi scan's histogram has two halves, so that one pass over the mesh gives the error
// estimate of docs/accuracy.md: key 2k holds bin-and-band k for the points off the coarse
// sub-mesh (Mesh::on_coarse), key 2k + 1 for the points on it (interleaved, so that the two
// share cache lines and the histogram's working set stays that of one). The mesh's sum is both,
// the coarser sub-mesh's the odd keys alone.
//
// A scan whose functor is `sectioned` keeps the points near a band touching (band_touching.hpp)
// apart as well, so that the sums without them are known: such a key goes to a section of its
// own. The two sections alternate in runs of kSectionRun keys (sectioned_key): the ordinary keys
// then spread over the whole key range, as the CPU reducer's parallel fold by key stripes needs,
// while the rarely touched runs between them stay out of the cache.
constexpr int kSectionRun = 64;
BZINT_HD int sectioned_key(int k2, bool touching) {
    return (k2 / kSectionRun) * (2 * kSectionRun) + (touching ? kSectionRun : 0) + k2 % kSectionRun;
}
// The key count for k2 in [0, keys2).
BZINT_HD int sectioned_keys(int keys2) { return (keys2 + kSectionRun - 1) / kSectionRun * (2 * kSectionRun); }

template <class Out>
BZINT_HD void key_by_submesh(const Mesh& mesh, const long long i[3], Out& out, bool sectioned) {
    const int odd = mesh.on_coarse_at(i) ? 1 : 0;
    for (int e = 0; e < out.n; ++e) {
        const int k2 = 2 * out.key[e] + odd;
        out.key[e] = sectioned ? sectioned_key(k2, out.near_touching) : k2;
    }
}

// The weight of mesh point idx in a scan: 1 — or, on the irreducible mesh of [mesh] symmetry
// (host/symmetry/irreducible_mesh.hpp), its star's size orbit[idx], and false (with `out` emptied)
// off the stars' representatives (orbit 0). Symmetric scans run on the CPU backend only
// (host/engine.cpp): the device kernels carry no branch for them.
template <class Out>
BZINT_HD bool star_weight(const std::uint8_t* orbit, long long idx, Out& out, double& w) {
    w = 1.0;
#ifndef __CUDA_ARCH__
    if (!orbit) return true;
    w = orbit[idx];
    if (w > 0.0) return true;
    out.n = 0;
    out.hot = out.near_touching = false;
    return false;
#else
    (void)orbit, (void)idx, (void)out;
    return true;
#endif
}
// Mesh point idx of a scan functor, at its weight.
template <class Fn>
BZINT_HD bool scan_mesh_point(const Fn& fn, long long idx, typename Fn::Out& out) {
    double w;
    if (!star_weight(fn.orbit, idx, out, w)) return true;
    long long i[3];
    fn.mesh.indices(idx, i);
    double k[3];
    fn.mesh.k_at_indices(i, k);
    const bool finite = fn.at(k, w, out);
    key_by_submesh(fn.mesh, i, out, Fn::sectioned);
    return finite;
}

// Whether a point asks for adaptive refinement ([task] refine): its largest |Ω| exceeds the
// threshold — except, in 2D, a point near a band touching. A gap far below the sub-grid's spacing
// h/m keeps its crossing's whole Berry flux (half a quantum) within gap/velocity of the point, so
// sub-points off it would miss that flux without being flagged themselves; the point instead stays
// on the mesh, flagged, its contribution in the estimate (docs/accuracy.md). In 3D a node is
// integrable and an even sub-grid is right.
BZINT_HD_INLINE bool asks_refinement(double hottest, double refine_above, bool near_touching, int dim) {
    return refine_above > 0.0 && hottest > refine_above && !(near_touching && dim == 2);
}

// Band `band` of `bands` at energy e with channel values q[0..nch) into entry `band` of out:
// the key is its bin, the values the moments weight·q·x^m (x = e − bin centre, finite-T mode).
template <class Out>
BZINT_HD bool keyed_band(const Binning& bins, double e, const double* q, int nch, int band, int bands, double weight,
                         Out& out) {
    const int nmom = bins.n_moments();
    double x;
    out.key[band] = bands * bins.bin_of(e, x) + band;
    bool finite = is_finite(e);
    for (int c = 0; c < nch; ++c) {
        finite = finite && is_finite(q[c]);
        double v = weight * q[c];
        for (int mom = 0; mom < nmom; ++mom) {
            out.val[band][c * nmom + mom] = v;
            v *= x;
        }
    }
    return finite;
}

// Fermi-scan contributions: for each band, the bin of its scan energy and the channel moments.
template <class Model>
struct ScanFn {
    Model model;
    Mesh mesh;
    ScanKind kind;
    Binning bins;
    ScanFields fields;

    double refine_above;  // > 0: flag points with max_n |Ω_n| above it for refinement
    const std::uint8_t* orbit = nullptr;  // [mesh] symmetry: the stars' sizes (scan_mesh_point); null: none
    using Out = KeyedOutT<2>;
    BZINT_HD int n_values() const {
        const ScanChannels ch = scan_channels(kind, mesh.dim);
        return (ch.n_sea + ch.n_surface) * bins.n_moments();
    }
    // with the sub-mesh and the points near a band touching: key_by_submesh
    static constexpr bool sectioned = true;
    BZINT_HD int n_keys() const { return sectioned_keys(2 * (2 * bins.n_bins())); }

    // H and the geometry at k, and where the distribution is evaluated.
    BZINT_HD void point(const double k[3], ScanPoint& p) const {
        model(k, p.h);
        two_band_geometry(p.h, p.g);
        const bool shifted = kind == ScanKind::spin_density &&
                             (fields.shift[0] != 0.0 || fields.shift[1] != 0.0 || fields.shift[2] != 0.0);
        if (shifted) {
            const double ks[3] = {k[0] + fields.shift[0], k[1] + fields.shift[1], k[2] + fields.shift[2]};
            TwoBandPoint hs;
            model(ks, hs);
            two_band_geometry(hs, p.at_f);
        } else {
            p.at_f[0] = p.g[0];
            p.at_f[1] = p.g[1];
        }
    }

    // The contributions of the point k with weight w (1 for a mesh point). Returns false when
    // a value is not finite (a degeneracy on the mesh).
    BZINT_HD bool at(const double k[3], double w, Out& out) const {
        ScanPoint p;
        point(k, p);
        const ScanChannels ch = scan_channels(kind, mesh.dim);
        bool finite = true;
        out.n = 2;
        for (int band = 0; band < 2; ++band) {
            double q[kMaxSea + kMaxSurface];
            scan_values(kind, mesh.dim, p, band, fields, q, q + ch.n_sea);
            finite = keyed_band(bins, scan_energy(kind, p, band, fields), q, ch.n_sea + ch.n_surface, band, 2, w, out) &&
                     finite;
        }
        out.near_touching = near_band_touching(p.g, out.key, 2, plaquette_of(mesh, w), bins);
        out.hot = asks_refinement(fmax(max_abs_curvature(p.g[0]), max_abs_curvature(p.g[1])), refine_above,
                                  out.near_touching, mesh.dim);
        return finite;
    }
    BZINT_HD bool operator()(long long idx, Out& out) const { return scan_mesh_point(*this, idx, out); }
};

// The N bands g[0..N) of a point binned at their energies — at ε − m·B for streda — with the
// channels of `kind`, weight w; the band-touching and refinement flags. Shared by the N-band scan
// functors of every size (NBandScanFn, and RuntimeWannierScanFn of large Wannier models).
template <class Out>
BZINT_HD bool bin_band_geometry(const BandGeometry* g, int N, ScanKind kind, const Mesh& mesh, const Binning& bins,
                                const ScanFields& fields, double refine_above, double w, Out& out) {
    bool finite = true;
    const ScanChannels ch = scan_channels(kind, mesh.dim);
    out.n = N;
    double hottest = 0.0;
    for (int band = 0; band < N; ++band) {
        double q[kMaxSea + kMaxSurface];
        band_scan_values(kind, mesh.dim, g[band], q, q + ch.n_sea);
        const double e = kind == ScanKind::streda ? g[band].energy - dot3(g[band].m, fields.B) : g[band].energy;
        finite = keyed_band(bins, e, q, ch.n_sea + ch.n_surface, band, N, w, out) && finite;
        hottest = fmax(hottest, max_abs_curvature(g[band]));
    }
    out.near_touching = near_band_touching(g, &out.key[0], N, plaquette_of(mesh, w), bins);
    out.hot = asks_refinement(hottest, refine_above, out.near_touching, mesh.dim);
    return finite;
}

// The Fermi scan of an N-band model: every band binned at its energy — at ε − m·B for streda
// (kinds whose channels need only the band geometry: ahc, cme, anomaly, dipole, streda).
template <class Model>
struct NBandScanFn {
    static constexpr int N = Model::bands;
    // these kinds use at most 1 + 9 channels × 3 moments.
    using Out = KeyedOutT<N, 30>;
    Model model;
    Mesh mesh;
    ScanKind kind;
    Binning bins;
    ScanFields fields;    // B for streda
    double refine_above;  // > 0: flag points with max_n |Ω_n| above it for refinement
    const std::uint8_t* orbit = nullptr;  // [mesh] symmetry: the stars' sizes (scan_mesh_point); null: none

    BZINT_HD int n_values() const {
        const ScanChannels ch = scan_channels(kind, mesh.dim);
        return (ch.n_sea + ch.n_surface) * bins.n_moments();
    }
    // with the sub-mesh and the points near a band touching: key_by_submesh
    static constexpr bool sectioned = true;
    BZINT_HD int n_keys() const { return sectioned_keys(2 * (N * bins.n_bins())); }

    BZINT_HD bool at(const double k[3], double w, Out& out) const {
        NBandPoint<N> h;
        model(k, h);
#ifndef __CUDA_ARCH__  // Wannier models with their position matrix run on the CPU only
        if constexpr (HasPositionConnection<Model>::value) {
            if (model.d.r) {  // the WYSV curvature (position_curvature.hpp)
                NBandEigen<N> s;
                const bool ok = nband_eigen<N>(h, s);
                BandGeometry g[N];
                kubo_geometry<N>(s, g);
                PositionConnection<N> c;
                model.position_connection(k, c);
                add_position_curvature<N>(s, c, g);
                return bin_geometry(g, w, out) && ok;
            }
        }
#endif
        return at_point(h, w, out);
    }
    // The same from H and ∂H already evaluated (the Wannier FFT path, TabulatedFn).
    BZINT_HD bool at_point(const NBandPoint<N>& h, double w, Out& out) const {
        BandGeometry g[N];
        const bool finite = nband_geometry<N>(h, g);
        return bin_geometry(g, w, out) && finite;
    }
    // Point i of a Wannier model's FFT table (TabulatedFn), before the model's finish().
    BZINT_HD bool at_tabulated(const cplx* table, long long ld, int W, long long i, const double k[3], double w,
                               Out& out) const {
        NBandPoint<N> h;
        read_tabulated<N>(table, ld, W, i, h);
        model.finish(k, h);
        return at_point(h, w, out);
    }
    BZINT_HD bool bin_geometry(const BandGeometry (&g)[N], double w, Out& out) const {
        return bin_band_geometry(g, N, kind, mesh, bins, fields, refine_above, w, out);
    }
    BZINT_HD bool operator()(long long idx, Out& out) const { return scan_mesh_point(*this, idx, out); }
};

// Slot `slot` of `bands` as a Fermi-scan entry (HybridScanFn below): keyed by its energy, the
// sea channels −v_band, −v_hybrid, −v_remote and the surface channels τ(E·∇E_i) ṽ_i.
template <class Out>
BZINT_HD bool keyed_hybrid_slot(const Binning& bins, const HybridSetup& s, double energy, const double v_band[3],
                                const double v_hybrid[3], const double v_remote[3], double slope, int slot, int bands,
                                double w, Out& out) {
    double q[12];
    for (int a = 0; a < 3; ++a) {
        q[a] = -v_band[a];
        q[3 + a] = -v_hybrid[a];
        q[6 + a] = -v_remote[a];
        q[9 + a] = s.tau * slope * (v_band[a] + v_hybrid[a] + v_remote[a]);
    }
    return keyed_band(bins, energy, q, 12, slot, bands, w, out);
}

// The non-adiabatic current of hybridised bands (hybrid_bands.hpp) as a Fermi scan: per slot
// the energy E_i keys the bin; the sea channels are −v_band, −v_hybrid, −v_remote (J from g0 =
// f(E_i), Eq. 60) and the surface channels τ(E·∇E_i) ṽ_i, weighted by −∂f/∂ε: the current of
// δg_i = −τ(−∂f/∂E)(E·∇E_i) (Eq. 57c with ħk̇ = −E). E·∇E_i by a central difference of the
// hybridised energies at k ± h Ê. Model: an N-band model (AsNBand for two-band ones).
template <class Model>
struct HybridScanFn {
    static constexpr int N = Model::bands;
    using Out = KeyedOutT<N, 36>;  // (9 + 3) channels × 3 moments
    Model model;
    Mesh mesh;
    Binning bins;
    HybridSetup setup;
    const std::uint8_t* orbit = nullptr;  // always null: the hybridised bands have no symmetry reduction

    BZINT_HD int n_values() const { return 12 * bins.n_moments(); }
    static constexpr bool sectioned = false;  // no curvature to diverge
    BZINT_HD int n_keys() const { return 2 * (N * bins.n_bins()); }  // with the sub-mesh: key_by_submesh

    BZINT_HD bool at(const double k[3], double w, Out& out) const {
        NBandPoint<N> h;
        model(k, h);
        HybridBands<N> hb;
        bool finite = hybrid_bands<N>(h, setup, hb);
        double slope[N], kp[3], km[3];
        for (int s = 0; s < N; ++s) slope[s] = 0.0;
        if (const double En = field_step_points(setup, k, kp, km); En > 0.0) {
            double e_plus[N], e_minus[N];
            model(kp, h);
            finite = hybrid_energies<N>(h, setup, e_plus) && finite;
            model(km, h);
            finite = hybrid_energies<N>(h, setup, e_minus) && finite;
            for (int s = 0; s < N; ++s) slope[s] = field_slope(setup, En, e_plus[s], e_minus[s]);
        }
        out.n = N;
        for (int s = 0; s < N; ++s)
            finite = keyed_hybrid_slot(bins, setup, hb.energy[s], hb.v_band[s], hb.v_hybrid[s], hb.v_remote[s], slope[s],
                                       s, N, w, out) &&
                     finite;
        return finite;
    }
    BZINT_HD bool operator()(long long idx, Out& out) const { return scan_mesh_point(*this, idx, out); }
};

// A scan functor fed with H and ∂H tabulated on a chunk of the mesh (the Wannier FFT path,
// host/wannier/wannier_fft.hpp): local point i of the chunk, in read_tabulated's layout
// (models/wannier.hpp), goes to the base functor's at_tabulated, which applies what follows the
// Fourier sum (orbital phases, padding); mesh_index(i) is its index on the whole mesh.
template <class Base>
struct TabulatedFn {
    using Out = typename Base::Out;
    Base base;
    const cplx* table;  // read_tabulated's layout (models/wannier.hpp)
    long long ld;
    int W;
    int nfft[3], div[3];  // chunk: nfft points per axis, every div-th mesh point from shift[]
    int shift[3];

    BZINT_HD long long mesh_index(long long i) const {
        const long long n2 = i % nfft[2], q = i / nfft[2];
        const long long n1 = q % nfft[1], n0 = q / nfft[1];
        const long long g0 = n0 * div[0] + shift[0], g1 = n1 * div[1] + shift[1], g2 = n2 * div[2] + shift[2];
        return (g0 * base.mesh.n[1] + g1) * base.mesh.n[2] + g2;
    }
    BZINT_HD int n_values() const { return base.n_values(); }
    BZINT_HD int n_keys() const { return base.n_keys(); }
    BZINT_HD bool operator()(long long i, Out& out) const {
        const long long idx = mesh_index(i);
        double w;
        if (!star_weight(base.orbit, idx, out, w)) return true;
        double k[3];
        base.mesh.k_of(idx, k);
        const bool finite = base.at_tabulated(table, ld, W, i, k, w, out);
        long long g[3];
        base.mesh.indices(idx, g);
        key_by_submesh(base.mesh, g, out, Base::sectioned);
        return finite;
    }
};

// Adaptive refinement (as postw90's berry_curv_adpt_kmesh): each flagged mesh point is
// replaced by an m^d sub-grid of its cell: entry s < m^d of point j is sub-point s with
// weight 1/m^d, entry m^d takes the mesh point itself back out with weight −1. m is even, so
// the sub-points sit at ±1/2m, ±3/2m, … of a spacing and none repeats the mesh point: refining
// every point gives the mesh of m times the density shifted by half its spacing.
template <class Base>
struct RefineFn {
    using Out = typename Base::Out;
    Base base;
    const long long* hot;  // flagged mesh indices (device pointer on CUDA)
    int m;

    BZINT_HD int sub_points() const {
        int s = 1;
        for (int a = 0; a < base.mesh.dim; ++a) s *= m;
        return s;
    }
    BZINT_HD int n_values() const { return base.n_values(); }
    BZINT_HD int n_keys() const { return base.n_keys(); }
    BZINT_HD bool operator()(long long i, Out& out) const {
        const int S = sub_points();
        const long long j = i / (S + 1);
        const int s = static_cast<int>(i - j * (S + 1));
        long long n[3];
        base.mesh.indices(hot[j], n);
        double frac[3];
        int sub = s;
        for (int a = 0; a < 3; ++a) {
            double offset = 0.0;
            if (s < S && a < base.mesh.dim) {
                offset = ((sub % m) + 0.5) / m - 0.5;
                sub /= m;
            }
            frac[a] = (static_cast<double>(n[a]) + base.mesh.shift + offset) * base.mesh.inv_n[a];
        }
        double k[3];
        base.mesh.k_at(frac, k);
        // The weight tells the band-touching detector the point's cell (band_touching.hpp plaquette_of).
        const bool ok = base.at(k, s < S ? 1.0 / S : -1.0, out);
        key_by_submesh(base.mesh, n, out, Base::sectioned);  // into the half of the point it replaces
        out.hot = false;
        return ok;
    }
};

// The smallest gap met on a Chern plane (docs/accuracy.md): the sums S_p = Σ g^−p and
// S_2p = Σ g^−2p of a gap g over the plaquettes' corners, p = kGapPower, bracket its smallest
// value: S_2p^(−1/2p) ≤ min g ≤ (S_p/S_2p)^(1/p) (the first as S_2p ≥ (min g)^−2p, the second as
// S_2p ≤ (min g)^−p S_p). The upper end is the smallest gap itself when one point (or a few of
// equal gap) dominates the sums; m points of nearly the smallest gap widen the bracket by m^(1/2p). Both are sums, so they reduce like the rest of the histogram, in any
// order and on any backend. A gap below kGapFloor counts as kGapFloor (g^−2p stays finite): a
// bracket that reaches it says the bands touch on the mesh.
constexpr int kGapPower = 16;
constexpr double kGapFloor = 1e-9;
BZINT_HD void gap_powers(double gap, double& g_p, double& g_2p) {
    double x = 1.0 / fmax(gap, kGapFloor);  // a NaN gap counts as the floor (fmax)
    x *= x;
    x *= x;
    x *= x;
    x *= x;  // x^16
    g_p = x;
    g_2p = x * x;
}

// One plaquette of a two-band Chern number (ChernFn, phase_slice.hpp): val[band] = flux[band] (the
// band's curvature × the plaquette's area / 2π), val[2 + band] its link phase
// −arg(U01 U12 U23 U30)/2π around the corners (in the plane's positive sense; U_ab = ⟨u_a|u_b⟩ of
// the band's eigenvectors u[band][corner] of d·σ), val[4, 5] the gap's powers (gap_powers). False
// when any is not finite.
BZINT_HD bool two_band_plaquette(const Spinor (&u)[2][4], const double (&flux)[2], double gap, double* val) {
    bool finite = true;
    for (int band = 0; band < 2; ++band) {
        double pr = 1.0, pi = 0.0;
        for (int c = 0; c < 4; ++c) {
            double re, im;
            spinor_overlap(u[band][c], u[band][(c + 1) % 4], re, im);
            const double nr = pr * re - pi * im;
            pi = pr * im + pi * re;
            pr = nr;
        }
        val[band] = flux[band];
        val[2 + band] = -atan2(pi, pr) / kTwoPi;
        finite = finite && is_finite(val[band]) && is_finite(val[2 + band]);
    }
    gap_powers(gap, val[4], val[5]);
    return finite;
}

// Chern numbers of 2D planes spanned by the first two mesh axes (one plane per value of
// the third index). Two independent estimates per band and plaquette, and the smallest gap:
//  [0, 1]  the integral (1/2π) Ω·(G0 × G1)/(N0 N1) at the plaquette's corner,
//  [2, 3]  the Fukui–Hatsugai–Suzuki link phase −arg(U01 U12 U23 U30)/2π, which is
//          −(1/2π)·(−∮A·dl) per plaquette in our A = i⟨u|∇u⟩ convention, so both agree;
//  [4, 5]  the gap's powers (gap_powers) at the plaquette's corner.
// Corners beyond the cell are evaluated at the unwrapped k (H(k + G) may differ from H(k)
// by a constant unitary, as for the Haldane model written with δ_i phases).
template <class Model>
struct ChernFn {
    Model model;
    Mesh mesh;
    using Out = KeyedOutT<1, 6>;
    BZINT_HD int n_values() const { return 6; }
    BZINT_HD int n_keys() const { return static_cast<int>(mesh.n[2]); }

    BZINT_HD bool operator()(long long idx, Out& out) const {
        long long i[3];
        mesh.indices(idx, i);
        const int corner[4][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
        Spinor u[2][4];
        BandGeometry g[2];
        for (int c = 0; c < 4; ++c) {
            double frac[3], k[3];
            frac[0] = (static_cast<double>(i[0] + corner[c][0]) + mesh.shift) / static_cast<double>(mesh.n[0]);
            frac[1] = (static_cast<double>(i[1] + corner[c][1]) + mesh.shift) / static_cast<double>(mesh.n[1]);
            frac[2] = (static_cast<double>(i[2]) + mesh.shift) / static_cast<double>(mesh.n[2]);
            mesh.k_at(frac, k);
            TwoBandPoint h;
            model(k, h);
            if (c == 0) two_band_geometry(h, g);
            u[0][c] = two_band_eigenvector(h.d, -1);
            u[1][c] = two_band_eigenvector(h.d, +1);
        }
        double area[3];
        cross3(mesh.basis[0], mesh.basis[1], area);
        const double scale = 1.0 / (kTwoPi * static_cast<double>(mesh.n[0] * mesh.n[1]));
        out.n = 1;
        out.key[0] = static_cast<int>(i[2]);
        const double flux[2] = {dot3(g[0].omega, area) * scale, dot3(g[1].omega, area) * scale};
        return two_band_plaquette(u, flux, g[1].energy - g[0].energy, out.val[0]);
    }
};

// The determinant of the leading n×n block of A (Gaussian elimination with partial pivoting).
template <int N>
BZINT_HD cplx leading_determinant(const cplx (&A)[N][N], int n) {
    cplx M[N][N];
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) M[i][j] = A[i][j];
    cplx det{1.0, 0.0};
    for (int c = 0; c < n; ++c) {
        int p = c;
        for (int r = c + 1; r < n; ++r)
            if (norm2(M[r][c]) > norm2(M[p][c])) p = r;
        if (norm2(M[p][c]) == 0.0) return {0.0, 0.0};
        if (p != c) {
            for (int j = 0; j < n; ++j) {
                const cplx t = M[c][j];
                M[c][j] = M[p][j];
                M[p][j] = t;
            }
            det = -det;
        }
        det = det * M[c][c];
        for (int r = c + 1; r < n; ++r) {
            const cplx f = cdiv(M[r][c], M[c][c]);
            for (int j = c; j < n; ++j) M[r][j] -= f * M[c][j];
        }
    }
    return det;
}

// The products around a plaquette of the overlaps of its corners' eigenvectors U[c] (columns,
// corners counter-clockwise): link[n] = Π ⟨u_n(c)|u_n(c + 1)⟩ and manifold[n] = Π det of the
// leading (n + 1) × (n + 1) overlap matrices ⟨u_a(c)|u_b(c + 1)⟩ (NBandChernFn, phase_slice.hpp).
template <int N>
BZINT_HD void plaquette_links(const cplx (&U)[4][N][N], cplx (&link)[N], cplx (&manifold)[N]) {
    for (int n = 0; n < N; ++n) link[n] = manifold[n] = {1.0, 0.0};
    for (int c = 0; c < 4; ++c) {
        const int d = (c + 1) % 4;
        cplx O[N][N];  // ⟨u_a(c)|u_b(d)⟩
        for (int a = 0; a < N; ++a)
            for (int b = 0; b < N; ++b) {
                cplx s{0.0, 0.0};
                for (int r = 0; r < N; ++r) s += conj(U[c][r][a]) * U[d][r][b];
                O[a][b] = s;
            }
        for (int n = 0; n < N; ++n) {
            link[n] = link[n] * O[n][n];
            manifold[n] = manifold[n] * leading_determinant<N>(O, n + 1);
        }
    }
}

// Corner c (0..3, counter-clockwise from the point) of the plaquette at mesh indices i, as k, and
// (below) the 5N − 2 values of one plaquette: for the run-time-sized Wannier engine
// (host/wannier/runtime_wannier.cpp). ChernFn and NBandChernFn write the corner and the values
// inline: through these calls their device kernels took 2–9 more registers and spilled on sm_90
// (ptxas, against kernels/resource_budget.json), and tests/test_runtime_wannier.cpp compares the
// two per plaquette. The overlaps' products (plaquette_links) they share: 2 more registers on one
// sm_80 kernel (246 → 248, the same allocation granule of 8), no spills.
BZINT_HD_INLINE void plaquette_corner(const Mesh& mesh, const long long i[3], int c, double k[3]) {
    const int corner[4][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
    double frac[3];
    frac[0] = (static_cast<double>(i[0] + corner[c][0]) + mesh.shift) / static_cast<double>(mesh.n[0]);
    frac[1] = (static_cast<double>(i[1] + corner[c][1]) + mesh.shift) / static_cast<double>(mesh.n[1]);
    frac[2] = (static_cast<double>(i[2]) + mesh.shift) / static_cast<double>(mesh.n[2]);
    mesh.k_at(frac, k);
}

// The 5N − 2 values of one plaquette (NBandChernFn's layout) from each band's flux(n) (its
// curvature × the plaquette's area / 2π) and energy(n) at its corner — callables, so that each
// caller reads its own storage — and the products over its edges of the overlaps
// (plaquette_links). False when a value is not finite.
template <class Flux, class Energy>
BZINT_HD_INLINE bool plaquette_values(int N, const Flux& flux, const Energy& energy, const cplx* link, const cplx* manifold,
                                      double* val) {
    bool ok = true;
    for (int n = 0; n < N; ++n) {
        val[n] = flux(n);
        val[N + n] = -atan2(link[n].im, link[n].re) / kTwoPi;
        val[2 * N + n] = -atan2(manifold[n].im, manifold[n].re) / kTwoPi;
        ok = ok && is_finite(val[n]) && is_finite(val[N + n]) && is_finite(val[2 * N + n]);
    }
    for (int n = 0; n + 1 < N; ++n) gap_powers(energy(n + 1) - energy(n), val[3 * N + 2 * n], val[3 * N + 2 * n + 1]);
    return ok;
}

// The accessors: values in an array, and a mesh plaquette's flux (1/2π) Ω_n·(G0 × G1)/(N0 N1) and
// energy from the geometry g at its corner.
struct ArrayValues {
    const double* p;
    BZINT_HD double operator()(int n) const { return p[n]; }
};
struct MeshPlaquetteFlux {
    const BandGeometry* g;
    double area[3];
    double scale;
    BZINT_HD MeshPlaquetteFlux(const Mesh& mesh, const BandGeometry* geometry) : g(geometry) {
        cross3(mesh.basis[0], mesh.basis[1], area);
        scale = 1.0 / (kTwoPi * static_cast<double>(mesh.n[0] * mesh.n[1]));
    }
    BZINT_HD double operator()(int n) const { return dot3(g[n].omega, area) * scale; }
};
struct GeometryEnergy {
    const BandGeometry* g;
    BZINT_HD double operator()(int n) const { return g[n].energy; }
};

// The same from the geometry g at the corner of a mesh plaquette (the run-time-sized Wannier engine).
BZINT_HD_INLINE bool chern_plaquette_values(int N, const Mesh& mesh, const BandGeometry* g, const cplx* link,
                                            const cplx* manifold, double* val) {
    return plaquette_values(N, MeshPlaquetteFlux(mesh, g), GeometryEnergy{g}, link, manifold, val);
}

// Chern numbers of the planes of an N-band model (as ChernFn, per plaquette), 5N − 2 values:
//  [0, N)    the integral (1/2π) Ω_n·(G0 × G1)/(N0 N1) of each band at the plaquette's corner,
//  [N, 2N)   the link phase of each band alone (meaningful for an isolated band),
//  [2N, 3N)  the link phase of the manifold of bands 0..n: −arg Π det⟨u_i(c)|u_j(c′)⟩/2π over
//            the plaquette's edges (Fukui–Hatsugai–Suzuki for several bands; degeneracies
//            inside the manifold do not matter, only a gap above band n);
//  [3N, 5N − 2)  the powers of the gap above band n (gap_powers), n < N − 1, at the corner.
template <class Model>
struct NBandChernFn {
    static constexpr int N = Model::bands;
    using Out = KeyedOutT<1, 5 * N - 2>;
    Model model;
    Mesh mesh;
    BZINT_HD int n_values() const { return 5 * N - 2; }
    BZINT_HD int n_keys() const { return static_cast<int>(mesh.n[2]); }

    BZINT_HD bool operator()(long long idx, Out& out) const {
        long long i[3];
        mesh.indices(idx, i);
        const int corner[4][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
        cplx U[4][N][N];
        BandGeometry g[N];
        bool ok = true;
        for (int c = 0; c < 4; ++c) {
            double frac[3], k[3];
            frac[0] = (static_cast<double>(i[0] + corner[c][0]) + mesh.shift) / static_cast<double>(mesh.n[0]);
            frac[1] = (static_cast<double>(i[1] + corner[c][1]) + mesh.shift) / static_cast<double>(mesh.n[1]);
            frac[2] = (static_cast<double>(i[2]) + mesh.shift) / static_cast<double>(mesh.n[2]);
            mesh.k_at(frac, k);
            NBandPoint<N> h;
            model(k, h);
            if (c == 0) ok = nband_geometry<N>(h, g) && ok;
            cplx A[N][N];
            double e[N];
            for (int a = 0; a < N; ++a)
                for (int b = 0; b < N; ++b) A[a][b] = h.H[a][b];
            ok = hermitian_eigen<N>(A, e, U[c]) && ok;
        }
        double area[3];
        cross3(mesh.basis[0], mesh.basis[1], area);
        const double scale = 1.0 / (kTwoPi * static_cast<double>(mesh.n[0] * mesh.n[1]));
        out.n = 1;
        out.key[0] = static_cast<int>(i[2]);
        cplx link[N], manifold[N];
        plaquette_links<N>(U, link, manifold);
        for (int n = 0; n < N; ++n) {
            out.val[0][n] = dot3(g[n].omega, area) * scale;
            out.val[0][N + n] = -atan2(link[n].im, link[n].re) / kTwoPi;
            out.val[0][2 * N + n] = -atan2(manifold[n].im, manifold[n].re) / kTwoPi;
            ok = ok && is_finite(out.val[0][n]) && is_finite(out.val[0][N + n]) && is_finite(out.val[0][2 * N + n]);
        }
        for (int n = 0; n + 1 < N; ++n)
            gap_powers(g[n + 1].energy - g[n].energy, out.val[0][3 * N + 2 * n], out.val[0][3 * N + 2 * n + 1]);
        return ok;
    }
};

}  // namespace bzint
