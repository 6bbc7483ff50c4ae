// SIMD DepthwiseConv2D kernels (xsimd), the names and signatures of
// kernels/reference/depthwise.hpp plus the architecture. NHWC, vectorised over output channels
// co = c * dm + m, blocks of up to 4 vectors kept in registers (pool_detail::for_channel_blocks).
//
// Every sum runs over the same terms in the same order as the reference (taps row-major, output
// pixels row-major, each sample's sum first and the samples added in order from +0), so the
// results differ from the reference only where one side fuses a multiply-add that the other
// rounds twice (the SIMD kernels always use fma; GCC contracts the reference's a * b + c or not
// depending on flags and vectorisation): at most an ulp or so per term. tests/kernels/depthwise.cpp
// measures it.
//
// depth_multiplier 1 (MobileNet's case) is the fast path: the input is loaded as vectors. With
// dm > 1 the input vector of output channels [co, co + L) is gathered lane by lane (x[co / dm])
// into a small buffer; the input gradient with dm > 1 is the reference's loop. Channels past the
// last full vector run the reference's scalar code.
#pragma once
#include <cstddef>

#include "../reference/depthwise.hpp"
#include "pool.hpp"
#include "simd.hpp"

namespace staticnet::kernels::simd {

namespace depthwise_detail {

// Output rows (or columns) o whose tap k reads inside the input: [first, last).
constexpr int tap_first(int k, int stride, int pad) {
    const int need = pad - k;
    return need <= 0 ? 0 : (need + stride - 1) / stride;
}
constexpr int tap_last(int k, int stride, int pad, int in, int out) {
    const int top = in - 1 + pad - k;
    if (top < 0) return 0;
    const int o = top / stride + 1;
    return o < out ? o : out;
}

#if STATICNET_HAS_XSIMD
// The input values of output channels [co0, co0 + L) at one pixel xp (cin values).
template <int DM, class B, class T>
inline STATICNET_INLINE B load_input(const T* xp, int co0) {
    if constexpr (DM == 1) {
        return B::load_unaligned(xp + co0);
    } else {
        T e[B::size];
        for (std::size_t l = 0; l < B::size; ++l) e[l] = xp[(co0 + static_cast<int>(l)) / DM];
        return B::load_unaligned(e);
    }
}

template <class B>
inline STATICNET_INLINE B activate(B v, ActivationFunction act) {
    if (act == ActivationFunction::relu) {
        // As the reference: NaN passes (NaN <= 0 is false), -0 becomes +0.
        const B zero(typename B::value_type(0));
        return xsimd::select(v <= zero, zero, v);
    }
    return v;
}
#endif

}  // namespace depthwise_detail

template <DepthwiseGeometry G, ActivationFunction Act = ActivationFunction::linear, class Arch = default_arch, class T>
void depthwise_forward_rows(const T* xs, const T* k, const T* b, T* ys, int oy0, int oy1) {
    if constexpr (!vectorizable<T, Arch> || G.cout < lanes<T, Arch>) {
        reference::depthwise_forward_rows<G, Act>(xs, k, b, ys, oy0, oy1);
    } else {
#if STATICNET_HAS_XSIMD
        using B = batch<T, Arch>;
        constexpr int L = static_cast<int>(B::size);
        constexpr int full = G.cout / L * L;
        for (int oy = oy0; oy < oy1; ++oy) {
            const auto ry = pool_detail::window_range(oy, G.sh, G.pad_top, G.kh, G.h);
            const int iy0 = oy * G.sh - G.pad_top;
            for (int ox = 0; ox < G.ow; ++ox) {
                const auto rx = pool_detail::window_range(ox, G.sw, G.pad_left, G.kw, G.w);
                const int ix0 = ox * G.sw - G.pad_left;
                T* yp = ys + (static_cast<std::size_t>(oy) * G.ow + ox) * G.cout;
                const auto pixel = [&](int ky, int kx) STATICNET_INLINE {
                    return xs + (static_cast<std::size_t>(iy0 + ky) * G.w + (ix0 + kx)) * G.cin;
                };
                pool_detail::for_channel_blocks<L, full>([&]<int K>(int c0) STATICNET_INLINE {
                    B acc[K];
                    static_for<K>([&](auto q) { acc[q] = G.use_bias ? B::load_unaligned(b + c0 + q * L) : B(T(0)); });
                    for (int ky = ry.begin; ky < ry.end; ++ky)
                        for (int kx = rx.begin; kx < rx.end; ++kx) {
                            const T* xp = pixel(ky, kx);
                            const T* kp = k + (static_cast<std::size_t>(ky) * G.kw + kx) * G.cout + c0;
                            static_for<K>([&](auto q) {
                                acc[q] = xsimd::fma(depthwise_detail::load_input<G.dm, B>(xp, c0 + q * L),
                                                    B::load_unaligned(kp + q * L), acc[q]);
                            });
                        }
                    static_for<K>([&](auto q) {
                        depthwise_detail::activate(acc[q], Act).store_unaligned(yp + c0 + q * L);
                    });
                });
                for (int co = full; co < G.cout; ++co) {
                    T acc = G.use_bias ? b[co] : T(0);
                    for (int ky = ry.begin; ky < ry.end; ++ky)
                        for (int kx = rx.begin; kx < rx.end; ++kx)
                            acc += pixel(ky, kx)[co / G.dm] * k[(static_cast<std::size_t>(ky) * G.kw + kx) * G.cout + co];
                    if constexpr (Act == ActivationFunction::relu) acc = acc <= T(0) ? T(0) : acc;
                    yp[co] = acc;
                }
            }
        }
#endif
    }
}

template <DepthwiseGeometry G, ActivationFunction Act = ActivationFunction::linear, class Arch = default_arch, class T>
void depthwise_forward(const T* x, const T* k, const T* b, T* y, int n) {
    for (int s = 0; s < n; ++s)
        depthwise_forward_rows<G, Act, Arch>(x + static_cast<std::size_t>(s) * G.h * G.w * G.cin, k, b,
                                             y + static_cast<std::size_t>(s) * G.oh * G.ow * G.cout, 0, G.oh);
}

// As reference::depthwise_backward_params_blocks: one block per tap, the bias last.
template <DepthwiseGeometry G>
constexpr int depthwise_backward_params_blocks() {
    return reference::depthwise_backward_params_blocks<G>();
}

template <DepthwiseGeometry G, class Arch = default_arch, class T>
void depthwise_backward_params_range(const T* x, const T* gz, T* gk, T* gb, int n, int b0, int b1) {
    if constexpr (!vectorizable<T, Arch> || G.cout < lanes<T, Arch>) {
        reference::depthwise_backward_params_range<G>(x, gz, gk, gb, n, b0, b1);
    } else {
#if STATICNET_HAS_XSIMD
        using namespace depthwise_detail;
        using B = batch<T, Arch>;
        constexpr int L = static_cast<int>(B::size);
        constexpr int full = G.cout / L * L;
        constexpr int taps = G.kh * G.kw;
        constexpr std::size_t in_size = static_cast<std::size_t>(G.h) * G.w * G.cin;
        constexpr std::size_t out_size = static_cast<std::size_t>(G.oh) * G.ow * G.cout;
        for (int block = b0; block < b1; ++block) {
            if (block < taps) {
                const int ky = block / G.kw, kx = block % G.kw;
                const int oy_first = tap_first(ky, G.sh, G.pad_top), oy_last = tap_last(ky, G.sh, G.pad_top, G.h, G.oh);
                const int ox_first = tap_first(kx, G.sw, G.pad_left), ox_last = tap_last(kx, G.sw, G.pad_left, G.w, G.ow);
                T* gkt = gk + static_cast<std::size_t>(block) * G.cout;
                const auto at = [&](int s, int oy, int ox, const T*& xp, const T*& gp) STATICNET_INLINE {
                    const int iy = oy * G.sh + ky - G.pad_top, ix = ox * G.sw + kx - G.pad_left;
                    xp = x + static_cast<std::size_t>(s) * in_size + (static_cast<std::size_t>(iy) * G.w + ix) * G.cin;
                    gp = gz + static_cast<std::size_t>(s) * out_size + (static_cast<std::size_t>(oy) * G.ow + ox) * G.cout;
                };
                pool_detail::for_channel_blocks<L, full>([&]<int K>(int c0) STATICNET_INLINE {
                    if (n <= 0) static_for<K>([&](auto q) { B(T(0)).store_unaligned(gkt + c0 + q * L); });
                    for (int s = 0; s < n; ++s) {
                        B acc[K];
                        static_for<K>([&](auto q) { acc[q] = B(T(0)); });
                        for (int oy = oy_first; oy < oy_last; ++oy)
                            for (int ox = ox_first; ox < ox_last; ++ox) {
                                const T *xp, *gp;
                                at(s, oy, ox, xp, gp);
                                static_for<K>([&](auto q) {
                                    acc[q] = xsimd::fma(load_input<G.dm, B>(xp, c0 + q * L),
                                                        B::load_unaligned(gp + c0 + q * L), acc[q]);
                                });
                            }
                        static_for<K>([&](auto q) {
                            T* p = gkt + c0 + q * L;
                            ((s == 0 ? B(T(0)) : B::load_unaligned(p)) + acc[q]).store_unaligned(p);
                        });
                    }
                });
                for (int co = full; co < G.cout; ++co) {
                    T total = T(0);
                    for (int s = 0; s < n; ++s) {
                        T acc = T(0);
                        for (int oy = oy_first; oy < oy_last; ++oy)
                            for (int ox = ox_first; ox < ox_last; ++ox) {
                                const T *xp, *gp;
                                at(s, oy, ox, xp, gp);
                                acc += xp[co / G.dm] * gp[co];
                            }
                        total += acc;
                    }
                    gkt[co] = total;
                }
            } else if (G.use_bias) {
                pool_detail::for_channel_blocks<L, full>([&]<int K>(int c0) STATICNET_INLINE {
                    if (n <= 0) static_for<K>([&](auto q) { B(T(0)).store_unaligned(gb + c0 + q * L); });
                    for (int s = 0; s < n; ++s) {
                        const T* gs = gz + static_cast<std::size_t>(s) * out_size + c0;
                        B acc[K];
                        static_for<K>([&](auto q) { acc[q] = B(T(0)); });
                        for (int p = 0; p < G.oh * G.ow; ++p)
                            static_for<K>([&](auto q) {
                                acc[q] += B::load_unaligned(gs + static_cast<std::size_t>(p) * G.cout + q * L);
                            });
                        static_for<K>([&](auto q) {
                            T* d = gb + c0 + q * L;
                            ((s == 0 ? B(T(0)) : B::load_unaligned(d)) + acc[q]).store_unaligned(d);
                        });
                    }
                });
                for (int co = full; co < G.cout; ++co) {
                    T total = T(0);
                    for (int s = 0; s < n; ++s) {
                        T acc = T(0);
                        const T* gs = gz + static_cast<std::size_t>(s) * out_size;
                        for (int p = 0; p < G.oh * G.ow; ++p) acc += gs[static_cast<std::size_t>(p) * G.cout + co];
                        total += acc;
                    }
                    gb[co] = total;
                }
            }
        }
#endif
    }
}

template <DepthwiseGeometry G, class Arch = default_arch, class T>
void depthwise_backward_params(const T* x, const T* gz, T* gk, T* gb, int n) {
    depthwise_backward_params_range<G, Arch>(x, gz, gk, gb, n, 0, depthwise_backward_params_blocks<G>());
}

template <DepthwiseGeometry G, class Arch = default_arch, class T>
void depthwise_backward_input(const T* k, const T* gz, T* gx, int n) {
    if constexpr (!vectorizable<T, Arch> || G.dm != 1 || G.cout < lanes<T, Arch>) {
        reference::depthwise_backward_input<G>(k, gz, gx, n);
    } else {
#if STATICNET_HAS_XSIMD
        using B = batch<T, Arch>;
        constexpr int L = static_cast<int>(B::size);
        constexpr int full = G.cout / L * L;  // dm = 1: cout = cin
        {
            const std::size_t xsize = static_cast<std::size_t>(n < 0 ? 0 : n) * (G.h * G.w * G.cin);
            const std::size_t full_size = xsize / L * L;
            const B zero(T(0));
            for (std::size_t i = 0; i < full_size; i += L) zero.store_unaligned(gx + i);
            for (std::size_t i = full_size; i < xsize; ++i) gx[i] = T(0);
        }
        for (int s = 0; s < n; ++s) {
            T* xs = gx + static_cast<std::size_t>(s) * G.h * G.w * G.cin;
            const T* gs = gz + static_cast<std::size_t>(s) * G.oh * G.ow * G.cout;
            for (int oy = 0; oy < G.oh; ++oy) {
                const auto ry = pool_detail::window_range(oy, G.sh, G.pad_top, G.kh, G.h);
                const int iy0 = oy * G.sh - G.pad_top;
                for (int ox = 0; ox < G.ow; ++ox) {
                    const auto rx = pool_detail::window_range(ox, G.sw, G.pad_left, G.kw, G.w);
                    const int ix0 = ox * G.sw - G.pad_left;
                    const T* gp = gs + (static_cast<std::size_t>(oy) * G.ow + ox) * G.cout;
                    for (int ky = ry.begin; ky < ry.end; ++ky)
                        for (int kx = rx.begin; kx < rx.end; ++kx) {
                            T* xp = xs + (static_cast<std::size_t>(iy0 + ky) * G.w + (ix0 + kx)) * G.cin;
                            const T* kp = k + (static_cast<std::size_t>(ky) * G.kw + kx) * G.cout;
                            pool_detail::for_channel_blocks<L, full>([&]<int K>(int c0) STATICNET_INLINE {
                                static_for<K>([&](auto q) {
                                    const std::size_t c = static_cast<std::size_t>(c0 + q * L);
                                    xsimd::fma(B::load_unaligned(gp + c), B::load_unaligned(kp + c), B::load_unaligned(xp + c))
                                        .store_unaligned(xp + c);
                                });
                            });
                            for (int c = full; c < G.cin; ++c) xp[c] += gp[c] * kp[c];
                        }
                }
            }
        }
#endif
    }
}

}  // namespace staticnet::kernels::simd
