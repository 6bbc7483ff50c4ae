// AveragePooling2D (Keras; also spelled AvgPool2D): the mean of each pool window, per channel.
// Strides default to the pool size, padding 'valid' (Keras defaults). With padding 'same' a
// window that reaches into the padding averages only its valid elements, as TF does (PyTorch's
// count_include_pad = false): a corner window of a 2x2 pool may hold one element, divided by 1.
#pragma once
#include <cstddef>

#include "../kernels/reference/pool.hpp"
#include "../kernels/simd/pool.hpp"
#include "layer.hpp"

namespace staticnet {

struct AveragePooling2DOptions {
    Size2 pool = {2, 2};
    Size2 strides = {-1, -1};  // -1: same as pool
    Padding padding = Padding::valid;
};

template <AveragePooling2DOptions O = AveragePooling2DOptions{}>
struct AveragePooling2D : LayerDefaults {
    static constexpr AveragePooling2DOptions options = O;
    static constexpr const char* keras_class = "AveragePooling2D";
    static constexpr const char* keras_name = "average_pooling2d";
    static constexpr Size2 strides{O.strides.h == -1 ? O.pool.h : O.strides.h,
                                   O.strides.w == -1 ? O.pool.w : O.strides.w};

    static constexpr Problem check(Shape in) {
        if (O.pool.h <= 0 || O.pool.w <= 0) return Problem::pool_zero;
        if (strides.h <= 0 || strides.w <= 0) return Problem::stride_zero;
        if (in.flat()) return Problem::pool_needs_spatial_input;
        if (O.padding == Padding::valid && (O.pool.h > in.h || O.pool.w > in.w))
            return Problem::pool_larger_than_input;
        return Problem::none;
    }
    static constexpr Shape output_shape(Shape in) {
        if (check(in) != Problem::none) return Shape{1, 1, in.c, 3};
        return Shape{conv_out_length(in.h, O.pool.h, strides.h, O.padding),
                     conv_out_length(in.w, O.pool.w, strides.w, O.padding), in.c, 3};
    }
    // Additions and one division per output: no multiply-accumulates (Keras counts none either).
    // Backward needs neither the input nor the output: only the window counts, which are fixed.

    template <Shape In>
    static constexpr kernels::PoolGeometry geometry() {
        constexpr Shape out = output_shape(In);
        return {In.h, In.w, In.c, O.pool.h, O.pool.w, strides.h, strides.w,
                pad_before(In.h, O.pool.h, strides.h, O.padding), pad_before(In.w, O.pool.w, strides.w, O.padding),
                out.h, out.w};
    }
    template <Shape In, class T>
    static void forward(LayerContext<T>& ctx, const T* x, T* y, int n) {
        constexpr auto g = geometry<In>();
        if constexpr (simd_path<T>) {
            constexpr std::size_t in = In.size(), out = output_shape(In).size();
            ctx.par.for_each(n, [&](int s) { kernels::simd::average_pool_forward<g>(x + s * in, y + s * out, 1); });
        } else {
            kernels::reference::average_pool_forward<g>(x, y, n);
        }
    }
    // Overwrites gx (unless it is null).
    template <Shape In, class T>
    static void backward(LayerContext<T>& ctx, const T*, const T*, T* gy, T* gx, int n) {
        if (!gx) return;
        constexpr auto g = geometry<In>();
        if constexpr (simd_path<T>) {
            constexpr std::size_t in = In.size(), out = output_shape(In).size();
            ctx.par.for_each(n, [&](int s) { kernels::simd::average_pool_backward<g>(gy + s * out, gx + s * in, 1); });
        } else {
            kernels::reference::average_pool_backward<g>(gy, gx, n);
        }
    }
};

// Keras also spells it AvgPool2D.
template <AveragePooling2DOptions O = AveragePooling2DOptions{}>
using AvgPool2D = AveragePooling2D<O>;

}  // namespace staticnet
