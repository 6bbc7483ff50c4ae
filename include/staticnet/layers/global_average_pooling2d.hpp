// GlobalAveragePooling2D (Keras, data_format channels_last, keepdims = False; also spelled
// GlobalAvgPool2D): (H, W, C) -> a flat vector of C values, the mean of each channel over the
// H * W positions. A Dense can follow it directly (no Flatten).
#pragma once
#include <cstddef>

#include "../kernels/reference/pool.hpp"
#include "../kernels/simd/pool.hpp"
#include "layer.hpp"

namespace staticnet {

struct GlobalAveragePooling2D : LayerDefaults {
    static constexpr const char* keras_class = "GlobalAveragePooling2D";
    static constexpr const char* keras_name = "global_average_pooling2d";

    static constexpr Problem check(Shape in) {
        return in.flat() ? Problem::pool_needs_spatial_input : Problem::none;
    }
    static constexpr Shape output_shape(Shape in) { return flat_shape(in.c); }
    // No multiply-accumulates (Keras counts none); backward needs neither input nor output.

    template <Shape In, class T>
    static void forward(LayerContext<T>& ctx, const T* x, T* y, int n) {
        constexpr std::size_t rows = static_cast<std::size_t>(In.h) * static_cast<std::size_t>(In.w);
        if constexpr (simd_path<T>) {
            constexpr std::size_t in = In.size(), out = static_cast<std::size_t>(In.c);
            ctx.par.for_each(n, [&](int s) {
                kernels::simd::global_average_pool_forward<rows, In.c>(x + s * in, y + s * out, 1);
            });
        } else {
            kernels::reference::global_average_pool_forward<rows, In.c>(x, y, n);
        }
    }
    // Overwrites gx (unless it is null).
    template <Shape In, class T>
    static void backward(LayerContext<T>& ctx, const T*, const T*, T* gy, T* gx, int n) {
        if (!gx) return;
        constexpr std::size_t rows = static_cast<std::size_t>(In.h) * static_cast<std::size_t>(In.w);
        if constexpr (simd_path<T>) {
            constexpr std::size_t in = In.size(), out = static_cast<std::size_t>(In.c);
            ctx.par.for_each(n, [&](int s) {
                kernels::simd::global_average_pool_backward<rows, In.c>(gy + s * out, gx + s * in, 1);
            });
        } else {
            kernels::reference::global_average_pool_backward<rows, In.c>(gy, gx, n);
        }
    }
};

// Keras also spells it GlobalAvgPool2D.
using GlobalAvgPool2D = GlobalAveragePooling2D;

}  // namespace staticnet
