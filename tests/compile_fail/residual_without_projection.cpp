// A residual body that halves the size and doubles the channels, without a projection: the
// body ends at 7 x 7 x 16, the block's input is 14 x 14 x 8.
// expect: staticnet: Residual<Body> adds the body's output to the block's input, but their shapes differ
// expect-gcc: join_check<5, staticnet::JoinOrigin::residual, 1, staticnet::Shape{7, 7, 16, 3}, staticnet::Shape{14, 14, 8, 3}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = 3, .padding = sn::same, .activation = sn::relu}>,
    sn::MaxPool2D<{.pool = 2}>,
    sn::Residual<sn::Block<sn::Conv2D<{.filters = 16, .kernel = 3, .strides = 2, .padding = sn::same,
                                       .activation = sn::relu}>,
                           sn::Conv2D<{.filters = 16, .kernel = 3, .padding = sn::same}>>>,
    sn::GlobalAveragePooling2D,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
