// Conv2D: NHWC, kernel (kh, kw, cin, cout), TF 'same'/'valid' padding, fused activation.
#pragma once
#include <cstddef>

#include "../kernels/reference/activation.hpp"
#include "../kernels/reference/conv2d.hpp"
#include "layer.hpp"

namespace staticnet {

struct Conv2DOptions {
    int filters = 0;
    Size2 kernel = {0, 0};
    Size2 strides = {1, 1};
    Padding padding = Padding::valid;
    ActivationFunction activation = ActivationFunction::linear;
    bool use_bias = true;
};

template <Conv2DOptions O>
struct Conv2D {
    static constexpr Conv2DOptions options = O;
    static constexpr const char* keras_class = "Conv2D";
    static constexpr const char* keras_name = "conv2d";

    static constexpr Problem check(Shape in) {
        if (O.filters <= 0) return Problem::zero_filters;
        if (O.kernel.h <= 0 || O.kernel.w <= 0) return Problem::kernel_zero;
        if (O.strides.h <= 0 || O.strides.w <= 0) return Problem::stride_zero;
        if (in.flat()) return Problem::conv_needs_spatial_input;
        if (O.padding == Padding::valid && (O.kernel.h > in.h || O.kernel.w > in.w))
            return Problem::kernel_larger_than_input;
        return Problem::none;
    }
    static constexpr Shape output_shape(Shape in) {
        if (check(in) != Problem::none) return Shape{1, 1, O.filters > 0 ? O.filters : 1, 3};
        return Shape{conv_out_length(in.h, O.kernel.h, O.strides.h, O.padding),
                     conv_out_length(in.w, O.kernel.w, O.strides.w, O.padding), O.filters, 3};
    }
    static constexpr ParamSpecs params(Shape in) {
        const std::size_t taps = static_cast<std::size_t>(O.kernel.h) * O.kernel.w;
        ParamSpecs p;
        p.items[0] = {"kernel", taps * in.c * O.filters, true, Init::glorot_uniform,
                      taps * in.c, taps * O.filters};
        p.count = 1;
        if (O.use_bias) p.items[p.count++] = {"bias", static_cast<std::size_t>(O.filters), true, Init::zeros, 0, 0};
        return p;
    }
    static constexpr std::size_t macs(Shape in) {
        const Shape out = output_shape(in);
        return static_cast<std::size_t>(out.h) * out.w * O.filters * O.kernel.h * O.kernel.w * in.c;
    }
    static constexpr std::size_t state_size(Shape in) { return params(in).items[0].size; }
    static constexpr bool in_place = false;
    static constexpr ActivationFunction output_activation = O.activation;
    static constexpr bool backward_needs_input = true;
    static constexpr bool backward_needs_output = O.activation != ActivationFunction::linear;

    template <Shape In>
    static constexpr kernels::ConvGeometry geometry() {
        constexpr Shape out = output_shape(In);
        return {In.h, In.w, In.c, O.kernel.h, O.kernel.w, O.strides.h, O.strides.w,
                pad_before(In.h, O.kernel.h, O.strides.h, O.padding),
                pad_before(In.w, O.kernel.w, O.strides.w, O.padding), out.h, out.w, out.c, O.use_bias};
    }

    template <Shape In, class T>
    static void forward(LayerContext<T>& ctx, const T* x, T* y, int n) {
        constexpr auto g = geometry<In>();
        kernels::reference::conv2d_forward<g>(x, ctx.param[0], O.use_bias ? ctx.param[1] : nullptr, y, n);
        kernels::reference::activate_inplace(O.activation, y, static_cast<std::size_t>(n) * g.oh * g.ow,
                                             static_cast<std::size_t>(g.cout));
    }

    // gy holds dL/dy and is turned into dL/dz in place.
    template <Shape In, class T>
    static void backward(LayerContext<T>& ctx, const T* x, const T* y, T* gy, T* gx, int n) {
        constexpr auto g = geometry<In>();
        kernels::reference::activation_backward_inplace(O.activation, y, gy,
                                                        static_cast<std::size_t>(n) * g.oh * g.ow,
                                                        static_cast<std::size_t>(g.cout), ctx.fused_softmax);
        // ctx.state (kernel-sized) serves as the per-sample partial sums here, then as the
        // transposed kernel for the input gradient.
        kernels::reference::conv2d_backward_params<g>(x, gy, ctx.grad[0], O.use_bias ? ctx.grad[1] : nullptr, ctx.state, n);
        if (gx) kernels::reference::conv2d_backward_input<g>(ctx.param[0], gy, gx, ctx.state, n);
    }
};

}  // namespace staticnet
