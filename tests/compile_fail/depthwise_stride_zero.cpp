// DepthwiseConv2D with strides {1, 0} at position 2.
// expect: staticnet: DepthwiseConv2D strides must be at least 1
// expect-gcc: layer_check<2, staticnet::DepthwiseConv2D<
// expect-gcc: staticnet::Shape{26, 26, 8, 3}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}}>,
    sn::DepthwiseConv2D<{.kernel = 3, .strides = {1, 0}}>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
