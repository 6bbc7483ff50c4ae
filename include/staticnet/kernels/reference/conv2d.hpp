// Reference Conv2D kernels. NHWC activations, (kh, kw, cin, cout) kernels. Every size is a
// compile-time constant, and the innermost loop runs over output channels with unit stride,
// so -O3 vectorises it; the accumulator row lives in registers.
#pragma once
#include <cstddef>

#include "../../core/shape.hpp"

namespace staticnet::kernels {

struct ConvGeometry {
    int h, w, cin;        // input
    int kh, kw;           // kernel
    int sh, sw;           // strides
    int pad_top, pad_left;
    int oh, ow, cout;     // output
    bool use_bias;
};

}  // namespace staticnet::kernels

namespace staticnet::kernels::reference {

// Rows [oy0, oy1) of one sample: y = act(x (*) k + b) (act: linear or relu, applied per
// element as activate_inplace would).
template <ConvGeometry G, ActivationFunction Act = ActivationFunction::linear, class T>
void conv2d_forward_rows(const T* xs, const T* k, const T* b, T* ys, int oy0, int oy1) {
    for (int oy = oy0; oy < oy1; ++oy) {
        for (int ox = 0; ox < G.ow; ++ox) {
            alignas(64) T acc[G.cout];
            for (int co = 0; co < G.cout; ++co) acc[co] = G.use_bias ? b[co] : T(0);
            for (int ky = 0; ky < G.kh; ++ky) {
                const int iy = oy * G.sh + ky - G.pad_top;
                if (iy < 0 || iy >= G.h) continue;
                for (int kx = 0; kx < G.kw; ++kx) {
                    const int ix = ox * G.sw + kx - G.pad_left;
                    if (ix < 0 || ix >= G.w) continue;
                    const T* xp = xs + (static_cast<std::size_t>(iy) * G.w + ix) * G.cin;
                    const T* kp = k + (static_cast<std::size_t>(ky) * G.kw + kx) * G.cin * G.cout;
                    for (int ci = 0; ci < G.cin; ++ci) {
                        const T a = xp[ci];
                        const T* kr = kp + static_cast<std::size_t>(ci) * G.cout;
                        for (int co = 0; co < G.cout; ++co) acc[co] += a * kr[co];
                    }
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

// y = act(x (*) k + b) for n samples.
template <ConvGeometry G, ActivationFunction Act = ActivationFunction::linear, class T>
void conv2d_forward(const T* x, const T* k, const T* b, T* y, int n) {
    for (int s = 0; s < n; ++s)
        conv2d_forward_rows<G, Act>(x + static_cast<std::size_t>(s) * G.h * G.w * G.cin, k, b,
                                    y + static_cast<std::size_t>(s) * G.oh * G.ow * G.cout, 0, G.oh);
}

// Kernel and bias gradients from dL/dz (gz, the pre-activation gradient). Overwrites gk, gb.
// Each sample's contribution is summed in `partial` (kernel-sized scratch) and then added to
// gk: a float sum over n*oh*ow terms (50,176 for the seed's first layer at batch 64) would
// otherwise carry rounding error that grows with the batch; this way it grows with one
// image's oh*ow plus n.
template <ConvGeometry G, class T>
void conv2d_backward_params(const T* x, const T* gz, T* gk, T* gb, T* partial, int n) {
    constexpr std::size_t ksize = static_cast<std::size_t>(G.kh) * G.kw * G.cin * G.cout;
    for (std::size_t i = 0; i < ksize; ++i) gk[i] = T(0);
    if (G.use_bias)
        for (int co = 0; co < G.cout; ++co) gb[co] = T(0);
    for (int s = 0; s < n; ++s) {
        for (std::size_t i = 0; i < ksize; ++i) partial[i] = T(0);
        alignas(64) T bias_part[G.cout];
        for (int co = 0; co < G.cout; ++co) bias_part[co] = T(0);
        const T* xs = x + static_cast<std::size_t>(s) * G.h * G.w * G.cin;
        const T* gs = gz + static_cast<std::size_t>(s) * G.oh * G.ow * G.cout;
        for (int oy = 0; oy < G.oh; ++oy) {
            for (int ox = 0; ox < G.ow; ++ox) {
                const T* gp = gs + (static_cast<std::size_t>(oy) * G.ow + ox) * G.cout;
                if (G.use_bias)
                    for (int co = 0; co < G.cout; ++co) bias_part[co] += gp[co];
                for (int ky = 0; ky < G.kh; ++ky) {
                    const int iy = oy * G.sh + ky - G.pad_top;
                    if (iy < 0 || iy >= G.h) continue;
                    for (int kx = 0; kx < G.kw; ++kx) {
                        const int ix = ox * G.sw + kx - G.pad_left;
                        if (ix < 0 || ix >= G.w) continue;
                        const T* xp = xs + (static_cast<std::size_t>(iy) * G.w + ix) * G.cin;
                        T* kp = partial + (static_cast<std::size_t>(ky) * G.kw + kx) * G.cin * G.cout;
                        for (int ci = 0; ci < G.cin; ++ci) {
                            const T a = xp[ci];
                            T* kr = kp + static_cast<std::size_t>(ci) * G.cout;
                            for (int co = 0; co < G.cout; ++co) kr[co] += a * gp[co];
                        }
                    }
                }
            }
        }
        for (std::size_t i = 0; i < ksize; ++i) gk[i] += partial[i];
        if (G.use_bias)
            for (int co = 0; co < G.cout; ++co) gb[co] += bias_part[co];
    }
}

// Input gradient. kt is scratch for the kernel transposed to (kh, kw, cout, cin), so the inner
// loop runs over input channels with unit stride instead of being a reduction.
template <ConvGeometry G, class T>
void conv2d_backward_input(const T* k, const T* gz, T* gx, T* kt, int n) {
    for (int ky = 0; ky < G.kh; ++ky)
        for (int kx = 0; kx < G.kw; ++kx)
            for (int ci = 0; ci < G.cin; ++ci)
                for (int co = 0; co < G.cout; ++co) {
                    const std::size_t tap = static_cast<std::size_t>(ky) * G.kw + kx;
                    kt[(tap * G.cout + co) * G.cin + ci] = k[(tap * G.cin + ci) * G.cout + co];
                }
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
                        const T* kp = kt + (static_cast<std::size_t>(ky) * G.kw + kx) * G.cout * G.cin;
                        alignas(64) T acc[G.cin];
                        for (int ci = 0; ci < G.cin; ++ci) acc[ci] = xp[ci];
                        for (int co = 0; co < G.cout; ++co) {
                            const T g = gp[co];
                            const T* kr = kp + static_cast<std::size_t>(co) * G.cin;
                            for (int ci = 0; ci < G.cin; ++ci) acc[ci] += g * kr[ci];
                        }
                        for (int ci = 0; ci < G.cin; ++ci) xp[ci] = acc[ci];
                    }
                }
            }
        }
    }
}

}  // namespace staticnet::kernels::reference
