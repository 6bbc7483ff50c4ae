// MaxPool2D with an 8 x 8 window (valid padding) at position 3 gets a 7 x 7 x 8 input.
// expect: staticnet: MaxPool2D pool window is larger than its input with padding = sn::valid; use a smaller pool or padding = sn::same
// expect-gcc: layer_check<3, staticnet::MaxPool2D<staticnet::MaxPool2DOptions{staticnet::Size2{8, 8}
// expect-gcc: staticnet::Shape{7, 7, 8, 3}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>,
    sn::MaxPool2D<{.pool = {4, 4}}>,
    sn::MaxPool2D<{.pool = {8, 8}}>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
