// libFuzzer target for the checkpoint reader (include/staticnet/desktop/checkpoint.hpp).
//
// Each input is written to a per-process temp file and loaded into a small static Model (a
// conv, BatchNormalization, Dropout and Dense network: every kind of saved state). Expected
// outcomes:
//   - staticnet::CheckpointError whose message starts with "<file>: ", and the model exactly as
//     it was (parameters, optimizer state, step, seed): a rejected file changes nothing;
//   - success, and then: the progress is consistent (history length = epoch - initial epoch,
//     samples seen match the batches), every parameter and optimizer value is finite, the
//     learning rate is a positive float, and saving the loaded state again gives back the input
//     byte for byte (every byte of the format means one thing); a version-1 file saves as
//     version 2, which must load back to the same state.
// Anything else - another exception, a crash, a leak, a sanitizer report, a broken invariant -
// abort()s: a finding.
//
// Built by tests/fuzz/CMakeLists.txt (clang++-14 -fsanitize=fuzzer,address,undefined) and, as a
// plain replay binary, by tests/fuzz/run_regressions.sh (g++ with replay_main.cpp). With
// -DSTATICNET_CHECKPOINT_SEEDS it is a program that writes the seed corpus
// (tests/fuzz/corpus/checkpoint/: `g++ -std=c++20 -DSTATICNET_CHECKPOINT_SEEDS -Iinclude
// tests/fuzz/checkpoint_fuzz.cpp -lz -o /tmp/seeds && /tmp/seeds tests/fuzz/corpus/checkpoint`).
#include <staticnet/staticnet.hpp>

#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace sn = staticnet;
namespace fs = std::filesystem;

// Spelled types (clang rejects braced class-type template arguments).
using Net = sn::Sequential<sn::Input<6, 6, 1>,
                           sn::Conv2D<sn::Conv2DOptions{.filters = 2, .kernel = {3, 3}, .activation = sn::relu}>,
                           sn::BatchNormalization<>, sn::Flatten, sn::Dropout<sn::DropoutOptions{.rate = 0.25f}>,
                           sn::Dense<sn::DenseOptions{.units = 3, .activation = sn::softmax}>>;
using FuzzModel = sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, 4>;
FuzzModel model;

