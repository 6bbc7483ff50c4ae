// Dense: flat input (in), kernel (in, out), fused activation.
#pragma once
#include <cstddef>

#include "../kernels/reference/activation.hpp"
#include "../kernels/reference/dense.hpp"
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
        if (!in.flat()) return Problem::dense_needs_flat_input;
        return Problem::none;
    }
    static constexpr Shape output_shape(Shape) { return flat_shape(O.units > 0 ? O.units : 1); }
    static constexpr ParamSpecs params(Shape in) {
        ParamSpecs p;
        p.items[0] = {"kernel", in.size() * static_cast<std::size_t>(O.units), true, Init::glorot_uniform,
                      in.size(), static_cast<std::size_t>(O.units)};
        p.count = 1;
        if (O.use_bias) p.items[p.count++] = {"bias", static_cast<std::size_t>(O.units), true, Init::zeros, 0, 0};
        return p;
    }
    static constexpr std::size_t macs(Shape in) { return in.size() * static_cast<std::size_t>(O.units); }
    static constexpr std::size_t state_size(Shape in) { return in.size() * static_cast<std::size_t>(O.units); }
    static constexpr bool in_place = false;
    static constexpr ActivationFunction output_activation = O.activation;
    static constexpr bool backward_needs_input = true;
    static constexpr bool backward_needs_output = O.activation != ActivationFunction::linear;

    template <Shape In, class T>
    static void forward(LayerContext<T>& ctx, const T* x, T* y, int n) {
        constexpr int in = static_cast<int>(In.size());
        kernels::reference::dense_forward<in, O.units, O.use_bias>(x, ctx.param[0],
                                                                    O.use_bias ? ctx.param[1] : nullptr, y, n);
        kernels::reference::activate_inplace(O.activation, y, static_cast<std::size_t>(n),
                                             static_cast<std::size_t>(O.units));
    }

    template <Shape In, class T>
    static void backward(LayerContext<T>& ctx, const T* x, const T* y, T* gy, T* gx, int n) {
        constexpr int in = static_cast<int>(In.size());
        kernels::reference::activation_backward_inplace(O.activation, y, gy, static_cast<std::size_t>(n),
                                                        static_cast<std::size_t>(O.units), ctx.fused_softmax);
        kernels::reference::dense_backward_params<in, O.units, O.use_bias>(x, gy, ctx.grad[0],
                                                                            O.use_bias ? ctx.grad[1] : nullptr, n);
        if (gx) kernels::reference::dense_backward_input<in, O.units>(ctx.param[0], gy, gx, ctx.state, n);
    }
};

}  // namespace staticnet
