// The two SparseCategoricalCrossentropy behaviours on hand-computed probabilities.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <staticnet/core.hpp>

namespace sn = staticnet;

namespace {
// Three samples, three classes:
//   s0: p = (0.7, 0.2, 0.1), y = 0  -> loss -log 0.7 = 0.356675, correct
//   s1: p = (1 - 2e-9, 1e-9, 1e-9), y = 2 -> p[y] = 1e-9 < 1e-7 (confidently wrong)
//   s2: p = (0.25, 0.25, 0.5), y = 1 -> loss -log 0.25 = 1.386294, wrong (argmax 2)
const double probs[9] = {0.7, 0.2, 0.1, 1 - 2e-9, 1e-9, 1e-9, 0.25, 0.25, 0.5};
const std::int32_t labels[3] = {0, 2, 1};
}  // namespace

TEST_CASE("fit's loss (default): -log p[y] and p - onehot for every sample, mean over the batch") {
    double g[9];
    const auto r = sn::SparseCategoricalCrossentropy::evaluate(probs, labels, 3, 3, g);
    const double expected = (-std::log(0.7) - std::log(1e-9) - std::log(0.25)) / 3;  // 7.5314...
    CHECK(r.loss == doctest::Approx(expected).epsilon(1e-14));
    CHECK(r.correct == 1);
    const double eg[9] = {(0.7 - 1) / 3, 0.2 / 3, 0.1 / 3, (1 - 2e-9) / 3, 1e-9 / 3, (1e-9 - 1) / 3,
                          0.25 / 3, (0.25 - 1) / 3, 0.5 / 3};
    for (int i = 0; i < 9; ++i) CHECK(g[i] == doctest::Approx(eg[i]).epsilon(1e-14));
}

TEST_CASE("clipped loss: -log clip(p[y], 1e-7, 1 - 1e-7), zero gradient for clipped samples") {
    double g[9];
    const auto r = sn::ClippedSparseCategoricalCrossentropy::evaluate(probs, labels, 3, 3, g);
    const double expected = (-std::log(0.7) - std::log(1e-7) - std::log(0.25)) / 3;
    CHECK(r.loss == doctest::Approx(expected).epsilon(1e-14));
    CHECK(r.correct == 1);
    for (int j = 3; j < 6; ++j) CHECK(g[j] == 0.0);
    CHECK(g[0] == doctest::Approx(-0.1).epsilon(1e-14));
    CHECK(g[7] == doctest::Approx(-0.25).epsilon(1e-14));
}

TEST_CASE("fit's loss: underflow is floored, NaN is kept (a diverging run must be caught)") {
    const float p[4] = {1.0f, 0.0f, std::numeric_limits<float>::quiet_NaN(), 0.5f};
    const std::int32_t y0[1] = {1};
    const auto r0 = sn::SparseCategoricalCrossentropy::evaluate(p, y0, 1, 2, static_cast<float*>(nullptr));
    CHECK(r0.loss == doctest::Approx(-std::log(static_cast<double>(std::numeric_limits<float>::min()))));  // 87.34
    const std::int32_t y1[1] = {0};
    const auto r1 = sn::SparseCategoricalCrossentropy::evaluate(p + 2, y1, 1, 2, static_cast<float*>(nullptr));
    CHECK(std::isnan(r1.loss));
    const auto r2 = sn::ClippedSparseCategoricalCrossentropy::evaluate(p + 2, y1, 1, 2, static_cast<float*>(nullptr));
    CHECK(std::isnan(r2.loss));
}
