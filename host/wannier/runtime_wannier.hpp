// Wannier models of more orbitals than the compiled sizes (num_wann > kMaxCompiledWannier): the
// run-time-sized N-band engine, on the CPU, for every task they run. H(k) and ∂H(k) come from the same Fourier sum and
// orbital phases as models::Wannier<N> (add_wannier_sum, apply_orbital_phases) or from the same
// FFT tables (read_tabulated), into per-thread heap workspaces of W × W; the eigen-decomposition
// is Eigen's SelfAdjointEigenSolver (Householder tridiagonalisation, implicit symmetric QR), the
// velocity matrices U†∂_aH U are matrix products, and the Kubo sums (kubo_sums), the position
// matrix's terms (add_position_terms) and the binning (bin_band_geometry) are the fixed-size
// engine's; the Chern plaquettes' values have NBandChernFn's layout (chern_plaquette_values), the
// hybridised bands HybridScanFn's (hybrid_bands.hpp). The degenerate groups are those of
// degenerate_threshold (nband_geometry.hpp) over the model's W levels; the compiled sizes take it
// over their N levels, padding included (docs/wannier.md).
#pragma once
#include <cstdint>
#include <vector>

#include "bzint/per_k.hpp"

namespace bzint {

// The compiled sizes of models::Wannier<N> (wannier_visit.inl: 2, 4, 8, 16) end here; above it
// this engine runs. Measured per k-point on one thread (bench nband/engine_choice, weyl_lattice
// copies, direct sum; docs/performance.md): a compiled Wannier<32> padding 18–32 orbitals took
// 137–165 µs, this engine 40–136 µs; at 16, models::Wannier<16> is twice as fast as this one.
constexpr int kMaxCompiledWannier = 16;

// The bytes of one thread's workspace for a model of W orbitals (runtime_wannier.cpp Workspace:
// about 26 W × W complex matrices — H and ∂H, the velocities, the position connection, the
// eigensolvers, the Chern corners, the moving frame — and the per-band geometry), counted as 32 for
// the solvers' own scratch: the run file's check of memory before any work.
double runtime_workspace_bytes(int W);

// The band geometry g[0..W) at k of a model of W = d.num_wann orbitals, any W ≥ 1; with
// position_terms and d.r set, the Berry curvature has the WYSV terms of the position matrix
// (position_curvature.hpp: as NBandScanFn, for the Fermi scans). False when the eigensolver did
// not converge.
bool runtime_wannier_geometry(const WannierData& d, const double k[3], BandGeometry* g, bool position_terms = false);
// The same from point i of an FFT table (read_tabulated's layout, wannier_fft.hpp) at k.
bool runtime_wannier_geometry(const WannierData& d, const cplx* table, long long ld, long long i, const double k[3],
                              BandGeometry* g);

// The bands at k of a model of W = d.num_wann orbitals, any W ≥ 1, by the direct Fourier sum:
// energies e[0..W) ascending and the velocity matrices v[(a W + n) W + m] = ⟨n|∂_a H|m⟩ (the
// layout of NBandEigen and kubo_sums). False when the eigensolver did not converge.
bool runtime_wannier_bands(const WannierData& d, const double k[3], double* e, cplx* v);

// The curvature tensor Ω^n_m at k (semiclassical.hpp, curvature_tensor_from_velocities) into
// omega[(n W + m) 3 + c], with the degeneracy threshold of the fixed-size path
// (engine.cpp curvature_tensor_at_points). False when the eigensolver did not converge.
bool runtime_wannier_curvature_tensor(const WannierData& d, const double k[3], double* omega);

// A scan functor's output for a run-time number of bands: what KeyedOutT holds, sized by
// `resize` (the reducers keep each Out for a whole block of points, so the storage is reused).
struct KeyedOutRuntime {
    struct Rows {
        std::vector<double> data;
        int width = 0;
        double* operator[](int e) { return data.data() + static_cast<std::size_t>(e) * width; }
        const double* operator[](int e) const { return data.data() + static_cast<std::size_t>(e) * width; }
    };
    int n = 0;
    bool hot = false;
    bool near_touching = false;
    std::vector<int> key;
    Rows val;
    void resize(int entries, int values) {
        key.resize(static_cast<std::size_t>(entries));
        val.width = values;
        val.data.resize(static_cast<std::size_t>(entries) * values);
    }
};

// NBandScanFn for a run-time-sized Wannier model: the same mesh points, keys, values and flags.
struct RuntimeWannierScanFn {
    using Out = KeyedOutRuntime;
    WannierData model;
    Mesh mesh;
    ScanKind kind;
    Binning bins;
    ScanFields fields;    // B for streda
    double refine_above;  // > 0: flag points with max_n |Ω_n| above it for refinement
    const std::uint8_t* orbit = nullptr;  // [mesh] symmetry: the stars' sizes (scan_mesh_point); null: none

    static constexpr bool sectioned = true;
    int n_values() const {
        const ScanChannels ch = scan_channels(kind, mesh.dim);
        return (ch.n_sea + ch.n_surface) * bins.n_moments();
    }
    int n_keys() const { return sectioned_keys(2 * (model.num_wann * bins.n_bins())); }

    bool at(const double k[3], double w, Out& out) const;
    bool at_tabulated(const cplx* table, long long ld, int W, long long i, const double k[3], double w, Out& out) const;
    bool operator()(long long idx, Out& out) const { return scan_mesh_point(*this, idx, out); }

private:
    bool bin(const BandGeometry* g, double w, Out& out) const;
};

// HybridScanFn (per_k.hpp) for a run-time-sized Wannier model: the same keys and values. H(k) by
// the direct sum as there; the moving-frame Hamiltonian H̄ is diagonalised on the active
// manifold's block alone (the other bands are 1×1 blocks: E_n = ε_n, η = e_n), by Eigen.
struct RuntimeWannierHybridFn {
    using Out = KeyedOutRuntime;
    WannierData model;
    Mesh mesh;
    Binning bins;
    HybridSetup setup;
    const std::uint8_t* orbit = nullptr;  // always null: the hybridised bands have no symmetry reduction

    static constexpr bool sectioned = false;
    int n_values() const { return 12 * bins.n_moments(); }
    int n_keys() const { return 2 * (model.num_wann * bins.n_bins()); }
    bool at(const double k[3], double w, Out& out) const;
    bool operator()(long long idx, Out& out) const { return scan_mesh_point(*this, idx, out); }
};

// NBandChernFn for a run-time-sized Wannier model: the same plaquettes, values and keys (one key
// per plane, 5W − 2 values: chern_plaquette_values). The eigenvectors at the four corners by
// Eigen, the overlaps as matrix products, the manifolds' determinants by Eigen's LU of each
// leading block (O(W⁴) per edge: about 0.3 Gflop per plaquette at W = 128).
struct RuntimeWannierChernFn {
    using Out = KeyedOutRuntime;
    WannierData model;
    Mesh mesh;
    int n_values() const { return 5 * model.num_wann - 2; }
    int n_keys() const { return static_cast<int>(mesh.n[2]); }
    bool operator()(long long idx, Out& out) const;
};

}  // namespace bzint
