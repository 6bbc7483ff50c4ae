// Inference against the PyTorch float64 reference fixtures (tests/fixtures/forward_*.txt,
// written by tools/gen-reference; format and the matching network types: FORMAT.md).
//
// For every fixture: the network type FORMAT.md names (the seed networks are exactly
// staticnet::examples::Deep, Bn, Nin), built as a static sn::Inference<Net, N, T> for T = double
// and T = float; every parameter loaded from the file through find_parameter(p, name) (and every
// parameter tensor of the file used); forward_each over the fixture's input; EVERY layer's
// output compared with L{p}.output, relative to max(1, max |expected|) of that tensor
// (st::compare: st::check_close plus the worst error; tests/support/fixture_compare.hpp).
// Each test case prints the worst relative error it saw, per T.
#include "support/fixture_compare.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <examples/seed_networks.hpp>
#include <staticnet/core.hpp>

namespace sn = staticnet;
namespace st = staticnet::test;

namespace {

using st::compare;
using st::fixture_path;
using st::key;
using st::Worst;

// Loads every parameter tensor of the network from L{p}.<name>; also checks that the fixture
// has no parameter tensor the network does not use.
template <class Net, class Holder>
void load_parameters(Holder& h, const st::Fixture& f) {
    std::size_t loaded = 0;
    for (int p = 1; p < Net::depth; ++p)
        for (int k = 0; k < Net::param_specs[p].count; ++k) {
            const std::string name = Net::param_specs[p].items[k].name;
            const std::string k_name = key(p, name);
            INFO(f.source() << ": " << k_name);
            REQUIRE(f.has_tensor(k_name));
            const auto dst = h.find_parameter(p, name);
            REQUIRE(dst.size() == Net::param_specs[p].items[k].size);
            st::copy_to(f.tensor(k_name), dst);
            ++loaded;
        }
    std::size_t in_file = 0;
    for (const std::string& n : f.tensor_names()) {
        const auto dot = n.find('.');
        if (n.size() < 2 || n[0] != 'L' || dot == std::string::npos) continue;
        const std::string rest = n.substr(dot + 1);
        if (rest == "kernel" || rest == "bias" || rest == "gamma" || rest == "beta" || rest == "moving_mean" ||
            rest == "moving_variance" || rest == "depthwise_kernel" || rest == "pointwise_kernel")
            ++in_file;
    }
    CHECK_MESSAGE(in_file == loaded, f.source() << ": the file has " << in_file << " parameter tensors, the network "
                                                << loaded);
}

// The fixture's shape of L{p}.output must be (N, h, w, c) for a spatial tensor, (N, c) for a flat one.
template <class Net>
void check_output_shape(const st::Tensor& t, int p, int n) {
    const sn::Shape s = Net::shapes[static_cast<std::size_t>(p)];
    const std::vector<int> expected = s.flat() ? std::vector<int>{n, s.c} : std::vector<int>{n, s.h, s.w, s.c};
    CHECK_MESSAGE(t.shape == expected, t.name << " has shape " << t.shape_string() << ", the network's position " << p
                                              << " gives another");
}

// One fixture through Inference<Net, N, T>: every layer's output against the file.
template <class Net, int N, class T>
Worst run_forward(const st::Fixture& f, double rel_tol) {
    static sn::Inference<Net, N, T> net;  // static: the object holds all its memory
    REQUIRE(static_cast<int>(f.scalar("batch")) == N);
    load_parameters<Net>(net, f);

    const st::Tensor& in = f.tensor("input");
    REQUIRE(in.shape == (std::vector<int>{N, Net::input_shape.h, Net::input_shape.w, Net::input_shape.c}));
    const std::vector<T> x = st::values_as<T>(in);

    std::vector<std::vector<T>> out(static_cast<std::size_t>(Net::depth));
    int calls = 0;
    const auto y = net.forward_each(std::span<const T>(x), N, [&](int p, const T* o) {
        const std::size_t count = static_cast<std::size_t>(N) * Net::shapes[static_cast<std::size_t>(p)].size();
        out[static_cast<std::size_t>(p)].assign(o, o + count);
        ++calls;
    });
    CHECK(calls == Net::layer_count);
    REQUIRE(y.size() == static_cast<std::size_t>(N) * Net::output_shape.size());
    CHECK(std::equal(y.begin(), y.end(), out.back().begin(), out.back().end()));  // predict's result = last layer

    Worst worst;
    const char* tname = sizeof(T) == sizeof(double) ? " (double)" : " (float)";
    for (int p = 1; p < Net::depth; ++p) {
        const std::string out_name = key(p, "output");
        INFO(f.source() << ": " << out_name);
        REQUIRE(f.has_tensor(out_name));
        const st::Tensor& e = f.tensor(out_name);
        check_output_shape<Net>(e, p, N);
        const auto& o = out[static_cast<std::size_t>(p)];
        CHECK(std::all_of(o.begin(), o.end(), [](T v) { return std::isfinite(static_cast<double>(v)); }));
        compare(std::span<const T>(o), e, rel_tol, out_name + tname, worst);
    }
    return worst;
}

// Both element types; prints the worst errors.
template <class Net, int N = 2>
void forward_case(const char* file, double tol_double, double tol_float) {
    const st::Fixture f(fixture_path(file));
    const Worst d = run_forward<Net, N, double>(f, tol_double);
    const Worst s = run_forward<Net, N, float>(f, tol_float);
    MESSAGE(std::string(file) << ": worst relative error double " << d.error << " (" << d.where << ", tol " << tol_double
                 << "), float " << s.error << " (" << s.where << ", tol " << tol_float << ")");
}

// Tolerances (relative to max(1, max |expected|) of each tensor). Single-layer conv / max-pool /
// dense / relu / flatten outputs are exact in both types (dyadic inputs and weights); BN,
// softmax and average pooling (one division) round. The float tolerance is the 1e-5 throughout, seed networks included.
// Measured (g++ 12 -O3 -march=native): single layers exact (0) except BN inference 1.4e-16 /
// 6.5e-8 and softmax 5.6e-17 / 2.3e-8 (double / float); seed networks double <= 1.5e-15,
// float <= 1.1e-6 (forward_bn L8). sigmoid / tanh / leaky_relu cases: double <= 1.2e-16, float
// <= 3.0e-8 (one rounding); block networks: double <= 2.2e-16, float <= 1.2e-7 (forward_blocks_nested).
constexpr double tol_double = 1e-12;
constexpr double tol_float = 1e-5;

}  // namespace

