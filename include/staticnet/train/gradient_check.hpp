// Finite-difference gradient checks, shipped with the library so users can check their own
// networks (and the tests check every layer with them).
//
//   check_gradients(model, x, labels, n, opts)     every trainable parameter of a Model (or a
//                                                  deterministic sample per tensor) against
//                                                  central differences of the training loss
//   check_gradients_against(model, g, x, ...)      the same against a gradient the caller gives
//   LayerGradientCheck<Layer, In, N, T>            one layer alone: its input gradient and its
//                                                  parameter gradients, for S = sum(r * y)
//
// Every evaluation sees the same function: the dropout masks of the model's current step, BN
// on batch statistics, moving statistics never updated by an evaluation (Model::training_loss),
// and the model's non-trainable parameters and step restored afterwards.
//
// Kinks. A ReLU that flips, or a max-pool window whose winner changes, inside [theta - h,
// theta + h] makes the central difference meaningless: it averages the two one-sided slopes
// while the analytic gradient is one of them, so the error is about half the slope jump, and
// the forward and backward differences disagree by about the whole jump. A smooth loss makes
// them disagree only by h * |f''|. So an entry whose error exceeds the tolerance is counted as
// skipped (not failed) when |forward - backward| is above the rounding noise and at least
// kink_ratio * |analytic - central|. Entries within tolerance are never skipped, so a kink
// cannot hide a good entry, and a wrong gradient on a smooth stretch is never taken for a
// kink. Two kinks on opposite sides within +-h can still fail an entry: use a smaller step.
//
// Firmware-clean: no exceptions, iostream or heap. check_gradients keeps a copy of the
// non-trainable parameters on the stack (Net::params.non_trainable values).
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>

#include "../core/rng.hpp"
#include "../core/shape.hpp"
#include "../layers/layer.hpp"
#include "model.hpp"

namespace staticnet {

enum class GradientCheckStatus {
    ok,
    step_failed,            // the model refused the batch: see step_status
    gradient_too_short,     // check_gradients_against: fewer values than trainable parameters
    input_aliases_model,    // x lies in the model's arena (it is overwritten by the forwards)
    function_not_fixed,     // the unperturbed loss differs between two evaluations
};

constexpr const char* to_string(GradientCheckStatus s) {
    switch (s) {
        case GradientCheckStatus::ok: return "ok";
        case GradientCheckStatus::step_failed: return "the model refused the batch";
        case GradientCheckStatus::gradient_too_short: return "the gradient span is shorter than the parameters";
        case GradientCheckStatus::input_aliases_model: return "the input lies in the model's arena";
        case GradientCheckStatus::function_not_fixed: return "the loss changed between two identical evaluations";
    }
    return "?";
}

struct GradientCheckOptions {
    // Central difference step h, scaled by max(1, |theta|). 0: 1e-6 for double (and wider
    // types), 1e-3 for float. Truncation (h^2 |f'''| / 6) is negligible at 1e-6 in double;
    // rounding (~eps |L| / h, ~1e-9) sets the floor below; a larger h resolves small gradients
    // better but meets more kinks (their number grows with h: a network with BN before ReLUs
    // flipped one ReLU in 20 entries at 1e-5, none at 1e-6).
    double step = 0;
    // Relative error |a - n| / max(abs_floor, |a| + |n|). 0: automatic, noise / tolerance,
    // with noise = 8 eps(T) max(1, M) / h the rounding error of a one-sided difference (M:
    // |L| for a model, |r * y|_2 for a layer): a gradient that is zero up to rounding then
    // stays within about tolerance / 8, and gradients below the floor are in effect compared
    // absolutely, |a - n| <= tolerance * floor = noise (the result reports the floor used).
    double abs_floor = 0;
    // Entries whose relative error exceeds this fail (unless skipped as a kink).
    double tolerance = 1e-6;
    // An entry above the tolerance is a kink (skipped) when |forward - backward| exceeds both
    // the rounding noise and kink_ratio * |analytic - central|: a kink gives a ratio of about
    // 2, a wrong gradient on a smooth loss about h |f''| / |error|, near 0.
    double kink_ratio = 1.0;
    // 0: every entry. Otherwise at most this many entries per tensor: one from each of
    // max_per_tensor equal slices, chosen by sample_seed.
    std::size_t max_per_tensor = 0;
    std::uint64_t sample_seed = 0;
};

struct GradientCheckResult {
    GradientCheckStatus status = GradientCheckStatus::ok;
    StepStatus step_status = StepStatus::ok;
    double loss = 0;               // at the unperturbed parameters

