#include "ranks.hpp"

#include <algorithm>
#include <climits>
#include <cstdlib>

#ifdef BZINT_MPI
#include <mpi.h>
#endif

namespace bzint::ranks {

namespace {
int g_rank = 0, g_size = 1, g_local = 0;
bool g_mpi = false;  // MPI_Init was called
}  // namespace

bool launched_by_mpi() {
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE", "MPI_LOCALNRANKS", "MV2_COMM_WORLD_SIZE",
                          "I_MPI_HYDRA_HOST_FILE", "HYDRA_CONTROL_FD"})
        if (std::getenv(v)) return true;
    return false;
}

#ifdef BZINT_MPI

void init(int& argc, char**& argv) {
    if (!launched_by_mpi()) return;
    g_mpi = true;
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, g_rank, MPI_INFO_NULL, &node);
    MPI_Comm_rank(node, &g_local);
    MPI_Comm_free(&node);
}

void finalize() {
    if (g_mpi) MPI_Finalize();
}

void abort(int code) {
    if (g_size > 1) MPI_Abort(MPI_COMM_WORLD, code);
    std::exit(code);
}

bool all(bool ok) {
    if (g_size == 1) return ok;
    int mine = ok ? 1 : 0, every = 0;
    MPI_Allreduce(&mine, &every, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    return every != 0;
}

std::string library() {
    if (!g_mpi) return "none (not started by an MPI launcher)";
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int len = 0;
    MPI_Get_library_version(version, &len);
    std::string v(version, static_cast<std::size_t>(len));
    const auto cut = v.find_first_of(",\n");
    return "MPI (" + v.substr(0, cut) + ")";
}

void combine(std::vector<Neumaier>& partial) {
    if (g_size == 1) return;
    const std::size_t n = partial.size();
    std::vector<double> mine(2 * n), all(2 * n * static_cast<std::size_t>(g_size));
    for (std::size_t i = 0; i < n; ++i) {
        mine[2 * i] = partial[i].s;
        mine[2 * i + 1] = partial[i].c;
    }
    MPI_Allgather(mine.data(), static_cast<int>(2 * n), MPI_DOUBLE, all.data(), static_cast<int>(2 * n), MPI_DOUBLE,
                  MPI_COMM_WORLD);
    for (std::size_t i = 0; i < n; ++i) {
        Neumaier t{all[2 * i], all[2 * i + 1]};
        for (int r = 1; r < g_size; ++r) {
            const double* p = all.data() + 2 * n * static_cast<std::size_t>(r) + 2 * i;
            t.add(Neumaier{p[0], p[1]});
        }
        partial[i] = t;
    }
}

long long combine_first(long long index) {
    if (g_size == 1) return index;
    long long v = index < 0 ? LLONG_MAX : index, out = LLONG_MAX;
    MPI_Allreduce(&v, &out, 1, MPI_LONG_LONG, MPI_MIN, MPI_COMM_WORLD);
    return out == LLONG_MAX ? -1 : out;
}

void combine_concat(std::vector<long long>& values) {
    if (g_size == 1) return;
    const int mine = static_cast<int>(values.size());
    std::vector<int> counts(g_size), offsets(g_size);
    MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
    int total = 0;
    for (int r = 0; r < g_size; ++r) {
        offsets[r] = total;
        total += counts[r];
    }
    std::vector<long long> all(static_cast<std::size_t>(total));
    MPI_Allgatherv(values.data(), mine, MPI_LONG_LONG, all.data(), counts.data(), offsets.data(), MPI_LONG_LONG,
                   MPI_COMM_WORLD);
    values.swap(all);
}

void barrier() {
    if (g_size > 1) MPI_Barrier(MPI_COMM_WORLD);
}

#else

void init(int&, char**&) {}
void finalize() {}
bool all(bool ok) { return ok; }
void abort(int code) { std::exit(code); }
std::string library() { return "none"; }
void combine(std::vector<Neumaier>&) {}
long long combine_first(long long index) { return index; }
void combine_concat(std::vector<long long>&) {}
void barrier() {}

#endif

int rank() { return g_rank; }
int size() { return g_size; }
int local_rank() { return g_local; }

Share share_of(int rank, int size, long long n, long long block, const std::uint8_t* weight) {
    const long long blocks = (n + block - 1) / block;
    auto span = [&](long long b0, long long b1) { return Share{std::min(n, b0 * block), std::min(n, b1 * block)}; };
    if (!weight || size == 1) return span(blocks * rank / size, blocks * (rank + 1) / size);
    // Rank r starts at the first block before which at least r/size of the weighted points lie.
    std::vector<long long> before(static_cast<std::size_t>(blocks) + 1, 0);
    for (long long b = 0; b < blocks; ++b) {
        long long count = 0;
        for (long long i = b * block; i < std::min(n, (b + 1) * block); ++i) count += weight[i] != 0;
        before[b + 1] = before[b] + count;
    }
    const long long total = before[blocks];
    auto cut = [&](int r) -> long long {
        if (r >= size) return blocks;
        return std::lower_bound(before.begin(), before.end(), (total * r + size - 1) / size) - before.begin();
    };
    return span(cut(rank), cut(rank + 1));
}

Share share(long long n, long long block, const std::uint8_t* weight) { return share_of(g_rank, g_size, n, block, weight); }

}  // namespace bzint::ranks
