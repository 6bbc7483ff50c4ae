// An Inception-style Concatenate whose second branch strides by 2: 14 x 14 x 8 next to 7 x 7 x 4.
// expect: staticnet: Concatenate joins branches along channels, so every branch must end at the same height and width
// expect-gcc: join_check<4, staticnet::JoinOrigin::concatenate, 1, staticnet::Shape{14, 14, 8, 3}, staticnet::Shape{7, 7, 4, 3}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = 3, .padding = sn::same, .activation = sn::relu}>,
    sn::MaxPool2D<{.pool = 2}>,
    sn::Concatenate<sn::Identity,
                    sn::Conv2D<{.filters = 4, .kernel = 3, .strides = 2, .padding = sn::same}>>,
    sn::GlobalAveragePooling2D,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
