// Magnetic point groups for `[mesh] symmetry` (docs/symmetry.md): operations named in
// WannierBerri's vocabulary (Cartesian axes), the group they generate, and how each acts on
// k-points and on the band quantities of a Fermi scan.
//
// An operation g = (R, θ) is a rotation R (orthogonal, det ±1: inversion and mirrors included)
// with or without time reversal θ. On a crystal momentum, g·k = s R k with s = −1 when θ
// (time reversal takes k to −k), so that ε_n(g·k) = ε_n(k) for a model that has g. A polar
// vector odd under time reversal (the velocity ∂ε/∂k) maps as v(g·k) = s R v(k); an axial one
// odd under time reversal (the Berry curvature Ω, the orbital moment m) as s det(R) R Ω(k).
#pragma once
#include <string>
#include <vector>

namespace bzint {

struct PointOp {
    double R[3][3];       // Cartesian rotation (improper when det = −1)
    bool time_reversal;
    std::string name;     // as given ("C2x*TimeReversal"), or a product of the generators' names
    double det() const;
    int k_sign() const { return time_reversal ? -1 : 1; }
};

// The named operations: Identity, Inversion, TimeReversal, Mx, My, Mz, C2x, C2y, C2z, C3z,
// C4x, C4y, C4z, C6z (Cn: a right-handed rotation by 2π/n; Ma: the mirror normal to a).
const std::vector<std::string>& point_op_names();

// "C4z", "C2x*TimeReversal", … (a product acts right to left, as WannierBerri's: "A*B" is A
// after B). False, with `unknown` set to the first name not in point_op_names(), otherwise.
bool parse_point_op(const std::string& text, PointOp& op, std::string& unknown);

PointOp compose(const PointOp& a, const PointOp& b);  // a after b
bool same_op(const PointOp& a, const PointOp& b);

// The group the generators generate (the identity first, then the generators, then products
// in the order found). Empty if it would exceed 96 elements (no finite point group does: a
// generator set that is not one, e.g. rotations about skew axes).
std::vector<PointOp> generate_group(const std::vector<PointOp>& generators);

// The operation in reduced reciprocal coordinates, f' = M f with k = Σ_j f_j G_j and G the
// rows of `reciprocal` (G_i·A_j = 2π δ_ij, A the Bravais rows): M_ij = s A_i·(R G_j)/2π.
// False when M is not an integer matrix (within 1e-6): g is not a symmetry of the lattice.
bool reduced_matrix(const PointOp& g, const double bravais[3][3], const double reciprocal[3][3], int M[3][3]);

}  // namespace bzint
