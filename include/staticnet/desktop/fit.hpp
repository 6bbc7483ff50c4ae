// fit / evaluate with Keras semantics, on datasets of any sample shape (data/idx.hpp: IDX files or
// arrays in memory, bytes or floats) with integer labels.
// The desktop layer: it allocates its buffers (shuffle order, labels) before the first step,
// then every epoch runs without touching the heap; errors are exceptions naming the problem.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <unistd.h>

#include "../core/rng.hpp"
#include "../data/idx.hpp"
#include "parallel.hpp"
#include "progress.hpp"

namespace staticnet {

// The loss became NaN or infinite: names the epoch and step where it happened.
struct TrainingDiverged : std::runtime_error {
    TrainingDiverged(const std::string& what, int epoch, long step)
        : std::runtime_error(what), epoch(epoch), step(step) {}
    int epoch;
    long step;
};

enum class Verbosity { silent, final_lines, automatic, interactive };

struct FitOptions {
    int epochs = 1;
    double validation_split = 0.0;  // the LAST fraction, split before shuffling (Keras)
    int batch_size = 0;             // 0: the model's compile-time Batch; at most that
    bool shuffle = true;
    std::uint64_t seed = 0;         // shuffle order; weights/dropout are seeded by the model
    bool normalize = false;         // false: raw 0..255 pixels, as the original feeds them
    int threads = 0;                // worker threads for every step; 0: the machine's cores.
                                    // Results are bit-identical for any count.
    int initial_epoch = 0;          // Keras's initial_epoch: the first epoch to run (0-based);
                                    // the shuffles of the epochs before it are replayed, the
                                    // history holds only the epochs run.
    Verbosity verbose = Verbosity::automatic;
    std::ostream* out = &std::cout;
    bool interactive = false;       // set by fit from the stream for Verbosity::automatic
};

struct History {
    std::vector<double> loss, accuracy, val_loss, val_accuracy;
    std::vector<double> seconds;  // wall time of each epoch (training + validation)
    std::vector<double> samples_per_second;  // training samples / wall time of the training part
    std::vector<double> learning_rate;       // the model's learning rate at the epoch's end (Keras's "lr")
    int epochs() const { return static_cast<int>(loss.size()); }
};

// Where a training run stands between two steps. With the model's parameters, optimizer state,
// step counter and seed, it is everything needed to continue bit for bit (what a checkpoint
// holds: desktop/checkpoint.hpp).
struct FitProgress {
    int initial_epoch = 0;   // the run's first epoch (FitOptions::initial_epoch)
    int epoch = 0;           // the epoch in progress, 0-based (== epochs when all are done)
    long batches_done = 0;   // batches of that epoch already applied
    double loss_sum = 0;     // sample-weighted training loss over those batches
    long correct = 0;        // and their correct predictions
    long seen = 0;           // and their samples
    History history;         // the finished epochs (epoch - initial_epoch of them)
    bool stopped = false;    // set by fit when a callback asked it to stop
};

struct Evaluation {
    double loss = 0;
    double accuracy = 0;
    long samples = 0;
};

// A contiguous part [begin, end) of a dataset.
struct DatasetView {
    const data::Dataset* data = nullptr;
    long begin = 0;
    long end = 0;
    long size() const { return end - begin; }
};

namespace detail {

template <class M>
void check_dataset_fits(const data::Dataset& d) {
    constexpr Shape in = M::network::input_shape;
    const auto shape = [](long h, long w, long c) {
        return std::to_string(h) + "x" + std::to_string(w) + "x" + std::to_string(c);
    };
    if (d.images.rows != in.h || d.images.cols != in.w || d.images.channels != in.c) {
        std::string hint;
        if (d.images.sample_size() == in.size())
            hint = " (the same number of values: use dataset.reshaped(" + std::to_string(in.h) + ", " +
                   std::to_string(in.w) + ", " + std::to_string(in.c) + "))";
        throw data::DataError("dataset samples are " + shape(d.images.rows, d.images.cols, d.images.channels) +
                              " but the network's Input is " + shape(in.h, in.w, in.c) + hint);
    }
    const std::size_t need = static_cast<std::size_t>(d.size()) * d.images.sample_size();
    if ((d.floats() ? d.values.size() : d.images.pixels.size()) != need || d.labels.size() != static_cast<std::size_t>(d.size()))
        throw data::DataError("dataset of " + std::to_string(d.size()) + " samples of " +
                              shape(d.images.rows, d.images.cols, d.images.channels) + " holds " +
                              std::to_string(d.floats() ? d.values.size() : d.images.pixels.size()) + " values and " +
                              std::to_string(d.labels.size()) + " labels (expected " + std::to_string(need) + " and " +
                              std::to_string(d.size()) + ")");
    if (d.num_classes > M::classes)
        throw data::DataError("dataset has " + std::to_string(d.num_classes) + " classes but the network outputs " +
                              std::to_string(M::classes));
}

// The samples order[0..n) (dataset indices) into dst as T: float samples as they are, bytes
// optionally / 255.
template <class T>
void gather_batch(const data::Dataset& d, const long* order, int n, bool normalize, T* dst, std::int32_t* labels) {
    const std::size_t size = d.images.sample_size();
    if (d.floats()) {
        for (int s = 0; s < n; ++s) {
            const float* src = d.values.data() + static_cast<std::size_t>(order[s]) * size;
            T* out = dst + static_cast<std::size_t>(s) * size;
            for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<T>(src[i]);
            labels[s] = d.labels[static_cast<std::size_t>(order[s])];
        }
        return;
    }
    const T scale = normalize ? T(1) / T(255) : T(1);
    for (int s = 0; s < n; ++s) {
        const std::uint8_t* src = d.images.pixels.data() + static_cast<std::size_t>(order[s]) * size;
        T* out = dst + static_cast<std::size_t>(s) * size;
        for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<T>(src[i]) * scale;
        labels[s] = d.labels[static_cast<std::size_t>(order[s])];
    }
}

// Whether `out` is a terminal (then the progress bar redraws in place).
inline bool is_terminal(const std::ostream* out) {
    if (out == &std::cout) return ::isatty(1) != 0;
    if (out == &std::cerr || out == &std::clog) return ::isatty(2) != 0;
    return false;
}

}  // namespace detail

// Runs training epochs over a fixed view of the data. Construction allocates (shuffle order);
// run_epoch does not.
template <class M>
class Trainer {
public:
    using T = typename M::value_type;

