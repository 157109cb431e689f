// The CUDA emulator (kernels/emulation/cuda_emulation.hpp): blocks on the worker threads, the
// threads of a block as ucontext fibers with barriers, and the runtime calls bzint makes.
#include "cuda_emulation.hpp"

#include <sys/mman.h>
#include <ucontext.h>

#include <unistd.h>

#include <atomic>
#include <exception>
#include <algorithm>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "../../host/stop.hpp"
#include "../../host/workers.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define BZINT_ASAN_FIBERS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BZINT_ASAN_FIBERS 1
#endif
#endif
#if BZINT_ASAN_FIBERS
#include <sanitizer/common_interface_defs.h>
#endif

thread_local constinit bzint::cuda::emulation::Dim3 threadIdx, blockIdx, blockDim, gridDim;

namespace bzint::cuda::emulation {

namespace {

// Each fiber's stack: reserved, committed as touched. The largest kernel frame is ~66 KB on the
// device (docs/performance.md) and of that order on the host; 1 MiB leaves room for unoptimised
// and sanitized builds (ASan clears a stack's shadow at every switch: larger costs time).
constexpr std::size_t kStackBytes = std::size_t(1) << 20;
constexpr unsigned kMaxBlock = 1024;
// Workers that run blocks: each keeps up to kMaxBlock fiber stacks of two mappings (guard page and
// stack), and the kernel's default limit is 65 530 mappings per process.
constexpr int kMaxEmulatorWorkers = 24;

std::size_t page_bytes() {
    static const std::size_t p = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    return p;
}

struct Stack {
    char* base = nullptr;  // the guard page, then the usable stack
    Stack() {
        void* p = mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
        if (p == MAP_FAILED) throw std::bad_alloc();
        base = static_cast<char*>(p);
        mprotect(base, page_bytes(), PROT_NONE);  // an overflow faults instead of corrupting a neighbour
    }
    ~Stack() { munmap(base, kStackBytes); }
    char* bottom() const { return base + page_bytes(); }
    std::size_t size() const { return kStackBytes - page_bytes(); }
    Stack(const Stack&) = delete;
    Stack& operator=(const Stack&) = delete;
};

struct Barrier {
    unsigned arrived = 0;
    unsigned long long generation = 0;
};
// A warp barrier over the lanes of `mask`: the lanes that arrived so far. Groups waiting at the
// same time in one warp must have disjoint masks, so a group is kept at the slot of its lowest lane.
struct WarpGroup {
    unsigned mask = 0, arrived = 0;
    unsigned long long generation = 0;
};

struct Fiber {
    ucontext_t context;
    std::unique_ptr<Stack> stack;
    bool done = false;
#if BZINT_ASAN_FIBERS
    void* fake_stack = nullptr;
#endif
};

// One worker's block in flight. Its fibers and stacks are kept for the next block.
struct BlockRun {
    ucontext_t scheduler;
    std::vector<Fiber> fibers;
    unsigned threads = 0;
    unsigned current = 0;
    const std::function<void()>* body = nullptr;
    const char* kernel = "";
    std::exception_ptr error;
    unsigned long long events = 0;  // arrivals at barriers and finished threads: progress
    Barrier block;
    WarpGroup warps[kMaxBlock / 32][32];
    std::uint64_t slots[kMaxBlock];
#if BZINT_ASAN_FIBERS
    void* scheduler_fake_stack = nullptr;
    const void* scheduler_bottom = nullptr;
    std::size_t scheduler_size = 0;
#endif
};

thread_local BlockRun* tl_run = nullptr;
thread_local const char* tl_launch_error = nullptr;  // the last launch's configuration error
thread_local bool tl_resources = false;               // ... which is a resource failure
std::string injected_failure;                         // inject_resource_failure's kernel

BlockRun& current_run() {
    if (!tl_run) throw std::logic_error("a CUDA device function was called outside an emulated kernel");
    return *tl_run;
}

// Back to the scheduler; returns when the scheduler resumes this fiber.
void yield(BlockRun& r) {
    Fiber& f = r.fibers[r.current];
#if BZINT_ASAN_FIBERS
    __sanitizer_start_switch_fiber(&f.fake_stack, r.scheduler_bottom, r.scheduler_size);
#endif
    swapcontext(&f.context, &r.scheduler);
#if BZINT_ASAN_FIBERS
    __sanitizer_finish_switch_fiber(f.fake_stack, &r.scheduler_bottom, &r.scheduler_size);
#endif
}

void wait_at(BlockRun& r, Barrier& b, unsigned expected) {
    const unsigned long long generation = b.generation;
    ++r.events;
    if (++b.arrived == expected) {
        b.arrived = 0;
        ++b.generation;
        return;
    }
    while (b.generation == generation) yield(r);
}

// The lanes of this thread's warp that exist (the last warp of a block may be partial).
unsigned existing_lanes(const BlockRun& r) {
    const unsigned first = r.current / 32 * 32, n = std::min(32u, r.threads - first);
    return n == 32 ? 0xffffffffu : (1u << n) - 1u;
}

void check_mask(const BlockRun& r, unsigned mask) {
    if (!(mask >> (r.current % 32) & 1u)) fail("a warp intrinsic was called by a lane its mask leaves out");
    if (mask & ~existing_lanes(r)) fail("a warp intrinsic's mask names lanes beyond the block");
}

// Waits until every lane of `mask` has arrived. A lane arriving with a mask that overlaps the
// different mask of a group still waiting is an error (on a device: undefined).
void wait_warp(BlockRun& r, unsigned mask) {
    WarpGroup* groups = r.warps[r.current / 32];
    for (int s = 0; s < 32; ++s) {
        const WarpGroup& g = groups[s];
        if (g.arrived && g.mask != mask && (g.mask & mask)) fail("lanes of one warp wait at warp intrinsics with overlapping, different masks");
    }
    WarpGroup& g = groups[__builtin_ctz(mask)];
    const unsigned long long generation = g.generation;
    g.mask = mask;
    g.arrived |= 1u << (r.current % 32);
    ++r.events;
    if (g.arrived == mask) {
        g.arrived = 0;
        ++g.generation;
        return;
    }
    while (g.generation == generation) yield(r);
}

void fiber_entry() {
    BlockRun& r = *tl_run;
    Fiber& f = r.fibers[r.current];
#if BZINT_ASAN_FIBERS
    __sanitizer_finish_switch_fiber(nullptr, &r.scheduler_bottom, &r.scheduler_size);
#endif
    try {
        (*r.body)();
    } catch (...) {
        if (!r.error) r.error = std::current_exception();
    }
    f.done = true;
    ++r.events;
#if BZINT_ASAN_FIBERS
    __sanitizer_start_switch_fiber(nullptr, r.scheduler_bottom, r.scheduler_size);  // this fiber ends
#endif
    // Returning resumes uc_link: the scheduler.
}

// A fresh context at the start of fiber_entry (its own function: getcontext returns twice, and
// nothing of the caller's frame may live across it).
[[gnu::noinline]] void prepare(Fiber& f, ucontext_t* scheduler) {
    if (!f.stack) f.stack = std::make_unique<Stack>();
    getcontext(&f.context);
    f.context.uc_stack.ss_sp = f.stack->bottom();
    f.context.uc_stack.ss_size = f.stack->size();
    f.context.uc_link = scheduler;
    makecontext(&f.context, fiber_entry, 0);
    f.done = false;
}

void run_block(BlockRun& r, unsigned b) {
    blockIdx.x = b;
    for (unsigned t = 0; t < r.threads; ++t) prepare(r.fibers[t], &r.scheduler);
    r.block = Barrier{};
    for (auto& warp : r.warps)
        for (WarpGroup& g : warp) g = WarpGroup{};
    // Round robin: every unfinished fiber runs until it finishes or waits at a barrier. A round in
    // which no fiber arrived anywhere or finished is a barrier that cannot complete.
    for (;;) {
        const unsigned long long before = r.events;
        unsigned live = 0;
        for (unsigned t = 0; t < r.threads; ++t) {
            Fiber& f = r.fibers[t];
            if (f.done) continue;
            threadIdx.x = t;
            r.current = t;
#if BZINT_ASAN_FIBERS
            __sanitizer_start_switch_fiber(&r.scheduler_fake_stack, f.stack->bottom(), f.stack->size());
#endif
            swapcontext(&r.scheduler, &f.context);
#if BZINT_ASAN_FIBERS
            __sanitizer_finish_switch_fiber(r.scheduler_fake_stack, nullptr, nullptr);
#endif
            if (!f.done) ++live;
            if (r.error) break;
        }
        if (r.error) std::rethrow_exception(r.error);
        if (live == 0) return;
        if (r.events == before)
            throw std::runtime_error(std::string("CUDA emulator: kernel ") + r.kernel + ", block " + std::to_string(b) +
                                     ": a barrier (__syncthreads, __syncwarp or a warp intrinsic) that not every thread it "
                                     "names reaches");
    }
}

}  // namespace

void run_grid(const char* kernel, unsigned grid, unsigned block, const std::function<void()>& body) {
    if (block == 0 || block > kMaxBlock || grid == 0) {
        tl_launch_error = "invalid configuration argument (a block of 1 to 1024 threads)";
        return;
    }
    if (!injected_failure.empty() && injected_failure == kernel) {
        injected_failure.clear();
        tl_launch_error = "too many resources requested for launch";
        tl_resources = true;
        return;
    }
    // Blocks in order to whichever worker is free; after a failure the others stop taking blocks,
    // and on a stop request (Ctrl-C) all of them do: the caller discards the launch's output
    // (host/stop.hpp; a device would finish the kernel, in milliseconds rather than seconds).
    std::atomic<unsigned> next{0};
    std::atomic<bool> failed{false};
    workers::run([&](int w) {
        if (w >= kMaxEmulatorWorkers) return;
        thread_local BlockRun run;
        gridDim = Dim3{grid, 1, 1};
        blockDim = Dim3{block, 1, 1};
        if (run.fibers.size() < block) run.fibers.resize(block);
        run.threads = block;
        run.body = &body;
        run.kernel = kernel;
        run.error = nullptr;
        tl_run = &run;
        try {
            for (unsigned b; !failed.load() && !stop_requested() && (b = next.fetch_add(1)) < grid;) run_block(run, b);
        } catch (...) {
            // The fibers left suspended are reset by the next launch (their frames are not unwound).
            failed.store(true);
            tl_run = nullptr;
            throw;
        }
        tl_run = nullptr;
    });
}

int device_count() { return 1; }
void set_device(int device) {
    if (device != 0) throw std::runtime_error("CUDA emulator: there is one device, 0");
}
std::string device_name() { return "CUDA emulator on the CPU"; }
bool has_code_for_device() { return true; }
long long free_memory() { return 0; }
int* alloc_host_flag() { return new int(0); }
void free_host_flag(int* flag) { delete flag; }
LaunchError launch_error(bool) {
    LaunchError e;
    if (tl_launch_error) e.what = tl_launch_error;
    e.resources = tl_resources;
    tl_launch_error = nullptr;
    tl_resources = false;
    return e;
}

void inject_resource_failure(const std::string& kernel) { injected_failure = kernel; }

void block_barrier() {
    BlockRun& r = current_run();
    wait_at(r, r.block, r.threads);
}

void warp_barrier(unsigned mask) {
    BlockRun& r = current_run();
    check_mask(r, mask);
    wait_warp(r, mask);
}

const std::uint64_t* warp_publish(unsigned mask, std::uint64_t bits) {
    BlockRun& r = current_run();
    r.slots[r.current] = bits;
    warp_barrier(mask);
    return r.slots + r.current / 32 * 32;
}

void warp_release(unsigned mask) { warp_barrier(mask); }

void fail(const char* what) {
    const BlockRun* r = tl_run;
    throw std::runtime_error(std::string("CUDA emulator: kernel ") + (r ? r->kernel : "?") + ", thread " +
                             std::to_string(threadIdx.x) + " of block " + std::to_string(blockIdx.x) + ": " + what);
}

}  // namespace bzint::cuda::emulation

