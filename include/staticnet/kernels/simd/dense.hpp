// SIMD Dense kernels (xsimd): the names and signatures of kernels/reference/dense.hpp plus the
// architecture. x (n, in) times kernel (in, out).
//
// Forward: blocks of 4 samples x 2 vectors of units in registers, the loop over inputs loads
// two weight vectors and broadcasts four inputs. Kernel gradient: blocks of inputs x 2 vectors
// of units in registers, the loop runs over the samples. Input gradient: vectors of inputs,
// the loop over units reads the kernel transposed (prepared once per call). Every sum runs in
// the reference's order (bias first, then input by input; sample by sample), so per-sample
// results do not depend on n. Units or inputs beyond the last whole vector: scalar loops.
#pragma once
#include <cstddef>

#include "../../core/shape.hpp"
#include "../reference/dense.hpp"
#include "simd.hpp"

namespace staticnet::kernels::simd {

#if STATICNET_HAS_XSIMD
namespace dense_detail {

template <int In, int Out, bool UseBias, ActivationFunction Act, class Arch, class T, int R, int VB>
STATICNET_INLINE inline void forward_block(const T* x, const T* k, const T* b, T* y, int o0) {
    using B = xsimd::batch<T, Arch>;
    constexpr int L = static_cast<int>(B::size);
    B acc[R][VB];
    static_for<VB>([&](auto v) STATICNET_INLINE {
        const B init = UseBias ? B::load_unaligned(b + o0 + v * L) : B(T(0));
        static_for<R>([&](auto r) STATICNET_INLINE { acc[r][v] = init; });
    });
    for (int i = 0; i < In; ++i) {
        B w[VB];
        static_for<VB>([&](auto v) STATICNET_INLINE {
            w[v] = B::load_unaligned(k + static_cast<std::size_t>(i) * Out + o0 + v * L);
        });
        static_for<R>([&](auto r) STATICNET_INLINE {
            const B a(x[static_cast<std::size_t>(r) * In + i]);
            static_for<VB>([&](auto v) STATICNET_INLINE { acc[r][v] = xsimd::fma(a, w[v], acc[r][v]); });
        });
    }
    static_for<R>([&](auto r) STATICNET_INLINE {
        static_for<VB>([&](auto v) STATICNET_INLINE {
            B out = acc[r][v];
            if constexpr (Act == ActivationFunction::relu) {
                const B zero(T(0));
                out = xsimd::select(out <= zero, zero, out);  // NaN passes, -0 -> +0 (as the reference)
            }
            out.store_unaligned(y + static_cast<std::size_t>(r) * Out + o0 + v * L);
        });
    });
}

// Samples [0, R) of x / y, all whole vectors of units.
template <int In, int Out, bool UseBias, ActivationFunction Act, class Arch, class T, int R>
inline void forward_samples(const T* x, const T* k, const T* b, T* y) {
    constexpr int L = lanes<T, Arch>;
    constexpr int V = Out / L;
    int v = 0;
    for (; v + 2 <= V; v += 2) forward_block<In, Out, UseBias, Act, Arch, T, R, 2>(x, k, b, y, v * L);
    if constexpr (V % 2 == 1) forward_block<In, Out, UseBias, Act, Arch, T, R, 1>(x, k, b, y, (V - 1) * L);
}

}  // namespace dense_detail

#endif  // STATICNET_HAS_XSIMD

template <int In, int Out, bool UseBias, ActivationFunction Act = ActivationFunction::linear, class Arch = default_arch,
          class T>
void dense_forward(const T* x, const T* k, const T* b, T* y, int n) {
    if constexpr (!vectorizable<T, Arch>) {
        reference::dense_forward<In, Out, UseBias, Act>(x, k, b, y, n);
    } else {
        constexpr int L = lanes<T, Arch>;
        constexpr int full = Out / L * L;
#if STATICNET_HAS_XSIMD
        if constexpr (full > 0) {
            int s = 0;
            for (; s + 4 <= n; s += 4)
                dense_detail::forward_samples<In, Out, UseBias, Act, Arch, T, 4>(
                    x + static_cast<std::size_t>(s) * In, k, b, y + static_cast<std::size_t>(s) * Out);
            for (; s < n; ++s)
                dense_detail::forward_samples<In, Out, UseBias, Act, Arch, T, 1>(
                    x + static_cast<std::size_t>(s) * In, k, b, y + static_cast<std::size_t>(s) * Out);
        }
#endif
        if constexpr (full < Out) {
            for (int s = 0; s < n; ++s) {
                const T* xs = x + static_cast<std::size_t>(s) * In;
                T* ys = y + static_cast<std::size_t>(s) * Out;
                for (int o = full; o < Out; ++o) {
                    T acc = UseBias ? b[o] : T(0);
                    for (int i = 0; i < In; ++i) acc += xs[i] * k[static_cast<std::size_t>(i) * Out + o];
                    if (Act == ActivationFunction::relu) acc = acc <= T(0) ? T(0) : acc;
                    ys[o] = acc;
                }
            }
        }
    }
}

// ---- kernel and bias gradients ---------------------------------------------------------------

namespace dense_detail {

template <class T, class Arch>
constexpr int dense_vector_registers() {
    return lanes<T, Arch> * static_cast<int>(sizeof(T)) >= 64 ? 32 : 16;
}

// Rows per block of the kernel gradient, for VB vectors of units.
template <class T, class Arch, int VB>
constexpr int param_rows() {
    const int r = (dense_vector_registers<T, Arch>() - VB - 2) / VB;
    return r < 1 ? 1 : r;
}

#if STATICNET_HAS_XSIMD
// gk rows [i0, i0 + CB), units [o0, o0 + VB * lanes) = sum over samples of x * gz.
template <int In, int Out, class Arch, class T, int CB, int VB>
void param_block(const T* x, const T* gz, T* gk, int n, int i0, int o0) {
    using B = xsimd::batch<T, Arch>;
    constexpr int L = static_cast<int>(B::size);
    B acc[CB][VB];
    static_for<CB>([&](auto c) STATICNET_INLINE {
        static_for<VB>([&](auto v) STATICNET_INLINE { acc[c][v] = B(T(0)); });
    });
    for (int s = 0; s < n; ++s) {
        const T* xs = x + static_cast<std::size_t>(s) * In + i0;
        const T* gs = gz + static_cast<std::size_t>(s) * Out + o0;
        B g[VB];
        static_for<VB>([&](auto v) STATICNET_INLINE { g[v] = B::load_unaligned(gs + v * L); });
        static_for<CB>([&](auto c) STATICNET_INLINE {
            const B a(xs[c]);
            static_for<VB>([&](auto v) STATICNET_INLINE { acc[c][v] = xsimd::fma(a, g[v], acc[c][v]); });
        });
    }
    static_for<CB>([&](auto c) STATICNET_INLINE {
        static_for<VB>([&](auto v) STATICNET_INLINE {
            acc[c][v].store_unaligned(gk + static_cast<std::size_t>(i0 + c) * Out + o0 + v * L);
        });
    });
}

#endif  // STATICNET_HAS_XSIMD

template <int In, int Out, class T, class Arch>
struct ParamItems {
    static constexpr int L = lanes<T, Arch>;
    static constexpr int V = vectorizable<T, Arch> ? Out / L : 0;
    static constexpr int vb = V >= 2 ? 2 : V;
    static constexpr int chunks = vb > 0 ? (V + vb - 1) / vb : 0;
    static constexpr int rows_max = param_rows<T, Arch, (vb > 0 ? vb : 1)>();
    static constexpr int cb = vb > 0 ? (rows_max < In ? rows_max : In) : 1;
    static constexpr int rblocks = (In + cb - 1) / cb;
    static constexpr int count = chunks * rblocks + 1;  // + 1: tail units and the bias
};

}  // namespace dense_detail

// The kernel-gradient work splits into this many independent items.
template <int In, int Out, class T, class Arch = default_arch>
constexpr int dense_backward_params_items() {
    return dense_detail::ParamItems<In, Out, T, Arch>::count;
}

// Item `item` over samples [0, n): overwrites its part of gk (the last item: units beyond the
// last whole vector, and gb).
template <int In, int Out, bool UseBias, class Arch = default_arch, class T>
void dense_backward_params_item(const T* x, const T* gz, T* gk, T* gb, int n, int item) {
    using P = dense_detail::ParamItems<In, Out, T, Arch>;
    if (item == P::count - 1) {
        constexpr int full = P::V * P::L;
        for (int i = 0; i < In; ++i)
            for (int o = full; o < Out; ++o) {
                T acc = T(0);
                for (int s = 0; s < n; ++s)
                    acc += x[static_cast<std::size_t>(s) * In + i] * gz[static_cast<std::size_t>(s) * Out + o];
                gk[static_cast<std::size_t>(i) * Out + o] = acc;
            }
        if constexpr (UseBias) {
            for (int o = 0; o < Out; ++o) gb[o] = T(0);
            for (int s = 0; s < n; ++s)
                for (int o = 0; o < Out; ++o) gb[o] += gz[static_cast<std::size_t>(s) * Out + o];
        }
        return;
    }
#if STATICNET_HAS_XSIMD
    if constexpr (P::chunks > 0) {
        const int chunk = item % P::chunks, rblock = item / P::chunks;
        const int o0 = chunk * P::vb * P::L, i0 = rblock * P::cb;
        constexpr int cb_last = In - (P::rblocks - 1) * P::cb;
        constexpr int vb_last = P::V - (P::chunks - 1) * P::vb;
        const bool last_r = rblock == P::rblocks - 1, last_c = chunk == P::chunks - 1;
        if (!last_r && !last_c) dense_detail::param_block<In, Out, Arch, T, P::cb, P::vb>(x, gz, gk, n, i0, o0);
        else if (last_r && !last_c) dense_detail::param_block<In, Out, Arch, T, cb_last, P::vb>(x, gz, gk, n, i0, o0);
        else if (!last_r) dense_detail::param_block<In, Out, Arch, T, P::cb, vb_last>(x, gz, gk, n, i0, o0);
        else dense_detail::param_block<In, Out, Arch, T, cb_last, vb_last>(x, gz, gk, n, i0, o0);
    }
#endif
}

// Overwrites gk (in, out) and gb (out) with the gradients for dL/dz = gz (n, out).
template <int In, int Out, bool UseBias, class Arch = default_arch, class T>
void dense_backward_params(const T* x, const T* gz, T* gk, T* gb, int n) {
    if constexpr (!vectorizable<T, Arch>) {
        reference::dense_backward_params<In, Out, UseBias>(x, gz, gk, gb, n);
    } else {
        for (int i = 0; i < dense_backward_params_items<In, Out, T, Arch>(); ++i)
            dense_backward_params_item<In, Out, UseBias, Arch>(x, gz, gk, gb, n, i);
    }
}

// ---- input gradient ------------------------------------------------------------------------

// kt (out, in) = kernel transposed, what dense_backward_input_samples reads. Once per call.
template <int In, int Out, class T>
void dense_backward_input_prepare(const T* k, T* kt) {
    for (int i = 0; i < In; ++i)
        for (int o = 0; o < Out; ++o)
            kt[static_cast<std::size_t>(o) * In + i] = k[static_cast<std::size_t>(i) * Out + o];
}

// gx (n, in) = gz (n, out) times kernel^T, from the prepared kt.
template <int In, int Out, class Arch = default_arch, class T>
void dense_backward_input_samples(const T* kt, const T* gz, T* gx, int n) {
    constexpr int L = lanes<T, Arch>;
    constexpr int full = vectorizable<T, Arch> ? In / L * L : 0;
    for (int s = 0; s < n; ++s) {
        T* xs = gx + static_cast<std::size_t>(s) * In;
        const T* gs = gz + static_cast<std::size_t>(s) * Out;
#if STATICNET_HAS_XSIMD
        if constexpr (full > 0) {
            using B = xsimd::batch<T, Arch>;
            constexpr int VB = 4;
            int i = 0;
            for (; i + VB * L <= full; i += VB * L) {
                B acc[VB];
                static_for<VB>([&](auto v) STATICNET_INLINE { acc[v] = B(T(0)); });
                for (int o = 0; o < Out; ++o) {
                    const B g(gs[o]);
                    const T* kr = kt + static_cast<std::size_t>(o) * In + i;
                    static_for<VB>([&](auto v) STATICNET_INLINE { acc[v] = xsimd::fma(g, B::load_unaligned(kr + v * L), acc[v]); });
                }
                static_for<VB>([&](auto v) STATICNET_INLINE { acc[v].store_unaligned(xs + i + v * L); });
            }
            for (; i < full; i += L) {
                B acc(T(0));
                for (int o = 0; o < Out; ++o)
                    acc = xsimd::fma(B(gs[o]), B::load_unaligned(kt + static_cast<std::size_t>(o) * In + i), acc);
                acc.store_unaligned(xs + i);
            }
        }
#endif
        for (int i = full; i < In; ++i) {
            T acc = T(0);
            for (int o = 0; o < Out; ++o) acc += gs[o] * kt[static_cast<std::size_t>(o) * In + i];
            xs[i] = acc;
        }
    }
}

// gx (n, in) = gz (n, out) times kernel^T; kt is scratch for the transposed kernel (out, in).
template <int In, int Out, class Arch = default_arch, class T>
void dense_backward_input(const T* k, const T* gz, T* gx, T* kt, int n) {
    dense_backward_input_prepare<In, Out>(k, kt);
    dense_backward_input_samples<In, Out, Arch>(kt, gz, gx, n);
}

}  // namespace staticnet::kernels::simd
