// Blocks (graph/blocks.hpp): how Concatenate, Add, Residual, Block and Repeat flatten into
// graph nodes; shapes and parameter counts by hand; both memory plans valid and at the peak of
// live buffers; Add and Concatenate forward by hand; gradient checks (double, finite
// differences) of an Inception block, residual blocks, fan-out into layers and joins, the same
// tensor twice in one join; bits independent of the thread count; the functional summary and
// the source spelling.
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include <staticnet/core.hpp>
#include <staticnet/desktop/parallel.hpp>
#include <staticnet/desktop/summary.hpp>
#include <staticnet/testing.hpp>

namespace sn = staticnet;

namespace {

using C3x4 = sn::Conv2D<{.filters = 4, .kernel = 3, .padding = sn::same, .activation = sn::relu}>;

// Everything at once: a residual block with an identity shortcut (BN in the body), an Inception
// block with an identity branch, a residual block with a strided projection.
using Mixed = sn::Sequential<
    sn::Input<8, 8, 2>,
    sn::Conv2D<{.filters = 4, .kernel = 3, .padding = sn::same, .activation = sn::relu}>,
    sn::Residual<sn::Block<C3x4, sn::BatchNormalization<>>>,
    sn::Concatenate<sn::Conv2D<{.filters = 2, .kernel = 1}>, sn::Block<sn::Conv2D<{.filters = 3, .kernel = 1}>, C3x4>,
                    sn::Identity>,
    sn::Residual<sn::Conv2D<{.filters = 6, .kernel = 3, .strides = 2, .padding = sn::same}>,
                 sn::Conv2D<{.filters = 6, .kernel = 1, .strides = 2}>>,
    sn::GlobalAveragePooling2D, sn::Dense<{.units = 3, .activation = sn::softmax}>>;

// Node list: 0 input, 1 conv, 2 conv, 3 BN, 4 add(3, 1), 5 conv1x1, 6 conv1x1, 7 conv3x3,
// 8 concatenate(5, 7, 4), 9 conv s2, 10 conv1x1 s2, 11 add(9, 10), 12 GAP, 13 dense.
static_assert(Mixed::depth == 14 && !Mixed::is_chain);
constexpr std::array<std::array<int, 3>, 14> mixed_inputs{
    {{}, {0}, {1}, {2}, {3, 1}, {4}, {4}, {6}, {5, 7, 4}, {8}, {8}, {9, 10}, {11}, {12}}};
constexpr bool inputs_are(const auto& want) {
    for (int p = 1; p < Mixed::depth; ++p) {
        const auto& in = Mixed::inputs[p];
        for (int i = 0; i < in.count; ++i)
            if (in.at[i] != want[p][i]) return false;
        for (int i = in.count; i < 3; ++i)
            if (want[p][i] != 0) return false;
    }
    return true;
}
static_assert(inputs_are(mixed_inputs));
static_assert(Mixed::inputs[4].count == 2 && Mixed::inputs[8].count == 3 && Mixed::inputs[11].count == 2);
static_assert(Mixed::shapes[4] == sn::Shape{8, 8, 4, 3});
static_assert(Mixed::shapes[8] == sn::Shape{8, 8, 2 + 4 + 4, 3});
static_assert(Mixed::shapes[11] == sn::Shape{4, 4, 6, 3});
static_assert(Mixed::output_shape == sn::flat_shape(3));
// conv 2->4 3x3, conv 4->4 3x3, BN 4 (2 x 4 trainable), 1x1 4->2, 1x1 4->3, 3x3 3->4,
// 3x3 10->6, 1x1 10->6, dense 6->3.
static_assert(Mixed::params.total ==
              (72 + 4) + (144 + 4) + 16 + (8 + 2) + (12 + 3) + (108 + 4) + (540 + 6) + (60 + 6) + (18 + 3));
static_assert(Mixed::params.non_trainable == 8);
static_assert(Mixed::reader_count[4] == 3 && Mixed::last_reader[4] == 8 && Mixed::last_reader[1] == 4);
static_assert(Mixed::reader_count[8] == 2 && Mixed::last_reader[13] == 14);
// Which readers add their gradient to a tensor's (not the last reader of it).
static_assert(Mixed::accumulates(5, 0) && Mixed::accumulates(6, 0) && !Mixed::accumulates(8, 2));
static_assert(Mixed::accumulates(2, 0) && !Mixed::accumulates(4, 1) && Mixed::accumulates(9, 0));

// A chain inside Block and Repeat flattens to the chain itself.
using Chain = sn::Sequential<sn::Input<6, 6, 1>, C3x4, C3x4, C3x4, sn::Flatten, sn::Dense<{.units = 2, .activation = sn::softmax}>>;
using Blocked = sn::Sequential<sn::Input<6, 6, 1>, sn::Block<C3x4, sn::Repeat<2, C3x4>>,
                               sn::Block<sn::Flatten, sn::Dense<{.units = 2, .activation = sn::softmax}>>>;
static_assert(Chain::is_chain && Blocked::is_chain);
static_assert(std::is_same_v<Chain::layer_types, Blocked::layer_types>);
static_assert(Chain::shapes == Blocked::shapes && Chain::params.total == Blocked::params.total);
static_assert(Chain::training_plan<8>().total == Blocked::training_plan<8>().total);
static_assert(sn::signature_of<Chain> != sn::signature_of<Blocked>);  // the spelling keeps the blocks

// The same tensor twice in one join (2x) and Repeat of a residual block.
using Twice = sn::Sequential<sn::Input<5, 5, 2>, sn::Conv2D<{.filters = 3, .kernel = 3, .padding = sn::same}>,
                             sn::Add<sn::Identity, sn::Identity>,
                             sn::Repeat<2, sn::Residual<sn::Conv2D<{.filters = 3, .kernel = 3, .padding = sn::same,
                                                                    .activation = sn::tanh}>>>,
                             sn::Flatten, sn::Dense<{.units = 3, .activation = sn::softmax}>>;
static_assert(Twice::depth == 9 && Twice::inputs[2].count == 2 && Twice::inputs[2].at[0] == 1 &&
              Twice::inputs[2].at[1] == 1);
static_assert(!Twice::accumulates(2, 0) && Twice::accumulates(2, 1));
static_assert(Twice::inputs[4].at[0] == 3 && Twice::inputs[4].at[1] == 2 && Twice::inputs[6].at[1] == 4);

// An Inception block (four branches: 1x1; 1x1 -> 3x3; 1x1 -> 5x5; 3x3 max pool -> 1x1) and a
// residual block with BN, as in the zoo, each checked as a whole.
using Inception = sn::Sequential<
    sn::Input<7, 7, 3>,
    sn::Concatenate<sn::Conv2D<{.filters = 2, .kernel = 1, .activation = sn::relu}>,
                    sn::Block<sn::Conv2D<{.filters = 2, .kernel = 1, .activation = sn::relu}>,
                              sn::Conv2D<{.filters = 3, .kernel = 3, .padding = sn::same, .activation = sn::relu}>>,
                    sn::Block<sn::Conv2D<{.filters = 1, .kernel = 1, .activation = sn::relu}>,
                              sn::Conv2D<{.filters = 2, .kernel = 5, .padding = sn::same, .activation = sn::relu}>>,
                    sn::Block<sn::MaxPool2D<{.pool = 3, .strides = 1, .padding = sn::same}>,
                              sn::Conv2D<{.filters = 2, .kernel = 1, .activation = sn::relu}>>>,
    sn::Flatten, sn::Dense<{.units = 4, .activation = sn::softmax}>>;
static_assert(Inception::shapes[Inception::depth - 3] == sn::Shape{7, 7, 2 + 3 + 2 + 2, 3});

using ResidualBlock = sn::Sequential<
    sn::Input<6, 6, 3>,
    sn::Residual<sn::Block<sn::Conv2D<{.filters = 4, .kernel = 3, .strides = 2, .padding = sn::same}>,
                           sn::BatchNormalization<>, sn::Activation<sn::relu>,
                           sn::Conv2D<{.filters = 4, .kernel = 3, .padding = sn::same}>, sn::BatchNormalization<>>,
                 sn::Block<sn::Conv2D<{.filters = 4, .kernel = 1, .strides = 2, .use_bias = false}>,
                           sn::BatchNormalization<>>>,
    sn::Activation<sn::relu>, sn::GlobalAveragePooling2D, sn::Dense<{.units = 3, .activation = sn::softmax}>>;
static_assert(ResidualBlock::shapes[ResidualBlock::depth - 4] == sn::Shape{3, 3, 4, 3});

template <class Net, int Batch>
constexpr bool plans_at_peak() {
    constexpr auto inf = Net::template inference_plan<Batch, float>();
    constexpr auto tr = Net::template training_plan<Batch, float>();
    return inf.valid() && tr.valid() && inf.total == sn::peak_live(inf.buffers, 16) &&
           tr.total == sn::peak_live(tr.buffers, 16);
}

template <class Net, int B = 4, class T = double>
using M = sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, B, T>;

template <class T>
std::vector<T> random_values(std::size_t count, std::uint64_t seed) {
    sn::Rng rng(seed);
    std::vector<T> x(count);
    for (auto& v : x) v = static_cast<T>(2.0 * rng.uniform() - 1.0);
    return x;
}

void expect_pass(const char* what, const sn::GradientCheckResult& r) {
    MESSAGE(std::string(what) << ": worst " << r.worst_error << " at p" << r.worst_position << " "
                              << std::string(r.worst_name) << "[" << r.worst_index << "], checked " << r.checked
                              << ", skipped " << r.skipped);
    INFO(std::string(what));
    CHECK(r.status == sn::GradientCheckStatus::ok);
    CHECK(r.checked > 0);
    CHECK(r.failed == 0);
    CHECK(r.worst_error < 5e-7);
    CHECK(r.passed());
}

}  // namespace

