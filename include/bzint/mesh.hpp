// Uniform k-meshes, generated from a linear index so that no mesh is ever stored.
//  lattice:   k = Σ_i (n_i / N_i) G_i,               n_i = 0..N_i−1 (Γ-centred)
//  continuum: k_a = −kcut + (n_a + ½) · 2 kcut / N_a  (midpoint rule on the box |k_a| ≤ kcut)
// Both are k = origin + Σ_i ((n_i + shift) / N_i) G_i with G_i the rows of `basis`.
// The linear index runs with the last axis fastest: idx = (n0 N1 + n1) N2 + n2.
#pragma once
#include <initializer_list>

#include "bzint/hd.hpp"

namespace bzint {

struct Mesh {
    int dim;              // 1, 2 or 3
    long long n[3];       // points per axis (1 for unused axes)
    double basis[3][3];   // rows G_i (lattice) or 2 kcut ê_i (continuum)
    double origin[3];
    double shift;         // 0 (lattice) or 0.5 (continuum midpoint)
    double inv_n[3];      // 1/n[i], set by set_counts()
    int step[3], offset[3];  // the error estimate's sub-mesh per axis (coarse_step), set by set_counts()
    // The largest area |s_a × s_b| of a plaquette of the mesh's steps s_a = G_a/N_a (0 in 1D): the
    // band-touching detector's scale (band_touching.hpp). Set by set_counts() from the basis.
    double plaquette_area;

    BZINT_HD long long count() const { return n[0] * n[1] * n[2]; }

    // The counts, and what follows from them, from `shift` and from `basis` (set those first).
    void set_counts(long long n0, long long n1, long long n2) {
        n[0] = n0; n[1] = n1; n[2] = n2;
        for (int a = 0; a < 3; ++a) {
            inv_n[a] = 1.0 / static_cast<double>(n[a]);
            step[a] = coarse_step_of(n[a], shift);
            offset[a] = shift == 0.0 || step[a] == 0 ? 0 : (step[a] - 1) / 2;
        }
        plaquette_area = 0.0;
        for (int a = 0; a < dim; ++a)
            for (int b = a + 1; b < dim; ++b) {
                const double* u = basis[a];
                const double* v = basis[b];
                const double c[3] = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]};
                const double area = sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]) * inv_n[a] * inv_n[b];
                plaquette_area = area > plaquette_area ? area : plaquette_area;
            }
    }

    // Integer division by multiplication with 1/n in double (64-bit integer division is
    // slow on CPUs and emulated on GPUs); exact after the one-step correction for any
    // index below 2^50.
    BZINT_HD static long long div_floor(long long idx, long long n, double inv_n) {
        long long q = static_cast<long long>((static_cast<double>(idx) + 0.5) * inv_n);
        if (q * n > idx) --q;
        if ((q + 1) * n <= idx) ++q;
        return q;
    }

    BZINT_HD void indices(long long idx, long long out[3]) const {
        long long q = div_floor(idx, n[2], inv_n[2]);
        out[2] = idx - q * n[2];
        idx = q;
        q = div_floor(idx, n[1], inv_n[1]);
        out[1] = idx - q * n[1];
        out[0] = q;
    }

    // k at fractional mesh coordinates (n_i + shift)/N_i, allowing n_i outside 0..N_i−1
    // (neighbours across the cell boundary are not wrapped: see chern.hpp).
    BZINT_HD void k_at(const double frac[3], double k[3]) const {
        for (int a = 0; a < 3; ++a)
            k[a] = origin[a] + frac[0] * basis[0][a] + frac[1] * basis[1][a] + frac[2] * basis[2][a];
    }

    // The coarse sub-mesh of the error estimate (docs/accuracy.md): along each axis every f-th
    // point, f the smallest of 2, 3, 5, 7 that divides the count and leaves at least 2 points, so
    // that the sub-mesh is the mesh of spacing f·h — Γ-centred (offset 0) on a lattice, and on a
    // midpoint mesh (shift ½) the midpoints of the coarse cells, which needs f odd (offset
    // (f − 1)/2). A power of two along a continuum box therefore has no sub-mesh. coarse_step(a)
    // is f (1: the axis has one point; 0: it has no sub-mesh, and neither has the mesh).
    static int coarse_step_of(long long n, double shift) {
        if (n == 1) return 1;
        for (int f : {2, 3, 5, 7})
            if ((shift == 0.0 || f % 2 == 1) && n % f == 0 && n / f >= 2) return f;
        return 0;
    }
    BZINT_HD int coarse_step(int a) const { return step[a]; }
    // The weight of a sub-mesh point in mesh points (0: no sub-mesh).
    BZINT_HD int coarse_factor() const { return step[0] * step[1] * step[2]; }
    BZINT_HD bool on_coarse_at(const long long i[3]) const {
        for (int a = 0; a < 3; ++a)
            if (step[a] == 0 || i[a] % step[a] != offset[a]) return false;
        return true;
    }
    BZINT_HD bool on_coarse(long long idx) const {
        long long i[3];
        indices(idx, i);
        return on_coarse_at(i);
    }

    // The sub-mesh as a mesh of its own (n/f points per axis; host only): with the offset
    // (f − 1)/2 on a midpoint mesh its points are the midpoints of the coarse cells, and on a
    // lattice the same Γ-centred (or [mesh] shift-ed, through `origin`) points. Only for a mesh
    // that has one (coarse_factor() > 0).
    Mesh coarse() const {
        Mesh c = *this;
        c.set_counts(n[0] / step[0], n[1] / step[1], n[2] / step[2]);
        return c;
    }

    // k of the mesh point with indices i.
    BZINT_HD void k_at_indices(const long long i[3], double k[3]) const {
        double frac[3];
        for (int a = 0; a < 3; ++a) frac[a] = (static_cast<double>(i[a]) + shift) * inv_n[a];
        k_at(frac, k);
    }

    BZINT_HD void k_of(long long idx, double k[3]) const {
        long long i[3];
        indices(idx, i);
        k_at_indices(i, k);
    }
};

}  // namespace bzint
