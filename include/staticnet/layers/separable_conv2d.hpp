// SeparableConv2D (Keras): a depthwise convolution (no bias) followed by a 1x1 pointwise
// convolution with bias, then the activation; one layer, one summary row. Parameters in Keras's
// weights order and layouts: "depthwise_kernel" (kh, kw, cin, depth_multiplier),
// "pointwise_kernel" (1, 1, cin * depth_multiplier, filters), "bias" (filters). Glorot uniform
// with Keras's fans of each 4-D shape, bias zeros.
//
// The intermediate (the depthwise output of one sample, oh x ow x cin * dm) never exists for a
// whole batch: the layer's interfaces size scratch per layer, not per batch. Samples run in the
// fixed sample groups of layer.hpp (at most max_sample_groups, in parallel); each group owns one
// intermediate buffer - in the training state (state_size) while training, in the planned
// inference scratch (inference_scratch_size) otherwise - and takes its samples one by one:
// depthwise step into the buffer, then the Conv2D 1x1 kernels (reference or SIMD) from it.
// Backward recomputes each sample's intermediate from the input (backward keeps the input
// alive), so nothing batch-sized is kept between forward and backward. Gradients: each sample's
// sums first, added in sample order within a group, the groups added in group order: the same
// bits for every thread count.
#pragma once
#include <cstddef>

#include "../kernels/reference/activation.hpp"
#include "../kernels/reference/conv2d.hpp"
#include "../kernels/reference/depthwise.hpp"
#include "../kernels/simd/activation.hpp"
#include "../kernels/simd/conv2d.hpp"
#include "../kernels/simd/depthwise.hpp"
#include "depthwise_conv2d.hpp"
#include "layer.hpp"

namespace staticnet {

struct SeparableConv2DOptions {
    int filters = 0;
    Size2 kernel = {0, 0};
    Size2 strides = {1, 1};
    Padding padding = Padding::valid;
    int depth_multiplier = 1;
    ActivationFunction activation = ActivationFunction::linear;
    bool use_bias = true;
};

template <SeparableConv2DOptions O>
struct SeparableConv2D {
    static constexpr SeparableConv2DOptions options = O;
    static constexpr const char* keras_class = "SeparableConv2D";
    static constexpr const char* keras_name = "separable_conv2d";

    static constexpr Problem check(Shape in) {
        if (O.filters <= 0) return Problem::separable_zero_filters;
        return detail::depthwise_check(in, O.kernel, O.strides, O.padding, O.depth_multiplier);
    }
    static constexpr Shape output_shape(Shape in) {
        if (check(in) != Problem::none) return Shape{1, 1, O.filters > 0 ? O.filters : 1, 3};
        return Shape{conv_out_length(in.h, O.kernel.h, O.strides.h, O.padding),
                     conv_out_length(in.w, O.kernel.w, O.strides.w, O.padding), O.filters, 3};
    }
    static constexpr std::size_t middle_channels(Shape in) {
        return check(in) != Problem::none ? 1 : mul_sizes(to_size(in.c), to_size(O.depth_multiplier));
    }
    static constexpr ParamSpecs params(Shape in) {
        ParamSpecs p;
        p.items[0] = detail::depthwise_kernel_spec(in, O.kernel, O.depth_multiplier);
        p.items[1] = {"pointwise_kernel", mul_sizes(middle_channels(in), to_size(O.filters)), true, Init::glorot_uniform,
                      middle_channels(in), to_size(O.filters)};
        p.count = 2;
        if (O.use_bias) p.items[p.count++] = {"bias", to_size(O.filters), true, Init::zeros, 0, 0};
        return p;
    }
    // The depthwise step's oh * ow * cin * dm * kh * kw plus the pointwise oh * ow * cin * dm * filters.
    static constexpr std::size_t macs(Shape in) {
        const Shape out = output_shape(in);
        const std::size_t pixels_mid = mul_sizes(to_size(out.h), to_size(out.w), middle_channels(in));
        return add_sizes(mul_sizes(pixels_mid, to_size(O.kernel.h), to_size(O.kernel.w)),
                         mul_sizes(pixels_mid, to_size(O.filters)));
    }