TEST_CASE("memory plans over branches: valid, at the peak of live buffers, in inference and training") {
    static_assert(plans_at_peak<Mixed, 1>() && plans_at_peak<Mixed, 4>() && plans_at_peak<Mixed, 64>());
    static_assert(plans_at_peak<Twice, 1>() && plans_at_peak<Twice, 32>());
    static_assert(plans_at_peak<Inception, 16>());
    // The one case here where no order the planner tries reaches the peak: the Inception block's
    // training plan at batch 1 (buffers of 1 to 28 alignment units), 2,000 elements where 1,936
    // are alive at once (3.3% above; an optimal placement exists: found by random search).
    constexpr auto small = Inception::training_plan<1, float>();
    static_assert(small.valid() && sn::peak_live(small.buffers, 16) == 1936 && small.total == 2000);
    static_assert(Inception::inference_plan<1, float>().total ==
                  sn::peak_live(Inception::inference_plan<1, float>().buffers, 16));
    static_assert(plans_at_peak<ResidualBlock, 1>() && plans_at_peak<ResidualBlock, 16>());
    // A branch point's tensor stays alive until its last reader: in inference the input of the
    // first residual block (tensor 1) lives until the add (position 4) reads it.
    constexpr auto inf = Mixed::inference_plan<1, float>();
    CHECK(inf.buffers[1].first == 1);
    CHECK(inf.buffers[1].last == 4);
    // ... and in training until the backward of the earliest reader that needs it: tensor 4 (the
    // add) is read by the 1x1 convs at 5 and 6 (which need their input) and the concatenation at
    // 8 (which does not): alive from step 4 to 5's backward, step 2 * 13 + 2 - 5 = 23.
    constexpr auto tr = Mixed::training_plan<1, float>();
    CHECK(tr.buffers[4].first == 4);
    CHECK(tr.buffers[4].last == 23);
    CHECK(Mixed::backward_step(5) == 23);
    // The gradient of tensor 4 (read by 5, 6 and 8): written by the join at 8's backward, added
    // to by 6 and 5 (through their own buffers), read by 4's backward.
    CHECK(tr.buffers[Mixed::depth + 4].first == Mixed::backward_step(8));
    CHECK(tr.buffers[Mixed::depth + 4].last == Mixed::backward_step(4));
    CHECK(tr.buffers[2 * Mixed::depth + 5].size == 8 * 8 * 4);
    CHECK(tr.buffers[2 * Mixed::depth + 8].size == 0);
    // No layer runs in place over a tensor another node still reads.
    CHECK_FALSE(Mixed::in_place_inference[8]);
    CHECK(inf.valid());
}

