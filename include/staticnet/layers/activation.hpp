// Activation<f>: a standalone activation layer (softmax acts on the channel / unit axis).
#pragma once
#include <cstddef>

#include "../kernels/reference/activation.hpp"
#include "../kernels/simd/activation.hpp"
#include "layer.hpp"

namespace staticnet {

template <ActivationFunction A>
struct Activation : LayerDefaults {
    static constexpr ActivationFunction function = A;
    static constexpr const char* keras_class = "Activation";
    static constexpr const char* keras_name = "activation";
    static constexpr Problem check(Shape) { return Problem::none; }
    static constexpr Shape output_shape(Shape in) { return in; }
    static constexpr bool in_place = true;
    static constexpr ActivationFunction output_activation = A;
    static constexpr bool backward_needs_output = A != ActivationFunction::linear;

    // Sample by sample (each sample's rows are independent), in parallel on the SIMD path.
    template <Shape In, class T>
    static void forward(LayerContext<T>& ctx, const T* x, T* y, int n) {
        constexpr std::size_t rows = static_cast<std::size_t>(In.h) * In.w, size = In.size();
        each_sample<In, T>(ctx, n, [&](std::size_t at, std::size_t count) {
            if (x != y)
                for (std::size_t i = 0; i < count * size; ++i) y[at + i] = x[at + i];
            if constexpr (simd_path<T>) kernels::simd::activate_inplace(A, y + at, count * rows, static_cast<std::size_t>(In.c));
            else kernels::reference::activate_inplace(A, y + at, count * rows, static_cast<std::size_t>(In.c));
        });
    }
    template <Shape In, class T>
    static void backward(LayerContext<T>& ctx, const T*, const T* y, T* gy, T* gx, int n) {
        constexpr std::size_t rows = static_cast<std::size_t>(In.h) * In.w, size = In.size();
        each_sample<In, T>(ctx, n, [&](std::size_t at, std::size_t count) {
            if constexpr (simd_path<T>)
                kernels::simd::activation_backward_inplace(A, y + at, gy + at, count * rows, static_cast<std::size_t>(In.c),
                                                           ctx.fused_softmax);
            else
                kernels::reference::activation_backward_inplace(A, y + at, gy + at, count * rows,
                                                                static_cast<std::size_t>(In.c), ctx.fused_softmax);
            if (gx && gx != gy)
                for (std::size_t i = 0; i < count * size; ++i) gx[at + i] = gy[at + i];
        });
    }

private:
    // f(first element, samples): one sample per work item on the SIMD path, all at once on
    // the reference path.
    template <Shape In, class T, class F>
    static void each_sample(LayerContext<T>& ctx, int n, F&& f) {
        if constexpr (simd_path<T>)
            ctx.par.for_each(n, [&](int s) { f(static_cast<std::size_t>(s) * In.size(), std::size_t{1}); });
        else
            f(std::size_t{0}, static_cast<std::size_t>(n));
    }
};

struct LeakyReLUOptions {
    float alpha = 0.3f;  // the slope for negative inputs (tf.keras's LeakyReLU default)
};

// LeakyReLU<{.alpha}>: y = x for x > 0, alpha * x otherwise (Keras's LeakyReLU layer; as a
// fused activation, sn::leaky_relu has keras.activations.leaky_relu's slope 0.2). alpha must be
// in (0, 1): the derivative is then read from the output's sign.
template <LeakyReLUOptions O = LeakyReLUOptions{}>
struct LeakyReLU : LayerDefaults {
    static_assert(O.alpha > 0.0f && O.alpha < 1.0f, "staticnet: LeakyReLU alpha must be in (0, 1) (Keras's default: 0.3f)");
    static constexpr LeakyReLUOptions options = O;
    static constexpr const char* keras_class = "LeakyReLU";
    static constexpr const char* keras_name = "leaky_re_lu";
    static constexpr Problem check(Shape) { return Problem::none; }
    static constexpr Shape output_shape(Shape in) { return in; }
    static constexpr bool in_place = true;
    static constexpr bool backward_needs_output = true;

    template <Shape In, class T>
    static void forward(LayerContext<T>& ctx, const T* x, T* y, int n) {
        constexpr std::size_t size = In.size();
        if constexpr (simd_path<T>)
            ctx.par.for_each(n, [&](int s) {
                const std::size_t at = static_cast<std::size_t>(s) * size;
                kernels::simd::leaky_relu_forward(x + at, y + at, size, T(O.alpha));
            });
        else
            kernels::reference::leaky_relu_forward(x, y, static_cast<std::size_t>(n) * size, T(O.alpha));
    }
    template <Shape In, class T>
    static void backward(LayerContext<T>& ctx, const T*, const T* y, T* gy, T* gx, int n) {
        constexpr std::size_t size = In.size();
        if constexpr (simd_path<T>)
            ctx.par.for_each(n, [&](int s) {
                const std::size_t at = static_cast<std::size_t>(s) * size;
                kernels::simd::leaky_relu_backward_inplace(y + at, gy + at, size, T(O.alpha));
            });
        else
            kernels::reference::leaky_relu_backward_inplace(y, gy, static_cast<std::size_t>(n) * size, T(O.alpha));
        if (gx && gx != gy)
            for (std::size_t i = 0; i < static_cast<std::size_t>(n) * size; ++i) gx[i] = gy[i];
    }
};

}  // namespace staticnet
