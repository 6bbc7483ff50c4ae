// Learning rates that change at run time and Keras's callbacks: a run-time rate is the same
// computation as the compile-time one; ExponentialDecay, StepDecay (LearningRateScheduler) and
// ReduceLROnPlateau give the rates Keras documents (hand-computed sequences); ModelCheckpoint
// saves when Keras would; a run with a schedule, stopped, checkpointed and resumed ends bit for
// bit where the uninterrupted one does (the rate and the schedule's counters included).
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <ostream>
#include <staticnet/staticnet.hpp>
#include <streambuf>
#include <string>
#include <vector>

#include "desktop/support.hpp"
#include "desktop/synthetic.hpp"
#include "examples/seed_networks.hpp"

namespace {

namespace sn = staticnet;
namespace fs = std::filesystem;
using sn::test::NullBuffer;
using sn::test::same_bits;
using sn::test::state_of;

struct TempDir : sn::test::TempDir {
    TempDir() : sn::test::TempDir("callbacks") {}
};

using Tiny = sn::Sequential<sn::Input<6, 6, 1>, sn::Conv2D<{.filters = 2, .kernel = {3, 3}, .activation = sn::relu}>,
                            sn::Flatten, sn::Dense<{.units = 3, .activation = sn::softmax}>>;
using TinyDefault = sn::Model<Tiny, sn::Adam<>, sn::SparseCategoricalCrossentropy, 4>;
using TinyFast = sn::Model<Tiny, sn::Adam<{.learning_rate = 0.01f}>, sn::SparseCategoricalCrossentropy, 4>;
using TinySgd = sn::Model<Tiny, sn::SGD<{.learning_rate = 0.05f, .momentum = 0.9f}>, sn::SparseCategoricalCrossentropy, 4>;
using TinySgdSlow = sn::Model<Tiny, sn::SGD<{.momentum = 0.9f}>, sn::SparseCategoricalCrossentropy, 4>;
using BnModel = sn::Model<sn::examples::Bn, sn::Adam<>, sn::SparseCategoricalCrossentropy, 64>;
TinyDefault tiny_default;
TinyFast tiny_fast;
TinySgd tiny_sgd;
TinySgdSlow tiny_sgd_slow;
BnModel model_a, model_b;

// 300 samples: 270 to train (5 batches of at most 64), 30 to validate.
const sn::data::Dataset& data() {
    static const auto d = sn::test::quadrant_dataset_28(300, 5);
    return d;
}

sn::FitOptions options(std::ostream& out, int epochs) {
    sn::FitOptions o;
    o.epochs = epochs;
    o.validation_split = 0.1;
    o.seed = 3;
    o.threads = 2;
    o.out = &out;
    o.verbose = sn::Verbosity::silent;
    return o;
}

// A history whose last epoch has these values (the callbacks read the history only).
void push_epoch(sn::FitProgress& p, double val_loss, double lr) {
    p.history.loss.push_back(1.0);
    p.history.accuracy.push_back(0.5);
    p.history.val_loss.push_back(val_loss);
    p.history.val_accuracy.push_back(0.5);
    p.history.seconds.push_back(1.0);
    p.history.samples_per_second.push_back(1.0);
    p.history.learning_rate.push_back(lr);
    ++p.epoch;
}

template <class A, class B>
void train_same_steps(A& a, B& b) {
    std::vector<float> x(4 * 36);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 37) % 256) / 255.0f;
    const std::vector<std::int32_t> labels = {0, 1, 2, 1};
    for (int s = 0; s < 7; ++s) {
        REQUIRE(a.train_step(x, labels, 4).status == sn::StepStatus::ok);
        REQUIRE(b.train_step(x, labels, 4).status == sn::StepStatus::ok);
    }
}

}  // namespace