    Trainer(M& model, DatasetView train, DatasetView validation, const FitOptions& options)
        : model_(model), train_(train), val_(validation), options_(options),
          order_(static_cast<std::size_t>(train.size())), val_order_(static_cast<std::size_t>(M::batch)) {
        if (train.data) detail::check_dataset_fits<M>(*train.data);
        if (train.data && train.data->floats() && options.normalize)
            throw std::invalid_argument("normalize scales 8-bit samples by 1/255; this dataset holds float samples, "
                                        "which are used as they are (scale them before, or set normalize = false)");
        if (train.size() <= 0) throw data::DataError("fit: no training samples");
        batch_ = options.batch_size == 0 ? M::batch : options.batch_size;
        if (batch_ < 1 || batch_ > M::batch)
            throw std::invalid_argument("batch_size " + std::to_string(options.batch_size) + " is outside 1.." +
                                        std::to_string(M::batch) + " (the model's compile-time Batch)");
        for (long i = 0; i < train.size(); ++i) order_[static_cast<std::size_t>(i)] = train.begin + i;
        const int threads = options.threads == 0 ? ThreadPool::hardware_threads() : options.threads;
        if (threads < 1) throw std::invalid_argument("threads must be at least 1 (or 0 for the machine's cores), got " +
                                                     std::to_string(options.threads));
        if (threads > 1) {
            pool_ = std::make_unique<ThreadPool>(threads);
            model_.set_executor(pool_->executor());
        } else {
            model_.set_executor({});
        }
    }
    ~Trainer() { model_.set_executor({}); }
    Trainer(const Trainer&) = delete;
    Trainer& operator=(const Trainer&) = delete;

    int threads() const { return model_.threads(); }

    struct EpochResult {
        double loss = 0, accuracy = 0, val_loss = 0, val_accuracy = 0, seconds = 0;
        double samples_per_second = 0;  // training samples per second of the training part
        bool has_validation = false;
        bool stopped = false;           // on_batch_end asked to stop inside the epoch
    };

