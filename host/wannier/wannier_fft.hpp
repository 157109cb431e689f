// FFT interpolation of a Wannier model on a Γ-centred mesh (the trick that makes WannierBerri
// fast). On the mesh k_g = Σ_i (g_i/N_i) G_i, with R = Σ_i r_i A_i,
//     H(k_g) = Σ_R e^{2πi Σ_i g_i r_i/N_i} H(R)/ndegen(R),
// so the mesh is a 3D DFT of H(R)/ndegen folded into the grid (r_i mod N_i, exact: the phase
// is periodic in r_i). To bound memory the mesh is cut into chunks: an FFT grid of F_i points
// per axis (F_i divides N_i, D_i = N_i/F_i) and D_1 D_2 D_3 shifts s; with g_i = n_i D_i + s_i,
//     H(k_g) = Σ_ρ e^{2πi Σ_i n_i ρ_i/F_i} A_s(ρ),   A_s(ρ) = Σ_{r ≡ ρ mod F} e^{2πi Σ_i s_i r_i/N_i} H̃(r),
// one FFT per orbital pair m ≤ n and chunk for H and for each ∂_a H (H̃ → i R_a H̃): H(R) is
// Hermitised when loaded, so H(k) and ∂_a H(k) are Hermitian and the pairs m > n are their
// conjugates. FFTW on the CPU, in place; the table is component-major, [q][point] with a padded
// leading dimension (read per point by read_tabulated, models/wannier.hpp). Cost per k-point:
// 2W(W+1) · 5 log2(F1F2F3) flops instead of 4W² · 8 n_R for the direct sum. docs/wannier.md.
#pragma once
#include <cstddef>
#include <vector>

#include "bzint/linalg/complex.hpp"
#include "bzint/mesh.hpp"

namespace bzint {

struct LoadedWannier;

class WannierFft {
public:
    // The chunk's table takes at most `budget_bytes`.
    WannierFft(const LoadedWannier& w, const Mesh& mesh, std::size_t budget_bytes);
    ~WannierFft();
    WannierFft(const WannierFft&) = delete;
    WannierFft& operator=(const WannierFft&) = delete;

    int fft_size(int axis) const { return F_[axis]; }
    int divisions(int axis) const { return D_[axis]; }
    long long chunk_points() const { return M_; }
    long long chunks() const { return static_cast<long long>(D_[0]) * D_[1] * D_[2]; }
    void shift_of(long long chunk, int s[3]) const;
    // H and ∂_a H on the points of `chunk`: [q][point] with leading dimension stride(),
    // q = c P + pair(m, n), c = 0 (H), 1..3 (∂_a H), m ≤ n (hermitian_pair, models/wannier.hpp).
    const cplx* transform(long long chunk);
    long long stride() const { return ld_; }

private:
    const LoadedWannier& w_;
    int W_, P_, Q_;  // orbitals, pairs m ≤ n, tables (4P)
    int N_[3], F_[3], D_[3];
    long long M_, ld_;
    std::vector<long long> fold_;  // per R: its folded grid index
    cplx* table_ = nullptr;        // [q][ρ] before the transform, [q][point] after
    void* plan_ = nullptr;
};

}  // namespace bzint
