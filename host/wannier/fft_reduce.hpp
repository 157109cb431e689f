// A keyed reduction of a Wannier scan functor over the mesh by FFT interpolation
// (wannier_fft.hpp): chunk after chunk, the chunk's H and ∂H are transformed and its points
// reduced in fixed blocks (cpu::BlockReducer) into one running histogram, so the result does
// not depend on the thread count. Under MPI the chunks are shared out over ranks and the rank
// totals combined; checkpoints record the position chunk × blocks-per-chunk + block
// (keyed_reduction.hpp's frame). The same contract as cpu::keyed_reduce: flagged points (hot) and the
// returned non-finite point are mesh indices.
#pragma once
#include <chrono>
#include <climits>
#include <vector>

#include "../cpu_launch.hpp"
#include "../keyed_reduction.hpp"
#include "../ranks.hpp"
#include "bzint/per_k.hpp"
#include "wannier_fft.hpp"
#include "wannier_model.hpp"

namespace bzint {

template <class Base>
long long fft_keyed_reduce(const Base& base, const LoadedWannier& w, std::vector<Neumaier>& total, Progress* progress,
                           std::vector<long long>* hot) {
    const int nv = base.n_values(), nk = base.n_keys();
    WannierFft fft(w, base.mesh, w.fft_budget_bytes);
    TabulatedFn<Base> fn{base, nullptr, fft.stride(), w.tb.num_wann, {}, {}, {}};
    for (int a = 0; a < 3; ++a) {
        fn.nfft[a] = fft.fft_size(a);
        fn.div[a] = fft.divisions(a);
    }
    const long long n = base.mesh.count(), M = fft.chunk_points();
    const long long block = reduce_block(nk, nv), per_chunk = (M + block - 1) / block;
    const ranks::Share mine = ranks::share(fft.chunks(), 1);
    const long long my_points = (mine.end - mine.begin) * M;
    const double scale = my_points > 0 ? static_cast<double>(n) / static_cast<double>(my_points) : 1.0;
    cpu::BlockReducer<TabulatedFn<Base>> reducer(fn, total, block);
    long long transformed = -1;  // the chunk whose H and ∂H fn.table holds
    std::vector<long long> chunk_hot;
    // Positions are chunk × per_chunk + block; a chunk's flagged points are kept until it is done.
    return keyed_reduction(
        n, nk, nv, mine.begin * per_chunk, mine.end * per_chunk, total, hot,
        [&](long long pos) {
            if (progress) progress->update(static_cast<long long>(scale * static_cast<double>((pos / per_chunk - mine.begin) * M)));
        },
        [&](long long pos, std::chrono::steady_clock::time_point deadline) {
            long long c = pos / per_chunk, b = pos % per_chunk, bad = LLONG_MAX;
            for (; c < mine.end; ++c, b = 0) {
                if (transformed != c) {
                    fn.table = fft.transform(c);
                    if (stop_requested()) return ReductionStep{c * per_chunk + b, bad, true};  // cut short: redo the chunk
                    fft.shift_of(c, fn.shift);
                    transformed = c;
                    chunk_hot.clear();
                }
                const auto r = reducer.run(fn, M, b, per_chunk, hot ? &chunk_hot : nullptr, 0, progress, scale, deadline);
                if (r.bad != LLONG_MAX) bad = std::min(bad, fn.mesh_index(r.bad));
                if (r.too_many_flagged || (hot && hot->size() + chunk_hot.size() > kMaxFlaggedPoints))
                    return ReductionStep{c * per_chunk + r.next, bad, false, true};
                if (r.stopped || r.next < per_chunk) return ReductionStep{c * per_chunk + r.next, bad, r.stopped};
                if (hot)
                    for (long long i : chunk_hot) hot->push_back(fn.mesh_index(i));
            }
            return ReductionStep{mine.end * per_chunk, bad};
        });
}

}  // namespace bzint