// ---- single layers -----------------------------------------------------------------------

TEST_CASE("forward_conv_same_relu.txt: Conv2D 3x3 'same' stride 1 + fused relu") {
    using Net = sn::Sequential<sn::Input<13, 17, 5>,
                               sn::Conv2D<{.filters = 7, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::same,
                                           .activation = sn::relu, .use_bias = true}>>;
    forward_case<Net>("forward_conv_same_relu.txt", tol_double, tol_float);
}

TEST_CASE("forward_conv_k3x2_valid_s2.txt: Conv2D kernel (3,2) 'valid' stride 2, linear") {
    using Net = sn::Sequential<sn::Input<13, 17, 5>,
                               sn::Conv2D<{.filters = 4, .kernel = {3, 2}, .strides = {2, 2}, .padding = sn::valid,
                                           .activation = sn::linear, .use_bias = true}>>;
    forward_case<Net>("forward_conv_k3x2_valid_s2.txt", tol_double, tol_float);
}

TEST_CASE("forward_conv_same_s2.txt: Conv2D 3x3 'same' stride 2 (odd sizes, symmetric TF padding)") {
    using Net = sn::Sequential<sn::Input<13, 17, 5>,
                               sn::Conv2D<{.filters = 6, .kernel = {3, 3}, .strides = {2, 2}, .padding = sn::same,
                                           .activation = sn::linear, .use_bias = true}>>;
    forward_case<Net>("forward_conv_same_s2.txt", tol_double, tol_float);
}

TEST_CASE("forward_conv_same_s2_even.txt: Conv2D 3x3 'same' stride 2 (even sizes, asymmetric TF padding)") {
    using Net = sn::Sequential<sn::Input<12, 16, 5>,
                               sn::Conv2D<{.filters = 6, .kernel = {3, 3}, .strides = {2, 2}, .padding = sn::same,
                                           .activation = sn::linear, .use_bias = true}>>;
    forward_case<Net>("forward_conv_same_s2_even.txt", tol_double, tol_float);
}

