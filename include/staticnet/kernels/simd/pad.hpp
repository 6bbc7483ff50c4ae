// SIMD ZeroPadding2D kernels: the reference's moves as whole rows of vectors (an input row of
// w * c values is contiguous in both tensors, as is each run of zeros). Same bits as the
// reference: nothing is computed.
#pragma once
#include <cstddef>

#include "../reference/pad.hpp"
#include "simd.hpp"

namespace staticnet::kernels::simd {

namespace pad_detail {

// (The loops run over whole vectors, then over the rest: g++ 12 -O2 warns of an overflow
// (-Waggressive-loop-optimizations) for the form `i + L <= count` once the counts are constants.)
template <class Arch, class T>
inline void copy(const T* src, T* dst, std::size_t count) {
    std::size_t full = 0;
#if STATICNET_HAS_XSIMD
    if constexpr (vectorizable<T, Arch>) {
        using B = batch<T, Arch>;
        full = count / B::size * B::size;
        for (std::size_t i = 0; i < full; i += B::size) B::load_unaligned(src + i).store_unaligned(dst + i);
    }
#endif
    for (std::size_t i = full; i < count; ++i) dst[i] = src[i];
}

template <class Arch, class T>
inline void zero(T* dst, std::size_t count) {
    std::size_t full = 0;
#if STATICNET_HAS_XSIMD
    if constexpr (vectorizable<T, Arch>) {
        using B = batch<T, Arch>;
        const B z(T(0));
        full = count / B::size * B::size;
        for (std::size_t i = 0; i < full; i += B::size) z.store_unaligned(dst + i);
    }
#endif
    for (std::size_t i = full; i < count; ++i) dst[i] = T(0);
}

}  // namespace pad_detail

template <PadGeometry G, class Arch = default_arch, class T>
void zero_pad_forward(const T* x, T* y, int n) {
    if constexpr (!vectorizable<T, Arch>) {
        reference::zero_pad_forward<G>(x, y, n);
    } else {
        constexpr std::size_t row = static_cast<std::size_t>(G.w) * G.c, out_row = static_cast<std::size_t>(G.ow) * G.c;
        for (int s = 0; s < n; ++s) {
            const T* xs = x + static_cast<std::size_t>(s) * G.h * row;
            T* ys = y + static_cast<std::size_t>(s) * G.oh * out_row;
            // The rows above, then each input row with its left and right zeros, then the rows below.
            pad_detail::zero<Arch>(ys, static_cast<std::size_t>(G.top) * out_row);
            for (int iy = 0; iy < G.h; ++iy) {
                T* yr = ys + static_cast<std::size_t>(iy + G.top) * out_row;
                pad_detail::zero<Arch>(yr, static_cast<std::size_t>(G.left) * G.c);
                pad_detail::copy<Arch>(xs + static_cast<std::size_t>(iy) * row, yr + static_cast<std::size_t>(G.left) * G.c, row);
                pad_detail::zero<Arch>(yr + static_cast<std::size_t>(G.left + G.w) * G.c, static_cast<std::size_t>(G.right) * G.c);
            }
            pad_detail::zero<Arch>(ys + static_cast<std::size_t>(G.top + G.h) * out_row, static_cast<std::size_t>(G.bottom) * out_row);
        }
    }
}

template <PadGeometry G, class Arch = default_arch, class T>
void zero_pad_backward(const T* gy, T* gx, int n) {
    if constexpr (!vectorizable<T, Arch>) {
        reference::zero_pad_backward<G>(gy, gx, n);
    } else {
        constexpr std::size_t row = static_cast<std::size_t>(G.w) * G.c, out_row = static_cast<std::size_t>(G.ow) * G.c;
        for (int s = 0; s < n; ++s) {
            const T* gys = gy + static_cast<std::size_t>(s) * G.oh * out_row;
            T* gxs = gx + static_cast<std::size_t>(s) * G.h * row;
            for (int iy = 0; iy < G.h; ++iy)
                pad_detail::copy<Arch>(gys + static_cast<std::size_t>(iy + G.top) * out_row + static_cast<std::size_t>(G.left) * G.c,
                                       gxs + static_cast<std::size_t>(iy) * row, row);
        }
    }
}

}  // namespace staticnet::kernels::simd
