// Keras's training callbacks for sn::fit (desktop layer): learning-rate schedules,
// ReduceLROnPlateau and ModelCheckpoint. EarlyStopping and the callback protocol are in
// fit.hpp. Each takes the model it acts on; pass them to fit with sn::callbacks(...):
//
//   sn::ReduceLROnPlateau plateau(model, {.factor = 0.5f, .patience = 2});
//   sn::ModelCheckpoint best(model, "best.weights.bin", {.save_best_only = true});
//   sn::fit(model, data, options, sn::callbacks(plateau, best));
//
// None allocates during training: a step changes at most the model's learning rate (a float
// the next optimizer update reads).
#pragma once
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>

#include "../io/weights.hpp"
#include "fit.hpp"

namespace staticnet {

namespace detail {

// A learning rate a schedule computed: finite and positive, or a clear error.
inline float checked_learning_rate(double lr, const char* who) {
    if (!(lr > 0.0 && lr <= static_cast<double>(std::numeric_limits<float>::max())))
        throw std::invalid_argument(std::string(who) + ": the learning rate must be a finite positive number, got " +
                                    std::to_string(lr));
    return static_cast<float>(lr);
}

template <class M>
void set_learning_rate(M& model, double lr, const char* who) {
    model.set_learning_rate(checked_learning_rate(lr, who));
}

}  // namespace detail

// Keras's ExponentialDecay (a LearningRateSchedule the optimizer evaluates at every update):
// lr(step) = initial_learning_rate * decay_rate ^ (step / decay_steps), the exponent floored when
// staircase; `step` is the number of updates already applied (Keras's optimizer.iterations).
// As a fit callback it sets the model's learning rate before every batch, so a resumed run gets
// the same rates (they depend on the step alone). Computed in double, then rounded to float.
struct ExponentialDecayOptions {
    float initial_learning_rate = 0.001f;
    long decay_steps = 1000;
    float decay_rate = 0.96f;
    bool staircase = false;
};

template <class M>
class ExponentialDecay {
public:
    ExponentialDecay(M& model, ExponentialDecayOptions o) : model_(model), o_(o) {
        detail::checked_learning_rate(o.initial_learning_rate, "ExponentialDecay");
        if (o.decay_steps < 1) throw std::invalid_argument("ExponentialDecay: decay_steps must be at least 1");
        if (!(o.decay_rate > 0.0f && o.decay_rate <= 1e30f))
            throw std::invalid_argument("ExponentialDecay: decay_rate must be a positive number");
    }
    float operator()(std::uint64_t step) const {
        double p = static_cast<double>(step) / static_cast<double>(o_.decay_steps);
        if (o_.staircase) p = std::floor(p);
        return detail::checked_learning_rate(
            static_cast<double>(o_.initial_learning_rate) * std::pow(static_cast<double>(o_.decay_rate), p),
            "ExponentialDecay");
    }
    void on_batch_begin(const FitProgress&) { model_.set_learning_rate((*this)(model_.step())); }

private:
    M& model_;
    ExponentialDecayOptions o_;
};

// Step decay for LearningRateScheduler: lr(epoch) = initial * drop ^ floor(epoch / every).
struct StepDecay {
    float initial_learning_rate = 0.001f;
    float drop = 0.5f;
    int every = 10;  // epochs per drop
    float operator()(int epoch, float /*lr*/) const {
        if (every < 1) throw std::invalid_argument("StepDecay: every must be at least 1 epoch");
        return detail::checked_learning_rate(
            static_cast<double>(initial_learning_rate) *
                std::pow(static_cast<double>(drop), std::floor(static_cast<double>(epoch) / every)),
            "StepDecay");
    }
};

// Keras's LearningRateScheduler: at the beginning of every epoch (0-based), the learning rate
// becomes schedule(epoch, current learning rate). A resumed run that starts inside an epoch keeps
// the checkpoint's learning rate for the rest of it, as the uninterrupted run did.
template <class M>
class LearningRateScheduler {
public:
    LearningRateScheduler(M& model, std::function<float(int epoch, float lr)> schedule)
        : model_(model), schedule_(std::move(schedule)) {
        if (!schedule_) throw std::invalid_argument("LearningRateScheduler: no schedule");
    }
    void on_epoch_begin(int epoch, const FitProgress&) {
        detail::set_learning_rate(model_, schedule_(epoch, model_.learning_rate()), "LearningRateScheduler");
    }

private:
    M& model_;
    std::function<float(int, float)> schedule_;
};

// Keras's ReduceLROnPlateau: when `monitor` has not improved (by more than min_delta) for
// `patience` epochs, the learning rate becomes max(lr * factor, min_lr), then `cooldown` epochs
// pass before the wait counts again. Keras's exact order of checks (tf.keras 2.x): in cooldown
// the counter drops and the wait resets; an improvement resets the wait; otherwise, out of
// cooldown, the wait grows and at `patience` the rate drops if it is above min_lr. Resuming
// replays the counting over the history (the learning rates of the finished epochs are in it).
struct ReduceLROnPlateauOptions {
    Monitor monitor = Monitor::val_loss;
    double factor = 0.1;  // doubles, as Keras's Python floats: the new rate is
    int patience = 10;    // float32(max(lr * factor, min_lr)) computed in double
    double min_delta = 1e-4;
    int cooldown = 0;
    double min_lr = 0.0;
};

template <class M>
class ReduceLROnPlateau {
public:
    explicit ReduceLROnPlateau(M& model, ReduceLROnPlateauOptions o = {}) : model_(model), o_(o) {
        if (!(o.factor > 0.0 && o.factor < 1.0))
            throw std::invalid_argument("ReduceLROnPlateau: factor must be in (0, 1) (it multiplies the learning rate)");
        if (o.patience < 0 || o.cooldown < 0)
            throw std::invalid_argument("ReduceLROnPlateau: patience and cooldown must be 0 or more");
        if (!(o.min_lr >= 0.0 && o.min_lr < 1e30) || !(o.min_delta >= 0.0))
            throw std::invalid_argument("ReduceLROnPlateau: min_lr and min_delta must be 0 or more");
        reset();
    }

