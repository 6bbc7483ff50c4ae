// SIMD BatchNormalization kernels over `rows` pixels of C channels (NHWC), vectorised over
// channels (see kernels/reference/batch_norm.hpp).
//
// Every kernel keeps the reference's per-channel order of operations: the same sum_block row
// blocks, rows added in order within a block, block sums added in order; channels are
// independent lanes. Written with plain operators (no explicit fma), so without floating-point
// contraction (-ffp-contract=off) the results are the reference's bits, and the sums phase is
// always bit-identical. With contraction (GCC's default outside strict ISO mode) the compiler
// may fuse multiply-adds differently in the two versions: an ulp or so per operation.
// Channels past the last full vector run the reference's scalar code; C smaller than one vector
// runs the reference kernels.
#pragma once
#include <cmath>
#include <cstddef>
#include <utility>

#include "../reference/batch_norm.hpp"
#include "simd.hpp"

namespace staticnet::kernels::simd {

using reference::sum_block;

namespace bn_detail {

// Up to this many vectors of channels are handled together (accumulators stay in registers).
inline constexpr int channel_block = 4;

// Calls f.template operator()<K>(c0) for consecutive blocks of K <= channel_block vectors of L
// lanes covering channels [0, C / L * L).
template <int C, int L, class F>
inline __attribute__((always_inline)) void for_channel_blocks(F&& f) {
    constexpr int full = C / L * L;
    constexpr int step = channel_block * L;
    int c0 = 0;
    for (; c0 + step <= full; c0 += step) f.template operator()<channel_block>(c0);
    constexpr int rest = full % step / L;
    if constexpr (rest > 0) f.template operator()<rest>(c0);
}

inline std::size_t block_end(std::size_t r0, std::size_t rows) {
    return r0 + sum_block < rows ? r0 + sum_block : rows;
}

}  // namespace bn_detail

template <int C, class Arch = default_arch, class T>
void batch_norm_sums(const T* x, std::size_t rows, T* sum) {
    if constexpr (!vectorizable<T, Arch> || C < lanes<T, Arch>) {
        reference::batch_norm_sums<C>(x, rows, sum);
    } else {
#if STATICNET_HAS_XSIMD
        using B = batch<T, Arch>;
        constexpr int L = static_cast<int>(B::size);
        constexpr int full = C / L * L;
        for (int c = 0; c < C; ++c) sum[c] = T(0);
        for (std::size_t r0 = 0; r0 < rows; r0 += sum_block) {
            const std::size_t r1 = bn_detail::block_end(r0, rows);
            bn_detail::for_channel_blocks<C, L>([&]<int K>(int c0) __attribute__((always_inline)) {
                B part[K];
                static_for<K>([&](auto k) { part[k] = B(T(0)); });
                for (std::size_t r = r0; r < r1; ++r) {
                    const T* xr = x + r * C + c0;
                    static_for<K>([&](auto k) { part[k] += B::load_unaligned(xr + k * L); });
                }
                static_for<K>([&](auto k) { (B::load_unaligned(sum + c0 + k * L) + part[k]).store_unaligned(sum + c0 + k * L); });
            });
            for (int c = full; c < C; ++c) {
                T part = T(0);
                for (std::size_t r = r0; r < r1; ++r) part += x[r * C + c];
                sum[c] += part;
            }
        }
#endif
    }
}

template <int C, class Arch = default_arch, class T>
void batch_norm_squared_deviation_sums(const T* x, std::size_t rows, const T* mean, T* sum) {
    if constexpr (!vectorizable<T, Arch> || C < lanes<T, Arch>) {
        reference::batch_norm_squared_deviation_sums<C>(x, rows, mean, sum);
    } else {
#if STATICNET_HAS_XSIMD
        using B = batch<T, Arch>;
        constexpr int L = static_cast<int>(B::size);
        constexpr int full = C / L * L;
        for (int c = 0; c < C; ++c) sum[c] = T(0);
        for (std::size_t r0 = 0; r0 < rows; r0 += sum_block) {
            const std::size_t r1 = bn_detail::block_end(r0, rows);
            bn_detail::for_channel_blocks<C, L>([&]<int K>(int c0) __attribute__((always_inline)) {
                B part[K], mu[K];
                static_for<K>([&](auto k) {
                    part[k] = B(T(0));
                    mu[k] = B::load_unaligned(mean + c0 + k * L);
                });
                for (std::size_t r = r0; r < r1; ++r) {
                    const T* xr = x + r * C + c0;
                    static_for<K>([&](auto k) {
                        const B d = B::load_unaligned(xr + k * L) - mu[k];
                        part[k] += d * d;
                    });
                }
                static_for<K>([&](auto k) { (B::load_unaligned(sum + c0 + k * L) + part[k]).store_unaligned(sum + c0 + k * L); });
            });
            for (int c = full; c < C; ++c) {
                T part = T(0);
                for (std::size_t r = r0; r < r1; ++r) {
                    const T d = x[r * C + c] - mean[c];
                    part += d * d;
                }
                sum[c] += part;
            }
        }
#endif
    }
}

template <int C, class Arch = default_arch, class T>
void batch_norm_affine(const T* x, T* y, std::size_t rows, const T* scale, const T* shift) {
    if constexpr (!vectorizable<T, Arch> || C < lanes<T, Arch>) {
        reference::batch_norm_affine<C>(x, y, rows, scale, shift);
    } else {
#if STATICNET_HAS_XSIMD
        using B = batch<T, Arch>;
        constexpr int L = static_cast<int>(B::size);
        constexpr int full = C / L * L;
        if constexpr (full == C) {
            // Channel blocks outside, rows inside: the block's scale and shift stay in registers.
            bn_detail::for_channel_blocks<C, L>([&]<int K>(int c0) __attribute__((always_inline)) {
                B sc[K], sh[K];
                static_for<K>([&](auto k) {
                    sc[k] = B::load_unaligned(scale + c0 + k * L);
                    sh[k] = B::load_unaligned(shift + c0 + k * L);
                });
                for (std::size_t r = 0; r < rows; ++r) {
                    const T* xr = x + r * C + c0;
                    T* yr = y + r * C + c0;
                    static_for<K>([&](auto k) {
                        (B::load_unaligned(xr + k * L) * sc[k] + sh[k]).store_unaligned(yr + k * L);
                    });
                }
            });
        } else {
            // With tail channels: one pass over the rows, vectors then the tail of each row.
            for (std::size_t r = 0; r < rows; ++r) {
                const T* xr = x + r * C;
                T* yr = y + r * C;
                for (int c = 0; c < full; c += L)
                    (B::load_unaligned(xr + c) * B::load_unaligned(scale + c) + B::load_unaligned(shift + c))
                        .store_unaligned(yr + c);
                for (int c = full; c < C; ++c) yr[c] = xr[c] * scale[c] + shift[c];
            }
        }
#endif
    }
}

template <int C, class Arch = default_arch, class T>
void batch_norm_backward_sums(const T* x, const T* gy, std::size_t rows, const T* mean, const T* inv_std, T* sum_g,
                              T* sum_gxhat) {
    if constexpr (!vectorizable<T, Arch> || C < lanes<T, Arch>) {
        reference::batch_norm_backward_sums<C>(x, gy, rows, mean, inv_std, sum_g, sum_gxhat);
    } else {
#if STATICNET_HAS_XSIMD
        using B = batch<T, Arch>;
        constexpr int L = static_cast<int>(B::size);
        constexpr int full = C / L * L;
        for (int c = 0; c < C; ++c) sum_g[c] = sum_gxhat[c] = T(0);
        for (std::size_t r0 = 0; r0 < rows; r0 += sum_block) {
            const std::size_t r1 = bn_detail::block_end(r0, rows);
            bn_detail::for_channel_blocks<C, L>([&]<int K>(int c0) __attribute__((always_inline)) {
                B part_g[K], part_gx[K], mu[K], is[K];
                static_for<K>([&](auto k) {
                    part_g[k] = part_gx[k] = B(T(0));
                    mu[k] = B::load_unaligned(mean + c0 + k * L);
                    is[k] = B::load_unaligned(inv_std + c0 + k * L);
                });
                for (std::size_t r = r0; r < r1; ++r) {
                    const T* xr = x + r * C + c0;
                    const T* gr = gy + r * C + c0;
                    static_for<K>([&](auto k) {
                        const B g = B::load_unaligned(gr + k * L);
                        const B xh = (B::load_unaligned(xr + k * L) - mu[k]) * is[k];
                        part_g[k] += g;
                        part_gx[k] += g * xh;
                    });
                }
                static_for<K>([&](auto k) {
                    (B::load_unaligned(sum_g + c0 + k * L) + part_g[k]).store_unaligned(sum_g + c0 + k * L);
                    (B::load_unaligned(sum_gxhat + c0 + k * L) + part_gx[k]).store_unaligned(sum_gxhat + c0 + k * L);
                });
            });
            for (int c = full; c < C; ++c) {
                T part_g = T(0), part_gx = T(0);
                for (std::size_t r = r0; r < r1; ++r) {
                    const T g = gy[r * C + c];
                    const T xh = (x[r * C + c] - mean[c]) * inv_std[c];
                    part_g += g;
                    part_gx += g * xh;
                }
                sum_g[c] += part_g;
                sum_gxhat[c] += part_gx;
            }
        }
#endif
    }
}

template <int C, class Arch = default_arch, class T>
void batch_norm_backward_input(const T* x, const T* gy, T* gx, std::size_t rows, const T* mean, const T* inv_std,
                               const T* a, const T* mean_g, const T* mean_gxhat) {
    if constexpr (!vectorizable<T, Arch> || C < lanes<T, Arch>) {
        reference::batch_norm_backward_input<C>(x, gy, gx, rows, mean, inv_std, a, mean_g, mean_gxhat);
    } else {
#if STATICNET_HAS_XSIMD
        using B = batch<T, Arch>;
        constexpr int L = static_cast<int>(B::size);
        constexpr int full = C / L * L;
        if constexpr (full == C) {
            // Channel blocks outside, rows inside: the block's parameters stay in registers.
            bn_detail::for_channel_blocks<C, L>([&]<int K>(int c0) __attribute__((always_inline)) {
                B mu[K], is[K], ab[K], mgb[K], mgxb[K];
                static_for<K>([&](auto k) {
                    mu[k] = B::load_unaligned(mean + c0 + k * L);
                    is[k] = B::load_unaligned(inv_std + c0 + k * L);
                    ab[k] = B::load_unaligned(a + c0 + k * L);
                    mgb[k] = B::load_unaligned(mean_g + c0 + k * L);
                    mgxb[k] = B::load_unaligned(mean_gxhat + c0 + k * L);
                });
                for (std::size_t r = 0; r < rows; ++r) {
                    const T* xr = x + r * C + c0;
                    const T* gr = gy + r * C + c0;
                    T* gxr = gx + r * C + c0;
                    static_for<K>([&](auto k) {
                        const B xh = (B::load_unaligned(xr + k * L) - mu[k]) * is[k];
                        (ab[k] * (B::load_unaligned(gr + k * L) - mgb[k] - xh * mgxb[k])).store_unaligned(gxr + k * L);
                    });
                }
            });
        } else {
            // With tail channels: one pass over the rows, vectors then the tail of each row.
            for (std::size_t r = 0; r < rows; ++r) {
                const T* xr = x + r * C;
                const T* gr = gy + r * C;
                T* gxr = gx + r * C;
                for (int c = 0; c < full; c += L) {
                    const B xh =
                        (B::load_unaligned(xr + c) - B::load_unaligned(mean + c)) * B::load_unaligned(inv_std + c);
                    (B::load_unaligned(a + c) * (B::load_unaligned(gr + c) - B::load_unaligned(mean_g + c) -
                                                 xh * B::load_unaligned(mean_gxhat + c)))
                        .store_unaligned(gxr + c);
                }
                for (int c = full; c < C; ++c) {
                    const T xh = (xr[c] - mean[c]) * inv_std[c];
                    gxr[c] = a[c] * (gr[c] - mean_g[c] - xh * mean_gxhat[c]);
                }
            }
        }
#endif
    }
}

// The three kernels of the reference, composed of the phases above over all rows (one group).

template <int C, class Arch = default_arch, class T>
void batch_norm_inference(const T* x, T* y, std::size_t rows, const T* gamma, const T* beta, const T* mean,
                          const T* var, T eps) {
    T scale[C], shift[C];
    reference::batch_norm_inference_coefficients<C>(gamma, beta, mean, var, eps, scale, shift);
    batch_norm_affine<C, Arch>(x, y, rows, scale, shift);
}

template <int C, class Arch = default_arch, class T>
void batch_norm_training(const T* x, T* y, std::size_t rows, const T* gamma, const T* beta, T* moving_mean,
                         T* moving_var, T momentum, T eps, T* saved_mean, T* saved_inv_std) {
    T mean[C], var[C];
    batch_norm_sums<C, Arch>(x, rows, mean);
    const T inv_m = T(1) / static_cast<T>(rows);
    for (int c = 0; c < C; ++c) mean[c] *= inv_m;
    batch_norm_squared_deviation_sums<C, Arch>(x, rows, mean, var);
    T scale[C], shift[C];
    reference::batch_norm_statistics<C>(mean, var, rows, gamma, beta, moving_mean, moving_var, momentum, eps,
                                        saved_mean, saved_inv_std, scale, shift);
    batch_norm_affine<C, Arch>(x, y, rows, scale, shift);
}

template <int C, class Arch = default_arch, class T>
void batch_norm_backward(const T* x, const T* gy, T* gx, std::size_t rows, const T* gamma, const T* saved_mean,
                         const T* saved_inv_std, T* ggamma, T* gbeta) {
    batch_norm_backward_sums<C, Arch>(x, gy, rows, saved_mean, saved_inv_std, gbeta, ggamma);
    if (!gx) return;
    T a[C], mg[C], mgx[C];
    reference::batch_norm_backward_coefficients<C>(gamma, saved_inv_std, gbeta, ggamma, rows, a, mg, mgx);
    batch_norm_backward_input<C, Arch>(x, gy, gx, rows, saved_mean, saved_inv_std, a, mg, mgx);
}

}  // namespace staticnet::kernels::simd
