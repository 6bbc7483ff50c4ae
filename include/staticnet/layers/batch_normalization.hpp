// BatchNormalization over the channel axis (Keras axis=-1). Training normalises with batch
// statistics and updates the moving ones; inference uses the moving statistics.
#pragma once
#include <cstddef>

#include "../kernels/reference/batch_norm.hpp"
#include "layer.hpp"

namespace staticnet {

struct BatchNormalizationOptions {
    float momentum = 0.99f;
    float epsilon = 1e-3f;
};

template <BatchNormalizationOptions O = BatchNormalizationOptions{}>
struct BatchNormalization {
    static constexpr BatchNormalizationOptions options = O;
    // TF 2.0's summary shows the v2 class name; the seed's tables print it that way.
    static constexpr const char* keras_class = "BatchNormalizationV2";
    static constexpr const char* keras_name = "batch_normalization_v2";

    static constexpr Problem check(Shape) {
        if (!(O.momentum >= 0.0f && O.momentum <= 1.0f)) return Problem::bn_momentum_out_of_range;
        if (!(O.epsilon > 0.0f)) return Problem::bn_epsilon_not_positive;
        return Problem::none;
    }
    static constexpr Shape output_shape(Shape in) { return in; }
    static constexpr ParamSpecs params(Shape in) {
        const auto c = static_cast<std::size_t>(in.c);
        ParamSpecs p;
        p.items[0] = {"gamma", c, true, Init::ones, 0, 0};
        p.items[1] = {"beta", c, true, Init::zeros, 0, 0};
        p.items[2] = {"moving_mean", c, false, Init::zeros, 0, 0};
        p.items[3] = {"moving_variance", c, false, Init::ones, 0, 0};
        p.count = 4;
        return p;
    }
    static constexpr std::size_t macs(Shape) { return 0; }
    static constexpr std::size_t state_size(Shape in) { return 2 * static_cast<std::size_t>(in.c); }
    static constexpr bool in_place = true;
    static constexpr ActivationFunction output_activation = ActivationFunction::linear;
    static constexpr bool backward_needs_input = true;
    static constexpr bool backward_needs_output = false;

    template <Shape In, class T>
    static void forward(LayerContext<T>& ctx, const T* x, T* y, int n) {
        const std::size_t rows = static_cast<std::size_t>(n) * In.h * In.w;
        if (ctx.training)
            kernels::reference::batch_norm_training<In.c>(
                x, y, rows, ctx.param[0], ctx.param[1], ctx.update_statistics ? ctx.param[2] : nullptr,
                ctx.update_statistics ? ctx.param[3] : nullptr, T(O.momentum), T(O.epsilon), ctx.state,
                ctx.state + In.c);
        else
            kernels::reference::batch_norm_inference<In.c>(x, y, rows, ctx.param[0], ctx.param[1], ctx.param[2],
                                                           ctx.param[3], T(O.epsilon));
    }

    template <Shape In, class T>
    static void backward(LayerContext<T>& ctx, const T* x, const T*, T* gy, T* gx, int n) {
        const std::size_t rows = static_cast<std::size_t>(n) * In.h * In.w;
        kernels::reference::batch_norm_backward<In.c>(x, gy, gx, rows, ctx.param[0], ctx.state, ctx.state + In.c,
                                                      ctx.grad[0], ctx.grad[1]);
    }
};

}  // namespace staticnet