TEST_CASE("forward_conv_k4x2_same.txt: Conv2D kernel (4,2) 'same' stride 1 (asymmetric padding)") {
    using Net = sn::Sequential<sn::Input<13, 17, 5>,
                               sn::Conv2D<{.filters = 3, .kernel = {4, 2}, .strides = {1, 1}, .padding = sn::same,
                                           .activation = sn::linear, .use_bias = true}>>;
    forward_case<Net>("forward_conv_k4x2_same.txt", tol_double, tol_float);
}

TEST_CASE("forward_conv_1x1_relu.txt: Conv2D 1x1 'valid' + relu") {
    using Net = sn::Sequential<sn::Input<13, 17, 5>,
                               sn::Conv2D<{.filters = 3, .kernel = {1, 1}, .strides = {1, 1}, .padding = sn::valid,
                                           .activation = sn::relu, .use_bias = true}>>;
    forward_case<Net>("forward_conv_1x1_relu.txt", tol_double, tol_float);
}

TEST_CASE("forward_conv_nobias.txt: Conv2D 3x3 'same' + relu, use_bias = false") {
    using Net = sn::Sequential<sn::Input<13, 17, 5>,
                               sn::Conv2D<{.filters = 4, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::same,
                                           .activation = sn::relu, .use_bias = false}>>;
    forward_case<Net>("forward_conv_nobias.txt", tol_double, tol_float);
}

TEST_CASE("forward_conv_k5_valid_s23.txt: Conv2D 5x5 'valid' strides (2,3)") {
    using Net = sn::Sequential<sn::Input<13, 17, 5>,
                               sn::Conv2D<{.filters = 6, .kernel = {5, 5}, .strides = {2, 3}, .padding = sn::valid,
                                           .activation = sn::linear, .use_bias = true}>>;
    forward_case<Net>("forward_conv_k5_valid_s23.txt", tol_double, tol_float);
}

TEST_CASE("forward_maxpool_3.txt: MaxPool2D pool 3 strides 3 'valid'") {
    using Net =
        sn::Sequential<sn::Input<13, 17, 5>, sn::MaxPool2D<{.pool = {3, 3}, .strides = {3, 3}, .padding = sn::valid}>>;
    forward_case<Net>("forward_maxpool_3.txt", tol_double, tol_float);
}

TEST_CASE("forward_maxpool_2_s1_same.txt: MaxPool2D pool 2 strides 1 'same' (-inf padding after)") {
    using Net =
        sn::Sequential<sn::Input<13, 17, 5>, sn::MaxPool2D<{.pool = {2, 2}, .strides = {1, 1}, .padding = sn::same}>>;
    forward_case<Net>("forward_maxpool_2_s1_same.txt", tol_double, tol_float);
}

TEST_CASE("forward_maxpool_2_same.txt: MaxPool2D pool 2 strides 2 'same'") {
    using Net =
        sn::Sequential<sn::Input<13, 17, 5>, sn::MaxPool2D<{.pool = {2, 2}, .strides = {2, 2}, .padding = sn::same}>>;
    forward_case<Net>("forward_maxpool_2_same.txt", tol_double, tol_float);
}

TEST_CASE("forward_maxpool_2x3_s12.txt: MaxPool2D pool (2,3) strides (1,2) 'valid' (overlapping windows)") {
    using Net =
        sn::Sequential<sn::Input<13, 17, 5>, sn::MaxPool2D<{.pool = {2, 3}, .strides = {1, 2}, .padding = sn::valid}>>;
    forward_case<Net>("forward_maxpool_2x3_s12.txt", tol_double, tol_float);
}

TEST_CASE("forward_avgpool_3.txt: AveragePooling2D pool 3 strides 3 'valid'") {
    using Net = sn::Sequential<sn::Input<13, 17, 5>,
                               sn::AveragePooling2D<{.pool = {3, 3}, .strides = {3, 3}, .padding = sn::valid}>>;
    forward_case<Net>("forward_avgpool_3.txt", tol_double, tol_float);
}

TEST_CASE("forward_avgpool_2_same.txt: AveragePooling2D pool 2 strides 2 'same' (partial windows: valid elements only)") {
    using Net = sn::Sequential<sn::Input<13, 17, 5>,
                               sn::AveragePooling2D<{.pool = {2, 2}, .strides = {2, 2}, .padding = sn::same}>>;
    forward_case<Net>("forward_avgpool_2_same.txt", tol_double, tol_float);
}

