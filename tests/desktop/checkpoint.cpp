// Checkpoints: a run stopped between any two steps, saved, loaded into another model object and
// continued ends with the same bits (weights, BN moving statistics, optimizer state, history) as
// the run that was never stopped; every kind of bad file is rejected with a message naming the
// problem and leaves the model as it was; an interrupted or failing save keeps the previous
// checkpoint.
#include <doctest/doctest.h>

#include <sys/resource.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
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

struct TempDir : sn::test::TempDir {
    TempDir() : sn::test::TempDir("checkpoint") {}
};

using BnModel = sn::Model<sn::examples::Bn, sn::Adam<>, sn::SparseCategoricalCrossentropy, 64>;
using NinModel = sn::Model<sn::examples::Nin, sn::Adam<>, sn::SparseCategoricalCrossentropy, 64>;
BnModel model_a, model_b;
NinModel nin_model;

sn::FitOptions options(std::ostream& out, int epochs, int threads) {
    sn::FitOptions o;
    o.epochs = epochs;
    o.validation_split = 0.1;
    o.seed = 3;
    o.threads = threads;
    o.out = &out;
    o.verbose = sn::Verbosity::silent;
    return o;
}

void check_same_history(const sn::History& a, const sn::History& b) {
    // Bit for bit; the wall-clock fields (seconds, samples/s) are not part of the computation.
    CHECK(a.loss == b.loss);
    CHECK(a.accuracy == b.accuracy);
    CHECK(a.val_loss == b.val_loss);
    CHECK(a.val_accuracy == b.val_accuracy);
}

// 300 samples: 270 to train = 4 full batches of 64 and one of 14 (5 per epoch), 30 to validate.
const sn::data::Dataset& data() {
    static const auto d = sn::test::quadrant_dataset_28(300, 5);
    return d;
}

}  // namespace

TEST_CASE("a run stopped anywhere, checkpointed and resumed in another model is bit-identical to one never stopped") {
    NullBuffer nb;
    std::ostream null_out(&nb);
    TempDir dir;
    const fs::path file = dir.path / "run.ckpt";
    constexpr int epochs = 3;

    model_a.initialize(7);
    sn::FitProgress whole;
    sn::fit(model_a, data(), options(null_out, epochs, 1), whole, [](const sn::FitProgress&) { return false; },
            [](int, const sn::FitProgress&) { return false; });
    const std::vector<float> expected = sn::test::state_of(model_a);
    CHECK(model_a.step() == 15);
    REQUIRE(whole.history.epochs() == epochs);

    // Stop after global step k (1-based; 5 steps per epoch): inside the first epoch, right after
    // an epoch's last batch (the checkpoint then stands at the next epoch's batch 0), and inside
    // the last epoch just before its partial batch.
    for (int k : {1, 2, 5, 7, 10, 14}) {
        CAPTURE(k);
        model_a.initialize(7);
        sn::FitProgress p;
        int steps = 0;
        const sn::FitOptions o = options(null_out, epochs, 1);
        const sn::CheckpointRun run = sn::checkpoint_run(o, 64, data().size());
        sn::fit(model_a, data(), o, p,
                [&](const sn::FitProgress& now) {
                    if (++steps < k) return false;
                    sn::save_checkpoint(model_a, run, now, file);
                    return true;
                },
                [&](int, const sn::FitProgress&) { return false; });
        CHECK(p.stopped);
        CHECK(model_a.step() == static_cast<std::uint64_t>(k));

        // Another model object, other weights: everything must come from the file.
        model_b.initialize(99);
        const sn::Checkpoint c = sn::load_checkpoint(model_b, file);
        CHECK(c.progress.epoch == (k - 1) / 5);
        CHECK(c.progress.batches_done == (k - 1) % 5 + 1);
        CHECK(model_b.step() == static_cast<std::uint64_t>(k));
        CHECK(sn::checkpoint_mismatch(c.run, run).empty());
        sn::FitProgress resumed = c.progress;
        // On two threads: the result does not depend on that either.
        sn::fit(model_b, data(), options(null_out, epochs, 2), resumed, [](const sn::FitProgress&) { return false; },
                [](int, const sn::FitProgress&) { return false; });
        CHECK(!resumed.stopped);
        CHECK(model_b.step() == 15);
        CHECK(same_bits(sn::test::state_of(model_b), expected));
        check_same_history(resumed.history, whole.history);
    }

    // Control: resuming with another shuffle seed gives other weights (the comparison can fail),
    // and checkpoint_mismatch names the difference.
    model_b.initialize(99);
    const sn::Checkpoint c = sn::load_checkpoint(model_b, file);
    sn::FitOptions other = options(null_out, epochs, 1);
    other.seed = 4;
    CHECK(sn::checkpoint_mismatch(c.run, sn::checkpoint_run(other, 64, data().size())) ==
          "the shuffle seed was 3 in the checkpoint, 4 now");
    sn::FitProgress resumed = c.progress;
    sn::fit(model_b, data(), other, resumed, [](const sn::FitProgress&) { return false; },
            [](int, const sn::FitProgress&) { return false; });
    CHECK(!same_bits(sn::test::state_of(model_b), expected));
}

