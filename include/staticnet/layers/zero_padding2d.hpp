// ZeroPadding2D (Keras, channels_last): adds rows of zeros above and below and columns of zeros
// left and right of each channel. .padding = {top, bottom, left, right}; {vertical, horizontal}
// (Keras's (symmetric_height_pad, symmetric_width_pad)); one number for all four sides (Keras's
// padding=1, also the default).
#pragma once
#include <cstddef>

#include "../kernels/reference/pad.hpp"
#include "../kernels/simd/pad.hpp"
#include "layer.hpp"

namespace staticnet {

// Zeros on each side: {top, bottom, left, right}, {vertical, horizontal}, or one number.
struct Pad4 {
    int top = 0;
    int bottom = 0;
    int left = 0;
    int right = 0;
    constexpr Pad4() = default;
    constexpr Pad4(int all) : top(all), bottom(all), left(all), right(all) {}
    constexpr Pad4(int vertical, int horizontal) : top(vertical), bottom(vertical), left(horizontal), right(horizontal) {}
    constexpr Pad4(int t, int b, int l, int r) : top(t), bottom(b), left(l), right(r) {}
    friend constexpr bool operator==(const Pad4&, const Pad4&) = default;
};

struct ZeroPadding2DOptions {
    Pad4 padding = 1;
};

template <ZeroPadding2DOptions O = ZeroPadding2DOptions{}>
struct ZeroPadding2D : LayerDefaults {
    static constexpr ZeroPadding2DOptions options = O;
    static constexpr const char* keras_class = "ZeroPadding2D";
    static constexpr const char* keras_name = "zero_padding2d";
    static constexpr Pad4 p = O.padding;

    static constexpr Problem check(Shape in) {
        if (p.top < 0 || p.bottom < 0 || p.left < 0 || p.right < 0) return Problem::zero_padding_negative;
        if (in.flat()) return Problem::zero_padding_needs_spatial_input;
        return Problem::none;
    }
    static constexpr Shape output_shape(Shape in) {
        if (check(in) != Problem::none) return Shape{1, 1, in.c > 0 ? in.c : 1, 3};
        return Shape{in.h + p.top + p.bottom, in.w + p.left + p.right, in.c, 3};
    }
    // No parameters, no MACs; backward crops the gradient and needs neither input nor output.

    template <Shape In>
    static constexpr kernels::PadGeometry geometry() {
        constexpr Shape out = output_shape(In);
        return {In.h, In.w, In.c, p.top, p.bottom, p.left, p.right, out.h, out.w};
    }
    template <Shape In, class T>
    static void forward(LayerContext<T>& ctx, const T* x, T* y, int n) {
        constexpr auto g = geometry<In>();
        if constexpr (simd_path<T>) {
            constexpr std::size_t in = In.size(), out = output_shape(In).size();
            ctx.par.for_each(n, [&](int s) {
                kernels::simd::zero_pad_forward<g>(x + static_cast<std::size_t>(s) * in, y + static_cast<std::size_t>(s) * out, 1);
            });
        } else {
            kernels::reference::zero_pad_forward<g>(x, y, n);
        }
    }
    // Overwrites gx (unless it is null).
    template <Shape In, class T>
    static void backward(LayerContext<T>& ctx, const T*, const T*, T* gy, T* gx, int n) {
        if (!gx) return;
        constexpr auto g = geometry<In>();
        if constexpr (simd_path<T>) {
            constexpr std::size_t in = In.size(), out = output_shape(In).size();
            ctx.par.for_each(n, [&](int s) {
                kernels::simd::zero_pad_backward<g>(gy + static_cast<std::size_t>(s) * out, gx + static_cast<std::size_t>(s) * in, 1);
            });
        } else {
            kernels::reference::zero_pad_backward<g>(gy, gx, n);
        }
    }
};

}  // namespace staticnet
