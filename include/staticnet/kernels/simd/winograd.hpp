// Winograd F(2x2, 3x3) for 3x3 stride-1 Conv2D (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2015): each 2x2 block of output pixels ("tile") comes from a
// 4x4 block of input pixels through 16 channel products instead of 36, so a 3x3 convolution
// needs 16/36 = 0.44 of the direct kernel's multiply-adds (plus cheap transforms).
//
//   U = G g G^T        (per input/output channel pair; once per call, into planned memory)
//   V = B^T d B        (per tile and input channel)
//   M[xi] = sum over input channels of V[xi] * U[xi]   (16 small matrix products, xi = 0..15)
//   y = A^T M A        (per tile and output channel; then bias and the fused activation)
//
// with G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1], B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0;
// 0 1 0 -1], A^T = [1 1 1 0; 0 1 -1 -1]. The transforms only add, subtract and halve, so the
// result differs from the direct sum by a few rounding errors of the terms (the SIMD-vs-reference
// tests hold it to the same tolerance as every reordered sum).
//
// The channel products use the forward kernel's register blocking: R tiles x VB vectors of
// output channels in registers, input channels in the loop. A row of tiles is transformed into
// a stack buffer V (16 x R x cin values) and the products go to M (16 x R x VB x lanes); both
// are bounded by winograd_stack_limit and stay in L1/L2.
//
// Every output pixel is computed the same way whatever rows a call covers (a tile that straddles
// the range is computed whole and only the asked-for rows are stored): per-sample results do not
// depend on the batch or on how rows are split between threads.
#pragma once
#include <cstddef>

#include "conv2d.hpp"

namespace staticnet::kernels::simd {

// The largest stack buffer (V and M) a Winograd call may use; larger layers use the direct kernel.
inline constexpr std::size_t winograd_stack_limit = 96 * 1024;

namespace winograd_detail {

template <ConvGeometry G>
inline constexpr int tiles_x = static_cast<int>((static_cast<long long>(G.ow) + 1) / 2);  // no int overflow

template <ConvGeometry G, class T, class Arch>
constexpr conv_detail::ForwardBlocking blocking() {
    return conv_detail::forward_blocking<T, Arch>(tiles_x<G>, G.cout / lanes<T, Arch>);
}

template <ConvGeometry G, class T, class Arch>
constexpr std::size_t stack_bytes() {
    constexpr auto fb = blocking<G, T, Arch>();
    return 16u * static_cast<std::size_t>(fb.r) *
           (static_cast<std::size_t>(G.cin) + static_cast<std::size_t>(fb.vb) * lanes<T, Arch>) * sizeof(T);
}

// u[16] = G g G^T for one channel pair; g(ky, kx) gives the 3x3 kernel. Fixed order, no fused
// multiply-adds possible (each product is a halving of a finished sum).
template <class T, class Get>
inline void transform_kernel(Get&& g, T* u, std::size_t stride) {
    T t[4][3];
    for (int c = 0; c < 3; ++c) {
        t[0][c] = g(0, c);
        t[1][c] = T(0.5) * (g(0, c) + g(1, c) + g(2, c));
        t[2][c] = T(0.5) * (g(0, c) - g(1, c) + g(2, c));
        t[3][c] = g(2, c);
    }
    for (int r = 0; r < 4; ++r) {
        u[static_cast<std::size_t>(r * 4 + 0) * stride] = t[r][0];
        u[static_cast<std::size_t>(r * 4 + 1) * stride] = T(0.5) * (t[r][0] + t[r][1] + t[r][2]);
        u[static_cast<std::size_t>(r * 4 + 2) * stride] = T(0.5) * (t[r][0] - t[r][1] + t[r][2]);
        u[static_cast<std::size_t>(r * 4 + 3) * stride] = t[r][2];
    }
}

}  // namespace winograd_detail

// Whether the Winograd kernel serves this geometry with T on Arch: 3x3, stride 1, output
// channels a whole number of vectors, at least 4 input channels (fewer: the transforms cost
// more than the products save), and V and M within winograd_stack_limit.
template <ConvGeometry G, class T, class Arch = default_arch>
constexpr bool winograd_applies() {
    if constexpr (!vectorizable<T, Arch>) {
        return false;
    } else if constexpr (!(G.kh == 3 && G.kw == 3 && G.sh == 1 && G.sw == 1 && G.cin >= 4 &&
                           G.cout % lanes<T, Arch> == 0 && G.oh >= 1 && G.ow >= 1)) {
        return false;  // (if constexpr: the blocking below is only worked out for candidates)
    } else {
        return winograd_detail::stack_bytes<G, T, Arch>() <= winograd_stack_limit;
    }
}

// Elements of the transformed kernel U (16 x cin x cout).
template <ConvGeometry G>
constexpr std::size_t winograd_kernel_size() {
    return 16u * static_cast<std::size_t>(G.cin) * static_cast<std::size_t>(G.cout);
}

namespace winograd_detail {

// U for the forward (Flip = false: u[xi][ci][co] from k[.][.][ci][co]) or for the input
// gradient (Flip = true: u[xi][co][ci] from k flipped in both spatial directions).
template <ConvGeometry G, bool Flip, class T>
void prepare(const T* k, T* u) {
    constexpr std::size_t plane = static_cast<std::size_t>(G.cin) * G.cout;
    constexpr int rows = Flip ? G.cout : G.cin, cols = Flip ? G.cin : G.cout;
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j) {
            const std::size_t src = Flip ? static_cast<std::size_t>(j) * G.cout + i : static_cast<std::size_t>(i) * G.cout + j;
            transform_kernel<T>(
                [&](int ky, int kx) {
                    const int ty = Flip ? 2 - ky : ky, tx = Flip ? 2 - kx : kx;
                    return k[static_cast<std::size_t>(ty * 3 + tx) * plane + src];
                },
                u + static_cast<std::size_t>(i) * cols + j, plane);
        }
}

}  // namespace winograd_detail