TEST_CASE("Add and Concatenate forward, by hand") {
    // 0 input (1 x 2 x 2), 1 conv 1x1 (2 filters, no bias), 2 add(0, 1), 3 conv 1x1 (1 filter),
    // 4 concatenate(2, 3), 5 flatten, 6 dense.
    using Net = sn::Sequential<sn::Input<1, 2, 2>, sn::Add<sn::Identity, sn::Conv2D<{.filters = 2, .kernel = 1, .use_bias = false}>>,
                               sn::Concatenate<sn::Identity, sn::Conv2D<{.filters = 1, .kernel = 1}>>, sn::Flatten,
                               sn::Dense<{.units = 2, .activation = sn::softmax}>>;
    static_assert(Net::inputs[2].at[0] == 0 && Net::inputs[2].at[1] == 1 && Net::inputs[4].at[0] == 2 &&
                  Net::inputs[4].at[1] == 3);
    static sn::Inference<Net, 1> net;
    net.initialize(1);
    const std::array<float, 4> a{0.5f, 1.0f, -1.0f, 2.0f};  // (cin, cout)
    std::ranges::copy(a, net.parameter(1, "kernel").begin());
    net.parameter(3, "kernel")[0] = 1.0f;
    net.parameter(3, "kernel")[1] = -0.5f;
    net.parameter(3, "bias")[0] = 0.25f;
    const std::array<float, 4> x{1, 2, 3, 4};  // pixel 0: (1, 2), pixel 1: (3, 4)
    std::vector<float> add, cat;
    const auto r = net.forward_each(x, 1, [&](int p, const float* y) {
        if (p == 2) add.assign(y, y + 4);
        if (p == 4) cat.assign(y, y + 6);
    });
    REQUIRE(r.ok());
    // conv: pixel 0 (1 * 0.5 + 2 * -1, 1 * 1 + 2 * 2) = (-1.5, 5); pixel 1 (-2.5, 11); plus x.
    CHECK(add == std::vector<float>{-0.5f, 7.0f, 0.5f, 15.0f});
    // second conv: -0.5 * 1 + 7 * -0.5 + 0.25 = -3.75; 0.5 - 7.5 + 0.25 = -6.75
    CHECK(cat == std::vector<float>{-0.5f, 7.0f, -3.75f, 0.5f, 15.0f, -6.75f});
}