    // The shuffle of `epoch`: applied to the order the previous epochs left (Keras reshuffles
    // the shuffled order). A resumed run replays the earlier epochs' shuffles first.
    void shuffle_for(int epoch) {
        if (!options_.shuffle) return;
        Rng rng(mix64(options_.seed ^ (0x5eedull + static_cast<std::uint64_t>(epoch) * 0x9E3779B97F4A7C15ull)));
        for (std::size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng.below(i)]);
    }
    // The order a run that stands at `p` is using: every shuffle up to p's epoch.
    void restore_order(const FitProgress& p) {
        for (long i = 0; i < train_.size(); ++i) order_[static_cast<std::size_t>(i)] = train_.begin + i;
        for (int e = 0; e < p.epoch; ++e) shuffle_for(e);
        if (p.batches_done > 0) shuffle_for(p.epoch);
    }
    long batches_per_epoch() const { return (train_.size() + batch_ - 1) / batch_; }
    int batch_size() const { return batch_; }

    // One epoch: shuffle, every batch (the last partial one kept), then validation in inference
    // mode. Keras's reported loss/accuracy are sample-weighted running means over the epoch.
    EpochResult run_epoch(int epoch) {
        FitProgress p;
        p.epoch = epoch;
        return run_epoch(p, [](const FitProgress&) { return false; });
    }

    // The epoch p.epoch from batch p.batches_done on (p's sums are those batches'); after every
    // batch p is updated and on_batch_end(p) may return true to stop there (the result then
    // has stopped = true and no validation). Shuffles when the epoch starts at batch 0.
    template <class OnBatchEnd>
    EpochResult run_epoch(FitProgress& p, OnBatchEnd&& on_batch_end) {
        return run_epoch(p, [](const FitProgress&) {}, on_batch_end);
    }

    // The same with on_batch_begin(p) called before each batch (a learning-rate schedule by step).
    template <class OnBatchBegin, class OnBatchEnd>
    EpochResult run_epoch(FitProgress& p, OnBatchBegin&& on_batch_begin, OnBatchEnd&& on_batch_end) {
        const int epoch = p.epoch;
        if (p.batches_done == 0) shuffle_for(epoch);
        const bool verbose = options_.verbose != Verbosity::silent;
        Progbar bar(*options_.out, train_.size(), verbose && options_.interactive);
        const long seen_before = p.seen;
        EpochResult e;
        for (long at = p.batches_done * batch_, step = p.batches_done; at < train_.size(); at += batch_, ++step) {
            const int n = static_cast<int>(std::min<long>(batch_, train_.size() - at));
            on_batch_begin(static_cast<const FitProgress&>(p));
            detail::gather_batch(*train_.data, order_.data() + at, n, options_.normalize,
                                 model_.training_input().data(), labels_);
            const auto r = model_.compute_gradients(model_.training_input(), std::span<const std::int32_t>(labels_, n), n);
            if (r.status != StepStatus::ok)
                throw data::DataError(std::string("training batch rejected: ") + to_string(r.status));
            if (!std::isfinite(r.loss)) {
                char msg[160];
                std::snprintf(msg, sizeof msg, "training diverged: loss is %s at epoch %d, step %ld (of %ld)",
                              std::isnan(r.loss) ? "NaN" : "infinite", epoch + 1, step + 1, batches_per_epoch());
                throw TrainingDiverged(msg, epoch + 1, step + 1);
            }
            model_.apply_gradients();
            p.loss_sum += r.loss * n;
            p.correct += r.correct;
            p.seen += n;
            ++p.batches_done;
            if (verbose) {
                const Metric m[2] = {{"loss", p.loss_sum / p.seen}, {"accuracy", static_cast<double>(p.correct) / p.seen}};
                bar.update(p.seen, m, 2);
            }
            if (on_batch_end(static_cast<const FitProgress&>(p))) {
                e.stopped = true;
                return e;
            }
        }
        const double train_seconds = bar.seconds_since_start();
        e.samples_per_second = train_seconds > 0 ? static_cast<double>(p.seen - seen_before) / train_seconds : 0.0;
        e.loss = p.loss_sum / static_cast<double>(p.seen);
        e.accuracy = static_cast<double>(p.correct) / static_cast<double>(p.seen);
        if (val_.size() > 0) {
            const Evaluation v = evaluate_view(val_);
            e.val_loss = v.loss;
            e.val_accuracy = v.accuracy;
            e.has_validation = true;
        }
        e.seconds = bar.seconds_since_start();
        if (verbose) {
            const Metric m[4] = {{"loss", e.loss}, {"accuracy", e.accuracy}, {"val_loss", e.val_loss},
                                 {"val_accuracy", e.val_accuracy}};
            bar.finish(m, e.has_validation ? 4 : 2);
        }
        return e;
    }

