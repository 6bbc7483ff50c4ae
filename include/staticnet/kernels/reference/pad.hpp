// Reference ZeroPadding2D kernels, NHWC: the forward writes the input into the middle of a
// zero-filled output, the backward crops the output gradient back to the input's extent. They
// only move values (and write zeros), so every kernel gives the same bits.
#pragma once
#include <cstddef>

namespace staticnet::kernels {

struct PadGeometry {
    int h, w, c;                     // input
    int top, bottom, left, right;    // zeros added on each side
    int oh, ow;                      // output: h + top + bottom, w + left + right
};

}  // namespace staticnet::kernels

namespace staticnet::kernels::reference {

// y = x with `top` rows of zeros above, `bottom` below, `left` columns before, `right` after.
template <PadGeometry G, class T>
void zero_pad_forward(const T* x, T* y, int n) {
    for (int s = 0; s < n; ++s) {
        const T* xs = x + static_cast<std::size_t>(s) * G.h * G.w * G.c;
        T* ys = y + static_cast<std::size_t>(s) * G.oh * G.ow * G.c;
        for (int oy = 0; oy < G.oh; ++oy) {
            T* yr = ys + static_cast<std::size_t>(oy) * G.ow * G.c;
            const int iy = oy - G.top;
            for (int ox = 0; ox < G.ow; ++ox) {
                const int ix = ox - G.left;
                const bool inside = iy >= 0 && iy < G.h && ix >= 0 && ix < G.w;
                for (int c = 0; c < G.c; ++c)
                    yr[static_cast<std::size_t>(ox) * G.c + c] =
                        inside ? xs[(static_cast<std::size_t>(iy) * G.w + ix) * G.c + c] : T(0);
            }
        }
    }
}

// gx = the inner h x w part of gy (the padding's gradients are dropped). Overwrites gx.
template <PadGeometry G, class T>
void zero_pad_backward(const T* gy, T* gx, int n) {
    for (int s = 0; s < n; ++s) {
        const T* gys = gy + static_cast<std::size_t>(s) * G.oh * G.ow * G.c;
        T* gxs = gx + static_cast<std::size_t>(s) * G.h * G.w * G.c;
        for (int iy = 0; iy < G.h; ++iy)
            for (int ix = 0; ix < G.w; ++ix)
                for (int c = 0; c < G.c; ++c)
                    gxs[(static_cast<std::size_t>(iy) * G.w + ix) * G.c + c] =
                        gys[(static_cast<std::size_t>(iy + G.top) * G.ow + (ix + G.left)) * G.c + c];
    }
}

}  // namespace staticnet::kernels::reference
