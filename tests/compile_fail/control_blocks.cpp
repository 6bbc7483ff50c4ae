// Positive control for the blocks: the README's network (an Inception block, a residual block with
// a strided projection, Repeat, Add) compiles without a warning (-Werror), as an Inference and a
// Model with a training step.
// expect-success
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Inception = sn::Concatenate<
    sn::Conv2D<{.filters = 16, .kernel = 1, .activation = sn::relu}>,
    sn::Block<sn::Conv2D<{.filters = 16, .kernel = 1, .activation = sn::relu}>,
              sn::Conv2D<{.filters = 32, .kernel = 3, .padding = sn::same, .activation = sn::relu}>>,
    sn::Block<sn::MaxPool2D<{.pool = 3, .strides = 1, .padding = sn::same}>,
              sn::Conv2D<{.filters = 8, .kernel = 1, .activation = sn::relu}>>>;
using Down = sn::Residual<
    sn::Block<sn::Conv2D<{.filters = 32, .kernel = 3, .strides = 2, .padding = sn::same}>,
              sn::BatchNormalization<>, sn::Activation<sn::relu>,
              sn::Conv2D<{.filters = 32, .kernel = 3, .padding = sn::same}>, sn::BatchNormalization<>>,
    sn::Conv2D<{.filters = 32, .kernel = 1, .strides = 2}>>;
using Net = sn::Sequential<sn::Input<28, 28, 1>, sn::Conv2D<{.filters = 16, .kernel = 3, .padding = sn::same}>,
                           Inception, sn::MaxPool2D<{.pool = 2}>, Down, sn::GlobalAveragePooling2D,
                           sn::Dense<{.units = 10, .activation = sn::softmax}>>;
static_assert(Net::shapes[Net::depth - 3] == sn::Shape{7, 7, 32, 3});
using WithRepeat = sn::Sequential<sn::Input<8, 8, 4>, sn::Repeat<3, sn::Add<sn::Identity, sn::Conv2D<{.filters = 4, .kernel = 1}>>>,
                                  sn::Flatten, sn::Dense<{.units = 2, .activation = sn::softmax}>>;
static_assert(WithRepeat::depth == 1 + 3 * 2 + 2);

#include "use_network.hpp"
