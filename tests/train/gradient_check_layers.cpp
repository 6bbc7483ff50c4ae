// Finite-difference gradient checks (double) for DepthwiseConv2D, SeparableConv2D,
// ZeroPadding2D and Reshape, each alone (sn::LayerGradientCheck: input and parameter gradients)
// and inside a small network after a convolution (sn::check_gradients: the layer's input
// gradient reaches that convolution's parameters); and the determinism rule of layer.hpp: the
// gradients of a network with all four are bit-identical whatever the number of threads and
// whichever order the work items run in.
#include <doctest/doctest.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <staticnet/core.hpp>
#include <staticnet/testing.hpp>
#include <staticnet/train/gradient_check.hpp>

#include "train/gradient_check_support.hpp"

namespace sn = staticnet;

namespace {

using sn::test::gradient::check_layer;
using sn::test::gradient::check_network;
using sn::test::gradient::expect_pass;
using sn::test::gradient::worst_seen;

// A convolution before the layer (its input gradient reaches the convolution's parameters).
template <class L, sn::Shape In>
using ConvThen = sn::test::gradient::ConvThen<L, In, 3>;

constexpr sn::Shape in_7x9x3{7, 9, 3, 3};
// The checker's tolerance is 1e-6; the layers here stay far below (tests/train/gradient_check.cpp).
constexpr double kBound = 5e-7;

}  // namespace

TEST_CASE("gradient check: DepthwiseConv2D") {
    using Relu = sn::DepthwiseConv2D<{.kernel = 3, .padding = sn::same, .activation = sn::relu}>;
    using Dm2 = sn::DepthwiseConv2D<{.kernel = 3, .strides = 2, .depth_multiplier = 2}>;
    using Odd = sn::DepthwiseConv2D<{.kernel = {4, 2}, .strides = {1, 3}, .padding = sn::same,
                                     .activation = sn::sigmoid, .use_bias = false}>;
    using Dm3 = sn::DepthwiseConv2D<{.kernel = {2, 3}, .strides = {2, 1}, .padding = sn::same, .depth_multiplier = 3,
                                     .activation = sn::tanh}>;
    expect_pass("depthwise 3x3 same relu (net)", check_network<ConvThen<Relu, in_7x9x3>>(301), kBound, 2);
    expect_pass("depthwise 3x3 s2 valid dm2 (net)", check_network<ConvThen<Dm2, in_7x9x3>>(302), kBound, 0);
    expect_pass("depthwise (4,2) s(1,3) same sigmoid no bias (net)", check_network<ConvThen<Odd, in_7x9x3>>(303), kBound,
                0);
    expect_pass("depthwise 3x3 same relu (layer)", check_layer<Relu, in_7x9x3>(304), kBound, 2);
    expect_pass("depthwise 3x3 s2 valid dm2 (layer)", check_layer<Dm2, in_7x9x3>(305), kBound, 0);
    expect_pass("depthwise (4,2) s(1,3) same sigmoid no bias (layer)", check_layer<Odd, in_7x9x3>(306), kBound, 0);
    expect_pass("depthwise (2,3) s(2,1) same dm3 tanh (layer)", check_layer<Dm3, in_7x9x3>(307), kBound, 0);
    // 19 channels: the SIMD kernels' vectors and their scalar tail; 3 samples.
    expect_pass("depthwise 3x3 same relu, 19 channels (layer)", check_layer<Relu, sn::Shape{5, 4, 19, 3}, 3>(308),
                kBound, 2);
    expect_pass("depthwise 3x3 s2 dm2, 19 channels (layer)", check_layer<Dm2, sn::Shape{5, 6, 19, 3}, 3>(309), kBound,
                0);
    // 10 samples: sample groups of 2 on the SIMD path (sums inside a group, then across groups).
    expect_pass("depthwise 3x3 same relu, 10 samples (layer)", check_layer<Relu, sn::Shape{4, 3, 9, 3}, 10>(310), kBound,
                2);
}