// U (16, cin, cout) from the layer's kernel k (3, 3, cin, cout).
template <ConvGeometry G, class T>
void winograd_prepare(const T* k, T* u) {
    winograd_detail::prepare<G, false>(k, u);
}

// U of the input gradient (the geometry input_gradient_geometry<G>(): cin' = cout, cout' = cin)
// straight from the layer's kernel k (3, 3, cin, cout): flipped and transposed on the way.
template <ConvGeometry G, class T>
void winograd_prepare_input_gradient(const T* k, T* u) {
    winograd_detail::prepare<G, true>(k, u);
}

#if STATICNET_HAS_XSIMD
namespace winograd_detail {

// Whether column c (0..3) of tile t reads inside the input row (known at compile time).
template <ConvGeometry G>
constexpr bool tile_column_inside(int t, int c) {
    const int ix = 2 * t + c - G.pad_left;
    return ix >= 0 && ix < G.w;
}

// V[xi][t][ci] of one tile (t: its index in the row, column index T0T in the image, compile
// time): the taps outside the image are zero; rows outside are zero when RowsInside is false.
template <ConvGeometry G, class Arch, int T0T, bool RowsInside, class T>
inline STATICNET_INLINE void input_transform_tile(const T* xs, T* vt, std::size_t xi_stride, int iy0,
                                                  const bool (&row_in)[4]) {
    using B = xsimd::batch<T, Arch>;
    constexpr int L = static_cast<int>(B::size);
    constexpr int full = G.cin / L * L;
    constexpr int ix0 = 2 * T0T - G.pad_left;
    auto at = [&](int r, int c, int ci) STATICNET_INLINE {
        return xs + (static_cast<std::ptrdiff_t>(iy0 + r) * G.w + (ix0 + c)) * G.cin + ci;
    };
    auto transform = [&](auto load, auto store) STATICNET_INLINE {
        // rows: B^T d
        decltype(load(0, std::integral_constant<int, 0>{})) s[4][4];
        static_for<4>([&](auto c) STATICNET_INLINE {
            const auto d0 = load(0, c), d1 = load(1, c), d2 = load(2, c), d3 = load(3, c);
            s[0][c] = d0 - d2;
            s[1][c] = d1 + d2;
            s[2][c] = d2 - d1;
            s[3][c] = d1 - d3;
        });
        // columns: (B^T d) B
        for (int r = 0; r < 4; ++r) {
            store(r * 4 + 0, s[r][0] - s[r][2]);
            store(r * 4 + 1, s[r][1] + s[r][2]);
            store(r * 4 + 2, s[r][2] - s[r][1]);
            store(r * 4 + 3, s[r][1] - s[r][3]);
        }
    };
    for (int ci = 0; ci < full; ci += L) {
        transform(
            [&](int r, auto c) STATICNET_INLINE {
                if constexpr (!tile_column_inside<G>(T0T, c)) return B(T(0));
                else if constexpr (RowsInside) return B::load_unaligned(at(r, c, ci));
                else return row_in[r] ? B::load_unaligned(at(r, c, ci)) : B(T(0));
            },
            [&](int xi, B v) STATICNET_INLINE { v.store_unaligned(vt + xi * xi_stride + ci); });
    }
    for (int ci = full; ci < G.cin; ++ci) {
        transform(
            [&](int r, auto c) STATICNET_INLINE {
                if constexpr (!tile_column_inside<G>(T0T, c)) return T(0);
                else return row_in[r] ? *at(r, c, ci) : T(0);
            },
            [&](int xi, T v) STATICNET_INLINE { vt[xi * xi_stride + ci] = v; });
    }
}

// V[xi][t][ci] for the tiles [T0, T0 + NT) of tile row ty (t: 0 .. NT-1, row stride R * cin).
template <ConvGeometry G, class Arch, int T0, int NT, int R, class T>
inline void input_transform(const T* xs, T* V, int ty) {
    constexpr std::size_t xi_stride = static_cast<std::size_t>(R) * G.cin;
    const int iy0 = 2 * ty - G.pad_top;
    bool row_in[4];
    for (int r = 0; r < 4; ++r) row_in[r] = iy0 + r >= 0 && iy0 + r < G.h;
    const bool rows_inside = row_in[0] && row_in[3];
    static_for<NT>([&](auto t) STATICNET_INLINE {
        T* vt = V + static_cast<std::size_t>(t) * G.cin;
        if (rows_inside) input_transform_tile<G, Arch, T0 + t, true>(xs, vt, xi_stride, iy0, row_in);
        else input_transform_tile<G, Arch, T0 + t, false>(xs, vt, xi_stride, iy0, row_in);
    });
}

// For the output channels [co0, co0 + VB * lanes): the 16 channel products of NT tiles into M,
// then y = A^T M A + bias, the activation, stored for the rows in [oy0, oy1).
template <ConvGeometry G, ActivationFunction Act, class Arch, int NT, int R, int VB, class T>
inline void products_and_output(const T* V, const T* u, const T* b, T* M, T* ys, int ty, int t0, int co0, int oy0,
                                int oy1) {
    using B = xsimd::batch<T, Arch>;
    constexpr int L = static_cast<int>(B::size);
    constexpr std::size_t v_xi = static_cast<std::size_t>(R) * G.cin;
    constexpr std::size_t m_xi = static_cast<std::size_t>(R) * VB * L;
    for (int xi = 0; xi < 16; ++xi) {
        B acc[NT][VB];
        static_for<NT>([&](auto t) STATICNET_INLINE { static_for<VB>([&](auto v) STATICNET_INLINE { acc[t][v] = B(T(0)); }); });
        const T* up = u + static_cast<std::size_t>(xi) * G.cin * G.cout + co0;
        const T* vp = V + xi * v_xi;
        for (int ci = 0; ci < G.cin; ++ci) {
            B w[VB];
            static_for<VB>([&](auto v) STATICNET_INLINE { w[v] = B::load_unaligned(up + static_cast<std::size_t>(ci) * G.cout + v * L); });
            static_for<NT>([&](auto t) STATICNET_INLINE {
                const B a(vp[static_cast<std::size_t>(t) * G.cin + ci]);
                static_for<VB>([&](auto v) STATICNET_INLINE { acc[t][v] = xsimd::fma(a, w[v], acc[t][v]); });
            });
        }
        T* mp = M + xi * m_xi;
        static_for<NT>([&](auto t) STATICNET_INLINE {
            static_for<VB>([&](auto v) STATICNET_INLINE { acc[t][v].store_unaligned(mp + (static_cast<std::size_t>(t) * VB + v) * L); });
        });
    }
    const int oy_first = 2 * ty;
    for (int t = 0; t < NT; ++t) {
        const int ox_first = 2 * (t0 + t);
        for (int v = 0; v < VB; ++v) {
            const T* mp = M + (static_cast<std::size_t>(t) * VB + v) * L;
            auto m = [&](int xi) STATICNET_INLINE { return B::load_unaligned(mp + xi * m_xi); };
            // rows: A^T M
            B s[2][4];
            for (int c = 0; c < 4; ++c) {
                const B m0 = m(c), m1 = m(4 + c), m2 = m(8 + c), m3 = m(12 + c);
                s[0][c] = m0 + m1 + m2;
                s[1][c] = m1 - m2 - m3;
            }
            const B bias = G.use_bias ? B::load_unaligned(b + co0 + v * L) : B(T(0));
            for (int i = 0; i < 2; ++i) {
                const int oy = oy_first + i;
                if (oy < oy0 || oy >= oy1) continue;
                const B y0 = s[i][0] + s[i][1] + s[i][2];
                const B y1 = s[i][1] - s[i][2] - s[i][3];
                T* yp = ys + (static_cast<std::size_t>(oy) * G.ow + ox_first) * G.cout + co0 + v * L;
                conv_detail::apply_activation<T, Arch>(y0 + bias, Act).store_unaligned(yp);
                if (ox_first + 1 < G.ow) conv_detail::apply_activation<T, Arch>(y1 + bias, Act).store_unaligned(yp + G.cout);
            }
        }
    }
}

}  // namespace winograd_detail
#endif  // STATICNET_HAS_XSIMD

