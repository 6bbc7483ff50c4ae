// The seed networks of examples/seed_networks.hpp written in PyTorch (tools/gen-onnx.py: random
// weights, randomised BN statistics), imported at build time. PyTorch's exporter drops Dropout in
// eval mode, so bn and nin come back as the seed type without its Dropout: the same parameter
// layout, and the imported parameters predict the same in the seed type itself.
#include <doctest/doctest.h>

#include <type_traits>

#include "bn_model.hpp"
#include "common.hpp"
#include "deep_model.hpp"
#include "examples/seed_networks.hpp"
#include "nin_model.hpp"

namespace {

namespace sn = staticnet;
using sn::examples::conv3x3_32;
inline constexpr sn::Conv2DOptions conv1x1_16{.filters = 16, .kernel = {1, 1}, .activation = sn::relu};

using BnWithoutDropout = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<conv3x3_32>, sn::BatchNormalization<>,
    sn::Conv2D<conv3x3_32>, sn::BatchNormalization<>,
    sn::MaxPool2D<{.pool = {2, 2}}>,
    sn::Conv2D<conv3x3_32>, sn::BatchNormalization<>, sn::BatchNormalization<>,
    sn::Conv2D<conv3x3_32>,
    sn::MaxPool2D<{.pool = {2, 2}}>,
    sn::Flatten,
    sn::Dense<{.units = 32, .activation = sn::relu}>,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

using NinWithoutDropout = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<conv3x3_32>, sn::BatchNormalization<>,
    sn::Conv2D<conv1x1_16>, sn::BatchNormalization<>,
    sn::MaxPool2D<{.pool = {2, 2}}>,
    sn::Conv2D<conv3x3_32>, sn::BatchNormalization<>,
    sn::Conv2D<conv1x1_16>, sn::BatchNormalization<>,
    sn::MaxPool2D<{.pool = {2, 2}}>,
    sn::Flatten,
    sn::Dense<{.units = 32, .activation = sn::relu}>,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

// PyTorch's eps 1e-3 and momentum 0.01 are Keras's defaults: sn::BatchNormalization<>.
static_assert(std::is_same_v<deep_model::Network, sn::examples::Deep>);
static_assert(std::is_same_v<bn_model::Network, BnWithoutDropout>);
static_assert(std::is_same_v<nin_model::Network, NinWithoutDropout>);
static_assert(deep_model::parameters.signature == sn::signature_of<sn::examples::Deep>);
static_assert(BnWithoutDropout::params.total == sn::examples::Bn::params.total &&
              BnWithoutDropout::params.trainable == sn::examples::Bn::params.trainable);
static_assert(NinWithoutDropout::params.total == sn::examples::Nin::params.total &&
              NinWithoutDropout::params.trainable == sn::examples::Nin::params.trainable);

}  // namespace

TEST_CASE("onnx: deep (examples::Deep) predicts what PyTorch predicts") {
    onnx_test::check_header_text<sn::examples::Deep>("deep_model", deep_model::parameters.span());
    onnx_test::compare<sn::examples::Deep, deep_model::Inference<onnx_test::batch>>("deep", true, 7, 8);
}

TEST_CASE("onnx: bn (examples::Bn without its Dropout) predicts what PyTorch predicts, also as examples::Bn") {
    onnx_test::check_header_text<BnWithoutDropout>("bn_model", bn_model::parameters.span());
    onnx_test::compare<BnWithoutDropout, bn_model::Inference<onnx_test::batch>>("bn", true, 11, 12);
    onnx_test::compare<sn::examples::Bn, bn_model::Inference<onnx_test::batch>>("bn", true, 11, 12);
    onnx_test::compare_folded<bn_model::FoldedInference<onnx_test::batch>>("bn", true);
}

TEST_CASE("onnx: nin (examples::Nin without its Dropout, dynamic batch axis) predicts what PyTorch predicts") {
    onnx_test::check_header_text<NinWithoutDropout>("nin_model", nin_model::parameters.span());
    onnx_test::compare<NinWithoutDropout, nin_model::Inference<onnx_test::batch>>("nin", true, 11, 12);
    onnx_test::compare<sn::examples::Nin, nin_model::Inference<onnx_test::batch>>("nin", true, 11, 12);
    onnx_test::compare_folded<nin_model::FoldedInference<onnx_test::batch>>("nin", true);
}
