// DepthwiseConv2D 'valid' with a kernel larger than its 13 x 13 input at position 3.
// expect: staticnet: DepthwiseConv2D kernel is larger than its input with padding = sn::valid
// expect-gcc: layer_check<3, staticnet::DepthwiseConv2D<
// expect-gcc: staticnet::Shape{13, 13, 8, 3}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}}>,
    sn::MaxPool2D<{.pool = 2}>,
    sn::DepthwiseConv2D<{.kernel = {3, 14}}>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
