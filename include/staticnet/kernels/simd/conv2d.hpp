// SIMD Conv2D kernels (xsimd), the same names and signatures as kernels/reference/conv2d.hpp
// plus the architecture. NHWC activations, (kh, kw, cin, cout) kernels.
//
// Forward: a register-blocked direct convolution. For one output row, a block of R output
// pixels times VB vectors of output channels stays in registers (R * VB accumulators: 28 of the
// 32 AVX-512 registers for 32 channels), while the loop runs over kernel rows, kernel columns
// (unrolled) and input channels: per input channel, VB weight vectors are loaded once and used
// by R broadcast-FMAs each. Every size is a compile-time constant; blocks at the left and right
// border are separate instantiations in which the taps that fall into the padding are removed
// at compile time, so no pixel is tested at run time and no padded copy of the input is made.
// Bias and ReLU are applied before the store (fused). Output channels beyond the last whole
// vector are computed by a scalar pass.
//
// Input gradient, stride 1: the forward kernel over dL/dz with the kernel flipped and transposed
// to (kh, kw, cout, cin) (done once per call into the caller's scratch, which the reference also
// uses for its transposed kernel). Other strides: a gather over the taps that reach each input
// pixel, vectorised over input channels.
//
// Kernel gradient: for each tap and block of input channels, a CB x VB block of the gradient
// stays in registers while the loop runs over the output pixels that tap sees (a rectangle known
// at compile time), so again no per-pixel test. Each sample's contribution is summed on its own
// (as the reference does: the error does not grow with the batch) and added to the result in
// sample order. When CB * VB is too small to hide the FMA latency (the first layer's single
// input channel), several interleaved pixel sums run side by side and are added at the end.
//
// Per-sample results do not depend on n or on where a sample sits in the batch: the forward of
// sample s gives the same bits whether it runs alone or in a batch of 64 (threads split batches).
#pragma once
#include <cstddef>

#include "../../core/shape.hpp"
#include "../reference/conv2d.hpp"
#include "simd.hpp"

