// BatchNormalization with epsilon 0 at position 2.
// expect: staticnet: BatchNormalization epsilon must be > 0
// expect-gcc: layer_check<2, staticnet::BatchNormalization<
// expect-gcc: staticnet::Shape{26, 26, 8, 3}
// max-errors: 1
#include <staticnet/core.hpp>

#include <cstdint>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}}>,
    sn::BatchNormalization<{.epsilon = 0.0f}>,
    sn::Flatten,
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
