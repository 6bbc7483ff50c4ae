// Runs a Sequential's forward and backward passes over memory owned by someone else
// (Inference or Model): a flat parameter array, gradients, layer scratch and an arena with a
// compile-time plan. Every layer is called with its compile-time input shape.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include "../core/rng.hpp"
#include "../layers/layer.hpp"
#include "blocks.hpp"
#include "memory_plan.hpp"
#include "predict.hpp"

namespace staticnet::detail {

template <class Net, class T>
struct Runner {
    template <int P>
    static LayerContext<T> context(T* params, T* grads, T* state, Parallel par) {
        LayerContext<T> ctx;
        ctx.par = par;
        const auto& specs = Net::param_specs[P];
        for (int k = 0; k < specs.count; ++k) {
            const ParamSlot& slot = Net::param_slots[P][k];
            ctx.param[k] = params + slot.offset;
            ctx.grad[k] = (grads && slot.trainable) ? grads + slot.offset : nullptr;
        }
        ctx.state = state ? state + Net::state_offsets[P] : nullptr;
        return ctx;
    }

    // Inference on n <= batch samples: copies the input into the plan's input buffer (unless
    // it is already there), runs every layer, returns the outputs (empty, with the status, when
    // n is outside 1..batch or x is not exactly n samples). Shared by Inference and Model.
    template <class Plan, class Each>
    // Inference never writes a parameter (layers see ctx.training == false), so params may be
    // a constexpr array in read-only memory; the context's pointers are non-const only because
    // training shares them.
    static Prediction<T> predict(const Plan& plan, int batch, const T* params, T* arena, std::span<const T> x, int n,
                                 Parallel par, Each&& each) {
        constexpr std::size_t in_size = Net::input_shape.size();
        if (n < 1 || n > batch) return Prediction<T>(PredictStatus::bad_batch_size);
        if (x.size() != static_cast<std::size_t>(n) * in_size) return Prediction<T>(PredictStatus::wrong_input_size);
        T* in = arena + plan.offset[Net::inference_buffer_of[0]];
        if (x.data() != in)
            for (std::size_t i = 0; i < static_cast<std::size_t>(n) * in_size; ++i) in[i] = x[i];
        forward_inference(plan, const_cast<T*>(params), arena, n, par, each,
                          std::make_index_sequence<Net::layer_count>{});
        return Prediction<T>(std::span<const T>(arena + plan.offset[Net::inference_buffer_of[Net::depth - 1]],
                                                static_cast<std::size_t>(n) * Net::output_shape.size()));
    }

    // Inference forward over an inference plan. `each(p, ptr)` is called after every layer.
    template <class Plan, class Each, std::size_t... I>
    static void forward_inference(const Plan& plan, T* params, T* arena, int n, Parallel par, Each&& each,
                                  std::index_sequence<I...>) {
        (forward_inference_one<static_cast<int>(I) + 1>(plan, params, arena, n, par, each), ...);
    }
    template <int P, class Plan, class Each>
    static void forward_inference_one(const Plan& plan, T* params, T* arena, int n, Parallel par, Each& each) {
        using L = typename Net::template layer<P>;
        LayerContext<T> ctx = context<P>(params, nullptr, nullptr, par);
        T* y = arena + plan.offset[Net::inference_buffer_of[P]];
        if constexpr (detail::join_layer<L>) {
            const T* x[L::arity];
            for (int i = 0; i < L::arity; ++i) x[i] = arena + plan.offset[Net::inference_buffer_of[Net::inputs[P].at[i]]];
            L::template forward_join<Net::template join_inputs<P>, T>(ctx, x, y, n);
        } else {
            if constexpr (Net::template inference_scratch<T>[P] > 0) ctx.scratch = arena + plan.offset[Net::depth + P];
            T* x = arena + plan.offset[Net::inference_buffer_of[Net::inputs[P].at[0]]];
            L::template forward<Net::input_shapes[P], T>(ctx, x, y, n);
        }
        each(P, static_cast<const T*>(y));
    }

