// The CUDA backend's driver functions: plain C++ declarations, so host code never passes
// through nvcc. Built from kernels/cuda_*.cu when nvcc is found, otherwise from
// kernels/cuda_stub.cpp (every call then reports that CUDA was not compiled in).
#pragma once
#include <array>
#include <complex>
#include <functional>
#include <string>
#include <vector>

#include "bzint/fermi_scan.hpp"
#include "bzint/mesh.hpp"
#include "bzint/qme/exact_reservoir.hpp"
#include "bzint/qme/two_band_dc.hpp"
#include "bzint/models/all.hpp"
#include "bzint/phase_four_torus.hpp"
#include "bzint/phase_slice.hpp"
#include "bzint/second_chern.hpp"
#include "bzint/two_band.hpp"

namespace bzint {
struct Neumaier;
class Progress;
}  // namespace bzint

namespace bzint::cuda {

bool compiled();
// The emulated variant (CMake option BZINT_CUDA_EMULATION): the CUDA backend's code run on the CPU.
bool emulated();
// True when the CUDA backend is compiled in and a device it has code for is present.
bool available();
// The device of this process: local rank modulo the devices of the node (one GPU per MPI rank).
void select_device(int local_rank);
// The name of the selected device.
std::string device_name();

// Band geometry at arbitrary k (Cartesian, 3 doubles per point): out[bands · point + band].
void geometry_at_points(const ModelParams& model, const double* k, long long count, BandGeometry* out);

// Wannier models on the device: the orbitals are padded to this size (4 or 16; 0: more than 16
// orbitals, which run on the CPU backend). Direct Fourier sum per k (no FFT on the device yet).
int wannier_device_size(int num_wann);

// Deterministic keyed reductions (same contract as cpu::keyed_reduce): return the first
// mesh index whose values were not finite, or −1.
long long scan_reduce(const ModelParams& model, const Mesh& mesh, ScanKind kind, const Binning& bins,
                      const ScanFields& fields, const std::vector<double>& levels, std::vector<Neumaier>& total, Progress* progress,
                      const Refine& refine, long long& refined);
long long chern_reduce(const ModelParams& model, const Mesh& mesh, std::vector<Neumaier>& total, Progress* progress);
// As engine.hpp's second_chern_reduce.
long long second_chern_reduce(const ModelParams& model, const FourTorus& torus, std::vector<Neumaier>& total,
                              Progress* progress);
// Phase-space textures: as engine.hpp's phase_plane_reduce, texture_density_reduce,
// texture_current_reduce, texture_transport_reduce and texture_magnetisation_reduce.
long long phase_plane_reduce(const ModelParams& model, const TextureTerms& terms, const PhaseSlice& slice,
                             std::vector<Neumaier>& total, Progress* progress);
long long texture_density_reduce(const ModelParams& model, const TextureTerms& terms, const Mesh& mesh,
                                 const std::vector<double>& r, double t, const std::vector<double>& mu, double T,
                                 bool by_band, std::vector<Neumaier>& total, Progress* progress);
long long packet_trajectories(const ModelParams& model, const TextureTerms& terms, const std::vector<double>& start, double t0,
                              double dt, long long steps, long long stride, double step_r, double step_p, std::vector<double>& out,
                              Progress* progress);
long long texture_current_reduce(const ModelParams& model, const TextureTerms& terms, const Mesh& mesh,
                                 const std::vector<double>& points, const std::vector<double>& mu, double T, double step,
                                 bool by_band, std::vector<Neumaier>& total, Progress* progress);
long long texture_transport_reduce(const ModelParams& model, const TextureTerms& terms, const Mesh& mesh,
                                   const std::vector<double>& r, const std::vector<double>& mu, double T, double tau,
                                   const std::array<double, 3>& E, int band, std::vector<Neumaier>& total, Progress* progress);
long long texture_magnetisation_reduce(const ModelParams& model, const TextureTerms& terms, const Mesh& mesh,
                                       const std::vector<double>& points, const std::vector<double>& mu, double T,
                                       bool by_band, std::vector<Neumaier>& total, Progress* progress);
// N-band textured models (cuda_textures_nband.cu): as engine.hpp's phase_plane_reduce,
// texture_density_reduce, texture_transport_reduce, texture_magnetisation_reduce,
// second_chern_reduce over a torus of phase space and time, and packet_trajectories.
long long nband_phase_plane_reduce(const ModelParams& model, const TextureTerms& terms, const PhaseSlice& slice,
                                   std::vector<Neumaier>& total, Progress* progress);
long long nband_texture_density_reduce(const ModelParams& model, const TextureTerms& terms, const Mesh& mesh,
                                       const std::vector<double>& r, double t, const std::vector<double>& mu, double T,
                                       bool by_band, std::vector<Neumaier>& total, Progress* progress);
long long nband_texture_magnetisation_reduce(const ModelParams& model, const TextureTerms& terms, const Mesh& mesh,
                                             const std::vector<double>& points, const std::vector<double>& mu, double T,
                                             bool by_band, std::vector<Neumaier>& total, Progress* progress);
long long nband_texture_transport_reduce(const ModelParams& model, const TextureTerms& terms, const Mesh& mesh,
                                         const std::vector<double>& r, const std::vector<double>& mu, double T, double tau,
                                         const std::array<double, 3>& E, int band, std::vector<Neumaier>& total, Progress* progress);
long long second_chern_reduce(const ModelParams& model, const PhaseFourTorus& torus, std::vector<Neumaier>& total,
                              Progress* progress);
long long nband_packet_trajectories(const ModelParams& model, const TextureTerms& terms, const std::vector<double>& start,
                                    double t0, double dt, long long steps, long long stride, double step_r, double step_p,
                                    std::vector<double>& out, Progress* progress);

// A sparse Hermitian matrix in compressed rows, in host memory (host/lattice/box_hamiltonian.hpp).
struct HostCsr {
    long long dim = 0, entries = 0;
    const long long* row_start = nullptr;  // dim + 1
    const long long* column = nullptr;
    const std::complex<double>* value = nullptr;
};
// The kernel polynomial method (host/lattice/kpm.hpp kpm_diagonal): Σ_n c[level × moments + n] μ_n
// for each job {matrix, orbital}, [job × levels + level], μ_n of H̃ = (H − center)/half_width
// (include/bzint/kpm_moments.hpp); the matrices share their dimension. `progress` counts jobs.
std::vector<double> kpm_diagonal(const std::vector<HostCsr>& matrices, double center, double half_width, long long moments,
                                 const std::vector<double>& c, const std::vector<std::array<long long, 2>>& jobs,
                                 Progress* progress);

// The kernel polynomial method from general start vectors (host/lattice/kpm.hpp kpm_vector_sums,
// kpm_vector_diagonal): start(job) gives job's vector, of matrix job_matrix[job], as its batch
// needs it; take(job, values) receives its numbers on the calling thread. Sums: Σ_n c[l × moments
// + n] Re⟨r|T_n(H̃)|r⟩ per level l. Diagonal: Re(r_o* Σ_n c[l × moments + n] (T_n(H̃)|r⟩)_o) for each
// orbital o of supports[job_support[job]], [index × levels + l]. `progress` counts jobs.
using HostStart = std::function<std::vector<std::complex<double>>(long long job)>;
using HostTake = std::function<void(long long job, const double* values, std::size_t count)>;
void kpm_vector_sums(const std::vector<HostCsr>& matrices, double center, double half_width, long long moments,
                     const std::vector<double>& c, const std::vector<long long>& job_matrix, const HostStart& start,
                     const HostTake& take, Progress* progress);
void kpm_vector_diagonal(const std::vector<HostCsr>& matrices, double center, double half_width, long long moments,
                         const std::vector<double>& c, const std::vector<long long>& job_matrix,
                         const std::vector<std::vector<long long>>& supports, const std::vector<long long>& job_support,
                         const HostStart& start, const HostTake& take, Progress* progress);

// Periodic-orbit steady states of the QME on lattice lines starting at k0[3 l .. 3 l + 2]
// (two-band or N-band model, by `bands`): out[l], as two_band_periodic_line / nband_periodic_line.
void dc_lines(const ModelParams& model, int bands, const QmeParams& q, const std::vector<double>& k0, double period,
              long long steps, std::vector<LineCurrent>& out);
// The same with the exact reservoir (exact_periodic_line); `x` holds host pointers.
void dc_lines_exact(const ModelParams& model, int bands, const QmeParams& q, const ExactParams& x,
                    const std::vector<double>& k0, double period, long long steps, std::vector<LineCurrent>& out);

}  // namespace bzint::cuda
