// DepthwiseConv2D (Keras): each input channel convolved with its own depth_multiplier filters.
// NHWC; kernel "depthwise_kernel" (kh, kw, cin, depth_multiplier), "bias" (cin *
// depth_multiplier); output channel c * depth_multiplier + m reads input channel c only. TF
// 'same'/'valid' padding as Conv2D. Glorot uniform with Keras's fans of that 4-D shape
// (_compute_fans: receptive field kh * kw, fan_in = kh * kw * cin, fan_out = kh * kw *
// depth_multiplier), bias zeros. ReLU is applied in the kernels' store, the other activations in a
// pass after them (as Conv2D).
#pragma once
#include <cstddef>

#include "../kernels/reference/activation.hpp"
#include "../kernels/reference/depthwise.hpp"
#include "../kernels/simd/activation.hpp"
#include "../kernels/simd/depthwise.hpp"
#include "layer.hpp"

namespace staticnet {

struct DepthwiseConv2DOptions {
    Size2 kernel = {0, 0};
    Size2 strides = {1, 1};
    Padding padding = Padding::valid;
    int depth_multiplier = 1;
    ActivationFunction activation = ActivationFunction::linear;
    bool use_bias = true;
};

namespace detail {

// The checks DepthwiseConv2D and SeparableConv2D share (their depthwise step).
constexpr Problem depthwise_check(Shape in, Size2 kernel, Size2 strides, Padding padding, int depth_multiplier) {
    if (kernel.h <= 0 || kernel.w <= 0) return Problem::depthwise_kernel_zero;
    if (strides.h <= 0 || strides.w <= 0) return Problem::depthwise_stride_zero;
    if (depth_multiplier <= 0) return Problem::depth_multiplier_not_positive;
    if (in.flat()) return Problem::depthwise_needs_spatial_input;
    if (padding == Padding::valid && (kernel.h > in.h || kernel.w > in.w))
        return Problem::depthwise_kernel_larger_than_input;
    return Problem::none;
}

// "depthwise_kernel" (kh, kw, cin, dm) with Keras's fans.
constexpr ParamSpec depthwise_kernel_spec(Shape in, Size2 kernel, int depth_multiplier) {
    const std::size_t taps = mul_sizes(to_size(kernel.h), to_size(kernel.w));
    return {"depthwise_kernel", mul_sizes(taps, to_size(in.c), to_size(depth_multiplier)), true, Init::glorot_uniform,
            mul_sizes(taps, to_size(in.c)), mul_sizes(taps, to_size(depth_multiplier))};
}

// The depthwise step's geometry at input shape in (a harmless 1x1 one when the layer has a
// structural problem: the kernels are still instantiated, and the one message must stay alone).
constexpr kernels::DepthwiseGeometry depthwise_geometry(Shape in, Size2 kernel, Size2 strides, Padding padding,
                                                        int depth_multiplier, bool use_bias) {
    if (depthwise_check(in, kernel, strides, padding, depth_multiplier) != Problem::none || in.c <= 0)
        return {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, use_bias};
    return {in.h,
            in.w,
            in.c,
            depth_multiplier,
            kernel.h,
            kernel.w,
            strides.h,
            strides.w,
            pad_before(in.h, kernel.h, strides.h, padding),
            pad_before(in.w, kernel.w, strides.w, padding),
            conv_out_length(in.h, kernel.h, strides.h, padding),
            conv_out_length(in.w, kernel.w, strides.w, padding),
            in.c * depth_multiplier,
            use_bias};
}

}  // namespace detail

template <DepthwiseConv2DOptions O>
struct DepthwiseConv2D {
    static constexpr DepthwiseConv2DOptions options = O;
    static constexpr const char* keras_class = "DepthwiseConv2D";
    static constexpr const char* keras_name = "depthwise_conv2d";

    static constexpr Problem check(Shape in) {
        return detail::depthwise_check(in, O.kernel, O.strides, O.padding, O.depth_multiplier);
    }
    static constexpr Shape output_shape(Shape in) {
        if (check(in) != Problem::none) return Shape{1, 1, in.c > 0 ? in.c : 1, 3};
        return Shape{conv_out_length(in.h, O.kernel.h, O.strides.h, O.padding),
                     conv_out_length(in.w, O.kernel.w, O.strides.w, O.padding), in.c * O.depth_multiplier, 3};
    }
    static constexpr ParamSpecs params(Shape in) {
        ParamSpecs p;
        p.items[0] = detail::depthwise_kernel_spec(in, O.kernel, O.depth_multiplier);
        p.count = 1;
        if (O.use_bias) p.items[p.count++] = {"bias", mul_sizes(to_size(in.c), to_size(O.depth_multiplier)), true, Init::zeros, 0, 0};
        return p;
    }
    // oh * ow * cin * dm * kh * kw.
    static constexpr std::size_t macs(Shape in) {
        const Shape out = output_shape(in);
        return mul_sizes(mul_sizes(to_size(out.h), to_size(out.w), to_size(out.c)),
                         mul_sizes(to_size(O.kernel.h), to_size(O.kernel.w)));
    }
    // Training scratch: the kernel and bias gradients of sample groups 1 .. max_sample_groups - 1
    // (group 0 writes straight into the gradients).
    static constexpr std::size_t gradient_size(Shape in) { return params(in).total(); }
    static constexpr std::size_t state_size(Shape in) {
        return mul_sizes(to_size(max_sample_groups - 1), gradient_size(in));
    }
    static constexpr bool in_place = false;
    static constexpr ActivationFunction output_activation = O.activation;
    static constexpr bool backward_needs_input = true;
    static constexpr bool backward_needs_output = O.activation != ActivationFunction::linear;

