// API misuse that compiles (run-time sizes and names) must give a clear status, never a crash or
// a silent wrong result; the compile-time forms are checked by tests/compile_fail
// (predict_*, *_name_misspelled, *_over_static_memory_limit, inference_size_overflow).
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <staticnet/core.hpp>

#include "tests/compile_fail/models/tiny_model.hpp"

namespace sn = staticnet;

namespace {

using Net = sn::Sequential<sn::Input<4, 4, 1>,
                           sn::Conv2D<{.filters = 2, .kernel = {3, 3}, .activation = sn::relu}>,
                           sn::BatchNormalization<>, sn::Flatten,
                           sn::Dense<{.units = 3, .activation = sn::softmax}>>;
constexpr std::size_t in = 16, out = 3;

std::vector<float> samples(int n) {
    std::vector<float> x(static_cast<std::size_t>(n) * in);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 7) % 11) / 11.0f - 0.3f;
    return x;
}

// predict / forward_each of any of the three classes on every kind of wrong input.
template <class P>
void check_run_time_sizes(P& net) {
    const std::vector<float> x = samples(4);  // Batch 3 below: one sample more than fits
    const std::span<const float> all(x);

    const sn::Prediction<float> good = net.predict(all.first(2 * in), 2);
    CHECK(good.ok());
    CHECK(good.status == sn::PredictStatus::ok);
    REQUIRE(good.size() == 2 * out);
    const std::vector<float> want(good.begin(), good.end());

    // Too short, too long (it used to run on the first n samples, silently), a partial sample.
    for (std::size_t size : {std::size_t{0}, 2 * in - 1, 2 * in + 1, 3 * in, 2 * in + in / 2}) {
        CAPTURE(size);
        const sn::Prediction<float> r = net.predict(all.first(size), 2);
        CHECK(r.status == sn::PredictStatus::wrong_input_size);
        CHECK(!r.ok());
        CHECK(r.empty());
        CHECK(r.data() == nullptr);
    }
    // n outside 1..Batch: whatever the input.
    for (int n : {0, -1, 4, 1000}) {
        CAPTURE(n);
        const auto r = net.predict(all.first(n > 0 && n <= 4 ? static_cast<std::size_t>(n) * in : 0), n);
        CHECK(r.status == sn::PredictStatus::bad_batch_size);
        CHECK(r.empty());
    }
    CHECK(std::string(sn::to_string(sn::PredictStatus::wrong_input_size)) == "input size is not n * input_size values");
    CHECK(std::string(sn::to_string(sn::PredictStatus::bad_batch_size)) == "sample count n outside 1..Batch");

    // forward_each: nothing runs, no callback, on a wrong size.
    int calls = 0;
    const auto bad = net.forward_each(all.first(in + 1), 1, [&](int, const float*) { ++calls; });
    CHECK(bad.status == sn::PredictStatus::wrong_input_size);
    CHECK(calls == 0);
    const auto ok = net.forward_each(all.first(in), 1, [&](int, const float*) { ++calls; });
    CHECK(ok.ok());
    CHECK(calls == Net::layer_count);

    // A failed call leaves the next one unaffected; the compile-time forms give the same numbers.
    std::array<float, 2 * in> two{};
    std::copy_n(x.begin(), two.size(), two.begin());
    const std::span<const float, 2 * out> fixed = net.predict(two);
    CHECK(std::equal(fixed.begin(), fixed.end(), want.begin(), want.end()));
    const auto same = net.predict(two, 2);
    CHECK(same.ok());
    CHECK(std::equal(same.begin(), same.end(), want.begin(), want.end()));
    CHECK(net.predict(two, 1).status == sn::PredictStatus::wrong_input_size);  // 2 samples, n = 1
    // The object's own input buffer, one sample of it: nothing copied.
    std::span<float> buffer;
    if constexpr (requires { net.input_buffer(); })
        buffer = net.input_buffer();
    else
        buffer = net.inference_input();  // Model
    std::copy_n(x.begin(), in, buffer.begin());
    const auto own = net.predict(buffer.first(in), 1);
    CHECK(own.ok());
    CHECK(std::equal(own.begin(), own.end(), want.begin(), want.begin() + out));
}

}  // namespace

TEST_CASE("predict(x, n): x must be exactly n samples, n in 1..Batch (Inference)") {
    static sn::Inference<Net, 3> net;
    net.initialize(7);
    check_run_time_sizes(net);
}

