// Positive control for the predict_* and *_name_misspelled cases: the compile-time forms compile
// (-Werror) and give compile-time extents; run-time sizes and names have their run-time forms.
// expect-success
#include <staticnet/core.hpp>

#include <array>
#include <span>
#include <string_view>

#include "examples/seed_networks.hpp"

namespace sn = staticnet;
namespace ex = staticnet::examples;

static sn::Inference<ex::Nin, 4> inference;
static sn::Model<ex::Bn, sn::Adam<>, sn::SparseCategoricalCrossentropy, 4> model;

int main(int argc, char**) {
    static std::array<float, 2 * 784> two{};
    static float four[4 * 784] = {};
    const std::span<const float, 20> a = inference.predict(two);  // n = 2 from the size
    const std::span<const float, 40> b = model.predict(four);
    const std::span<const float, 10> c = inference.predict(std::span<const float>(four).first<784>());
    const sn::Prediction<float> d = inference.predict(std::span<const float>(four, 784 * static_cast<std::size_t>(argc)), argc);
    const sn::Prediction<float> e = model.predict(four, 4);
    // Every name a layer of the library uses; "gamma" also on a network without BatchNormalization
    // (the position decides at run time: an empty span).
    const std::size_t sizes = inference.parameter(1, "kernel").size() + inference.parameter(1, "bias").size() +
                              inference.parameter(2, "gamma").size() + inference.parameter(2, "beta").size() +
                              inference.parameter(2, "moving_mean").size() +
                              inference.parameter(2, "moving_variance").size() + model.gradient(1, "kernel").size() +
                              model.parameter(1, "scale").size() + model.parameter(1, "shift").size();
    const std::string_view run_time = argc > 1 ? "kernal" : "kernel";
    const std::size_t found = model.find_parameter(1, run_time).size() + model.find_gradient(1, run_time).size();
    return static_cast<int>(a.size() + b.size() + c.size() + d.size() + e.size() + sizes + found) +
           (d.ok() ? 0 : 1);
}