    template <Shape In>
    static constexpr kernels::DepthwiseGeometry geometry() {
        return detail::depthwise_geometry(In, O.kernel, O.strides, O.padding, O.depth_multiplier, O.use_bias);
    }

    static constexpr ActivationFunction fused =
        O.activation == ActivationFunction::relu ? ActivationFunction::relu : ActivationFunction::linear;
    static constexpr bool post_activation =
        O.activation != ActivationFunction::linear && O.activation != ActivationFunction::relu;

    template <Shape In, class T>
    static void forward(LayerContext<T>& ctx, const T* x, T* y, int n) {
        constexpr auto g = geometry<In>();
        constexpr std::size_t in_size = In.size(), out_size = output_shape(In).size();
        const T* bias = O.use_bias ? ctx.param[1] : nullptr;
        if constexpr (simd_path<T>) {
            ctx.par.for_each(n, [&](int s) {
                const std::size_t at = static_cast<std::size_t>(s);
                kernels::simd::depthwise_forward_rows<g, fused>(x + at * in_size, ctx.param[0], bias, y + at * out_size, 0,
                                                                g.oh);
                if constexpr (post_activation && elementwise(O.activation))
                    kernels::simd::activate_inplace(O.activation, y + at * out_size, out_size, 1);
            });
        } else {
            kernels::reference::depthwise_forward<g, fused>(x, ctx.param[0], bias, y, n);
            if constexpr (post_activation && elementwise(O.activation))
                kernels::reference::activate_inplace(O.activation, y, static_cast<std::size_t>(n) * out_size, 1);
        }
        if constexpr (O.activation == ActivationFunction::softmax)
            kernels::reference::activate_inplace(O.activation, y, static_cast<std::size_t>(n) * g.oh * g.ow,
                                                 static_cast<std::size_t>(g.cout));
    }

    // gy holds dL/dy and is turned into dL/dz in place. Overwrites gx (unless it is null).
    template <Shape In, class T>
    static void backward(LayerContext<T>& ctx, const T* x, const T* y, T* gy, T* gx, int n) {
        constexpr auto g = geometry<In>();
        constexpr std::size_t in_size = In.size(), out_size = output_shape(In).size();
        T* gb = O.use_bias ? ctx.grad[1] : nullptr;
        if constexpr (!simd_path<T>) {
            kernels::reference::activation_backward_inplace(O.activation, y, gy,
                                                            static_cast<std::size_t>(n) * g.oh * g.ow,
                                                            static_cast<std::size_t>(g.cout), ctx.fused_softmax);
            kernels::reference::depthwise_backward_params<g>(x, gy, ctx.grad[0], gb, n);
            if (gx) kernels::reference::depthwise_backward_input<g>(ctx.param[0], gy, gx, n);
        } else {
            if constexpr (O.activation != ActivationFunction::linear) {
                ctx.par.for_each(n, [&](int s) {
                    const std::size_t at = static_cast<std::size_t>(s) * out_size;
                    kernels::simd::activation_backward_inplace(O.activation, y + at, gy + at,
                                                               static_cast<std::size_t>(g.oh) * g.ow,
                                                               static_cast<std::size_t>(g.cout), ctx.fused_softmax);
                });
            }
            // Kernel and bias gradients: sample group x block (tap or bias) items, the groups
            // then added in group order: the same bits for any thread count.
            constexpr int blocks = kernels::simd::depthwise_backward_params_blocks<g>();
            constexpr std::size_t ksize = params(In).items[0].size;
            grouped_gradients(ctx, n, blocks, gradient_pieces(n, ctx.par.threads(), blocks), ctx.state, ksize,
                              O.use_bias ? static_cast<std::size_t>(g.cout) : 0,
                              [&](int b0, int b1, int s0, int count, T* gk, T* gbias) {
                                  kernels::simd::depthwise_backward_params_range<g>(
                                      x + static_cast<std::size_t>(s0) * in_size, gy + static_cast<std::size_t>(s0) * out_size,
                                      gk, gbias, count, b0, b1);
                              });
            if (!gx) return;
            ctx.par.for_each(n, [&](int s) {
                const std::size_t at = static_cast<std::size_t>(s);
                kernels::simd::depthwise_backward_input<g>(ctx.param[0], gy + at * out_size, gx + at * in_size, 1);
            });
        }
    }
};

}  // namespace staticnet
