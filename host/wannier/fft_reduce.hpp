// A keyed reduction of a Wannier scan functor over the mesh by FFT interpolation
// (wannier_fft.hpp): chunk after chunk, the chunk's H and ∂H are transformed and its points
// reduced in fixed blocks (cpu::BlockReducer) into one running histogram, so the result does
// not depend on the thread count. Under MPI the chunks are shared out over ranks and the rank
// totals combined (ranks.hpp); checkpoints record the position chunk × blocks-per-chunk + block
// (checkpoint.hpp). The same contract as cpu::keyed_reduce: flagged points (hot) and the
// returned non-finite point are mesh indices.
#pragma once
#include <chrono>
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
    using clock = std::chrono::steady_clock;
    const int nv = base.n_values(), nk = base.n_keys();
    total.assign(static_cast<std::size_t>(nk) * nv, Neumaier{});
    WannierFft fft(w, base.mesh, w.fft_budget_bytes);
    TabulatedFn<Base> fn{base, nullptr, fft.stride(), w.tb.num_wann, {}, {}, {}};
    for (int a = 0; a < 3; ++a) {
        fn.nfft[a] = fft.fft_size(a);
        fn.div[a] = fft.divisions(a);
    }
    const long long n = base.mesh.count(), M = fft.chunk_points();
    const long long block = reduce_block(nk, nv), per_chunk = (M + block - 1) / block;
    const ranks::Share mine = ranks::share(fft.chunks(), 1);
    long long bad = LLONG_MAX, pos = mine.begin * per_chunk;

    ReductionCheckpoint checkpoint(!hot, n, nv, nk);
    long long saved_bad = -1;
    if (checkpoint.resume(total, pos, saved_bad) && saved_bad >= 0) bad = saved_bad;
    auto as_index = [](long long b) { return b == LLONG_MAX ? -1 : b; };
    const long long my_points = (mine.end - mine.begin) * M;
    const double scale = my_points > 0 ? static_cast<double>(n) / static_cast<double>(my_points) : 1.0;
    if (progress) progress->update(static_cast<long long>(scale * static_cast<double>((pos / per_chunk - mine.begin) * M)));
    cpu::BlockReducer<TabulatedFn<Base>> reducer(fn, total, block);
    std::vector<long long> chunk_hot;
    auto last_save = clock::now();
    for (long long c = pos / per_chunk; c < mine.end; ++c) {
        long long b = c == pos / per_chunk ? pos % per_chunk : 0;
        fn.table = fft.transform(c);
        if (stop_requested()) {  // the transform was cut short: resume at this chunk's block b
            checkpoint.save(c * per_chunk + b, as_index(bad), total);
            throw Interrupted("interrupted");
        }
        fft.shift_of(c, fn.shift);
        chunk_hot.clear();
        while (b < per_chunk) {
            const auto r = reducer.run(fn, M, b, per_chunk, hot ? &chunk_hot : nullptr, 0, progress, scale,
                                       last_save + kCheckpointInterval);
            if (r.too_many_flagged || (hot && hot->size() + chunk_hot.size() > kMaxFlaggedPoints)) throw_too_many_flagged(n);
            b = r.next;
            if (r.bad != LLONG_MAX) bad = std::min(bad, fn.mesh_index(r.bad));
            if (r.stopped || clock::now() >= last_save + kCheckpointInterval) {
                checkpoint.save(c * per_chunk + b, as_index(bad), total);
                last_save = clock::now();
            }
            if (r.stopped) throw Interrupted("interrupted");
        }
        if (hot)
            for (long long i : chunk_hot) hot->push_back(fn.mesh_index(i));
    }
    checkpoint.save(mine.end * per_chunk, as_index(bad), total);
    ranks::combine(total);
    if (hot) ranks::combine_concat(*hot);
    return ranks::combine_first(as_index(bad));
}

}  // namespace bzint