    // One sample's intermediate: oh * ow * cin * dm values; one buffer per sample group.
    static constexpr std::size_t middle_size(Shape in) {
        const Shape out = output_shape(in);
        return mul_sizes(to_size(out.h), to_size(out.w), middle_channels(in));
    }
    static constexpr std::size_t slots = static_cast<std::size_t>(max_sample_groups);
    // Training state, in this order:
    //   the pointwise kernel transposed (SIMD input gradient), pointwise-kernel sized;
    //   per slot: the intermediate, its gradient, one sample's kernel and bias gradients
    //     (gradient_size), and a pointwise-kernel-sized scratch for the reference kernels;
    //   the gradients of sample groups 1 .. slots - 1 (group 0 writes into the gradients).
    static constexpr std::size_t gradient_size(Shape in) { return params(in).total(); }
    static constexpr std::size_t pointwise_size(Shape in) { return params(in).items[1].size; }
    static constexpr std::size_t slot_size(Shape in) {
        return add_sizes(mul_sizes(2, middle_size(in)), gradient_size(in), pointwise_size(in));
    }
    static constexpr std::size_t slots_offset(Shape in) { return pointwise_size(in); }
    static constexpr std::size_t partials_offset(Shape in) {
        return add_sizes(slots_offset(in), mul_sizes(slots, slot_size(in)));
    }
    static constexpr std::size_t state_size(Shape in) {
        return add_sizes(partials_offset(in), mul_sizes(slots - 1, gradient_size(in)));
    }
    // Inference scratch: one intermediate per sample group.
    template <Shape In, class T>
    static constexpr std::size_t inference_scratch_size() {
        return mul_sizes(slots, middle_size(In));
    }
    static constexpr bool in_place = false;
    static constexpr ActivationFunction output_activation = O.activation;
    static constexpr bool backward_needs_input = true;
    static constexpr bool backward_needs_output = O.activation != ActivationFunction::linear;

    template <Shape In>
    static constexpr kernels::DepthwiseGeometry depthwise_geometry() {
        return detail::depthwise_geometry(In, O.kernel, O.strides, O.padding, O.depth_multiplier, false);
    }
    template <Shape In>
    static constexpr kernels::ConvGeometry pointwise_geometry() {
        constexpr Shape out = output_shape(In);
        if constexpr (check(In) != Problem::none) return {1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, O.use_bias};  // as above
        else return {out.h, out.w, In.c * O.depth_multiplier, 1, 1, 1, 1, 0, 0, out.h, out.w, O.filters, O.use_bias};
    }

    static constexpr ActivationFunction fused =
        O.activation == ActivationFunction::relu ? ActivationFunction::relu : ActivationFunction::linear;
    static constexpr bool post_activation =
        O.activation != ActivationFunction::linear && O.activation != ActivationFunction::relu;

    template <Shape In, class T>
    static void forward(LayerContext<T>& ctx, const T* x, T* y, int n) {
        constexpr auto dg = depthwise_geometry<In>();
        constexpr auto pg = pointwise_geometry<In>();
        constexpr std::size_t in_size = In.size(), out_size = output_shape(In).size(), mid = middle_size(In);
        const T* bias = O.use_bias ? ctx.param[2] : nullptr;
        // The intermediates: the training state's slots, or the inference scratch.
        T* const middle = ctx.state ? ctx.state + slots_offset(In) : ctx.scratch;
        constexpr std::size_t stride = ctx_stride(In);
        const SampleGroups groups = sample_groups(n);
        ctx.par.for_each(groups.count, [&](int gi) {
            T* d = middle + static_cast<std::size_t>(gi) * (ctx.state ? stride : mid);
            for (int s = groups.begin(gi); s < groups.begin(gi) + groups.samples(gi); ++s) {
                const T* xs = x + static_cast<std::size_t>(s) * in_size;
                T* ys = y + static_cast<std::size_t>(s) * out_size;
                if constexpr (simd_path<T>) {
                    kernels::simd::depthwise_forward_rows<dg>(xs, ctx.param[0], static_cast<const T*>(nullptr), d, 0, dg.oh);
                    kernels::simd::conv2d_forward_rows<pg, fused>(d, ctx.param[1], bias, ys, 0, pg.oh);
                    if constexpr (post_activation && elementwise(O.activation))
                        kernels::simd::activate_inplace(O.activation, ys, out_size, 1);
                } else {
                    kernels::reference::depthwise_forward_rows<dg>(xs, ctx.param[0], static_cast<const T*>(nullptr), d, 0,
                                                                   dg.oh);
                    kernels::reference::conv2d_forward_rows<pg, fused>(d, ctx.param[1], bias, ys, 0, pg.oh);
                    if constexpr (post_activation && elementwise(O.activation))
                        kernels::reference::activate_inplace(O.activation, ys, out_size, 1);
                }
            }
        });
        if constexpr (O.activation == ActivationFunction::softmax)
            kernels::reference::activate_inplace(O.activation, y, static_cast<std::size_t>(n) * pg.oh * pg.ow,
                                                 static_cast<std::size_t>(pg.cout));
    }

