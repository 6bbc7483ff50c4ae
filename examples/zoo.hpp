// The model zoo: the CNN variants the Keras original names (AlexNet/VGG, GoogLeNet, Network in
// Network) and their descendants, sized for 28 x 28 x 1 inputs (MNIST, Fashion-MNIST), each one
// C++ type. tools/train --network NAME trains one, --network zoo all of them.
//
//   deep, bn, nin   the three seed networks (seed_networks.hpp)
//   lenet5          LeCun et al. 1998: 5x5 convolutions, average pooling, tanh, 120-84-10
//   nin_gap         Lin et al. 2013, the original Network in Network: mlpconv blocks (a
//                   convolution and two 1x1 convolutions), global average pooling into the
//                   classes, no Dense; under 20,000 parameters
//   tiny            under 20,000 parameters and 99% on MNIST: eight unpadded 3x3 / 1x1
//                   convolutions with BN at full resolution, one max pool, global average
//                   pooling into a 10-unit Dense (the lightweight-CNN pattern)
//   inception       GoogLeNet-style: a stem and two Inception blocks (1x1; 1x1 -> 3x3;
//                   1x1 -> 5x5; 3x3 max pool -> 1x1), global average pooling
//   resnet          He et al. 2015 (CIFAR-style): basic residual blocks of two 3x3 convolutions
//                   with BN, 1x1 strided projections where the shape changes, 16-32-64 channels
//   mobilenet       Howard et al. 2017 (MobileNet v1): depthwise 3x3 then pointwise 1x1
//                   convolutions, each with BN and ReLU, strided depthwise layers instead of
//                   pooling, global average pooling
//   vgg             Simonyan & Zisserman 2014 (AlexNet's successor) sized for 28 x 28, with
//                   BatchNormalization as in vgg16_bn: 3x3 convolutions in pairs, max pooling,
//                   a 256-unit Dense with BN and Dropout
#pragma once
#include <staticnet/core.hpp>

#include "seed_networks.hpp"

namespace staticnet::examples::zoo {

namespace sn = staticnet;

using LeNet5 = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 6, .kernel = 5, .padding = sn::same, .activation = sn::tanh}>,
    sn::AveragePooling2D<{.pool = 2}>,
    sn::Conv2D<{.filters = 16, .kernel = 5, .activation = sn::tanh}>,
    sn::AveragePooling2D<{.pool = 2}>,
    sn::Flatten,
    sn::Dense<{.units = 120, .activation = sn::tanh}>,
    sn::Dense<{.units = 84, .activation = sn::tanh}>,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

// An mlpconv block: a k x k convolution and two 1x1 convolutions, each with BN.
template <int Filters, int Kernel, int Out = Filters>
using MlpConv = sn::Block<
    sn::Conv2D<{.filters = Filters, .kernel = Kernel, .padding = sn::same, .activation = sn::relu}>,
    sn::BatchNormalization<>,
    sn::Conv2D<{.filters = Filters, .kernel = 1, .activation = sn::relu}>,
    sn::BatchNormalization<>,
    sn::Conv2D<{.filters = Out, .kernel = 1, .activation = sn::relu}>>;

using NinGap = sn::Sequential<
    sn::Input<28, 28, 1>,
    MlpConv<16, 5>,
    sn::MaxPool2D<{.pool = 2}>,
    sn::Dropout<{.rate = 0.1f}>,
    MlpConv<32, 3>,
    sn::MaxPool2D<{.pool = 2}>,
    sn::Dropout<{.rate = 0.1f}>,
    sn::BatchNormalization<>,
    sn::Conv2D<{.filters = 32, .kernel = 3, .padding = sn::same, .activation = sn::relu}>,
    sn::BatchNormalization<>,
    sn::Conv2D<{.filters = 10, .kernel = 1}>,  // one map per class
    sn::GlobalAveragePooling2D,
    sn::Activation<sn::softmax>>;

// Convolution without bias, BN, ReLU: the unit of the BN networks below.
template <int Filters, int Kernel, sn::Padding Pad = sn::valid>
using ConvBnRelu = sn::Block<sn::Conv2D<{.filters = Filters, .kernel = Kernel, .padding = Pad, .use_bias = false}>,
                             sn::BatchNormalization<>, sn::Activation<sn::relu>>;

// Under 20,000 parameters: most of the work at full resolution (no padding, so every layer
// shrinks the map by 2), a 1x1 transition after the one pooling, GAP instead of a big Dense.
using Tiny = sn::Sequential<
    sn::Input<28, 28, 1>,
    ConvBnRelu<16, 3>,            // 26 x 26 x 16
    ConvBnRelu<16, 3>,            // 24 x 24 x 16
    ConvBnRelu<32, 3>,            // 22 x 22 x 32
    sn::MaxPool2D<{.pool = 2}>,   // 11 x 11 x 32
    ConvBnRelu<16, 1>,            // 11 x 11 x 16
    sn::Repeat<4, ConvBnRelu<16, 3>>,  // 9, 7, 5, 3
    sn::GlobalAveragePooling2D,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

// Inception block (GoogLeNet's "inception module" with dimension reductions).
template <int B1, int R3, int B3, int R5, int B5, int P>
using InceptionBlock = sn::Concatenate<
    sn::Conv2D<{.filters = B1, .kernel = 1, .activation = sn::relu}>,
    sn::Block<sn::Conv2D<{.filters = R3, .kernel = 1, .activation = sn::relu}>,
              sn::Conv2D<{.filters = B3, .kernel = 3, .padding = sn::same, .activation = sn::relu}>>,
    sn::Block<sn::Conv2D<{.filters = R5, .kernel = 1, .activation = sn::relu}>,
              sn::Conv2D<{.filters = B5, .kernel = 5, .padding = sn::same, .activation = sn::relu}>>,
    sn::Block<sn::MaxPool2D<{.pool = 3, .strides = 1, .padding = sn::same}>,
              sn::Conv2D<{.filters = P, .kernel = 1, .activation = sn::relu}>>>;

