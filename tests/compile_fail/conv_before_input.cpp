// A Conv2D at position 0, before the Input.
// expect: staticnet: a Sequential network must start with sn::Input<H, W, C>
// expect-gcc: sequential_check<false
// expect-gcc: First = staticnet::Conv2D<
// max-errors: 1
#include <staticnet/core.hpp>

#include <cstdint>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}}>,
    sn::Input<28, 28, 1>,
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