    // Inference-mode loss and accuracy over a view, in order, batch by batch (no heap).
    Evaluation evaluate_view(DatasetView view) {
        double loss_sum = 0;
        long correct = 0;
        for (long at = 0; at < view.size(); at += batch_) {
            const int n = static_cast<int>(std::min<long>(batch_, view.size() - at));
            for (int s = 0; s < n; ++s) val_order_[static_cast<std::size_t>(s)] = view.begin + at + s;
            detail::gather_batch(*view.data, val_order_.data(), n, options_.normalize, model_.inference_input().data(),
                                 labels_);
            const auto r = model_.evaluate_batch(model_.inference_input(), std::span<const std::int32_t>(labels_, n), n);
            if (r.status != StepStatus::ok)
                throw data::DataError(std::string("evaluation batch rejected: ") + to_string(r.status));
            loss_sum += r.loss * n;
            correct += r.correct;
        }
        Evaluation ev;
        ev.samples = view.size();
        ev.loss = view.size() > 0 ? loss_sum / static_cast<double>(view.size()) : 0.0;
        ev.accuracy = view.size() > 0 ? static_cast<double>(correct) / static_cast<double>(view.size()) : 0.0;
        return ev;
    }

private:
    M& model_;
    DatasetView train_, val_;
    FitOptions options_;
    std::vector<long> order_;
    std::vector<long> val_order_;
    int batch_ = M::batch;
    std::int32_t labels_[M::batch] = {};
    std::unique_ptr<ThreadPool> pool_;
};

// Keras's split: train = the first floor(N * (1 - split)) samples, validation = the rest.
inline long split_point(long count, double validation_split) {
    if (!(validation_split >= 0.0 && validation_split < 1.0))
        throw std::invalid_argument("validation_split must be in [0, 1), got " + std::to_string(validation_split));
    return static_cast<long>(static_cast<double>(count) * (1.0 - validation_split));
}

// Callbacks for fit, Keras's hooks: an object may have any of
//   void on_train_begin(const FitProgress&)          before the first step (also when resuming:
//                                                     the place to rebuild state from the history)
//   void on_epoch_begin(int epoch, const FitProgress&) when an epoch starts at its first batch
//   void on_batch_begin(const FitProgress&)           before every batch
//   bool on_batch_end(const FitProgress&)             after every batch; true stops the run there
//   bool on_epoch_end(int epoch, const FitProgress&)  after every finished epoch; true stops
//   void on_train_end(const FitProgress&)             after the last epoch or a stop
// (the bool ones may also return void: never stop). A plain callable is taken as on_batch_end
// if it accepts (const FitProgress&) and as on_epoch_end if it accepts (int, const FitProgress&).
// Every callback sees every event (in the order given) even when an earlier one asked to stop,
// as Keras's stop_training flag works. sn::callbacks(a, b, ...) keeps lvalues by reference (the
// caller reads their state afterwards) and rvalues by value.
template <class... Cs>
class Callbacks {
public:
    template <class... As>
    explicit Callbacks(As&&... cs) : cs_(std::forward<As>(cs)...) {}

