// A wrong layer inside a branch is reported like any other, at its node position (the Dense
// at position 4 reads the 7 x 7 x 8 output of the branch's first layer, position 3).
// expect: staticnet: Dense needs a flat input but gets (H, W, C); insert sn::Flatten before this Dense layer
// expect-gcc: layer_check<4, staticnet::Dense<
// expect-gcc: staticnet::Shape{7, 7, 8, 3}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = 3, .padding = sn::same, .activation = sn::relu}>,
    sn::MaxPool2D<{.pool = 2}>,
    sn::Concatenate<sn::Block<sn::MaxPool2D<{.pool = 2}>, sn::Dense<{.units = 4}>>, sn::Identity>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