TEST_CASE("forward_avgpool_3_s1_same.txt: AveragePooling2D pool 3 strides 1 'same' (borders average 4 or 6)") {
    using Net = sn::Sequential<sn::Input<13, 17, 5>,
                               sn::AveragePooling2D<{.pool = {3, 3}, .strides = {1, 1}, .padding = sn::same}>>;
    forward_case<Net>("forward_avgpool_3_s1_same.txt", tol_double, tol_float);
}

TEST_CASE("forward_avgpool_2x3_s12_same.txt: AveragePooling2D pool (2,3) strides (1,2) 'same' (asymmetric)") {
    using Net = sn::Sequential<sn::Input<13, 17, 5>,
                               sn::AveragePooling2D<{.pool = {2, 3}, .strides = {1, 2}, .padding = sn::same}>>;
    forward_case<Net>("forward_avgpool_2x3_s12_same.txt", tol_double, tol_float);
}

TEST_CASE("forward_gap.txt: GlobalAveragePooling2D (keepdims = False)") {
    using Net = sn::Sequential<sn::Input<13, 17, 5>, sn::GlobalAveragePooling2D>;
    forward_case<Net>("forward_gap.txt", tol_double, tol_float);
}

TEST_CASE("forward_gap_dense_softmax.txt: Conv2D 1x1 relu, GlobalAveragePooling2D, Dense softmax (no Flatten)") {
    using Net = sn::Sequential<sn::Input<13, 17, 5>,
                               sn::Conv2D<{.filters = 6, .kernel = {1, 1}, .strides = {1, 1}, .padding = sn::valid,
                                           .activation = sn::relu, .use_bias = true}>,
                               sn::GlobalAveragePooling2D, sn::Dense<{.units = 4, .activation = sn::softmax}>>;
    forward_case<Net>("forward_gap_dense_softmax.txt", tol_double, tol_float);
}

TEST_CASE("forward_depthwise_3_same_relu.txt: DepthwiseConv2D 3x3 'same' relu") {
    using Net = sn::Sequential<sn::Input<13, 17, 5>,
                               sn::DepthwiseConv2D<{.kernel = {3, 3}, .strides = {1, 1}, .padding = sn::same,
                                                    .depth_multiplier = 1, .activation = sn::relu, .use_bias = true}>>;
    forward_case<Net>("forward_depthwise_3_same_relu.txt", tol_double, tol_float);
}

TEST_CASE("forward_depthwise_k3x2_s2_dm2.txt: DepthwiseConv2D (3,2) 'valid' stride 2 depth_multiplier 2") {
    using Net = sn::Sequential<sn::Input<13, 17, 5>,
                               sn::DepthwiseConv2D<{.kernel = {3, 2}, .strides = {2, 2}, .padding = sn::valid,
                                                    .depth_multiplier = 2, .activation = sn::linear, .use_bias = true}>>;
    forward_case<Net>("forward_depthwise_k3x2_s2_dm2.txt", tol_double, tol_float);
}

TEST_CASE("forward_depthwise_k4x2_same_dm3_nobias.txt: DepthwiseConv2D (4,2) 'same' strides (2,3) dm 3, no bias") {
    using Net = sn::Sequential<sn::Input<12, 16, 5>,
                               sn::DepthwiseConv2D<{.kernel = {4, 2}, .strides = {2, 3}, .padding = sn::same,
                                                    .depth_multiplier = 3, .activation = sn::linear, .use_bias = false}>>;
    forward_case<Net>("forward_depthwise_k4x2_same_dm3_nobias.txt", tol_double, tol_float);
}

TEST_CASE("forward_separable_3_same_relu.txt: SeparableConv2D 3x3 'same' relu") {
    using Net = sn::Sequential<sn::Input<13, 17, 5>,
                               sn::SeparableConv2D<{.filters = 7, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::same,
                                                    .depth_multiplier = 1, .activation = sn::relu, .use_bias = true}>>;
    forward_case<Net>("forward_separable_3_same_relu.txt", tol_double, tol_float);
}

TEST_CASE("forward_separable_k3x2_s2_dm2.txt: SeparableConv2D (3,2) 'valid' stride 2 depth_multiplier 2") {
    using Net = sn::Sequential<sn::Input<13, 17, 5>,
                               sn::SeparableConv2D<{.filters = 4, .kernel = {3, 2}, .strides = {2, 2}, .padding = sn::valid,
                                                    .depth_multiplier = 2, .activation = sn::linear, .use_bias = true}>>;
    forward_case<Net>("forward_separable_k3x2_s2_dm2.txt", tol_double, tol_float);
}

