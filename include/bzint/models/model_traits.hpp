// What every built-in two-band model header provides (see docs/adding-a-model.md):
//   static constexpr const char* name;         run-file name
//   static constexpr int dim;                   1, 2 or 3 (k-space dimension)
//   static constexpr bool lattice;              Γ-centred BZ mesh (true) or kcut box (false)
//   static constexpr ParamSpec params[];        parameter names, defaults, meanings; for a
//                                               continuum model of dim ≥ 2 the last is kcut
//   static void bravais(double A[3][3]);        lattices only: real-space Bravais rows
//   static void orbital_positions(double[2][3]); optional: orbital positions, if H(k) has their phases
//   explicit Model(const double* p);            p in the order of params
//   BZINT_HD void operator()(const double k[3], TwoBandPoint& h) const;
#pragma once
#include "bzint/two_band.hpp"

namespace bzint {

// A model parameter: its run-file name, default and meaning, and the range bzint accepts.
// Every parameter is at most kMaxParameter in magnitude, in units where the model's other terms
// are of order one (docs/run-file.md): H(k) and the products the geometry forms of it (up to
// |d|^6) stay finite, and a gap is never below the rounding of the largest term of H (the
// geometry's degeneracy test is relative to it, 1e-12).
constexpr double kMaxParameter = 1e6;
struct ParamSpec {
    const char* name;
    double default_value;
    const char* meaning = "";
    double min = -kMaxParameter;
    double max = kMaxParameter;
    bool min_exclusive = false;  // min < value (a k-box half-width), not min ≤ value
};

// Writes Bravais vectors (rows) into A; for use in Model::bravais.
inline void set_rows(double A[3][3], const double (&rows)[3][3]) {
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) A[i][j] = rows[i][j];
}

// Two orbital positions (rows); for use in an optional Model::orbital_positions, which a model
// whose H(k) carries orbital-position phases declares (H(k + G) = V H(k) V†, e.g. haldane).
inline void set_rows2(double tau[2][3], const double (&rows)[2][3]) {
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 3; ++j) tau[i][j] = rows[i][j];
}

}  // namespace bzint