TEST_CASE("a run-time learning rate is the same computation as the compile-time one") {
    CHECK(tiny_default.learning_rate() == 0.001f);
    CHECK(tiny_fast.learning_rate() == 0.01f);
    tiny_default.initialize(5);
    tiny_fast.initialize(5);
    CHECK(tiny_default.set_learning_rate(0.01f));
    train_same_steps(tiny_default, tiny_fast);
    CHECK(same_bits(state_of(tiny_default), state_of(tiny_fast)));

    tiny_sgd.initialize(5);
    tiny_sgd_slow.initialize(5);
    CHECK(tiny_sgd_slow.set_learning_rate(0.05f));
    train_same_steps(tiny_sgd, tiny_sgd_slow);
    CHECK(same_bits(state_of(tiny_sgd), state_of(tiny_sgd_slow)));

    // Another rate is another computation (the test above can fail).
    tiny_default.initialize(5);
    tiny_fast.initialize(5);
    CHECK(tiny_default.set_learning_rate(0.02f));
    train_same_steps(tiny_default, tiny_fast);
    CHECK(!same_bits(state_of(tiny_default), state_of(tiny_fast)));

    // Refused: the rate stays; reset_optimizer (and initialize) goes back to the compile-time one.
    CHECK(!tiny_default.set_learning_rate(0.0f));
    CHECK(!tiny_default.set_learning_rate(-1.0f));
    CHECK(!tiny_default.set_learning_rate(std::nanf("")));
    CHECK(!tiny_default.set_learning_rate(INFINITY));
    CHECK(tiny_default.learning_rate() == 0.02f);
    tiny_default.reset_optimizer();
    CHECK(tiny_default.learning_rate() == 0.001f);
}

TEST_CASE("ExponentialDecay: initial * rate^(step / decay_steps), floored when staircase") {
    tiny_default.initialize(1);
    const sn::ExponentialDecay<TinyDefault> smooth(tiny_default, {.initial_learning_rate = 0.1f, .decay_steps = 10,
                                                                  .decay_rate = 0.5f});
    CHECK(smooth(0) == 0.1f);
    CHECK(smooth(10) == 0.05f);
    CHECK(smooth(5) == doctest::Approx(0.1 / std::sqrt(2.0)).epsilon(1e-7));
    CHECK(smooth(15) == doctest::Approx(0.1 * std::pow(0.5, 1.5)).epsilon(1e-7));
    const sn::ExponentialDecay<TinyDefault> stairs(
        tiny_default, {.initial_learning_rate = 0.1f, .decay_steps = 10, .decay_rate = 0.5f, .staircase = true});
    CHECK(stairs(9) == 0.1f);
    CHECK(stairs(15) == 0.05f);
    CHECK(stairs(29) == 0.025f);
    CHECK_THROWS_AS(sn::ExponentialDecay<TinyDefault>(tiny_default, {.decay_steps = 0}), std::invalid_argument);
    CHECK_THROWS_AS(sn::ExponentialDecay<TinyDefault>(tiny_default, {.initial_learning_rate = -1.0f}),
                    std::invalid_argument);

    // In fit: every batch runs at the rate of the updates applied before it (5 batches per
    // epoch, 2 epochs: the last batch is update 9).
    NullBuffer nb;
    std::ostream null_out(&nb);
    model_a.initialize(7);
    sn::ExponentialDecay<BnModel> decay(model_a, {.initial_learning_rate = 0.002f, .decay_steps = 4, .decay_rate = 0.5f});
    std::vector<float> rates;
    const auto h = sn::fit(model_a, data(), options(null_out, 2),
                           sn::callbacks(decay, [&](const sn::FitProgress&) {
                               rates.push_back(model_a.learning_rate());
                               return false;
                           }));
    REQUIRE(rates.size() == 10);
    for (int s = 0; s < 10; ++s)
        CHECK(rates[static_cast<std::size_t>(s)] ==
              static_cast<float>(static_cast<double>(0.002f) * std::pow(static_cast<double>(0.5f), s / 4.0)));
    CHECK(h.learning_rate == std::vector<double>{static_cast<double>(rates[4]), static_cast<double>(rates[9])});
}

