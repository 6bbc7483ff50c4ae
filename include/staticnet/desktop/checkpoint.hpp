// Training checkpoints (desktop layer): everything a run needs to continue bit for bit, in one
// file, checked before anything is used.
//
// Format, version 2 (all integers and floats little-endian; "f64" is an IEEE double's bits):
//
//   offset  size  field
//   0       8     magic "SNCKPT\r\n" (53 4E 43 4B 50 54 0D 0A: a text-mode transfer breaks it)
//   8       4     u32 format version (2)
//   12      4     u32 bytes per value (4 = float, 8 = double)
//   16      8     u64 network signature (sn::signature_of<Net>: layer kinds, options, shapes)
//   24      8     u64 parameter count P (trainable and not: BN moving statistics included)
//   32      8     u64 optimizer state count S (Adam: 2 x trainable; SGD: 0 or trainable)
//   40      8     u64 optimizer step (updates applied; Adam's t - 1)
//   48      8     u64 model seed (dropout masks are keyed by seed and step)
//   56      8     u64 fit seed (shuffle order)
//   64      4     i32 batch size
//   68      4     i32 epochs asked for (may differ when resuming: more or fewer epochs)
//   72      8     f64 validation split
//   80      8     i64 training samples
//   88      8     i64 validation samples
//   96      1     u8 shuffle, 1 u8 normalize, 2 bytes zero
//   100     4     i32 epoch in progress (0-based)
//   104     8     i64 batches of that epoch done
//   112     8     f64 their loss sum, 8 i64 correct, 8 i64 samples
//   136     4     u32 finished epochs H (== epoch in progress - initial epoch), 4 u32 of them
//                 with validation
//   144     8     f64 the model's learning rate (a float's value: it may change at run time)
//   152     4     i32 initial epoch (FitOptions::initial_epoch of the run), 4 bytes zero
//   160     H x 7 x 8  history: loss, accuracy, val_loss, val_accuracy, seconds, samples/s,
//                 learning rate
//   ...     P values, then S values (the value size above)
//   end-4   4     u32 CRC-32 (zlib) of every byte before it
//
// Version 1 (staticnet before run-time learning rates) is read too: it has no fields at 144..159
// and 6 history values per epoch; its learning rate was the optimizer's compile-time one, its
// initial epoch 0. Saving always writes version 2.
//
// Writing: into "<file>.tmp" in the same folder, fsync, rename over <file>, fsync the folder:
// a crash at any moment leaves either the old or the new checkpoint, never a mix. Reading:
// the whole file is checked (size, magic, version, value size, network signature and sizes,
// CRC, every value finite, counters consistent) before the model or the progress is touched;
// a rejected file changes nothing.
#pragma once
#include <zlib.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "../graph/source.hpp"
#include "../io/atomic_file.hpp"
#include "fit.hpp"

