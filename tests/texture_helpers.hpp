// Textures the texture tests build by hand (include/bzint/texture.hpp's SpinTexture).
#pragma once
#include "bzint/texture.hpp"

namespace bzint::test {

// A lattice of skyrmions, one per square cell of side L: radius R, winding W, polarity p and
// helicity γ (0 Néel, π/2 Bloch); it wraps the sphere Q = −pW times per cell.
inline SpinTexture skyrmion_lattice(double L, double R, double W = 1.0, double p = 1.0, double gamma = 0.0) {
    SpinTexture t;
    t.kind = TextureKind::skyrmion_lattice;
    t.period = L;
    t.radius = R;
    t.winding = W;
    t.polarity = p;
    t.helicity = gamma;
    return t;
}

}  // namespace bzint::test