    // The worst entry that was not skipped.
    double worst_error = 0;
    int worst_position = -1;       // layer position (LayerGradientCheck: 0 = its input, 1 = it)
    const char* worst_name = "";   // "kernel", "bias", "gamma", ... ("input": the layer's input)
    std::size_t worst_index = 0;   // flat index in that tensor
    double worst_analytic = 0;
    double worst_numeric = 0;

    double abs_floor = 0;          // the relative error's floor used (automatic or given)
    double noise = 0;              // rounding error estimate of a one-sided difference
    std::size_t checked = 0;       // entries compared (skipped ones included)
    std::size_t skipped = 0;       // at a kink: above the tolerance, one-sided slopes disagree
    std::size_t failed = 0;        // above the tolerance, not skipped
    double worst_skipped_error = 0;

    constexpr bool passed() const { return status == GradientCheckStatus::ok && failed == 0; }
};

namespace detail {

// A copy of the model's non-trainable parameters (BN moving statistics), put back by restore():
// a check evaluates the function many times and must leave the model as it found it.
template <class ModelT>
class FrozenParameters {
    using T = typename ModelT::value_type;
    static constexpr std::size_t count = ModelT::network::params.non_trainable;

public:
    explicit FrozenParameters(ModelT& model) : all_(model.parameters()) {
        for (std::size_t i = 0; i < count; ++i) saved_[i] = all_[ModelT::trainable + i];
    }
    void restore() {
        for (std::size_t i = 0; i < count; ++i) all_[ModelT::trainable + i] = saved_[i];
    }

private:
    std::span<T> all_;
    T saved_[count > 0 ? count : 1];
};

// Fills in the step and the floor. `magnitude`: the scale of the rounding error of one
// evaluation, in units of eps(T) (|L| for a loss).
template <class T>
void settle_gradient_options(GradientCheckOptions& opts, GradientCheckResult& result, double magnitude) {
    if (!(opts.step > 0)) opts.step = sizeof(T) >= sizeof(double) ? 1e-6 : 1e-3;
    if (!(magnitude > 1.0)) magnitude = 1.0;
    result.noise = 8.0 * static_cast<double>(std::numeric_limits<T>::epsilon()) * magnitude / opts.step;
    if (!(opts.abs_floor > 0)) opts.abs_floor = result.noise / opts.tolerance;
    result.abs_floor = opts.abs_floor;
}

// One entry: perturbs `value` by +-h (scaled), evaluates, restores, and records.
struct GradientTally {
    const GradientCheckOptions& opts;
    GradientCheckResult& result;
    double h;
    double loss0;

    template <class T, class Eval>
    void entry(T& value, double analytic, Eval& eval, int position, const char* name, std::size_t index) {
        const T saved = value;
        const double base = static_cast<double>(saved);
        const double step = h * (std::fabs(base) > 1.0 ? std::fabs(base) : 1.0);
        value = static_cast<T>(base + step);
        const double hp = static_cast<double>(value) - base;  // the step actually taken
        const double lp = eval();
        value = static_cast<T>(base - step);
        const double hm = base - static_cast<double>(value);
        const double lm = eval();
        value = saved;
        // A parameter that is not finite gives NaN here, and NaN fails (never skipped).
        const double numeric = (lp - lm) / (hp + hm);
        const double forward = (lp - loss0) / hp;
        const double backward = (loss0 - lm) / hm;
        record(analytic, numeric, forward, backward, position, name, index);
    }

