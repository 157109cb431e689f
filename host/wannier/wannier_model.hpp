// Wannier90 models loaded for a run: the [model] name = "wannier" keys, the file, and the
// plain-data view the per-k code (include/bzint/models/wannier.hpp) evaluates. Loaded models
// live for the process; ModelParams refer to them by handle (p[0]) with id kWannierModelId.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "bzint/models/wannier.hpp"
#include "tb_model.hpp"

namespace bzint {

struct ModelInfo;
struct ModelParams;

// The id of wannier models in ModelParams (after the two-band and N-band built-ins).
int wannier_model_id();

// The FFT chunk's table by default (`fft_memory_mib`): a few thousand points for 16 orbitals.
// Larger chunks are slower, not faster: each point's FFT costs log2 of the chunk's size, and the
// table is touched page by page once per scan (Fe, 40³, one thread: 39k k-points/s at 16–128 MiB,
// 33k at 512 MiB; docs/performance.md).
constexpr std::size_t kDefaultFftMemoryMib = 64;

// How mesh scans evaluate H(k) and ∂H(k) ([model] interpolation): by FFT on the mesh
// (wannier_fft.hpp), by the Fourier sum per k-point, or whichever costs less (scans_by_fft).
enum class Interpolation { automatic, fft, direct };

struct LoadedWannier {
    TbModel tb;
    int padded;                    // compile-time size N ≥ num_wann; num_wann itself when runtime_sized()
    std::vector<double> R_cart;    // [n_R][3]
    std::vector<double> inv_degen;
    std::vector<cplx> H;
    std::vector<double> tau;       // [W][3]
    std::vector<cplx> r;           // [n_R][3][W][W] position matrix (PositionTerms::full), else empty
    Interpolation interpolation = Interpolation::automatic;
    std::size_t fft_budget_bytes = kDefaultFftMemoryMib << 20;  // the FFT chunk's table
    WannierData view() const;
    // Whether it takes the run-time-sized engine of runtime_wannier.hpp (CPU): above
    // kMaxCompiledWannier orbitals; else a compiled size (models::Wannier<N>, visit_wannier).
    bool runtime_sized() const;
    // Whether a scan of a Γ-centred mesh of `count` points that evaluates `evaluated` of them
    // (fewer with [mesh] symmetry) takes the FFT path. Automatic: when its cost estimate is the
    // lower — the FFT tabulates every point, 2W(W + 1) transforms of 5 log2(chunk) flops each per
    // point, at about a fifth of the direct sum's rate per flop (measured: docs/wannier.md); the
    // direct sum costs n_R (32 W² + 40) flops per evaluated point.
    bool scans_by_fft(long long evaluated, long long count) const;
};

// How a tb.dat's position matrix enters (docs/wannier.md): not at all; its diagonal τ_m =
// Re⟨0m|r|0m⟩ as orbital-position phases of H(k) (`orbital_positions = true`); or the whole
// ⟨0m|r|Rn⟩ as the WYSV terms of the Berry curvature (`position_matrix = true`,
// position_curvature.hpp).
enum class PositionTerms { none, diagonal, full };

// Builds the model from a parsed file; `lattice` (rows, Å) overrides or supplies the file's.
std::shared_ptr<LoadedWannier> make_wannier(TbModel tb, const double lattice[3][3], PositionTerms positions);

// Registers it for the engine (whose functors carry only ModelParams): sets `params` to refer to it
// and returns its ModelInfo (name "wannier", 3D lattice, bands = num_wann, Bravais rows = the
// lattice). The registration, and the model's memory, end with the last copy of that pointer
// (RunConfig::loaded_model), so that a process running many models (Python) does not keep them.
std::shared_ptr<ModelInfo> register_wannier(std::shared_ptr<LoadedWannier> model, ModelParams& params);
bool is_wannier(const ModelParams& mp);
const LoadedWannier& wannier_of(const ModelParams& mp);

// Calls f(models::Wannier<N>{view}) with N the padded size of the registered model (not for a
// runtime_sized() one).
template <class F>
void visit_wannier(const ModelParams& mp, F&& f);

}  // namespace bzint

#include "wannier_visit.inl"