TEST_CASE("gradient check: an Inception block as a whole") {
    expect_pass("inception", sn::testing::check_network_gradients<Inception>(31));
}

TEST_CASE("gradient check: a residual block with a projection and BN, as a whole") {
    expect_pass("residual", sn::testing::check_network_gradients<ResidualBlock>(32));
}

TEST_CASE("gradient check: residual, Inception and projection blocks in one network (fan-out into layers and joins)") {
    expect_pass("mixed", sn::testing::check_network_gradients<Mixed>(33));
}

TEST_CASE("gradient check: the same tensor twice in one Add, and a repeated residual block") {
    expect_pass("twice", sn::testing::check_network_gradients<Twice>(34));
}

TEST_CASE("training over branches gives the same bits on 1 and 2 threads") {
    using F = M<Mixed, 8, float>;
    static F one, two;
    one.initialize(5);
    two.initialize(5);
    sn::ThreadPool pool(2);
    two.set_executor(pool.executor());
    const auto x = random_values<float>(8 * F::input_size, 6);
    std::vector<std::int32_t> y(8);
    for (int s = 0; s < 8; ++s) y[static_cast<std::size_t>(s)] = s % 3;
    for (int step = 0; step < 3; ++step) {
        const auto a = one.train_step(x, y, 8), b = two.train_step(x, y, 8);
        REQUIRE(a.status == sn::StepStatus::ok);
        CHECK(a.loss == b.loss);
    }
    CHECK(std::ranges::equal(one.parameters(), two.parameters()));
    const auto p1 = one.predict(std::span<const float>(x), 8);
    const std::vector<float> first(p1.begin(), p1.end());
    const auto p2 = two.predict(std::span<const float>(x), 8);
    CHECK(std::ranges::equal(first, p2));
}

