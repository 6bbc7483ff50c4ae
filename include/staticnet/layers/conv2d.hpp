// Conv2D: NHWC, kernel (kh, kw, cin, cout), TF 'same'/'valid' padding, fused activation.
#pragma once
#include <cstddef>

#include "../kernels/reference/activation.hpp"
#include "../kernels/reference/conv2d.hpp"
#include "../kernels/simd/activation.hpp"
#include "../kernels/simd/conv2d.hpp"
#include "../kernels/simd/winograd.hpp"
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
        const std::size_t taps = mul_sizes(to_size(O.kernel.h), to_size(O.kernel.w));
        ParamSpecs p;
        p.items[0] = {"kernel", mul_sizes(taps, to_size(in.c), to_size(O.filters)), true, Init::glorot_uniform,
                      mul_sizes(taps, to_size(in.c)), mul_sizes(taps, to_size(O.filters))};
        p.count = 1;
        if (O.use_bias) p.items[p.count++] = {"bias", to_size(O.filters), true, Init::zeros, 0, 0};
        return p;
    }
    static constexpr std::size_t macs(Shape in) {
        const Shape out = output_shape(in);
        return mul_sizes(mul_sizes(to_size(out.h), to_size(out.w), to_size(O.filters)),
                         mul_sizes(to_size(O.kernel.h), to_size(O.kernel.w), to_size(in.c)));
    }
    // Training scratch: the prepared kernel - transposed (also the reference's per-sample
    // partial sums) or, for 3x3 stride-1 layers on the SIMD path, Winograd-transformed (16 x cin
    // x cout: the forward's, then the input gradient's) - then the kernel and bias gradients of
    // sample groups 1 .. max_sample_groups - 1 (group 0 writes straight into the gradient).
    static constexpr std::size_t gradient_size(Shape in) {
        return add_sizes(params(in).items[0].size, O.use_bias ? to_size(O.filters) : 0);
    }
    static constexpr bool winograd_shape = O.kernel.h == 3 && O.kernel.w == 3 && O.strides.h == 1 && O.strides.w == 1;
    static constexpr std::size_t prepared_size(Shape in) {
        const std::size_t k = params(in).items[0].size;
        const std::size_t w = STATICNET_HAS_XSIMD && winograd_shape ? mul_sizes(16, to_size(in.c), to_size(O.filters)) : 0;
        return k > w ? k : w;
    }
    static constexpr std::size_t state_size(Shape in) {
        return add_sizes(prepared_size(in), mul_sizes(to_size(max_sample_groups - 1), gradient_size(in)));
    }
    // Inference scratch (planned in the inference arena, live while this layer runs): the
    // Winograd-transformed kernel when the Winograd kernel serves this layer.
    template <Shape In, class T>
    static constexpr std::size_t inference_scratch_size() {
        if constexpr (simd_path<T> && kernels::simd::winograd_applies<geometry<In>(), T>())
            return kernels::simd::winograd_kernel_size<geometry<In>()>();
        else
            return 0;
    }
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

    // Activation fused into the convolution's store where it is elementwise.
    // ReLU is applied in the kernels' store; the other activations in a pass after them.
    static constexpr ActivationFunction fused =
        O.activation == ActivationFunction::relu ? ActivationFunction::relu : ActivationFunction::linear;
    static constexpr bool post_activation =
        O.activation != ActivationFunction::linear && O.activation != ActivationFunction::relu;

    template <Shape In, class T>
    static void forward(LayerContext<T>& ctx, const T* x, T* y, int n) {
        constexpr auto g = geometry<In>();
        const T* bias = O.use_bias ? ctx.param[1] : nullptr;
        if constexpr (simd_path<T>) {
            constexpr std::size_t in_size = In.size(), out_size = output_shape(In).size();
            const RowSplit split = row_split(n, g.oh, ctx.par.threads(), macs(In));
            // Winograd for 3x3 stride 1: the transformed kernel goes to the training scratch
            // or the planned inference scratch (once per call, on the calling thread).
            T* u = nullptr;
            if constexpr (kernels::simd::winograd_applies<g, T>()) u = ctx.state ? ctx.state : ctx.scratch;
            if (u) {
                if constexpr (kernels::simd::winograd_applies<g, T>()) {
                    kernels::simd::winograd_prepare<g>(ctx.param[0], u);
                    ctx.par.for_each(split.items(n), [&](int item) {
                        const std::size_t s = static_cast<std::size_t>(split.sample(item));
                        kernels::simd::conv2d_winograd_rows<g, fused>(x + s * in_size, u, bias, y + s * out_size,
                                                                      split.row_begin(item), split.row_end(item));
                    });
                }
            } else {
                ctx.par.for_each(split.items(n), [&](int item) {
                    const std::size_t s = static_cast<std::size_t>(split.sample(item));
                    kernels::simd::conv2d_forward_rows<g, fused>(x + s * in_size, ctx.param[0], bias, y + s * out_size,
                                                                 split.row_begin(item), split.row_end(item));
                });
            }
        } else {
            kernels::reference::conv2d_forward<g, fused>(x, ctx.param[0], bias, y, n);
        }
        if constexpr (O.activation == ActivationFunction::softmax) {
            kernels::reference::activate_inplace(O.activation, y, static_cast<std::size_t>(n) * g.oh * g.ow,
                                                 static_cast<std::size_t>(g.cout));
        } else if constexpr (post_activation) {
            constexpr std::size_t out_size = output_shape(In).size();
            if constexpr (simd_path<T>)
                ctx.par.for_each(n, [&](int s) {
                    kernels::simd::activate_inplace(O.activation, y + static_cast<std::size_t>(s) * out_size, out_size, 1);
                });
            else
                kernels::reference::activate_inplace(O.activation, y, static_cast<std::size_t>(n) * out_size, 1);
        }
    }

    // gy holds dL/dy and is turned into dL/dz in place.
    template <Shape In, class T>
    static void backward(LayerContext<T>& ctx, const T* x, const T* y, T* gy, T* gx, int n) {
        constexpr auto g = geometry<In>();
        constexpr std::size_t in_size = In.size(), out_size = output_shape(In).size();
        if constexpr (!simd_path<T>) {
            kernels::reference::activation_backward_inplace(O.activation, y, gy,
                                                            static_cast<std::size_t>(n) * g.oh * g.ow,
                                                            static_cast<std::size_t>(g.cout), ctx.fused_softmax);
            // ctx.state (kernel-sized) serves as the per-sample partial sums here, then as the
            // transposed kernel for the input gradient.
            kernels::reference::conv2d_backward_params<g>(x, gy, ctx.grad[0], O.use_bias ? ctx.grad[1] : nullptr,
                                                          ctx.state, n);
            if (gx) kernels::reference::conv2d_backward_input<g>(ctx.param[0], gy, gx, ctx.state, n);
        } else {
            constexpr ActivationFunction a = O.activation;
            if constexpr (a != ActivationFunction::linear) {
                ctx.par.for_each(n, [&](int s) {
                    const std::size_t at = static_cast<std::size_t>(s) * out_size;
                    kernels::simd::activation_backward_inplace(a, y + at, gy + at, static_cast<std::size_t>(g.oh) * g.ow,
                                                               static_cast<std::size_t>(g.cout), ctx.fused_softmax);
                });
            }
            // Kernel and bias gradients: group x block items, then the groups added in order.
            constexpr std::size_t ksize = params(In).items[0].size;
            constexpr int blocks = kernels::simd::conv2d_backward_params_blocks<g, T>();
            grouped_gradients(ctx, n, blocks, gradient_pieces(n, ctx.par.threads(), blocks), ctx.state + prepared_size(In),
                              ksize,
                              O.use_bias ? static_cast<std::size_t>(g.cout) : 0,
                              [&](int b0, int b1, int s0, int count, T* gk, T* gb) {
                                  kernels::simd::conv2d_backward_params_range<g>(
                                      x + static_cast<std::size_t>(s0) * in_size, gy + static_cast<std::size_t>(s0) * out_size,
                                      gk, gb, count, b0, b1);
                              });
            if (!gx) return;
            const RowSplit split = row_split(n, g.h, ctx.par.threads(), macs(In));
            // The input gradient of a stride-1 convolution is itself a stride-1 convolution (ig),
            // which Winograd may serve; a strided one is gathered by conv2d_backward_input_rows.
            constexpr auto ig = kernels::simd::input_gradient_geometry<g>();
            if constexpr (g.sh == 1 && g.sw == 1 && kernels::simd::winograd_applies<ig, T>()) {
                kernels::simd::winograd_prepare_input_gradient<g>(ctx.param[0], ctx.state);
                ctx.par.for_each(split.items(n), [&](int item) {
                    const std::size_t s = static_cast<std::size_t>(split.sample(item));
                    kernels::simd::conv2d_winograd_rows<ig, ActivationFunction::linear>(
                        gy + s * out_size, ctx.state, static_cast<const T*>(nullptr), gx + s * in_size, split.row_begin(item),
                        split.row_end(item));
                });
            } else {
                kernels::simd::conv2d_backward_input_prepare<g>(ctx.param[0], ctx.state);
                ctx.par.for_each(split.items(n), [&](int item) {
                    const std::size_t s = static_cast<std::size_t>(split.sample(item));
                    kernels::simd::conv2d_backward_input_rows<g>(ctx.state, gy + s * out_size, gx + s * in_size,
                                                                 split.row_begin(item), split.row_end(item));
                });
            }
        }
    }
};

}  // namespace staticnet
