// A momentum (k_x, k_y, k_z): Cartesian, in 1/L (a 2D model's k_z is 0, or k_0's).
#pragma once
#include <fmt/core.h>

#include <array>
#include <string>

namespace bzint {

using Momentum = std::array<double, 3>;

// "[k_x, k_y]" (dim 2) or "[k_x, k_y, k_z]" (dim 3), each to `digits` significant digits.
inline std::string momentum_text(const Momentum& k, int dim, int digits) {
    return dim == 2 ? fmt::format("[{:.{}g}, {:.{}g}]", k[0], digits, k[1], digits)
                    : fmt::format("[{:.{}g}, {:.{}g}, {:.{}g}]", k[0], digits, k[1], digits, k[2], digits);
}

}  // namespace bzint