using Inception = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 32, .kernel = 3, .padding = sn::same, .activation = sn::relu}>,
    sn::BatchNormalization<>,
    sn::MaxPool2D<{.pool = 2}>,                 // 14 x 14 x 32
    InceptionBlock<16, 16, 32, 8, 8, 8>,        // 14 x 14 x 64
    sn::BatchNormalization<>,
    sn::MaxPool2D<{.pool = 2}>,                 // 7 x 7 x 64
    InceptionBlock<32, 32, 48, 8, 16, 16>,      // 7 x 7 x 112
    sn::BatchNormalization<>,
    sn::GlobalAveragePooling2D,
    sn::Dropout<{.rate = 0.2f}>,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

// ResNet's basic block: conv-BN-ReLU-conv-BN plus the shortcut, then ReLU. Stride 1 keeps the
// shape (identity shortcut); a strided block projects the input with a 1x1 convolution and BN.
template <int Filters>
using BasicBlock = sn::Block<
    sn::Residual<sn::Block<sn::Conv2D<{.filters = Filters, .kernel = 3, .padding = sn::same, .use_bias = false}>,
                           sn::BatchNormalization<>, sn::Activation<sn::relu>,
                           sn::Conv2D<{.filters = Filters, .kernel = 3, .padding = sn::same, .use_bias = false}>,
                           sn::BatchNormalization<>>>,
    sn::Activation<sn::relu>>;
template <int Filters>
using DownBlock = sn::Block<
    sn::Residual<sn::Block<sn::Conv2D<{.filters = Filters, .kernel = 3, .strides = 2, .padding = sn::same,
                                       .use_bias = false}>,
                           sn::BatchNormalization<>, sn::Activation<sn::relu>,
                           sn::Conv2D<{.filters = Filters, .kernel = 3, .padding = sn::same, .use_bias = false}>,
                           sn::BatchNormalization<>>,
                 sn::Block<sn::Conv2D<{.filters = Filters, .kernel = 1, .strides = 2, .use_bias = false}>,
                           sn::BatchNormalization<>>>,
    sn::Activation<sn::relu>>;

using ResNet = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 16, .kernel = 3, .padding = sn::same, .use_bias = false}>,
    sn::BatchNormalization<>,
    sn::Activation<sn::relu>,
    BasicBlock<16>,   // 28 x 28 x 16
    DownBlock<32>,    // 14 x 14 x 32
    BasicBlock<32>,
    DownBlock<64>,    // 7 x 7 x 64
    BasicBlock<64>,
    sn::GlobalAveragePooling2D,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

// MobileNet's depthwise-separable block: depthwise 3x3 (stride S) - BN - ReLU - pointwise 1x1 - BN - ReLU.
template <int Filters, int Stride = 1>
using DepthwiseSeparable = sn::Block<
    sn::DepthwiseConv2D<{.kernel = 3, .strides = Stride, .padding = sn::same, .use_bias = false}>,
    sn::BatchNormalization<>, sn::Activation<sn::relu>,
    sn::Conv2D<{.filters = Filters, .kernel = 1, .use_bias = false}>,
    sn::BatchNormalization<>, sn::Activation<sn::relu>>;

using MobileNet = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 16, .kernel = 3, .padding = sn::same, .use_bias = false}>,
    sn::BatchNormalization<>,
    sn::Activation<sn::relu>,
    DepthwiseSeparable<32>,        // 28 x 28 x 32
    DepthwiseSeparable<64, 2>,     // 14 x 14 x 64
    DepthwiseSeparable<64>,
    DepthwiseSeparable<128, 2>,    // 7 x 7 x 128
    sn::Repeat<2, DepthwiseSeparable<128>>,
    sn::GlobalAveragePooling2D,
    sn::Dropout<{.rate = 0.2f}>,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

using Vgg = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Repeat<2, ConvBnRelu<32, 3, sn::same>>,
    sn::MaxPool2D<{.pool = 2}>,   // 14 x 14 x 32
    sn::Repeat<2, ConvBnRelu<64, 3, sn::same>>,
    sn::MaxPool2D<{.pool = 2}>,   // 7 x 7 x 64
    sn::Flatten,
    sn::Dense<{.units = 256, .use_bias = false}>,
    sn::BatchNormalization<>,
    sn::Activation<sn::relu>,
    sn::Dropout<{.rate = 0.5f}>,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

// Every zoo network with its tools/train name, for code that visits them all:
//   sn::examples::zoo::for_each([&]<class Net>(const char* name) { ... });
template <class F>
void for_each(F&& f) {
    f.template operator()<Deep>("deep");
    f.template operator()<Bn>("bn");
    f.template operator()<Nin>("nin");
    f.template operator()<LeNet5>("lenet5");
    f.template operator()<NinGap>("nin_gap");
    f.template operator()<Tiny>("tiny");
    f.template operator()<Inception>("inception");
    f.template operator()<ResNet>("resnet");
    f.template operator()<MobileNet>("mobilenet");
    f.template operator()<Vgg>("vgg");
}
inline constexpr const char* names[] = {"deep", "bn", "nin", "lenet5", "nin_gap", "tiny", "inception", "resnet", "mobilenet",
                                        "vgg"};

}  // namespace staticnet::examples::zoo