namespace {

std::vector<unsigned char> read_bytes(const fs::path& f) {
    std::ifstream in(f, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write_bytes(const fs::path& f, const std::vector<unsigned char>& b) {
    std::ofstream out(f, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}
// Puts a correct CRC-32 back after an edit (to reach the checks behind the CRC).
void fix_crc(std::vector<unsigned char>& b) {
    const std::uint32_t crc = sn::checkpoint_detail::crc32_of(b.data(), b.size() - 4);
    for (int i = 0; i < 4; ++i) b[b.size() - 4 + static_cast<std::size_t>(i)] = static_cast<unsigned char>(crc >> (8 * i));
}

std::string load_error(BnModel& m, const fs::path& f) {
    const std::vector<float> before = sn::test::state_of(m);
    const std::uint64_t step = m.step(), seed = m.seed();
    std::string what;
    try {
        sn::load_checkpoint(m, f);
        FAIL_CHECK("the file was accepted");
    } catch (const sn::CheckpointError& e) {
        what = e.what();
    }
    // A rejected file leaves the model as it was.
    CHECK(same_bits(sn::test::state_of(m), before));
    CHECK(m.step() == step);
    CHECK(m.seed() == seed);
    return what;
}

}  // namespace

TEST_CASE("bad checkpoint files: the message names the problem and the model is unchanged") {
    NullBuffer nb;
    std::ostream null_out(&nb);
    TempDir dir;
    const fs::path good = dir.path / "good.ckpt", bad = dir.path / "bad.ckpt";
    model_a.initialize(7);
    sn::FitProgress p;
    const sn::FitOptions o = options(null_out, 1, 1);
    int steps = 0;
    sn::fit(model_a, data(), o, p, [&](const sn::FitProgress&) { return ++steps == 2; },
            [](int, const sn::FitProgress&) { return false; });
    sn::save_checkpoint(model_a, sn::checkpoint_run(o, 64, data().size()), p, good);
    const auto bytes = read_bytes(good);
    // 160-byte header + no finished epoch + parameters and Adam's two slots + CRC.
    CHECK(bytes.size() == 160 + (BnModel::network::params.total + 2 * BnModel::trainable) * 4 + 4);

    model_b.initialize(11);
    auto expect = [&](const std::vector<unsigned char>& b, const std::string& words) {
        write_bytes(bad, b);
        const std::string what = load_error(model_b, bad);
        CAPTURE(what);
        CHECK(what.rfind(bad.string() + ": ", 0) == 0);
        CHECK(what.find(words) != std::string::npos);
    };
    expect({}, "empty file");
    expect(std::vector<unsigned char>(bytes.begin(), bytes.begin() + 100), "truncated: 100 bytes");
    expect(std::vector<unsigned char>(bytes.begin(), bytes.end() - 1), "truncated");
    {
        auto b = bytes;
        b.push_back(0);
        expect(b, "wrong size");
    }
    {
        auto b = bytes;
        b[0] = 'X';
        expect(b, "wrong magic");
    }
    {
        auto b = bytes;
        b[8] = 3;
        expect(b, "format version 3, this staticnet reads versions 1 and 2");
    }
    {
        auto b = bytes;
        b[12] = 8;
        expect(b, "holds 64-bit values, this model has 32");
    }
    {
        auto b = bytes;
        b[200] ^= 0x10;  // a flipped bit inside the parameters
        expect(b, "CRC-32 mismatch");
    }
    {
        auto b = bytes;
        const std::size_t at = 160 + 5 * 4;  // parameter 5
        const float nan = std::numeric_limits<float>::quiet_NaN();
        std::memcpy(&b[at], &nan, 4);
        fix_crc(b);
        expect(b, "parameter 5 is NaN");
    }
    {
        auto b = bytes;
        b[104] = 9;  // batches done: 9, but only 2 x 64 samples seen
        fix_crc(b);
        expect(b, "inconsistent progress");
    }
    // Another network: both signatures and parameter counts in the message.
    {
        const std::vector<float> before(nin_model.parameters().begin(), nin_model.parameters().end());
        std::string what;
        try {
            sn::load_checkpoint(nin_model, good);
        } catch (const sn::CheckpointError& e) {
            what = e.what();
        }
        CAPTURE(what);
        CHECK(what.find("written for another network") != std::string::npos);
        CHECK(what.find("79114 parameters") != std::string::npos);
        CHECK(what.find("31850 parameters") != std::string::npos);
        CHECK(std::memcmp(before.data(), nin_model.parameters().data(), before.size() * sizeof(float)) == 0);
    }
    {
        std::string what;
        try {
            sn::load_checkpoint(model_b, dir.path / "missing.ckpt");
        } catch (const sn::CheckpointError& e) {
            what = e.what();
        }
        CHECK(what.find("no such file") != std::string::npos);
    }
    // The good file still loads, and gives the saved state.
    sn::load_checkpoint(model_b, good);
    CHECK(same_bits(sn::test::state_of(model_b), sn::test::state_of(model_a)));
}

namespace {
[[noreturn]] void crash_before_rename() { throw std::runtime_error("simulated crash before the rename"); }
}  // namespace

TEST_CASE("an interrupted or failing save keeps the previous checkpoint") {
    NullBuffer nb;
    std::ostream null_out(&nb);
    TempDir dir;
    const fs::path file = dir.path / "run.ckpt";
    model_a.initialize(7);
    sn::FitProgress p;
    const sn::FitOptions o = options(null_out, 1, 1);
    const sn::CheckpointRun run = sn::checkpoint_run(o, 64, data().size());
    int steps = 0;
    sn::fit(model_a, data(), o, p, [&](const sn::FitProgress&) { return ++steps == 1; },
            [](int, const sn::FitProgress&) { return false; });
    sn::save_checkpoint(model_a, run, p, file);
    const auto saved = read_bytes(file);
    const std::vector<float> state1 = sn::test::state_of(model_a);
    model_a.train_step(model_a.training_input(), std::vector<std::int32_t>(64, 1), 64);  // a later state
    p.batches_done = 2;

    // A crash after the new file is written but before the rename: the old one is intact.
    CHECK_THROWS_WITH(sn::save_checkpoint(model_a, run, p, file, crash_before_rename), "simulated crash before the rename");
    CHECK(read_bytes(file) == saved);
    model_b.initialize(3);
    sn::load_checkpoint(model_b, file);
    CHECK(same_bits(sn::test::state_of(model_b), state1));

    // The disk is full (a file size limit makes the write fail): a clear error, the old file
    // intact, no temporary file left.
    rlimit old{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
    const auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = old;
    small.rlim_cur = 4096;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    std::string what;
    try {
        sn::save_checkpoint(model_a, run, p, file);
    } catch (const sn::CheckpointError& e) {
        what = e.what();
    }
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, previous_handler);
    CAPTURE(what);
    CHECK(what.find("cannot write the checkpoint: File too large; the previous checkpoint (if any) is untouched") !=
          std::string::npos);
    CHECK(read_bytes(file) == saved);
    CHECK(!fs::exists(file.string() + ".tmp"));
}

TEST_CASE("EarlyStopping as Keras counts: patience, min_delta, restore_best_weights") {
    // val_loss per epoch: 1.0, 0.8 (best), 0.85, 0.9 -> with patience 2 the wait reaches 2 at
    // epoch 3 (0-based) and training stops there; the parameters of epoch 1 come back.
    nin_model.initialize(1);
    sn::EarlyStopping<NinModel> stop(nin_model, sn::EarlyStopping<NinModel>::Monitor::val_loss, 2, 0.0, true);
    sn::FitProgress p;
    const double val_loss[] = {1.0, 0.8, 0.85, 0.9, 0.7};
    bool stopped = false;
    int e = 0;
    for (; e < 5 && !stopped; ++e) {
        nin_model.parameters()[0] = static_cast<float>(e + 10);  // marks the epoch's weights
        p.history.loss.push_back(1.0);
        p.history.accuracy.push_back(0.5);
        p.history.val_loss.push_back(val_loss[e]);
        p.history.val_accuracy.push_back(0.5);
        stopped = stop(e, p);
    }
    CHECK(stopped);
    CHECK(e == 4);  // stopped at epoch index 3
    CHECK(stop.stopped_epoch() == 3);
    CHECK(stop.best_epoch() == 1);
    CHECK(stop.best() == 0.8);
    CHECK(nin_model.parameters()[0] == 11.0f);

    // min_delta: an improvement of 0.05 is not one when min_delta is 0.1; accuracy goes up.
    sn::EarlyStopping<NinModel> acc(nin_model, sn::EarlyStopping<NinModel>::Monitor::val_accuracy, 1, 0.1);
    sn::FitProgress q;
    const double val_acc[] = {0.5, 0.55, 0.9};
    std::vector<bool> says;
    for (int i = 0; i < 3; ++i) {
        q.history.loss.push_back(1.0);
        q.history.accuracy.push_back(0.5);
        q.history.val_loss.push_back(1.0);
        q.history.val_accuracy.push_back(val_acc[i]);
        says.push_back(acc(i, q));
    }
    CHECK(says == std::vector<bool>{false, true, false});
    CHECK(acc.stopped_epoch() == 1);
    CHECK(acc.best() == 0.9);  // called again after its stop, it went on: 0.9 is an improvement
    CHECK(acc.best_epoch() == 2);

    // In fit: it ends the run early, and fit reports the stop.
    NullBuffer nb;
    std::ostream null_out(&nb);
    model_a.initialize(7);
    sn::EarlyStopping<BnModel> never_better(model_a, sn::EarlyStopping<BnModel>::Monitor::val_loss, 0, 1e9);
    sn::FitProgress r;
    sn::fit(model_a, data(), options(null_out, 4, 1), r, [](const sn::FitProgress&) { return false; }, never_better);
    CHECK(r.history.epochs() == 2);  // epoch 0 sets the best; epoch 1 is no improvement of 1e9
    CHECK(r.stopped);
    CHECK_THROWS_AS(sn::EarlyStopping<NinModel>(nin_model, sn::EarlyStopping<NinModel>::Monitor::loss, -1),
                    std::invalid_argument);
}
