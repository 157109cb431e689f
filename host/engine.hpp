// Backend-independent entry points of the engine: each picks the CPU or CUDA launcher
// of the same per-k functor (include/bzint/per_k.hpp).
#pragma once
#include <array>
#include <memory>
#include <vector>

#include "backend.hpp"
#include "bzint/fermi_scan.hpp"
#include "bzint/mesh.hpp"
#include "bzint/models/all.hpp"
#include "bzint/phase_slice.hpp"
#include "bzint/phase_four_torus.hpp"
#include "bzint/second_chern.hpp"
#include "bzint/two_band.hpp"
#include "neumaier.hpp"
#include "progress.hpp"

namespace bzint {

// Band geometry at Cartesian k-points: out[bands·i + band] (two-band or N-band models).
std::vector<BandGeometry> geometry_at_points(Backend b, const ModelParams& model,
                                             const std::vector<std::array<double, 3>>& k, Progress* progress = nullptr);
// The number of bands of a model (2, or N for the N-band models).
int model_bands(const ModelParams& model);
// The bands a scan (or Chern plane) of the model keys: Wannier models their padded size, or
// num_wann itself on the run-time-sized engine.
int scanned_bands(const ModelParams& model);

// The energy bins of a scan over `mu` at T (fermi_scan.hpp): the levels themselves at T = 0, a
// grid of width T/32 at T > 0. InputError when T is too small for the range (over 2^17 bins).
Binning make_binning(const std::vector<double>& mu, double T);

// The generalised curvature tensor Ω^n_m (SU(N) paper Eq. 13) and the spectral weights Z[n][m]
// in the field B (Eq. 14; semiclassical.hpp) at Cartesian k-points, any model (CPU):
// tensor[((i·B + n)·B + m)·3 + c], weights[(i·B + n)·B + m] with B = model_bands.
struct TensorAtPoints {
    std::vector<double> tensor;
    std::vector<double> weights;
};
TensorAtPoints curvature_tensor_at_points(const ModelParams& model, const std::vector<std::array<double, 3>>& k,
                                          const std::array<double, 3>& B, Progress* progress = nullptr);

// A Fermi scan: for each level μ_j and band n, Σ_k f(ε_nk − μ_j) q_c (sea channels) and
// Σ_k (−∂f/∂ε) q_c (surface channels), summed over the mesh (not yet multiplied by the
// k-point weight). T = 0 allows sea channels only.
struct ScanResult {
    ScanChannels channels;
    std::vector<double> mu;
    std::vector<double> sea;      // [j][band][c]
    std::vector<double> surface;  // [j][band][c]
    int fine_bins = 0;            // finite T: the number of fine energy bins used
    double bin_width = 0.0;
    int bands = 2;
    long long refined_points = 0;  // mesh points replaced by sub-grids (adaptive refinement)
    // The same sums on the mesh's 2×-coarser sub-mesh (Mesh::on_coarse), from the same pass and
    // scaled by its weight: the error estimate of docs/accuracy.md. Null when no axis of the mesh
    // has an even count (then there is no sub-mesh).
    std::shared_ptr<const ScanResult> coarse;
    // The same sums without the mesh points near a band touching at the scanned levels
    // (band_touching.hpp); null when there are none. The estimate is at least the change.
    std::shared_ptr<const ScanResult> without_touching;
    double sea_at(int j, int band, int c) const { return sea[(j * bands + band) * channels.n_sea + c]; }
    double surface_at(int j, int band, int c) const { return surface[(j * bands + band) * channels.n_surface + c]; }
};

struct IrreducibleMesh;

// `fields` (B and the τE displacement) matter only to the streda and spin_density kinds;
// `refine` switches on adaptive refinement of curvature hot spots. With `symmetric` (the
// irreducible part of this mesh, symmetry/irreducible_mesh.hpp; kinds that symmetrise.hpp
// handles, no refinement) only the stars' representatives are evaluated, on the CPU, and the
// sums symmetrised: the full mesh's result for a model that has the group.
ScanResult fermi_scan(Backend b, const ModelParams& model, const Mesh& mesh, ScanKind kind,
                      const std::vector<double>& mu, double T, Progress* progress, const ScanFields& fields = {},
                      const Refine& refine = {}, const IrreducibleMesh* symmetric = nullptr);

// The plain reference path for the same sums on the CPU: per k-point the same channel
// values, then f and −∂f/∂ε evaluated exactly for every level (cost ∝ levels × k-points).
// With `magnitude`, the same sums of |channel value|: each entry's L1 mass, the scale by which
// per-k rounding moves that entry (tests bound the CPU–GPU difference by it). Tests only.
ScanResult fermi_scan_reference(const ModelParams& model, const Mesh& mesh, ScanKind kind,
                                const std::vector<double>& mu, double T, const ScanFields& fields = {},
                                bool magnitude = false);

// Chern numbers of the planes (third mesh index) by both estimates (ChernFn, NBandChernFn).
struct ChernPlane {
    std::vector<double> integral;  // per band: (1/2π) ∫ Ω_n
    std::vector<double> link;      // per band: Fukui–Hatsugai–Suzuki link phases (isolated bands)
    std::vector<double> manifold;  // [n]: the link method for bands 0..n together
    // [n]: Σ g^−p and Σ g^−2p of the gap above band n over the plane (per_k.hpp gap_powers)
    std::vector<double> gap_p, gap_2p;
};
std::vector<ChernPlane> chern_planes(Backend b, const ModelParams& model, const Mesh& mesh, Progress* progress);
// A two-band plane from the six sums of per_k.hpp two_band_plaquette: integrals (0, 1), link phases
// (2, 3), the gap's powers (4, 5).
ChernPlane two_band_chern_plane(const Neumaier* sums);
// An N-band plane from NBandChernFn's 5·scanned − 2 sums (per_k.hpp), reporting the first `bands`.
ChernPlane nband_chern_plane(const Neumaier* sums, int scanned, int bands);

// The second Chern number's sums over a 4D torus of an N-band model (second_chern.hpp
// SecondChernFn: one key, kSecondChernValues values) on backend b; the first non-finite index or −1.
long long second_chern_reduce(Backend b, const ModelParams& model, const FourTorus& torus, std::vector<Neumaier>& total,
                              Progress* progress);
// The same over a torus of phase space and time of a textured N-band model (phase_four_torus.hpp).
long long second_chern_reduce(Backend b, const ModelParams& model, const PhaseFourTorus& torus, std::vector<Neumaier>& total,
                              Progress* progress);

// Phase-space textures (docs/textures.md), on backend b: the Chern sums of a plane
// (phase_slice.hpp: two-band the layout of two_band_chern_plane, N-band that of
// nband_chern_plane), and the density sums at positions r
// (three numbers each) for levels mu (texture_density.hpp: keys 2·position + sub-mesh half, values
// the corrected densities then the uncorrected ones, per level, unweighted, then with by_band each
// band's part), and the current sums at points (x, y, z, t) (texture_current.hpp: the same keys,
// values three per level, then with by_band the two bands' parts; the difference step of ∂_p 𝓕
// given). Each returns the first non-finite index or −1.
long long phase_plane_reduce(Backend b, const ModelParams& model, const TextureTerms& terms, const PhaseSlice& slice,
                             std::vector<Neumaier>& total, Progress* progress);
long long texture_density_reduce(Backend b, const ModelParams& model, const TextureTerms& terms, const Mesh& mesh,
                                 const std::vector<double>& r, double t, const std::vector<double>& mu, double T,
                                 bool by_band, std::vector<Neumaier>& total, Progress* progress);
// Wave packets (packet_motion.hpp; N-band: nband_packet_motion.hpp) from `start`
// (kPacketStart numbers each) on backend b: out gets steps / stride + 1 samples of kPacketSample
// numbers per packet. Returns the first packet whose velocity failed (not finite; N bands: its
// band not isolated), or −1.
long long packet_trajectories(Backend b, const ModelParams& model, const TextureTerms& terms, const std::vector<double>& start,
                              double t0, double dt, long long steps, long long stride, double step_r, double step_p,
                              std::vector<double>& out, Progress* progress);
long long texture_current_reduce(Backend b, const ModelParams& model, const TextureTerms& terms, const Mesh& mesh,
                                 const std::vector<double>& points, const std::vector<double>& mu, double T, double step,
                                 bool by_band, std::vector<Neumaier>& total, Progress* progress);
// The local orbital magnetisation of a textured model (two-band or N-band) at points (x, y, z, t)
// (texture_magnetisation.hpp: the keys of texture_density, M's components per level, with by_band
// each band's part too), on backend b; the
// first non-finite index or −1.
long long texture_magnetisation_reduce(Backend b, const ModelParams& model, const TextureTerms& terms, const Mesh& mesh,
                                       const std::vector<double>& points, const std::vector<double>& mu, double T,
                                       bool by_band, std::vector<Neumaier>& total, Progress* progress);

// Transport through a static texture in a uniform field E (texture_transport.hpp: the keys of
// texture_density, twelve values per level), summed over the bands or (band ≥ 0) of one band, on
// backend b; the first non-finite index or −1.
long long texture_transport_reduce(Backend b, const ModelParams& model, const TextureTerms& terms, const Mesh& mesh,
                                   const std::vector<double>& r, const std::vector<double>& mu, double T, double tau,
                                   const std::array<double, 3>& E, int band, std::vector<Neumaier>& total, Progress* progress);

// Throws NonFiniteError naming mesh point idx and its k.
[[noreturn]] void non_finite_at(const Mesh& mesh, long long idx, const char* what);

}  // namespace bzint
