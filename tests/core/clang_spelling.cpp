// Clang 14 (Debian 12's) does not accept braced class-type template arguments such as
// sn::Conv2D<{.filters = 4}>; it does accept the options type spelled out. This file, built by
// clang++ when it is installed, keeps the library itself clang-clean in that spelling:
// a whole training step and a prediction.
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<8, 8, 1>,
    sn::Conv2D<sn::Conv2DOptions{.filters = 4, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>,
    sn::BatchNormalization<>, sn::MaxPool2D<>, sn::Flatten,
    sn::Dense<sn::DenseOptions{.units = 8, .activation = sn::relu}>, sn::Dropout<sn::DropoutOptions{.rate = 0.25f}>,
    sn::Dense<sn::DenseOptions{.units = 3, .activation = sn::softmax}>>;
static_assert(Net::params.total == (4 * 9 + 4) + 4 * 4 + (64 * 8 + 8) + (8 * 3 + 3));

static sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, 4> model;

int main() {
    static float x[4 * 64];
    for (int i = 0; i < 4 * 64; ++i) x[i] = static_cast<float>(i % 7);
    const std::int32_t y[4] = {0, 1, 2, 1};
    model.initialize(1);
    const auto first = model.train_step(x, y, 4);
    for (int i = 0; i < 30; ++i) model.train_step(x, y, 4);
    const auto last = model.train_step(x, y, 4);
    const std::span<const float, 12> fixed = model.predict(x);  // compile-time extents
    const bool names = model.parameter(1, "kernel").size() == 36 && model.gradient(2, "moving_mean").empty() &&
                       model.find_parameter(1, "kernal").empty();
    const bool ok = first.status == sn::StepStatus::ok && last.loss < first.loss && model.predict(x, 4).size() == 12 &&
                    fixed[0] == model.predict(x, 4)[0] && names &&
                    model.predict(std::span<const float>(x, 65), 1).status == sn::PredictStatus::wrong_input_size;
    return ok ? 0 : 1;
}
