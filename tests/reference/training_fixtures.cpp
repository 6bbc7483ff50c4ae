// Training steps against the PyTorch float64 reference fixtures (tests/fixtures/train_*.txt and
// dropout_rng.txt, written by tools/gen-reference; format and network types: FORMAT.md).
//
// For every train_*.txt: a static sn::Model<Net, sn::Adam<>, sn::ClippedSparseCategoricalCrossentropy,
// N, T> (the seed networks exactly staticnet::examples::Deep, Bn, Nin), all parameters loaded
// from the file (BN moving statistics included), seed and step set as recorded; per step:
//   - the training-mode forward's every layer output (L{p}.output), dropout masks and BN batch
//     statistics, from the library's own training forward (detail::Runner::forward_training,
//     the code compute_gradients runs) on an arena without reuse and with update_statistics
//     off, so it leaves the model untouched (tests/graph/seed_networks.cpp checks that a step
//     on such an arena and on the model's planned one give bit-identical results);
//   - compute_gradients(input, labels): loss, correct count, every parameter gradient;
//   - apply_gradients(): every parameter after the step, the BN moving statistics included.
// A second step (same batch, from the step-1 state including Adam's m and v) where the file
// has one. Every tensor and scalar of a file must be used by the comparison (checked).
// Hyper-parameters recorded in the files are checked against the C++ option structs.
// Both T = double (everything, tight) and T = float (see the tolerances below for what float
// checks on the seed networks, and why). The fixtures were generated with the clipped loss
// (sn::ClippedSparseCategoricalCrossentropy): the seed networks' batches have no clipped sample,
// where both losses agree. Also: the clipped samples of train_tiny_clip.txt give
// zero gradient, and dropout_rng.txt's hash / key / mask vectors.
// STATICNET_FIXTURE_VERBOSE=1 prints every tensor's error.
#include "support/fixture_compare.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <examples/seed_networks.hpp>
#include <staticnet/core.hpp>

namespace sn = staticnet;
namespace st = staticnet::test;

namespace {

using st::compare;
using st::compare_scalar;
using st::fixture_path;
using st::key;
using st::Tracked;
using st::Worst;

template <class T>
constexpr const char* type_name() {
    return sizeof(T) == sizeof(double) ? "double" : "float";
}

// Loads every parameter tensor (moving statistics included) from L{p}.<name>.
template <class Net, class M>
void load_parameters(M& model, Tracked& f) {
    for (int p = 1; p < Net::depth; ++p)
        for (int k = 0; k < Net::param_specs[p].count; ++k) {
            const std::string name = Net::param_specs[p].items[k].name;
            const auto dst = model.find_parameter(p, name);
            REQUIRE(dst.size() == Net::param_specs[p].items[k].size);
            st::copy_to(f.tensor(key(p, name)), dst);
        }
}

// The hyper-parameters the file records are those of the C++ types (float option values).
template <class Net, int P>
void check_constants_at(Tracked& f) {
    using L = typename Net::template layer<P>;
    if constexpr (requires { L::options.momentum; }) {
        CHECK(f.scalar(key(P, "momentum")) == static_cast<double>(L::options.momentum));
        CHECK(f.scalar(key(P, "epsilon")) == static_cast<double>(L::options.epsilon));
    }
    if constexpr (requires { L::options.rate; }) {
        const double rate = static_cast<double>(L::options.rate);
        CHECK(f.scalar(key(P, "rate")) == rate);
        CHECK(f.scalar(key(P, "threshold")) == static_cast<double>(sn::dropout_threshold(rate)));
        CHECK(f.scalar(key(P, "scale")) == 1.0 / (1.0 - rate));
    }
}
template <class Net, std::size_t... I>
void check_constants(Tracked& f, std::index_sequence<I...>) {
    (check_constants_at<Net, static_cast<int>(I) + 1>(f), ...);
    constexpr auto adam = sn::Adam<>::options;
    CHECK(f.scalar("adam.learning_rate") == static_cast<double>(adam.learning_rate));
    CHECK(f.scalar("adam.beta_1") == static_cast<double>(adam.beta_1));
    CHECK(f.scalar("adam.beta_2") == static_cast<double>(adam.beta_2));
    CHECK(f.scalar("adam.epsilon") == static_cast<double>(adam.epsilon));
    CHECK(f.scalar("loss.clip_epsilon") == sn::ClippedSparseCategoricalCrossentropy::epsilon);
}

// The library's training-mode forward over an arena without reuse: every activation stays
// readable afterwards, BN batch statistics are left in `state` (mean, 1/sqrt(var + eps)).
template <class Net, int N, class T>
struct TrainingForward {
    struct Plan {
        std::array<std::size_t, 2 * Net::depth> offset{};
    };
    static constexpr Plan plan = [] {
        Plan p;
        std::size_t at = 0;
        for (int i = 0; i < Net::depth; ++i) {
            p.offset[static_cast<std::size_t>(i)] = at;
            at += static_cast<std::size_t>(N) * Net::shapes[static_cast<std::size_t>(i)].size();
        }
        for (int i = Net::depth; i < 2 * Net::depth; ++i) p.offset[static_cast<std::size_t>(i)] = at;  // unused
        return p;
    }();
    static constexpr std::size_t total = plan.offset[Net::depth];