TEST_CASE("summary prints a network with blocks as Keras prints a functional model") {
    std::ostringstream s;
    sn::print_keras_table<Mixed>(s);
    const std::string under(98, '_'), equals(98, '=');
    const std::string want =
        "Model: \"model\"\n" + under + "\n" +
        "Layer (type)                    Output Shape         Param #     Connected to                     \n" + equals +
        "\n"
        "input_1 (InputLayer)            [(None, 8, 8, 2)]    0                                            \n" +
        under + "\n" +
        "conv2d (Conv2D)                 (None, 8, 8, 4)      76          input_1[0][0]                    \n" + under +
        "\n" +
        "conv2d_1 (Conv2D)               (None, 8, 8, 4)      148         conv2d[0][0]                     \n" + under +
        "\n" +
        "batch_normalization_v2 (BatchNo (None, 8, 8, 4)      16          conv2d_1[0][0]                   \n" + under +
        "\n" +
        "add (Add)                       (None, 8, 8, 4)      0           batch_normalization_v2[0][0]     \n"
        "                                                                 conv2d[0][0]                     \n" +
        under + "\n" +
        "conv2d_2 (Conv2D)               (None, 8, 8, 2)      10          add[0][0]                        \n" + under +
        "\n" +
        "conv2d_3 (Conv2D)               (None, 8, 8, 3)      15          add[0][0]                        \n" + under +
        "\n" +
        "conv2d_4 (Conv2D)               (None, 8, 8, 4)      112         conv2d_3[0][0]                   \n" + under +
        "\n" +
        "concatenate (Concatenate)       (None, 8, 8, 10)     0           conv2d_2[0][0]                   \n"
        "                                                                 conv2d_4[0][0]                   \n"
        "                                                                 add[0][0]                        \n" +
        under + "\n" +
        "conv2d_5 (Conv2D)               (None, 4, 4, 6)      546         concatenate[0][0]                \n" + under +
        "\n" +
        "conv2d_6 (Conv2D)               (None, 4, 4, 6)      66          concatenate[0][0]                \n" + under +
        "\n" +
        "add_1 (Add)                     (None, 4, 4, 6)      0           conv2d_5[0][0]                   \n"
        "                                                                 conv2d_6[0][0]                   \n" +
        under + "\n" +
        "global_average_pooling2d (Globa (None, 6)            0           add_1[0][0]                      \n" + under +
        "\n" +
        "dense (Dense)                   (None, 3)            21          global_average_pooling2d[0][0]   \n" +
        equals + "\n" +
        "Total params: 1,010\nTrainable params: 1,002\nNon-trainable params: 8\n" + under + "\n";
    CHECK(s.str() == want);
    // A chain keeps the Sequential table.
    std::ostringstream c;
    sn::print_keras_table<Blocked>(c);
    CHECK(c.str().rfind("Model: \"sequential\"\n", 0) == 0);
}

TEST_CASE("the source spelling keeps the blocks, nested and indented") {
    std::string text;
    sn::source::Writer counter;
    sn::source::write_item<sn::Repeat<2, sn::Residual<sn::Activation<sn::relu>>>>(counter, 2);
    text.resize(counter.size());
    sn::source::Writer w(text.data(), text.size());
    sn::source::write_item<sn::Repeat<2, sn::Residual<sn::Activation<sn::relu>>>>(w, 2);
    CHECK(text ==
          "sn::Repeat<2,\n"
          "        sn::Residual<\n"
          "            sn::Activation<sn::relu>,\n"
          "            sn::Identity>>");
    CHECK(sn::source_text<Blocked>() ==
          "sn::Sequential<\n"
          "    sn::Input<6, 6, 1>,\n"
          "    sn::Block<\n"
          "        sn::Conv2D<{.filters = 4, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::same, .activation = "
          "sn::relu, .use_bias = true}>,\n"
          "        sn::Repeat<2,\n"
          "            sn::Conv2D<{.filters = 4, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::same, "
          ".activation = sn::relu, .use_bias = true}>>>,\n"
          "    sn::Block<\n"
          "        sn::Flatten,\n"
          "        sn::Dense<{.units = 2, .activation = sn::softmax, .use_bias = true}>>>");
}
