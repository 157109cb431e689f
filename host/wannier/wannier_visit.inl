// visit_wannier: one instantiation per padded size.
#pragma once
#include <stdexcept>

namespace bzint {

template <class F>
void visit_wannier(const ModelParams& mp, F&& f) {
    const LoadedWannier& w = wannier_of(mp);
    const WannierData d = w.view();
    switch (w.padded) {
        case 2: f(models::Wannier<2>{d}); break;
        case 4: f(models::Wannier<4>{d}); break;
        case 8: f(models::Wannier<8>{d}); break;
        case 16: f(models::Wannier<16>{d}); break;
        default: throw std::logic_error("visit_wannier: a model above the compiled sizes (runtime_wannier.hpp)");
    }
}

}  // namespace bzint