    void record(double a, double num, double forward, double backward, int position, const char* name,
                std::size_t index) {
        ++result.checked;
        const double diff = std::fabs(a - num);
        const double scale = std::fabs(a) + std::fabs(num);
        const double err = diff / (scale > opts.abs_floor ? scale : opts.abs_floor);
        const bool bad = !(err <= opts.tolerance);  // NaN counts as bad
        const double split = std::fabs(forward - backward);
        if (bad && split > result.noise && split >= opts.kink_ratio * diff) {
            ++result.skipped;
            if (err > result.worst_skipped_error) result.worst_skipped_error = err;
            return;
        }
        if (bad) ++result.failed;
        if (result.worst_position < 0 || err > result.worst_error || err != err) {
            result.worst_error = err;
            result.worst_position = position;
            result.worst_name = name;
            result.worst_index = index;
            result.worst_analytic = a;
            result.worst_numeric = num;
        }
    }
};

// Calls f(i) for every entry of a tensor of `size`, or for one entry of each of `max`
// equal slices.
template <class F>
void for_each_sampled(std::size_t size, const GradientCheckOptions& opts, std::uint64_t tensor_key, F&& f) {
    const std::size_t max = opts.max_per_tensor;
    if (max == 0 || size <= max) {
        for (std::size_t i = 0; i < size; ++i) f(i);
        return;
    }
    Rng rng(mix64(opts.sample_seed ^ mix64(tensor_key)));
    for (std::size_t k = 0; k < max; ++k) {
        const std::size_t begin = k * size / max;
        const std::size_t end = (k + 1) * size / max;
        f(begin + static_cast<std::size_t>(rng.below(end - begin)));
    }
}

template <class T>
bool overlaps(std::span<const T> a, std::span<T> b) {
    if (a.empty() || b.empty()) return false;
    const auto a0 = reinterpret_cast<std::uintptr_t>(a.data()), b0 = reinterpret_cast<std::uintptr_t>(b.data());
    return a0 < b0 + b.size_bytes() && b0 < a0 + a.size_bytes();
}

}  // namespace detail

// Checks `analytic` (model.gradients() layout: the trainable parameters in order) against
// central differences of model.training_loss(x, labels, n). The model ends as it started.
template <class ModelT>
GradientCheckResult check_gradients_against(ModelT& model, std::span<const typename ModelT::value_type> analytic,
                                            std::span<const typename ModelT::value_type> x,
                                            std::span<const std::int32_t> labels, int n,
                                            GradientCheckOptions opts = {}) {
    using T = typename ModelT::value_type;
    using Net = typename ModelT::network;
    GradientCheckResult result;
    if (analytic.size() < ModelT::trainable) {
        result.status = GradientCheckStatus::gradient_too_short;
        return result;
    }
    if (detail::overlaps(x, model.training_input()) || detail::overlaps(x, model.inference_input())) {
        result.status = GradientCheckStatus::input_aliases_model;
        return result;
    }
    // Evaluations do not touch the non-trainable parameters, but a check must not be able to
    // change the model: they are restored after every evaluation anyway (cheap).
    detail::FrozenParameters<ModelT> frozen(model);
    std::span<T> all = model.parameters();
    const std::uint64_t step = model.step();

    StepStatus bad = StepStatus::ok;
    auto eval = [&]() -> double {
        model.set_step(step);
        const StepResult r = model.training_loss(x, labels, n);
        frozen.restore();
        if (r.status != StepStatus::ok) bad = r.status;
        return r.loss;
    };
    result.loss = eval();
    if (bad != StepStatus::ok) {
        result.status = GradientCheckStatus::step_failed;
        result.step_status = bad;
        return result;
    }
    if (eval() != result.loss) {
        result.status = GradientCheckStatus::function_not_fixed;
        return result;
    }
    detail::settle_gradient_options<T>(opts, result, std::fabs(result.loss));
    detail::GradientTally tally{opts, result, opts.step, result.loss};
    for (int p = 0; p < Net::depth; ++p) {
        const auto& specs = Net::param_specs[p];
        for (int k = 0; k < specs.count; ++k) {
            const ParamSlot& slot = Net::param_slots[p][k];
            if (!slot.trainable) continue;
            const char* name = specs.items[k].name;
            detail::for_each_sampled(slot.size, opts, static_cast<std::uint64_t>(p) << 8 | static_cast<std::uint64_t>(k),
                                     [&](std::size_t i) {
                                         tally.entry(all[slot.offset + i],
                                                     static_cast<double>(analytic[slot.offset + i]), eval, p, name,
                                                     i);
                                     });
        }
    }
    model.set_step(step);
    return result;
}

// Computes the gradients with model.compute_gradients (training mode, at the model's current
// step) and checks them. The BN moving statistics that compute_gradients updated are put
// back; model.gradients() keeps the analytic gradients.
template <class ModelT>
GradientCheckResult check_gradients(ModelT& model, std::span<const typename ModelT::value_type> x,
                                    std::span<const std::int32_t> labels, int n, GradientCheckOptions opts = {}) {
    using T = typename ModelT::value_type;
    GradientCheckResult result;
    if (detail::overlaps(x, model.training_input()) || detail::overlaps(x, model.inference_input())) {
        result.status = GradientCheckStatus::input_aliases_model;
        return result;
    }
    detail::FrozenParameters<ModelT> frozen(model);
    const StepResult r = model.compute_gradients(x, labels, n);
    frozen.restore();
    if (r.status != StepStatus::ok) {
        result.status = GradientCheckStatus::step_failed;
        result.step_status = r.status;
        return result;
    }
    std::span<T> g = model.gradients();
    result = check_gradients_against(model, std::span<const T>(g.data(), g.size()), x, labels, n, opts);
    if (result.status == GradientCheckStatus::ok && result.loss != r.loss)
        result.status = GradientCheckStatus::function_not_fixed;
    return result;
}

// One layer alone, in training mode (dropout with a fixed key, BN on batch statistics without
// touching its moving statistics), on N samples of shape In. The checked scalar is
// S = sum(r * y) for fixed output weights r, so dS/dy = r is what backward receives; checked
// are dS/dx (position 0, "input") and dS/dtheta for every trainable tensor (position 1).
// All memory is inside the object: declare it static for anything but tiny layers.
template <class Layer, Shape In, int N = 2, class T = double>
class LayerGradientCheck {
public:
    static constexpr Shape input_shape = In;
    static constexpr Shape output_shape = Layer::output_shape(In);
    static constexpr ParamSpecs specs = Layer::params(In);
    static constexpr std::size_t input_size = static_cast<std::size_t>(N) * In.size();
    static constexpr std::size_t output_size = static_cast<std::size_t>(N) * output_shape.size();
    static constexpr std::size_t parameter_count = specs.total();
    static constexpr std::size_t state_size = Layer::state_size(In);

