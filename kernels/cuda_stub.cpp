// Linked when nvcc was not found: the CUDA backend reports itself absent.
#include <stdexcept>

#include "cuda_backend.hpp"

namespace bzint::cuda {

namespace {
[[noreturn]] void not_compiled() { throw std::runtime_error("bzint was built without CUDA (nvcc not found)"); }
}  // namespace

bool compiled() { return false; }
bool emulated() { return false; }
bool available() { return false; }
void select_device(int) { not_compiled(); }
int wannier_device_size(int) { return 0; }
std::string device_name() { return "none"; }
void geometry_at_points(const ModelParams&, const double*, long long, BandGeometry*) { not_compiled(); }
long long scan_reduce(const ModelParams&, const Mesh&, ScanKind, const Binning&, const ScanFields&, const std::vector<double>&,
                      std::vector<Neumaier>&, Progress*, const Refine&, long long&) {
    not_compiled();
}
long long chern_reduce(const ModelParams&, const Mesh&, std::vector<Neumaier>&, Progress*) { not_compiled(); }
long long second_chern_reduce(const ModelParams&, const FourTorus&, std::vector<Neumaier>&, Progress*) { not_compiled(); }
long long phase_plane_reduce(const ModelParams&, const TextureTerms&, const PhaseSlice&, std::vector<Neumaier>&, Progress*) {
    not_compiled();
}
long long texture_density_reduce(const ModelParams&, const TextureTerms&, const Mesh&, const std::vector<double>&, double,
                                 const std::vector<double>&, double, bool, std::vector<Neumaier>&, Progress*) {
    not_compiled();
}
long long packet_trajectories(const ModelParams&, const TextureTerms&, const std::vector<double>&, double, double, long long,
                              long long, double, double, std::vector<double>&, Progress*) {
    not_compiled();
}
std::vector<double> kpm_diagonal(const std::vector<HostCsr>&, double, double, long long, const std::vector<double>&,
                                 const std::vector<std::array<long long, 2>>&, Progress*) {
    not_compiled();
}
void kpm_vector_sums(const std::vector<HostCsr>&, double, double, long long, const std::vector<double>&, const std::vector<long long>&,
                     const HostStart&, const HostTake&, Progress*) {
    not_compiled();
}
void kpm_vector_diagonal(const std::vector<HostCsr>&, double, double, long long, const std::vector<double>&,
                         const std::vector<long long>&, const std::vector<std::vector<long long>>&, const std::vector<long long>&,
                         const HostStart&, const HostTake&, Progress*) {
    not_compiled();
}
long long texture_current_reduce(const ModelParams&, const TextureTerms&, const Mesh&, const std::vector<double>&,
                                 const std::vector<double>&, double, double, bool, std::vector<Neumaier>&, Progress*) {
    not_compiled();
}
long long texture_magnetisation_reduce(const ModelParams&, const TextureTerms&, const Mesh&, const std::vector<double>&,
                                       const std::vector<double>&, double, bool, std::vector<Neumaier>&, Progress*) {
    not_compiled();
}
long long texture_transport_reduce(const ModelParams&, const TextureTerms&, const Mesh&, const std::vector<double>&,
                                   const std::vector<double>&, double, double, const std::array<double, 3>&, int,
                                   std::vector<Neumaier>&, Progress*) {
    not_compiled();
}
long long nband_texture_magnetisation_reduce(const ModelParams&, const TextureTerms&, const Mesh&, const std::vector<double>&,
                                             const std::vector<double>&, double, bool, std::vector<Neumaier>&, Progress*) {
    not_compiled();
}
long long nband_phase_plane_reduce(const ModelParams&, const TextureTerms&, const PhaseSlice&, std::vector<Neumaier>&, Progress*) {
    not_compiled();
}
long long nband_texture_density_reduce(const ModelParams&, const TextureTerms&, const Mesh&, const std::vector<double>&, double,
                                       const std::vector<double>&, double, bool, std::vector<Neumaier>&, Progress*) {
    not_compiled();
}
long long nband_texture_transport_reduce(const ModelParams&, const TextureTerms&, const Mesh&, const std::vector<double>&,
                                         const std::vector<double>&, double, double, const std::array<double, 3>&, int,
                                         std::vector<Neumaier>&, Progress*) {
    not_compiled();
}
long long second_chern_reduce(const ModelParams&, const PhaseFourTorus&, std::vector<Neumaier>&, Progress*) { not_compiled(); }
long long nband_packet_trajectories(const ModelParams&, const TextureTerms&, const std::vector<double>&, double, double,
                                    long long, long long, double, double, std::vector<double>&, Progress*) {
    not_compiled();
}
void dc_lines(const ModelParams&, int, const QmeParams&, const std::vector<double>&, double, long long,
              std::vector<LineCurrent>&) {
    not_compiled();
}

void dc_lines_exact(const ModelParams&, int, const QmeParams&, const ExactParams&, const std::vector<double>&, double,
                    long long, std::vector<LineCurrent>&) {
    not_compiled();
}

}  // namespace bzint::cuda
