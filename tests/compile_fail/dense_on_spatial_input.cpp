// Dense at position 3 directly after a 14 x 14 x 8 feature map: the Flatten is missing.
// expect: staticnet: Dense needs a flat input but gets (H, W, C); insert sn::Flatten before this Dense layer
// expect-gcc: layer_check<3, staticnet::Dense<
// expect-gcc: staticnet::Shape{14, 14, 8, 3}
// max-errors: 1
#include <staticnet/core.hpp>

#include <cstdint>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>,
    sn::MaxPool2D<{.pool = {2, 2}}>,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

// Used the way a program uses a network: inference and a training step.
static sn::Inference<Net, 4> inference;
static sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, 4> model;

int main() {
    static float x[4 * Net::input_shape.size()] = {};
    static std::int32_t labels[4] = {};
    model.initialize(1);
    const auto trained = model.train_step(x, labels, 4);
    return trained.correct + static_cast<int>(inference.predict(x, 4).size());
}
