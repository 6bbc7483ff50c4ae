// MaxPool2D: strides default to the pool size, padding 'valid' (Keras defaults).
#pragma once
#include "../kernels/reference/pool.hpp"
#include "../kernels/simd/pool.hpp"
#include "layer.hpp"

namespace staticnet {

struct MaxPool2DOptions {
    Size2 pool = {2, 2};
    Size2 strides = {-1, -1};  // -1: same as pool
    Padding padding = Padding::valid;
};

template <MaxPool2DOptions O = MaxPool2DOptions{}>
struct MaxPool2D : LayerDefaults {
    static constexpr MaxPool2DOptions options = O;
    static constexpr const char* keras_class = "MaxPooling2D";
    static constexpr const char* keras_name = "max_pooling2d";
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
    static constexpr bool backward_needs_input = true;

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
            ctx.par.for_each(n, [&](int s) { kernels::simd::max_pool_forward<g>(x + s * in, y + s * out, 1); });
        } else {
            kernels::reference::max_pool_forward<g>(x, y, n);
        }
    }
    template <Shape In, class T>
    static void backward(LayerContext<T>& ctx, const T* x, const T*, T* gy, T* gx, int n) {
        if (!gx) return;
        constexpr auto g = geometry<In>();
        if constexpr (simd_path<T>) {
            constexpr std::size_t in = In.size(), out = output_shape(In).size();
            ctx.par.for_each(n, [&](int s) { kernels::simd::max_pool_backward<g>(x + s * in, gy + s * out, gx + s * in, 1); });
        } else {
            kernels::reference::max_pool_backward<g>(x, gy, gx, n);
        }
    }
};

// Keras also spells it MaxPooling2D.
template <MaxPool2DOptions O = MaxPool2DOptions{}>
using MaxPooling2D = MaxPool2D<O>;

}  // namespace staticnet