    void train_begin(const FitProgress& p) {
        each([&](auto& c) {
            if constexpr (requires { c.on_train_begin(p); }) c.on_train_begin(p);
        });
    }
    void epoch_begin(int epoch, const FitProgress& p) {
        each([&](auto& c) {
            if constexpr (requires { c.on_epoch_begin(epoch, p); }) c.on_epoch_begin(epoch, p);
        });
    }
    void batch_begin(const FitProgress& p) {
        each([&](auto& c) {
            if constexpr (requires { c.on_batch_begin(p); }) c.on_batch_begin(p);
        });
    }
    bool batch_end(const FitProgress& p) {
        bool stop = false;
        each([&](auto& c) {
            if constexpr (requires { c.on_batch_end(p); }) stop |= as_stop([&] { return c.on_batch_end(p); });
            else if constexpr (std::is_invocable_v<decltype(c), const FitProgress&>)
                stop |= as_stop([&] { return c(p); });
        });
        return stop;
    }
    bool epoch_end(int epoch, const FitProgress& p) {
        bool stop = false;
        each([&](auto& c) {
            if constexpr (requires { c.on_epoch_end(epoch, p); }) stop |= as_stop([&] { return c.on_epoch_end(epoch, p); });
            else if constexpr (std::is_invocable_v<decltype(c), int, const FitProgress&>)
                stop |= as_stop([&] { return c(epoch, p); });
        });
        return stop;
    }
    void train_end(const FitProgress& p) {
        each([&](auto& c) {
            if constexpr (requires { c.on_train_end(p); }) c.on_train_end(p);
        });
    }

private:
    template <class F>
    void each(F&& f) {
        std::apply([&](auto&... c) { (f(c), ...); }, cs_);
    }
    template <class F>
    static bool as_stop(F&& f) {
        if constexpr (std::is_void_v<decltype(f())>) {
            f();
            return false;
        } else {
            return static_cast<bool>(f());
        }
    }
    std::tuple<Cs...> cs_;
};

template <class... As>
Callbacks<As...> callbacks(As&&... cs) {
    return Callbacks<As...>(std::forward<As>(cs)...);
}

template <class C>
inline constexpr bool is_callbacks_v = false;
template <class... Cs>
inline constexpr bool is_callbacks_v<Callbacks<Cs...>> = true;

// fit(model, data, options, progress, callbacks): trains from `progress` (a fresh FitProgress{}
// starts at options.initial_epoch; one from a checkpoint continues where that run stood, bit for
// bit, given the model restored from the same checkpoint) to options.epochs. Prints "Train on N
// samples, validate on M samples", then per epoch "Epoch i/E" and the progress bar. After every
// batch, progress is updated before on_batch_end; after every finished epoch progress stands at
// the next epoch's batch 0 before on_epoch_end. A stop request sets progress.stopped. Returns
// progress.history.
template <class M, class... Cs>
History fit(M& model, const data::Dataset& data, FitOptions options, FitProgress& progress, Callbacks<Cs...> cbs) {
    const long n = data.size();
    const long split = split_point(n, options.validation_split);
    if (options.verbose == Verbosity::automatic) options.interactive = detail::is_terminal(options.out);
    else options.interactive = options.verbose == Verbosity::interactive;
    Trainer<M> trainer(model, DatasetView{&data, 0, split}, DatasetView{&data, split, n}, options);
    if (options.initial_epoch < 0)
        throw std::invalid_argument("fit: initial_epoch must be 0 or more, got " + std::to_string(options.initial_epoch));
    const bool fresh = progress.epoch == 0 && progress.batches_done == 0 && progress.history.epochs() == 0 &&
                       progress.initial_epoch == 0;
    if (fresh) progress.initial_epoch = progress.epoch = options.initial_epoch;
    if (progress.initial_epoch < 0 || progress.epoch < progress.initial_epoch || progress.batches_done < 0 ||
        progress.batches_done > trainer.batches_per_epoch() ||
        progress.history.epochs() != progress.epoch - progress.initial_epoch)
        throw std::invalid_argument("fit: the progress to resume from (epoch " + std::to_string(progress.epoch) +
                                    ", batch " + std::to_string(progress.batches_done) + ", " +
                                    std::to_string(progress.history.epochs()) +
                                    " epochs of history) does not fit this run (" +
                                    std::to_string(trainer.batches_per_epoch()) + " batches per epoch)");
    trainer.restore_order(progress);
    progress.stopped = false;
    std::ostream& out = *options.out;
    const bool verbose = options.verbose != Verbosity::silent;
    if (verbose) {
        if (split < n) out << "Train on " << split << " samples, validate on " << (n - split) << " samples\n";
        else out << "Train on " << split << " samples\n";
        if (!fresh && (progress.epoch > 0 || progress.batches_done > 0))
            out << "Resuming at epoch " << (progress.epoch + 1) << ", batch " << (progress.batches_done + 1) << '/'
                << trainer.batches_per_epoch() << '\n';
    }
    cbs.train_begin(progress);
    History& h = progress.history;
    while (progress.epoch < options.epochs) {
        const int e = progress.epoch;
        if (verbose) out << "Epoch " << (e + 1) << '/' << options.epochs << '\n';
        if (progress.batches_done == 0) cbs.epoch_begin(e, progress);
        const auto r = trainer.run_epoch(
            progress, [&](const FitProgress& p) { cbs.batch_begin(p); }, [&](const FitProgress& p) { return cbs.batch_end(p); });
        if (r.stopped) {
            progress.stopped = true;
            break;
        }
        h.loss.push_back(r.loss);
        h.accuracy.push_back(r.accuracy);
        if (r.has_validation) {
            h.val_loss.push_back(r.val_loss);
            h.val_accuracy.push_back(r.val_accuracy);
        }
        h.seconds.push_back(r.seconds);
        h.samples_per_second.push_back(r.samples_per_second);
        h.learning_rate.push_back(static_cast<double>(model.learning_rate()));
        progress.epoch = e + 1;
        progress.batches_done = 0;
        progress.loss_sum = 0;
        progress.correct = 0;
        progress.seen = 0;
        if (cbs.epoch_end(e, static_cast<const FitProgress&>(progress))) {
            progress.stopped = progress.epoch < options.epochs;
            break;
        }
    }
    cbs.train_end(progress);
    return h;
}

