// Model<Net, Optimizer, Loss, Batch, T>: everything training touches, inside one object:
// parameters, gradients, optimizer state, layer scratch and one arena planned for both the
// training step and inference. Firmware-clean: no exceptions, RTTI, iostream or heap.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>

#include "../core/init.hpp"
#include "../graph/diagnostics.hpp"
#include "../graph/parameter_name.hpp"
#include "../graph/predict.hpp"
#include "../graph/runner.hpp"
#include "../graph/sequential.hpp"
#include "losses.hpp"
#include "optimizers.hpp"

namespace staticnet {

enum class StepStatus { ok, bad_batch_size, input_too_short, label_out_of_range, non_finite_input };

constexpr const char* to_string(StepStatus s) {
    switch (s) {
        case StepStatus::ok: return "ok";
        case StepStatus::bad_batch_size: return "batch size outside 1..Batch";
        case StepStatus::input_too_short: return "input or label span shorter than the batch";
        case StepStatus::label_out_of_range: return "label outside 0..classes-1";
        case StepStatus::non_finite_input: return "input holds NaN or infinity";
    }
    return "?";
}

struct StepResult {
    double loss = 0;
    int correct = 0;
    StepStatus status = StepStatus::ok;
};

template <class Net, class Optimizer = Adam<>, class Loss = SparseCategoricalCrossentropy, int Batch = 32,
          class T = float>
class Model : public detail::PredictApi<Model<Net, Optimizer, Loss, Batch, T>, Net, Batch, T> {
    friend class detail::PredictApi<Model<Net, Optimizer, Loss, Batch, T>, Net, Batch, T>;
    static_assert(is_sequential_v<Net>, "staticnet: Model<Net, ...> needs a sn::Sequential<...> network type");
    static_assert(Batch >= 1, "staticnet: the batch size must be at least 1");
    static_assert(!Net::well_formed || (Net::output_shape.flat() && Net::output_activation == ActivationFunction::softmax),
                  "staticnet: SparseCategoricalCrossentropy expects class probabilities: end the network with a "
                  "flat layer with activation = sn::softmax (e.g. sn::Dense<{.units = 10, .activation = sn::softmax}>)");

public:
    using network = Net;
    using optimizer = Optimizer;
    using loss_type = Loss;
    using value_type = T;
    static constexpr int batch = Batch;
    static constexpr int classes = Net::output_shape.c;
    static constexpr std::size_t input_size = Net::input_shape.size();
    static constexpr auto train_plan = Net::template training_plan<Batch, T>();
    static constexpr auto infer_plan = Net::template inference_plan<Batch, T>();
    static constexpr std::size_t arena_elements =
        train_plan.total > infer_plan.total ? train_plan.total : infer_plan.total;
    static constexpr std::size_t trainable = Net::params.trainable;
    static constexpr std::size_t optimizer_elements = mul_sizes(to_size(Optimizer::slots), trainable);

    // Bytes, all known to the compiler (overflow-checked: core/sizes.hpp).
    static constexpr std::size_t parameter_bytes = mul_sizes(Net::params.total, sizeof(T));
    static constexpr std::size_t gradient_bytes = mul_sizes(trainable, sizeof(T));
    static constexpr std::size_t optimizer_bytes = mul_sizes(optimizer_elements, sizeof(T));
    static constexpr std::size_t scratch_bytes = mul_sizes(Net::state_size, sizeof(T));
    static constexpr std::size_t training_arena_bytes = mul_sizes(train_plan.total, sizeof(T));
    static constexpr std::size_t inference_arena_bytes = mul_sizes(infer_plan.total, sizeof(T));
    static constexpr std::size_t persistent_bytes =
        add_sizes(parameter_bytes, gradient_bytes, optimizer_bytes, scratch_bytes);
    static constexpr std::size_t total_bytes = add_sizes(persistent_bytes, mul_sizes(arena_elements, sizeof(T)));
    // False (after the one error) when the object is larger than STATICNET_MAX_STATIC_BYTES.
    static constexpr bool fits_limit =
        detail::static_memory_check<detail::StaticObject::model, total_bytes, max_static_bytes>::ok;
    static_assert(!fits_limit || train_plan.valid(),
                  "staticnet: internal error: the training memory plan overlaps live buffers");
    static_assert(!fits_limit || infer_plan.valid(),
                  "staticnet: internal error: the inference memory plan overlaps live buffers");

    // Prints the Keras table and the memory plan (needs <staticnet/staticnet.hpp>; the core
    // itself has no iostream).
    template <class Stream>
    void summary(Stream& out) const {
        print_summary(*this, out);
    }