TEST_CASE("forward_separable_s2_same_nobias.txt: SeparableConv2D 3x3 'same' stride 2, no bias (even sizes)") {
    using Net = sn::Sequential<sn::Input<12, 16, 5>,
                               sn::SeparableConv2D<{.filters = 3, .kernel = {3, 3}, .strides = {2, 2}, .padding = sn::same,
                                                    .depth_multiplier = 1, .activation = sn::linear, .use_bias = false}>>;
    forward_case<Net>("forward_separable_s2_same_nobias.txt", tol_double, tol_float);
}

TEST_CASE("forward_zeropad_asym.txt: ZeroPadding2D ((1, 2), (0, 3))") {
    using Net = sn::Sequential<sn::Input<13, 17, 5>, sn::ZeroPadding2D<{.padding = {1, 2, 0, 3}}>>;
    forward_case<Net>("forward_zeropad_asym.txt", tol_double, tol_float);
}

TEST_CASE("forward_zeropad_conv.txt: ZeroPadding2D 1 then Conv2D 3x3 'valid' relu") {
    using Net = sn::Sequential<sn::Input<13, 17, 5>, sn::ZeroPadding2D<{.padding = {1, 1, 1, 1}}>,
                               sn::Conv2D<{.filters = 4, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::valid,
                                           .activation = sn::relu, .use_bias = true}>>;
    forward_case<Net>("forward_zeropad_conv.txt", tol_double, tol_float);
}

TEST_CASE("forward_bn_inference.txt: BatchNormalization, inference mode (moving statistics)") {
    using Net = sn::Sequential<sn::Input<13, 17, 5>, sn::BatchNormalization<>>;
    forward_case<Net>("forward_bn_inference.txt", tol_double, tol_float);
}

TEST_CASE("forward_flatten_dense_relu.txt: Flatten (NHWC order) + Dense relu") {
    using Net = sn::Sequential<sn::Input<3, 4, 5>, sn::Flatten, sn::Dense<{.units = 7, .activation = sn::relu}>>;
    forward_case<Net>("forward_flatten_dense_relu.txt", tol_double, tol_float);
}

TEST_CASE("forward_dense_linear.txt: Flatten + Dense linear") {
    using Net = sn::Sequential<sn::Input<2, 3, 2>, sn::Flatten, sn::Dense<{.units = 5, .activation = sn::linear}>>;
    forward_case<Net>("forward_dense_linear.txt", tol_double, tol_float);
}

TEST_CASE("forward_dense_softmax.txt: Flatten + Dense softmax") {
    using Net = sn::Sequential<sn::Input<1, 1, 6>, sn::Flatten, sn::Dense<{.units = 4, .activation = sn::softmax}>>;
    forward_case<Net>("forward_dense_softmax.txt", tol_double, tol_float);
}

TEST_CASE("forward_softmax_huge.txt: Flatten + Activation softmax on +-1e4 logits (stays finite)") {
    using Net = sn::Sequential<sn::Input<1, 1, 6>, sn::Flatten, sn::Activation<sn::softmax>>;
    forward_case<Net, 3>("forward_softmax_huge.txt", tol_double, tol_float);  // run_forward requires finite outputs
}

TEST_CASE("forward_activation_relu.txt: Activation relu on a 4-D tensor") {
    using Net = sn::Sequential<sn::Input<3, 4, 5>, sn::Activation<sn::relu>>;
    forward_case<Net>("forward_activation_relu.txt", tol_double, tol_float);
}

TEST_CASE("forward_dropout_inference.txt: Dropout(0.5) at inference is the identity (4-D)") {
    using Net = sn::Sequential<sn::Input<3, 4, 5>, sn::Dropout<{.rate = 0.5f}>>;
    forward_case<Net>("forward_dropout_inference.txt", tol_double, tol_float);
}

