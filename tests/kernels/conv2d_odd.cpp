// SIMD Conv2D kernels against the reference on odd geometries: channels that are no multiple of
// the vector width, output-channel tails, strides, asymmetric 'same' padding, no bias.
#include "kernels/conv2d_check.hpp"

namespace {

// Channels that are not a multiple of any vector width; a tail of output channels.
using Odd = Case<9, 11, 3, sn::Conv2DOptions{.filters = 19, .kernel = {3, 3}, .padding = sn::same}>;
// Stride 2 with 'same' padding on an even size: TF pads asymmetrically (0 before, 1 after).
using Stride2Same = Case<10, 12, 5, sn::Conv2DOptions{.filters = 17, .kernel = {3, 3}, .strides = {2, 2}, .padding = sn::same}>;
// Even kernel, 'same': asymmetric padding (pad_top 1, bottom 2 for 4 high), rectangular strides.
using EvenKernel = Case<8, 13, 6, sn::Conv2DOptions{.filters = 33, .kernel = {4, 2}, .strides = {1, 3}, .padding = sn::same}>;
// 'valid', 5x5, stride (2, 3), no bias, few output channels (all of them a tail).
using ValidNoBias = Case<13, 17, 7, sn::Conv2DOptions{.filters = 5, .kernel = {5, 5}, .strides = {2, 3}, .use_bias = false}>;
// A wide row (more pixels than one register block) and 64 channels (two channel chunks).
using Wide = Case<3, 37, 4, sn::Conv2DOptions{.filters = 64, .kernel = {3, 3}, .padding = sn::same}>;


TEST_CASE("simd conv2d: odd channels, strides, asymmetric padding") {
    check_both_types<Odd>("3x3 same 3->19 9x11");
    check_both_types<Stride2Same>("3x3 same stride 2 5->17 10x12");
    check_both_types<EvenKernel>("4x2 same stride (1,3) 6->33 8x13");
    check_both_types<ValidNoBias>("5x5 valid stride (2,3) 7->5 no bias");
    check_both_types<Wide>("3x3 same 4->64 3x37");
}

}  // namespace
