// Conv2D with a 9 x 9 kernel and valid padding at position 3 gets a 7 x 7 x 8 input.
// expect: staticnet: Conv2D kernel is larger than its input with padding = sn::valid; use a smaller kernel or padding = sn::same
// expect-gcc: layer_check<3, staticnet::Conv2D<staticnet::Conv2DOptions{16, staticnet::Size2{9, 9}
// expect-gcc: staticnet::Shape{7, 7, 8, 3}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>,
    sn::MaxPool2D<{.pool = {4, 4}}>,
    sn::Conv2D<{.filters = 16, .kernel = {9, 9}, .padding = sn::valid}>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