    // Inputs and output weights uniform in [-1, 1); kernels Glorot uniform; biases and betas
    // uniform in [-0.5, 0.5) and gammas and moving variances in [0.5, 1.5) (not Keras's
    // zeros and ones: a zero bias can put a ReLU exactly on its kink).
    void initialize(std::uint64_t seed) {
        Rng rng(seed);
        for (auto& v : x_) v = static_cast<T>(2.0 * rng.uniform() - 1.0);
        for (auto& v : r_) v = static_cast<T>(2.0 * rng.uniform() - 1.0);
        for (int k = 0; k < specs.count; ++k) {
            const ParamSpec& s = specs.items[k];
            const double limit =
                s.fan_in + s.fan_out > 0 ? std::sqrt(6.0 / static_cast<double>(s.fan_in + s.fan_out)) : 0.0;
            T* dst = params_ + offset(k);
            for (std::size_t i = 0; i < s.size; ++i) {
                const double u = rng.uniform();
                switch (s.init) {
                    case Init::glorot_uniform: dst[i] = static_cast<T>((2.0 * u - 1.0) * limit); break;
                    case Init::zeros: dst[i] = static_cast<T>(u - 0.5); break;
                    case Init::ones: dst[i] = static_cast<T>(u + 0.5); break;
                }
            }
        }
        dropout_key_ = mix64(seed);
    }

    std::span<T> input() { return {x_, input_size}; }
    std::span<T> output_weights() { return {r_, output_size}; }
    std::span<T> parameters() { return {params_, parameter_count}; }
    std::span<T> parameter(std::string_view name) {
        const int k = find(name);
        if (k < 0) return {};
        return {params_ + offset(k), specs.items[k].size};
    }
    // The analytic gradients of the last check.
    std::span<const T> input_gradient() const { return {gx_, input_size}; }
    std::span<const T> gradient(std::string_view name) const {
        const int k = find(name);
        if (k < 0 || !specs.items[k].trainable) return {};
        return {grads_ + offset(k), specs.items[k].size};
    }
    // The layer's output on input() (after a check).
    std::span<const T> output() const { return {y0_, output_size}; }
    void set_dropout_key(std::uint64_t key) { dropout_key_ = key; }