    std::vector<T> arena = std::vector<T>(total);
    std::vector<T> state = std::vector<T>(Net::state_size > 0 ? Net::state_size : 1);

    void run(std::span<const T> x, T* params, std::uint64_t seed, std::uint64_t step) {
        std::copy(x.begin(), x.end(), arena.begin());
        sn::detail::Runner<Net, T>::forward_training(plan, params, state.data(), arena.data(), N, seed, step,
                                                     /*update_statistics=*/false, sn::Parallel{},
                                                     std::make_index_sequence<Net::layer_count>{});
    }
    std::span<const T> output(int p) const {
        return {arena.data() + plan.offset[static_cast<std::size_t>(p)],
                static_cast<std::size_t>(N) * Net::shapes[static_cast<std::size_t>(p)].size()};
    }
};

// Which layers are BN (their epsilon, else -1) / Dropout (their rate, else -1).
template <class Net, std::size_t... I>
constexpr std::array<float, Net::depth> bn_epsilons(std::index_sequence<I...>) {
    std::array<float, Net::depth> r{};
    (
        [&] {
            using L = typename Net::template layer<static_cast<int>(I) + 1>;
            if constexpr (requires { L::options.momentum; }) r[I + 1] = L::options.epsilon;
            else r[I + 1] = -1.0f;
        }(),
        ...);
    return r;
}
template <class Net, std::size_t... I>
constexpr std::array<float, Net::depth> dropout_rates(std::index_sequence<I...>) {
    std::array<float, Net::depth> r{};
    (
        [&] {
            using L = typename Net::template layer<static_cast<int>(I) + 1>;
            if constexpr (requires { L::options.rate; }) r[I + 1] = L::options.rate;
            else r[I + 1] = -1.0f;
        }(),
        ...);
    return r;
}

struct Tolerances {
    double loss;    // loss (relative to max(1, |loss|))
    double output;  // training-mode layer outputs, BN batch statistics and moving statistics
    double grad;    // parameter gradients; 0: measured and reported, not checked
    double after;   // trainable parameters after each step; 0: measured and reported, not checked
};

struct TrainWorst {
    Worst loss, output, grad, after, moving;
};

// One training fixture through Model<Net, Adam, SCCE, N, T>.
template <class Net, int N, class T>
TrainWorst run_training(const char* file, const Tolerances& tol) {
    using M = sn::Model<Net, sn::Adam<>, sn::ClippedSparseCategoricalCrossentropy, N, T>;
    static M model;  // static: the model holds all its memory (79k parameters x 4 arrays + arena)
    static TrainingForward<Net, N, T> fwd;
    Tracked f(file);
    const std::string tn = std::string(" (") + type_name<T>() + ")";

    REQUIRE(static_cast<int>(f.scalar("batch")) == N);
    check_constants<Net>(f, std::make_index_sequence<Net::layer_count>{});
    const int steps = static_cast<int>(f.scalar("steps"));
    REQUIRE((steps == 1 || steps == 2));

    model.reset_optimizer();  // Adam m = v = 0 (the fixture starts from there)
    load_parameters<Net>(model, f);
    const auto seed = static_cast<std::uint64_t>(f.scalar("seed"));
    const auto step0 = static_cast<std::uint64_t>(f.scalar("step"));
    model.set_seed(seed);
    model.set_step(step0);

    const st::Tensor& in = f.tensor("input");
    REQUIRE(in.shape == (std::vector<int>{N, Net::input_shape.h, Net::input_shape.w, Net::input_shape.c}));
    const std::vector<T> x = st::values_as<T>(in);
    const std::vector<std::int32_t> labels = st::values_as<std::int32_t>(f.tensor("labels"));
    REQUIRE(labels.size() == static_cast<std::size_t>(N));

    constexpr auto bn_eps = bn_epsilons<Net>(std::make_index_sequence<Net::layer_count>{});
    constexpr auto rates = dropout_rates<Net>(std::make_index_sequence<Net::layer_count>{});

    TrainWorst worst;
    for (int k = 1; k <= steps; ++k) {
        std::string sfx, after = ".after_step";
        if (k > 1) sfx = ".step" + std::string(1, static_cast<char>('0' + k));
        after += static_cast<char>('0' + k);
        CAPTURE(k);
        REQUIRE(model.step() == step0 + static_cast<std::uint64_t>(k - 1));

        // Training-mode forward: outputs, masks, batch statistics.
        fwd.run(std::span<const T>(x), model.parameters().data(), model.seed(), model.step());
        for (int p = 1; p < Net::depth; ++p) {
            const std::size_t up = static_cast<std::size_t>(p);
            compare(fwd.output(p), f.tensor(key(p, "output" + sfx)), tol.output, key(p, "output" + sfx) + tn,
                    worst.output);
            if (rates[up] >= 0.0f) {
                const st::Tensor& mask = f.tensor(key(p, "mask" + sfx));
                REQUIRE(mask.size() == static_cast<std::size_t>(N) * Net::shapes[up - 1].size());
                const std::uint64_t dk = sn::dropout_key(seed, p, model.step());
                const std::uint32_t thr = sn::dropout_threshold(static_cast<double>(rates[up]));
                std::size_t differ = 0, kept = 0;
                for (std::size_t i = 0; i < mask.size(); ++i) {
                    const bool keep = sn::dropout_keep(dk, i, thr);
                    kept += keep ? 1 : 0;
                    differ += (keep ? 1.0 : 0.0) != mask.values[i] ? 1 : 0;
                }
                CHECK_MESSAGE(differ == 0, key(p, "mask" + sfx) << ": " << differ << " elements differ");
                CHECK(kept > 0);
                CHECK(kept < mask.size());
            }
            if (bn_eps[up] > 0.0f) {
                // BN's scratch: the batch mean, then 1 / sqrt(var + eps) (in T; eps = T(epsilon)).
                const int c = Net::shapes[up].c;
                const T* s = fwd.state.data() + Net::state_offsets[up];
                std::vector<double> var(static_cast<std::size_t>(c));
                const double eps = static_cast<double>(T(bn_eps[up]));
                for (int j = 0; j < c; ++j) {
                    const double inv_std = static_cast<double>(s[c + j]);
                    var[static_cast<std::size_t>(j)] = 1.0 / (inv_std * inv_std) - eps;
                }
                compare(std::span<const T>(s, static_cast<std::size_t>(c)), f.tensor(key(p, "batch_mean" + sfx)),
                        tol.output, key(p, "batch_mean" + sfx) + tn, worst.output);
                compare(std::span<const double>(var), f.tensor(key(p, "batch_variance" + sfx)), tol.output,
                        key(p, "batch_variance" + sfx) + tn, worst.output);
            }
        }

        // The step itself.
        const sn::StepResult r = model.compute_gradients(std::span<const T>(x), labels, N);
        REQUIRE(r.status == sn::StepStatus::ok);
        compare_scalar(r.loss, f.scalar("loss" + sfx), tol.loss, "loss" + sfx + tn, worst.loss);
        CHECK(r.correct == static_cast<int>(f.scalar("correct" + sfx)));
        for (int p = 1; p < Net::depth; ++p)
            for (int j = 0; j < Net::param_specs[p].count; ++j) {
                const auto& spec = Net::param_specs[p].items[j];
                if (!spec.trainable) {
                    CHECK(model.find_gradient(p, spec.name).empty());
                    continue;
                }
                const std::string g = key(p, std::string(spec.name) + ".grad" + sfx);
                compare(std::span<const T>(model.find_gradient(p, spec.name)), f.tensor(g), tol.grad, g + tn, worst.grad);
            }
        model.apply_gradients();
        CHECK(model.step() == step0 + static_cast<std::uint64_t>(k));
        for (int p = 1; p < Net::depth; ++p)
            for (int j = 0; j < Net::param_specs[p].count; ++j) {
                const auto& spec = Net::param_specs[p].items[j];
                const std::string a = key(p, std::string(spec.name) + after);
                // Moving statistics follow the batch statistics (no optimizer involved).
                compare(std::span<const T>(model.find_parameter(p, spec.name)), f.tensor(a),
                        spec.trainable ? tol.after : tol.output, a + tn, spec.trainable ? worst.after : worst.moving);
            }
    }
    f.check_all_used();
    return worst;
}

std::string tol_string(double tol) {
    std::ostringstream os;
    if (tol > 0) os << "tol " << tol;
    else os << "not checked";
    return os.str();
}

void report(const char* file, const char* type, const TrainWorst& w, const Tolerances& tol) {
    MESSAGE(std::string(file) << " (" << std::string(type) << "): worst relative error: loss " << w.loss.error
                              << " (tol " << tol.loss << "); outputs " << w.output.error << " at " << w.output.where
                              << " (tol " << tol.output << "); moving stats " << w.moving.error << " at "
                              << w.moving.where << "; grads " << w.grad.error << " at " << w.grad.where << " ("
                              << tol_string(tol.grad) << "); after-step " << w.after.error << " at " << w.after.where
                              << " (" << tol_string(tol.after) << ")");
}

template <class Net, int N = 4>
void training_case(const char* file, const Tolerances& tol_double, const Tolerances& tol_float) {
    report(file, "double", run_training<Net, N, double>(file, tol_double), tol_double);
    report(file, "float", run_training<Net, N, float>(file, tol_float), tol_float);
}

// Tolerances, relative to max(1, max |expected|) per tensor. Measured worst errors (g++ 12 -O3
// -march=native) are in the comments; every run prints its own.
//
// T = double: everything checked. Tiny nets ~1e-15 -> 1e-12. Seed networks up to 1.5e-13 (BN's
// backward over N*H*W = 3136 rows of raw-pixel activations) -> 1e-10 (FORMAT.md: ~1e-9).
constexpr Tolerances tiny_double{1e-12, 1e-12, 1e-12, 1e-12};
constexpr Tolerances seed_double{1e-10, 1e-10, 1e-10, 1e-10};
// T = float, tiny nets: everything checked (FORMAT.md: 1e-5; after-step 1e-6 checks the Adam
// update itself to ~0.1%). Measured: loss 2.2e-7, outputs 3.7e-7, grads 4.9e-7, after 5.8e-8.
// The same tolerances for train_blocks / train_activations (double <= 1.5e-15; float: loss
// 5.8e-8, outputs 2.5e-7, grads 1.5e-7, after-step 1.7e-7).
constexpr Tolerances tiny_float{1e-6, 1e-5, 1e-5, 1e-6};
// T = float, seed networks: loss, correct, every training-mode output and the BN batch and
// moving statistics at 1e-4 (FORMAT.md: 1e-4 for seed networks; measured: outputs up to
// 1.0e-6, loss 1.7e-7).
//  - train_bn / train_nin: gradients and the trainable parameters after each step are checked
//    too, at 1e-4. Measured: grads 8.0e-6 (bn), 1.8e-5 (nin, step 2); after-step 4.9e-5 (bn),
//    2.0e-6 (nin). This holds because BN's per-channel sums over N*H*W = 3136 rows are taken
//    in blocks (kernels/reference/batch_norm.hpp): with plain float accumulation the batch
//    statistics carried ~1e-5 relative error, one of 6272 max-pool windows in train_bn picked
//    another maximum than float64 and the gradients were off by 2e-2. Adam's first step is
//    ~lr * sign(g), so after-step values are compared with the same 1e-4 (relative to the
//    tensor's max |value|).
//  - train_deep (no BN, raw pixels, activations ~100): gradients and after-step values are
//    measured and printed, not checked: the file lists float32 hazards (relu inputs and
//    max-pool near-ties within 1e-6 * max of a decision) where float32 may legitimately route
//    a gradient differently from float64. (With this build none flips: grads 8e-7,
//    after-step 9.5e-7; another compiler may differ.)
constexpr Tolerances seed_float{1e-4, 1e-4, 0, 0};
constexpr Tolerances seed_bn_float{1e-4, 1e-4, 1e-4, 1e-4};

using TinyNet = sn::Sequential<sn::Input<6, 5, 2>,
                               sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::same,
                                           .activation = sn::relu, .use_bias = true}>,
                               sn::BatchNormalization<>, sn::MaxPool2D<{.pool = {2, 2}, .strides = {2, 2}, .padding = sn::valid}>,
                               sn::Flatten, sn::Dense<{.units = 4, .activation = sn::softmax}>>;
