// A long training run against the PyTorch float64 reference on real data: train_nin_mnist.txt
// (written by tools/gen-reference; FORMAT.md), staticnet::examples::Nin trained for K steps of
// batch 64 on the first 64*K MNIST training images in file order, raw pixels 0..255, training
// mode (BN batch statistics and moving-statistics updates, Dropout masks from the API.md hash),
// the default sn::SparseCategoricalCrossentropy (Keras fit's logits path, no clip), Keras Adam.
//
// The reference_training suite checks one or two steps in detail; this one checks that the
// small differences (summation order, ~1e-16) stay small over many steps on real data where
// every decision (relu, max-pool ties, dropout, argmax) is taken again at every step:
//   - T = double: every step's loss (relative) and correct count (exact); after the last step
//     every BN moving statistic, and each trainable tensor's sum, sum of squares and 32 entries.
//   - T = float: the first steps' loss and correct count only (see float_steps below).
// The MNIST pixels are not in the fixture: they are read with staticnet::data::load_idx_dataset
// from $STATICNET_DATA/mnist (default ~/.cache/staticnet/mnist; tools/setup fetches them), and
// the fixture's data.* sums pin the images and labels it was made from. Without the data the
// test FAILS (it does not skip).
// STATICNET_FIXTURE_VERBOSE=1 prints every step's loss and error.
#include "support/fixture_compare.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <examples/seed_networks.hpp>
#include <staticnet/core.hpp>
#include <staticnet/data/idx.hpp>

namespace sn = staticnet;
namespace st = staticnet::test;
namespace fs = std::filesystem;