TEST_CASE("LearningRateScheduler with StepDecay sets the rate at each epoch's start") {
    NullBuffer nb;
    std::ostream null_out(&nb);
    model_a.initialize(7);
    sn::LearningRateScheduler<BnModel> scheduler(model_a, sn::StepDecay{.initial_learning_rate = 0.004f, .drop = 0.5f,
                                                                        .every = 2});
    const auto h = sn::fit(model_a, data(), options(null_out, 5), sn::callbacks(scheduler));
    CHECK(h.learning_rate == std::vector<double>{0.004f, 0.004f, 0.002f, 0.002f, 0.001f});
    // Keras's schedule(epoch, lr) form: halve every epoch from the current rate.
    model_a.initialize(7);
    sn::LearningRateScheduler<BnModel> halve(model_a, [](int epoch, float lr) { return epoch == 0 ? lr : lr / 2; });
    const auto h2 = sn::fit(model_a, data(), options(null_out, 3), sn::callbacks(halve));
    CHECK(h2.learning_rate == std::vector<double>{0.001f, 0.0005f, 0.00025f});
    // A schedule that returns a bad rate stops the run with a message.
    sn::LearningRateScheduler<BnModel> bad(model_a, [](int, float) { return -1.0f; });
    CHECK_THROWS_WITH_AS(sn::fit(model_a, data(), options(null_out, 1), sn::callbacks(bad)),
                         doctest::Contains("LearningRateScheduler: the learning rate must be a finite positive number"),
                         std::invalid_argument);
}

TEST_CASE("ReduceLROnPlateau follows Keras's counting: patience, cooldown, min_lr, min_delta") {
    // val_loss per epoch and the rate Keras's algorithm gives after each epoch's check
    // (patience 2, factor 0.5, cooldown 1, min_lr 0.0002, min_delta 1e-4, from 0.001):
    //   e0 1.00 best | e1 0.90 best | e2 0.95 wait 1 | e3 0.96 wait 2 -> 0.0005, cooldown 1
    //   e4 0.97 cooldown ends, wait 1 | e5 0.85 best | e6 0.86 wait 1 | e7 0.87 wait 2 -> 0.00025
    //   e8 0.88 cooldown, wait 1 | e9 0.89 wait 2 -> max(0.000125, 0.0002) = 0.0002
    //   e10 0.90 cooldown, wait 1 | e11 0.91 wait 2, rate not above min_lr: stays | e12 wait 3
    const double val_loss[] = {1.0, 0.9, 0.95, 0.96, 0.97, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9, 0.91, 0.92};
    const float r1 = 0.001f * 0.5f, r2 = r1 * 0.5f;
    const float expected[] = {0.001f, 0.001f, 0.001f, r1, r1, r1, r1, r2, r2, 0.0002f, 0.0002f, 0.0002f, 0.0002f};
    const int expected_wait[] = {0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 2, 3};
    const sn::ReduceLROnPlateauOptions o{.factor = 0.5, .patience = 2, .cooldown = 1, .min_lr = 0.0002};

    tiny_default.initialize(1);
    sn::ReduceLROnPlateau<TinyDefault> plateau(tiny_default, o);
    sn::FitProgress p;
    plateau.on_train_begin(p);
    for (int e = 0; e < 13; ++e) {
        push_epoch(p, val_loss[e], tiny_default.learning_rate());
        plateau.on_epoch_end(e, p);
        CHECK_MESSAGE(tiny_default.learning_rate() == expected[e], "epoch " << e);
        CHECK_MESSAGE(plateau.wait() == expected_wait[e], "epoch " << e);
    }
    CHECK(plateau.reductions() == 3);
    CHECK(plateau.best() == 0.85);

    // Resuming after any epoch: the counters rebuilt from the history give the same decisions.
    for (int k = 1; k < 13; ++k) {
        tiny_default.initialize(1);
        sn::FitProgress q;
        for (int e = 0; e < k; ++e) push_epoch(q, val_loss[e], e == 0 ? 0.001f : expected[e - 1]);
        tiny_default.set_learning_rate(expected[k - 1]);  // what the checkpoint restores
        sn::ReduceLROnPlateau<TinyDefault> resumed(tiny_default, o);
        resumed.on_train_begin(q);
        CHECK_MESSAGE(resumed.wait() == expected_wait[k - 1], "resumed after epoch " << k - 1);
        for (int e = k; e < 13; ++e) {
            push_epoch(q, val_loss[e], tiny_default.learning_rate());
            resumed.on_epoch_end(e, q);
            CHECK_MESSAGE(tiny_default.learning_rate() == expected[e], "resumed after " << k - 1 << ", epoch " << e);
        }
    }

    // Accuracy is better when higher; bad options are refused.
    tiny_default.initialize(1);
    sn::ReduceLROnPlateau<TinyDefault> acc(tiny_default, {.monitor = sn::Monitor::val_accuracy, .factor = 0.1,
                                                          .patience = 1});
    sn::FitProgress a;
    const double accs[] = {0.5, 0.6, 0.55};
    for (int e = 0; e < 3; ++e) {
        a.history.loss.push_back(1);
        a.history.accuracy.push_back(1);
        a.history.val_loss.push_back(1);
        a.history.val_accuracy.push_back(accs[e]);
        acc.on_epoch_end(e, a);
    }
    CHECK(tiny_default.learning_rate() == static_cast<float>(static_cast<double>(0.001f) * 0.1));
    CHECK_THROWS_AS(sn::ReduceLROnPlateau<TinyDefault>(tiny_default, {.factor = 1.0}), std::invalid_argument);
    CHECK_THROWS_AS(sn::ReduceLROnPlateau<TinyDefault>(tiny_default, {.patience = -1}), std::invalid_argument);
}

