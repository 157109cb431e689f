// The kernel polynomial method's per-orbital work, once for both backends: the Chebyshev moments
// μ_n = ⟨o|T_n(H̃)|o⟩ of a sparse Hermitian H, H̃ = (H − center)/half_width, by the three-term
// recursion v_{n+1} = 2H̃v_n − v_{n−1} from v_0 = |o⟩, two moments per product:
//     μ_{2n} = 2⟨v_n|v_n⟩ − μ_0,   μ_{2n+1} = 2 Re⟨v_{n+1}|v_n⟩ − μ_1
// (Weiße, Wellein, Alvermann and Fehske, Rev. Mod. Phys. 78, 275 (2006), Eq. 78); from any start
// vector |r⟩ the same identities give ⟨r|T_n(H̃)|r⟩ (a probing trace's colour vector), and the
// diagonal estimate needs f(H)|r⟩ at the colour's orbitals, summed term by term. Plain data: the
// CPU backend runs one job per worker with its vectors contiguous (stride 1), the CUDA backend
// one job per thread with the vectors of a batch interleaved (entry i of the j-th job's vector at
// i·stride + j, stride = the batch), so that a warp's reads of one row coalesce.
//
// Two vectors per job (device memory holds a batch's): v_{n+1} overwrites v_{n−1} row by row, as
// H̃v_n reads v_n alone. At step n (n ≥ 1) v_{n−1} lies in buffer a for odd n and in b for even n,
// v_n in the other. The arithmetic is the same on both backends, but not always the bits: GCC's
// SLP vectoriser (-march=native) rounds it differently for a contiguous vector and an interleaved
// one (measured: moments an ulp apart from the 10th on; equal with -fno-tree-slp-vectorize, which
// would cost the CPU 20 %), so the backends are compared within the recursion's rounding.
#pragma once
#include "bzint/hd.hpp"
#include "bzint/linalg/complex.hpp"

namespace bzint {

// A sparse matrix in compressed rows.
struct CsrMatrix {
    long long dim = 0;
    const long long* row_start = nullptr;  // dim + 1
    const long long* column = nullptr;
    const cplx* value = nullptr;
};

// ⟨o|f(H)|o⟩ = Σ_n c_n μ_n over n < moments, in increasing n: both backends fold the moments so.
BZINT_HD double chebyshev_sum(const double* c, const double* mu, long long moments) {
    double sum = 0.0;
    for (long long n = 0; n < moments; ++n) sum += c[n] * mu[n];
    return sum;
}

struct ChebyshevRecursion {
    CsrMatrix H;
    double center = 0.0, inverse_half_width = 1.0;
    long long moments = 0;  // at least 1

    // advance's steps run over n = 1 … last_step(): step n gives μ_{2n} and μ_{2n−1}, the last
    // those below `moments`.
    BZINT_HD long long last_step() const { return moments / 2; }

    // (H̃x)_i: −center x_i + Σ_e H_ie x_e, over the half-width.
    BZINT_HD cplx scaled_row(const cplx* x, long long stride, long long i) const {
        cplx acc = (-center) * x[i * stride];
        for (long long e = H.row_start[i]; e < H.row_start[i + 1]; ++e) acc += H.value[e] * x[H.column[e] * stride];
        return inverse_half_width * acc;
    }

    // v_0 = |o⟩ into a, then start_from.
    BZINT_HD void start(long long orbital, cplx* a, cplx* b, long long stride, double* mu) const {
        for (long long i = 0; i < H.dim; ++i) a[i * stride] = {i == orbital ? 1.0 : 0.0, 0.0};
        start_from(a, b, stride, mu);
    }

    // From any start vector v_0 = |r⟩ in a (a colour vector of random_trace.hpp): v_1 = H̃|r⟩ into
    // b, μ_0 = ⟨r|r⟩ and μ_1 = Re⟨r|H̃|r⟩ (exactly 1 and ⟨o|H̃|o⟩ for a unit vector: the other
    // terms are zeros). The doubling identities of advance hold for any |r⟩.
    BZINT_HD void start_from(const cplx* a, cplx* b, long long stride, double* mu) const {
        double norm = 0.0, overlap = 0.0;
        for (long long i = 0; i < H.dim; ++i) {
            const cplx x = a[i * stride], y = scaled_row(a, stride, i);
            b[i * stride] = y;
            norm += norm2(x);
            overlap += x.re * y.re + x.im * y.im;
        }
        mu[0] = norm;
        if (moments > 1) mu[1] = overlap;
    }

    // v_{n+1} = 2H̃v_n − v_{n−1} over v_{n−1} (n ≥ 1; buffers as advance's), row by row: H̃v_n
    // reads v_n alone.
    BZINT_HD void step(cplx* a, cplx* b, long long stride, long long n) const {
        cplx* previous = n % 2 == 1 ? a : b;
        const cplx* current = n % 2 == 1 ? b : a;
        for (long long i = 0; i < H.dim; ++i) previous[i * stride] = 2.0 * scaled_row(current, stride, i) - previous[i * stride];
    }

    // Steps n in [from, to): μ_{2n} from ⟨v_n|v_n⟩ and, for n ≥ 2, μ_{2n−1} from ⟨v_n|v_{n−1}⟩; then
    // v_{n+1} where later moments need it.
    BZINT_HD void advance(cplx* a, cplx* b, long long stride, double* mu, long long from, long long to) const {
        for (long long n = from; n < to; ++n) {
            cplx* previous = n % 2 == 1 ? a : b;
            const cplx* current = n % 2 == 1 ? b : a;
            const bool next = 2 * n + 1 < moments;
            double norm = 0.0, overlap = 0.0;
            for (long long i = 0; i < H.dim; ++i) {
                const cplx c = current[i * stride], p = previous[i * stride];
                norm += norm2(c);
                overlap += c.re * p.re + c.im * p.im;
            }
            if (next) step(a, b, stride, n);
            if (2 * n < moments) mu[2 * n] = 2.0 * norm - mu[0];
            if (n >= 2) mu[2 * n - 1] = 2.0 * overlap - mu[1];
        }
    }

    // f(H)|r⟩ at the orbitals of a support (a colour's, random_trace.hpp's random_diagonal):
    // sum[(i × levels + l) × sum_stride] += c[l × moments + n] (v_n)_{support[i]}, for v_n in
    // `v`. An element of T_n|r⟩ has no doubling identity, so the diagonal takes a product per
    // moment: start_from, add v_0 and v_1, then for n = 1, 2, …: step(n), add v_{n+1}.
    BZINT_HD void add_at_support(const cplx* v, long long stride, long long n, const long long* support, long long size,
                                 const double* c, long long levels, cplx* sum, long long sum_stride) const {
        for (long long i = 0; i < size; ++i) {
            const cplx x = v[support[i] * stride];
            for (long long l = 0; l < levels; ++l) sum[(i * levels + l) * sum_stride] += c[l * moments + n] * x;
        }
    }

    // Steps n in [from, to) of the diagonal (n ≥ 1, n + 1 < moments): v_{n+1}, then its terms.
    BZINT_HD void advance_at_support(cplx* a, cplx* b, long long stride, long long from, long long to, const long long* support,
                                     long long size, const double* c, long long levels, cplx* sum, long long sum_stride) const {
        for (long long n = from; n < to; ++n) {
            step(a, b, stride, n);
            add_at_support(n % 2 == 1 ? a : b, stride, n + 1, support, size, c, levels, sum, sum_stride);
        }
    }
};

}  // namespace bzint
