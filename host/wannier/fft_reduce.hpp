// A keyed reduction of a Wannier scan functor over the mesh by FFT interpolation
// (wannier_fft.hpp): chunk after chunk, the chunk's H and ∂H are transformed and its points
// reduced in fixed blocks (cpu::BlockReducer) into one running histogram, so the result does
// not depend on the thread count. Under MPI the chunks are shared out over ranks and the rank
// totals combined (ranks.hpp); checkpoints record the next chunk (checkpoint.hpp). The same
// contract as cpu::keyed_reduce: flagged points (hot) and the returned non-finite point are
// mesh indices.
#pragma once
#include <climits>
#include <vector>

#include "../checkpoint.hpp"
#include "../cpu_launch.hpp"
#include "../ranks.hpp"
#include "bzint/per_k.hpp"
#include "wannier_fft.hpp"
#include "wannier_model.hpp"

namespace bzint {

template <class Base>
long long fft_keyed_reduce(const Base& base, const LoadedWannier& w, std::vector<Neumaier>& total, Progress* progress,
                           std::vector<long long>* hot) {
    const int nv = base.n_values(), nk = base.n_keys();
    total.assign(static_cast<std::size_t>(nk) * nv, Neumaier{});
    WannierFft fft(w, base.mesh, w.fft_budget_bytes);
    TabulatedFn<Base> fn{base, nullptr, w.tb.num_wann, {}, {}, {}};
    for (int a = 0; a < 3; ++a) {
        fn.nfft[a] = fft.fft_size(a);
        fn.div[a] = fft.divisions(a);
    }
    const long long n = base.mesh.count(), M = fft.chunk_points();
    const ranks::Share mine = ranks::share(fft.chunks(), 1);
    long long bad = LLONG_MAX, first = mine.begin;

    ReductionCheckpoint checkpoint(!hot, n, nv, nk);  // the next chunk is its round
    long long saved_bad = -1;
    if (checkpoint.resume(total, first, saved_bad) && saved_bad >= 0) bad = saved_bad;
    auto as_index = [](long long b) { return b == LLONG_MAX ? -1 : b; };
    cpu::BlockReducer<TabulatedFn<Base>> reducer(fn, total);
    std::vector<long long> chunk_hot;
    for (long long c = first; c < mine.end; ++c) {
        fn.table = fft.transform(c);
        fft.shift_of(c, fn.shift);
        chunk_hot.clear();
        const long long b = reducer.run(fn, M, 0, (M + kReduceBlock - 1) / kReduceBlock, hot ? &chunk_hot : nullptr, 0,
                                        [](long long, long long) {});
        if (b != LLONG_MAX) bad = std::min(bad, fn.mesh_index(b));
        if (hot)
            for (long long i : chunk_hot) hot->push_back(fn.mesh_index(i));
        if (progress) progress->update(ranks::scaled_progress((c + 1 - mine.begin) * M, {0, (mine.end - mine.begin) * M}, n));
        checkpoint.between_rounds(c + 1, as_index(bad), total);
        checkpoint.save(c + 1, as_index(bad), total);
    }
    checkpoint.save(mine.end, as_index(bad), total, true);
    ranks::combine(total);
    if (hot) ranks::combine_concat(*hot);
    return ranks::combine_first(bad == LLONG_MAX ? -1 : bad);
}

}  // namespace bzint
