// What the gradient-check tests (gradient_check.cpp, gradient_check_layers.cpp) share: a model
// in double made non-trivial, random inputs and labels, the network and single-layer checks, and
// the expectations on a result.
#pragma once

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <staticnet/core.hpp>
#include <staticnet/testing.hpp>
#include <staticnet/train/gradient_check.hpp>

namespace staticnet::test::gradient {

template <class Net, int B = 4, class Opt = Adam<>>
using DoubleModel = Model<Net, Opt, SparseCategoricalCrossentropy, B, double>;

// Keras initialisation, then biases, betas, gammas and the moving statistics made non-trivial
// (staticnet/testing.hpp): a zero bias after an all-zero patch puts a ReLU exactly on its kink,
// and moving statistics other than 0/1 show whether the checker restores them.
template <class M>
void prepare(M& model, std::uint64_t seed) {
    testing::randomize_parameters(model, seed);
}

inline std::vector<double> random_inputs(std::size_t count, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<double> x(count);
    for (auto& v : x) v = 2.0 * rng.uniform() - 1.0;
    return x;
}

template <class M>
std::vector<std::int32_t> labels_for(int n) {
    std::vector<std::int32_t> y(static_cast<std::size_t>(n));
    for (int s = 0; s < n; ++s) y[static_cast<std::size_t>(s)] = static_cast<std::int32_t>((3 * s + 1) % M::classes);
    return y;
}

// The largest worst_error expect_pass has seen in this test program.
inline double worst_seen = 0;

inline void expect_pass(const char* what, const GradientCheckResult& r, double bound, std::size_t max_skipped) {
    MESSAGE(std::string(what) << ": worst " << r.worst_error << " at p" << r.worst_position << " "
                              << std::string(r.worst_name) << "[" << r.worst_index << "] (a " << r.worst_analytic
                              << ", n " << r.worst_numeric << "), checked " << r.checked << ", skipped " << r.skipped
                              << ", floor " << r.abs_floor);
    INFO(std::string(what));
    if (r.worst_error > worst_seen) worst_seen = r.worst_error;
    CHECK(r.status == GradientCheckStatus::ok);
    CHECK(r.checked > 0);
    CHECK(r.failed == 0);
    CHECK(r.worst_error < bound);
    CHECK(r.skipped <= max_skipped);
    CHECK(r.passed());
}

// Builds a DoubleModel<Net, B>, checks n samples, and checks that the model came out of the
// check exactly as it went in (parameters, moving statistics, step).
template <class Net, int B = 4>
GradientCheckResult check_network(std::uint64_t seed, int n = 3, GradientCheckOptions opts = {},
                                  std::uint64_t step = 0) {
    using M = DoubleModel<Net, B>;
    static M model;
    prepare(model, seed);
    model.set_step(step);
    const auto x = random_inputs(static_cast<std::size_t>(n) * M::input_size, seed + 1);
    const auto y = labels_for<M>(n);
    const std::vector<double> before(model.parameters().begin(), model.parameters().end());
    const auto r = check_gradients(model, x, y, n, opts);
    const std::vector<double> after(model.parameters().begin(), model.parameters().end());
    CHECK(before == after);
    CHECK(model.step() == step);
    return r;
}

template <class Layer, Shape In, int N = 2>
GradientCheckResult check_layer(std::uint64_t seed, GradientCheckOptions opts = {}) {
    static LayerGradientCheck<Layer, In, N, double> c;
    c.initialize(seed);
    return c.check(N, opts);
}

// A convolution with `Filters` filters before the layer L, so L's input gradient reaches that
// convolution's parameters; then Flatten and a softmax Dense of 4 units.
template <class L, Shape In, int Filters>
using ConvThen = Sequential<Input<In.h, In.w, In.c>, Conv2D<{.filters = Filters, .kernel = {3, 3}, .padding = same}>,
                            L, Flatten, Dense<{.units = 4, .activation = softmax}>>;

}  // namespace staticnet::test::gradient
