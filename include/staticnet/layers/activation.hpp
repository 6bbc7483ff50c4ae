// Activation<f>: a standalone activation layer (softmax acts on the channel / unit axis).
#pragma once
#include <cstddef>

#include "../kernels/reference/activation.hpp"
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

    template <Shape In, class T>
    static void forward(LayerContext<T>&, const T* x, T* y, int n) {
        const std::size_t rows = static_cast<std::size_t>(n) * In.h * In.w;
        if (x != y)
            for (std::size_t i = 0; i < rows * In.c; ++i) y[i] = x[i];
        kernels::reference::activate_inplace(A, y, rows, static_cast<std::size_t>(In.c));
    }
    template <Shape In, class T>
    static void backward(LayerContext<T>& ctx, const T*, const T* y, T* gy, T* gx, int n) {
        const std::size_t rows = static_cast<std::size_t>(n) * In.h * In.w;
        kernels::reference::activation_backward_inplace(A, y, gy, rows, static_cast<std::size_t>(In.c),
                                                        ctx.fused_softmax);
        if (gx && gx != gy)
            for (std::size_t i = 0; i < rows * In.c; ++i) gx[i] = gy[i];
    }
};

}  // namespace staticnet
