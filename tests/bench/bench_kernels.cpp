// staticnet_bench kernels: Google Benchmark microbenchmarks of the kernels a training step and a
// prediction run, at the seed networks' shapes (batch 64 per call), and the FMA peak of this
// core measured by the same binary. Every benchmark reports, as plain per-iteration counters,
//   flops   floating-point operations of one call (conv/dense: 2 * MACs; for convolutions the
//           MACs of taps inside the image, which is the work there is to do)
//   flops_nominal  conv: 2 * MACs of every tap, 'same' padding included (the usual FLOP count)
//   bytes   bytes one call must at least read and write (for the memory-bound kernels)
//   simd    1 = a kernels::simd kernel, 0 = the name resolves to the reference kernel (not
//           SIMD-ified yet), -1 = unknown
// tools/bench turns them into GFLOP/s and GB/s from the WALL time (UseRealTime) and divides by
// the measured peak.
//
// Kernels are called through their staticnet::kernels::simd:: names. Names the simd namespace
// does not declare yet fall back to the reference kernel through a using-directive added to
// that namespace in this translation unit only (qualified lookup only looks through
// using-directives when the namespace itself declares nothing by that name), so this file keeps
// compiling while kernels move from reference to SIMD, and picks each SIMD kernel up as soon as
// it is declared.
// TODO(bench): once every kernel below is in kernels::simd, drop the fallback.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <staticnet/core.hpp>
#include <staticnet/kernels/reference/activation.hpp>
#include <staticnet/kernels/reference/batch_norm.hpp>
#include <staticnet/kernels/reference/conv2d.hpp>
#include <staticnet/kernels/reference/dense.hpp>
#include <staticnet/kernels/reference/pool.hpp>
#include <staticnet/kernels/simd/simd.hpp>
#include <string>
#if __has_include(<staticnet/kernels/simd/conv2d.hpp>)
#include <staticnet/kernels/simd/conv2d.hpp>
#endif
#include <staticnet/kernels/simd/winograd.hpp>
#if __has_include(<staticnet/kernels/simd/dense.hpp>)
#include <staticnet/kernels/simd/dense.hpp>
#endif
#if __has_include(<staticnet/kernels/simd/activation.hpp>)
#include <staticnet/kernels/simd/activation.hpp>
#endif
#if __has_include(<staticnet/kernels/simd/batch_norm.hpp>)
#include <staticnet/kernels/simd/batch_norm.hpp>
#endif
#if __has_include(<staticnet/kernels/simd/pool.hpp>)
#include <staticnet/kernels/simd/pool.hpp>
#endif
#if __has_include(<staticnet/kernels/simd/optimizer.hpp>)
#include <staticnet/kernels/simd/optimizer.hpp>
#endif
#if __has_include(<staticnet/kernels/reference/optimizer.hpp>)
#include <staticnet/kernels/reference/optimizer.hpp>
#define BENCH_HAVE_ADAM_KERNEL 1
#else
#define BENCH_HAVE_ADAM_KERNEL 0
#endif

#include "common.hpp"
#include "examples/seed_networks.hpp"

// The fallback (see the top of the file). TODO(bench): remove when kernels::simd is complete.
namespace staticnet::kernels::simd {
namespace bench_reference_fallback {
using namespace staticnet::kernels::reference;
}
using namespace bench_reference_fallback;
}  // namespace staticnet::kernels::simd