TEST_CASE("gradient check: SeparableConv2D") {
    using Relu = sn::SeparableConv2D<{.filters = 4, .kernel = 3, .padding = sn::same, .activation = sn::relu}>;
    using Dm2 = sn::SeparableConv2D<{.filters = 5, .kernel = 3, .strides = 2, .padding = sn::same,
                                     .depth_multiplier = 2}>;
    using NoBias = sn::SeparableConv2D<{.filters = 3, .kernel = {2, 3}, .strides = {1, 2}, .activation = sn::tanh,
                                        .use_bias = false}>;
    expect_pass("separable 3x3 same relu (net)", check_network<ConvThen<Relu, in_7x9x3>>(311), kBound, 2);
    expect_pass("separable 3x3 s2 same dm2 (net)", check_network<ConvThen<Dm2, in_7x9x3>>(312), kBound, 0);
    expect_pass("separable (2,3) s(1,2) tanh no bias (net)", check_network<ConvThen<NoBias, in_7x9x3>>(313), kBound, 0);
    expect_pass("separable 3x3 same relu (layer)", check_layer<Relu, in_7x9x3>(314), kBound, 2);
    expect_pass("separable 3x3 s2 same dm2 (layer)", check_layer<Dm2, in_7x9x3>(315), kBound, 0);
    expect_pass("separable (2,3) s(1,2) tanh no bias (layer)", check_layer<NoBias, in_7x9x3>(316), kBound, 0);
    // 19 channels, 17 filters: vectors and tails in both steps; 3 samples (sample groups).
    using Wide = sn::SeparableConv2D<{.filters = 17, .kernel = 3, .padding = sn::same, .depth_multiplier = 2}>;
    expect_pass("separable dm2, 19 channels -> 17 filters (layer)", check_layer<Wide, sn::Shape{4, 5, 19, 3}, 3>(317),
                kBound, 0);
    // 10 samples: sample groups of 2 on the SIMD path (sums inside a group, then across groups).
    expect_pass("separable dm2, 10 samples (layer)", check_layer<Dm2, sn::Shape{4, 3, 9, 3}, 10>(319), kBound, 0);
    expect_pass("separable 3x3 same relu, 10 samples (net)", check_network<ConvThen<Relu, in_7x9x3>, 10>(320, 10),
                kBound, 4);
    // Last layer before the head, with a softmax activation of its own (over channels).
    using Soft = sn::SeparableConv2D<{.filters = 4, .kernel = 3, .activation = sn::softmax}>;
    expect_pass("separable softmax (layer)", check_layer<Soft, in_7x9x3>(318), kBound, 0);
}

TEST_CASE("gradient check: ZeroPadding2D inside a network and alone") {
    using Pad = sn::ZeroPadding2D<{.padding = {1, 2, 0, 3}}>;
    // conv, pad, conv 'valid' (it sees the zeros), flatten, softmax.
    using Net = sn::Sequential<sn::Input<5, 6, 2>, sn::Conv2D<{.filters = 3, .kernel = 3, .padding = sn::same}>, Pad,
                               sn::Conv2D<{.filters = 2, .kernel = 3, .activation = sn::tanh}>, sn::Flatten,
                               sn::Dense<{.units = 4, .activation = sn::softmax}>>;
    static_assert(Net::shapes[2] == sn::Shape{8, 9, 3, 3});
    expect_pass("zero padding between convs (net)", check_network<Net>(321), kBound, 0);
    expect_pass("zero padding (net, ConvThen)", check_network<ConvThen<Pad, in_7x9x3>>(322), kBound, 0);
    expect_pass("zero padding (layer)", check_layer<Pad, in_7x9x3>(323), kBound, 0);
    expect_pass("zero padding 1, 19 channels (layer)", check_layer<sn::ZeroPadding2D<>, sn::Shape{3, 4, 19, 3}>(324),
                kBound, 0);
}

TEST_CASE("gradient check: Reshape inside a network and alone") {
    // conv, reshape (7, 9, 3) -> (9, 7, 3) (values keep their NHWC order, neighbours change), conv,
    // reshape to flat, dense.
    using Net = sn::Sequential<sn::Input<7, 9, 3>, sn::Conv2D<{.filters = 3, .kernel = 3, .padding = sn::same}>,
                               sn::Reshape<9, 7, -1>, sn::Conv2D<{.filters = 2, .kernel = 2, .activation = sn::tanh}>,
                               sn::Reshape<-1>, sn::Dense<{.units = 4, .activation = sn::softmax}>>;
    static_assert(Net::shapes[2] == sn::Shape{9, 7, 3, 3} && Net::shapes[4] == sn::flat_shape(8 * 6 * 2));
    expect_pass("reshape between convs (net)", check_network<Net>(331), kBound, 0);
    expect_pass("reshape (layer)", check_layer<sn::Reshape<21, 3, 3>, in_7x9x3>(332), kBound, 0);
    expect_pass("reshape to flat (layer)", check_layer<sn::Reshape<189>, in_7x9x3>(333), kBound, 0);
}