using ClipNet = sn::Sequential<sn::Input<1, 1, 3>, sn::Flatten, sn::Dense<{.units = 4, .activation = sn::softmax}>>;

// train_blocks.txt: node positions 1 conv, 2 conv, 3 dropout, 4 conv, 5 pool, 6 conv,
// 7 concatenate(1, 4, 6), 8 conv s2, 9 conv, 10 BN, 11 conv 1x1 s2, 12 add(10, 11), 13 relu,
// 14 GAP, 15 dense (the Dropout's key uses its node position 3).
using C1x1x2 = sn::Conv2D<{.filters = 2, .kernel = {1, 1}, .strides = {1, 1}, .padding = sn::valid,
                           .activation = sn::relu, .use_bias = true}>;
using BlocksNet = sn::Sequential<
    sn::Input<6, 6, 2>,
    sn::Concatenate<C1x1x2,
                    sn::Block<C1x1x2, sn::Dropout<{.rate = 0.2f}>,
                              sn::Conv2D<{.filters = 2, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::same,
                                          .activation = sn::relu, .use_bias = true}>>,
                    sn::Block<sn::MaxPool2D<{.pool = {3, 3}, .strides = {1, 1}, .padding = sn::same}>, C1x1x2>>,
    sn::Residual<sn::Block<sn::Conv2D<{.filters = 4, .kernel = {3, 3}, .strides = {2, 2}, .padding = sn::same,
                                       .activation = sn::relu, .use_bias = true}>,
                           // No bias before the BN (its exact gradient is 0; Adam would scale up the
                           // rounding noise of a float run's to ~lr: 3.8e-5 relative after step 2).
                           sn::Conv2D<{.filters = 4, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::same,
                                       .activation = sn::linear, .use_bias = false}>,
                           sn::BatchNormalization<>>,
                 sn::Conv2D<{.filters = 4, .kernel = {1, 1}, .strides = {2, 2}, .padding = sn::valid,
                             .activation = sn::linear, .use_bias = true}>>,
    sn::Activation<sn::relu>, sn::GlobalAveragePooling2D, sn::Dense<{.units = 3, .activation = sn::softmax}>>;