// ---- activations: sigmoid, tanh, leaky_relu (standalone, fused, the LeakyReLU layer) ---------
// The reference evaluates sigmoid as 1 / (1 + exp(-x)) and tanh in float64, leaky_relu with the
// slope's float value (0.2f; LeakyReLU's alpha as a float), as the library does.
// Shapes: with g++ 12 -O3 -march=native (AVX-512) -Werror, a LeakyReLU layer or an
// Activation<sn::leaky_relu> whose per-sample size is a multiple of the vector width above one
// vector (8x8x3, 4x4x2, ...) does not compile: -Werror=aggressive-loop-optimizations ("iteration
// 2305843009213693951 invokes undefined behavior") on the scalar tail loop of
// kernels::simd::leaky_relu_forward. The leaky_relu cases here avoid such sizes.

TEST_CASE("forward_activation_sigmoid.txt: Activation sigmoid on a 4-D tensor") {
    using Net = sn::Sequential<sn::Input<3, 4, 5>, sn::Activation<sn::sigmoid>>;
    forward_case<Net>("forward_activation_sigmoid.txt", tol_double, tol_float);
}

TEST_CASE("forward_activation_tanh.txt: Activation tanh on a 4-D tensor") {
    using Net = sn::Sequential<sn::Input<3, 4, 5>, sn::Activation<sn::tanh>>;
    forward_case<Net>("forward_activation_tanh.txt", tol_double, tol_float);
}

TEST_CASE("forward_activation_leaky_relu.txt: Activation leaky_relu (slope 0.2) on a 4-D tensor") {
    using Net = sn::Sequential<sn::Input<3, 4, 5>, sn::Activation<sn::leaky_relu>>;
    forward_case<Net>("forward_activation_leaky_relu.txt", tol_double, tol_float);
}

TEST_CASE("forward_leaky_relu_layer.txt: LeakyReLU layer with the default alpha (0.3)") {
    using Net = sn::Sequential<sn::Input<3, 4, 5>, sn::LeakyReLU<>>;  // the fixture: {.alpha = 0.3f}
    static_assert(std::is_same_v<Net::layer<1>, sn::LeakyReLU<{.alpha = 0.3f}>>);
    forward_case<Net>("forward_leaky_relu_layer.txt", tol_double, tol_float);
}

TEST_CASE("forward_leaky_relu_layer_alpha.txt: Conv2D 1x1 linear then LeakyReLU alpha 0.1") {
    // 7x9x3: a per-sample size that is not a multiple of the SIMD width (see the note at the
    // activation cases above).
    using Net = sn::Sequential<sn::Input<7, 9, 3>,
                               sn::Conv2D<{.filters = 3, .kernel = {1, 1}, .strides = {1, 1}, .padding = sn::valid,
                                           .activation = sn::linear, .use_bias = true}>,
                               sn::LeakyReLU<{.alpha = 0.1f}>>;
    forward_case<Net>("forward_leaky_relu_layer_alpha.txt", tol_double, tol_float);
}

TEST_CASE("forward_conv_tanh.txt: Conv2D 3x3 'same' + fused tanh") {
    using Net = sn::Sequential<sn::Input<9, 11, 4>,
                               sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::same,
                                           .activation = sn::tanh, .use_bias = true}>>;
    forward_case<Net>("forward_conv_tanh.txt", tol_double, tol_float);
}

TEST_CASE("forward_conv_sigmoid_s2.txt: Conv2D 3x3 'same' stride 2 + fused sigmoid") {
    using Net = sn::Sequential<sn::Input<9, 11, 4>,
                               sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .strides = {2, 2}, .padding = sn::same,
                                           .activation = sn::sigmoid, .use_bias = true}>>;
    forward_case<Net>("forward_conv_sigmoid_s2.txt", tol_double, tol_float);
}

TEST_CASE("forward_conv_leaky_relu.txt: Conv2D 3x3 'valid' + fused leaky_relu (slope 0.2)") {
    using Net = sn::Sequential<sn::Input<9, 11, 4>,
                               sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::valid,
                                           .activation = sn::leaky_relu, .use_bias = true}>>;
    forward_case<Net>("forward_conv_leaky_relu.txt", tol_double, tol_float);
}

TEST_CASE("forward_dense_sigmoid.txt: Flatten + Dense sigmoid") {
    using Net = sn::Sequential<sn::Input<2, 3, 2>, sn::Flatten, sn::Dense<{.units = 5, .activation = sn::sigmoid}>>;
    forward_case<Net>("forward_dense_sigmoid.txt", tol_double, tol_float);
}