namespace staticnet::kernels::simd {

namespace conv_detail {

// Register budget per architecture: 32 vector registers with AVX-512, 16 otherwise.
template <class T, class Arch>
constexpr int vector_registers() {
    return lanes<T, Arch> * static_cast<int>(sizeof(T)) >= 64 ? 32 : 16;
}

constexpr int ceil_div(int a, int b) { return (a + b - 1) / b; }
constexpr int min_int(int a, int b) { return a < b ? a : b; }
constexpr int max_int(int a, int b) { return a > b ? a : b; }

// Blocking of a forward pass with `out_w` output columns and `vectors` whole output vectors.
struct ForwardBlocking {
    int vb;       // vectors per channel chunk (the last chunk may have fewer: vb_last)
    int vb_last;  // 0 when the chunks divide evenly
    int chunks;
    int r;        // pixels per block (the last block: r_last)
    int r_last;
    int blocks;
};

template <class T, class Arch>
constexpr ForwardBlocking forward_blocking(int out_w, int vectors) {
    ForwardBlocking b{};
    b.vb = min_int(vectors, 2);
    if (b.vb == 0) return b;
    b.chunks = ceil_div(vectors, b.vb);
    b.vb_last = vectors % b.vb;
    const int regs = vector_registers<T, Arch>();
    const int r_max = max_int(1, (regs - b.vb - 2) / b.vb);
    b.blocks = ceil_div(out_w, min_int(out_w, r_max));
    b.r = ceil_div(out_w, b.blocks);
    b.r_last = out_w - (b.blocks - 1) * b.r;
    return b;
}

// Whether output column ox with kernel column kx reads inside the input row.
template <ConvGeometry G>
constexpr bool column_inside(int ox, int kx) {
    const int ix = ox * G.sw + kx - G.pad_left;
    return ix >= 0 && ix < G.w;
}

// Whether every tap of every pixel of the block [ox0, ox0 + r) reads inside the row.
template <ConvGeometry G>
constexpr bool block_inside(int ox0, int r) {
    for (int i = 0; i < r; ++i)
        for (int kx = 0; kx < G.kw; ++kx)
            if (!column_inside<G>(ox0 + i, kx)) return false;
    return true;
}

#if STATICNET_HAS_XSIMD
template <class T, class Arch>
inline STATICNET_INLINE xsimd::batch<T, Arch> apply_activation(xsimd::batch<T, Arch> v,
                                                                              ActivationFunction act) {
    if (act == ActivationFunction::relu) {
        // As the reference: NaN passes (NaN <= 0 is false), -0 becomes +0.
        const xsimd::batch<T, Arch> zero(T(0));
        return xsimd::select(v <= zero, zero, v);
    }
    return v;
}

// One block of R output pixels of row oy starting at column ox0 (a compile-time value OX0 when
// the block touches the padding: Border = true), channels [co0, co0 + VB * lanes).
template <ConvGeometry G, ActivationFunction Act, class Arch, class T, int R, int VB, bool Border, int OX0>
inline STATICNET_INLINE void forward_block(const T* xs, const T* k, const T* b, T* ys, int oy,
                                                         int ox0_runtime, int co0) {
    using B = xsimd::batch<T, Arch>;
    constexpr int L = static_cast<int>(B::size);
    const int ox0 = Border ? OX0 : ox0_runtime;
    B acc[R][VB];
    static_for<VB>([&](auto v) STATICNET_INLINE {
        const B init = G.use_bias ? B::load_unaligned(b + co0 + v * L) : B(T(0));
        static_for<R>([&](auto r) STATICNET_INLINE { acc[r][v] = init; });
    });
    const int iy0 = oy * G.sh - G.pad_top;
    const int ky_begin = iy0 < 0 ? -iy0 : 0;
    const int ky_end = G.h - iy0 < G.kh ? G.h - iy0 : G.kh;
    for (int ky = ky_begin; ky < ky_end; ++ky) {
        // Column (ox0 * sw - pad_left) of input row iy0 + ky; pixel r, tap kx is at
        // (r * sw + kx) columns from there.
        // (An index, not a pointer: the base may lie before the row when the block starts in the
        // padding; every tap actually read is inside.)
        const std::ptrdiff_t xrow = (static_cast<std::ptrdiff_t>(iy0 + ky) * G.w + (ox0 * G.sw - G.pad_left)) * G.cin;
        const T* krow = k + static_cast<std::size_t>(ky) * G.kw * G.cin * G.cout + co0;
        static_for<G.kw>([&](auto kx) STATICNET_INLINE {
            const T* kp = krow + static_cast<std::size_t>(kx) * G.cin * G.cout;
            for (int ci = 0; ci < G.cin; ++ci) {
                B w[VB];
                static_for<VB>([&](auto v) STATICNET_INLINE { w[v] = B::load_unaligned(kp + static_cast<std::size_t>(ci) * G.cout + v * L); });
                static_for<R>([&](auto r) STATICNET_INLINE {
                    if constexpr (!Border || column_inside<G>(OX0 + r, kx)) {
                        const B a(xs[xrow + (r * G.sw + kx) * G.cin + ci]);
                        static_for<VB>([&](auto v) STATICNET_INLINE { acc[r][v] = xsimd::fma(a, w[v], acc[r][v]); });
                    }
                });
            }
        });
    }
    T* yp = ys + (static_cast<std::size_t>(oy) * G.ow + ox0) * G.cout + co0;
    static_for<R>([&](auto r) STATICNET_INLINE {
        static_for<VB>([&](auto v) STATICNET_INLINE {
            apply_activation<T, Arch>(acc[r][v], Act).store_unaligned(yp + static_cast<std::size_t>(r) * G.cout + v * L);
        });
    });
}

// All blocks of one output row for the channel chunk at co0 with VB vectors.
template <ConvGeometry G, ActivationFunction Act, class Arch, class T, int VB>
inline void forward_row_chunk(const T* xs, const T* k, const T* b, T* ys, int oy, int co0) {
    constexpr ForwardBlocking fb = forward_blocking<T, Arch>(G.ow, G.cout / lanes<T, Arch>);
    static_for<fb.blocks>([&](auto j) STATICNET_INLINE {
        constexpr int ox0 = j * fb.r;
        constexpr int r = j == fb.blocks - 1 ? fb.r_last : fb.r;
        if constexpr (block_inside<G>(ox0, r))
            forward_block<G, Act, Arch, T, r, VB, false, 0>(xs, k, b, ys, oy, ox0, co0);
        else
            forward_block<G, Act, Arch, T, r, VB, true, ox0>(xs, k, b, ys, oy, ox0, co0);
    });
}

#endif  // STATICNET_HAS_XSIMD

// Channels [c0, cout) (fewer than a vector) of rows [oy0, oy1): plain loops.
template <ConvGeometry G, ActivationFunction Act, class T>
void forward_tail(const T* xs, const T* k, const T* b, T* ys, int oy0, int oy1, int c0) {
    for (int oy = oy0; oy < oy1; ++oy)
        for (int ox = 0; ox < G.ow; ++ox) {
            T* yp = ys + (static_cast<std::size_t>(oy) * G.ow + ox) * G.cout;
            for (int co = c0; co < G.cout; ++co) {
                T acc = G.use_bias ? b[co] : T(0);
                for (int ky = 0; ky < G.kh; ++ky) {
                    // ptrdiff_t: with int, g++ 12 inlines this into a caller with run-time row
                    // bounds and warns of an overflow (-Waggressive-loop-optimizations).
                    const std::ptrdiff_t iy = static_cast<std::ptrdiff_t>(oy) * G.sh + ky - G.pad_top;
                    if (iy < 0 || iy >= G.h) continue;
                    for (int kx = 0; kx < G.kw; ++kx) {
                        const std::ptrdiff_t ix = static_cast<std::ptrdiff_t>(ox) * G.sw + kx - G.pad_left;
                        if (ix < 0 || ix >= G.w) continue;
                        const T* xp = xs + (iy * G.w + ix) * G.cin;
                        const T* kp = k + (static_cast<std::size_t>(ky) * G.kw + kx) * G.cin * G.cout + co;
                        for (int ci = 0; ci < G.cin; ++ci) acc += xp[ci] * kp[static_cast<std::size_t>(ci) * G.cout];
                    }
                }
                if (Act == ActivationFunction::relu) acc = acc <= T(0) ? T(0) : acc;
                yp[co] = acc;
            }
        }
}

}  // namespace conv_detail

// Rows [oy0, oy1) of one sample: xs is that sample's input, ys its output. The unit of work
// that threads share out (samples, or rows of one large image).
template <ConvGeometry G, ActivationFunction Act = ActivationFunction::linear, class Arch = default_arch, class T>
void conv2d_forward_rows(const T* xs, const T* k, const T* b, T* ys, int oy0, int oy1) {
    if constexpr (!vectorizable<T, Arch>) {
        reference::conv2d_forward_rows<G, Act>(xs, k, b, ys, oy0, oy1);
    } else {
#if STATICNET_HAS_XSIMD
        using namespace conv_detail;
        constexpr int L = lanes<T, Arch>;
        constexpr ForwardBlocking fb = forward_blocking<T, Arch>(G.ow, G.cout / L);
        for (int oy = oy0; oy < oy1; ++oy) {
            if constexpr (fb.vb > 0) {
                constexpr int full_chunks = fb.vb_last == 0 ? fb.chunks : fb.chunks - 1;
                for (int c = 0; c < full_chunks; ++c)
                    forward_row_chunk<G, Act, Arch, T, fb.vb>(xs, k, b, ys, oy, c * fb.vb * L);
                if constexpr (fb.vb_last > 0)
                    forward_row_chunk<G, Act, Arch, T, fb.vb_last>(xs, k, b, ys, oy, full_chunks * fb.vb * L);
            }
        }
        constexpr int c_tail = (G.cout / L) * L;
        if constexpr (c_tail < G.cout) forward_tail<G, Act, T>(xs, k, b, ys, oy0, oy1, c_tail);
#endif
    }
}

// y = act(x (*) k + b) for n samples.
template <ConvGeometry G, ActivationFunction Act = ActivationFunction::linear, class Arch = default_arch, class T>
void conv2d_forward(const T* x, const T* k, const T* b, T* y, int n) {
    for (int s = 0; s < n; ++s)
        conv2d_forward_rows<G, Act, Arch>(x + static_cast<std::size_t>(s) * G.h * G.w * G.cin, k, b,
                                          y + static_cast<std::size_t>(s) * G.oh * G.ow * G.cout, 0, G.oh);
}

// ---- input gradient ------------------------------------------------------------------------

// The geometry of the stride-1 input gradient as a forward convolution over dL/dz.
template <ConvGeometry G>
constexpr ConvGeometry input_gradient_geometry() {
    return {G.oh, G.ow, G.cout, G.kh, G.kw, 1, 1, G.kh - 1 - G.pad_top, G.kw - 1 - G.pad_left, G.h, G.w, G.cin, false};
}

// What conv2d_backward_input_rows reads from kt: the kernel flipped and transposed to
// (kh, kw, cout, cin) for stride 1, transposed to (kh, kw, cout, cin) otherwise. Once per step.
template <ConvGeometry G, class T>
void conv2d_backward_input_prepare(const T* k, T* kt) {
    constexpr bool flip = G.sh == 1 && G.sw == 1;
    for (int ky = 0; ky < G.kh; ++ky)
        for (int kx = 0; kx < G.kw; ++kx) {
            const int ty = flip ? G.kh - 1 - ky : ky, tx = flip ? G.kw - 1 - kx : kx;
            const std::size_t src = static_cast<std::size_t>(ky) * G.kw + kx;
            const std::size_t dst = static_cast<std::size_t>(ty) * G.kw + tx;
            for (int ci = 0; ci < G.cin; ++ci)
                for (int co = 0; co < G.cout; ++co)
                    kt[(dst * G.cout + co) * G.cin + ci] = k[(src * G.cin + ci) * G.cout + co];
        }
}

// Input-gradient rows [iy0, iy1) of one sample (gzs: its dL/dz, gxs: its dL/dx, overwritten).
template <ConvGeometry G, class Arch = default_arch, class T>
void conv2d_backward_input_rows(const T* kt, const T* gzs, T* gxs, int iy0, int iy1) {
    if constexpr (G.sh == 1 && G.sw == 1) {
        conv2d_forward_rows<input_gradient_geometry<G>(), ActivationFunction::linear, Arch>(gzs, kt, static_cast<const T*>(nullptr),
                                                                                           gxs, iy0, iy1);
    } else {
        // Gather: input pixel (iy, ix) receives from output pixel (oy, ox) through tap (ky, kx)
        // when iy = oy * sh + ky - pad_top (and the same for x).
        constexpr int L = lanes<T, Arch>;
        constexpr int full = vectorizable<T, Arch> ? G.cin / L * L : 0;
        for (int iy = iy0; iy < iy1; ++iy)
            for (int ix = 0; ix < G.w; ++ix) {
                T* gp = gxs + (static_cast<std::size_t>(iy) * G.w + ix) * G.cin;
                for (int ci = 0; ci < G.cin; ++ci) gp[ci] = T(0);
                for (int ky = 0; ky < G.kh; ++ky) {
                    const int ty = iy + G.pad_top - ky;
                    if (ty < 0 || ty % G.sh != 0 || ty / G.sh >= G.oh) continue;
                    const int oy = ty / G.sh;
                    for (int kx = 0; kx < G.kw; ++kx) {
                        const int tx = ix + G.pad_left - kx;
                        if (tx < 0 || tx % G.sw != 0 || tx / G.sw >= G.ow) continue;
                        const int ox = tx / G.sw;
                        const T* gz = gzs + (static_cast<std::size_t>(oy) * G.ow + ox) * G.cout;
                        const T* kp = kt + (static_cast<std::size_t>(ky) * G.kw + kx) * G.cout * G.cin;
#if STATICNET_HAS_XSIMD
                        if constexpr (full > 0) {
                            using B = xsimd::batch<T, Arch>;
                            for (int c = 0; c < full; c += L) {
                                B acc = B::load_unaligned(gp + c);
                                for (int co = 0; co < G.cout; ++co)
                                    acc = xsimd::fma(B(gz[co]), B::load_unaligned(kp + static_cast<std::size_t>(co) * G.cin + c), acc);
                                acc.store_unaligned(gp + c);
                            }
                        }
#endif
                        for (int ci = full; ci < G.cin; ++ci) {
                            T acc = gp[ci];
                            for (int co = 0; co < G.cout; ++co) acc += gz[co] * kp[static_cast<std::size_t>(co) * G.cin + ci];
                            gp[ci] = acc;
                        }
                    }
                }
            }
    }
}

// dL/dx for n samples; kt is kernel-sized scratch.
template <ConvGeometry G, class Arch = default_arch, class T>
void conv2d_backward_input(const T* k, const T* gz, T* gx, T* kt, int n) {
    conv2d_backward_input_prepare<G>(k, kt);
    for (int s = 0; s < n; ++s)
        conv2d_backward_input_rows<G, Arch>(kt, gz + static_cast<std::size_t>(s) * G.oh * G.ow * G.cout,
                                            gx + static_cast<std::size_t>(s) * G.h * G.w * G.cin, 0, G.h);
}

// ---- kernel and bias gradients ---------------------------------------------------------------

namespace conv_detail {

// Output rows (or columns) whose tap k reads inside the input: [first, last).
constexpr int tap_first(int k, int stride, int pad) {
    // smallest o with o * stride + k - pad >= 0
    const int need = pad - k;
    return need <= 0 ? 0 : (need + stride - 1) / stride;
}
constexpr int tap_last(int k, int stride, int pad, int in, int out) {
    // largest o with o * stride + k - pad <= in - 1, plus one
    const int top = in - 1 + pad - k;
    if (top < 0) return 0;
    const int o = top / stride + 1;
    return o < out ? o : out;
}

struct ParamBlocking {
    int cb, cb_last, cblocks;  // input channels per block
    int vb, vb_last, chunks;   // output vectors per chunk
    int chains;                // interleaved pixel sums per accumulator
};

template <class T, class Arch>
constexpr ParamBlocking param_blocking(int cin, int vectors) {
    ParamBlocking p{};
    p.vb = min_int(vectors, 2);
    if (p.vb == 0) return p;
    p.chunks = ceil_div(vectors, p.vb);
    p.vb_last = vectors % p.vb;
    const int regs = vector_registers<T, Arch>();
    const int cb_max = max_int(1, (regs - p.vb - 2) / p.vb);
    p.cblocks = ceil_div(cin, min_int(cin, cb_max));
    p.cb = ceil_div(cin, p.cblocks);
    p.cb_last = cin - (p.cblocks - 1) * p.cb;
    // Enough independent FMA chains to cover the FMA latency (8 in flight).
    p.chains = max_int(1, min_int(8 / (p.cb * p.vb), (regs - 4) / (p.cb * p.vb)));
    return p;
}

#if STATICNET_HAS_XSIMD
// Gradient block of ONE sample: tap (ky, kx), input channels [ci0, ci0 + CB), output channels
// [co0, co0 + VB * lanes) of the sample's sum over the output pixels that tap sees; added to gk
// (First: gk = 0 + sum, so the result is gk = 0 + s0 + s1 + ..., as the reference).
template <ConvGeometry G, class Arch, class T, int CB, int VB, int Chains, bool First>
void param_block(const T* xs, const T* gs, T* gk, int ky, int kx, int ci0, int co0) {
    using B = xsimd::batch<T, Arch>;
    constexpr int L = static_cast<int>(B::size);
    const int oy_first = tap_first(ky, G.sh, G.pad_top), oy_last = tap_last(ky, G.sh, G.pad_top, G.h, G.oh);
    const int ox_first = tap_first(kx, G.sw, G.pad_left), ox_last = tap_last(kx, G.sw, G.pad_left, G.w, G.ow);
    const int cols = ox_last > ox_first ? ox_last - ox_first : 0;
    T* kp = gk + ((static_cast<std::size_t>(ky) * G.kw + kx) * G.cin + ci0) * G.cout + co0;
    B acc[Chains][CB][VB];
    static_for<Chains>([&](auto c) STATICNET_INLINE {
        static_for<CB>([&](auto i) STATICNET_INLINE { static_for<VB>([&](auto v) STATICNET_INLINE { acc[c][i][v] = B(T(0)); }); });
    });
    for (int oy = oy_first; oy < oy_last; ++oy) {
        const int iy = oy * G.sh + ky - G.pad_top;
        const T* gp = gs + (static_cast<std::size_t>(oy) * G.ow + ox_first) * G.cout + co0;
        const T* xp = xs + (static_cast<std::size_t>(iy) * G.w + (ox_first * G.sw + kx - G.pad_left)) * G.cin + ci0;
        auto pixel = [&](auto c, int col) STATICNET_INLINE {
            B g[VB];
            static_for<VB>([&](auto v) STATICNET_INLINE {
                g[v] = B::load_unaligned(gp + static_cast<std::size_t>(col) * G.cout + v * L);
            });
            static_for<CB>([&](auto i) STATICNET_INLINE {
                const B a(xp[static_cast<std::size_t>(col) * G.sw * G.cin + i]);
                static_for<VB>([&](auto v) STATICNET_INLINE { acc[c][i][v] = xsimd::fma(a, g[v], acc[c][i][v]); });
            });
        };
        int col = 0;
        for (; col + Chains <= cols; col += Chains) static_for<Chains>([&](auto c) STATICNET_INLINE { pixel(c, col + c); });
        for (; col < cols; ++col) pixel(std::integral_constant<int, 0>{}, col);
    }
    static_for<CB>([&](auto i) STATICNET_INLINE {
        static_for<VB>([&](auto v) STATICNET_INLINE {
            B sum = acc[0][i][v];
            static_for<Chains - 1>([&](auto c) STATICNET_INLINE { sum += acc[c + 1][i][v]; });
            T* p = kp + static_cast<std::size_t>(i) * G.cout + v * L;
            ((First ? B(T(0)) : B::load_unaligned(p)) + sum).store_unaligned(p);
        });
    });
}

#endif  // STATICNET_HAS_XSIMD

// Output channels [c0, cout) (fewer than a vector) of the whole kernel gradient: plain loops,
// per-sample sums added in sample order.
template <ConvGeometry G, class T>
void param_tail(const T* x, const T* gz, T* gk, int n, int c0) {
    for (int ky = 0; ky < G.kh; ++ky)
        for (int kx = 0; kx < G.kw; ++kx)
            for (int ci = 0; ci < G.cin; ++ci)
                for (int co = c0; co < G.cout; ++co) {
                    T total = T(0);
                    for (int s = 0; s < n; ++s) {
                        const T* xs = x + static_cast<std::size_t>(s) * G.h * G.w * G.cin;
                        const T* gs = gz + static_cast<std::size_t>(s) * G.oh * G.ow * G.cout;
                        T acc = T(0);
                        for (int oy = 0; oy < G.oh; ++oy) {
                            const int iy = oy * G.sh + ky - G.pad_top;
                            if (iy < 0 || iy >= G.h) continue;
                            for (int ox = 0; ox < G.ow; ++ox) {
                                const int ix = ox * G.sw + kx - G.pad_left;
                                if (ix < 0 || ix >= G.w) continue;
                                acc += xs[(static_cast<std::size_t>(iy) * G.w + ix) * G.cin + ci] *
                                       gs[(static_cast<std::size_t>(oy) * G.ow + ox) * G.cout + co];
                            }
                        }
                        total += acc;
                    }
                    gk[((static_cast<std::size_t>(ky) * G.kw + kx) * G.cin + ci) * G.cout + co] = total;
                }
}

}  // namespace conv_detail

// The kernel-gradient work of one call splits into this many independent blocks (taps x input
// channel blocks x output channel chunks), each writing its own part of gk; the last block is
// the scalar tail (channels beyond the last whole vector) and the bias.
template <ConvGeometry G, class T, class Arch = default_arch>
constexpr int conv2d_backward_params_blocks() {
    if constexpr (!vectorizable<T, Arch>) {
        return 1;
    } else {
        constexpr auto p = conv_detail::param_blocking<T, Arch>(G.cin, G.cout / lanes<T, Arch>);
        return p.vb == 0 ? 1 : G.kh * G.kw * p.cblocks * p.chunks + 1;
    }
}

namespace conv_detail {

// The tail and bias block over samples [0, n).
template <ConvGeometry G, class Arch, class T>
void param_tail_and_bias(const T* x, const T* gz, T* gk, T* gb, int n) {
    constexpr int L = lanes<T, Arch>;
    constexpr int c0 = vectorizable<T, Arch> ? G.cout / L * L : 0;
    if constexpr (c0 < G.cout) param_tail<G>(x, gz, gk, n, c0);
    if constexpr (G.use_bias) {
        for (int co = 0; co < G.cout; ++co) gb[co] = T(0);
        for (int s = 0; s < n; ++s) {
            // The sample's sum first (as the reference), then added.
            T part[G.cout];
            for (int co = 0; co < G.cout; ++co) part[co] = T(0);
            const T* gs = gz + static_cast<std::size_t>(s) * G.oh * G.ow * G.cout;
            for (int p = 0; p < G.oh * G.ow; ++p)
                for (int co = 0; co < G.cout; ++co) part[co] += gs[static_cast<std::size_t>(p) * G.cout + co];
            for (int co = 0; co < G.cout; ++co) gb[co] += part[co];
        }
    }
}

#if STATICNET_HAS_XSIMD
// Vector block `block` of one sample.
template <ConvGeometry G, class Arch, bool First, class T>
inline void param_block_of_sample(const T* xs, const T* gs, T* gk, int block) {
    constexpr int L = lanes<T, Arch>;
    constexpr auto p = param_blocking<T, Arch>(G.cin, G.cout / L);
    const int chunk = block % p.chunks;
    const int cblock = (block / p.chunks) % p.cblocks;
    const int tap = block / (p.chunks * p.cblocks);
    const int ky = tap / G.kw, kx = tap % G.kw;
    const int ci0 = cblock * p.cb, co0 = chunk * p.vb * L;
    const bool last_cb = cblock == p.cblocks - 1, last_chunk = chunk == p.chunks - 1 && p.vb_last > 0;
    if (!last_cb && !last_chunk) param_block<G, Arch, T, p.cb, p.vb, p.chains, First>(xs, gs, gk, ky, kx, ci0, co0);
    else if (last_cb && !last_chunk) param_block<G, Arch, T, p.cb_last, p.vb, p.chains, First>(xs, gs, gk, ky, kx, ci0, co0);
    else if constexpr (p.vb_last > 0) {
        if (!last_cb) param_block<G, Arch, T, p.cb, p.vb_last, p.chains, First>(xs, gs, gk, ky, kx, ci0, co0);
        else param_block<G, Arch, T, p.cb_last, p.vb_last, p.chains, First>(xs, gs, gk, ky, kx, ci0, co0);
    }
}
#endif

}  // namespace conv_detail

// Blocks [b0, b1) of conv2d_backward_params_blocks over samples [0, n) of x / gz: overwrites
// their parts of gk (and, for the last block, the channels beyond the last whole vector and
// gb). Samples outside, blocks inside: one sample's input and gradient stay in cache while
// every block reads them.
template <ConvGeometry G, class Arch = default_arch, class T>
void conv2d_backward_params_range(const T* x, const T* gz, T* gk, T* gb, int n, int b0, int b1) {
    using namespace conv_detail;
    constexpr int blocks = conv2d_backward_params_blocks<G, T, Arch>();
    const int vb1 = b1 < blocks - 1 ? b1 : blocks - 1;  // vector blocks in range: [b0, vb1)
#if STATICNET_HAS_XSIMD
    if constexpr (blocks > 1) {
        for (int s = 0; s < n; ++s) {
            const T* xs = x + static_cast<std::size_t>(s) * G.h * G.w * G.cin;
            const T* gs = gz + static_cast<std::size_t>(s) * G.oh * G.ow * G.cout;
            for (int b = b0; b < vb1; ++b) {
                if (s == 0) param_block_of_sample<G, Arch, true>(xs, gs, gk, b);
                else param_block_of_sample<G, Arch, false>(xs, gs, gk, b);
            }
        }
    }
#endif
    if (n == 0) {  // no sample: the sums are zero
        constexpr auto p = param_blocking<T, Arch>(G.cin, G.cout / lanes<T, Arch>);
        for (int b = b0; b < vb1; ++b) {
            const int chunk = b % p.chunks, cblock = (b / p.chunks) % p.cblocks, tap = b / (p.chunks * p.cblocks);
            const int ci0 = cblock * p.cb, ci1 = cblock == p.cblocks - 1 ? G.cin : ci0 + p.cb;
            const int co0 = chunk * p.vb * lanes<T, Arch>;
            const int co1 = chunk == p.chunks - 1 ? G.cout / lanes<T, Arch> * lanes<T, Arch> : co0 + p.vb * lanes<T, Arch>;
            for (int ci = ci0; ci < ci1; ++ci)
                for (int co = co0; co < co1; ++co) gk[(static_cast<std::size_t>(tap) * G.cin + ci) * G.cout + co] = T(0);
        }
    }
    if (b1 == blocks && b0 < b1) param_tail_and_bias<G, Arch>(x, gz, gk, gb, n);
}

// Kernel and bias gradients from dL/dz, summed over n samples (each sample's sum first).
// Overwrites gk, gb. `partial` (kernel-sized scratch in the reference) is not needed here.
template <ConvGeometry G, class Arch = default_arch, class T>
void conv2d_backward_params(const T* x, const T* gz, T* gk, T* gb, T* partial, int n) {
    if constexpr (!vectorizable<T, Arch>) {
        reference::conv2d_backward_params<G>(x, gz, gk, gb, partial, n);
    } else {
        conv2d_backward_params_range<G, Arch>(x, gz, gk, gb, n, 0, conv2d_backward_params_blocks<G, T, Arch>());
    }
}

}  // namespace staticnet::kernels::simd
