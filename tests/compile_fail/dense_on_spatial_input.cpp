// Dense at position 3 directly after a 14 x 14 x 8 feature map: the Flatten is missing.
// expect: staticnet: Dense needs a flat input but gets (H, W, C); insert sn::Flatten before this Dense layer
// expect-gcc: layer_check<3, staticnet::Dense<
// expect-gcc: staticnet::Shape{14, 14, 8, 3}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>,
    sn::MaxPool2D<{.pool = {2, 2}}>,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
