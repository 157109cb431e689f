// What every built-in two-band model header provides (see docs/adding-a-model.md):
//   static constexpr const char* name;         run-file name
//   static constexpr int dim;                   1, 2 or 3 (k-space dimension)
//   static constexpr bool lattice;              Γ-centred BZ mesh (true) or kcut box (false)
//   static constexpr ParamSpec params[];        parameter names and defaults; for a
//                                               continuum model of dim ≥ 2 the last is kcut
//   static void bravais(double A[3][3]);        lattices only: real-space Bravais rows
//   explicit Model(const double* p);            p in the order of params
//   BZINT_HD void operator()(const double k[3], TwoBandPoint& h) const;
#pragma once
#include "bzint/two_band.hpp"

namespace bzint {

struct ParamSpec {
    const char* name;
    double default_value;
};

}  // namespace bzint
