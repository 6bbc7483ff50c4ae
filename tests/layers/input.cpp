// Input<H, W, C>: position 0 of every Sequential; its shape is the network's input shape.
#include <doctest/doctest.h>

#include <staticnet/core.hpp>

namespace sn = staticnet;

namespace {

using N = sn::Sequential<sn::Input<13, 17, 3>, sn::Flatten>;
static_assert(sn::Input<13, 17, 3>::shape == sn::Shape{13, 17, 3, 3});
static_assert(N::input_shape == sn::Shape{13, 17, 3, 3} && N::shapes[0] == N::input_shape);
static_assert(N::input_shape.size() == 663);
static_assert(N::param_specs[0].count == 0 && N::macs[0] == 0);
static_assert(N::depth == 2 && N::layer_count == 1);
static_assert(sn::is_input<sn::Input<1, 1, 1>>::value && !sn::is_input<sn::Flatten>::value);

}  // namespace

TEST_CASE("Input: the inference input buffer holds Batch * H * W * C values") {
    static sn::Inference<N, 3, float> net;
    CHECK(net.input_buffer().size() == 3 * 663);
    CHECK(sn::Inference<N, 3, float>::input_size == 663);
    CHECK(sn::Inference<N, 3, float>::output_size == 663);
    // n outside 1..Batch, or an input that is not exactly n samples: an empty result with the
    // reason, nothing runs (tests/graph/predict.cpp has the rest).
    static float x[3 * 663] = {};
    CHECK(net.predict(std::span<const float>(x, 3 * 663), 4).status == sn::PredictStatus::bad_batch_size);
    CHECK(net.predict(std::span<const float>(x, 3 * 663), 0).empty());
    CHECK(net.predict(std::span<const float>(x, 662), 1).status == sn::PredictStatus::wrong_input_size);
    CHECK(net.predict(std::span<const float>(x, 664), 1).status == sn::PredictStatus::wrong_input_size);
    CHECK(net.predict(std::span<const float>(x, 663), 1).size() == 663);
}