namespace staticnet {

struct CheckpointError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The options a checkpoint records: resuming with other values would not continue the same run.
struct CheckpointRun {
    std::uint64_t fit_seed = 0;
    int batch_size = 0;
    int epochs = 0;
    double validation_split = 0;
    long train_samples = 0;
    long validation_samples = 0;
    bool shuffle = true;
    bool normalize = false;
};

// What a run's options and data say about it (what save_checkpoint records and what a resumed
// run must match).
inline CheckpointRun checkpoint_run(const FitOptions& o, int batch_size, long samples) {
    CheckpointRun r;
    r.fit_seed = o.seed;
    r.batch_size = batch_size;
    r.epochs = o.epochs;
    r.validation_split = o.validation_split;
    r.train_samples = split_point(samples, o.validation_split);
    r.validation_samples = samples - r.train_samples;
    r.shuffle = o.shuffle;
    r.normalize = o.normalize;
    return r;
}

struct Checkpoint {
    CheckpointRun run;
    FitProgress progress;
    std::uint64_t step = 0;
    std::uint64_t seed = 0;
    float learning_rate = 0;
    std::uint32_t version = 0;  // the file's format version
};

namespace checkpoint_detail {

inline constexpr unsigned char magic[8] = {'S', 'N', 'C', 'K', 'P', 'T', '\r', '\n'};
inline constexpr std::uint32_t version = 2;
inline constexpr std::size_t fixed_header = 160;
inline constexpr std::size_t fixed_header_v1 = 144;
inline constexpr std::size_t history_values(std::uint32_t v) { return v == 1 ? 6 : 7; }

class Writer {
public:
    void bytes(const void* p, std::size_t n) {
        const auto* b = static_cast<const unsigned char*>(p);
        buf.insert(buf.end(), b, b + n);
    }
    void u8(std::uint8_t v) { buf.push_back(v); }
    void u32(std::uint32_t v) {
        for (int i = 0; i < 4; ++i) buf.push_back(static_cast<unsigned char>(v >> (8 * i)));
    }
    void u64(std::uint64_t v) {
        for (int i = 0; i < 8; ++i) buf.push_back(static_cast<unsigned char>(v >> (8 * i)));
    }
    void i32(std::int32_t v) { u32(static_cast<std::uint32_t>(v)); }
    void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
    void f64(double v) {
        std::uint64_t b;
        std::memcpy(&b, &v, 8);
        u64(b);
    }
    template <class T>
    void value(T v) {
        if constexpr (sizeof(T) == 4) {
            std::uint32_t b;
            std::memcpy(&b, &v, 4);
            u32(b);
        } else {
            std::uint64_t b;
            std::memcpy(&b, &v, 8);
            u64(b);
        }
    }
    std::vector<unsigned char> buf;
};

class Reader {
public:
    Reader(const unsigned char* p, std::size_t n) : p_(p), n_(n) {}
    std::uint8_t u8() { return p_[at(1)]; }
    std::uint32_t u32() {
        const std::size_t a = at(4);
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(p_[a + static_cast<std::size_t>(i)]) << (8 * i);
        return v;
    }
    std::uint64_t u64() {
        const std::size_t a = at(8);
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(p_[a + static_cast<std::size_t>(i)]) << (8 * i);
        return v;
    }
    std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
    std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
    double f64() {
        const std::uint64_t b = u64();
        double v;
        std::memcpy(&v, &b, 8);
        return v;
    }
    template <class T>
    T value() {
        T v;
        if constexpr (sizeof(T) == 4) {
            const std::uint32_t b = u32();
            std::memcpy(&v, &b, 4);
        } else {
            const std::uint64_t b = u64();
            std::memcpy(&v, &b, 8);
        }
        return v;
    }
    std::size_t offset() const { return pos_; }

private:
    std::size_t at(std::size_t k) {
        if (pos_ + k > n_) throw std::out_of_range("checkpoint reader past the end");  // sizes are checked first
        const std::size_t a = pos_;
        pos_ += k;
        return a;
    }
    const unsigned char* p_;
    std::size_t n_;
    std::size_t pos_ = 0;
};

using io::crc32_of;

inline std::string hex64(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(v));
    return buf;
}

[[noreturn]] inline void fail(const std::filesystem::path& file, const std::string& what) {
    throw CheckpointError(file.string() + ": " + what);
}

// tmp + fsync + rename + fsync of the folder (io/atomic_file.hpp). `before_rename` is a test
// hook (crash tests).
inline void write_atomically(const std::filesystem::path& file, const std::vector<unsigned char>& bytes,
                             void (*before_rename)() = nullptr) {
    io::write_file_atomically<CheckpointError>(file, bytes.data(), bytes.size(),
                                               {"the checkpoint", "the previous checkpoint", "the checkpoint"},
                                               before_rename);
}

}  // namespace checkpoint_detail