static_assert(BlocksNet::depth == 16 && !BlocksNet::is_chain);
static_assert(BlocksNet::inputs[7].count == 3 && BlocksNet::inputs[7].at[0] == 1 && BlocksNet::inputs[7].at[1] == 4 &&
              BlocksNet::inputs[7].at[2] == 6);
static_assert(BlocksNet::inputs[11].at[0] == 7 && BlocksNet::inputs[12].count == 2 &&
              BlocksNet::inputs[12].at[0] == 10 && BlocksNet::inputs[12].at[1] == 11);

// train_activations.txt: every activation's backward (from its output), fused and standalone.
using ActivationsNet = sn::Sequential<
    sn::Input<3, 4, 2>,
    sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::same, .activation = sn::leaky_relu,
                .use_bias = true}>,
    sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::same, .activation = sn::tanh,
                .use_bias = true}>,
    sn::Conv2D<{.filters = 3, .kernel = {1, 1}, .strides = {1, 1}, .padding = sn::valid, .activation = sn::linear,
                .use_bias = true}>,
    sn::LeakyReLU<{.alpha = 0.3f}>,  // 3x4x3 per sample (see forward_fixtures.cpp on leaky_relu sizes)
    sn::Activation<sn::sigmoid>, sn::Flatten,
    sn::Dense<{.units = 5, .activation = sn::sigmoid}>, sn::Dense<{.units = 4, .activation = sn::tanh}>,
    sn::Activation<sn::leaky_relu>, sn::Dense<{.units = 3, .activation = sn::softmax}>>;

}  // namespace