// Rows [oy0, oy1) of one sample (xs its input, ys its output) with the transformed kernel u
// (winograd_prepare), bias b (when G.use_bias) and the activation Act fused. Needs
// winograd_applies<G, T, Arch>().
template <ConvGeometry G, ActivationFunction Act = ActivationFunction::linear, class Arch = default_arch, class T>
void conv2d_winograd_rows(const T* xs, const T* u, const T* b, T* ys, int oy0, int oy1) {
    static_assert(winograd_applies<G, T, Arch>(), "staticnet: internal error: the Winograd kernel does not serve this geometry");
#if STATICNET_HAS_XSIMD
    using namespace winograd_detail;
    constexpr int L = lanes<T, Arch>;
    constexpr auto fb = blocking<G, T, Arch>();
    alignas(64) T V[16 * fb.r * G.cin];
    alignas(64) T M[16 * fb.r * fb.vb * L];
    for (int ty = oy0 / 2; 2 * ty < oy1; ++ty) {
        static_for<fb.blocks>([&](auto j) STATICNET_INLINE {
            constexpr int t0 = j * fb.r;
            constexpr int nt = j == fb.blocks - 1 ? fb.r_last : fb.r;
            input_transform<G, Arch, t0, nt, fb.r>(xs, V, ty);
            constexpr int full_chunks = fb.vb_last == 0 ? fb.chunks : fb.chunks - 1;
            for (int c = 0; c < full_chunks; ++c)
                products_and_output<G, Act, Arch, nt, fb.r, fb.vb>(V, u, b, M, ys, ty, t0, c * fb.vb * L, oy0, oy1);
            if constexpr (fb.vb_last > 0)
                products_and_output<G, Act, Arch, nt, fb.r, fb.vb_last>(V, u, b, M, ys, ty, t0, full_chunks * fb.vb * L,
                                                                        oy0, oy1);
        });
    }
#else
    (void)xs, (void)u, (void)b, (void)ys, (void)oy0, (void)oy1;
#endif
}