TEST_CASE("ModelCheckpoint saves every epoch, or only improvements with save_best_only") {
    TempDir dir;
    tiny_default.initialize(1);
    sn::ModelCheckpoint<TinyDefault> every(tiny_default, dir.path / "w-{epoch}.bin");
    sn::ModelCheckpoint<TinyDefault> best(tiny_default, dir.path / "best.bin", {.save_best_only = true});
    const double val_loss[] = {1.0, 0.8, 0.9, 0.7};
    sn::FitProgress p;
    every.on_train_begin(p);
    best.on_train_begin(p);
    std::vector<float> saved_at_best;
    for (int e = 0; e < 4; ++e) {
        tiny_default.parameters()[0] = static_cast<float>(e + 10);
        push_epoch(p, val_loss[e], 0.001);
        every.on_epoch_end(e, p);
        best.on_epoch_end(e, p);
    }
    for (int e = 1; e <= 4; ++e) CHECK(fs::exists(dir.path / ("w-" + std::to_string(e) + ".bin")));
    CHECK(every.saves() == 4);
    CHECK(best.saves() == 3);  // epochs 0, 1 and 3 improved val_loss
    CHECK(best.best() == 0.7);
    std::vector<float> loaded(tiny_default.parameters().size());
    sn::io::load_weights<float>(loaded, dir.path / "best.bin");
    CHECK(loaded[0] == 13.0f);
    sn::io::load_weights<float>(loaded, dir.path / "w-3.bin");
    CHECK(loaded[0] == 12.0f);

    // Resumed after epoch 1 (best 0.8): 0.9 is no improvement, 0.7 is.
    sn::ModelCheckpoint<TinyDefault> resumed(tiny_default, dir.path / "best2.bin", {.save_best_only = true});
    sn::FitProgress q;
    push_epoch(q, 1.0, 0.001);
    push_epoch(q, 0.8, 0.001);
    resumed.on_train_begin(q);
    push_epoch(q, 0.9, 0.001);
    resumed.on_epoch_end(2, q);
    CHECK(resumed.saves() == 0);
    push_epoch(q, 0.7, 0.001);
    resumed.on_epoch_end(3, q);
    CHECK(resumed.saves() == 1);
}