// fit(model, data, options[, callbacks]): a fresh run.
template <class M, class... Cs>
History fit(M& model, const data::Dataset& data, FitOptions options, Callbacks<Cs...> cbs) {
    FitProgress progress;
    return fit(model, data, options, progress, std::move(cbs));
}

// fit(model, data, options, progress, on_batch_end, on_epoch_end): the two hooks as plain
// callables, on_batch_end(progress) and on_epoch_end(epoch, progress), each returning true to stop.
template <class M, class OnBatchEnd, class OnEpochEnd>
History fit(M& model, const data::Dataset& data, FitOptions options, FitProgress& progress, OnBatchEnd&& on_batch_end,
            OnEpochEnd&& on_epoch_end) {
    return fit(model, data, options, progress,
               callbacks([&](const FitProgress& p) -> bool { return on_batch_end(p); },
                         [&](int e, const FitProgress& p) -> bool { return on_epoch_end(e, p); }));
}

// fit(model, data, options[, on_epoch_end]): from options.initial_epoch; `on_epoch_end(epoch,
// history)` runs after each finished epoch (e.g. to save weights).
template <class M, class OnEpochEnd>
    requires(!is_callbacks_v<std::remove_cvref_t<OnEpochEnd>>)
History fit(M& model, const data::Dataset& data, FitOptions options, OnEpochEnd&& on_epoch_end) {
    return fit(model, data, options, callbacks([&](int e, const FitProgress& p) {
                   on_epoch_end(e, p.history);
                   return false;
               }));
}

template <class M>
History fit(M& model, const data::Dataset& data, FitOptions options) {
    return fit(model, data, options, callbacks());
}

// Which history entry a callback watches. Keras's "auto" mode: accuracies are better when
// higher, losses when lower.
enum class Monitor { val_loss, val_accuracy, loss, accuracy };

constexpr const char* to_string(Monitor m) {
    switch (m) {
        case Monitor::val_loss: return "val_loss";
        case Monitor::val_accuracy: return "val_accuracy";
        case Monitor::loss: return "loss";
        case Monitor::accuracy: return "accuracy";
    }
    return "?";
}
constexpr bool lower_is_better(Monitor m) { return m == Monitor::val_loss || m == Monitor::loss; }

// The monitored series of a history; throws when it is not there (val_* without validation).
inline const std::vector<double>& monitored(const History& h, Monitor m, const char* who) {
    const std::vector<double>& v = m == Monitor::val_loss       ? h.val_loss
                                   : m == Monitor::val_accuracy ? h.val_accuracy
                                   : m == Monitor::loss         ? h.loss
                                                                : h.accuracy;
    if (v.size() != h.loss.size())
        throw std::invalid_argument(std::string(who) + ": the monitored metric " + to_string(m) +
                                    " is not in the history (val_* needs a validation split)");
    return v;
}

