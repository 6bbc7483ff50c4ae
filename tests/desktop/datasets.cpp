// Datasets beyond MNIST's shape: samples of any H x W x C (or flat), built from arrays in memory
// (bytes or floats) as well as IDX files. fit/evaluate take any dataset whose sample shape is the
// network's input: a small colour task (8x8x3, the class is the dominant colour) and a flat MLP
// (Input<1, 1, 784>, the 28x28 quadrant set reshaped) both learn; float samples equal to the
// bytes train to the same bits; a wrong shape or bad arrays get a message naming the problem.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <ostream>
#include <staticnet/staticnet.hpp>
#include <streambuf>
#include <string>
#include <vector>

#include "desktop/support.hpp"
#include "desktop/synthetic.hpp"

namespace {

namespace sn = staticnet;
using sn::test::NullBuffer;
using sn::test::state_of;

using Colour = sn::Sequential<sn::Input<8, 8, 3>, sn::Conv2D<{.filters = 8, .kernel = {3, 3}, .activation = sn::relu}>,
                              sn::MaxPool2D<{.pool = 2}>, sn::Flatten, sn::Dense<{.units = 3, .activation = sn::softmax}>>;
using ColourModel = sn::Model<Colour, sn::Adam<{.learning_rate = 0.01f}>, sn::SparseCategoricalCrossentropy, 32>;
using Mlp = sn::Sequential<sn::Input<1, 1, 784>, sn::Dense<{.units = 32, .activation = sn::relu}>,
                           sn::Dense<{.units = 10, .activation = sn::softmax}>>;
using MlpModel = sn::Model<Mlp, sn::Adam<>, sn::SparseCategoricalCrossentropy, 32>;
ColourModel colour_a, colour_b;
MlpModel mlp;

// count 8x8 RGB samples: class k has channel k brighter than the other two (with noise), in
// [0, 1] as floats and as bytes (value * 255).
struct ColourData {
    std::vector<float> values;
    std::vector<std::uint8_t> bytes;
    std::vector<int> labels;
};
ColourData colour_data(int count, std::uint64_t seed) {
    ColourData c;
    sn::Rng rng(seed);
    for (int s = 0; s < count; ++s) {
        const int k = static_cast<int>(rng.below(3));
        c.labels.push_back(k);
        for (int p = 0; p < 64; ++p)
            for (int ch = 0; ch < 3; ++ch) {
                const int v = (ch == k ? 120 : 0) + static_cast<int>(rng.below(136));
                c.bytes.push_back(static_cast<std::uint8_t>(v));
                c.values.push_back(static_cast<float>(v) * (1.0f / 255.0f));  // what normalize computes
            }
    }
    return c;
}

sn::FitOptions quiet(std::ostream& out, int epochs) {
    sn::FitOptions o;
    o.epochs = epochs;
    o.validation_split = 0.2;
    o.seed = 5;
    o.threads = 2;
    o.out = &out;
    o.verbose = sn::Verbosity::silent;
    return o;
}

}  // namespace

TEST_CASE("a colour network (Input<8, 8, 3>) trains on a dataset built in memory") {
    NullBuffer nb;
    std::ostream null_out(&nb);
    const ColourData c = colour_data(600, 3);
    const auto floats = sn::data::from_memory(std::span<const float>(c.values), c.labels, 8, 8, 3, 3);
    CHECK(floats.size() == 600);
    CHECK(floats.floats());
    CHECK(floats.channels() == 3);
    colour_a.initialize(1);
    const auto h = sn::fit(colour_a, floats, quiet(null_out, 3));
    CHECK(h.val_accuracy.back() > 0.95);
    const auto test = sn::data::from_memory(std::span<const float>(colour_data(200, 4).values), colour_data(200, 4).labels,
                                            8, 8, 3, 3);
    CHECK(sn::evaluate(colour_a, test, quiet(null_out, 1)).accuracy > 0.95);

    // The same samples as bytes, scaled by fit's normalize (v * (1 / 255) in float, as above): the
    // same computation, bit for bit.
    const auto bytes = sn::data::from_memory(std::span<const std::uint8_t>(c.bytes), c.labels, 8, 8, 3, 3);
    CHECK(!bytes.floats());
    colour_b.initialize(1);
    sn::FitOptions o = quiet(null_out, 3);
    o.normalize = true;
    const auto hb = sn::fit(colour_b, bytes, o);
    const auto sa = state_of(colour_a), sb = state_of(colour_b);
    REQUIRE(sa.size() == sb.size());
    CHECK(std::memcmp(sa.data(), sb.data(), sa.size() * sizeof(float)) == 0);
    CHECK(hb.loss == h.loss);
    // normalize is for bytes only.
    CHECK_THROWS_WITH_AS(sn::fit(colour_a, floats, o), doctest::Contains("this dataset holds float samples"),
                         std::invalid_argument);
}