    // Training forward over a training plan (entry p: activation p). update_statistics = false
    // leaves BN moving statistics alone (a loss-only forward).
    template <class Plan, std::size_t... I>
    static void forward_training(const Plan& plan, T* params, T* state, T* arena, int n, std::uint64_t seed,
                                 std::uint64_t step, bool update_statistics, Parallel par, std::index_sequence<I...>) {
        (forward_training_one<static_cast<int>(I) + 1>(plan, params, state, arena, n, seed, step,
                                                       update_statistics, par),
         ...);
    }
    template <int P, class Plan>
    static void forward_training_one(const Plan& plan, T* params, T* state, T* arena, int n, std::uint64_t seed,
                                     std::uint64_t step, bool update_statistics, Parallel par) {
        using L = typename Net::template layer<P>;
        LayerContext<T> ctx = context<P>(params, nullptr, state, par);
        ctx.training = true;
        ctx.update_statistics = update_statistics;
        ctx.dropout_key = dropout_key(seed, P, step);
        if constexpr (detail::join_layer<L>) {
            const T* x[L::arity];
            for (int i = 0; i < L::arity; ++i) x[i] = arena + plan.offset[Net::inputs[P].at[i]];
            L::template forward_join<Net::template join_inputs<P>, T>(ctx, x, arena + plan.offset[P], n);
        } else {
            L::template forward<Net::input_shapes[P], T>(ctx, arena + plan.offset[Net::inputs[P].at[0]],
                                                         arena + plan.offset[P], n);
        }
    }

    // Backward from the last position down to 1; the gradient of the network output must be
    // in entry depth + L already. fused_softmax: that gradient is dL/dz of the final softmax.
    template <class Plan, std::size_t... I>
    static void backward(const Plan& plan, T* params, T* grads, T* state, T* arena, int n, std::uint64_t seed,
                         std::uint64_t step, bool fused_softmax, Parallel par, std::index_sequence<I...>) {
        (backward_one<Net::layer_count - static_cast<int>(I)>(plan, params, grads, state, arena, n, seed, step,
                                                             fused_softmax, par),
         ...);
    }
    // Whether node P's backward has anything to do: it has trainable parameters, or some tensor it
    // reads (other than the network input) needs a gradient.
    template <int P>
    static constexpr bool runs_backward = [] {
        if (Net::param_specs[P].trainable() > 0) return true;
        for (int i = 0; i < Net::inputs[P].count; ++i)
            if (Net::inputs[P].at[i] > 0) return true;
        return false;
    }();

    template <int P, class Plan>
    static void backward_one(const Plan& plan, T* params, T* grads, T* state, T* arena, int n, std::uint64_t seed,
                             std::uint64_t step, bool fused_softmax, Parallel par) {
        using L = typename Net::template layer<P>;
        constexpr int D = Net::depth;
        if constexpr (!runs_backward<P>) {
            return;
        } else {
            LayerContext<T> ctx = context<P>(params, grads, state, par);
            ctx.training = true;
            ctx.dropout_key = dropout_key(seed, P, step);
            ctx.fused_softmax = fused_softmax && P == Net::layer_count;
            T* gy = arena + plan.offset[D + P];
            if constexpr (detail::join_layer<L>) {
                T* gx[L::arity];
                bool accumulate[L::arity];
                for (int i = 0; i < L::arity; ++i) {
                    const int a = Net::inputs[P].at[i];
                    gx[i] = a > 0 ? arena + plan.offset[D + a] : nullptr;
                    accumulate[i] = Net::accumulates(P, i);
                }
                L::template backward_join<Net::template join_inputs<P>, T>(ctx, gy, gx, accumulate, n);
            } else {
                constexpr int a = Net::inputs[P].at[0];
                constexpr bool add = a > 0 && Net::accumulates(P, 0);
                T* ga = a > 0 ? arena + plan.offset[D + a] : nullptr;
                T* gx = add ? arena + plan.offset[2 * D + P] : ga;
                L::template backward<Net::input_shapes[P], T>(ctx, arena + plan.offset[a], arena + plan.offset[P], gy,
                                                              gx, n);
                if constexpr (add) {
                    // Another reader's gradient is in ga already: add this one, element by element.
                    constexpr std::size_t count_per_sample = Net::shapes[a].size();
                    const std::size_t count = static_cast<std::size_t>(n) * count_per_sample;
                    constexpr std::size_t chunk = 4096;
                    par.for_each(static_cast<int>((count + chunk - 1) / chunk), [&](int item) {
                        const std::size_t b = static_cast<std::size_t>(item) * chunk;
                        const std::size_t e = b + chunk < count ? b + chunk : count;
                        for (std::size_t i = b; i < e; ++i) ga[i] += gx[i];
                    });
                }
            }
        }
    }
};

}  // namespace staticnet::detail