// y = act(x (*) k + b) for n samples through Winograd; u: winograd_kernel_size<G>() scratch.
template <ConvGeometry G, ActivationFunction Act = ActivationFunction::linear, class Arch = default_arch, class T>
void conv2d_winograd_forward(const T* x, const T* k, const T* b, T* y, T* u, int n) {
    winograd_prepare<G>(k, u);
    for (int s = 0; s < n; ++s)
        conv2d_winograd_rows<G, Act, Arch>(x + static_cast<std::size_t>(s) * G.h * G.w * G.cin, u, b,
                                           y + static_cast<std::size_t>(s) * G.oh * G.ow * G.cout, 0, G.oh);
}

// dL/dx for n samples through Winograd (stride 1); u: winograd_kernel_size<G>() scratch.
template <ConvGeometry G, class Arch = default_arch, class T>
void conv2d_winograd_backward_input(const T* k, const T* gz, T* gx, T* u, int n) {
    constexpr ConvGeometry ig = input_gradient_geometry<G>();
    winograd_prepare_input_gradient<G>(k, u);
    for (int s = 0; s < n; ++s)
        conv2d_winograd_rows<ig, ActivationFunction::linear, Arch>(gz + static_cast<std::size_t>(s) * G.oh * G.ow * G.cout, u,
                                                                   static_cast<const T*>(nullptr),
                                                                   gx + static_cast<std::size_t>(s) * G.h * G.w * G.cin, 0, G.h);
}

}  // namespace staticnet::kernels::simd
