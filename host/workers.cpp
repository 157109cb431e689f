#include "workers.hpp"

#include <sched.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace bzint::workers {

namespace {

thread_local bool t_inside_worker = false;
std::atomic<int> g_count{0};  // 0: not chosen yet

int env_threads() {
    const char* s = std::getenv("OMP_NUM_THREADS");
    if (!s) return 0;
    char* end = nullptr;
    const long v = std::strtol(s, &end, 10);  // "4" or the first entry of a nested list "4,2"
    return (end != s && v > 0 && v <= 1 << 20) ? static_cast<int>(v) : 0;
}

// Threads 1..n−1 wait for a generation number to change; worker 0 is the caller of run().
class Pool {
public:
    ~Pool() {
        {
            std::lock_guard<std::mutex> lk(m_);
            quit_ = true;
        }
        work_.notify_all();
        for (auto& t : threads_) t.join();
    }

    void run(int n, const std::function<void(int)>& body) {
        grow(n - 1);
        {
            std::lock_guard<std::mutex> lk(m_);
            body_ = &body;
            active_ = n;
            pending_ = n - 1;
            error_ = nullptr;
            ++generation_;
        }
        work_.notify_all();
        std::exception_ptr mine;
        t_inside_worker = true;
        try {
            body(0);
        } catch (...) {
            mine = std::current_exception();
        }
        t_inside_worker = false;
        std::unique_lock<std::mutex> lk(m_);
        done_.wait(lk, [&] { return pending_ == 0; });
        body_ = nullptr;
        if (mine) std::rethrow_exception(mine);
        if (error_) std::rethrow_exception(error_);
    }

private:
    void grow(int helpers) {
        while (static_cast<int>(threads_.size()) < helpers) {
            const int id = static_cast<int>(threads_.size()) + 1;
            threads_.emplace_back([this, id] { loop(id); });
        }
    }

    void loop(int id) {
        t_inside_worker = true;
        unsigned long long seen = 0;
        std::unique_lock<std::mutex> lk(m_);
        for (;;) {
            work_.wait(lk, [&] { return quit_ || generation_ != seen; });
            if (quit_) return;
            seen = generation_;
            if (id >= active_) continue;
            const std::function<void(int)>* body = body_;
            lk.unlock();
            std::exception_ptr e;
            try {
                (*body)(id);
            } catch (...) {
                e = std::current_exception();
            }
            lk.lock();
            if (e && !error_) error_ = e;
            if (--pending_ == 0) done_.notify_one();
        }
    }

    std::mutex m_;
    std::condition_variable work_, done_;
    std::vector<std::thread> threads_;
    const std::function<void(int)>* body_ = nullptr;
    unsigned long long generation_ = 0;
    int active_ = 0, pending_ = 0;
    bool quit_ = false;
    std::exception_ptr error_;
};

Pool& pool() {
    static Pool p;
    return p;
}

}  // namespace

int available_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        const int n = CPU_COUNT(&set);
        if (n > 0) return n;
    }
    const unsigned hc = std::thread::hardware_concurrency();
    return hc > 0 ? static_cast<int>(hc) : 1;
}

int count() {
    int n = g_count.load();
    if (n == 0) {
        const int env = env_threads();
        n = env > 0 ? std::min(env, available_cpus()) : available_cpus();
        g_count.store(n);
    }
    return n;
}

void set_count(int n) { g_count.store(std::clamp(n, 1, kMaxThreads)); }

void use_default_count() { g_count.store(0); }

void run(const std::function<void(int)>& body) {
    const int n = count();
    if (n <= 1 || t_inside_worker) {
        body(0);
        return;
    }
    pool().run(n, body);
}

}  // namespace bzint::workers
