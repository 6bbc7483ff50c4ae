// Input<0, 28, 1>: a zero height.
// expect: staticnet: Input<H, W, C> dimensions must all be at least 1
// expect-gcc: input_check<0, 28, 1>
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<0, 28, 1>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
