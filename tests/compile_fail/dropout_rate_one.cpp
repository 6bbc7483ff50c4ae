// Dropout with rate 1.0 at position 3 (it would drop everything).
// expect: staticnet: Dropout rate must be in [0, 1)
// expect-gcc: layer_check<3, staticnet::Dropout<staticnet::DropoutOptions{1.0e+0f}>
// expect-gcc: staticnet::Shape{1, 1, 32, 1}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Flatten,
    sn::Dense<{.units = 32, .activation = sn::relu}>,
    sn::Dropout<{.rate = 1.0f}>,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