TEST_CASE("predict(x, n): the same checks on Model and StaticInference") {
    static sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, 3> model;
    model.initialize(7);
    check_run_time_sizes(model);

    static sn::StaticInference<tiny_model::Network, tiny_model::parameters, 3> flash;
    const std::vector<float> x = samples(2);
    CHECK(flash.predict(std::span<const float>(x), 2).size() == 2 * 3);
    CHECK(flash.predict(std::span<const float>(x).first(in + 3), 1).status == sn::PredictStatus::wrong_input_size);
    CHECK(flash.predict(std::span<const float>(x), 2).ok());
    std::array<float, in> one{};
    const std::span<const float, 3> y = flash.predict(one);
    CHECK(y.size() == 3);

    // evaluate_batch and train_step still take longer buffers (the first n samples).
    const std::vector<float> four = samples(3);
    const std::int32_t labels[3] = {0, 2, 1};
    CHECK(model.evaluate_batch(four, labels, 2).status == sn::StepStatus::ok);
    CHECK(model.train_step(four, labels, 2).status == sn::StepStatus::ok);
}

TEST_CASE("parameter names: literals are checked at compile time, find_parameter looks up run-time names") {
    static sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, 2> model;
    model.initialize(3);
    CHECK(model.parameter(1, "kernel").size() == 18);
    CHECK(model.parameter(2, "moving_variance").size() == 2);
    CHECK(model.parameter(1, "gamma").empty());  // a known name, but not at this position
    CHECK(model.gradient(2, "moving_mean").empty());  // non-trainable
    CHECK(model.gradient(2, "gamma").size() == 2);

    // Names from run-time strings: the same tensors, or empty for an unknown name or position.
    const std::string kernel = "kernel", misspelled = "kernal";
    CHECK(model.find_parameter(1, kernel).data() == model.parameter(1, "kernel").data());
    CHECK(model.find_gradient(4, std::string("bias")).data() == model.gradient(4, "bias").data());
    CHECK(model.find_parameter(1, misspelled).empty());
    CHECK(model.find_gradient(1, misspelled).empty());
    CHECK(model.find_parameter(1, "kernel ").empty());
    CHECK(model.find_parameter(1, "kerne").empty());
    CHECK(model.find_parameter(-1, kernel).empty());
    CHECK(model.find_parameter(Net::depth, kernel).empty());
    CHECK(model.find_gradient(2, "moving_mean").empty());
    for (int p = 0; p < Net::depth; ++p)
        for (int k = 0; k < Net::param_specs[p].count; ++k) {
            const std::string name = Net::param_specs[p].items[k].name;
            CHECK(model.find_parameter(p, name).size() == Net::param_specs[p].items[k].size);
        }

    static sn::Inference<Net, 1> net;
    CHECK(net.parameter(2, "beta").size() == 2);
    CHECK(net.find_parameter(2, std::string("beta")).data() == net.parameter(2, "beta").data());
    CHECK(net.find_parameter(2, std::string("betta")).empty());
}

// Byte counts saturate instead of wrapping (core/sizes.hpp), and the static memory check sees them.
static_assert(sn::mul_sizes(std::size_t{1} << 40, std::size_t{1} << 30) == sn::size_overflow);
static_assert(sn::mul_sizes(3, 5, 7) == 105 && sn::mul_sizes(0, sn::size_overflow) == 0);
static_assert(sn::add_sizes(sn::size_overflow - 1, 2) == sn::size_overflow && sn::add_sizes(2, 3, 4) == 9);
static_assert(sn::Shape{2147483647, 2147483647, 2147483647, 3}.size() == sn::size_overflow);
static_assert(sn::Shape{65536, 65536, 1, 3}.size() == (std::size_t{1} << 32));
static_assert(sn::round_up(sn::size_overflow - 3, 16) == sn::size_overflow);
static_assert(sn::conv_out_length(2147483647, 3, 2, sn::same) == 1073741824);  // no int overflow
static_assert(sn::max_static_bytes == (std::size_t{1} << 32));                  // the default: 4 GiB
using Huge = sn::Sequential<sn::Input<2147483647, 2147483647, 2147483647>, sn::Conv2D<{.filters = 2, .kernel = 1}>>;
static_assert(Huge::inference_plan<1, float>().total == sn::size_overflow);
static_assert(Huge::params.total == 2 * std::size_t{2147483647} + 2);
using M = sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, 64>;
static_assert(M::fits_limit && M::total_bytes == M::persistent_bytes + M::arena_elements * sizeof(float));
static_assert(M::persistent_bytes == M::parameter_bytes + M::gradient_bytes + M::optimizer_bytes + M::scratch_bytes);
static_assert(sn::Inference<Net, 8>::fits_limit && sn::Inference<Net, 8>::object_bytes ==
                                                       sn::Inference<Net, 8>::arena_bytes + 4 * Net::params.total);