TEST_CASE("gradient check: a network with all four layers") {
    using Net = sn::Sequential<sn::Input<9, 8, 2>, sn::ZeroPadding2D<{.padding = {1, 0, 1, 2}}>,
                               sn::Conv2D<{.filters = 4, .kernel = 3, .activation = sn::relu}>,
                               sn::DepthwiseConv2D<{.kernel = 3, .padding = sn::same, .depth_multiplier = 2}>,
                               sn::SeparableConv2D<{.filters = 3, .kernel = 3, .strides = 2, .activation = sn::tanh}>,
                               sn::Reshape<-1>, sn::Dense<{.units = 3, .activation = sn::softmax}>>;
    expect_pass("pad, conv, depthwise, separable, reshape (net)", check_network<Net, 5>(341, 5), kBound, 4);
    MESSAGE("worst gradient-check error in this file: " << worst_seen);
}

namespace {

// An executor that runs the items serially in reverse order and reports `threads` threads (so
// the layers cut their work as for that many): results must not depend on either.
struct ReverseExecutor {
    static void run(void*, int count, void (*fn)(void*, int), void* arg) {
        for (int i = count - 1; i >= 0; --i) fn(arg, i);
    }
};

using AllFour = sn::Sequential<sn::Input<9, 8, 19>, sn::ZeroPadding2D<{.padding = {1, 0, 1, 2}}>,
                               sn::DepthwiseConv2D<{.kernel = 3, .activation = sn::relu}>,
                               sn::SeparableConv2D<{.filters = 17, .kernel = 3, .strides = 2, .depth_multiplier = 2,
                                                    .activation = sn::relu}>,
                               sn::Reshape<-1>, sn::Dense<{.units = 3, .activation = sn::softmax}>>;

template <class T>
std::vector<T> gradients_with(int threads, int n) {
    using M = sn::Model<AllFour, sn::Adam<>, sn::SparseCategoricalCrossentropy, 11, T>;
    static M model;
    model.initialize(7);
    if (threads > 0) model.set_executor(sn::Executor{nullptr, &ReverseExecutor::run, threads});
    else model.set_executor({});
    std::vector<T> x(static_cast<std::size_t>(n) * M::input_size);
    sn::Rng rng(8);
    for (auto& v : x) v = static_cast<T>(2 * rng.uniform() - 1);
    std::vector<std::int32_t> y(static_cast<std::size_t>(n));
    for (int s = 0; s < n; ++s) y[static_cast<std::size_t>(s)] = s % 3;
    const auto r = model.compute_gradients(std::span<const T>(x), std::span<const std::int32_t>(y), n);
    REQUIRE(r.status == sn::StepStatus::ok);
    std::vector<T> g(model.gradients().begin(), model.gradients().end());
    const auto p = model.predict(std::span<const T>(x), n);
    g.insert(g.end(), p.begin(), p.end());
    return g;
}

}  // namespace

TEST_CASE_TEMPLATE("DepthwiseConv2D, SeparableConv2D, ZeroPadding2D: the same bits for any thread count", T, float,
                   double) {
    for (int n : {1, 9, 11}) {
        CAPTURE(n);
        const auto serial = gradients_with<T>(0, n);
        double norm = 0;
        for (T v : serial) norm += static_cast<double>(v) * static_cast<double>(v);
        CHECK(norm > 0);
        for (int threads : {2, 3, 8, 16}) {
            CAPTURE(threads);
            CHECK(gradients_with<T>(threads, n) == serial);
        }
    }
}

// Regression (found by the zoo's ResNet, 2026-11-29): the SIMD input gradient of a strided 3x3
// Conv2D whose input channels fill whole vectors went through the stride-1 Winograd kernel
// (wrong values, and a transformed kernel written past the layer's scratch). Input channels 8 and
// 16 (whole vectors of doubles on AVX-512 and AVX2), 'same' and 'valid', odd and even sizes.
TEST_CASE("gradient check: strided 3x3 Conv2D with input channels that fill whole vectors") {
    using Head = sn::Block<sn::GlobalAveragePooling2D, sn::Dense<{.units = 3, .activation = sn::softmax}>>;
    using A = sn::Sequential<sn::Input<8, 8, 1>, sn::Conv2D<{.filters = 16, .kernel = 3, .padding = sn::same}>,
                             sn::Conv2D<{.filters = 32, .kernel = 3, .strides = 2, .padding = sn::same}>, Head>;
    using B = sn::Sequential<sn::Input<7, 7, 1>, sn::Conv2D<{.filters = 8, .kernel = 3, .padding = sn::same}>,
                             sn::Conv2D<{.filters = 16, .kernel = 3, .strides = 2, .use_bias = false}>, Head>;
    sn::GradientCheckOptions o;
    o.max_per_tensor = 16;
    for (const auto& r : {sn::testing::check_network_gradients<A>(3, 4, o), sn::testing::check_network_gradients<B>(4, 4, o)}) {
        CHECK(r.status == sn::GradientCheckStatus::ok);
        CHECK(r.failed == 0);
        CHECK(r.worst_error < 5e-7);
        CHECK(r.passed());
    }
}
