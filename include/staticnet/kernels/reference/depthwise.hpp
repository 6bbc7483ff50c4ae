// Reference DepthwiseConv2D kernels (also SeparableConv2D's depthwise step). NHWC activations,
// kernel (kh, kw, cin, dm) row-major, which is (kh, kw, cout) with cout = cin * dm: output
// channel co = c * dm + m reads input channel c = co / dm only. Plain loops in one fixed order:
// the ground truth of kernels/simd/depthwise.hpp.
#pragma once
#include <cstddef>

#include "../../core/shape.hpp"

namespace staticnet::kernels {

struct DepthwiseGeometry {
    int h, w, cin;       // input
    int dm;              // depth multiplier
    int kh, kw;          // kernel
    int sh, sw;          // strides
    int pad_top, pad_left;
    int oh, ow, cout;    // output (cout = cin * dm)
    bool use_bias;
};

}  // namespace staticnet::kernels

namespace staticnet::kernels::reference {

// Rows [oy0, oy1) of one sample: y[co] = act(b[co] + sum over the valid taps (row-major) of
// x[c] * k[tap, co]), act linear or relu (as conv2d_forward_rows).
template <DepthwiseGeometry G, ActivationFunction Act = ActivationFunction::linear, class T>
void depthwise_forward_rows(const T* xs, const T* k, const T* b, T* ys, int oy0, int oy1) {
    for (int oy = oy0; oy < oy1; ++oy) {
        for (int ox = 0; ox < G.ow; ++ox) {
            T acc[G.cout];
            for (int co = 0; co < G.cout; ++co) acc[co] = G.use_bias ? b[co] : T(0);
            for (int ky = 0; ky < G.kh; ++ky) {
                const int iy = oy * G.sh + ky - G.pad_top;
                if (iy < 0 || iy >= G.h) continue;
                for (int kx = 0; kx < G.kw; ++kx) {
                    const int ix = ox * G.sw + kx - G.pad_left;
                    if (ix < 0 || ix >= G.w) continue;
                    const T* xp = xs + (static_cast<std::size_t>(iy) * G.w + ix) * G.cin;
                    const T* kp = k + (static_cast<std::size_t>(ky) * G.kw + kx) * G.cout;
                    for (int c = 0; c < G.cin; ++c)
                        for (int m = 0; m < G.dm; ++m) acc[c * G.dm + m] += xp[c] * kp[c * G.dm + m];
                }
            }
            T* yp = ys + (static_cast<std::size_t>(oy) * G.ow + ox) * G.cout;
            if constexpr (Act == ActivationFunction::relu)
                for (int co = 0; co < G.cout; ++co) yp[co] = acc[co] <= T(0) ? T(0) : acc[co];
            else
                for (int co = 0; co < G.cout; ++co) yp[co] = acc[co];
        }
    }
}

template <DepthwiseGeometry G, ActivationFunction Act = ActivationFunction::linear, class T>
void depthwise_forward(const T* x, const T* k, const T* b, T* y, int n) {
    for (int s = 0; s < n; ++s)
        depthwise_forward_rows<G, Act>(x + static_cast<std::size_t>(s) * G.h * G.w * G.cin, k, b,
                                       y + static_cast<std::size_t>(s) * G.oh * G.ow * G.cout, 0, G.oh);
}

// The kernel-gradient work splits into kh * kw + 1 independent blocks: one per tap (all its
// output channels), and the bias as the last.
template <DepthwiseGeometry G>
constexpr int depthwise_backward_params_blocks() {
    return G.kh * G.kw + 1;
}

// Blocks [b0, b1) over samples [0, n) from dL/dz (gz): overwrites those taps of gk (and gb with
// the last block when G.use_bias). For every element, each sample's sum over the output pixels
// (row-major) comes first, then the samples' sums are added in sample order from +0 (as Conv2D:
// the rounding error grows with one image's pixels plus n, not with n times the pixels).
template <DepthwiseGeometry G, class T>
void depthwise_backward_params_range(const T* x, const T* gz, T* gk, T* gb, int n, int b0, int b1) {
    constexpr int taps = G.kh * G.kw;
    for (int block = b0; block < b1; ++block) {
        T part[G.cout];
        if (block < taps) {
            const int ky = block / G.kw, kx = block % G.kw;
            T* gkt = gk + static_cast<std::size_t>(block) * G.cout;
            for (int co = 0; co < G.cout; ++co) gkt[co] = T(0);
            for (int s = 0; s < n; ++s) {
                const T* xs = x + static_cast<std::size_t>(s) * G.h * G.w * G.cin;
                const T* gs = gz + static_cast<std::size_t>(s) * G.oh * G.ow * G.cout;
                for (int co = 0; co < G.cout; ++co) part[co] = T(0);
                for (int oy = 0; oy < G.oh; ++oy) {
                    const int iy = oy * G.sh + ky - G.pad_top;
                    if (iy < 0 || iy >= G.h) continue;
                    for (int ox = 0; ox < G.ow; ++ox) {
                        const int ix = ox * G.sw + kx - G.pad_left;
                        if (ix < 0 || ix >= G.w) continue;
                        const T* xp = xs + (static_cast<std::size_t>(iy) * G.w + ix) * G.cin;
                        const T* gp = gs + (static_cast<std::size_t>(oy) * G.ow + ox) * G.cout;
                        for (int c = 0; c < G.cin; ++c)
                            for (int m = 0; m < G.dm; ++m) part[c * G.dm + m] += xp[c] * gp[c * G.dm + m];
                    }
                }
                for (int co = 0; co < G.cout; ++co) gkt[co] += part[co];
            }
        } else if (G.use_bias) {
            for (int co = 0; co < G.cout; ++co) gb[co] = T(0);
            for (int s = 0; s < n; ++s) {
                const T* gs = gz + static_cast<std::size_t>(s) * G.oh * G.ow * G.cout;
                for (int co = 0; co < G.cout; ++co) part[co] = T(0);
                for (int p = 0; p < G.oh * G.ow; ++p)
                    for (int co = 0; co < G.cout; ++co) part[co] += gs[static_cast<std::size_t>(p) * G.cout + co];
                for (int co = 0; co < G.cout; ++co) gb[co] += part[co];
            }
        }
    }
}

// Kernel and bias gradients over n samples (gb may be null without a bias). Overwrites them.
template <DepthwiseGeometry G, class T>
void depthwise_backward_params(const T* x, const T* gz, T* gk, T* gb, int n) {
    depthwise_backward_params_range<G>(x, gz, gk, gb, n, 0, depthwise_backward_params_blocks<G>());
}

// Input gradient, overwrites gx: output pixels in row-major order, each adding through its valid
// taps (row-major) gx[c] += sum over m (in order) of gz[c * dm + m] * k[tap, c * dm + m].
template <DepthwiseGeometry G, class T>
void depthwise_backward_input(const T* k, const T* gz, T* gx, int n) {
    const std::size_t xsize = static_cast<std::size_t>(n) * G.h * G.w * G.cin;
    for (std::size_t i = 0; i < xsize; ++i) gx[i] = T(0);
    for (int s = 0; s < n; ++s) {
        T* xs = gx + static_cast<std::size_t>(s) * G.h * G.w * G.cin;
        const T* gs = gz + static_cast<std::size_t>(s) * G.oh * G.ow * G.cout;
        for (int oy = 0; oy < G.oh; ++oy) {
            for (int ox = 0; ox < G.ow; ++ox) {
                const T* gp = gs + (static_cast<std::size_t>(oy) * G.ow + ox) * G.cout;
                for (int ky = 0; ky < G.kh; ++ky) {
                    const int iy = oy * G.sh + ky - G.pad_top;
                    if (iy < 0 || iy >= G.h) continue;
                    for (int kx = 0; kx < G.kw; ++kx) {
                        const int ix = ox * G.sw + kx - G.pad_left;
                        if (ix < 0 || ix >= G.w) continue;
                        T* xp = xs + (static_cast<std::size_t>(iy) * G.w + ix) * G.cin;
                        const T* kp = k + (static_cast<std::size_t>(ky) * G.kw + kx) * G.cout;
                        for (int c = 0; c < G.cin; ++c) {
                            T acc = xp[c];
                            for (int m = 0; m < G.dm; ++m) acc += gp[c * G.dm + m] * kp[c * G.dm + m];
                            xp[c] = acc;
                        }
                    }
                }
            }
        }
    }
}

}  // namespace staticnet::kernels::reference