// Saves the model (parameters, optimizer state, step, seed) and where the run stands.
template <class M>
void save_checkpoint(const M& model, const CheckpointRun& run, const FitProgress& progress,
                     const std::filesystem::path& file, void (*before_rename)() = nullptr) {
    using T = typename M::value_type;
    using namespace checkpoint_detail;
    const auto params = model.parameters();
    const auto opt = model.optimizer_state();
    const History& h = progress.history;
    Writer w;
    w.buf.reserve(fixed_header + static_cast<std::size_t>(h.epochs()) * 8 * history_values(version) +
                  (params.size() + opt.size()) * sizeof(T) + 4);
    w.bytes(magic, 8);
    w.u32(version);
    w.u32(sizeof(T));
    w.u64(signature_of<typename M::network>);
    w.u64(params.size());
    w.u64(opt.size());
    w.u64(model.step());
    w.u64(model.seed());
    w.u64(run.fit_seed);
    w.i32(run.batch_size);
    w.i32(run.epochs);
    w.f64(run.validation_split);
    w.i64(run.train_samples);
    w.i64(run.validation_samples);
    w.u8(run.shuffle ? 1 : 0);
    w.u8(run.normalize ? 1 : 0);
    w.u8(0);
    w.u8(0);
    w.i32(progress.epoch);
    w.i64(progress.batches_done);
    w.f64(progress.loss_sum);
    w.i64(progress.correct);
    w.i64(progress.seen);
    const auto epochs = static_cast<std::size_t>(h.epochs());
    w.u32(static_cast<std::uint32_t>(epochs));
    w.u32(static_cast<std::uint32_t>(h.val_loss.size()));
    w.f64(static_cast<double>(model.learning_rate()));
    w.i32(progress.initial_epoch);
    w.u32(0);
    for (std::size_t e = 0; e < epochs; ++e) {
        const bool val = e < h.val_loss.size();
        w.f64(h.loss[e]);
        w.f64(h.accuracy[e]);
        w.f64(val ? h.val_loss[e] : 0.0);
        w.f64(val ? h.val_accuracy[e] : 0.0);
        w.f64(e < h.seconds.size() ? h.seconds[e] : 0.0);
        w.f64(e < h.samples_per_second.size() ? h.samples_per_second[e] : 0.0);
        w.f64(e < h.learning_rate.size() ? h.learning_rate[e] : static_cast<double>(model.learning_rate()));
    }
    for (T v : params) w.value(v);
    for (T v : opt) w.value(v);
    w.u32(crc32_of(w.buf.data(), w.buf.size()));
    write_atomically(file, w.buf, before_rename);
}