TEST_CASE("a run with ReduceLROnPlateau and EarlyStopping, stopped, checkpointed and resumed, is bit-identical") {
    NullBuffer nb;
    std::ostream null_out(&nb);
    TempDir dir;
    const fs::path file = dir.path / "run.ckpt";
    constexpr int epochs = 5;
    // min_delta 10 on loss: no epoch counts as better, so with patience 0 the rate halves at the
    // end of every epoch after the first; EarlyStopping with a patience longer than the run only
    // counts (it must be rebuilt the same way too).
    const sn::ReduceLROnPlateauOptions po{.monitor = sn::Monitor::loss, .factor = 0.5, .patience = 0, .min_delta = 10.0};
    model_a.initialize(7);
    sn::ReduceLROnPlateau<BnModel> plateau(model_a, po);
    sn::EarlyStopping<BnModel> early(model_a, sn::Monitor::val_loss, 10);
    sn::FitProgress whole;
    sn::fit(model_a, data(), options(null_out, epochs), whole, sn::callbacks(plateau, early));
    const std::vector<float> want = state_of(model_a);
    REQUIRE(whole.history.epochs() == epochs);
    CHECK(whole.history.learning_rate ==
          std::vector<double>{0.001f, 0.001f, 0.001f * 0.5f, 0.001f * 0.25f, 0.001f * 0.125f});
    const float final_rate = model_a.learning_rate();
    CHECK(final_rate == 0.001f / 16);  // lowered after epochs 1, 2, 3 and 4

    for (const int stop_after : {3, 7, 10, 14}) {  // global steps; 5 per epoch
        CAPTURE(stop_after);
        model_a.initialize(7);
        sn::ReduceLROnPlateau<BnModel> p1(model_a, po);
        sn::EarlyStopping<BnModel> e1(model_a, sn::Monitor::val_loss, 10);
        sn::FitProgress part;
        int steps = 0;
        sn::fit(model_a, data(), options(null_out, epochs), part,
                sn::callbacks(p1, e1, [&](const sn::FitProgress&) { return ++steps == stop_after; }));
        REQUIRE(part.stopped);
        sn::save_checkpoint(model_a, sn::checkpoint_run(options(null_out, epochs), 64, data().size()), part, file);

        model_b.initialize(99);
        const sn::Checkpoint c = sn::load_checkpoint(model_b, file);
        CHECK(c.version == 2);
        CHECK(model_b.learning_rate() == model_a.learning_rate());
        sn::FitProgress resumed = c.progress;
        sn::ReduceLROnPlateau<BnModel> p2(model_b, po);
        sn::EarlyStopping<BnModel> e2(model_b, sn::Monitor::val_loss, 10);
        sn::fit(model_b, data(), options(null_out, epochs), resumed, sn::callbacks(p2, e2));
        CHECK(same_bits(state_of(model_b), want));
        CHECK(model_b.learning_rate() == final_rate);
        CHECK(resumed.history.learning_rate == whole.history.learning_rate);
        CHECK(resumed.history.loss == whole.history.loss);
        CHECK(resumed.history.val_loss == whole.history.val_loss);
        CHECK(e2.best_epoch() == early.best_epoch());
        CHECK(e2.best() == early.best());
    }
}

TEST_CASE("initial_epoch: Keras's epoch numbering, the earlier shuffles replayed, a history of the epochs run") {
    NullBuffer nb;
    std::ostream null_out(&nb);
    // Epochs 0-1, then the weights and optimizer state of that run continued with
    // initial_epoch = 2 up to epoch 4: the same as epochs 0-3 in one run.
    model_a.initialize(7);
    const auto h = sn::fit(model_a, data(), options(null_out, 4));
    const std::vector<float> want = state_of(model_a);

    model_b.initialize(7);
    sn::fit(model_b, data(), options(null_out, 2));
    sn::FitOptions later = options(null_out, 4);
    later.initial_epoch = 2;
    std::vector<int> seen_epochs;
    const auto h2 = sn::fit(model_b, data(), later, sn::callbacks([&](int e, const sn::FitProgress&) {
                                seen_epochs.push_back(e);
                                return false;
                            }));
    CHECK(same_bits(state_of(model_b), want));
    CHECK(seen_epochs == std::vector<int>{2, 3});
    REQUIRE(h2.epochs() == 2);
    CHECK(h2.loss[0] == h.loss[2]);
    CHECK(h2.loss[1] == h.loss[3]);
    later.initial_epoch = -1;
    CHECK_THROWS_AS(sn::fit(model_b, data(), later), std::invalid_argument);
}
