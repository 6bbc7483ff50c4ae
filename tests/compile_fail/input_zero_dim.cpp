// Input<0, 28, 1>: a zero height.
// expect: staticnet: Input<H, W, C> dimensions must all be at least 1
// expect-gcc: input_check<0, 28, 1>
// max-errors: 1
#include <staticnet/core.hpp>

#include <cstdint>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<0, 28, 1>,
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
