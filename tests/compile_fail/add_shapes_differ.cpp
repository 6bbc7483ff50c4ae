// sn::Add over two branches with different channel counts (8 and 6).
// expect: staticnet: Add needs every branch to end in the same shape
// expect-gcc: join_check<4, staticnet::JoinOrigin::add, 1, staticnet::Shape{14, 14, 8, 3}, staticnet::Shape{14, 14, 6, 3}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = 3, .padding = sn::same, .activation = sn::relu}>,
    sn::MaxPool2D<{.pool = 2}>,
    sn::Add<sn::Identity, sn::Conv2D<{.filters = 6, .kernel = 1}>>,
    sn::GlobalAveragePooling2D,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