    // Keras initialisers from `seed`; also seeds dropout and resets the optimizer.
    void initialize(std::uint64_t seed) {
        detail::initialize_parameters<Net, T>(params_, seed);
        seed_ = seed;
        reset_optimizer();
    }
    // Zeroes the optimizer's state and step and sets the learning rate back to the optimizer's
    // compile-time one.
    void reset_optimizer() {
        for (auto& v : opt_) v = T(0);
        step_ = 0;
        learning_rate_ = Optimizer::options.learning_rate;
    }
    void set_seed(std::uint64_t seed) { seed_ = seed; }
    std::uint64_t seed() const { return seed_; }
    std::uint64_t step() const { return step_; }
    void set_step(std::uint64_t step) { step_ = step; }

    // The learning rate the next apply_gradients uses: the optimizer's compile-time learning_rate
    // until changed. set_learning_rate refuses (returns false, keeps the old rate) anything but a
    // finite positive number; the schedules in desktop/schedules.hpp call it between steps.
    float learning_rate() const { return learning_rate_; }
    bool set_learning_rate(float lr) {
        if (!(lr > 0.0f && lr <= 3.4e38f)) return false;  // NaN fails the comparison too
        learning_rate_ = lr;
        return true;
    }

    std::span<T> parameters() { return {params_, Net::params.total}; }
    std::span<const T> parameters() const { return {params_, Net::params.total}; }
    std::span<T> gradients() { return {grads_, trainable}; }
    std::span<T> optimizer_state() { return {opt_, optimizer_elements}; }
    std::span<const T> optimizer_state() const { return {opt_, optimizer_elements}; }

    // The tensor `name` of the layer at `position`; empty when that layer has none. The name
    // must be a literal some layer uses (a misspelling does not compile): graph/parameter_name.hpp.
    std::span<T> parameter(int position, ParameterName<Net> name) { return find_parameter(position, name.text()); }
    // Its gradient; empty for non-trainable tensors (BN moving statistics).
    std::span<T> gradient(int position, ParameterName<Net> name) { return find_gradient(position, name.text()); }
    // The same for a name known only at run time (read from a file, say): an unknown name gives
    // an empty span.
    std::span<T> find_parameter(int position, std::string_view name) {
        const int k = detail::find_param<Net>(position, name.data(), name.size());
        if (k < 0) return {};
        const ParamSlot& s = Net::param_slots[position][k];
        return {params_ + s.offset, s.size};
    }
    std::span<T> find_gradient(int position, std::string_view name) {
        const int k = detail::find_param<Net>(position, name.data(), name.size());
        if (k < 0 || !Net::param_slots[position][k].trainable) return {};
        const ParamSlot& s = Net::param_slots[position][k];
        return {grads_ + s.offset, s.size};
    }

    // Where a training batch goes / where an inference batch goes (Batch * input_size values).
    std::span<T> training_input() { return {arena_ + train_plan.offset[0], Batch * input_size}; }
    std::span<T> inference_input() {
        return {arena_ + infer_plan.offset[Net::inference_buffer_of[0]], Batch * input_size};
    }

    // Training-mode forward (dropout on, BN on batch statistics and updating its moving
    // statistics), the loss on that output, and backward: fills the gradients. The
    // optimizer is not applied. x may be training_input() itself (then nothing is copied).
    StepResult compute_gradients(std::span<const T> x, std::span<const std::int32_t> labels, int n) {
        StepResult r = training_forward(x, labels, n, true, true);
        if (r.status != StepStatus::ok) return r;
        detail::Runner<Net, T>::backward(train_plan, params_, grads_, state_, arena_, n, seed_, step_, true, par_,
                                         std::make_index_sequence<Net::layer_count>{});
        return r;
    }

    // The training-mode loss alone: the same function compute_gradients differentiates
    // (dropout masks of the current step, BN on batch statistics), but it changes nothing
    // outside the arena and layer scratch: no gradients, BN moving statistics left alone.
    // What a finite-difference gradient check evaluates.
    StepResult training_loss(std::span<const T> x, std::span<const std::int32_t> labels, int n) {
        return training_forward(x, labels, n, false, false);
    }

    // One optimizer update with the current gradients; advances the step counter.
    void apply_gradients() {
        // Element ranges in parallel: the update is elementwise, so any split gives the same bits.
        constexpr std::size_t chunk = 8192;
        constexpr int items = static_cast<int>((trainable + chunk - 1) / chunk);
        par_.for_each(items, [&](int i) {
            const std::size_t b = static_cast<std::size_t>(i) * chunk;
            Optimizer::update_range(params_, grads_, opt_, trainable, b, b + chunk < trainable ? b + chunk : trainable,
                                    step_, learning_rate_);
        });
        ++step_;
    }