    // gy holds dL/dy and is turned into dL/dz in place. Overwrites gx (unless it is null).
    template <Shape In, class T>
    static void backward(LayerContext<T>& ctx, const T* x, const T* y, T* gy, T* gx, int n) {
        constexpr auto dg = depthwise_geometry<In>();
        constexpr auto pg = pointwise_geometry<In>();
        constexpr std::size_t in_size = In.size(), out_size = output_shape(In).size(), mid = middle_size(In);
        constexpr ParamSpecs specs = params(In);
        constexpr std::size_t dsize = specs.items[0].size, psize = specs.items[1].size;
        constexpr std::size_t bsize = O.use_bias ? static_cast<std::size_t>(O.filters) : 0;
        constexpr std::size_t gsize = dsize + psize + bsize;
        if constexpr (O.activation != ActivationFunction::linear) {
            if constexpr (simd_path<T>) {
                ctx.par.for_each(n, [&](int s) {
                    const std::size_t at = static_cast<std::size_t>(s) * out_size;
                    kernels::simd::activation_backward_inplace(O.activation, y + at, gy + at,
                                                               static_cast<std::size_t>(pg.oh) * pg.ow,
                                                               static_cast<std::size_t>(pg.cout), ctx.fused_softmax);
                });
            } else {
                kernels::reference::activation_backward_inplace(O.activation, y, gy,
                                                                static_cast<std::size_t>(n) * pg.oh * pg.ow,
                                                                static_cast<std::size_t>(pg.cout), ctx.fused_softmax);
            }
        }
        T* const kt = ctx.state;  // the transposed pointwise kernel (SIMD path)
        if constexpr (simd_path<T>) kernels::simd::conv2d_backward_input_prepare<pg>(ctx.param[1], kt);
        T* const partials = ctx.state + partials_offset(In);
        const SampleGroups groups = sample_groups(n);
        ctx.par.for_each(groups.count, [&](int gi) {
            T* const slot = ctx.state + slots_offset(In) + static_cast<std::size_t>(gi) * slot_size(In);
            T* const d = slot;                   // intermediate
            T* const gd = slot + mid;            // its gradient
            T* const one = slot + 2 * mid;       // one sample's gradients: depthwise | pointwise | bias
            T* const scratch = one + gsize;      // pointwise-kernel sized
            // This group's sums: group 0 into the gradients, the others into their partials.
            T* const acc = gi == 0 ? nullptr : partials + static_cast<std::size_t>(gi - 1) * gsize;
            T* const acc_dw = acc ? acc : ctx.grad[0];
            T* const acc_pw = acc ? acc + dsize : ctx.grad[1];
            T* const acc_b = O.use_bias ? (acc ? acc + dsize + psize : ctx.grad[2]) : nullptr;
            for (std::size_t i = 0; i < dsize; ++i) acc_dw[i] = T(0);
            for (std::size_t i = 0; i < psize; ++i) acc_pw[i] = T(0);
            for (std::size_t i = 0; i < bsize; ++i) acc_b[i] = T(0);
            for (int s = groups.begin(gi); s < groups.begin(gi) + groups.samples(gi); ++s) {
                const T* xs = x + static_cast<std::size_t>(s) * in_size;
                const T* gz = gy + static_cast<std::size_t>(s) * out_size;
                T* gxs = gx ? gx + static_cast<std::size_t>(s) * in_size : nullptr;
                T* const one_dw = one;
                T* const one_pw = one + dsize;
                T* const one_b = O.use_bias ? one + dsize + psize : nullptr;
                if constexpr (simd_path<T>) {
                    kernels::simd::depthwise_forward_rows<dg>(xs, ctx.param[0], static_cast<const T*>(nullptr), d, 0, dg.oh);
                    kernels::simd::conv2d_backward_params<pg>(d, gz, one_pw, one_b, scratch, 1);
                    kernels::simd::conv2d_backward_input_rows<pg>(kt, gz, gd, 0, pg.h);
                    kernels::simd::depthwise_backward_params<dg>(xs, gd, one_dw, static_cast<T*>(nullptr), 1);
                    if (gxs) kernels::simd::depthwise_backward_input<dg>(ctx.param[0], gd, gxs, 1);
                } else {
                    kernels::reference::depthwise_forward_rows<dg>(xs, ctx.param[0], static_cast<const T*>(nullptr), d, 0,
                                                                   dg.oh);
                    kernels::reference::conv2d_backward_params<pg>(d, gz, one_pw, one_b, scratch, 1);
                    kernels::reference::conv2d_backward_input<pg>(ctx.param[1], gz, gd, scratch, 1);
                    kernels::reference::depthwise_backward_params<dg>(xs, gd, one_dw, static_cast<T*>(nullptr), 1);
                    if (gxs) kernels::reference::depthwise_backward_input<dg>(ctx.param[0], gd, gxs, 1);
                }
                for (std::size_t i = 0; i < dsize; ++i) acc_dw[i] += one_dw[i];
                for (std::size_t i = 0; i < psize; ++i) acc_pw[i] += one_pw[i];
                for (std::size_t i = 0; i < bsize; ++i) acc_b[i] += one_b[i];
            }
        });
        reduce_group_partials(ctx.par, ctx.grad[0], partials, gsize, dsize, groups.count);
        reduce_group_partials(ctx.par, ctx.grad[1], partials + dsize, gsize, psize, groups.count);
        if constexpr (O.use_bias)
            reduce_group_partials(ctx.par, ctx.grad[2], partials + dsize + psize, gsize, bsize, groups.count);
    }

private:
    // Distance between two slots' intermediates in the training state.
    static constexpr std::size_t ctx_stride(Shape in) { return slot_size(in); }
};

}  // namespace staticnet
