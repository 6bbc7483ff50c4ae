// An optimizer option that cannot work: a negative learning rate (it would climb the loss).
// expect: staticnet: Adam learning_rate must be a positive number
// max-errors: 1
#include <staticnet/core.hpp>

#include <cstdint>

namespace sn = staticnet;

using Net = sn::Sequential<sn::Input<8, 8, 1>, sn::Flatten, sn::Dense<{.units = 4, .activation = sn::softmax}>>;
static sn::Model<Net, sn::Adam<{.learning_rate = -0.001f}>, sn::SparseCategoricalCrossentropy, 4> model;

int main() {
    static float x[4 * 64] = {};
    static std::int32_t labels[4] = {};
    return model.train_step(x, labels, 4).correct;
}