// Keras's EarlyStopping, as a fit callback: stops when `monitor` has not improved by more than
// min_delta for `patience` epochs; with restore_best_weights the model gets the parameters of
// the best epoch back when it stops. Keras's order: the wait count grows every epoch and resets
// on an improvement; the stop comes when it reaches patience (never after the first epoch).
// Allocates a copy of the parameters at construction (restore_best_weights), never during
// training. Resuming (on_train_begin with a history) replays the counting over the finished
// epochs; the best weights are then known only if the best epoch is the last finished one (the
// model holds them), otherwise the snapshot starts with the next improvement.
template <class M>
class EarlyStopping {
public:
    using Monitor = staticnet::Monitor;
    explicit EarlyStopping(M& model, Monitor monitor = Monitor::val_loss, int patience = 0, double min_delta = 0.0,
                           bool restore_best_weights = false)
        : model_(model), monitor_(monitor), patience_(patience), min_delta_(min_delta < 0 ? -min_delta : min_delta),
          restore_(restore_best_weights) {
        if (patience < 0) throw std::invalid_argument("EarlyStopping: patience must be 0 or more");
        if (restore_) best_weights_.resize(model.parameters().size());
    }

    void on_train_begin(const FitProgress& p) {
        has_best_ = false;
        best_ = 0;
        best_epoch_ = stopped_epoch_ = -1;
        wait_ = 0;
        have_weights_ = false;
        const History& h = p.history;
        if (h.epochs() == 0) return;
        const std::vector<double>& v = monitored(h, monitor_, "EarlyStopping");
        for (int i = 0; i < h.epochs(); ++i) consider(p.initial_epoch + i, v[static_cast<std::size_t>(i)], false);
        if (restore_ && best_epoch_ == p.epoch - 1 && p.batches_done == 0) snapshot();
    }

    bool on_epoch_end(int epoch, const FitProgress& p) {
        const std::vector<double>& v = monitored(p.history, monitor_, "EarlyStopping");
        return consider(epoch, v.back(), true);
    }
    bool operator()(int epoch, const FitProgress& p) { return on_epoch_end(epoch, p); }

    int best_epoch() const { return best_epoch_; }        // 0-based; -1 before the first epoch
    double best() const { return best_; }
    int stopped_epoch() const { return stopped_epoch_; }  // 0-based; -1 if it did not stop training

private:
    bool consider(int epoch, double current, bool live) {
        ++wait_;
        const bool improved = !has_best_ || (lower_is_better(monitor_) ? current < best_ - min_delta_
                                                                       : current > best_ + min_delta_);
        if (improved) {
            best_ = current;
            has_best_ = true;
            best_epoch_ = epoch;
            wait_ = 0;
            if (restore_ && live) snapshot();
            else have_weights_ = false;
            return false;
        }
        if (wait_ >= patience_ && epoch > 0 && live) {
            stopped_epoch_ = epoch;
            if (restore_ && have_weights_) {
                const auto params = model_.parameters();
                std::copy(best_weights_.begin(), best_weights_.end(), params.begin());
            }
            return true;
        }
        return false;
    }
    void snapshot() {
        const auto params = model_.parameters();
        std::copy(params.begin(), params.end(), best_weights_.begin());
        have_weights_ = true;
    }

    M& model_;
    Monitor monitor_;
    int patience_;
    double min_delta_;
    bool restore_;
    std::vector<typename M::value_type> best_weights_;
    bool has_best_ = false;
    bool have_weights_ = false;
    double best_ = 0;
    int best_epoch_ = -1;
    int stopped_epoch_ = -1;
    int wait_ = 0;
};

// evaluate(model, data): inference-mode loss and accuracy over the whole dataset, with the
// Keras progress line "10000/10000 [====] - 2s 219us/sample - loss: ... - accuracy: ...".
template <class M>
Evaluation evaluate(M& model, const data::Dataset& data, FitOptions options = {}) {
    if (options.verbose == Verbosity::automatic) options.interactive = detail::is_terminal(options.out);
    detail::check_dataset_fits<M>(data);
    Trainer<M> t(model, DatasetView{&data, 0, data.size()}, DatasetView{}, options);
    Progbar bar(*options.out, data.size(), false);
    const Evaluation ev = t.evaluate_view(DatasetView{&data, 0, data.size()});
    if (options.verbose != Verbosity::silent) {
        const Metric m[2] = {{"loss", ev.loss}, {"accuracy", ev.accuracy}};
        bar.finish(m, 2);
    }
    return ev;
}

}  // namespace staticnet