namespace bench {
namespace {

namespace sn = staticnet;
namespace ex = staticnet::examples;
namespace simd = staticnet::kernels::simd;
namespace ref = staticnet::kernels::reference;

// 1 when SIMD and REF are the same function (the name still resolves to the reference kernel),
// 0 when they differ, -1 when the pointer cannot be formed as type FP.
#define BENCH_IS_SIMD(FP, SIMD, REF)                                                       \
    ([]<class F = FP>() -> int {                                                          \
        if constexpr (requires { static_cast<F>(&SIMD); })                                \
            return static_cast<F>(&SIMD) == static_cast<F>(&REF) ? 0 : 1;                 \
        else                                                                              \
            return -1;                                                                    \
    }())

constexpr int batch = 64;

// 64-byte aligned float buffer.
struct Buf {
    std::unique_ptr<float, decltype(&std::free)> p{nullptr, &std::free};
    std::size_t n = 0;
    explicit Buf(std::size_t count, float lo = -1.0f, float hi = 1.0f, unsigned seed = 1) : n(count) {
        const std::size_t bytes = (count * sizeof(float) + 63) / 64 * 64;
        p.reset(static_cast<float*>(std::aligned_alloc(64, bytes > 0 ? bytes : 64)));
        std::mt19937 g(seed);
        std::uniform_real_distribution<float> u(lo, hi);
        for (std::size_t i = 0; i < count; ++i) p.get()[i] = u(g);
    }
    float* get() const { return p.get(); }
};

void finish(benchmark::State& st, double flops, double bytes, int is_simd, double flops_nominal = 0) {
    st.counters["flops"] = flops;
    st.counters["flops_nominal"] = flops_nominal > 0 ? flops_nominal : flops;
    st.counters["bytes"] = bytes;
    st.counters["simd"] = is_simd;
}

// ---------------------------------------------------------------------------------------------
// The FMA peak: Chains independent accumulators, acc = fma(acc, a, b), in registers.
// flops = 2 * lanes * Chains * inner per iteration. The loop is a separate function taking a and
// b as plain arguments (made opaque in every iteration, so the call is not hoisted): with DoNotOptimize on them, a and b live in memory and every FMA takes a
// memory operand, which measured ~10% below what the core can do.
#if STATICNET_HAS_XSIMD
template <class Arch, int Chains>
[[gnu::noinline]] float fma_chains(float a0, float b0, int inner) {
    using B = xsimd::batch<float, Arch>;
    B acc[Chains];
    simd::static_for<Chains>([&](auto i) { acc[i] = B(1.0f + 1e-3f * static_cast<float>(i())); });
    const B a(a0), b(b0);
    for (int r = 0; r < inner; ++r) simd::static_for<Chains>([&](auto i) { acc[i] = xsimd::fma(acc[i], a, b); });
    B sum(0.0f);
    simd::static_for<Chains>([&](auto i) { sum += acc[i]; });
    return xsimd::hadd(sum);
}
#endif

template <class Arch, int Chains>
void fma_peak(benchmark::State& st) {
#if STATICNET_HAS_XSIMD
    using B = xsimd::batch<float, Arch>;
    constexpr int inner = 1 << 18;
    float a = 0.999f, b = 1e-3f;
    for (auto _ : st) {
        benchmark::DoNotOptimize(a);
        benchmark::DoNotOptimize(b);
        float r = fma_chains<Arch, Chains>(a, b, inner);
        benchmark::DoNotOptimize(r);
    }
    finish(st, 2.0 * B::size * Chains * inner, 0, 1);
#else
    st.SkipWithError("no xsimd in this build");
#endif
}

// ---------------------------------------------------------------------------------------------
// Conv2D at one layer's geometry.
// 2 * MACs of the taps inside the image: what the kernels must compute (padded taps of 'same'
// convolutions multiply zeros, and the kernels skip them), so the fraction of peak stays honest.
template <sn::kernels::ConvGeometry G>
constexpr double conv_flops() {
    long taps = 0;
    for (int oy = 0; oy < G.oh; ++oy)
        for (int ox = 0; ox < G.ow; ++ox)
            for (int ky = 0; ky < G.kh; ++ky)
                for (int kx = 0; kx < G.kw; ++kx) {
                    const int iy = oy * G.sh + ky - G.pad_top, ix = ox * G.sw + kx - G.pad_left;
                    taps += iy >= 0 && iy < G.h && ix >= 0 && ix < G.w;
                }
    return 2.0 * batch * static_cast<double>(taps) * G.cin * G.cout;
}
// The usual nominal count (every tap, padding included), as FLOP counters report it.
template <sn::kernels::ConvGeometry G>
constexpr double conv_flops_nominal() {
    return 2.0 * batch * G.oh * G.ow * G.kh * G.kw * G.cin * G.cout;
}
template <sn::kernels::ConvGeometry G>
constexpr std::size_t ksize() {
    return static_cast<std::size_t>(G.kh) * G.kw * G.cin * G.cout;
}
constexpr double f4 = sizeof(float);

template <sn::kernels::ConvGeometry G>
void conv_forward(benchmark::State& st) {
    Buf x(static_cast<std::size_t>(batch) * G.h * G.w * G.cin, 0.0f, 1.0f), k(ksize<G>(), -0.1f, 0.1f, 2),
        b(G.cout, -0.1f, 0.1f, 3), y(static_cast<std::size_t>(batch) * G.oh * G.ow * G.cout);
    for (auto _ : st) {
        simd::conv2d_forward<G>(x.get(), k.get(), b.get(), y.get(), batch);
        benchmark::ClobberMemory();
    }
    using Fp = void (*)(const float*, const float*, const float*, float*, int);
    finish(st, conv_flops<G>(), f4 * (x.n + k.n + y.n),
           BENCH_IS_SIMD(Fp, simd::conv2d_forward<G>, ref::conv2d_forward<G>), conv_flops_nominal<G>());
}

template <sn::kernels::ConvGeometry G>
void conv_backward_params(benchmark::State& st) {
    Buf x(static_cast<std::size_t>(batch) * G.h * G.w * G.cin, 0.0f, 1.0f),
        gz(static_cast<std::size_t>(batch) * G.oh * G.ow * G.cout, -1e-3f, 1e-3f, 2), gk(ksize<G>()), gb(G.cout),
        partial(ksize<G>());
    for (auto _ : st) {
        simd::conv2d_backward_params<G>(x.get(), gz.get(), gk.get(), gb.get(), partial.get(), batch);
        benchmark::ClobberMemory();
    }
    using Fp = void (*)(const float*, const float*, float*, float*, float*, int);
    finish(st, conv_flops<G>(), f4 * (x.n + gz.n + gk.n),
           BENCH_IS_SIMD(Fp, simd::conv2d_backward_params<G>, ref::conv2d_backward_params<G>), conv_flops_nominal<G>());
}

// The Winograd kernels, counted with the direct kernel's FLOPs (the work they replace), so their
// "fraction of peak" can exceed 1: it is the speed-up over a direct kernel at the FMA peak.
template <sn::kernels::ConvGeometry G>
void conv_forward_winograd(benchmark::State& st) {
    Buf x(static_cast<std::size_t>(batch) * G.h * G.w * G.cin, 0.0f, 1.0f), k(ksize<G>(), -0.1f, 0.1f, 2),
        b(G.cout, -0.1f, 0.1f, 3), y(static_cast<std::size_t>(batch) * G.oh * G.ow * G.cout),
        u(simd::winograd_kernel_size<G>());
    for (auto _ : st) {
        simd::conv2d_winograd_forward<G>(x.get(), k.get(), b.get(), y.get(), u.get(), batch);
        benchmark::ClobberMemory();
    }
    finish(st, conv_flops<G>(), f4 * (x.n + k.n + y.n), 1, conv_flops_nominal<G>());
}

template <sn::kernels::ConvGeometry G>
void conv_backward_input_winograd(benchmark::State& st) {
    Buf k(ksize<G>(), -0.1f, 0.1f, 2), gz(static_cast<std::size_t>(batch) * G.oh * G.ow * G.cout, -1e-3f, 1e-3f, 3),
        gx(static_cast<std::size_t>(batch) * G.h * G.w * G.cin), u(simd::winograd_kernel_size<G>());
    for (auto _ : st) {
        simd::conv2d_winograd_backward_input<G>(k.get(), gz.get(), gx.get(), u.get(), batch);
        benchmark::ClobberMemory();
    }
    finish(st, conv_flops<G>(), f4 * (k.n + gz.n + gx.n), 1, conv_flops_nominal<G>());
}

template <sn::kernels::ConvGeometry G>
void conv_backward_input(benchmark::State& st) {
    Buf k(ksize<G>(), -0.1f, 0.1f, 2), gz(static_cast<std::size_t>(batch) * G.oh * G.ow * G.cout, -1e-3f, 1e-3f, 3),
        gx(static_cast<std::size_t>(batch) * G.h * G.w * G.cin), kt(ksize<G>());
    for (auto _ : st) {
        simd::conv2d_backward_input<G>(k.get(), gz.get(), gx.get(), kt.get(), batch);
        benchmark::ClobberMemory();
    }
    using Fp = void (*)(const float*, const float*, float*, float*, int);
    finish(st, conv_flops<G>(), f4 * (k.n + gz.n + gx.n),
           BENCH_IS_SIMD(Fp, simd::conv2d_backward_input<G>, ref::conv2d_backward_input<G>), conv_flops_nominal<G>());
}

// ---------------------------------------------------------------------------------------------
// Dense 1568 -> 32 (the seed networks' first Dense layer).
constexpr int dense_in = 7 * 7 * 32, dense_out = 32;
constexpr double dense_flops = 2.0 * batch * dense_in * dense_out;

void dense_forward(benchmark::State& st) {
    Buf x(static_cast<std::size_t>(batch) * dense_in, 0.0f, 1.0f), k(dense_in * dense_out, -0.05f, 0.05f, 2),
        b(dense_out), y(batch * dense_out);
    for (auto _ : st) {
        simd::dense_forward<dense_in, dense_out, true>(x.get(), k.get(), b.get(), y.get(), batch);
        benchmark::ClobberMemory();
    }
    using Fp = void (*)(const float*, const float*, const float*, float*, int);
    finish(st, dense_flops, f4 * (x.n + k.n + y.n),
           BENCH_IS_SIMD(Fp, (simd::dense_forward<dense_in, dense_out, true>),
                         (ref::dense_forward<dense_in, dense_out, true>)));
}

void dense_backward_params(benchmark::State& st) {
    Buf x(static_cast<std::size_t>(batch) * dense_in, 0.0f, 1.0f), gz(batch * dense_out, -1e-3f, 1e-3f, 2),
        gk(dense_in * dense_out), gb(dense_out);
    for (auto _ : st) {
        simd::dense_backward_params<dense_in, dense_out, true>(x.get(), gz.get(), gk.get(), gb.get(), batch);
        benchmark::ClobberMemory();
    }
    using Fp = void (*)(const float*, const float*, float*, float*, int);
    finish(st, dense_flops, f4 * (x.n + gz.n + gk.n),
           BENCH_IS_SIMD(Fp, (simd::dense_backward_params<dense_in, dense_out, true>),
                         (ref::dense_backward_params<dense_in, dense_out, true>)));
}

void dense_backward_input(benchmark::State& st) {
    Buf k(dense_in * dense_out, -0.05f, 0.05f, 2), gz(batch * dense_out, -1e-3f, 1e-3f, 3),
        gx(static_cast<std::size_t>(batch) * dense_in), kt(dense_in * dense_out);
    for (auto _ : st) {
        simd::dense_backward_input<dense_in, dense_out>(k.get(), gz.get(), gx.get(), kt.get(), batch);
        benchmark::ClobberMemory();
    }
    using Fp = void (*)(const float*, const float*, float*, float*, int);
    finish(st, dense_flops, f4 * (k.n + gz.n + gx.n),
           BENCH_IS_SIMD(Fp, (simd::dense_backward_input<dense_in, dense_out>),
                         (ref::dense_backward_input<dense_in, dense_out>)));
}

// ---------------------------------------------------------------------------------------------
// MaxPool 2x2 on 28x28x32 (Deep and Bn's first pool). "flops": one max per input element.
constexpr sn::kernels::PoolGeometry pool_g = sn::MaxPool2D<{.pool = {2, 2}}>::geometry<sn::Shape{28, 28, 32}>();
constexpr std::size_t pool_in = static_cast<std::size_t>(batch) * pool_g.h * pool_g.w * pool_g.c;
constexpr std::size_t pool_out = static_cast<std::size_t>(batch) * pool_g.oh * pool_g.ow * pool_g.c;

void max_pool_forward(benchmark::State& st) {
    Buf x(pool_in), y(pool_out);
    for (auto _ : st) {
        simd::max_pool_forward<pool_g>(x.get(), y.get(), batch);
        benchmark::ClobberMemory();
    }
    using Fp = void (*)(const float*, float*, int);
    finish(st, static_cast<double>(pool_in), f4 * (pool_in + pool_out),
           BENCH_IS_SIMD(Fp, simd::max_pool_forward<pool_g>, ref::max_pool_forward<pool_g>));
}

void max_pool_backward(benchmark::State& st) {
    Buf x(pool_in), gy(pool_out, -1e-3f, 1e-3f, 2), gx(pool_in);
    for (auto _ : st) {
        simd::max_pool_backward<pool_g>(x.get(), gy.get(), gx.get(), batch);
        benchmark::ClobberMemory();
    }
    using Fp = void (*)(const float*, const float*, float*, int);
    finish(st, static_cast<double>(pool_in), f4 * (2 * pool_in + pool_out),
           BENCH_IS_SIMD(Fp, simd::max_pool_backward<pool_g>, ref::max_pool_backward<pool_g>));
}

// AveragePooling2D 2x2 on 28x28x32 (the same geometry), and GlobalAveragePooling2D on 7x7x32
// (a NIN-style head). "flops": one addition per input element.
void average_pool_forward(benchmark::State& st) {
    Buf x(pool_in), y(pool_out);
    for (auto _ : st) {
        simd::average_pool_forward<pool_g>(x.get(), y.get(), batch);
        benchmark::ClobberMemory();
    }
    using Fp = void (*)(const float*, float*, int);
    finish(st, static_cast<double>(pool_in), f4 * (pool_in + pool_out),
           BENCH_IS_SIMD(Fp, simd::average_pool_forward<pool_g>, ref::average_pool_forward<pool_g>));
}

void average_pool_backward(benchmark::State& st) {
    Buf gy(pool_out, -1e-3f, 1e-3f, 2), gx(pool_in);
    for (auto _ : st) {
        simd::average_pool_backward<pool_g>(gy.get(), gx.get(), batch);
        benchmark::ClobberMemory();
    }
    using Fp = void (*)(const float*, float*, int);
    finish(st, static_cast<double>(pool_in), f4 * (pool_in + pool_out),
           BENCH_IS_SIMD(Fp, simd::average_pool_backward<pool_g>, ref::average_pool_backward<pool_g>));
}

constexpr std::size_t gap_rows = 7 * 7;
constexpr int gap_c = 32;
constexpr std::size_t gap_in = batch * gap_rows * gap_c, gap_out = std::size_t{batch} * gap_c;
void global_average_pool_forward(benchmark::State& st) {
    Buf x(gap_in), y(gap_out);
    for (auto _ : st) {
        simd::global_average_pool_forward<gap_rows, gap_c>(x.get(), y.get(), batch);
        benchmark::ClobberMemory();
    }
    using Fp = void (*)(const float*, float*, int);
    finish(st, static_cast<double>(gap_in), f4 * (gap_in + gap_out),
           BENCH_IS_SIMD(Fp, (simd::global_average_pool_forward<gap_rows, gap_c>),
                         (ref::global_average_pool_forward<gap_rows, gap_c>)));
}

// ---------------------------------------------------------------------------------------------
// BatchNormalization, training mode, 32 channels over 64 * 28 * 28 rows (Bn's first BN).
// flops per element: forward 6 (sum 1, variance 3, normalise 2), backward 11 (x-hat 2, two sums
// 3; x-hat 2 again, the input gradient 4).
constexpr int bn_c = 32;
constexpr std::size_t bn_rows = static_cast<std::size_t>(batch) * 28 * 28;
constexpr std::size_t bn_n = bn_rows * bn_c;

void bn_training_forward(benchmark::State& st) {
    Buf x(bn_n, -2.0f, 3.0f), y(bn_n), gamma(bn_c, 0.5f, 1.5f, 2), beta(bn_c, -0.1f, 0.1f, 3),
        mm(bn_c, 0.0f, 0.1f, 4), mv(bn_c, 0.9f, 1.1f, 5), sm(bn_c), si(bn_c);
    for (auto _ : st) {
        simd::batch_norm_training<bn_c>(x.get(), y.get(), bn_rows, gamma.get(), beta.get(), mm.get(), mv.get(), 0.99f,
                                        1e-3f, sm.get(), si.get());
        benchmark::ClobberMemory();
    }
    using Fp = void (*)(const float*, float*, std::size_t, const float*, const float*, float*, float*, float, float,
                        float*, float*);
    finish(st, 6.0 * bn_n, f4 * 2 * bn_n,
           BENCH_IS_SIMD(Fp, simd::batch_norm_training<bn_c>, ref::batch_norm_training<bn_c>));
}

void bn_training_backward(benchmark::State& st) {
    Buf x(bn_n, -2.0f, 3.0f), gy(bn_n, -1e-3f, 1e-3f, 2), gx(bn_n), gamma(bn_c, 0.5f, 1.5f, 3),
        sm(bn_c, 0.4f, 0.6f, 4), si(bn_c, 0.5f, 0.7f, 5), gg(bn_c), gb(bn_c);
    for (auto _ : st) {
        simd::batch_norm_backward<bn_c>(x.get(), gy.get(), gx.get(), bn_rows, gamma.get(), sm.get(), si.get(), gg.get(),
                                        gb.get());
        benchmark::ClobberMemory();
    }
    using Fp = void (*)(const float*, const float*, float*, std::size_t, const float*, const float*, const float*,
                        float*, float*);
    finish(st, 11.0 * bn_n, f4 * 3 * bn_n,
           BENCH_IS_SIMD(Fp, simd::batch_norm_backward<bn_c>, ref::batch_norm_backward<bn_c>));
}

// ---------------------------------------------------------------------------------------------
// ReLU over the first conv layer's output (64 * 28 * 28 * 32), one op per element.
constexpr std::size_t relu_n = static_cast<std::size_t>(batch) * 28 * 28 * 32;

void relu_forward(benchmark::State& st) {
    Buf x(relu_n), y(relu_n);
    for (auto _ : st) {
        simd::relu_forward(x.get(), y.get(), relu_n);
        benchmark::ClobberMemory();
    }
    using Fp = void (*)(const float*, float*, std::size_t);
    finish(st, static_cast<double>(relu_n), f4 * 2 * relu_n,
           BENCH_IS_SIMD(Fp, simd::relu_forward, ref::relu_forward));
}

void relu_backward(benchmark::State& st) {
    Buf y(relu_n), g(relu_n, -1e-3f, 1e-3f, 2);
    for (auto _ : st) {
        simd::relu_backward_inplace(y.get(), g.get(), relu_n);
        benchmark::ClobberMemory();
    }
    using Fp = void (*)(const float*, float*, std::size_t);
    finish(st, static_cast<double>(relu_n), f4 * 3 * relu_n,
           BENCH_IS_SIMD(Fp, simd::relu_backward_inplace, ref::relu_backward_inplace));
}

// ---------------------------------------------------------------------------------------------
// Adam over Deep's 78,602 trainable parameters: kernels::simd::adam_update (what
// sn::Adam<>::update calls), or sn::Adam<>::update itself in trees without the kernel. 12 flops
// per parameter (m 3, v 4, the step 5 with the sqrt and the division); bytes: theta, g, m, v
// read, theta, m, v written.
constexpr std::size_t adam_n = ex::Deep::params.trainable;
static_assert(adam_n == 78'602);

void adam_update(benchmark::State& st) {
    Buf theta(adam_n, -0.1f, 0.1f), g(adam_n, -1e-3f, 1e-3f, 2), state(2 * adam_n, 0.0f, 1e-6f, 3);
    int is_simd = -1;
#if BENCH_HAVE_ADAM_KERNEL
    // lr_t of step 10, as sn::Adam<> computes it.
    const float lr_t = static_cast<float>(1e-3 * std::sqrt(1.0 - std::pow(0.999, 10.0)) / (1.0 - std::pow(0.9, 10.0)));
    for (auto _ : st) {
        simd::adam_update(theta.get(), g.get(), state.get(), state.get() + adam_n, adam_n, lr_t, 0.9f, 0.999f, 1e-7f);
        benchmark::ClobberMemory();
    }
    using Fp = void (*)(float*, const float*, float*, float*, std::size_t, float, float, float, float);
    is_simd = BENCH_IS_SIMD(Fp, simd::adam_update, ref::adam_update);
#else
    std::uint64_t step = 0;
    for (auto _ : st) {
        sn::Adam<>::update(theta.get(), g.get(), state.get(), adam_n, step++ % 1000);
        benchmark::ClobberMemory();
    }
#endif
    finish(st, 12.0 * adam_n, f4 * 7 * adam_n, is_simd);
}

// ---------------------------------------------------------------------------------------------
// The seed networks' convolutions (geometry straight from the layer types).
using C3 = sn::Conv2D<ex::conv3x3_32>;
using C1x1 = sn::Conv2D<{.filters = 16, .kernel = {1, 1}, .activation = sn::relu}>;
constexpr auto conv_1_32_28 = C3::geometry<sn::Shape{28, 28, 1}>();
constexpr auto conv_32_32_28 = C3::geometry<sn::Shape{28, 28, 32}>();
constexpr auto conv_32_32_14 = C3::geometry<sn::Shape{14, 14, 32}>();
constexpr auto conv1x1_32_16_28 = C1x1::geometry<sn::Shape{28, 28, 32}>();
constexpr auto conv_16_32_14 = C3::geometry<sn::Shape{14, 14, 16}>();

template <sn::kernels::ConvGeometry G>
void register_conv(const std::string& shape) {
    benchmark::RegisterBenchmark(("kernel/conv2d_forward/" + shape).c_str(), conv_forward<G>)
        ->UseRealTime()->Unit(benchmark::kMillisecond);
    // What the Conv2D layer runs for 3x3 stride 1 (the direct kernel above for comparison).
    if constexpr (simd::winograd_applies<G, float>())
        benchmark::RegisterBenchmark(("kernel/conv2d_forward_winograd/" + shape).c_str(), conv_forward_winograd<G>)
            ->UseRealTime()->Unit(benchmark::kMillisecond);
    if constexpr (simd::winograd_applies<simd::input_gradient_geometry<G>(), float>())
        benchmark::RegisterBenchmark(("kernel/conv2d_backward_input_winograd/" + shape).c_str(), conv_backward_input_winograd<G>)
            ->UseRealTime()->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("kernel/conv2d_backward_params/" + shape).c_str(), conv_backward_params<G>)
        ->UseRealTime()->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("kernel/conv2d_backward_input/" + shape).c_str(), conv_backward_input<G>)
        ->UseRealTime()->Unit(benchmark::kMillisecond);
}

}  // namespace

