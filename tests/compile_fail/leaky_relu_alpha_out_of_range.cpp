// LeakyReLU with alpha 1.5 (a slope above 1 is not a leaky ReLU; its derivative could not be
// read from the output's sign with a negative one).
// expect: staticnet: LeakyReLU alpha must be in (0, 1)
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<8, 8, 1>,
    sn::Flatten,
    sn::Dense<{.units = 16}>,
    sn::LeakyReLU<{.alpha = 1.5f}>,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