    // Runs the work of every step on `e`'s threads (a desktop ThreadPool); {} for the calling
    // thread only. Results are bit-identical for any number of threads.
    void set_executor(Executor e) { par_ = Parallel(e); }
    int threads() const { return par_.threads(); }

    StepResult train_step(std::span<const T> x, std::span<const std::int32_t> labels, int n) {
        StepResult r = compute_gradients(x, labels, n);
        if (r.status == StepStatus::ok) apply_gradients();
        return r;
    }

    // Inference-mode forward (dropout off, BN on moving statistics) and the loss.
    StepResult evaluate_batch(std::span<const T> x, std::span<const std::int32_t> labels, int n) {
        if (const StepStatus bad = check_batch(x, labels, n); bad != StepStatus::ok) return fail(bad);
        const auto out = this->predict(x.first(static_cast<std::size_t>(n) * input_size), n);
        return loss_of(Loss::evaluate(out.data(), labels.data(), n, classes, static_cast<T*>(nullptr)));
    }

    // Inference (predict(x), predict(x, n), forward_each): graph/predict.hpp. The outputs stay
    // valid until the next call.

private:
    template <class Each>
    Prediction<T> run_prediction(std::span<const T> x, int n, Each& each) {
        return detail::Runner<Net, T>::predict(infer_plan, Batch, params_, arena_, x, n, par_, each);
    }

    // x - x is 0 for every finite value and NaN for NaN and infinities.
    static bool all_finite(const T* x, std::size_t count) {
        T acc = 0;
        for (std::size_t i = 0; i < count; ++i) acc += x[i] - x[i];
        return acc == T(0);
    }
    static StepResult fail(StepStatus s) {
        StepResult r;
        r.status = s;
        return r;
    }
    static StepResult loss_of(const LossResult& lr) {
        StepResult r;
        r.loss = lr.loss;
        r.correct = lr.correct;
        return r;
    }
    // What every batch entry point rejects before touching the model.
    static StepStatus check_batch(std::span<const T> x, std::span<const std::int32_t> labels, int n) {
        if (n < 1 || n > Batch) return StepStatus::bad_batch_size;
        if (x.size() < static_cast<std::size_t>(n) * input_size || labels.size() < static_cast<std::size_t>(n))
            return StepStatus::input_too_short;
        for (int s = 0; s < n; ++s)
            if (labels[s] < 0 || labels[s] >= classes) return StepStatus::label_out_of_range;
        if (!all_finite(x.data(), static_cast<std::size_t>(n) * input_size)) return StepStatus::non_finite_input;
        return StepStatus::ok;
    }

    // Validates, copies x into the training input, runs the training forward and the loss
    // (writing dL/dlogits into the arena when with_loss_gradient).
    StepResult training_forward(std::span<const T> x, std::span<const std::int32_t> labels, int n,
                                bool update_statistics, bool with_loss_gradient) {
        if (const StepStatus bad = check_batch(x, labels, n); bad != StepStatus::ok) return fail(bad);
        T* in = arena_ + train_plan.offset[0];
        if (x.data() != in)
            for (std::size_t i = 0; i < static_cast<std::size_t>(n) * input_size; ++i) in[i] = x[i];
        detail::Runner<Net, T>::forward_training(train_plan, params_, state_, arena_, n, seed_, step_,
                                                 update_statistics, par_, std::make_index_sequence<Net::layer_count>{});
        constexpr int D = Net::depth;
        const LossResult lr =
            Loss::evaluate(arena_ + train_plan.offset[D - 1], labels.data(), n, classes,
                           with_loss_gradient ? arena_ + train_plan.offset[D + D - 1] : static_cast<T*>(nullptr));
        return loss_of(lr);
    }

    // Size 1 when over the limit, so that the limit's message stays the only error.
    alignas(64) T params_[fits_limit && Net::params.total > 0 ? Net::params.total : 1] = {};
    alignas(64) T grads_[fits_limit && trainable > 0 ? trainable : 1] = {};
    alignas(64) T opt_[fits_limit && optimizer_elements > 0 ? optimizer_elements : 1] = {};
    alignas(64) T state_[fits_limit && Net::state_size > 0 ? Net::state_size : 1] = {};
    alignas(64) T arena_[fits_limit && arena_elements > 0 ? arena_elements : 1] = {};
    std::uint64_t seed_ = 0;
    std::uint64_t step_ = 0;
    float learning_rate_ = Optimizer::options.learning_rate;
    Parallel par_{};
};

}  // namespace staticnet