namespace {

using Net = sn::examples::Nin;
constexpr int batch = 64;
constexpr const char* file = "train_nin_mnist.txt";
const std::string file_name = file;  // doctest prints a const char* as a pointer

// Tolerances. Measured worst errors (g++ 12 -O3 -march=native, K = 100) in the comments; every
// run prints its own.
//
// T = double: per-step loss, relative |actual - expected| / |expected|: measured 2.0e-15 (the
// two trajectories stay within rounding of each other for all 100 steps; also without
// -march=native) -> 1e-10, far below what a semantic slip costs (another dropout seed: 2.9e-2
// at step 0).
constexpr double loss_tol_double = 1e-10;
// Final state, relative to max(1, max |expected|) of each tensor (moving statistics, sampled
// parameters) or to max(1, |expected|) (sums, sums of squares): measured 5.9e-15 -> 1e-10
// (the moving statistics do not feed the training loss; this is where e.g. the decimal BN
// momentum 0.99 instead of 0.99f would show, at ~1e-8).
constexpr double final_tol_double = 1e-10;

// T = float: the first float_steps steps only, with a tolerance that widens with the step.
// Step 0 runs on the exact (float32) initial parameters: its loss carries float rounding only
// (measured 1.1e-8). From then on the float trajectory drifts away from the float64 one: Adam's
// first updates are ~lr * g / (|g| + eps'), i.e. ~lr * sign(g) for every parameter whose
// gradient is well above eps' (~3e-6 at t = 1), so a small gradient whose float value differs
// from double by ~1e-7 relative (raw-pixel sums up to ~1e4, BN statistics over 50,176 values)
// moves its parameter by a visibly different amount, and every later step builds on that:
// measured 1.9e-7 (step 1), 1.3e-5 (2), 1.9e-5, 6.4e-5, 1.0e-4, 1.1e-4, 2.9e-4, 2.5e-4, 8.2e-4
// (step 9). Tolerance 1e-6 * 10^b, at most 1e-2. The correct count: exact for steps 0 and 1;
// later a sample near an argmax tie can flip (measured: step 6 has 17 against 16), so +-2.
constexpr int float_steps = 10;
double loss_tol_float(int b) { return std::min(1e-2, 1e-6 * std::pow(10.0, b)); }
int correct_tol_float(int b) { return b < 2 ? 0 : 2; }

fs::path mnist_dir() {
    if (const char* root = std::getenv("STATICNET_DATA"); root != nullptr && *root != '\0')
        return fs::path(root) / "mnist";
    const char* home = std::getenv("HOME");
    return fs::path(home != nullptr ? home : "") / ".cache" / "staticnet" / "mnist";
}

// The MNIST training set, loaded once. Fails the test (never skips) when it is not there.
const sn::data::Dataset& mnist() {
    static sn::data::Dataset data;
    if (data.size() > 0) return data;
    const fs::path dir = mnist_dir();
    std::error_code ec;
    const bool present = fs::exists(dir / "train-images-idx3-ubyte", ec) ||
                         fs::exists(dir / "train-images-idx3-ubyte.gz", ec);
    if (!present) FAIL("MNIST not found in " << dir.string() << ": run tools/setup (or set STATICNET_DATA)");
    data = sn::data::load_idx_dataset(dir, "train");
    REQUIRE(data.images.rows == 28);
    REQUIRE(data.images.cols == 28);
    return data;
}

// The images and labels the fixture was made from: same file size, same integer sums.
void check_data(st::Tracked& f, const sn::data::Dataset& d) {
    INFO("the MNIST files in " << mnist_dir().string() << " are not the ones " << file_name
                               << " was made from (SHA-256 in its comments; tools/setup --verify)");
    REQUIRE(f.scalar("data.first") == 0);
    const auto count = static_cast<std::size_t>(f.scalar("data.count"));
    REQUIRE(static_cast<double>(d.size()) == f.scalar("data.file_count"));
    REQUIRE(count <= static_cast<std::size_t>(d.size()));
    std::uint64_t sum = 0, weighted = 0, lsum = 0, lweighted = 0;
    const std::size_t pixels = count * 28 * 28;
    for (std::size_t i = 0; i < pixels; ++i) {
        sum += d.images.pixels[i];
        weighted += d.images.pixels[i] * (i + 1);
    }
    for (std::size_t i = 0; i < count; ++i) {
        lsum += d.labels[i];
        lweighted += d.labels[i] * (i + 1);
    }
    REQUIRE(static_cast<double>(sum) == f.scalar("data.pixels.sum"));
    REQUIRE(static_cast<double>(weighted) == f.scalar("data.pixels.weighted_sum"));
    REQUIRE(static_cast<double>(lsum) == f.scalar("data.labels.sum"));
    REQUIRE(static_cast<double>(lweighted) == f.scalar("data.labels.weighted_sum"));
}

// The hyper-parameters recorded in the file are those of the C++ types.
template <int P>
void check_constants_at(st::Tracked& f) {
    using L = typename Net::template layer<P>;
    if constexpr (requires { L::options.momentum; }) {
        CHECK(f.scalar(st::key(P, "momentum")) == static_cast<double>(L::options.momentum));
        CHECK(f.scalar(st::key(P, "epsilon")) == static_cast<double>(L::options.epsilon));
    }
    if constexpr (requires { L::options.rate; }) {
        const double rate = static_cast<double>(L::options.rate);
        CHECK(f.scalar(st::key(P, "rate")) == rate);
        CHECK(f.scalar(st::key(P, "threshold")) == static_cast<double>(sn::dropout_threshold(rate)));
        CHECK(f.scalar(st::key(P, "scale")) == 1.0 / (1.0 - rate));
    }
}
template <std::size_t... I>
void check_constants(st::Tracked& f, std::index_sequence<I...>) {
    (check_constants_at<static_cast<int>(I) + 1>(f), ...);
    constexpr auto adam = sn::Adam<>::options;
    CHECK(f.scalar("adam.learning_rate") == static_cast<double>(adam.learning_rate));
    CHECK(f.scalar("adam.beta_1") == static_cast<double>(adam.beta_1));
    CHECK(f.scalar("adam.beta_2") == static_cast<double>(adam.beta_2));
    CHECK(f.scalar("adam.epsilon") == static_cast<double>(adam.epsilon));
}

template <class T>
using Model = sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, batch, T>;

// The fixture's initial state into `model`: every parameter (moving statistics included), Adam
// m = v = 0, seed and step as recorded.
template <class T>
void load_initial_state(Model<T>& model, st::Tracked& f) {
    model.reset_optimizer();
    for (int p = 1; p < Net::depth; ++p)
        for (int k = 0; k < Net::param_specs[p].count; ++k) {
            const std::string name = Net::param_specs[p].items[k].name;
            const auto dst = model.find_parameter(p, name);
            REQUIRE(dst.size() == Net::param_specs[p].items[k].size);
            st::copy_to(f.tensor(st::key(p, name)), dst);
        }
    model.set_seed(static_cast<std::uint64_t>(f.scalar("seed")));
    model.set_step(static_cast<std::uint64_t>(f.scalar("step")));
}

struct Run {
    st::Worst loss;       // relative per-step loss error
    int wrong_correct = 0;  // steps whose correct count differs
    double seconds = 0;
};

// Steps 0 .. steps-1 of the fixture's run: the loss (relative error at most loss_tol(b)) and the
// correct count (at most correct_tol(b) apart) of every step b.
template <class T, class LossTol, class CorrectTol>
Run train_and_compare(Model<T>& model, st::Tracked& f, int steps, LossTol loss_tol, CorrectTol correct_tol) {
    const sn::data::Dataset& d = mnist();
    const st::Tensor& loss = f.tensor("loss.steps");
    const st::Tensor& correct = f.tensor("correct.steps");
    REQUIRE(static_cast<int>(f.scalar("batch")) == batch);
    REQUIRE(loss.size() == static_cast<std::size_t>(f.scalar("steps")));
    REQUIRE(correct.size() == loss.size());
    REQUIRE(static_cast<std::size_t>(steps) <= loss.size());
    constexpr std::size_t in = Model<T>::input_size;
    std::vector<T> x(batch * in);
    std::vector<std::int32_t> y(batch);
    const std::uint64_t step0 = model.step();
    const std::string tn = sizeof(T) == sizeof(double) ? " (double)" : " (float)";
    Run run;
    const auto t0 = std::chrono::steady_clock::now();
    for (int b = 0; b < steps; ++b) {
        CAPTURE(b);
        const std::size_t first = static_cast<std::size_t>(b) * batch;
        for (std::size_t i = 0; i < batch * in; ++i) x[i] = static_cast<T>(d.images.pixels[first * in + i]);
        for (std::size_t s = 0; s < batch; ++s) y[s] = d.labels[first + s];
        REQUIRE(model.step() == step0 + static_cast<std::uint64_t>(b));  // dropout key of step t = b
        const sn::StepResult r = model.train_step(std::span<const T>(x), y, batch);
        REQUIRE(r.status == sn::StepStatus::ok);
        const double e = loss.values[static_cast<std::size_t>(b)];
        const double err = std::abs(r.loss - e) / std::abs(e);
        run.loss.note(err, "step " + std::to_string(b));
        if (st::verbose()) MESSAGE("step " << b << tn << ": loss " << r.loss << " (reference " << e << "), rel err " << err);
        CHECK_MESSAGE(err <= loss_tol(b), "step " << b << tn << ": loss " << r.loss << ", reference " << e
                                                  << ", relative error " << err << " > " << loss_tol(b));
        const int ce = static_cast<int>(correct.values[static_cast<std::size_t>(b)]);
        if (r.correct != ce) ++run.wrong_correct;
        CHECK_MESSAGE(std::abs(r.correct - ce) <= correct_tol(b),
                      "step " << b << tn << ": correct " << r.correct << ", reference " << ce);
    }
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return run;
}

}  // namespace

