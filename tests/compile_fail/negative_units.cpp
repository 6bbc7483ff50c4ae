// Dense with .units = -5 at position 2: the one message and nothing else.
// expect: staticnet: Dense needs units > 0 (set .units)
// expect-gcc: layer_check<2, staticnet::Dense<staticnet::DenseOptions{-5,
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Flatten,
    sn::Dense<{.units = -5, .activation = sn::relu}>,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
