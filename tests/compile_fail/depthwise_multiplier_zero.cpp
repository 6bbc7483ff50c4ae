// DepthwiseConv2D with depth_multiplier = 0 at position 2.
// expect: staticnet: DepthwiseConv2D depth_multiplier must be at least 1
// expect-gcc: layer_check<2, staticnet::DepthwiseConv2D<staticnet::DepthwiseConv2DOptions{staticnet::Size2{3, 3}, staticnet::Size2{1, 1}, staticnet::Padding::valid, 0
// expect-gcc: staticnet::Shape{26, 26, 8, 3}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}}>,
    sn::DepthwiseConv2D<{.kernel = 3, .depth_multiplier = 0}>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
