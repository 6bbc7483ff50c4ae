// The small CNN trained on MNIST by tools/gen-onnx.py (Conv-ReLU-BN-MaxPool-Conv-BN-ReLU-MaxPool-
// view-Linear-ReLU-Dropout-Linear[-Softmax]), imported at build time: the network type we expect
// (the second BN folded into its conv by PyTorch's exporter, the Dropout gone, the Softmax fused),
// the same header model_source<that type> writes, and PyTorch's outputs on real MNIST images.
#include <doctest/doctest.h>

#include <type_traits>

#include "common.hpp"
#include "small_cnn_logits_model.hpp"
#include "rgb_model.hpp"
#include "small_cnn_model.hpp"

namespace {

namespace sn = staticnet;

template <sn::ActivationFunction Head>
using SmallCnn = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 4, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>,
    sn::BatchNormalization<{.momentum = 0.9f, .epsilon = 1e-5f}>,  // PyTorch's defaults
    sn::MaxPool2D<{.pool = {2, 2}}>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}, .activation = sn::relu}>,  // + the folded BN
    sn::MaxPool2D<{.pool = {2, 2}}>,
    sn::Flatten,
    sn::Dense<{.units = 16, .activation = sn::relu}>,
    sn::Dense<{.units = 10, .activation = Head}>>;

static_assert(std::is_same_v<small_cnn_model::Network, SmallCnn<sn::softmax>>);
static_assert(std::is_same_v<small_cnn_logits_model::Network, SmallCnn<sn::linear>>);
static_assert(small_cnn_model::Network::params.total == 5146);

// Three channels, 'same' max-pooling, a BatchNorm1d after Flatten (permuted like the Dense rows),
// ReLU then a standalone Softmax; BN momentum 0.01 and eps 1e-5 in PyTorch.
using Rgb = sn::Sequential<
    sn::Input<16, 16, 3>,
    sn::Conv2D<{.filters = 4, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>,  // + the folded BN
    sn::MaxPool2D<{.pool = {3, 3}, .strides = {1, 1}, .padding = sn::same}>,
    sn::Flatten,
    sn::BatchNormalization<{.momentum = 0.99f, .epsilon = 1e-5f}>,
    sn::Dense<{.units = 5, .activation = sn::relu}>,
    sn::Activation<sn::softmax>>;
static_assert(std::is_same_v<rgb_model::Network, Rgb>);

}  // namespace

TEST_CASE("onnx: the small CNN trained on MNIST predicts what PyTorch predicts") {
    onnx_test::check_header_text<SmallCnn<sn::softmax>>("small_cnn_model", small_cnn_model::parameters.span());
    onnx_test::compare<SmallCnn<sn::softmax>, small_cnn_model::Inference<onnx_test::batch>>("small_cnn", true, 6, 7);
    onnx_test::compare_folded<small_cnn_model::FoldedInference<onnx_test::batch>>("small_cnn", true);

    // It is a trained network: it gets most of the 8 images right, as in PyTorch.
    static small_cnn_model::Inference<onnx_test::batch> net;
    const auto y = net.predict(onnx_test::reference_input(), onnx_test::batch);
    const auto& labels = onnx_test::reference().tensor("labels").values;
    int correct = 0;
    for (int i = 0; i < onnx_test::batch; ++i)
        correct += std::max_element(y.begin() + 10 * i, y.begin() + 10 * i + 10) - (y.begin() + 10 * i) ==
                   static_cast<long>(labels[static_cast<std::size_t>(i)]);
    CHECK(correct >= 6);
}

TEST_CASE("onnx: the same network ending in logits (no Softmax) gives PyTorch's logits") {
    onnx_test::check_header_text<SmallCnn<sn::linear>>("small_cnn_logits_model", small_cnn_logits_model::parameters.span());
    onnx_test::compare<SmallCnn<sn::linear>, small_cnn_logits_model::Inference<onnx_test::batch>>("small_cnn_logits",
                                                                                                   false, 6, 7);
    // Both headers hold the same parameters (one trained network).
    const auto a = small_cnn_model::parameters.span(), b = small_cnn_logits_model::parameters.span();
    CHECK(std::equal(a.begin(), a.end(), b.begin(), b.end()));
}

TEST_CASE("onnx: three channels (NHWC input), BatchNorm1d after Flatten, a standalone Softmax") {
    onnx_test::check_header_text<Rgb>("rgb_model", rgb_model::parameters.span());
    onnx_test::compare<Rgb, rgb_model::Inference<onnx_test::batch>>("rgb", true, 3, 5, "rgb.input");
    onnx_test::compare_folded<rgb_model::FoldedInference<onnx_test::batch>>("rgb", true, "rgb.input");
}
