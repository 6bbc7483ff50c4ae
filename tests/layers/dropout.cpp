// Dropout: identity at inference (in place); in training keeps about 1 - rate of the elements,
// scales them by 1 / (1 - rate), and draws the mask from (seed, position, step) exactly as
// include/staticnet/API.md specifies, so backward and a second run see the same mask.
#include <doctest/doctest.h>

#include <cstdint>
#include <staticnet/core.hpp>

#include "support.hpp"

namespace sn = staticnet;

namespace {

using Dr = sn::Sequential<sn::Input<13, 17, 3>, sn::Dropout<{.rate = 0.25f}>>;
static_assert(Dr::shapes[1] == Dr::shapes[0] && Dr::params.total == 0 && Dr::macs_per_sample == 0);
static_assert(Dr::layer<1>::in_place);

// The generator spelled out from include/staticnet/API.md, independently of core/rng.hpp.
constexpr std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
constexpr std::uint64_t key_of(std::uint64_t s, int p, std::uint64_t t) {
    return mix(mix(s + static_cast<std::uint64_t>(p)) + t);
}
static_assert(sn::dropout_key(2024, 13, 5) == key_of(2024, 13, 5));
static_assert(sn::dropout_key(2024, 13, 5) == 0x0e2a631216b56e7full);  // pinned (Python check)
static_assert(sn::dropout_key(0, 0, 0) == mix(mix(0)));
static_assert(sn::dropout_key(1, 2, 3) != sn::dropout_key(1, 2, 4));
static_assert(sn::dropout_key(1, 2, 3) != sn::dropout_key(1, 3, 3));
static_assert(sn::dropout_key(1, 2, 3) != sn::dropout_key(2, 2, 3));
// threshold = floor(rate * 2^24) with the float rate widened to double:
// 0.2f = 0.20000000298..., * 2^24 = 3355443.25 -> 3355443
// 0.3f = 10066330 / 2^25 exactly, * 2^24 = 5033165 exactly (the double 0.3 would give 5033164)
static_assert(sn::dropout_threshold(static_cast<double>(0.2f)) == 3355443);
static_assert(sn::dropout_threshold(static_cast<double>(0.3f)) == 5033165);
static_assert(sn::dropout_threshold(0.5) == 8388608);
static_assert(sn::dropout_threshold(0.0) == 0);

// The first 64 keep decisions of one mask as bits (bit i = element i kept).
constexpr std::uint64_t mask_bits(std::uint64_t key, std::uint32_t threshold) {
    std::uint64_t bits = 0;
    for (std::uint64_t i = 0; i < 64; ++i)
        if ((mix(key + i) >> 40) >= threshold) bits |= std::uint64_t{1} << i;
    return bits;
}
// FNV-1a over the first 1000 keep decisions (one byte 0/1 each).
constexpr std::uint64_t mask_hash(std::uint64_t key, std::uint32_t threshold) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (std::uint64_t i = 0; i < 1000; ++i) {
        h ^= sn::dropout_keep(key, i, threshold) ? 1u : 0u;
        h *= 0x100000001b3ull;
    }
    return h;
}
// Pinned from an independent Python implementation of the API.md formula
// (seed 2024, position 13, step 5, rate 0.2f).
static_assert(mask_bits(sn::dropout_key(2024, 13, 5), 3355443) == 0xee3eebbdfe7edf7full);
static_assert(mask_hash(sn::dropout_key(2024, 13, 5), 3355443) == 0xc9e719875feac615ull);

constexpr int units = 50'000;  // x 2 samples = 10^5 elements
double xs[2 * units];
double ys[2 * units];
double gys[2 * units];
double gxs[2 * units];

}  // namespace

TEST_CASE("Dropout is the identity at inference, in place") {
    using Net = sn::Sequential<sn::Input<2, 2, 3>, sn::Dropout<{.rate = 0.5f}>>;
    static sn::Inference<Net, 2, double> net;
    static double x[24];
    for (int i = 0; i < 24; ++i) x[i] = i - 11.5;
    const auto y = net.predict(x, 2);
    REQUIRE(y.size() == 24);
    for (int i = 0; i < 24; ++i) CHECK(y[i] == i - 11.5);
    CHECK(y.data() == net.input_buffer().data());
}

