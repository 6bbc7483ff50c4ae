// What every layer shares: the list of structural problems a layer can report at compile time,
// and the run-time context a layer's kernels receive.
//
// A layer type L provides (all static):
//   keras_class, keras_name            names for summary()
//   check(Shape in) -> Problem         structural validation (compile time)
//   output_shape(Shape in) -> Shape
//   params(Shape in) -> ParamSpecs     parameter tensors, Keras order and layout
//   macs(Shape in)                     multiply-accumulates per sample
//   in_place                           inference may write the output over the input
//   backward_needs_input / backward_needs_output   what training keeps alive from forward
//   state_size(Shape in)               training-only scratch elements (saved stats, transposes)
//   template <Shape In, class T> forward(ctx, x, y, n) / backward(ctx, x, y, gy, gx, n)
#pragma once
#include <cstddef>
#include <cstdint>

#include "../core/shape.hpp"

namespace staticnet {

enum class Problem {
    none,
    input_not_first,
    input_dims_zero,
    zero_filters,
    zero_units,
    kernel_zero,
    kernel_larger_than_input,
    stride_zero,
    conv_needs_spatial_input,
    pool_zero,
    pool_larger_than_input,
    pool_needs_spatial_input,
    dense_needs_flat_input,
    dropout_rate_out_of_range,
    bn_momentum_out_of_range,
    bn_epsilon_not_positive,
};

template <class T>
struct LayerContext {
    T* param[ParamSpecs::capacity] = {};  // this layer's parameter tensors, ParamSpecs order
    T* grad[ParamSpecs::capacity] = {};   // their gradients (null for non-trainable ones)
    T* state = nullptr;                   // training scratch, state_size(in) elements
    bool training = false;
    std::uint64_t dropout_key = 0;
    bool fused_softmax = false;           // dL/dz of a softmax output was given by the loss
    bool update_statistics = true;        // a training forward updates BN moving statistics
};

// Layers without parameters or training state inherit these defaults.
struct LayerDefaults {
    static constexpr ParamSpecs params(Shape) { return ParamSpecs(); }
    static constexpr std::size_t macs(Shape) { return 0; }
    static constexpr std::size_t state_size(Shape) { return 0; }
    static constexpr bool in_place = false;
    static constexpr ActivationFunction output_activation = ActivationFunction::linear;
    static constexpr bool backward_needs_input = false;
    static constexpr bool backward_needs_output = false;
};

}  // namespace staticnet
