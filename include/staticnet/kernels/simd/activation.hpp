// SIMD activation kernels (see kernels/reference/activation.hpp).
//
// ReLU forward and backward give the reference's bits (the same comparison, as a select: NaN
// passes, -0 becomes +0). softmax_rows computes the reference's values (exact maximum, the same
// scalar exp and row sum, the same scaling). softmax_backward_inplace takes its dot product
// on vectors, in another order: it agrees to a few ulps per term.
//
// No xsimd::exp / max / hadd here: with GCC 12.2 their AVX-512 code (_mm512_*_mask builtins
// with an _mm512_undefined_* operand) trips -Wuninitialized in the intrinsics headers (GCC bug
// 105593, fixed in 12.3), which fails -Werror builds; compares, selects and arithmetic are fine.
#pragma once
#include <cmath>
#include <cstddef>
#include <utility>

#include "../reference/activation.hpp"
#include "simd.hpp"

namespace staticnet::kernels::simd {

template <class Arch = default_arch, class T>
void relu_forward(const T* x, T* y, std::size_t count) {
    if constexpr (!vectorizable<T, Arch>) {
        reference::relu_forward(x, y, count);
    } else {
#if STATICNET_HAS_XSIMD
        using B = batch<T, Arch>;
        constexpr std::size_t L = B::size;
        const B zero(T(0));
        const auto step = [&](std::size_t at) __attribute__((always_inline)) {
            const B v = B::load_unaligned(x + at);
            xsimd::select(v <= zero, zero, v).store_unaligned(y + at);
        };
        std::size_t i = 0;
        for (; i + 4 * L <= count; i += 4 * L) static_for<4>([&](auto k) { step(i + k * L); });
        for (; i + L <= count; i += L) step(i);
        for (; i < count; ++i) y[i] = x[i] <= T(0) ? T(0) : x[i];
#endif
    }
}

template <class Arch = default_arch, class T>
void relu_backward_inplace(const T* y, T* g, std::size_t count) {
    if constexpr (!vectorizable<T, Arch>) {
        reference::relu_backward_inplace(y, g, count);
    } else {
#if STATICNET_HAS_XSIMD
        using B = batch<T, Arch>;
        constexpr std::size_t L = B::size;
        const B zero(T(0));
        const auto step = [&](std::size_t at) __attribute__((always_inline)) {
            xsimd::select(B::load_unaligned(y + at) > zero, B::load_unaligned(g + at), zero).store_unaligned(g + at);
        };
        std::size_t i = 0;
        for (; i + 4 * L <= count; i += 4 * L) static_for<4>([&](auto k) { step(i + k * L); });
        for (; i + L <= count; i += L) step(i);
        for (; i < count; ++i) g[i] = y[i] > T(0) ? g[i] : T(0);
#endif
    }
}

// Row maximum and the final scaling run on vectors; exp and the row sum stay scalar, in the
// reference's order. Rows are short (10 classes), so there is little to gain from a vector exp,
// and the result is then the reference's (see the note at the top of the file).
template <class Arch = default_arch, class T>
void softmax_rows(const T* x, T* y, std::size_t rows, std::size_t cols) {
    if constexpr (!vectorizable<T, Arch>) {
        reference::softmax_rows(x, y, rows, cols);
    } else {
#if STATICNET_HAS_XSIMD
        using B = batch<T, Arch>;
        constexpr std::size_t L = B::size;
        const std::size_t full = cols / L * L;
        for (std::size_t r = 0; r < rows; ++r) {
            const T* xr = x + r * cols;
            T* yr = y + r * cols;
            // The maximum is exact in any order. (With a NaN in the row the whole row becomes NaN
            // below, as in the reference, whichever value max picks.)
            T m = xr[0];
            if (full > 0) {
                B mv = B::load_unaligned(xr);
                for (std::size_t j = L; j < full; j += L) {
                    const B v = B::load_unaligned(xr + j);
                    mv = xsimd::select(v > mv, v, mv);
                }
                T lane[L];
                mv.store_unaligned(lane);
                for (std::size_t l = 0; l < L; ++l) m = lane[l] > m ? lane[l] : m;
            }
            for (std::size_t j = full; j < cols; ++j) m = xr[j] > m ? xr[j] : m;
            T sum = 0;
            for (std::size_t j = 0; j < cols; ++j) {
                yr[j] = reference::softmax_exp(xr[j] - m);
                sum += yr[j];
            }
            const T inv = T(1) / sum;
            const B invb(inv);
            for (std::size_t j = 0; j < full; j += L) (B::load_unaligned(yr + j) * invb).store_unaligned(yr + j);
            for (std::size_t j = full; j < cols; ++j) yr[j] *= inv;
        }
#endif
    }
}

// g <- y * (g - sum(g * y)) per row.
template <class Arch = default_arch, class T>
void softmax_backward_inplace(const T* y, T* g, std::size_t rows, std::size_t cols) {
    if constexpr (!vectorizable<T, Arch>) {
        reference::softmax_backward_inplace(y, g, rows, cols);
    } else {
#if STATICNET_HAS_XSIMD
        using B = batch<T, Arch>;
        constexpr std::size_t L = B::size;
        const std::size_t full = cols / L * L;
        for (std::size_t r = 0; r < rows; ++r) {
            const T* yr = y + r * cols;
            T* gr = g + r * cols;
            B dotv(T(0));
            for (std::size_t j = 0; j < full; j += L)
                dotv = xsimd::fma(B::load_unaligned(gr + j), B::load_unaligned(yr + j), dotv);
            T lane[L];
            dotv.store_unaligned(lane);
            T dot = 0;
            for (std::size_t l = 0; l < L; ++l) dot += lane[l];
            for (std::size_t j = full; j < cols; ++j) dot += gr[j] * yr[j];
            const B dotb(dot);
            for (std::size_t j = 0; j < full; j += L)
                (B::load_unaligned(yr + j) * (B::load_unaligned(gr + j) - dotb)).store_unaligned(gr + j);
            for (std::size_t j = full; j < cols; ++j) gr[j] = yr[j] * (gr[j] - dot);
        }
#endif
    }
}

// Elementwise g <- g * d(y) on vectors, d given as a vector function and its scalar twin (the
// tail); the reference's arithmetic (within an ulp: the compiler may contract a multiply and a
// subtraction into an fma on either side).
template <class Arch, class T, class DV, class DS>
void scale_by_derivative(const T* y, T* g, std::size_t count, DV&& dv, DS&& ds) {
#if STATICNET_HAS_XSIMD
    using B = batch<T, Arch>;
    constexpr std::size_t L = B::size;
    // (Written with the vector part's end computed first: with `i + L <= count` and a constant
    // count, g++ 12 warned that the tail loop would run 2^61 times.)
    const std::size_t vector_end = count - count % L;
    for (std::size_t i = 0; i < vector_end; i += L) {
        const B yv = B::load_unaligned(y + i);
        dv(yv, B::load_unaligned(g + i)).store_unaligned(g + i);
    }
    for (std::size_t i = vector_end; i < count; ++i) g[i] = ds(y[i], g[i]);
#else
    for (std::size_t i = 0; i < count; ++i) g[i] = ds(y[i], g[i]);
#endif
}

// sigmoid and tanh forward: the reference's double-evaluated scalar function (xsimd's vector
// exp/tanh cannot be used, see the note at the top; and this way every build gives the same
// bits). Their backward passes and leaky ReLU run on vectors with the reference's arithmetic.
template <class Arch = default_arch, class T>
void sigmoid_backward_inplace(const T* y, T* g, std::size_t count) {
    if constexpr (!vectorizable<T, Arch>) {
        reference::sigmoid_backward_inplace(y, g, count);
    } else {
        scale_by_derivative<Arch>(
            y, g, count, [](auto yv, auto gv) { return gv * (yv * (decltype(yv)(T(1)) - yv)); },
            [](T yv, T gv) { return gv * (yv * (T(1) - yv)); });
    }
}
template <class Arch = default_arch, class T>
void tanh_backward_inplace(const T* y, T* g, std::size_t count) {
    if constexpr (!vectorizable<T, Arch>) {
        reference::tanh_backward_inplace(y, g, count);
    } else {
        // Not an fma: the reference rounds y * y first.
        scale_by_derivative<Arch>(
            y, g, count, [](auto yv, auto gv) {
                const auto sq = yv * yv;
                return gv * (decltype(yv)(T(1)) - sq);
            },
            [](T yv, T gv) { return gv * (T(1) - yv * yv); });
    }
}
template <class Arch = default_arch, class T>
void leaky_relu_forward(const T* x, T* y, std::size_t count, T slope) {
    if constexpr (!vectorizable<T, Arch>) {
        reference::leaky_relu_forward(x, y, count, slope);
    } else {
#if STATICNET_HAS_XSIMD
        using B = batch<T, Arch>;
        constexpr std::size_t L = B::size;
        const B zero(T(0)), s(slope);
        std::size_t i = 0;
        const std::size_t vector_end = count - count % L;  // (see scale_by_derivative)
        for (; i < vector_end; i += L) {
            const B v = B::load_unaligned(x + i);
            // x > 0 or NaN: x itself (NaN > 0 is false, NaN != NaN is true).
            xsimd::select((v > zero) | (v != v), v, s * v).store_unaligned(y + i);
        }
        for (; i < count; ++i) y[i] = x[i] > T(0) ? x[i] : (x[i] != x[i] ? x[i] : slope * x[i]);
#endif
    }
}
template <class Arch = default_arch, class T>
void leaky_relu_backward_inplace(const T* y, T* g, std::size_t count, T slope) {
    if constexpr (!vectorizable<T, Arch>) {
        reference::leaky_relu_backward_inplace(y, g, count, slope);
    } else {
#if STATICNET_HAS_XSIMD
        using B = batch<T, Arch>;
        constexpr std::size_t L = B::size;
        const B zero(T(0)), s(slope);
        std::size_t i = 0;
        const std::size_t vector_end = count - count % L;  // (see scale_by_derivative)
        for (; i < vector_end; i += L) {
            const B gv = B::load_unaligned(g + i);
            xsimd::select(B::load_unaligned(y + i) > zero, gv, s * gv).store_unaligned(g + i);
        }
        for (; i < count; ++i) g[i] = y[i] > T(0) ? g[i] : slope * g[i];
#endif
    }
}

template <class Arch = default_arch, class T>
void activate_inplace(ActivationFunction a, T* y, std::size_t rows, std::size_t cols) {
    if (a == ActivationFunction::relu) relu_forward<Arch>(y, y, rows * cols);
    else if (a == ActivationFunction::softmax) softmax_rows<Arch>(y, y, rows, cols);
    else if (a == ActivationFunction::sigmoid) reference::sigmoid_forward(y, y, rows * cols);
    else if (a == ActivationFunction::tanh) reference::tanh_forward(y, y, rows * cols);
    else if (a == ActivationFunction::leaky_relu) leaky_relu_forward<Arch>(y, y, rows * cols, T(leaky_relu_slope));
}

template <class Arch = default_arch, class T>
void activation_backward_inplace(ActivationFunction a, const T* y, T* g, std::size_t rows, std::size_t cols,
                                 bool fused_softmax) {
    if (a == ActivationFunction::relu) relu_backward_inplace<Arch>(y, g, rows * cols);
    else if (a == ActivationFunction::softmax && !fused_softmax) softmax_backward_inplace<Arch>(y, g, rows, cols);
    else if (a == ActivationFunction::sigmoid) sigmoid_backward_inplace<Arch>(y, g, rows * cols);
    else if (a == ActivationFunction::tanh) tanh_backward_inplace<Arch>(y, g, rows * cols);
    else if (a == ActivationFunction::leaky_relu) leaky_relu_backward_inplace<Arch>(y, g, rows * cols, T(leaky_relu_slope));
}

}  // namespace staticnet::kernels::simd
