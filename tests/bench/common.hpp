// What the staticnet_bench translation units share: options, the input pool (real MNIST or
// noise, the same images in the same order as tools/bench_torch.py), wall-clock timing with
// medians, denormal control and counting, and a tiny JSON writer.
#pragma once
#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

namespace bench {

// ---------------------------------------------------------------------------------------------
// Options of the `networks` and `denormals` modes.
struct Options {
    std::vector<std::string> networks{"deep", "bn", "nin"};
    std::vector<int> threads{1, 2};
    std::string data;    // MNIST folder (train-images-idx3-ubyte, ...)
    bool noise = false;  // old-bench input: ONE fixed batch of uniform 0..255 noise, repeated
    bool ftz = false;    // set MXCSR FTZ|DAZ before anything runs (and before pools start)
    bool quick = false;
    int steps = 300;     // denormals mode: training steps per case
    std::vector<std::string> inputs{"mnist", "noise_fixed_batch", "noise_cycled"};  // denormals mode
};

// ---------------------------------------------------------------------------------------------
// Input pool. Real mode: the first pool_images MNIST training images, raw 0..255 as float (what
// tools/train feeds), NHWC (= NCHW for one channel); batch k of size B starts at image
// (k * B) mod pool_images and is contiguous because the pool is extended by its own first
// max_batch images. tools/bench_torch.py builds the identical pool.
// Noise mode (--noise): the old bench's input: one fixed batch of uniform integers 0..255 with
// labels 0..9 (sn::Rng(20240601)), every call uses the same images.
inline constexpr int pool_images = 8192;
inline constexpr int max_batch = 1000;
inline constexpr int image_size = 28 * 28;
inline constexpr int train_batch_for_noise = 64;  // the old bench's one noise batch

struct Pool {
    std::vector<float> images;         // (pool + max_batch) * 784
    std::vector<std::int32_t> labels;  // pool + max_batch
    int count = pool_images;           // distinct images (1 batch in noise mode)
    bool noise = false;
    // Start (in images) of call k's batch of b.
    std::size_t start(long k, int b) const {
        if (noise) return 0;
        return static_cast<std::size_t>((static_cast<long long>(k) * b) % count);
    }
    const float* x(long k, int b) const { return images.data() + start(k, b) * image_size; }
    const std::int32_t* y(long k, int b) const { return labels.data() + start(k, b); }
};

Pool load_pool(const Options& o);  // defined in bench_main.cpp (links zlib through the IDX reader)

// ---------------------------------------------------------------------------------------------
// Wall-clock timing: warm-up calls, then calls until both min_calls and min_seconds are reached.
// The median is the headline (robust against other work on the machine); the mean is kept too.
inline constexpr double max_seconds = 20.0;

struct Stats {
    double median = 0, mean = 0, min = 0, total = 0;
    long calls = 0;
};

template <class F>
Stats time_calls(F&& f, int warmup, long min_calls, double min_seconds) {
    using clock = std::chrono::steady_clock;
    long k = 0;
    for (int i = 0; i < warmup; ++i) f(k++);
    std::vector<double> t;
    t.reserve(static_cast<std::size_t>(min_calls) * 2);
    const auto begin = clock::now();
    for (;;) {
        const auto t0 = clock::now();
        f(k++);
        const auto t1 = clock::now();
        t.push_back(std::chrono::duration<double>(t1 - t0).count());
        const double elapsed = std::chrono::duration<double>(t1 - begin).count();
        // max_seconds: stops short of min_calls only when calls are pathologically slow (a shared
        // machine); tools/bench_torch.py has the same cap.
        if ((static_cast<long>(t.size()) >= min_calls && elapsed >= min_seconds) || elapsed >= max_seconds) break;
    }
    Stats s;
    s.calls = static_cast<long>(t.size());
    for (double v : t) s.total += v;
    s.mean = s.total / static_cast<double>(s.calls);
    std::sort(t.begin(), t.end());
    s.min = t.front();
    s.median = s.calls % 2 ? t[t.size() / 2] : 0.5 * (t[t.size() / 2 - 1] + t[t.size() / 2]);
    return s;
}

// CPU time of the calling thread: immune to other processes taking the core (the denormal
// probe reports it beside the wall time).
inline double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// ---------------------------------------------------------------------------------------------
// Denormals. MXCSR bit 15 = FTZ (results that would be denormal become 0), bit 6 = DAZ
// (denormal inputs are read as 0). Per thread; threads started afterwards inherit it.
inline void set_flush_denormals(bool on) {
#if defined(__x86_64__) || defined(__i386__)
    unsigned csr = _mm_getcsr();
    csr = on ? (csr | 0x8040u) : (csr & ~0x8040u);
    _mm_setcsr(csr);
#else
    (void)on;
#endif
}
inline bool flush_denormals() {
#if defined(__x86_64__) || defined(__i386__)
    return (_mm_getcsr() & 0x8040u) == 0x8040u;
#else
    return false;
#endif
}

// From the bits (a comparison would read denormals as 0 under DAZ).
inline std::size_t count_denormals(const float* p, std::size_t n) {
    std::size_t c = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t b = std::bit_cast<std::uint32_t>(p[i]);
        c += (b & 0x7F800000u) == 0 && (b & 0x007FFFFFu) != 0;
    }
    return c;
}

// ---------------------------------------------------------------------------------------------
// JSON: numbers that are not finite become null.
inline std::string num(double v) {
    if (!std::isfinite(v)) return "null";
    char b[64];
    std::snprintf(b, sizeof b, "%.6g", v);
    return b;
}
inline std::string str(const std::string& s) { return "\"" + s + "\""; }

// Implemented once per network, each in its own translation unit (compile time).
std::string run_network_deep(const Options& o, const Pool& pool, int threads);
std::string run_network_bn(const Options& o, const Pool& pool, int threads);
std::string run_network_nin(const Options& o, const Pool& pool, int threads);
std::string denormals_deep(const Options& o, const Pool& mnist, const Pool& noise_fixed, const Pool& noise_cycled);
std::string denormals_bn(const Options& o, const Pool& mnist, const Pool& noise_fixed, const Pool& noise_cycled);
std::string denormals_nin(const Options& o, const Pool& mnist, const Pool& noise_fixed, const Pool& noise_cycled);

// Kernel microbenchmarks (Google Benchmark), bench_kernels.cpp.
void register_kernel_benchmarks();

}  // namespace bench