// Reads and checks `file` completely, then restores the model's parameters, optimizer state,
// step and seed and returns the run and progress. Throws CheckpointError naming the problem;
// then the model is unchanged.
template <class M>
Checkpoint load_checkpoint(M& model, const std::filesystem::path& file) {
    using T = typename M::value_type;
    using namespace checkpoint_detail;
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) fail(file, "no such file");
    std::ifstream in(file, std::ios::binary);
    if (!in) fail(file, std::string("cannot open: ") + std::strerror(errno));
    std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) fail(file, "read error");
    if (bytes.empty()) fail(file, "empty file (not a checkpoint)");
    if (bytes.size() < 8 || std::memcmp(bytes.data(), magic, 8) != 0) fail(file, "not a staticnet checkpoint (wrong magic)");
    if (bytes.size() < fixed_header_v1 + 4)
        fail(file, "truncated: " + std::to_string(bytes.size()) + " bytes, shorter than the " +
                       std::to_string(fixed_header_v1 + 4) + "-byte header");
    Reader r(bytes.data(), bytes.size());
    r.u64();  // magic
    const std::uint32_t ver = r.u32();
    if (ver != version && ver != 1)
        fail(file, "format version " + std::to_string(ver) + ", this staticnet reads versions 1 and " +
                       std::to_string(version));
    const std::size_t header = ver == 1 ? fixed_header_v1 : fixed_header;
    if (bytes.size() < header + 4)
        fail(file, "truncated: " + std::to_string(bytes.size()) + " bytes, shorter than the " +
                       std::to_string(header + 4) + "-byte header");
    const std::uint32_t value_size = r.u32();
    const std::uint64_t signature = r.u64();
    const std::uint64_t np = r.u64(), no = r.u64();
    const auto params = model.parameters();
    const auto opt = model.optimizer_state();
    if (value_size != sizeof(T))
        fail(file, "holds " + std::to_string(value_size * 8) + "-bit values, this model has " + std::to_string(sizeof(T) * 8));
    if (signature != signature_of<typename M::network>)
        fail(file, "written for another network (signature " + hex64(signature) + ", " + std::to_string(np) +
                       " parameters; this network: " + hex64(signature_of<typename M::network>) + ", " +
                       std::to_string(params.size()) + " parameters)");
    if (np != params.size() || no != opt.size())
        fail(file, "holds " + std::to_string(np) + " parameters and " + std::to_string(no) +
                       " optimizer values; this model has " + std::to_string(params.size()) + " and " +
                       std::to_string(opt.size()) + " (another optimizer?)");
    Checkpoint c;
    c.version = ver;
    c.step = r.u64();
    c.seed = r.u64();
    c.run.fit_seed = r.u64();
    c.run.batch_size = r.i32();
    c.run.epochs = r.i32();
    c.run.validation_split = r.f64();
    c.run.train_samples = r.i64();
    c.run.validation_samples = r.i64();
    const std::uint8_t shuffle = r.u8(), normalize = r.u8(), reserved0 = r.u8(), reserved1 = r.u8();
    c.run.shuffle = shuffle != 0;
    c.run.normalize = normalize != 0;
    FitProgress& p = c.progress;
    p.epoch = r.i32();
    p.batches_done = r.i64();
    p.loss_sum = r.f64();
    p.correct = r.i64();
    p.seen = r.i64();
    const std::uint32_t epochs = r.u32(), with_val = r.u32();
    double lr = static_cast<double>(M::optimizer::options.learning_rate);
    std::uint32_t reserved2 = 0;
    if (ver >= 2) {
        lr = r.f64();
        p.initial_epoch = r.i32();
        reserved2 = r.u32();
    }
    // The size the header promises, before reading further (no huge allocation from a bad count).
    const std::uint64_t expected =
        header + static_cast<std::uint64_t>(epochs) * 8 * history_values(ver) + (np + no) * sizeof(T) + 4;
    if (epochs > 1'000'000 || bytes.size() != expected)
        fail(file, bytes.size() < expected ? "truncated: " + std::to_string(bytes.size()) + " bytes, the header promises " +
                                                 std::to_string(expected)
                                           : "wrong size: " + std::to_string(bytes.size()) +
                                                 " bytes, the header promises " + std::to_string(expected));
    const std::uint32_t stored_crc = static_cast<std::uint32_t>(bytes[bytes.size() - 4]) |
                                     static_cast<std::uint32_t>(bytes[bytes.size() - 3]) << 8 |
                                     static_cast<std::uint32_t>(bytes[bytes.size() - 2]) << 16 |
                                     static_cast<std::uint32_t>(bytes[bytes.size() - 1]) << 24;
    if (crc32_of(bytes.data(), bytes.size() - 4) != stored_crc) fail(file, "CRC-32 mismatch: the file is corrupt");
    // Every byte means one thing: flags 0 or 1, reserved bytes zero (a load followed by a save
    // gives the same file back).
    if (shuffle > 1 || normalize > 1 || reserved0 != 0 || reserved1 != 0 || reserved2 != 0)
        fail(file, "invalid flag bytes (shuffle " + std::to_string(shuffle) + ", normalize " + std::to_string(normalize) +
                       ", reserved " + std::to_string(reserved0) + " " + std::to_string(reserved1) + " " +
                       std::to_string(reserved2) + ")");
    // A float's value, finite and positive (what Model::set_learning_rate accepts).
    if (!(lr > 0.0 && lr <= static_cast<double>(std::numeric_limits<float>::max())) ||
        static_cast<double>(static_cast<float>(lr)) != lr)
        fail(file, "invalid learning rate " + std::to_string(lr));
    c.learning_rate = static_cast<float>(lr);
    // Counters that make sense together.
    if (c.run.batch_size < 1 || c.run.epochs < 0 || c.run.train_samples < 1 || c.run.validation_samples < 0 ||
        !(c.run.validation_split >= 0.0 && c.run.validation_split < 1.0))
        fail(file, "inconsistent run options (batch " + std::to_string(c.run.batch_size) + ", " +
                       std::to_string(c.run.train_samples) + " training samples)");
    if (p.initial_epoch < 0 || p.epoch < p.initial_epoch ||
        static_cast<std::uint32_t>(p.epoch - p.initial_epoch) != epochs || with_val > epochs ||
        (with_val != 0 && with_val != epochs) || p.batches_done < 0 ||
        p.batches_done > (c.run.train_samples + c.run.batch_size - 1) / c.run.batch_size || p.seen < 0 || p.correct < 0 ||
        p.correct > p.seen || p.seen > c.run.train_samples ||
        p.seen != std::min<long>(p.batches_done * c.run.batch_size, c.run.train_samples) || !std::isfinite(p.loss_sum))
        fail(file, "inconsistent progress (epoch " + std::to_string(p.epoch) + ", " + std::to_string(epochs) +
                       " epochs of history, batch " + std::to_string(p.batches_done) + ", " + std::to_string(p.seen) +
                       " samples)");
    for (std::uint32_t e = 0; e < epochs; ++e) {
        const double loss = r.f64(), acc = r.f64(), vl = r.f64(), va = r.f64(), sec = r.f64(), sps = r.f64();
        const double epoch_lr = ver >= 2 ? r.f64() : lr;
        if (!with_val && (vl != 0.0 || va != 0.0 || std::signbit(vl) || std::signbit(va)))
            fail(file, "epoch " + std::to_string(e + 1) + " has validation values in a history without validation");
        p.history.loss.push_back(loss);
        p.history.accuracy.push_back(acc);
        if (with_val) {
            p.history.val_loss.push_back(vl);
            p.history.val_accuracy.push_back(va);
        }
        p.history.seconds.push_back(sec);
        p.history.samples_per_second.push_back(sps);
        p.history.learning_rate.push_back(epoch_lr);
    }
    std::vector<T> values(static_cast<std::size_t>(np + no));
    for (std::size_t i = 0; i < values.size(); ++i) {
        values[i] = r.template value<T>();
        if (!std::isfinite(values[i]))
            fail(file, (i < np ? "parameter " + std::to_string(i) : "optimizer value " + std::to_string(i - np)) + " is " +
                           (std::isnan(values[i]) ? "NaN" : "infinite"));
    }
    // Everything checked: now the model.
    for (std::size_t i = 0; i < np; ++i) params[i] = values[i];
    for (std::size_t i = 0; i < no; ++i) opt[i] = values[np + i];
    model.set_step(c.step);
    model.set_seed(c.seed);
    model.set_learning_rate(c.learning_rate);
    return c;
}

