// Fields read from a table on a regular grid over one periodic cell of the plane, interpolated by
// the periodic cubic spline of include/bzint/periodic_spline.hpp (docs/textures.md "Textures
// from a table"): a spin texture m(r) ([texture] kind = "table", rows "x y mx my mz", normalised)
// and a scalar potential U(r) ([texture] potential = "table", rows "x y U").
#pragma once
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "bzint/periodic_spline.hpp"

namespace bzint {

// At most this many grid points (a texture's spline coefficients then take 24 MiB).
constexpr long long kMaxTablePoints = 1LL << 20;
// A row's |m| may differ from 1 by this much (rounded output of a micromagnetic code); rows are
// normalised before the spline is fitted.
constexpr double kTableNormTolerance = 1e-3;
// The interpolant s(r) must keep |s| ≥ this between the grid points (it is 1 on them): below it,
// neighbouring rows point more than ~120° apart and the table does not resolve the texture.
constexpr double kTableMinNorm = 0.5;

template <int Components>
struct GridTable {
    std::vector<double> coefficients;   // the spline's c, Components per grid point
    PeriodicSpline<Components> spline;  // reads `coefficients`
    long long rows = 0;                 // rows read (the grid's points, and a repeated far edge)
};
using TextureTable = GridTable<3>;
using PotentialTable = GridTable<1>;

// Reads the table at `path` for a cell of sides period (x, y): the grid's spacing along an axis
// is the period over its count of distinct coordinates (a far edge that repeats the near one,
// x₀ + L, is accepted and must equal it). Throws InputError naming the file and line (and `where`,
// the run file's key that named the table) for: an unreadable or oversized file, a row that is not
// x, y and the field's numbers, a coordinate off the grid or outside the cell, a point given twice
// or missing, and a far edge that differs from the near one. A texture's rows must also have
// |m| within kTableNormTolerance of 1, and its interpolant keep |s| ≥ kTableMinNorm between them.
std::shared_ptr<const TextureTable> read_texture_table(const std::string& path, const std::array<double, 2>& period,
                                                       const std::string& where);
std::shared_ptr<const PotentialTable> read_potential_table(const std::string& path, const std::array<double, 2>& period,
                                                           const std::string& where);

// Solves (c_{i−1} + 4 c_i + c_{i+1})/6 = d_i, indices modulo n, in place for the n values
// data[0], data[stride], …: the periodic cubic spline's coefficients from its values.
void periodic_spline_coefficients(double* data, long long n, long long stride);

}  // namespace bzint
