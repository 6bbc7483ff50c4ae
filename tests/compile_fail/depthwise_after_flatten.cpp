// DepthwiseConv2D on a flat input (after Flatten) at position 3.
// expect: staticnet: DepthwiseConv2D needs an (H, W, C) input but this one is flat
// expect-gcc: layer_check<3, staticnet::DepthwiseConv2D<
// expect-gcc: staticnet::Shape{1, 1, 5408, 1}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}}>,
    sn::Flatten,
    sn::DepthwiseConv2D<{.kernel = 3}>,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
