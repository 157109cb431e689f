// A spin texture m(r) read from a table ([texture] kind = "table", docs/textures.md): rows
// "x y mx my mz" on a regular grid over one periodic cell of the plane, interpolated by the
// periodic cubic spline of include/bzint/periodic_spline.hpp and normalised.
#pragma once
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "bzint/periodic_spline.hpp"

namespace bzint {

// At most this many grid points (the spline's coefficients then take 24 MiB).
constexpr long long kMaxTablePoints = 1LL << 20;
// A row's |m| may differ from 1 by this much (rounded output of a micromagnetic code); rows are
// normalised before the spline is fitted.
constexpr double kTableNormTolerance = 1e-3;
// The interpolant s(r) must keep |s| ≥ this between the grid points (it is 1 on them): below it,
// neighbouring rows point more than ~120° apart and the table does not resolve the texture.
constexpr double kTableMinNorm = 0.5;

struct TextureTable {
    std::vector<double> coefficients;  // the spline's c, 3 per grid point
    PeriodicSpline spline;             // reads `coefficients`
    long long rows = 0;                // rows read (the grid's points, and a repeated far edge)
};

// Reads the table at `path` for a cell of sides period (x, y): the grid's spacing along an axis
// is the period over its count of distinct coordinates (a far edge that repeats the near one,
// x₀ + L, is accepted and must equal it). Throws InputError naming the file and line (or `where`,
// the run file's key that named the table) for: an unreadable or oversized file, a row that is not
// five numbers, a coordinate off the grid or outside the cell, a point given twice or missing,
// |m| off 1 by more than kTableNormTolerance, and a table whose interpolant comes closer to 0 than
// kTableMinNorm between its points.
std::shared_ptr<const TextureTable> read_texture_table(const std::string& path, const std::array<double, 2>& period,
                                                       const std::string& where);

// Solves (c_{i−1} + 4 c_i + c_{i+1})/6 = d_i, indices modulo n, in place for the n values
// data[0], data[stride], …: the periodic cubic spline's coefficients from its values.
void periodic_spline_coefficients(double* data, long long n, long long stride);

}  // namespace bzint
