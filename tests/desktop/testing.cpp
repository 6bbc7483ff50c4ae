// <staticnet/testing.hpp>, the helpers for users' own suites: the heap guard counts what it
// should (a control allocation) and nothing in predict or a training step; compare finds the
// worst value, counts failures, NaN on one side and ulps; check_network_gradients checks every
// trainable parameter of a small network with blocks and leaves the parameters unchanged.
#define STATICNET_TESTING_HEAP_GUARD
#include <staticnet/testing.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

namespace sn = staticnet;

namespace {
using Net = sn::Sequential<sn::Input<6, 6, 2>,
                           sn::Residual<sn::Conv2D<{.filters = 2, .kernel = 3, .padding = sn::same, .activation = sn::tanh}>>,
                           sn::BatchNormalization<>, sn::GlobalAveragePooling2D,
                           sn::Dense<{.units = 3, .activation = sn::softmax}>>;
sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, 4> model;
sn::Inference<Net, 2> inference;
}  // namespace

TEST_CASE("HeapGuard: installed, sees a control allocation, and none in predict or a training step") {
    REQUIRE(sn::testing::HeapGuard::installed());
    {
        sn::testing::HeapGuard guard;
        auto p = std::make_unique<int>(3);
        std::vector<float> v(10);
        CHECK(guard.allocations() == 2);
    }
    model.initialize(1);
    inference.initialize(2);
    std::array<float, 4 * 72> x{};
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 7) / 7.0f;
    const std::array<std::int32_t, 4> labels{0, 1, 2, 1};
    sn::testing::HeapGuard guard;
    const auto r = model.train_step(x, labels, 4);
    const auto y = inference.predict(std::span<const float, 2 * 72>(x.data(), 2 * 72));
    CHECK(r.status == sn::StepStatus::ok);
    CHECK(y.size() == 6);
    CHECK(guard.allocations() == 0);
}

TEST_CASE("compare: worst value, failures, NaN, ulps, sizes") {
    const std::vector<float> want{1.0f, -2.0f, 0.0f, 100.0f};
    CHECK(sn::testing::compare(want, want).ok());
    CHECK(sn::testing::compare(want, want).max_ulps == 0);
    std::vector<float> got = want;
    got[1] = std::nextafter(-2.0f, -3.0f);  // one ulp
    auto c = sn::testing::compare(got, want);
    CHECK(c.ok());
    CHECK(c.max_ulps == 1);
    got[3] = 100.01f;  // 1e-4 relative: above the default 1e-5
    c = sn::testing::compare(got, want);
    CHECK_FALSE(c.ok());
    CHECK(c.failures == 1);
    CHECK(c.worst_index == 3);
    CHECK(c.worst_error == doctest::Approx(0.01).epsilon(1e-3));
    CHECK(sn::testing::compare(got, want, {.relative = 1e-3, .absolute = 0}).ok());
    got[2] = std::numeric_limits<float>::quiet_NaN();
    c = sn::testing::compare(got, want, {.relative = 1e-3, .absolute = 0});
    CHECK(c.failures == 1);
    CHECK(c.worst_index == 2);
    const std::vector<double> shorter{1.0, 2.0};
    CHECK(sn::testing::compare(want, shorter).size_mismatch);
    CHECK_FALSE(sn::testing::compare(want, shorter).ok());
}

TEST_CASE("check_network_gradients: every trainable parameter of a network with a residual block") {
    const auto r = sn::testing::check_network_gradients<Net>(7);
    CHECK(r.status == sn::GradientCheckStatus::ok);
    CHECK(r.passed());
    CHECK(r.checked == Net::params.trainable);
    CHECK(r.worst_error < 1e-6);
}