void register_kernel_benchmarks() {
#if STATICNET_HAS_XSIMD
    using Native = xsimd::default_arch;
    const std::string native = Native::name();
    // Three repetitions, and once more after the kernels: the report takes the best, so one
    // disturbed run does not lower the peak.
    benchmark::RegisterBenchmark(("peak/fma/" + native + "/12chains").c_str(), fma_peak<Native, 12>)
        ->UseRealTime()->Repetitions(3);
    benchmark::RegisterBenchmark(("peak/fma/" + native + "/16chains").c_str(), fma_peak<Native, 16>)
        ->UseRealTime()->Repetitions(3);
    benchmark::RegisterBenchmark(("peak/fma/" + native + "/24chains").c_str(), fma_peak<Native, 24>)
        ->UseRealTime()->Repetitions(3);
#if XSIMD_WITH_AVX512F
    // 256-bit FMAs too: on parts with one 512-bit FMA unit they reach the same peak.
    using Avx2 = xsimd::fma3<xsimd::avx2>;
    if (Avx2::supported())
        benchmark::RegisterBenchmark("peak/fma/fma3<avx2>/12chains", fma_peak<Avx2, 12>)->UseRealTime()->Repetitions(3);
#endif
#endif
    register_conv<conv_32_32_28>("3x3_32to32_28x28");  // the headline
    register_conv<conv_1_32_28>("3x3_1to32_28x28");
    register_conv<conv_32_32_14>("3x3_32to32_14x14");
    register_conv<conv1x1_32_16_28>("1x1_32to16_28x28");
    register_conv<conv_16_32_14>("3x3_16to32_14x14");
    benchmark::RegisterBenchmark("kernel/dense_forward/1568to32", dense_forward)->UseRealTime()->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("kernel/dense_backward_params/1568to32", dense_backward_params)
        ->UseRealTime()->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("kernel/dense_backward_input/1568to32", dense_backward_input)
        ->UseRealTime()->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("kernel/max_pool_forward/2x2_28x28x32", max_pool_forward)
        ->UseRealTime()->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("kernel/max_pool_backward/2x2_28x28x32", max_pool_backward)
        ->UseRealTime()->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("kernel/average_pool_forward/2x2_28x28x32", average_pool_forward)
        ->UseRealTime()->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("kernel/average_pool_backward/2x2_28x28x32", average_pool_backward)
        ->UseRealTime()->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("kernel/global_average_pool_forward/7x7x32", global_average_pool_forward)
        ->UseRealTime()->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("kernel/batch_norm_training/32ch_28x28", bn_training_forward)
        ->UseRealTime()->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("kernel/batch_norm_backward/32ch_28x28", bn_training_backward)
        ->UseRealTime()->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("kernel/relu_forward/28x28x32", relu_forward)->UseRealTime()->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("kernel/relu_backward/28x28x32", relu_backward)->UseRealTime()->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("kernel/adam_update/78602", adam_update)->UseRealTime()->Unit(benchmark::kMicrosecond);
#if STATICNET_HAS_XSIMD
    benchmark::RegisterBenchmark(("peak/fma/" + native + "/12chains").c_str(), fma_peak<Native, 12>)
        ->UseRealTime()->Repetitions(2);
#endif
}

}  // namespace bench