TEST_CASE("train_tiny.txt: Conv2D relu + BatchNormalization (training) + MaxPool2D + Dense softmax, two Adam steps") {
    training_case<TinyNet>("train_tiny.txt", tiny_double, tiny_float);
}

TEST_CASE("train_tiny_clip.txt: clipped SCCE (p[y] < 1e-7 and p[y] > 1 - 1e-7), Dense softmax head") {
    training_case<ClipNet>("train_tiny_clip.txt", tiny_double, tiny_float);
}

TEST_CASE("train_blocks.txt: Inception-style Concatenate (Dropout in a branch) + Residual with a BN body and a "
          "strided 1x1 projection, two Adam steps") {
    training_case<BlocksNet>("train_blocks.txt", tiny_double, tiny_float);
}

TEST_CASE("train_activations.txt: sigmoid / tanh / leaky_relu fused and standalone, LeakyReLU layer, two Adam steps") {
    training_case<ActivationsNet>("train_activations.txt", tiny_double, tiny_float);
}

// The clipped samples contribute their clipped loss and no gradient at all: run each sample
// alone (n = 1), and the batch gradient must be the sum of the unclipped samples' gradients / n.
template <class T>
void clip_contributions() {
    using M = sn::Model<ClipNet, sn::Adam<>, sn::ClippedSparseCategoricalCrossentropy, 4, T>;
    static M model;
    Tracked f("train_tiny_clip.txt");
    load_parameters<ClipNet>(model, f);
    const std::vector<T> x = st::values_as<T>(f.tensor("input"));
    const std::vector<std::int32_t> y = st::values_as<std::int32_t>(f.tensor("labels"));
    const std::size_t in = M::input_size;
    const std::size_t g = ClipNet::params.trainable;
    std::vector<std::vector<T>> per_sample;
    std::vector<double> losses;
    for (std::size_t s = 0; s < 4; ++s) {
        const auto r = model.compute_gradients(std::span<const T>(x).subspan(s * in, in),
                                               std::span<const std::int32_t>(y).subspan(s, 1), 1);
        REQUIRE(r.status == sn::StepStatus::ok);
        losses.push_back(r.loss);
        per_sample.emplace_back(model.gradients().begin(), model.gradients().end());
    }
    // Samples 0 and 1 are clipped (p[y] = 8.9e-25 and 1 - 5.2e-10 in the reference).
    // The loss of a clipped sample is computed from the clip bound itself: exact in both types.
    CHECK(losses[0] == -std::log(1e-7));
    CHECK(losses[1] == -std::log(1.0 - 1e-7));
    for (std::size_t s = 0; s < 2; ++s) {
        CAPTURE(s);
        CHECK(std::all_of(per_sample[s].begin(), per_sample[s].end(), [](T v) { return v == T(0); }));
    }
    for (std::size_t s = 2; s < 4; ++s) {
        CAPTURE(s);
        CHECK(std::any_of(per_sample[s].begin(), per_sample[s].end(), [](T v) { return v != T(0); }));
    }
    const auto r = model.compute_gradients(std::span<const T>(x), y, 4);
    REQUIRE(r.status == sn::StepStatus::ok);
    CHECK(r.loss == doctest::Approx((losses[0] + losses[1] + losses[2] + losses[3]) / 4).epsilon(1e-6));
    const auto all = model.gradients();
    REQUIRE(all.size() == g);
    for (std::size_t i = 0; i < g; ++i) {
        CAPTURE(i);
        const double expected = (static_cast<double>(per_sample[2][i]) + static_cast<double>(per_sample[3][i])) / 4;
        CHECK(static_cast<double>(all[i]) == doctest::Approx(expected).epsilon(1e-6).scale(1e-6));
    }
}

