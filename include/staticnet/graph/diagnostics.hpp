// Readable compile errors for wrong networks. Each structural problem a layer reports becomes
// one static_assert with a plain-words message; the template arguments of layer_check name the
// layer's position (Input = 0), its type with its options, and the input shape it was given, so
// the compiler's "required from" line shows all three next to the message.
#pragma once
#include "../core/shape.hpp"
#include "../layers/layer.hpp"
#include "blocks.hpp"

namespace staticnet::detail {

// Which layer family reported a shared problem (stride_zero), to name it in the message.
template <class L>
concept has_pool_option = requires { L::options.pool; };
template <class L>
concept has_filters_option = requires { L::options.filters; };

// Which pooling layer reported a shared pool problem, to name it in the message (by its Keras
// class; MaxPool2D is the default).
constexpr bool same_text(const char* a, const char* b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}
template <class L>
constexpr bool is_keras_class(const char* name) {
    if constexpr (requires { L::keras_class; }) return same_text(L::keras_class, name);
    else return false;
}
template <class L>
inline constexpr bool is_average_pool = is_keras_class<L>("AveragePooling2D");
template <class L>
inline constexpr bool is_global_pool = is_keras_class<L>("GlobalAveragePooling2D");
template <class L>
inline constexpr bool is_max_pool = !is_average_pool<L> && !is_global_pool<L>;
template <class L>
inline constexpr bool is_separable = is_keras_class<L>("SeparableConv2D");
template <class L>
inline constexpr bool is_depthwise = !is_separable<L>;  // of the layers that report depthwise_* problems

template <int layer_position, class layer_type, Shape input_shape, Problem problem>
struct layer_check {
    static_assert(problem != Problem::input_not_first,
                  "staticnet: sn::Input may only be the first element of a Sequential; remove this extra Input");
    static_assert(problem != Problem::zero_filters,
                  "staticnet: Conv2D needs filters > 0 (set .filters)");
    static_assert(problem != Problem::zero_units,
                  "staticnet: Dense needs units > 0 (set .units)");
    static_assert(problem != Problem::kernel_zero,
                  "staticnet: Conv2D kernel size must be at least 1 x 1 (set .kernel = {h, w})");
    static_assert(!(problem == Problem::stride_zero && has_pool_option<layer_type> && is_average_pool<layer_type>),
                  "staticnet: AveragePooling2D strides must be at least 1 (a stride of 0 never moves the window); "
                  "set .strides = {h, w} with h, w >= 1, or leave .strides out to use the pool size");
    static_assert(!(problem == Problem::stride_zero && has_pool_option<layer_type> && !is_average_pool<layer_type>),
                  "staticnet: MaxPool2D strides must be at least 1 (a stride of 0 never moves the window); "
                  "set .strides = {h, w} with h, w >= 1, or leave .strides out to use the pool size");
    static_assert(!(problem == Problem::stride_zero && !has_pool_option<layer_type> && has_filters_option<layer_type>),
                  "staticnet: Conv2D strides must be at least 1 (a stride of 0 never moves the window); "
                  "set .strides = {h, w} with h, w >= 1");
    static_assert(!(problem == Problem::stride_zero && !has_pool_option<layer_type> && !has_filters_option<layer_type>),
                  "staticnet: strides must be at least 1 (a stride of 0 never moves the window)");
    static_assert(problem != Problem::conv_needs_spatial_input,
                  "staticnet: Conv2D needs an (H, W, C) input but this one is flat; remove the Flatten before it");
    static_assert(problem != Problem::kernel_larger_than_input,
                  "staticnet: Conv2D kernel is larger than its input with padding = sn::valid; use a smaller kernel or padding = sn::same");
    static_assert(!(problem == Problem::pool_zero && is_max_pool<layer_type>),
                  "staticnet: MaxPool2D pool size must be at least 1 x 1 (set .pool = {h, w})");
    static_assert(!(problem == Problem::pool_zero && is_average_pool<layer_type>),
                  "staticnet: AveragePooling2D pool size must be at least 1 x 1 (set .pool = {h, w})");
    static_assert(!(problem == Problem::pool_needs_spatial_input && is_max_pool<layer_type>),
                  "staticnet: MaxPool2D needs an (H, W, C) input but this one is flat; remove the Flatten before it");
    static_assert(!(problem == Problem::pool_needs_spatial_input && is_average_pool<layer_type>),
                  "staticnet: AveragePooling2D needs an (H, W, C) input but this one is flat; remove the Flatten before it");
    static_assert(!(problem == Problem::pool_needs_spatial_input && is_global_pool<layer_type>),
                  "staticnet: GlobalAveragePooling2D needs an (H, W, C) input but this one is flat; use it in place "
                  "of the Flatten (it makes the flat vector itself), before any Dense");
    static_assert(!(problem == Problem::pool_larger_than_input && is_max_pool<layer_type>),
                  "staticnet: MaxPool2D pool window is larger than its input with padding = sn::valid; use a smaller pool or padding = sn::same");
    static_assert(!(problem == Problem::pool_larger_than_input && is_average_pool<layer_type>),
                  "staticnet: AveragePooling2D pool window is larger than its input with padding = sn::valid; use a smaller pool or padding = sn::same");
    static_assert(problem != Problem::dense_needs_flat_input,
                  "staticnet: Dense needs a flat input but gets (H, W, C); insert sn::Flatten before this Dense layer");
    static_assert(problem != Problem::dropout_rate_out_of_range,
                  "staticnet: Dropout rate must be in [0, 1) (set .rate = 0.2f, say; a rate of 1 would drop every value)");
    static_assert(problem != Problem::bn_momentum_out_of_range,
                  "staticnet: BatchNormalization momentum must be in [0, 1]");
    static_assert(problem != Problem::bn_epsilon_not_positive,
                  "staticnet: BatchNormalization epsilon must be > 0");
    static_assert(problem != Problem::flat_size_too_large,
                  "staticnet: Flatten would make a vector of more than 2,147,483,647 values per sample "
                  "(H * W * C overflows); reduce the input or pool before flattening");
    // DepthwiseConv2D and SeparableConv2D (their depthwise step)
    static_assert(!(problem == Problem::depthwise_kernel_zero && is_depthwise<layer_type>),
                  "staticnet: DepthwiseConv2D kernel size must be at least 1 x 1 (set .kernel = {h, w}, or .kernel = 3 "
                  "for 3 x 3)");
    static_assert(!(problem == Problem::depthwise_kernel_zero && is_separable<layer_type>),
                  "staticnet: SeparableConv2D kernel size must be at least 1 x 1 (set .kernel = {h, w}, or .kernel = 3 "
                  "for 3 x 3)");
    static_assert(!(problem == Problem::depthwise_stride_zero && is_depthwise<layer_type>),
                  "staticnet: DepthwiseConv2D strides must be at least 1 (a stride of 0 never moves the window); "
                  "set .strides = {h, w} with h, w >= 1");
    static_assert(!(problem == Problem::depthwise_stride_zero && is_separable<layer_type>),
                  "staticnet: SeparableConv2D strides must be at least 1 (a stride of 0 never moves the window); "
                  "set .strides = {h, w} with h, w >= 1");
    static_assert(!(problem == Problem::depth_multiplier_not_positive && is_depthwise<layer_type>),
                  "staticnet: DepthwiseConv2D depth_multiplier must be at least 1 (the number of output channels "
                  "per input channel); set .depth_multiplier = 1 or more, or leave it out for 1");
    static_assert(!(problem == Problem::depth_multiplier_not_positive && is_separable<layer_type>),
                  "staticnet: SeparableConv2D depth_multiplier must be at least 1 (the number of depthwise channels "
                  "per input channel); set .depth_multiplier = 1 or more, or leave it out for 1");
    static_assert(!(problem == Problem::depthwise_needs_spatial_input && is_depthwise<layer_type>),
                  "staticnet: DepthwiseConv2D needs an (H, W, C) input but this one is flat; remove the Flatten "
                  "before it (or use sn::Reshape<H, W, C> to give the values a spatial shape)");
    static_assert(!(problem == Problem::depthwise_needs_spatial_input && is_separable<layer_type>),
                  "staticnet: SeparableConv2D needs an (H, W, C) input but this one is flat; remove the Flatten "
                  "before it (or use sn::Reshape<H, W, C> to give the values a spatial shape)");
    static_assert(!(problem == Problem::depthwise_kernel_larger_than_input && is_depthwise<layer_type>),
                  "staticnet: DepthwiseConv2D kernel is larger than its input with padding = sn::valid; use a "
                  "smaller kernel or padding = sn::same");
    static_assert(!(problem == Problem::depthwise_kernel_larger_than_input && is_separable<layer_type>),
                  "staticnet: SeparableConv2D kernel is larger than its input with padding = sn::valid; use a "
                  "smaller kernel or padding = sn::same");
    static_assert(problem != Problem::separable_zero_filters,
                  "staticnet: SeparableConv2D needs filters > 0 (set .filters: the output channels of its 1x1 "
                  "pointwise step)");
    // ZeroPadding2D, Reshape
    static_assert(problem != Problem::zero_padding_negative,
                  "staticnet: ZeroPadding2D padding must not be negative (it adds rows and columns of zeros; it "
                  "cannot crop); set .padding = {top, bottom, left, right} with every value >= 0");
    static_assert(problem != Problem::zero_padding_needs_spatial_input,
                  "staticnet: ZeroPadding2D needs an (H, W, C) input but this one is flat; remove the Flatten "
                  "before it");
    static_assert(problem != Problem::reshape_bad_target,
                  "staticnet: Reshape takes one dimension (sn::Reshape<N>: a flat vector) or three "
                  "(sn::Reshape<H, W, C>), each at least 1, or -1 for at most one of them (inferred from the "
                  "element count)");
    static_assert(problem != Problem::reshape_size_mismatch,
                  "staticnet: Reshape must keep the number of values: the target's H * W * C differs from the "
                  "input's (the input shape is the template argument of layer_check below); change the target "
                  "dimensions, or write -1 for one of them to have it inferred");
    static constexpr bool ok = true;  // the asserts above are the report; never fail twice
};

// A join node's problem. The template arguments name the join's position, the branch (0 is the
// first) whose output does not fit, the first branch's output shape and that branch's.
template <int join_position, JoinOrigin join, int branch, Shape first_branch_shape, Shape branch_shape, Problem problem>
struct join_check {
    static_assert(problem != Problem::branch_sizes_differ,
                  "staticnet: Concatenate joins branches along channels, so every branch must end at the same "
                  "height and width; this branch's output differs from the first branch's (both shapes and the "
                  "branch number, 0-based, are the template arguments of join_check below): give the branches "
                  "the same strides and padding = sn::same, or pool the larger one");
    static_assert(problem != Problem::concat_flat_and_spatial,
                  "staticnet: Concatenate cannot join a flat branch with an (H, W, C) one (shapes and branch number: "
                  "the template arguments of join_check below); Flatten or GlobalAveragePooling2D the spatial "
                  "branch first, or drop the Flatten from the flat one");
    static_assert(problem != Problem::add_shapes_differ,
                  "staticnet: Add needs every branch to end in the same shape; this branch's output differs from "
                  "the first branch's (both shapes and the branch number, 0-based, are the template arguments of "
                  "join_check below)");
    static_assert(problem != Problem::residual_shapes_differ,
                  "staticnet: Residual<Body> adds the body's output to the block's input, but their shapes differ "
                  "(body output first, then the input, in the template arguments of join_check below); give it a "
                  "projection to the body's shape, e.g. sn::Residual<Body, sn::Conv2D<{.filters = F, .kernel = 1, "
                  ".strides = S}>>, or keep the body's strides at 1 and its filters equal to the input's channels");
    static_assert(problem != Problem::flat_size_too_large,
                  "staticnet: Concatenate would make more than 2,147,483,647 channels");
    static constexpr bool ok = true;
};

template <bool starts_with_input>
struct sequential_check {
    static_assert(starts_with_input,
                  "staticnet: a Sequential network must start with sn::Input<H, W, C>; put the Input first (no layer may come before it)");
    static constexpr bool ok = true;
};

template <int H, int W, int C>
struct input_check {
    static_assert(H >= 1 && W >= 1 && C >= 1, "staticnet: Input<H, W, C> dimensions must all be at least 1");
    static constexpr bool ok = true;
};

// The static memory limit (core/sizes.hpp). The template arguments name the object and its byte
// count; GCC adds "the comparison reduces to '(<bytes> <= <limit>)'". `ok` is false when the
// object does not fit: its owner then sizes its arrays 1 so that this stays the only error.
enum class StaticObject { model, inference, static_inference };

template <StaticObject object, std::size_t bytes, std::size_t limit>
struct static_memory_check {
    static_assert(bytes <= limit,
                  "staticnet: this object needs more memory than STATICNET_MAX_STATIC_BYTES allows (its byte count "
                  "and the limit: the note below and the template arguments of static_memory_check; "
                  "18446744073709551615 bytes means more than std::size_t can count); use a smaller batch or "
                  "network, or raise the limit: compile with -DSTATICNET_MAX_STATIC_BYTES=<bytes> (default 4 GiB; "
                  "the Cortex-M targets set their board's RAM)");
    static constexpr bool ok = bytes <= limit;
};

template <bool has_layers>
struct depth_check {
    static_assert(has_layers, "staticnet: a Sequential network needs at least one layer after its Input");
    static constexpr bool ok = true;
};

}  // namespace staticnet::detail