    // Checks n <= N samples (fewer samples: the rest of input() is ignored).
    GradientCheckResult check(int n = N, GradientCheckOptions opts = {}) {
        GradientCheckResult result;
        if (n < 1 || n > N) {
            result.status = GradientCheckStatus::step_failed;
            result.step_status = StepStatus::bad_batch_size;
            return result;
        }
        const std::size_t in_n = static_cast<std::size_t>(n) * In.size();
        const std::size_t out_n = static_cast<std::size_t>(n) * output_shape.size();

        // Analytic: forward, then backward with dS/dy = r.
        LayerContext<T> ctx = context(true);
        Layer::template forward<In, T>(ctx, x_, y_, n);
        for (std::size_t i = 0; i < out_n; ++i) gy_[i] = r_[i];
        for (std::size_t i = 0; i < in_n; ++i) gx_[i] = T(0);
        for (std::size_t i = 0; i < sizeof(grads_) / sizeof(T); ++i) grads_[i] = T(0);
        Layer::template backward<In, T>(ctx, x_, y_, gy_, gx_, n);

        // The unperturbed output y0 is kept and evaluations return S - S0 = sum(r * (y - y0)):
        // outputs a perturbation does not reach then add exactly 0, not the rounding of the
        // whole sum. The rounding that remains adds up in quadrature: |r * y0|_2 sets the noise.
        {
            LayerContext<T> c = context(false);
            Layer::template forward<In, T>(c, x_, y0_, n);
        }
        double s0 = 0, squares = 0;
        for (std::size_t i = 0; i < out_n; ++i) {
            const double t = static_cast<double>(r_[i]) * static_cast<double>(y0_[i]);
            s0 += t;
            squares += t * t;
        }
        result.loss = s0;
        auto eval = [&]() -> double {
            LayerContext<T> c = context(false);
            Layer::template forward<In, T>(c, x_, y_, n);
            double d = 0;
            for (std::size_t i = 0; i < out_n; ++i)
                d += static_cast<double>(r_[i]) * (static_cast<double>(y_[i]) - static_cast<double>(y0_[i]));
            return d;
        };
        if (eval() != 0.0) {
            result.status = GradientCheckStatus::function_not_fixed;
            return result;
        }
        detail::settle_gradient_options<T>(opts, result, std::sqrt(squares));
        detail::GradientTally tally{opts, result, opts.step, 0.0};
        detail::for_each_sampled(in_n, opts, 0, [&](std::size_t i) {
            tally.entry(x_[i], static_cast<double>(gx_[i]), eval, 0, "input", i);
        });
        for (int k = 0; k < specs.count; ++k) {
            if (!specs.items[k].trainable) continue;
            T* p = params_ + offset(k);
            const T* g = grads_ + offset(k);
            detail::for_each_sampled(specs.items[k].size, opts, static_cast<std::uint64_t>(k) + 1, [&](std::size_t i) {
                tally.entry(p[i], static_cast<double>(g[i]), eval, 1, specs.items[k].name, i);
            });
        }
        return result;
    }

private:
    static constexpr std::size_t offset(int k) {
        std::size_t o = 0;
        for (int j = 0; j < k; ++j) o += specs.items[j].size;
        return o;
    }
    static constexpr int find(std::string_view name) {
        for (int k = 0; k < specs.count; ++k)
            if (name == specs.items[k].name) return k;
        return -1;
    }
    LayerContext<T> context(bool with_gradients) {
        LayerContext<T> ctx;
        for (int k = 0; k < specs.count; ++k) {
            ctx.param[k] = params_ + offset(k);
            ctx.grad[k] = with_gradients && specs.items[k].trainable ? grads_ + offset(k) : nullptr;
        }
        ctx.state = state_;
        ctx.training = true;
        ctx.update_statistics = false;
        ctx.dropout_key = dropout_key_;
        return ctx;
    }

    T x_[input_size] = {};
    T r_[output_size] = {};
    T y_[output_size] = {};
    T y0_[output_size] = {};
    T gy_[output_size] = {};
    T gx_[input_size] = {};
    T params_[parameter_count > 0 ? parameter_count : 1] = {};
    T grads_[parameter_count > 0 ? parameter_count : 1] = {};
    T state_[state_size > 0 ? state_size : 1] = {};
    std::uint64_t dropout_key_ = 0;
};

}  // namespace staticnet