TEST_CASE("a flat MLP (Input<1, 1, 784>) trains on 28x28 images reshaped") {
    NullBuffer nb;
    std::ostream null_out(&nb);
    const auto images = sn::test::quadrant_dataset_28(400, 9);
    mlp.initialize(2);
    // The 28x28x1 set does not fit a 1x1x784 input as it is; the message says how to make it.
    CHECK_THROWS_WITH_AS(sn::fit(mlp, images, quiet(null_out, 1)),
                         "dataset samples are 28x28x1 but the network's Input is 1x1x784 (the same number of values: "
                         "use dataset.reshaped(1, 1, 784))",
                         sn::data::DataError);
    const auto flat = images.reshaped(1, 1, 784);
    sn::FitOptions o = quiet(null_out, 4);
    o.normalize = true;
    const auto h = sn::fit(mlp, flat, o);
    CHECK(h.val_accuracy.back() > 0.95);
    CHECK_THROWS_WITH_AS(images.reshaped(1, 1, 783),
                         "Dataset::reshaped: 1x1x783 does not hold the 784 values of a sample (28x28x1)",
                         std::invalid_argument);
}

TEST_CASE("from_memory refuses arrays that do not make a dataset") {
    const std::vector<float> four(4 * 12, 0.5f);
    const std::vector<int> labels = {0, 1, 2, 1};
    CHECK(sn::data::from_memory(std::span<const float>(four), labels, 2, 2, 3, 3).size() == 4);
    CHECK_THROWS_WITH_AS(sn::data::from_memory(std::span<const float>(four), labels, 2, 2, 2, 3),
                         "data::from_memory: 48 values for 4 labels of samples of 8 values (2x2x2): expected 32",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(sn::data::from_memory(std::span<const float>(four), std::vector<int>{0, 1, 3, 1}, 2, 2, 3, 3),
                         "data::from_memory: label 3 at index 2 is outside 0..2", std::invalid_argument);
    auto bad = four;
    bad[13] = std::numeric_limits<float>::quiet_NaN();
    CHECK_THROWS_WITH_AS(sn::data::from_memory(std::span<const float>(bad), labels, 2, 2, 3, 3),
                         "data::from_memory: value 1 of sample 1 is NaN", std::invalid_argument);
    CHECK_THROWS_WITH_AS(sn::data::from_memory(std::span<const float>(four), labels, 2, 0, 3, 3),
                         "data::from_memory: the sample shape 2x0x3 has a dimension below 1", std::invalid_argument);
    CHECK_THROWS_AS(sn::data::from_memory(std::span<const float>(four), labels, 2, 2, 3, 300), std::invalid_argument);
    // A dataset whose arrays disagree with its counts is refused by fit before any step.
    auto d = sn::data::from_memory(std::span<const float>(four), labels, 2, 2, 3, 3);
    d.values.pop_back();
    using Small = sn::Sequential<sn::Input<2, 2, 3>, sn::Flatten, sn::Dense<{.units = 3, .activation = sn::softmax}>>;
    static sn::Model<Small, sn::Adam<>, sn::SparseCategoricalCrossentropy, 4> small;
    NullBuffer nb;
    std::ostream null_out(&nb);
    CHECK_THROWS_WITH_AS(sn::fit(small, d, quiet(null_out, 1)),
                         "dataset of 4 samples of 2x2x3 holds 47 values and 4 labels (expected 48 and 4)",
                         sn::data::DataError);
}