TEST_CASE("train_nin_mnist.txt: Nin, 100 steps of batch 64 on MNIST (double): every step's loss and correct "
          "count, the final state") {
    static Model<double> model;  // static: the model holds all its memory
    st::Tracked f(file);
    check_data(f, mnist());
    check_constants(f, std::make_index_sequence<Net::layer_count>{});
    load_initial_state(model, f);
    const int steps = static_cast<int>(f.scalar("steps"));
    const Run run = train_and_compare(
        model, f, steps, [](int) { return loss_tol_double; }, [](int) { return 0; });
    CHECK(model.step() == static_cast<std::uint64_t>(f.scalar("step")) + static_cast<std::uint64_t>(steps));

    // The final state: moving statistics in full, trainable tensors summarised.
    st::Worst fin;
    for (int p = 1; p < Net::depth; ++p)
        for (int k = 0; k < Net::param_specs[p].count; ++k) {
            const auto& spec = Net::param_specs[p].items[k];
            const std::string name = st::key(p, spec.name) + ".final";
            const auto v = std::span<const double>(model.find_parameter(p, spec.name));
            st::compare(v, f.tensor(name), final_tol_double, name, fin);
            if (!spec.trainable) continue;
            double sum = 0, sumsq = 0;
            for (double a : v) {
                sum += a;
                sumsq += a * a;
            }
            st::compare_scalar(sum, f.scalar(name + ".sum"), final_tol_double, name + ".sum", fin);
            st::compare_scalar(sumsq, f.scalar(name + ".sumsq"), final_tol_double, name + ".sumsq", fin);
        }
    f.check_all_used();
    MESSAGE(file_name << " (double): " << steps << " steps in " << run.seconds << " s ("
                 << steps * batch / run.seconds << " samples/s); worst relative loss error " << run.loss.error
                 << " at " << run.loss.where << " (tol " << loss_tol_double << "); correct count differs in "
                 << run.wrong_correct << " step(s); final state worst error " << fin.error << " at " << fin.where
                 << " (tol " << final_tol_double << ")");
}

TEST_CASE("train_nin_mnist.txt: Nin on MNIST (float): the first 10 steps' loss and correct count") {
    static Model<float> model;
    st::Tracked f(file);
    check_data(f, mnist());
    load_initial_state(model, f);
    const Run run = train_and_compare(model, f, float_steps, loss_tol_float, correct_tol_float);
    MESSAGE(file_name << " (float): " << float_steps << " steps in " << run.seconds << " s; worst relative loss error "
                 << run.loss.error << " at " << run.loss.where << " (tol 1e-6 * 10^step, at most 1e-2); correct "
                 << "count differs in " << run.wrong_correct << " step(s)");
}
