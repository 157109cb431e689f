// The phase-space point of one term of a texture reduction over positions × k-points.
#pragma once
#include "bzint/mesh.hpp"
#include "bzint/per_k.hpp"
#include "bzint/texture.hpp"

namespace bzint {

// Index idx = position · mesh.count() + mesh index (k fastest). The position's numbers start at
// r + stride · position: x, y, z, and with stride 4 its own time t (stride 3: all positions at t).
// Fills x, the canonical phase-space point of (r, t) and the mesh's kinetic momentum k, and
// returns the term's key: 2 · position + 1 on the coarse sub-mesh (its half, for the error
// estimate), 2 · position otherwise.
template <class Hamiltonian>
BZINT_HD int texture_point(const Hamiltonian& hamiltonian, const Mesh& mesh, long long idx, const double* r, int stride, double t,
                           double x[kPhaseCoords]) {
    const long long n = mesh.count();
    const long long position = idx / n, i = idx - position * n;
    double k[3];
    mesh.k_of(i, k);
    const double* at = r + stride * position;
    hamiltonian.canonical_point(at, stride == 4 ? at[3] : t, k, x);
    return static_cast<int>(2 * position + (mesh.on_coarse(i) ? 1 : 0));
}

}  // namespace bzint
