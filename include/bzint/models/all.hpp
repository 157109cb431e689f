// The registry of built-in models, two-band and N-band. To add one: write its header (see
// model_traits.hpp and docs/adding-a-model.md), include it here and append it to AllModels.
#pragma once
#include "bzint/models/dirac2d.hpp"
#include "bzint/models/haldane.hpp"
#include "bzint/models/landau_zener.hpp"
#include "bzint/models/lz_pair.hpp"
#include "bzint/models/qhz.hpp"
#include "bzint/models/qwz.hpp"
#include "bzint/models/qwz_pair.hpp"
#include "bzint/models/ti_surface.hpp"
#include "bzint/models/tilted_dirac.hpp"
#include "bzint/models/weyl_lattice.hpp"

namespace bzint {

template <class... M>
struct ModelList {};

using AllModels = ModelList<models::LandauZener, models::Dirac2d, models::TiSurface, models::TiltedDirac,
                            models::Qwz, models::Haldane, models::WeylLattice>;
// N-band models (nband_traits.hpp): run by the N×N density-matrix solver (task dc_current).
// Their ids follow the two-band ones.
using AllNBandModels = ModelList<models::LzPair, models::QwzPair, models::Qhz>;

constexpr int kMaxModelParams = 8;

// A model as plain data: its index in AllModels and its parameters (in the order of
// Model::params). Passed by value into kernels; the launchers turn it back into the
// concrete Model type once, outside the k-loop, so the per-k call is inlined.
struct ModelParams {
    int id;
    double p[kMaxModelParams];
};

namespace detail {
template <int I, class F, class M0, class... Rest>
void visit_model(const ModelParams& mp, F&& f) {
    if (mp.id == I) {
        f(M0(mp.p));
    } else if constexpr (sizeof...(Rest) > 0) {
        visit_model<I + 1, F, Rest...>(mp, static_cast<F&&>(f));
    }
}
template <class F, class... M>
void visit_model_list(const ModelParams& mp, F&& f, ModelList<M...>) {
    visit_model<0, F, M...>(mp, static_cast<F&&>(f));
}
template <class... M>
constexpr int list_size(ModelList<M...>) {
    return sizeof...(M);
}
}  // namespace detail

constexpr int kTwoBandModels = detail::list_size(AllModels{});

// Calls f(model) with the concrete two-band model object (host side; f may launch kernels).
template <class F>
void visit_model(const ModelParams& mp, F&& f) {
    detail::visit_model_list(mp, static_cast<F&&>(f), AllModels{});
}

// The same for N-band models (ids from kTwoBandModels on).
template <class F>
void visit_nband_model(const ModelParams& mp, F&& f) {
    ModelParams local = mp;
    local.id -= kTwoBandModels;
    detail::visit_model_list(local, static_cast<F&&>(f), AllNBandModels{});
}

// f(model) for a model of either list, two-band or N-band (f takes both kinds).
template <class F>
void visit_any_model(const ModelParams& mp, F&& f) {
    visit_model(mp, f);
    visit_nband_model(mp, f);
}

}  // namespace bzint
