// Shapes, layer options vocabulary and compile-time parameter descriptions.
// Firmware-clean: standard headers only, no exceptions, no heap.
#pragma once
#include <cstddef>
#include <cstdint>

#include "sizes.hpp"

namespace staticnet {

// A per-sample tensor shape, channels last (NHWC without the N). rank 3 = (h, w, c);
// rank 1 = a flat vector of c values (h = w = 1).
struct Shape {
    int h = 1;
    int w = 1;
    int c = 1;
    int rank = 3;

    // h * w * c, size_overflow when that does not fit std::size_t (the static memory check
    // then refuses the network).
    constexpr std::size_t size() const { return mul_sizes(to_size(h), to_size(w), to_size(c)); }
    constexpr bool flat() const { return rank == 1; }
    friend constexpr bool operator==(const Shape&, const Shape&) = default;
};

constexpr Shape flat_shape(int n) { return Shape{1, 1, n, 1}; }

// Two sizes, height then width: .kernel = {3, 3}, .strides = {2, 2}; one number is a square
// window, as Keras's kernel_size=3 / pool_size=2: .kernel = 3, .pool = 2 (never {2, 0}).
struct Size2 {
    int h = 0;
    int w = 0;
    constexpr Size2() = default;
    constexpr Size2(int square) : h(square), w(square) {}
    constexpr Size2(int height, int width) : h(height), w(width) {}
    friend constexpr bool operator==(const Size2&, const Size2&) = default;
};

enum class Padding { valid, same };
inline constexpr Padding valid = Padding::valid;
inline constexpr Padding same = Padding::same;

// Keras's activation names. leaky_relu is keras.activations.leaky_relu with its default slope
// 0.2 for negative inputs (the LeakyReLU layer takes any slope: layers/activation.hpp).
enum class ActivationFunction { linear, relu, softmax, sigmoid, tanh, leaky_relu };
inline constexpr ActivationFunction linear = ActivationFunction::linear;
inline constexpr ActivationFunction relu = ActivationFunction::relu;
inline constexpr ActivationFunction softmax = ActivationFunction::softmax;
inline constexpr ActivationFunction sigmoid = ActivationFunction::sigmoid;
inline constexpr ActivationFunction tanh = ActivationFunction::tanh;
inline constexpr ActivationFunction leaky_relu = ActivationFunction::leaky_relu;
inline constexpr float leaky_relu_slope = 0.2f;
// Activations applied element by element (all but softmax, which works on a row).
constexpr bool elementwise(ActivationFunction a) { return a != ActivationFunction::softmax; }

constexpr const char* activation_name(ActivationFunction a) {
    switch (a) {
        case ActivationFunction::linear: return "linear";
        case ActivationFunction::relu: return "relu";
        case ActivationFunction::softmax: return "softmax";
        case ActivationFunction::sigmoid: return "sigmoid";
        case ActivationFunction::tanh: return "tanh";
        case ActivationFunction::leaky_relu: return "leaky_relu";
    }
    return "?";
}

// Output length of one spatial axis, as Keras/TF compute it.
// (In long long: in + stride - 1 must not overflow int for the largest dimensions.)
constexpr int conv_out_length(int in, int kernel, int stride, Padding padding) {
    if (stride <= 0 || kernel <= 0) return 1;
    if (padding == Padding::same) return static_cast<int>((static_cast<long long>(in) + stride - 1) / stride);
    return in >= kernel ? (in - kernel) / stride + 1 : 0;
}

// TF 'same' padding: total = max((out - 1) * stride + kernel - in, 0), the smaller half before.
constexpr int pad_before(int in, int kernel, int stride, Padding padding) {
    if (padding == Padding::valid) return 0;
    const long long out = conv_out_length(in, kernel, stride, padding);
    const long long total = (out - 1) * stride + kernel - in;
    return total > 0 ? static_cast<int>(total / 2) : 0;
}

// How a parameter tensor is initialised (Keras defaults).
enum class Init { zeros, ones, glorot_uniform };

struct ParamSpec {
    const char* name = "";
    std::size_t size = 0;
    bool trainable = true;
    Init init = Init::zeros;
    std::size_t fan_in = 0;
    std::size_t fan_out = 0;
};

// The parameter tensors of one layer, in a fixed order (at most four: BatchNormalization).
struct ParamSpecs {
    static constexpr int capacity = 4;
    ParamSpec items[capacity] = {};
    int count = 0;

    constexpr std::size_t total() const {
        std::size_t s = 0;
        for (int i = 0; i < count; ++i) s = add_sizes(s, items[i].size);
        return s;
    }
    constexpr std::size_t trainable() const {
        std::size_t s = 0;
        for (int i = 0; i < count; ++i) s = add_sizes(s, items[i].trainable ? items[i].size : 0);
        return s;
    }
};

// Counts of a whole network, as summary() prints them.
struct ParamCounts {
    std::size_t total = 0;
    std::size_t trainable = 0;
    std::size_t non_trainable = 0;
};

// Where one parameter tensor lives in the model's flat parameter array. Trainable tensors
// come first (in layer order), so gradients and optimizer slots mirror [0, trainable).
struct ParamSlot {
    std::size_t offset = 0;
    std::size_t size = 0;
    bool trainable = false;
};

}  // namespace staticnet
