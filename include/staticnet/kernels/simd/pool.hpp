// SIMD pooling kernels, NHWC, vectorised over channels (see kernels/reference/pool.hpp).
//
// MaxPool2D: both give the reference's bits: forward takes the same comparison per lane (NaN
// wins; tested with xsimd::isnan, since xsimd 8.1's batch operator!= is an ordered compare,
// false for NaN); backward tracks, per lane, the window position of the first maximum with the
// reference's rule, then adds each output gradient to exactly that element, windows in the
// reference's order (a masked add leaves every other element untouched).
//
// AveragePooling2D and GlobalAveragePooling2D also give the reference's bits: each lane adds
// the same elements in the same order from +0 and divides by the same count (a division, never
// a reciprocal multiply; nothing for the compiler to contract into a fused multiply-add), and
// backward spreads the same divided gradients, adding them up window by window in the
// reference's order where windows overlap.
//
// Channels past the last full vector run the reference's scalar code.
#pragma once
#include <cstddef>
#include <limits>
#include <utility>

#include "../reference/pool.hpp"
#include "simd.hpp"

namespace staticnet::kernels::simd {

namespace pool_detail {

// The valid window rows [begin, end) of output row o (padding rows skipped).
struct Range {
    int begin, end;
};
constexpr Range window_range(int o, int stride, int pad, int window, int extent) {
    const int start = o * stride - pad;
    return {start < 0 ? -start : 0, start + window > extent ? extent - start : window};
}

// Vectors of channels handled together (their accumulators stay in registers).
inline constexpr int channel_block = 4;

// Calls block.template operator()<K>(c0) over the Full channels that fill whole vectors of L:
// blocks of channel_block vectors, then one block of the 1 .. channel_block - 1 vectors left.
template <int L, int Full, class Block>
inline STATICNET_INLINE void for_channel_blocks(Block&& block) {
    constexpr int KB = channel_block;
    int c0 = 0;
    for (; c0 + KB * L <= Full; c0 += KB * L) block.template operator()<KB>(c0);
    constexpr int rest = Full % (KB * L) / L;
    if constexpr (rest > 0) block.template operator()<rest>(c0);
}

// The number of valid elements in a window with rows r and columns c (0 if either is empty).
constexpr int window_count(Range r, Range c) {
    return r.end > r.begin && c.end > c.begin ? (r.end - r.begin) * (c.end - c.begin) : 0;
}

}  // namespace pool_detail

template <PoolGeometry G, class Arch = default_arch, class T>
void max_pool_forward(const T* x, T* y, int n) {
    if constexpr (!vectorizable<T, Arch> || G.c < lanes<T, Arch>) {
        reference::max_pool_forward<G>(x, y, n);
    } else {
#if STATICNET_HAS_XSIMD
        using B = batch<T, Arch>;
        constexpr int L = static_cast<int>(B::size);
        constexpr int full = G.c / L * L;
        for (int s = 0; s < n; ++s) {
            const T* xs = x + static_cast<std::size_t>(s) * G.h * G.w * G.c;
            T* ys = y + static_cast<std::size_t>(s) * G.oh * G.ow * G.c;
            for (int oy = 0; oy < G.oh; ++oy) {
                const auto ry = pool_detail::window_range(oy, G.sh, G.pad_top, G.ph, G.h);
                const int iy0 = oy * G.sh - G.pad_top;
                for (int ox = 0; ox < G.ow; ++ox) {
                    const auto rx = pool_detail::window_range(ox, G.sw, G.pad_left, G.pw, G.w);
                    const int ix0 = ox * G.sw - G.pad_left;
                    T* yp = ys + (static_cast<std::size_t>(oy) * G.ow + ox) * G.c;
                    // K vectors of channels from c0: running maxima, NaN wins.
                    const auto block = [&]<int K>(int c0) __attribute__((always_inline)) {
                        B m[K];
                        static_for<K>([&](auto k) { m[k] = B(-std::numeric_limits<T>::infinity()); });
                        for (int ky = ry.begin; ky < ry.end; ++ky)
                            for (int kx = rx.begin; kx < rx.end; ++kx) {
                                const T* xp =
                                    xs + (static_cast<std::size_t>(iy0 + ky) * G.w + (ix0 + kx)) * G.c + c0;
                                static_for<K>([&](auto k) {
                                    const B v = B::load_unaligned(xp + k * L);
                                    m[k] = xsimd::select((v > m[k]) || xsimd::isnan(v), v, m[k]);
                                });
                            }
                        static_for<K>([&](auto k) { m[k].store_unaligned(yp + c0 + k * L); });
                    };
                    constexpr int KB = pool_detail::channel_block;
                    int c0 = 0;
                    for (; c0 + KB * L <= full; c0 += KB * L) block.template operator()<KB>(c0);
                    if constexpr (full % (KB * L) / L == 3) block.template operator()<3>(c0);
                    if constexpr (full % (KB * L) / L == 2) block.template operator()<2>(c0);
                    if constexpr (full % (KB * L) / L == 1) block.template operator()<1>(c0);
                    for (int c = full; c < G.c; ++c) {
                        T m = -std::numeric_limits<T>::infinity();
                        for (int ky = ry.begin; ky < ry.end; ++ky)
                            for (int kx = rx.begin; kx < rx.end; ++kx) {
                                const T v = xs[(static_cast<std::size_t>(iy0 + ky) * G.w + (ix0 + kx)) * G.c + c];
                                m = (v > m || v != v) ? v : m;
                            }
                        yp[c] = m;
                    }
                }
            }
        }
#endif
    }
}

template <PoolGeometry G, class Arch = default_arch, class T>
void max_pool_backward(const T* x, const T* gy, T* gx, int n) {
    if constexpr (!vectorizable<T, Arch> || G.c < lanes<T, Arch>) {
        reference::max_pool_backward<G>(x, gy, gx, n);
    } else {
#if STATICNET_HAS_XSIMD
        using B = batch<T, Arch>;
        constexpr int L = static_cast<int>(B::size);
        constexpr int full = G.c / L * L;
        // Window positions are stored in T lanes; they must be exact.
        static_assert(static_cast<long long>(G.ph) * G.pw < (1LL << std::numeric_limits<T>::digits));
        {
            const std::size_t xsize = static_cast<std::size_t>(n < 0 ? 0 : n) * (G.h * G.w * G.c);
            const std::size_t full_size = xsize / L * L;
            const B zero(T(0));
            for (std::size_t i = 0; i < full_size; i += L) zero.store_unaligned(gx + i);
            for (std::size_t i = full_size; i < xsize; ++i) gx[i] = T(0);
        }
        for (int s = 0; s < n; ++s) {
            const T* xs = x + static_cast<std::size_t>(s) * G.h * G.w * G.c;
            T* gxs = gx + static_cast<std::size_t>(s) * G.h * G.w * G.c;
            const T* gys = gy + static_cast<std::size_t>(s) * G.oh * G.ow * G.c;
            for (int oy = 0; oy < G.oh; ++oy) {
                const auto ry = pool_detail::window_range(oy, G.sh, G.pad_top, G.ph, G.h);
                const int iy0 = oy * G.sh - G.pad_top;
                for (int ox = 0; ox < G.ow; ++ox) {
                    const auto rx = pool_detail::window_range(ox, G.sw, G.pad_left, G.pw, G.w);
                    const int ix0 = ox * G.sw - G.pad_left;
                    const T* gp = gys + (static_cast<std::size_t>(oy) * G.ow + ox) * G.c;
                    if (ry.begin >= ry.end || rx.begin >= rx.end) {
                        // An empty window (padding only): the reference routes to element 0.
                        for (int c = 0; c < G.c; ++c) gxs[0] += gp[c];
                        continue;
                    }
                    const auto offset = [&](int ky, int kx) __attribute__((always_inline)) {
                        return (static_cast<std::size_t>(iy0 + ky) * G.w + (ix0 + kx)) * G.c;
                    };
                    const auto block = [&]<int K>(int c0) __attribute__((always_inline)) {
                        // The first valid element starts the maximum; later ones replace it only
                        // when strictly greater (the reference's rule: first maximum wins).
                        B m[K], at[K];
                        {
                            const T* xp = xs + offset(ry.begin, rx.begin) + c0;
                            const B pos(static_cast<T>(ry.begin * G.pw + rx.begin));
                            static_for<K>([&](auto k) {
                                m[k] = B::load_unaligned(xp + k * L);
                                at[k] = pos;
                            });
                        }
                        for (int ky = ry.begin; ky < ry.end; ++ky)
                            for (int kx = (ky == ry.begin ? rx.begin + 1 : rx.begin); kx < rx.end; ++kx) {
                                const T* xp = xs + offset(ky, kx) + c0;
                                const B pos(static_cast<T>(ky * G.pw + kx));
                                static_for<K>([&](auto k) {
                                    const B v = B::load_unaligned(xp + k * L);
                                    const auto take = v > m[k];
                                    m[k] = xsimd::select(take, v, m[k]);
                                    at[k] = xsimd::select(take, pos, at[k]);
                                });
                            }
                        B g[K];
                        static_for<K>([&](auto k) { g[k] = B::load_unaligned(gp + c0 + k * L); });
                        for (int ky = ry.begin; ky < ry.end; ++ky)
                            for (int kx = rx.begin; kx < rx.end; ++kx) {
                                T* p = gxs + offset(ky, kx) + c0;
                                const B pos(static_cast<T>(ky * G.pw + kx));
                                static_for<K>([&](auto k) {
                                    const B cur = B::load_unaligned(p + k * L);
                                    xsimd::select(at[k] == pos, cur + g[k], cur).store_unaligned(p + k * L);
                                });
                            }
                    };
                    constexpr int KB = pool_detail::channel_block;
                    int c0 = 0;
                    for (; c0 + KB * L <= full; c0 += KB * L) block.template operator()<KB>(c0);
                    if constexpr (full % (KB * L) / L == 3) block.template operator()<3>(c0);
                    if constexpr (full % (KB * L) / L == 2) block.template operator()<2>(c0);
                    if constexpr (full % (KB * L) / L == 1) block.template operator()<1>(c0);
                    for (int c = full; c < G.c; ++c) {
                        T m = xs[offset(ry.begin, rx.begin) + c];
                        std::size_t at = offset(ry.begin, rx.begin) + c;
                        for (int ky = ry.begin; ky < ry.end; ++ky)
                            for (int kx = rx.begin; kx < rx.end; ++kx) {
                                const std::size_t i = offset(ky, kx) + c;
                                if (xs[i] > m) {
                                    m = xs[i];
                                    at = i;
                                }
                            }
                        gxs[at] += gp[c];
                    }
                }
            }
        }
#endif
    }
}

// ---- AveragePooling2D ------------------------------------------------------------------------

template <PoolGeometry G, class Arch = default_arch, class T>
void average_pool_forward(const T* x, T* y, int n) {
    if constexpr (!vectorizable<T, Arch> || G.c < lanes<T, Arch>) {
        reference::average_pool_forward<G>(x, y, n);
    } else {
#if STATICNET_HAS_XSIMD
        using B = batch<T, Arch>;
        constexpr int L = static_cast<int>(B::size);
        constexpr int full = G.c / L * L;
        for (int s = 0; s < n; ++s) {
            const T* xs = x + static_cast<std::size_t>(s) * G.h * G.w * G.c;
            T* ys = y + static_cast<std::size_t>(s) * G.oh * G.ow * G.c;
            for (int oy = 0; oy < G.oh; ++oy) {
                const auto ry = pool_detail::window_range(oy, G.sh, G.pad_top, G.ph, G.h);
                const int iy0 = oy * G.sh - G.pad_top;
                for (int ox = 0; ox < G.ow; ++ox) {
                    const auto rx = pool_detail::window_range(ox, G.sw, G.pad_left, G.pw, G.w);
                    const int ix0 = ox * G.sw - G.pad_left;
                    T* yp = ys + (static_cast<std::size_t>(oy) * G.ow + ox) * G.c;
                    const int count = pool_detail::window_count(ry, rx);
                    if (count == 0) {  // padding only: the reference's 0
                        for (int c = 0; c < G.c; ++c) yp[c] = T(0);
                        continue;
                    }
                    const T divisor = static_cast<T>(count);
                    const auto offset = [&](int ky, int kx) STATICNET_INLINE {
                        return (static_cast<std::size_t>(iy0 + ky) * G.w + (ix0 + kx)) * G.c;
                    };
                    pool_detail::for_channel_blocks<L, full>([&]<int K>(int c0) STATICNET_INLINE {
                        B sum[K];
                        static_for<K>([&](auto k) { sum[k] = B(T(0)); });
                        for (int ky = ry.begin; ky < ry.end; ++ky)
                            for (int kx = rx.begin; kx < rx.end; ++kx) {
                                const T* xp = xs + offset(ky, kx) + c0;
                                static_for<K>([&](auto k) { sum[k] += B::load_unaligned(xp + k * L); });
                            }
                        const B d(divisor);
                        static_for<K>([&](auto k) { (sum[k] / d).store_unaligned(yp + c0 + k * L); });
                    });
                    for (int c = full; c < G.c; ++c) {
                        T sum = T(0);
                        for (int ky = ry.begin; ky < ry.end; ++ky)
                            for (int kx = rx.begin; kx < rx.end; ++kx) sum += xs[offset(ky, kx) + c];
                        yp[c] = sum / divisor;
                    }
                }
            }
        }
#endif
    }
}

template <PoolGeometry G, class Arch = default_arch, class T>
void average_pool_backward(const T* gy, T* gx, int n) {
    if constexpr (!vectorizable<T, Arch> || G.c < lanes<T, Arch>) {
        reference::average_pool_backward<G>(gy, gx, n);
    } else {
#if STATICNET_HAS_XSIMD
        using B = batch<T, Arch>;
        constexpr int L = static_cast<int>(B::size);
        constexpr int full = G.c / L * L;
        {
            const std::size_t xsize = static_cast<std::size_t>(n < 0 ? 0 : n) * (G.h * G.w * G.c);
            const std::size_t full_size = xsize / L * L;
            const B zero(T(0));
            for (std::size_t i = 0; i < full_size; i += L) zero.store_unaligned(gx + i);
            for (std::size_t i = full_size; i < xsize; ++i) gx[i] = T(0);
        }
        for (int s = 0; s < n; ++s) {
            T* gxs = gx + static_cast<std::size_t>(s) * G.h * G.w * G.c;
            const T* gys = gy + static_cast<std::size_t>(s) * G.oh * G.ow * G.c;
            for (int oy = 0; oy < G.oh; ++oy) {
                const auto ry = pool_detail::window_range(oy, G.sh, G.pad_top, G.ph, G.h);
                const int iy0 = oy * G.sh - G.pad_top;
                for (int ox = 0; ox < G.ow; ++ox) {
                    const auto rx = pool_detail::window_range(ox, G.sw, G.pad_left, G.pw, G.w);
                    const int ix0 = ox * G.sw - G.pad_left;
                    const int count = pool_detail::window_count(ry, rx);
                    if (count == 0) continue;
                    const T divisor = static_cast<T>(count);
                    const T* gp = gys + (static_cast<std::size_t>(oy) * G.ow + ox) * G.c;
                    const auto offset = [&](int ky, int kx) STATICNET_INLINE {
                        return (static_cast<std::size_t>(iy0 + ky) * G.w + (ix0 + kx)) * G.c;
                    };
                    pool_detail::for_channel_blocks<L, full>([&]<int K>(int c0) STATICNET_INLINE {
                        const B d(divisor);
                        B g[K];
                        static_for<K>([&](auto k) { g[k] = B::load_unaligned(gp + c0 + k * L) / d; });
                        for (int ky = ry.begin; ky < ry.end; ++ky)
                            for (int kx = rx.begin; kx < rx.end; ++kx) {
                                T* p = gxs + offset(ky, kx) + c0;
                                static_for<K>([&](auto k) {
                                    (B::load_unaligned(p + k * L) + g[k]).store_unaligned(p + k * L);
                                });
                            }
                    });
                    for (int c = full; c < G.c; ++c) {
                        const T g = gp[c] / divisor;
                        for (int ky = ry.begin; ky < ry.end; ++ky)
                            for (int kx = rx.begin; kx < rx.end; ++kx) gxs[offset(ky, kx) + c] += g;
                    }
                }
            }
        }
#endif
    }
}

// ---- GlobalAveragePooling2D ------------------------------------------------------------------

template <std::size_t Rows, int C, class Arch = default_arch, class T>
void global_average_pool_forward(const T* x, T* y, int n) {
    if constexpr (!vectorizable<T, Arch> || C < lanes<T, Arch>) {
        reference::global_average_pool_forward<Rows, C>(x, y, n);
    } else {
#if STATICNET_HAS_XSIMD
        using B = batch<T, Arch>;
        constexpr int L = static_cast<int>(B::size);
        constexpr int full = C / L * L;
        const T divisor = static_cast<T>(Rows);
        for (int s = 0; s < n; ++s) {
            const T* xs = x + static_cast<std::size_t>(s) * Rows * static_cast<std::size_t>(C);
            T* ys = y + static_cast<std::size_t>(s) * C;
            pool_detail::for_channel_blocks<L, full>([&]<int K>(int c0) STATICNET_INLINE {
                B sum[K];
                static_for<K>([&](auto k) { sum[k] = B(T(0)); });
                for (std::size_t r = 0; r < Rows; ++r) {
                    const T* xp = xs + r * C + c0;
                    static_for<K>([&](auto k) { sum[k] += B::load_unaligned(xp + k * L); });
                }
                const B d(divisor);
                static_for<K>([&](auto k) { (sum[k] / d).store_unaligned(ys + c0 + k * L); });
            });
            for (int c = full; c < C; ++c) {
                T sum = T(0);
                for (std::size_t r = 0; r < Rows; ++r) sum += xs[r * C + c];
                ys[c] = sum / divisor;
            }
        }
#endif
    }
}

template <std::size_t Rows, int C, class Arch = default_arch, class T>
void global_average_pool_backward(const T* gy, T* gx, int n) {
    if constexpr (!vectorizable<T, Arch> || C < lanes<T, Arch>) {
        reference::global_average_pool_backward<Rows, C>(gy, gx, n);
    } else {
#if STATICNET_HAS_XSIMD
        using B = batch<T, Arch>;
        constexpr int L = static_cast<int>(B::size);
        constexpr int full = C / L * L;
        const T divisor = static_cast<T>(Rows);
        const B d(divisor);
        for (int s = 0; s < n; ++s) {
            const T* gp = gy + static_cast<std::size_t>(s) * C;
            T* gxs = gx + static_cast<std::size_t>(s) * Rows * static_cast<std::size_t>(C);
            // The C divided gradients once, then copied to every position, row after row (one
            // sequential pass over gx).
            T g[C];
            for (int c0 = 0; c0 < full; c0 += L) (B::load_unaligned(gp + c0) / d).store_unaligned(g + c0);
            for (int c = full; c < C; ++c) g[c] = gp[c] / divisor;
            for (std::size_t r = 0; r < Rows; ++r) {
                T* p = gxs + r * C;
                for (int c0 = 0; c0 < full; c0 += L) B::load_unaligned(g + c0).store_unaligned(p + c0);
                for (int c = full; c < C; ++c) p[c] = g[c];
            }
        }
#endif
    }
}

}  // namespace staticnet::kernels::simd