    void on_train_begin(const FitProgress& p) {
        reset();
        const History& h = p.history;
        if (h.epochs() == 0) return;
        const std::vector<double>& v = monitored(h, o_.monitor, "ReduceLROnPlateau");
        // The learning rate each finished epoch ended with (what that epoch's check saw).
        for (int i = 0; i < h.epochs(); ++i) {
            const auto k = static_cast<std::size_t>(i);
            const float lr = k < h.learning_rate.size() ? static_cast<float>(h.learning_rate[k]) : model_.learning_rate();
            float ignored = lr;
            consider(v[k], lr, ignored);
        }
    }

    void on_epoch_end(int, const FitProgress& p) {
        const std::vector<double>& v = monitored(p.history, o_.monitor, "ReduceLROnPlateau");
        float lr = model_.learning_rate();
        if (consider(v.back(), model_.learning_rate(), lr)) {
            model_.set_learning_rate(lr > 0.0f ? lr : std::numeric_limits<float>::min());  // underflow after many drops
            ++reductions_;
        }
    }

    int wait() const { return wait_; }
    int cooldown_counter() const { return cooldown_counter_; }
    double best() const { return best_; }
    int reductions() const { return reductions_; }  // in this run (since on_train_begin)

private:
    void reset() {
        best_ = lower_is_better(o_.monitor) ? std::numeric_limits<double>::infinity()
                                            : -std::numeric_limits<double>::infinity();
        wait_ = 0;
        cooldown_counter_ = 0;
        reductions_ = 0;
    }
    // One epoch's check; true (and new_lr set) when the rate drops.
    bool consider(double current, float old_lr, float& new_lr) {
        if (cooldown_counter_ > 0) {
            --cooldown_counter_;
            wait_ = 0;
        }
        const bool better = lower_is_better(o_.monitor) ? current < best_ - o_.min_delta : current > best_ + o_.min_delta;
        if (better) {
            best_ = current;
            wait_ = 0;
        } else if (cooldown_counter_ == 0) {
            ++wait_;
            if (wait_ >= o_.patience) {
                if (old_lr > static_cast<float>(o_.min_lr)) {
                    new_lr = static_cast<float>(std::max(static_cast<double>(old_lr) * o_.factor, o_.min_lr));
                    cooldown_counter_ = o_.cooldown;
                    wait_ = 0;
                    return true;
                }
            }
        }
        return false;
    }

    M& model_;
    ReduceLROnPlateauOptions o_;
    double best_ = 0;
    int wait_ = 0;
    int cooldown_counter_ = 0;
    int reductions_ = 0;
};

// Keras's ModelCheckpoint(save_weights_only=True): after every epoch, the model's parameters to
// `file` (weights.bin format, written atomically by save_weights); with save_best_only only
// when `monitor` improved on the best so far (strictly: Keras has no min_delta here). "{epoch}"
// in the file name becomes the 1-based epoch number. A resumed run knows the best value from
// the history. The files of a full run state are checkpoints (desktop/checkpoint.hpp).
struct ModelCheckpointOptions {
    Monitor monitor = Monitor::val_loss;
    bool save_best_only = false;
};

template <class M>
class ModelCheckpoint {
public:
    ModelCheckpoint(M& model, std::filesystem::path file, ModelCheckpointOptions o = {})
        : model_(model), file_(std::move(file)), o_(o) {
        if (file_.empty()) throw std::invalid_argument("ModelCheckpoint: no file name");
        reset();
    }

    void on_train_begin(const FitProgress& p) {
        reset();
        if (!o_.save_best_only || p.history.epochs() == 0) return;
        for (double v : monitored(p.history, o_.monitor, "ModelCheckpoint"))
            if (better(v)) best_ = v;
    }

    void on_epoch_end(int epoch, const FitProgress& p) {
        if (o_.save_best_only) {
            const double current = monitored(p.history, o_.monitor, "ModelCheckpoint").back();
            if (!better(current)) return;
            best_ = current;
        }
        const std::filesystem::path target = path_for(epoch);
        io::save_weights<typename M::value_type>(std::span<const typename M::value_type>(model_.parameters()), target);
        last_saved_ = target;
        ++saves_;
    }

    double best() const { return best_; }
    int saves() const { return saves_; }
    const std::filesystem::path& last_saved() const { return last_saved_; }

    // The file name for a 0-based epoch ("{epoch}" -> epoch + 1).
    std::filesystem::path path_for(int epoch) const {
        std::string s = file_.string();
        const std::string key = "{epoch}";
        for (std::size_t at = s.find(key); at != std::string::npos; at = s.find(key, at))
            s.replace(at, key.size(), std::to_string(epoch + 1));
        return s;
    }

private:
    bool better(double v) const { return lower_is_better(o_.monitor) ? v < best_ : v > best_; }
    void reset() {
        best_ = lower_is_better(o_.monitor) ? std::numeric_limits<double>::infinity()
                                            : -std::numeric_limits<double>::infinity();
    }
    M& model_;
    std::filesystem::path file_;
    ModelCheckpointOptions o_;
    double best_ = 0;
    int saves_ = 0;
    std::filesystem::path last_saved_;
};

}  // namespace staticnet