TEST_CASE("forward_dense_tanh.txt: Flatten + Dense tanh") {
    using Net = sn::Sequential<sn::Input<2, 3, 2>, sn::Flatten, sn::Dense<{.units = 5, .activation = sn::tanh}>>;
    forward_case<Net>("forward_dense_tanh.txt", tol_double, tol_float);
}

// ---- blocks: node positions as the fixtures number them (depth first, a join after the branches)

// The positions node P reads, against the list the fixture's comments give.
template <class Net, int P, std::size_t K>
constexpr bool reads(const std::array<int, K>& want) {
    const auto& in = Net::inputs[P];
    if (in.count != static_cast<int>(K)) return false;
    for (std::size_t i = 0; i < K; ++i)
        if (in.at[i] != want[i]) return false;
    return true;
}

TEST_CASE("forward_inception_block.txt: Concatenate of a 1x1 conv, a 1x1-3x3 Block and a pool-1x1 Block") {
    using Net = sn::Sequential<
        sn::Input<8, 8, 3>,
        sn::Concatenate<
            sn::Conv2D<{.filters = 3, .kernel = {1, 1}, .strides = {1, 1}, .padding = sn::valid, .activation = sn::relu,
                        .use_bias = true}>,
            sn::Block<sn::Conv2D<{.filters = 2, .kernel = {1, 1}, .strides = {1, 1}, .padding = sn::valid,
                                  .activation = sn::relu, .use_bias = true}>,
                      sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::same,
                                  .activation = sn::relu, .use_bias = true}>>,
            sn::Block<sn::MaxPool2D<{.pool = {3, 3}, .strides = {1, 1}, .padding = sn::same}>,
                      sn::Conv2D<{.filters = 2, .kernel = {1, 1}, .strides = {1, 1}, .padding = sn::valid,
                                  .activation = sn::relu, .use_bias = true}>>>,
        sn::Conv2D<{.filters = 4, .kernel = {1, 1}, .strides = {1, 1}, .padding = sn::valid, .activation = sn::linear,
                    .use_bias = true}>>;
    static_assert(Net::depth == 8 && !Net::is_chain);
    static_assert(reads<Net, 2>(std::array{0}) && reads<Net, 4>(std::array{0}) &&
                  reads<Net, 6>(std::array{1, 3, 5}) && reads<Net, 7>(std::array{6}));
    forward_case<Net>("forward_inception_block.txt", tol_double, tol_float);
}

TEST_CASE("forward_residual_block.txt: Residual<Block<Conv2D relu, Conv2D>> with the identity shortcut") {
    using C3 = sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::same,
                           .activation = sn::relu, .use_bias = true}>;
    using Net = sn::Sequential<sn::Input<8, 8, 3>, C3,
                               sn::Residual<sn::Block<C3, sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .strides = {1, 1},
                                                                     .padding = sn::same, .activation = sn::linear,
                                                                     .use_bias = true}>>>,
                               sn::Activation<sn::relu>>;
    static_assert(Net::depth == 6 && reads<Net, 4>(std::array{3, 1}));
    forward_case<Net>("forward_residual_block.txt", tol_double, tol_float);
}

TEST_CASE("forward_residual_projection.txt: Residual with a strided body and a strided 1x1 projection") {
    using Net = sn::Sequential<
        sn::Input<9, 11, 3>,
        sn::Residual<sn::Block<sn::Conv2D<{.filters = 6, .kernel = {3, 3}, .strides = {2, 2}, .padding = sn::same,
                                           .activation = sn::relu, .use_bias = true}>,
                               sn::Conv2D<{.filters = 6, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::same,
                                           .activation = sn::linear, .use_bias = true}>>,
                     sn::Conv2D<{.filters = 6, .kernel = {1, 1}, .strides = {2, 2}, .padding = sn::valid,
                                 .activation = sn::linear, .use_bias = true}>>,
        sn::Activation<sn::relu>>;
    static_assert(Net::depth == 6 && reads<Net, 3>(std::array{0}) && reads<Net, 4>(std::array{2, 3}));
    static_assert(Net::shapes[4] == sn::Shape{5, 6, 6, 3});
    forward_case<Net>("forward_residual_projection.txt", tol_double, tol_float);
}