TEST_CASE("train_tiny_clip.txt: clipped samples contribute zero gradient (per-sample runs, double and float)") {
    clip_contributions<double>();
    clip_contributions<float>();
}

TEST_CASE("train_deep.txt: seed network Deep, one training step (Conv2D relu, MaxPool2D ties, Dense)") {
    training_case<sn::examples::Deep>("train_deep.txt", seed_double, seed_float);
}

TEST_CASE("train_bn.txt: seed network Bn, one training step (BatchNormalization training, Dropout masks)") {
    training_case<sn::examples::Bn>("train_bn.txt", seed_double, seed_bn_float);
}

TEST_CASE("train_nin.txt: seed network Nin, two training steps (1x1 Conv2D, BatchNormalization, Dropout)") {
    training_case<sn::examples::Nin>("train_nin.txt", seed_double, seed_bn_float);
}

// ---- dropout_rng.txt -----------------------------------------------------------------------

TEST_CASE("dropout_rng.txt: mix64, dropout_key, dropout_threshold, dropout_keep and the Dropout layer") {
    Tracked f("dropout_rng.txt");
    st::check_mix_vectors(f, sn::mix64);
    const char* cases[] = {"s20240517_p13_t0_r02", "s20240517_p13_t1_r02", "s1_p3_t5_r05"};
    for (const char* c : cases) {
        const std::string pre = c;
        CAPTURE(pre);
        const auto seed = static_cast<std::uint64_t>(f.scalar(pre + ".seed"));
        const int position = static_cast<int>(f.scalar(pre + ".position"));
        const auto step = static_cast<std::uint64_t>(f.scalar(pre + ".step"));
        const double rate = f.scalar(pre + ".rate");
        const std::uint64_t k = sn::dropout_key(seed, position, step);
        CHECK(static_cast<double>(k >> 32) == f.scalar(pre + ".key.hi"));
        CHECK(static_cast<double>(k & 0xFFFFFFFFu) == f.scalar(pre + ".key.lo"));
        const std::uint32_t thr = sn::dropout_threshold(rate);
        CHECK(static_cast<double>(thr) == f.scalar(pre + ".threshold"));
        const st::Tensor& mask = f.tensor(pre + ".mask");
        std::size_t differ = 0;
        for (std::size_t i = 0; i < mask.size(); ++i)
            differ += (sn::dropout_keep(k, i, thr) ? 1.0 : 0.0) != mask.values[i] ? 1 : 0;
        CHECK(differ == 0);

        // The Dropout layer itself, in training mode with that key, on a flat tensor of ones:
        // kept elements become 1 / (1 - rate), dropped ones 0.
        const int n = mask.shape[0];
        const std::size_t per = mask.size() / static_cast<std::size_t>(n);
        REQUIRE((per == 32 || per == 50));
        auto run_layer = [&]<sn::DropoutOptions O, std::size_t Per>() {
            REQUIRE(per == Per);
            std::vector<double> ones(mask.size(), 1.0), y(mask.size(), -1.0);
            sn::LayerContext<double> ctx;
            ctx.training = true;
            ctx.dropout_key = k;
            sn::Dropout<O>::template forward<sn::flat_shape(static_cast<int>(Per)), double>(ctx, ones.data(), y.data(),
                                                                                             n);
            const double scale = 1.0 / (1.0 - static_cast<double>(O.rate));
            std::size_t bad = 0;
            for (std::size_t i = 0; i < mask.size(); ++i) bad += y[i] != mask.values[i] * scale ? 1 : 0;
            CHECK(bad == 0);
        };
        if (rate == static_cast<double>(0.2f)) run_layer.template operator()<sn::DropoutOptions{.rate = 0.2f}, 32>();
        else run_layer.template operator()<sn::DropoutOptions{.rate = 0.5f}, 50>();
    }
    f.check_all_used();
}

TEST_CASE("training fixtures: every train_*.txt file has a test case here") {
    // train_nin_mnist.txt (a long run on MNIST): tests/reference/mnist_trajectory.cpp.
    const char* covered[] = {"train_tiny.txt", "train_tiny_clip.txt", "train_deep.txt", "train_bn.txt",
                             "train_nin.txt", "train_nin_mnist.txt", "train_blocks.txt", "train_activations.txt"};
    st::check_fixtures_covered("train_", covered, "tests/reference/training_fixtures.cpp");
}
