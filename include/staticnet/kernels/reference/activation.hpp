// Reference activation kernels: plain loops over contiguous rows.
#pragma once
#include <cmath>
#include <cstddef>

#include "../../core/shape.hpp"

namespace staticnet::kernels::reference {

// exp for softmax, evaluated in double and rounded to T: the C libraries' float expf differ
// (newlib's single-precision-FPU expf is one ulp from glibc's on some inputs), a double exp
// rounded to float is the correctly rounded result on every platform but for ~2^-29 of the
// inputs, so a firmware build computes the host's probabilities bit for bit and on-device
// training follows the desktop's. Ten calls per sample: the cost does not show.
template <class T>
inline T softmax_exp(T x) {
    return static_cast<T>(std::exp(static_cast<double>(x)));
}

template <class T>
void relu_forward(const T* x, T* y, std::size_t count) {
    // NaN passes through (NaN <= 0 is false): a diverging run must reach the loss check, not be
    // silently turned into zeros. -0 becomes +0.
    for (std::size_t i = 0; i < count; ++i) y[i] = x[i] <= T(0) ? T(0) : x[i];
}

// g *= (y > 0): ReLU's derivative taken from its output (0 at the kink).
template <class T>
void relu_backward_inplace(const T* y, T* g, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) g[i] = y[i] > T(0) ? g[i] : T(0);
}

// Softmax over each row of `cols` values; stays finite for any finite logits (max subtracted).
// x may equal y.
template <class T>
void softmax_rows(const T* x, T* y, std::size_t rows, std::size_t cols) {
    for (std::size_t r = 0; r < rows; ++r) {
        const T* xr = x + r * cols;
        T* yr = y + r * cols;
        T m = xr[0];
        for (std::size_t j = 1; j < cols; ++j) m = xr[j] > m ? xr[j] : m;
        T sum = 0;
        for (std::size_t j = 0; j < cols; ++j) {
            yr[j] = softmax_exp(xr[j] - m);
            sum += yr[j];
        }
        const T inv = T(1) / sum;
        for (std::size_t j = 0; j < cols; ++j) yr[j] *= inv;
    }
}

// g <- y * (g - sum(g * y)) per row: the softmax Jacobian applied to g, from the output y.
template <class T>
void softmax_backward_inplace(const T* y, T* g, std::size_t rows, std::size_t cols) {
    for (std::size_t r = 0; r < rows; ++r) {
        const T* yr = y + r * cols;
        T* gr = g + r * cols;
        T dot = 0;
        for (std::size_t j = 0; j < cols; ++j) dot += gr[j] * yr[j];
        for (std::size_t j = 0; j < cols; ++j) gr[j] = yr[j] * (gr[j] - dot);
    }
}

// sigmoid and tanh evaluated in double and rounded to T, for the reason softmax_exp gives: the
// same bits on every C library (firmware and host agree).
template <class T>
inline T sigmoid_of(T x) {
    return static_cast<T>(1.0 / (1.0 + std::exp(-static_cast<double>(x))));
}
template <class T>
inline T tanh_of(T x) {
    return static_cast<T>(std::tanh(static_cast<double>(x)));
}

template <class T>
void sigmoid_forward(const T* x, T* y, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) y[i] = sigmoid_of(x[i]);
}
template <class T>
void tanh_forward(const T* x, T* y, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) y[i] = tanh_of(x[i]);
}
// y = x for x > 0, slope * x otherwise (NaN passes through).
template <class T>
void leaky_relu_forward(const T* x, T* y, std::size_t count, T slope) {
    for (std::size_t i = 0; i < count; ++i) y[i] = x[i] > T(0) ? x[i] : (x[i] != x[i] ? x[i] : slope * x[i]);
}

// The derivatives from the output y: sigmoid y (1 - y), tanh 1 - y^2, leaky ReLU 1 or slope
// (y > 0 exactly when x > 0 for a positive slope).
template <class T>
void sigmoid_backward_inplace(const T* y, T* g, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) g[i] = g[i] * (y[i] * (T(1) - y[i]));
}
template <class T>
void tanh_backward_inplace(const T* y, T* g, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) g[i] = g[i] * (T(1) - y[i] * y[i]);
}
template <class T>
void leaky_relu_backward_inplace(const T* y, T* g, std::size_t count, T slope) {
    for (std::size_t i = 0; i < count; ++i) g[i] = y[i] > T(0) ? g[i] : slope * g[i];
}

// Applies `a` in place to `rows` rows of `cols` (softmax works per row, over channels).
template <class T>
void activate_inplace(ActivationFunction a, T* y, std::size_t rows, std::size_t cols) {
    if (a == ActivationFunction::relu) relu_forward(y, y, rows * cols);
    else if (a == ActivationFunction::softmax) softmax_rows(y, y, rows, cols);
    else if (a == ActivationFunction::sigmoid) sigmoid_forward(y, y, rows * cols);
    else if (a == ActivationFunction::tanh) tanh_forward(y, y, rows * cols);
    else if (a == ActivationFunction::leaky_relu) leaky_relu_forward(y, y, rows * cols, T(leaky_relu_slope));
}

// Turns dL/dy into dL/dz in place, for y = a(z). `fused_softmax` means the loss already gave
// dL/dz for a softmax output, so nothing is left to do.
template <class T>
void activation_backward_inplace(ActivationFunction a, const T* y, T* g, std::size_t rows,
                                 std::size_t cols, bool fused_softmax) {
    if (a == ActivationFunction::relu) relu_backward_inplace(y, g, rows * cols);
    else if (a == ActivationFunction::softmax && !fused_softmax) softmax_backward_inplace(y, g, rows, cols);
    else if (a == ActivationFunction::sigmoid) sigmoid_backward_inplace(y, g, rows * cols);
    else if (a == ActivationFunction::tanh) tanh_backward_inplace(y, g, rows * cols);
    else if (a == ActivationFunction::leaky_relu) leaky_relu_backward_inplace(y, g, rows * cols, T(leaky_relu_slope));
}

}  // namespace staticnet::kernels::reference