// Why `run` (this invocation's options and data) cannot continue checkpoint `c`; empty if it can.
// The number of epochs may differ (train on for longer, or stop earlier).
inline std::string checkpoint_mismatch(const CheckpointRun& saved, const CheckpointRun& now) {
    auto differs = [](const char* what, const std::string& a, const std::string& b) {
        return std::string(what) + " was " + a + " in the checkpoint, " + b + " now";
    };
    if (saved.batch_size != now.batch_size)
        return differs("the batch size", std::to_string(saved.batch_size), std::to_string(now.batch_size));
    if (saved.fit_seed != now.fit_seed)
        return differs("the shuffle seed", std::to_string(saved.fit_seed), std::to_string(now.fit_seed));
    if (saved.validation_split != now.validation_split)
        return differs("validation_split", std::to_string(saved.validation_split), std::to_string(now.validation_split));
    if (saved.train_samples != now.train_samples || saved.validation_samples != now.validation_samples)
        return differs("the data (training / validation samples)",
                       std::to_string(saved.train_samples) + " / " + std::to_string(saved.validation_samples),
                       std::to_string(now.train_samples) + " / " + std::to_string(now.validation_samples));
    if (saved.shuffle != now.shuffle) return differs("shuffle", saved.shuffle ? "on" : "off", now.shuffle ? "on" : "off");
    if (saved.normalize != now.normalize)
        return differs("normalize", saved.normalize ? "on" : "off", now.normalize ? "on" : "off");
    return {};
}

}  // namespace staticnet
