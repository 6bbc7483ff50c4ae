// Dense: flat input (in; or 1 x 1 x in), kernel (in, out), fused activation.
#pragma once
#include <cstddef>

#include "../kernels/reference/activation.hpp"
#include "../kernels/reference/dense.hpp"
#include "../kernels/simd/activation.hpp"
#include "../kernels/simd/dense.hpp"
#include "layer.hpp"

namespace staticnet {

struct DenseOptions {
    int units = 0;
    ActivationFunction activation = ActivationFunction::linear;
    bool use_bias = true;
};

template <DenseOptions O>
struct Dense {
    static constexpr DenseOptions options = O;
    static constexpr const char* keras_class = "Dense";
    static constexpr const char* keras_name = "dense";

    static constexpr Problem check(Shape in) {
        if (O.units <= 0) return Problem::zero_units;
        // A 1 x 1 x C input (sn::Input<1, 1, N>: a network of Dense layers on flat samples) is the
        // same C values as a flat one; a larger H or W needs Flatten.
        if (!in.flat() && !(in.h == 1 && in.w == 1)) return Problem::dense_needs_flat_input;
        return Problem::none;
    }
    static constexpr Shape output_shape(Shape) { return flat_shape(O.units > 0 ? O.units : 1); }
    static constexpr ParamSpecs params(Shape in) {
        ParamSpecs p;
        p.items[0] = {"kernel", mul_sizes(in.size(), to_size(O.units)), true, Init::glorot_uniform, in.size(),
                      to_size(O.units)};
        p.count = 1;
        if (O.use_bias) p.items[p.count++] = {"bias", to_size(O.units), true, Init::zeros, 0, 0};
        return p;
    }
    static constexpr std::size_t macs(Shape in) { return mul_sizes(in.size(), to_size(O.units)); }
    // Training scratch: the transposed kernel, then the kernel and bias gradients of sample
    // groups 1 .. max_sample_groups - 1 (group 0 writes straight into the gradient).
    static constexpr std::size_t gradient_size(Shape in) {
        return add_sizes(mul_sizes(in.size(), to_size(O.units)), O.use_bias ? to_size(O.units) : 0);
    }
    static constexpr std::size_t state_size(Shape in) {
        return add_sizes(mul_sizes(in.size(), to_size(O.units)),
                         mul_sizes(to_size(max_sample_groups - 1), gradient_size(in)));
    }
    static constexpr bool in_place = false;
    static constexpr ActivationFunction output_activation = O.activation;
    static constexpr bool backward_needs_input = true;
    static constexpr bool backward_needs_output = O.activation != ActivationFunction::linear;

    // ReLU is applied in the kernels' store; the other activations in a pass after them.
    static constexpr ActivationFunction fused =
        O.activation == ActivationFunction::relu ? ActivationFunction::relu : ActivationFunction::linear;
    static constexpr bool post_activation =
        O.activation != ActivationFunction::linear && O.activation != ActivationFunction::relu;

    template <Shape In, class T>
    static void forward(LayerContext<T>& ctx, const T* x, T* y, int n) {
        constexpr int in = static_cast<int>(In.size());
        const T* bias = O.use_bias ? ctx.param[1] : nullptr;
        if constexpr (simd_path<T>) {
            // Blocks of 4 samples (the kernel's register block) as work items.
            const int items = (n + 3) / 4;
            ctx.par.for_each(items, [&](int item) {
                const int s0 = item * 4, count = s0 + 4 <= n ? 4 : n - s0;
                kernels::simd::dense_forward<in, O.units, O.use_bias, fused>(
                    x + static_cast<std::size_t>(s0) * in, ctx.param[0], bias,
                    y + static_cast<std::size_t>(s0) * O.units, count);
            });
            if constexpr (O.activation == ActivationFunction::softmax || post_activation)
                kernels::simd::activate_inplace(O.activation, y, static_cast<std::size_t>(n), static_cast<std::size_t>(O.units));
        } else {
            kernels::reference::dense_forward<in, O.units, O.use_bias, fused>(x, ctx.param[0], bias, y, n);
            if constexpr (O.activation == ActivationFunction::softmax || post_activation)
                kernels::reference::activate_inplace(O.activation, y, static_cast<std::size_t>(n),
                                                     static_cast<std::size_t>(O.units));
        }
    }

    template <Shape In, class T>
    static void backward(LayerContext<T>& ctx, const T* x, const T* y, T* gy, T* gx, int n) {
        constexpr int in = static_cast<int>(In.size());
        if constexpr (!simd_path<T>) {
            kernels::reference::activation_backward_inplace(O.activation, y, gy, static_cast<std::size_t>(n),
                                                            static_cast<std::size_t>(O.units), ctx.fused_softmax);
            kernels::reference::dense_backward_params<in, O.units, O.use_bias>(x, gy, ctx.grad[0],
                                                                                O.use_bias ? ctx.grad[1] : nullptr, n);
            if (gx) kernels::reference::dense_backward_input<in, O.units>(ctx.param[0], gy, gx, ctx.state, n);
        } else {
            kernels::simd::activation_backward_inplace(O.activation, y, gy, static_cast<std::size_t>(n),
                                                       static_cast<std::size_t>(O.units), ctx.fused_softmax);
            constexpr std::size_t ksize = In.size() * static_cast<std::size_t>(O.units);
            constexpr int blocks = kernels::simd::dense_backward_params_items<in, O.units, T>();
            grouped_gradients(ctx, n, blocks, blocks, ctx.state + ksize, ksize,
                              O.use_bias ? static_cast<std::size_t>(O.units) : 0,
                              [&](int b0, int b1, int s0, int count, T* gk, T* gb) {
                                  for (int b = b0; b < b1; ++b)
                                      kernels::simd::dense_backward_params_item<in, O.units, O.use_bias>(
                                          x + static_cast<std::size_t>(s0) * in, gy + static_cast<std::size_t>(s0) * O.units,
                                          gk, gb, count, b);
                              });
            if (!gx) return;
            kernels::simd::dense_backward_input_prepare<in, O.units>(ctx.param[0], ctx.state);
            ctx.par.for_each(n, [&](int s) {
                kernels::simd::dense_backward_input_samples<in, O.units>(
                    ctx.state, gy + static_cast<std::size_t>(s) * O.units, gx + static_cast<std::size_t>(s) * in, 1);
            });
        }
    }
};

}  // namespace staticnet
