// `bzint export-hr`: a built-in lattice model as a Wannier90 tight-binding model. H(R) comes
// from H(k) on a k-grid by the discrete Fourier transform in the periodic gauge (orbital-position
// phases removed), and is checked to reproduce H(k) off the grid.
#pragma once
#include "model_registry.hpp"
#include "tb_model.hpp"

namespace bzint {

// Two-band lattice models (tb.R in units of the model's Bravais rows, lattice = those rows,
// positions = the model's orbital positions at R = 0). Throws InputError for continuum models.
TbModel export_model(const ModelInfo& info, const ModelParams& params);

}  // namespace bzint
