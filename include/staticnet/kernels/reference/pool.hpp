// Reference pooling kernels (MaxPool2D, AveragePooling2D, GlobalAveragePooling2D), NHWC; the
// inner loop runs over channels.
#pragma once
#include <cstddef>
#include <limits>

namespace staticnet::kernels {

struct PoolGeometry {
    int h, w, c;
    int ph, pw;  // window
    int sh, sw;  // strides
    int pad_top, pad_left;
    int oh, ow;
};

}  // namespace staticnet::kernels

namespace staticnet::kernels::reference {

template <PoolGeometry G, class T>
void max_pool_forward(const T* x, T* y, int n) {
    for (int s = 0; s < n; ++s) {
        const T* xs = x + static_cast<std::size_t>(s) * G.h * G.w * G.c;
        T* ys = y + static_cast<std::size_t>(s) * G.oh * G.ow * G.c;
        for (int oy = 0; oy < G.oh; ++oy) {
            for (int ox = 0; ox < G.ow; ++ox) {
                T m[G.c];
                for (int c = 0; c < G.c; ++c) m[c] = -std::numeric_limits<T>::infinity();
                for (int ky = 0; ky < G.ph; ++ky) {
                    const int iy = oy * G.sh + ky - G.pad_top;
                    if (iy < 0 || iy >= G.h) continue;
                    for (int kx = 0; kx < G.pw; ++kx) {
                        const int ix = ox * G.sw + kx - G.pad_left;
                        if (ix < 0 || ix >= G.w) continue;
                        const T* xp = xs + (static_cast<std::size_t>(iy) * G.w + ix) * G.c;
                        // NaN wins, so a diverging run reaches the loss check.
                        for (int c = 0; c < G.c; ++c) m[c] = (xp[c] > m[c] || xp[c] != xp[c]) ? xp[c] : m[c];
                    }
                }
                T* yp = ys + (static_cast<std::size_t>(oy) * G.ow + ox) * G.c;
                for (int c = 0; c < G.c; ++c) yp[c] = m[c];
            }
        }
    }
}

// Routes each output gradient to the first maximum of its window (row-major window order).
// Overwrites gx. Windows may overlap (stride < pool): contributions add up.
template <PoolGeometry G, class T>
void max_pool_backward(const T* x, const T* gy, T* gx, int n) {
    const std::size_t xsize = static_cast<std::size_t>(n) * G.h * G.w * G.c;
    for (std::size_t i = 0; i < xsize; ++i) gx[i] = T(0);
    for (int s = 0; s < n; ++s) {
        const T* xs = x + static_cast<std::size_t>(s) * G.h * G.w * G.c;
        T* gxs = gx + static_cast<std::size_t>(s) * G.h * G.w * G.c;
        const T* gys = gy + static_cast<std::size_t>(s) * G.oh * G.ow * G.c;
        for (int oy = 0; oy < G.oh; ++oy) {
            for (int ox = 0; ox < G.ow; ++ox) {
                T m[G.c];
                std::size_t at[G.c];
                for (int c = 0; c < G.c; ++c) {
                    m[c] = -std::numeric_limits<T>::infinity();
                    at[c] = 0;
                }
                bool first = true;
                for (int ky = 0; ky < G.ph; ++ky) {
                    const int iy = oy * G.sh + ky - G.pad_top;
                    if (iy < 0 || iy >= G.h) continue;
                    for (int kx = 0; kx < G.pw; ++kx) {
                        const int ix = ox * G.sw + kx - G.pad_left;
                        if (ix < 0 || ix >= G.w) continue;
                        const std::size_t base = (static_cast<std::size_t>(iy) * G.w + ix) * G.c;
                        for (int c = 0; c < G.c; ++c) {
                            const T v = xs[base + c];
                            if (first || v > m[c]) {
                                m[c] = v;
                                at[c] = base + c;
                            }
                        }
                        first = false;
                    }
                }
                const T* gp = gys + (static_cast<std::size_t>(oy) * G.ow + ox) * G.c;
                for (int c = 0; c < G.c; ++c) gxs[at[c]] += gp[c];
            }
        }
    }
}

// Average of the valid (non-padded) elements of each window, as Keras/TF with 'same' padding
// (PyTorch's count_include_pad = false): the window's elements are summed in row-major window
// order starting from +0, then divided by their count. A window of padding only (never built by
// a layer) gives 0.
template <PoolGeometry G, class T>
void average_pool_forward(const T* x, T* y, int n) {
    for (int s = 0; s < n; ++s) {
        const T* xs = x + static_cast<std::size_t>(s) * G.h * G.w * G.c;
        T* ys = y + static_cast<std::size_t>(s) * G.oh * G.ow * G.c;
        for (int oy = 0; oy < G.oh; ++oy) {
            for (int ox = 0; ox < G.ow; ++ox) {
                T sum[G.c];
                for (int c = 0; c < G.c; ++c) sum[c] = T(0);
                int count = 0;
                for (int ky = 0; ky < G.ph; ++ky) {
                    const int iy = oy * G.sh + ky - G.pad_top;
                    if (iy < 0 || iy >= G.h) continue;
                    for (int kx = 0; kx < G.pw; ++kx) {
                        const int ix = ox * G.sw + kx - G.pad_left;
                        if (ix < 0 || ix >= G.w) continue;
                        const T* xp = xs + (static_cast<std::size_t>(iy) * G.w + ix) * G.c;
                        for (int c = 0; c < G.c; ++c) sum[c] += xp[c];
                        ++count;
                    }
                }
                T* yp = ys + (static_cast<std::size_t>(oy) * G.ow + ox) * G.c;
                for (int c = 0; c < G.c; ++c) yp[c] = count > 0 ? sum[c] / static_cast<T>(count) : T(0);
            }
        }
    }
}

// Each output gradient divided by its window's count of valid elements, added to each of them.
// Overwrites gx. Windows may overlap (stride < pool): contributions add up, windows in
// row-major output order.
template <PoolGeometry G, class T>
void average_pool_backward(const T* gy, T* gx, int n) {
    const std::size_t xsize = static_cast<std::size_t>(n) * G.h * G.w * G.c;
    for (std::size_t i = 0; i < xsize; ++i) gx[i] = T(0);
    for (int s = 0; s < n; ++s) {
        T* gxs = gx + static_cast<std::size_t>(s) * G.h * G.w * G.c;
        const T* gys = gy + static_cast<std::size_t>(s) * G.oh * G.ow * G.c;
        for (int oy = 0; oy < G.oh; ++oy) {
            for (int ox = 0; ox < G.ow; ++ox) {
                int count = 0;
                for (int ky = 0; ky < G.ph; ++ky) {
                    const int iy = oy * G.sh + ky - G.pad_top;
                    for (int kx = 0; kx < G.pw; ++kx) {
                        const int ix = ox * G.sw + kx - G.pad_left;
                        if (iy >= 0 && iy < G.h && ix >= 0 && ix < G.w) ++count;
                    }
                }
                if (count == 0) continue;
                const T* gp = gys + (static_cast<std::size_t>(oy) * G.ow + ox) * G.c;
                T g[G.c];
                for (int c = 0; c < G.c; ++c) g[c] = gp[c] / static_cast<T>(count);
                for (int ky = 0; ky < G.ph; ++ky) {
                    const int iy = oy * G.sh + ky - G.pad_top;
                    if (iy < 0 || iy >= G.h) continue;
                    for (int kx = 0; kx < G.pw; ++kx) {
                        const int ix = ox * G.sw + kx - G.pad_left;
                        if (ix < 0 || ix >= G.w) continue;
                        T* p = gxs + (static_cast<std::size_t>(iy) * G.w + ix) * G.c;
                        for (int c = 0; c < G.c; ++c) p[c] += g[c];
                    }
                }
            }
        }
    }
}

// GlobalAveragePooling2D: y[s, c] = (sum over the Rows = H * W positions, in order, from +0) / Rows.
template <std::size_t Rows, int C, class T>
void global_average_pool_forward(const T* x, T* y, int n) {
    for (int s = 0; s < n; ++s) {
        const T* xs = x + static_cast<std::size_t>(s) * Rows * static_cast<std::size_t>(C);
        T sum[C];
        for (int c = 0; c < C; ++c) sum[c] = T(0);
        for (std::size_t r = 0; r < Rows; ++r)
            for (int c = 0; c < C; ++c) sum[c] += xs[r * C + c];
        for (int c = 0; c < C; ++c) y[static_cast<std::size_t>(s) * C + c] = sum[c] / static_cast<T>(Rows);
    }
}

// gx[s, r, c] = gy[s, c] / Rows at every position r. Overwrites gx.
template <std::size_t Rows, int C, class T>
void global_average_pool_backward(const T* gy, T* gx, int n) {
    for (int s = 0; s < n; ++s) {
        T g[C];
        for (int c = 0; c < C; ++c) g[c] = gy[static_cast<std::size_t>(s) * C + c] / static_cast<T>(Rows);
        T* gxs = gx + static_cast<std::size_t>(s) * Rows * static_cast<std::size_t>(C);
        for (std::size_t r = 0; r < Rows; ++r)
            for (int c = 0; c < C; ++c) gxs[r * C + c] = g[c];
    }
}

}  // namespace staticnet::kernels::reference
