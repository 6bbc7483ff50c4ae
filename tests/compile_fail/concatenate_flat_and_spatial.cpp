// A Concatenate of a flattened branch and a spatial one (the identity of a 7 x 7 x 8 tensor).
// expect: staticnet: Concatenate cannot join a flat branch with an (H, W, C) one
// expect-gcc: join_check<4, staticnet::JoinOrigin::concatenate, 1, staticnet::Shape{1, 1, 392, 1}, staticnet::Shape{7, 7, 8, 3}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<14, 14, 1>,
    sn::Conv2D<{.filters = 8, .kernel = 3, .padding = sn::same, .activation = sn::relu}>,
    sn::MaxPool2D<{.pool = 2}>,
    sn::Concatenate<sn::Flatten, sn::Identity>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
