// The real-space form of a two-band lattice model: the hopping blocks H(R) of
// H(k) = Σ_R H(R) e^{ik·R}, H(R)_{αβ} = ⟨0α|H|Rβ⟩, with every orbital at its cell's origin (the
// periodic gauge, H(k + G) = H(k)). The exact lattice reference of a textured model
// (docs/textures.md "The exact lattice reference") is built from them.
#pragma once
#include <array>
#include <complex>
#include <functional>
#include <string>
#include <vector>

#include "bzint/two_band.hpp"

namespace bzint {

struct Hopping {
    int cell[2];                     // R = cell[0] a_1 + cell[1] a_2
    std::complex<double> block[2][2];  // H(R)
};

// H(R) of a 2D two-band model d0(k) + d(k)·σ from its values on a g × g mesh of the zone (g = 16):
// the discrete Fourier transform is exact for hoppings that reach less than g/2 cells. The result
// is checked against H(k) itself at points off that mesh; where they differ by more than
// 1e-10 × max|H| (a longer range, or a model that is not periodic in k), the return is empty and
// `why` says so. Blocks below 1e-14 × max|H(R)| are left out. G: the reciprocal basis rows.
std::vector<Hopping> real_space_hoppings(const std::function<void(const double k[3], TwoBandPoint&)>& model,
                                         const double G[3][3], std::string& why);

}  // namespace bzint