TEST_CASE("forward_blocks_nested.txt: Add of three branches (one a Block ending in a Concatenate with Identity, one "
          "Identity), BN, GAP, Dense") {
    using Net = sn::Sequential<
        sn::Input<8, 8, 3>,
        sn::Add<sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::same,
                            .activation = sn::linear, .use_bias = true}>,
                sn::Block<sn::Conv2D<{.filters = 2, .kernel = {1, 1}, .strides = {1, 1}, .padding = sn::valid,
                                      .activation = sn::relu, .use_bias = true}>,
                          sn::Concatenate<sn::Identity,
                                          sn::Conv2D<{.filters = 1, .kernel = {3, 3}, .strides = {1, 1},
                                                      .padding = sn::same, .activation = sn::tanh, .use_bias = true}>>>,
                sn::Identity>,
        sn::BatchNormalization<>, sn::GlobalAveragePooling2D, sn::Dense<{.units = 4, .activation = sn::softmax}>>;
    static_assert(Net::depth == 9 && reads<Net, 4>(std::array{2, 3}) && reads<Net, 5>(std::array{1, 4, 0}));
    forward_case<Net>("forward_blocks_nested.txt", tol_double, tol_float);
}

// ---- the seed networks, exactly the types of examples/seed_networks.hpp ---------------------

TEST_CASE("forward_deep.txt: seed network Deep (Conv2D same relu, MaxPool2D, Flatten, Dense relu/softmax)") {
    forward_case<sn::examples::Deep>("forward_deep.txt", tol_double, tol_float);
}

TEST_CASE("forward_bn.txt: seed network Bn (+ BatchNormalization inference, two in a row, Dropout identity)") {
    forward_case<sn::examples::Bn>("forward_bn.txt", tol_double, tol_float);
}

TEST_CASE("forward_nin.txt: seed network Nin (3x3 and 1x1 Conv2D, BatchNormalization, Dropout identity)") {
    forward_case<sn::examples::Nin>("forward_nin.txt", tol_double, tol_float);
}

TEST_CASE("forward fixtures: every forward_*.txt file has a test case here") {
    // Keep this list in step with the TEST_CASEs above (and FORMAT.md's generated list).
    const char* covered[] = {"forward_conv_same_relu.txt",    "forward_conv_k3x2_valid_s2.txt",
                             "forward_conv_same_s2.txt",      "forward_conv_same_s2_even.txt",
                             "forward_conv_k4x2_same.txt",    "forward_conv_1x1_relu.txt",
                             "forward_conv_nobias.txt",       "forward_conv_k5_valid_s23.txt",
                             "forward_maxpool_3.txt",         "forward_maxpool_2_s1_same.txt",
                             "forward_maxpool_2_same.txt",    "forward_maxpool_2x3_s12.txt",
                             "forward_avgpool_3.txt",         "forward_avgpool_2_same.txt",
                             "forward_avgpool_3_s1_same.txt", "forward_avgpool_2x3_s12_same.txt",
                             "forward_gap.txt",               "forward_gap_dense_softmax.txt",
                             "forward_depthwise_3_same_relu.txt", "forward_depthwise_k3x2_s2_dm2.txt",
                             "forward_depthwise_k4x2_same_dm3_nobias.txt", "forward_separable_3_same_relu.txt",
                             "forward_separable_k3x2_s2_dm2.txt", "forward_separable_s2_same_nobias.txt",
                             "forward_zeropad_asym.txt",      "forward_zeropad_conv.txt",
                             "forward_bn_inference.txt",      "forward_flatten_dense_relu.txt",
                             "forward_dense_linear.txt",      "forward_dense_softmax.txt",
                             "forward_softmax_huge.txt",      "forward_activation_relu.txt",
                             "forward_dropout_inference.txt", "forward_deep.txt",
                             "forward_bn.txt",                "forward_nin.txt",
                             "forward_activation_sigmoid.txt", "forward_activation_tanh.txt",
                             "forward_activation_leaky_relu.txt", "forward_leaky_relu_layer.txt",
                             "forward_leaky_relu_layer_alpha.txt", "forward_conv_tanh.txt",
                             "forward_conv_sigmoid_s2.txt",   "forward_conv_leaky_relu.txt",
                             "forward_dense_sigmoid.txt",     "forward_dense_tanh.txt",
                             "forward_inception_block.txt",   "forward_residual_block.txt",
                             "forward_residual_projection.txt", "forward_blocks_nested.txt"};
    st::check_fixtures_covered("forward_", covered, "tests/reference/forward_fixtures.cpp");
}
