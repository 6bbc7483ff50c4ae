// BatchNormalization with epsilon 0 at position 2.
// expect: staticnet: BatchNormalization epsilon must be > 0
// expect-gcc: layer_check<2, staticnet::BatchNormalization<
// expect-gcc: staticnet::Shape{26, 26, 8, 3}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}}>,
    sn::BatchNormalization<{.epsilon = 0.0f}>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
