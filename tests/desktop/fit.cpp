// fit / evaluate / progress / weights: Keras semantics of the desktop training loop.
#include <doctest/doctest.h>
#include <sys/resource.h>
#include <zlib.h>

#include <cmath>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>
#include <staticnet/staticnet.hpp>
#include <string>

#include <xtensor/xmath.hpp>

#include "desktop/synthetic.hpp"

namespace sn = staticnet;
namespace fs = std::filesystem;

namespace {

using Small = sn::Sequential<sn::Input<12, 12, 1>,
                             sn::Conv2D<{.filters = 4, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>,
                             sn::BatchNormalization<>, sn::MaxPool2D<{.pool = {2, 2}}>, sn::Flatten,
                             sn::Dense<{.units = 16, .activation = sn::relu}>, sn::Dropout<{.rate = 0.2f}>,
                             sn::Dense<{.units = 4, .activation = sn::softmax}>>;
using SmallModel = sn::Model<Small, sn::Adam<>, sn::SparseCategoricalCrossentropy, 16, float>;

SmallModel& fresh_model(std::uint64_t seed) {
    static SmallModel model;
    model.initialize(seed);
    return model;
}

fs::path temp_dir(const char* name) {
    const fs::path p = fs::temp_directory_path() / (std::string("staticnet_fit_") + name + "_" + std::to_string(::getpid()));
    fs::create_directories(p);
    return p;
}

}  // namespace

TEST_CASE("validation split: the last fraction, split before shuffling, as Keras") {
    CHECK(sn::split_point(60000, 0.1) == 54000);
    CHECK(sn::split_point(60000, 0.0) == 60000);
    CHECK(sn::split_point(10, 0.25) == 7);  // int(10 * 0.75)
    CHECK_THROWS_AS(sn::split_point(10, 1.0), std::invalid_argument);
    CHECK_THROWS_AS(sn::split_point(10, -0.1), std::invalid_argument);
}

TEST_CASE("fit: history, Keras output lines, learning, and reproducibility") {
    const auto data = sn::test::quadrant_dataset(300, 5);
    std::ostringstream out;
    sn::FitOptions o;
    o.epochs = 3;
    o.validation_split = 0.1;
    o.seed = 11;
    o.verbose = sn::Verbosity::final_lines;
    o.out = &out;
    auto& model = fresh_model(3);
    const auto h = sn::fit(model, data, o);
    REQUIRE(h.epochs() == 3);
    REQUIRE(h.val_loss.size() == 3);
    REQUIRE(h.val_accuracy.size() == 3);
    // 300 samples, batch 16: 270 train = 16 full batches + one of 14 -> 17 optimizer steps each.
    CHECK(model.step() == 3 * 17);
    CHECK(h.loss[2] < h.loss[0]);
    CHECK(h.accuracy[2] > 0.9);
    CHECK(h.val_accuracy[2] > 0.9);

    const std::string text = out.str();
    CHECK(text.rfind("Train on 270 samples, validate on 30 samples\nEpoch 1/3\n", 0) == 0);
    const std::regex line(R"(270/270 \[==============================\] - \d+s \d+(s|ms|us)/sample - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4})");
    int lines = 0;
    for (std::sregex_iterator it(text.begin(), text.end(), line), end; it != end; ++it) ++lines;
    CHECK(lines == 3);
    CHECK(text.find("Epoch 3/3\n") != std::string::npos);
    CHECK(text.find('\r') == std::string::npos);  // not a terminal: no in-place redraws

    // Same seeds, same everything: identical history.
    auto& again = fresh_model(3);
    o.verbose = sn::Verbosity::silent;
    const auto h2 = sn::fit(again, data, o);
    CHECK(h2.loss == h.loss);
    CHECK(h2.val_accuracy == h.val_accuracy);

    // evaluate() agrees with the last val numbers when run over the validation part alone.
    sn::data::Dataset val = data;
    val.images.count = 30;
    val.images.pixels.assign(data.images.pixels.begin() + 270 * 144, data.images.pixels.end());
    val.labels.assign(data.labels.begin() + 270, data.labels.end());
    std::ostringstream eout;
    sn::FitOptions eo;
    eo.verbose = sn::Verbosity::final_lines;
    eo.out = &eout;
    const auto ev = sn::evaluate(again, val, eo);
    CHECK(ev.samples == 30);
    CHECK(ev.loss == doctest::Approx(h2.val_loss[2]).epsilon(1e-9));
    CHECK(ev.accuracy == doctest::Approx(h2.val_accuracy[2]));
    CHECK(std::regex_search(eout.str(), std::regex(R"(^30/30 \[=+\] - \d+s \d+(s|ms|us)/sample - loss: \d\.\d{4} - accuracy: \d\.\d{4}\n$)")));
}

TEST_CASE("fit: a smaller runtime batch than the compile-time one, and a bad one") {
    const auto data = sn::test::quadrant_dataset(100, 6);
    sn::FitOptions o;
    o.verbose = sn::Verbosity::silent;
    o.batch_size = 10;
    auto& model = fresh_model(1);
    sn::fit(model, data, o);
    CHECK(model.step() == 10);
    o.batch_size = 17;  // the model's Batch is 16
    CHECK_THROWS_AS(sn::fit(model, data, o), std::invalid_argument);
}

TEST_CASE("fit: a dataset that does not fit the network is an error naming both shapes") {
    auto data = sn::test::quadrant_dataset(20, 1);
    data.images.rows = 6;
    data.images.cols = 24;
    sn::FitOptions o;
    o.verbose = sn::Verbosity::silent;
    auto& model = fresh_model(1);
    try {
        sn::fit(model, data, o);
        FAIL("expected a DataError");
    } catch (const sn::data::DataError& e) {
        const std::string what = e.what();
        CHECK(what.find("6x24x1") != std::string::npos);
        CHECK(what.find("12x12x1") != std::string::npos);
    }
}

TEST_CASE("fit: a diverging loss stops with the epoch and step, and the last finished epoch's weights stay saved") {
    const auto data = sn::test::quadrant_dataset(64, 2);
    const fs::path dir = temp_dir("diverge");
    const fs::path file = dir / "weights.bin";
    sn::FitOptions o;
    o.epochs = 3;
    o.verbose = sn::Verbosity::silent;
    auto& model = fresh_model(4);
    std::vector<float> saved;
    try {
        sn::fit(model, data, o, [&](int epoch, const sn::History&) {
            sn::io::save_weights<float>(model.parameters(), file);
            saved.assign(model.parameters().begin(), model.parameters().end());
            // Poison the model after epoch 1, as an exploding update would.
            if (epoch == 0) model.parameter(1, "kernel")[0] = std::numeric_limits<float>::infinity();
        });
        FAIL("expected TrainingDiverged");
    } catch (const sn::TrainingDiverged& e) {
        CHECK(e.epoch == 2);
        CHECK(e.step == 1);
        CHECK(std::string(e.what()).find("epoch 2, step 1") != std::string::npos);
    }
    static SmallModel reloaded;
    sn::io::load_weights<float>(reloaded.parameters(), file);
    CHECK(std::equal(saved.begin(), saved.end(), reloaded.parameters().begin()));
    fs::remove_all(dir);
}

TEST_CASE("weights: round trip, and bad files are rejected with the reason") {
    const fs::path dir = temp_dir("weights");
    auto& model = fresh_model(9);
    sn::io::save_weights<float>(model.parameters(), dir / "w.bin");
    static SmallModel other;
    sn::io::load_weights<float>(other.parameters(), dir / "w.bin");
    CHECK(std::equal(model.parameters().begin(), model.parameters().end(), other.parameters().begin()));

    auto expect_error = [&](const fs::path& f, const char* words) {
        try {
            sn::io::load_weights<float>(other.parameters(), f);
            FAIL("expected WeightsError for " << f);
        } catch (const sn::io::WeightsError& e) {
            INFO(e.what());
            CHECK(std::string(e.what()).find(words) != std::string::npos);
            CHECK(std::string(e.what()).find(f.filename().string()) != std::string::npos);
        }
    };
    expect_error(dir / "missing.bin", "cannot open");
    {
        std::ofstream(dir / "junk.bin") << "not weights at all, clearly";
    }
    expect_error(dir / "junk.bin", "not a staticnet weights file");
    fs::copy_file(dir / "w.bin", dir / "short.bin");
    fs::resize_file(dir / "short.bin", fs::file_size(dir / "w.bin") - 4);
    expect_error(dir / "short.bin", "truncated");
    std::vector<float> fewer(10, 0.0f);
    sn::io::save_weights<float>(fewer, dir / "fewer.bin");
    expect_error(dir / "fewer.bin", "holds 10 parameters but this network has");
    std::vector<double> wider(Small::params.total, 0.0);
    sn::io::save_weights<double>(wider, dir / "double.bin");
    expect_error(dir / "double.bin", "64-bit values, expected 32");
    fs::remove_all(dir);
}

TEST_CASE("weights: CRC, NaN and Inf refused, version 1 still read, a failing save keeps the old file") {
    const fs::path dir = temp_dir("weights_v2");
    auto& model = fresh_model(5);
    const fs::path file = dir / "w.bin";
    sn::io::save_weights<float>(model.parameters(), file);
    auto read = [](const fs::path& f) {
        std::ifstream in(f, std::ios::binary);
        return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    };
    auto write = [](const fs::path& f, const std::string& bytes) {
        std::ofstream(f, std::ios::binary | std::ios::trunc) << bytes;
    };
    const std::string good = read(file);
    REQUIRE(good.size() == 24 + Small::params.total * 4 + 4);
    CHECK(good.compare(0, 8, "SNWEIGH2") == 0);
    static SmallModel other;
    other.initialize(6);
    const std::vector<float> before(other.parameters().begin(), other.parameters().end());
    auto expect_error = [&](const std::string& bytes, const std::string& message) {
        write(dir / "bad.bin", bytes);
        try {
            sn::io::load_weights<float>(other.parameters(), dir / "bad.bin");
            FAIL("expected WeightsError");
        } catch (const sn::io::WeightsError& e) {
            CHECK(std::string(e.what()) == (dir / "bad.bin").string() + ": " + message);
        }
        // Nothing was loaded.
        CHECK(std::equal(before.begin(), before.end(), other.parameters().begin()));
    };
    auto with_value = [&](std::size_t i, float v) {  // value i replaced, the CRC made to match
        std::string b = good;
        std::memcpy(&b[24 + 4 * i], &v, 4);
        const auto crc = static_cast<std::uint32_t>(
            crc32(0L, reinterpret_cast<const Bytef*>(b.data()), static_cast<uInt>(b.size() - 4)));
        std::memcpy(&b[b.size() - 4], &crc, 4);
        return b;
    };
    {
        std::string b = good;
        b[100] = static_cast<char>(b[100] ^ 0x10);
        expect_error(b, "CRC-32 mismatch: the file is corrupt");
    }
    expect_error(with_value(3, std::nanf("")), "parameter 3 is NaN: the weights are broken (a diverged training?)");
    expect_error(with_value(7, -std::numeric_limits<float>::infinity()),
                 "parameter 7 is infinite: the weights are broken (a diverged training?)");
    try {
        write(dir / "bad.bin", with_value(7, std::nanf("")));
        sn::io::load_weights<float>(other.parameters(), dir / "bad.bin");
    } catch (const sn::io::NonFiniteWeight& e) {
        CHECK(e.index == 7);
        CHECK(e.nan);
    }
    expect_error("", "empty file (not a staticnet weights file)");
    expect_error(good.substr(0, 20), "truncated: 20 bytes, shorter than the 24-byte header");
    expect_error(good + "x", "trailing data: " + std::to_string(good.size() + 1) + " bytes, the header promises " +
                                 std::to_string(good.size()));
    expect_error("SNWEIGHT" + good.substr(8), "not a staticnet weights file (wrong magic)");
    // Version 1 (no CRC) is still read.
    write(dir / "v1.bin", "SNWEIGH1" + good.substr(8, good.size() - 12));
    sn::io::load_weights<float>(other.parameters(), dir / "v1.bin");
    CHECK(std::equal(model.parameters().begin(), model.parameters().end(), other.parameters().begin()));

    // A save that fails (a file size limit, as a full disk): the message says why, the previous
    // file is intact and no temporary file is left.
    auto& changed = fresh_model(8);
    rlimit old{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
    const auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = old;
    small.rlim_cur = 1024;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    std::string what;
    try {
        sn::io::save_weights<float>(changed.parameters(), file);
    } catch (const sn::io::WeightsError& e) {
        what = e.what();
    }
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, previous_handler);
    CHECK(what == file.string() + ": cannot write the weights: File too large; the previous file (if any) is untouched");
    CHECK(read(file) == good);
    CHECK_FALSE(fs::exists(file.string() + ".tmp"));
    fs::remove_all(dir);
}

TEST_CASE("progress: Keras's bar arithmetic") {
    std::ostringstream out;
    sn::Progbar bar(out, 54000, false);
    const sn::Metric m[2] = {{"loss", 0.26834}, {"accuracy", 0.91631}};
    bar.finish(m, 2);
    const std::string s = out.str();
    CHECK(s.rfind("54000/54000 [==============================] - 0s ", 0) == 0);
    CHECK(s.find("/sample - loss: 0.2683 - accuracy: 0.9163\n") != std::string::npos);

    std::ostringstream live;
    sn::Progbar partial(live, 60, true);
    partial.update(30, m, 2);
    // Keras: prog_width = int(30 * 30 / 60) = 15 -> 14 '=', '>', 15 '.'
    CHECK(live.str().find("\r30/60 [==============>...............]") == 0);
}

TEST_CASE("model: NaN or infinity in the input, bad labels and bad sizes are reported, not trained on") {
    auto& model = fresh_model(2);
    static float x[16 * 144];
    std::int32_t labels[16] = {};
    for (auto& v : x) v = 1.0f;
    const auto before = std::vector<float>(model.parameters().begin(), model.parameters().end());
    x[77] = std::numeric_limits<float>::quiet_NaN();
    CHECK(model.train_step(x, labels, 16).status == sn::StepStatus::non_finite_input);
    CHECK(model.evaluate_batch(x, labels, 16).status == sn::StepStatus::non_finite_input);
    x[77] = std::numeric_limits<float>::infinity();
    CHECK(model.train_step(x, labels, 16).status == sn::StepStatus::non_finite_input);
    x[77] = 1.0f;
    labels[3] = 4;  // 4 classes: 0..3
    CHECK(model.train_step(x, labels, 16).status == sn::StepStatus::label_out_of_range);
    labels[3] = -1;
    CHECK(model.train_step(x, labels, 16).status == sn::StepStatus::label_out_of_range);
    labels[3] = 0;
    CHECK(model.train_step(x, labels, 17).status == sn::StepStatus::bad_batch_size);
    CHECK(model.train_step(x, labels, 0).status == sn::StepStatus::bad_batch_size);
    CHECK(model.train_step(std::span<const float>(x, 100), labels, 16).status == sn::StepStatus::input_too_short);
    CHECK(std::equal(before.begin(), before.end(), model.parameters().begin()));
    CHECK(model.step() == 0);
    CHECK(model.train_step(x, labels, 16).status == sn::StepStatus::ok);
    CHECK(model.step() == 1);
}

TEST_CASE("xtensor views adapt model memory without copying") {
    auto& model = fresh_model(5);
    static float x[3 * 144];
    for (int i = 0; i < 3 * 144; ++i) x[i] = static_cast<float>((i * 7) % 256);
    const auto out = model.predict(x, 3);
    REQUIRE(out.size() == 12);
    const auto scores = sn::scores_view(out, 3, 4);
    CHECK(scores.shape()[0] == 3);
    CHECK(scores.shape()[1] == 4);
    CHECK(&scores(2, 3) == out.data() + 11);
    const auto sums = xt::eval(xt::sum(scores, {1}));
    for (int s = 0; s < 3; ++s) CHECK(sums(s) == doctest::Approx(1.0f).epsilon(1e-6));
    const auto kernel = model.parameter(1, "kernel");  // (3, 3, 1, 4)
    auto k = sn::batch_view(kernel, sn::Shape{3, 1, 4, 3}, 3);
    CHECK(&k(2, 2, 0, 3) == kernel.data() + 35);
    k(0, 0, 0, 0) = 42.0f;
    CHECK(kernel[0] == 42.0f);
}