TEST_CASE("Dropout in training: fraction kept, scale, mask from (seed, position, step)") {
    constexpr float rate = 0.3f;
    using L = sn::Dropout<{.rate = rate}>;
    constexpr sn::Shape in = sn::flat_shape(units);
    const std::uint64_t seed = 12345, step = 17;
    const int position = 4;
    for (int i = 0; i < 2 * units; ++i) xs[i] = 1.0 + i % 7;  // never 0, so kept <=> y != 0

    sn::LayerContext<double> ctx;
    ctx.training = true;
    ctx.dropout_key = sn::dropout_key(seed, position, step);
    L::forward<in, double>(ctx, xs, ys, 2);

    const double scale = 1.0 / (1.0 - static_cast<double>(rate));  // T(1) / (T(1) - T(rate))
    const std::uint32_t threshold = sn::dropout_threshold(static_cast<double>(rate));
    const std::uint64_t key = key_of(seed, position, step);
    int kept = 0, mask_mismatch = 0, value_mismatch = 0;
    for (int i = 0; i < 2 * units; ++i) {
        const bool keep = (mix(key + static_cast<std::uint64_t>(i)) >> 40) >= threshold;
        if ((ys[i] != 0) != keep) ++mask_mismatch;
        if (keep && ys[i] != xs[i] * scale) ++value_mismatch;
        kept += keep ? 1 : 0;
    }
    CHECK(mask_mismatch == 0);
    CHECK(value_mismatch == 0);
    CHECK(scale == doctest::Approx(1.0 / 0.7).epsilon(1e-7));
    // Binomial(10^5, 0.7): standard deviation 145 elements (0.00145); allow 7 of them.
    const double fraction = kept / 1e5;
    CAPTURE(fraction);
    CHECK(fraction > 0.69);
    CHECK(fraction < 0.71);

    // Reproducible: the same (seed, position, step) gives the same mask; backward uses it too.
    for (int i = 0; i < 2 * units; ++i) gys[i] = 1.0;
    L::backward<in, double>(ctx, xs, ys, gys, gxs, 2);
    int backward_mismatch = 0;
    for (int i = 0; i < 2 * units; ++i)
        if (gxs[i] != (ys[i] != 0 ? scale : 0.0)) ++backward_mismatch;
    CHECK(backward_mismatch == 0);

    // Another step gives another mask (about 2 * 0.3 * 0.7 = 42% of the decisions differ).
    ctx.dropout_key = sn::dropout_key(seed, position, step + 1);
    L::forward<in, double>(ctx, xs, gxs, 2);
    int differ = 0;
    for (int i = 0; i < 2 * units; ++i) differ += (gxs[i] != 0) != (ys[i] != 0) ? 1 : 0;
    CHECK(differ > 40'000);
    CHECK(differ < 44'000);
}

TEST_CASE("Dropout with rate 0 is the identity in training too") {
    using L = sn::Dropout<{.rate = 0.0f}>;
    sn::LayerContext<double> ctx;
    ctx.training = true;
    ctx.dropout_key = 99;
    const double x[3] = {1, -2, 3};
    double y[3] = {};
    L::forward<sn::flat_shape(3), double>(ctx, x, y, 1);
    layer_tests::check_close<double>(y, {1, -2, 3});
}

TEST_CASE("Model's training step draws Dropout masks from (model seed, layer position, step)") {
    // x (16 ones) -> Flatten (1) -> Dropout 0.5 (2) -> Dense softmax, 2 units (3), kernel 0.
    // With a zero kernel p = (1/2, 1/2); label 0 gives dL/dz = (-1/2, 1/2), so the kernel
    // gradient row i is (-1/2, 1/2) * dropped_x[i], dropped_x[i] = 2 if kept else 0.
    using Net = sn::Sequential<sn::Input<1, 1, 16>, sn::Flatten, sn::Dropout<{.rate = 0.5f}>,
                               sn::Dense<{.units = 2, .activation = sn::softmax}>>;
    static sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, 1, double> model;
    const std::uint64_t seed = 77;
    model.initialize(seed);
    static const double x[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    static const std::int32_t label[1] = {0};
    for (std::uint64_t step : {std::uint64_t{0}, std::uint64_t{7}}) {
        CAPTURE(step);
        for (double& k : model.parameter(3, "kernel")) k = 0;
        model.set_step(step);
        const auto r = model.compute_gradients(x, label, 1);
        REQUIRE(r.status == sn::StepStatus::ok);
        const auto g = model.gradient(3, "kernel");
        REQUIRE(g.size() == 32);
        const std::uint64_t key = key_of(seed, 2, step);
        int kept = 0;
        for (int i = 0; i < 16; ++i) {
            const bool keep = (mix(key + static_cast<std::uint64_t>(i)) >> 40) >= 8388608u;
            kept += keep;
            CAPTURE(i);
            CHECK(g[2 * i] == doctest::Approx(keep ? -1.0 : 0.0));
            CHECK(g[2 * i + 1] == doctest::Approx(keep ? 1.0 : 0.0));
        }
        CHECK(kept > 0);
        CHECK(kept < 16);
    }
}
