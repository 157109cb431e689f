// `bzint export-hr`: a built-in lattice model as a Wannier90 tight-binding model. H(R) comes
// from H(k) on a k-grid by the discrete Fourier transform in the periodic gauge (orbital-position
// phases removed), and is checked to reproduce H(k) off the grid.
#pragma once
#include "model_registry.hpp"
#include "tb_model.hpp"

namespace bzint {

// Lattice models, two-band and N-band (tb.R in units of the model's Bravais rows, lattice = those
// rows, positions = the model's orbital positions at R = 0: zero but for the two-band models that
// declare them). Throws InputError for continuum models.
TbModel export_model(const ModelInfo& info, const ModelParams& params);

// `copies` copies of a model as one model of copies × num_wann orbitals (a synthetic large model
// for tests and benchmarks, tests/test_runtime_wannier.cpp and bench/bench_ahc.cpp): copy c's
// on-site energies raised by c·shift, and, when coupling ≠ 0, neighbouring copies coupled on
// site, orbital by orbital, by the Hermitian H_{(c,m),(c+1,m)}(R = 0) = coupling·e^{i(c+m)}. A
// position matrix is copied block by block (copies at the same place: no elements between them).
// Decoupled, its bands are the copies' bands and its AHC is Σ_c σ(μ − c·shift) exactly.
TbModel stacked_copies(const TbModel& one, int copies, double shift, double coupling);

}  // namespace bzint
