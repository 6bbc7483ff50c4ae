// ThreadPool: the desktop Executor. A fixed set of worker threads, started once, that run the
// core's work items (core/parallel.hpp) together with the calling thread.
//
//   sn::ThreadPool pool(2);                 // 1 worker thread + the caller; ThreadPool(1) starts none
//   model.set_executor(pool.executor());    // Model and Inference; keep the pool alive meanwhile
//
// Items are claimed one at a time from a shared counter, so uneven items balance out; results do
// not depend on who ran what (see core/parallel.hpp). A run allocates nothing. Between runs the
// workers spin briefly (a training step hands out work every few microseconds), then sleep on a
// condition variable until the next run, so an idle pool costs no CPU. (Not std::atomic::wait:
// with libstdc++ 12 a worker sleeping in it missed a notification and the pool hung.)
#pragma once
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../core/parallel.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace staticnet {

class ThreadPool {
public:
    // threads >= 1: the number of threads that run items, the caller included.
    explicit ThreadPool(int threads) : threads_(threads) {
        if (threads < 1) throw std::invalid_argument("ThreadPool: threads must be at least 1, got " + std::to_string(threads));
        workers_.reserve(static_cast<std::size_t>(threads - 1));
        for (int t = 1; t < threads; ++t) workers_.emplace_back([this] { work(); });
    }
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;
    ~ThreadPool() {
        stop_.store(true, std::memory_order_relaxed);
        publish();
        for (auto& w : workers_) w.join();
    }

    int threads() const { return threads_; }

    // The machine's hardware threads (at least 1).
    static int hardware_threads() {
        const unsigned n = std::thread::hardware_concurrency();
        return n > 0 ? static_cast<int>(n) : 1;
    }

    Executor executor() { return Executor{this, &ThreadPool::run_items, threads_}; }

private:
    static void run_items(void* self, int count, void (*fn)(void*, int), void* arg) {
        static_cast<ThreadPool*>(self)->run(count, fn, arg);
    }

    void run(int count, void (*fn)(void*, int), void* arg) {
        if (count <= 0) return;
        fn_ = fn;
        arg_ = arg;
        count_ = count;
        next_.store(0, std::memory_order_relaxed);
        busy_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
        publish();
        claim_items();
        // Wait for every worker to leave this run (they may still be finishing an item).
        while (busy_.load(std::memory_order_acquire) != 0) pause();
    }

    // A new generation: spinning workers see the atomic change, sleeping ones are woken (the
    // change is made under the mutex they check it under, so none can miss it).
    void publish() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            generation_.fetch_add(1, std::memory_order_release);
        }
        wake_.notify_all();
    }

    void claim_items() {
        for (int i = next_.fetch_add(1, std::memory_order_relaxed); i < count_;
             i = next_.fetch_add(1, std::memory_order_relaxed))
            fn_(arg_, i);
    }

    void work() {
        // Generation 0 is the one before any run, whenever this thread gets to start: reading it
        // here instead would miss a run published before the thread first ran (and hang it).
        std::uint64_t seen = 0;
        for (;;) {
            // Spin for a while (about 50 us), then sleep until the generation changes.
            std::uint64_t g = generation_.load(std::memory_order_acquire);
            for (int spin = 0; g == seen && spin < 20000; ++spin) {
                pause();
                g = generation_.load(std::memory_order_acquire);
            }
            if (g == seen) {
                std::unique_lock<std::mutex> lock(mutex_);
                wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
                g = generation_.load(std::memory_order_acquire);
            }
            seen = g;
            if (stop_.load(std::memory_order_relaxed)) return;
            claim_items();
            busy_.fetch_sub(1, std::memory_order_acq_rel);
        }
    }

    static void pause() {
#if defined(__x86_64__) || defined(__i386__)
        _mm_pause();
#elif defined(__aarch64__)
        asm volatile("yield");
#endif
    }

    int threads_;
    std::vector<std::thread> workers_;
    alignas(64) std::atomic<std::uint64_t> generation_{0};
    alignas(64) std::atomic<int> next_{0};
    alignas(64) std::atomic<int> busy_{0};
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    void (*fn_)(void*, int) = nullptr;
    void* arg_ = nullptr;
    int count_ = 0;
};

}  // namespace staticnet