[[noreturn]] void finding(const std::string& what) {
    std::fprintf(stderr, "\ncheckpoint_fuzz: FINDING: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

std::vector<unsigned char> read_all(const fs::path& f) {
    std::ifstream in(f, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct State {
    std::vector<float> values;
    std::uint64_t step = 0, seed = 0;
    float learning_rate = 0;
    bool operator==(const State& o) const {
        return step == o.step && seed == o.seed && learning_rate == o.learning_rate && values.size() == o.values.size() &&
               std::memcmp(values.data(), o.values.data(), values.size() * sizeof(float)) == 0;
    }
};
State state_of(const FuzzModel& m) {
    State s;
    s.values.assign(m.parameters().begin(), m.parameters().end());
    s.values.insert(s.values.end(), m.optimizer_state().begin(), m.optimizer_state().end());
    s.step = m.step();
    s.seed = m.seed();
    s.learning_rate = m.learning_rate();
    return s;
}

const fs::path& temp_dir() {
    static const fs::path dir = [] {
        fs::path d = fs::temp_directory_path() / ("staticnet-checkpoint-fuzz." + std::to_string(::getpid()));
        fs::create_directories(d);
        std::atexit([] {
            std::error_code ec;
            fs::remove_all(fs::temp_directory_path() / ("staticnet-checkpoint-fuzz." + std::to_string(::getpid())), ec);
        });
        return d;
    }();
    return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static bool initialized = [] {
        model.initialize(1);
        return true;
    }();
    (void)initialized;
    const fs::path input = temp_dir() / "input.ckpt", again = temp_dir() / "again.ckpt";
    {
        std::ofstream out(input, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
        if (!out) finding("harness: cannot write the temp file");
    }
    const State before = state_of(model);
    sn::Checkpoint c;
    try {
        c = sn::load_checkpoint(model, input);
    } catch (const sn::CheckpointError& e) {
        const std::string what = e.what();
        if (what.rfind(input.string() + ": ", 0) != 0) finding("message does not start with the file name: " + what);
        if (!(state_of(model) == before)) finding("a rejected file changed the model: " + what);
        return 0;
    } catch (const std::exception& e) {
        finding(std::string("unexpected exception: ") + e.what());
    }
    // Accepted: the invariants.
    const sn::FitProgress& p = c.progress;
    if (p.history.epochs() != p.epoch - p.initial_epoch) finding("history length differs from the epochs run");
    if (!(model.learning_rate() > 0.0f && std::isfinite(model.learning_rate()))) finding("learning rate");
    if (p.history.learning_rate.size() != static_cast<std::size_t>(p.history.epochs())) finding("history of rates");
    if (p.seen != std::min<long>(p.batches_done * c.run.batch_size, c.run.train_samples)) finding("samples seen");
    for (float v : state_of(model).values)
        if (!std::isfinite(v)) finding("a non-finite value was loaded");
    if (model.step() != c.step || model.seed() != c.seed) finding("step or seed not restored");
    sn::save_checkpoint(model, c.run, p, again);
    if (c.version == 1) {
        const State loaded = state_of(model);
        model.initialize(2);
        const sn::Checkpoint c2 = sn::load_checkpoint(model, again);
        if (!(state_of(model) == loaded) || c2.version != 2 || c2.progress.epoch != p.epoch ||
            c2.progress.history.loss != p.history.loss)
            finding("a version-1 checkpoint saved as version 2 loads back differently");
    } else if (read_all(again) != std::vector<unsigned char>(data, data + size)) {
        finding("saving the loaded checkpoint does not give the input back");
    }
    model.initialize(1);  // the next input starts from the same model
    return 0;
}

#ifdef STATICNET_CHECKPOINT_SEEDS
// Writes valid checkpoints of FuzzModel: fresh, mid-epoch, after an epoch with validation, and
// without validation or shuffle.
int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    const fs::path dir = argv[1];
    fs::create_directories(dir);
    model.initialize(1);
    sn::FitOptions o;
    o.epochs = 3;
    o.validation_split = 0.25;
    sn::CheckpointRun run = sn::checkpoint_run(o, 4, 12);
    sn::FitProgress p;
    sn::save_checkpoint(model, run, p, dir / "fresh.ckpt");
    // A few real steps on a tiny deterministic batch, then mid-epoch and epoch-end states.
    std::vector<float> x(4 * 36);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 37) % 256);
    const std::vector<std::int32_t> labels = {0, 1, 2, 1};
    model.train_step(x, labels, 4);
    p.batches_done = 1;
    p.loss_sum = 4.25;
    p.correct = 2;
    p.seen = 4;
    sn::save_checkpoint(model, run, p, dir / "mid-epoch.ckpt");
    model.train_step(x, labels, 4);
    p = sn::FitProgress{};
    p.epoch = 1;
    p.history.loss = {1.0625};
    p.history.accuracy = {0.5};
    p.history.val_loss = {1.125};
    p.history.val_accuracy = {0.25};
    p.history.seconds = {0.5};
    p.history.samples_per_second = {24.0};
    p.history.learning_rate = {0.001f};
    sn::save_checkpoint(model, run, p, dir / "after-epoch.ckpt");
    // A run started at initial_epoch 2 whose learning rate was lowered after its first epoch.
    sn::FitProgress later = p;
    later.initial_epoch = 2;
    later.epoch = 3;
    model.set_learning_rate(0.0005f);
    sn::save_checkpoint(model, run, later, dir / "initial-epoch-lr.ckpt");
    model.set_learning_rate(0.001f);
    o.validation_split = 0;
    o.shuffle = false;
    run = sn::checkpoint_run(o, 4, 12);
    p.history.val_loss.clear();
    p.history.val_accuracy.clear();
    sn::save_checkpoint(model, run, p, dir / "no-validation.ckpt");
    return 0;
}
#endif
