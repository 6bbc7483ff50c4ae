// End-to-end measurement of one seed network (included by bench_net_<name>.cpp, one network per
// translation unit so the three instantiations compile in parallel).
//
//   train      Model<Net, Adam<>, SparseCategoricalCrossentropy, 64>::train_step, batch 64
//   predict1   the deployment form: sn::Inference<sn::inference_form<Net>, 1>::predict of 1
//              sample (BatchNormalization folded, Dropout dropped, as a generated header's
//              FoldedInference runs it; PyTorch gets torch.jit + optimize_for_inference, which
//              folds what it can too); latency = median of >= 1,000 calls.
//              predict1_unfolded_us: sn::Inference<Net, 1> (the training form's layers);
//              predict1_model_us: Model::predict(x, 1)
//   predict64  sn::Inference<sn::inference_form<Net>, 64>::predict of 64 samples;
//              predict64_model_samples_per_second: Model::predict of 64 (the training form)
//   predict1000  sn::Inference<Net, 1000>::predict of 1,000 samples: a real batch of 1,000,
//              compiled separately, in static storage
//
// Every call takes the next consecutive batch of the input pool (common.hpp); wall clock; the
// median call time is the headline, the mean is reported beside it.
#pragma once
#include <optional>
#include <span>
#include <staticnet/core.hpp>
#include <staticnet/desktop/parallel.hpp>
#include <string>
#include <thread>

#include "common.hpp"
#include "examples/seed_networks.hpp"

namespace bench {

namespace sn = staticnet;

inline constexpr int train_batch = 64;

template <class Net>
using BenchModel = sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, train_batch>;

// Tens to hundreds of MB each: static storage, never the stack.
template <class Net>
BenchModel<Net>& model() {
    static BenchModel<Net> m;
    return m;
}
template <class Net, int B>
sn::Inference<Net, B>& inference() {
    static sn::Inference<Net, B> m;
    return m;
}

// Hands the executor to a Model or Inference; false while they have no set_executor (threading
// is being added to the models: until then only threads = 1 is measured).
template <class X>
bool attach(X& x, sn::Executor e) {
    if constexpr (requires { x.set_executor(e); }) {
        x.set_executor(e);
        return true;
    } else {
        return false;
    }
}

inline volatile double sink;

struct Timings {
    long train_calls, predict1_calls, predict64_calls, predict1000_calls;
    double train_s, predict1_s, predict64_s, predict1000_s;
};

inline Timings timings(bool quick) {
    // {min calls, min seconds}. Train and predict64 run ~10-100 ms, predict1 ~0.1 ms.
    if (quick) return {10, 1000, 10, 3, 0.6, 0.3, 0.4, 0.5};
    return {30, 2000, 30, 6, 2.5, 1.0, 1.5, 2.5};
}

template <class Net>
std::string run_network(const std::string& name, const Options& o, const Pool& pool, int threads) {
    auto& m = model<Net>();
    using Folded = sn::inference_form<Net>;
    auto& i1 = inference<Net, 1>();
    auto& i1000 = inference<Net, max_batch>();
    auto& f1 = inference<Folded, 1>();
    auto& f64 = inference<Folded, train_batch>();
    std::string out = "{\"name\": " + str(name) + ", \"threads\": " + std::to_string(threads);

    constexpr bool can_thread = requires(BenchModel<Net>& a, sn::Inference<Net, 1>& b, sn::Inference<Net, max_batch>& c,
                                         sn::Executor e) {
        a.set_executor(e);
        b.set_executor(e);
        c.set_executor(e);
    };
    if (threads > 1 && !can_thread) {
        std::fprintf(stderr, "staticnet_bench: %s: Model/Inference have no set_executor yet: %d threads skipped\n",
                     name.c_str(), threads);
        return out + ", \"error\": \"no set_executor in this tree: staticnet runs single-threaded only\"}";
    }
    std::optional<sn::ThreadPool> tp;
    sn::Executor ex{};
    if (threads > 1) {
        tp.emplace(threads);
        ex = tp->executor();
        // Let the workers reach their first wait before the first run (see the report: a
        // worker that reads the pool's generation only after the first run started misses it).
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    attach(m, ex);
    attach(i1, ex);
    attach(i1000, ex);
    attach(f1, ex);
    attach(f64, ex);

    const Timings tm = timings(o.quick);
    constexpr std::size_t in = BenchModel<Net>::input_size;
    m.initialize(1);
    double last_loss = 0;
    bool failed = false;
    const Stats train = time_calls(
        [&](long k) {
            const sn::StepResult r = m.train_step(std::span<const float>(pool.x(k, train_batch), train_batch * in),
                                                  std::span<const std::int32_t>(pool.y(k, train_batch), train_batch),
                                                  train_batch);
            failed |= r.status != sn::StepStatus::ok;
            last_loss = r.loss;
        },
        3, tm.train_calls, tm.train_s);
    if (failed) return out + ", \"error\": \"train_step failed\"}";

    // The inference objects get the trained weights (BN moving statistics included).
    const auto p = m.parameters();
    std::copy(p.begin(), p.end(), i1.parameters().begin());
    std::copy(p.begin(), p.end(), i1000.parameters().begin());
    if (!sn::fold_parameters<Net, float>(p, f1.parameters()) || !sn::fold_parameters<Net, float>(p, f64.parameters()))
        return out + ", \"error\": \"fold_parameters failed\"}";

    auto predict = [&](auto& target, int b) {
        return [&target, &pool, b](long k) {
            const auto y = target.predict(std::span<const float>(pool.x(k, b), static_cast<std::size_t>(b) * in), b);
            sink = y.empty() ? -1.0 : static_cast<double>(y[0]);
        };
    };
    const Stats p1 = time_calls(predict(f1, 1), 100, tm.predict1_calls, tm.predict1_s);
    const Stats p1u = time_calls(predict(i1, 1), 100, tm.predict1_calls / 2, tm.predict1_s / 2);
    const Stats p1m = time_calls(predict(m, 1), 100, tm.predict1_calls / 2, tm.predict1_s / 2);
    const Stats p64 = time_calls(predict(f64, train_batch), 3, tm.predict64_calls, tm.predict64_s);
    const Stats p64m = time_calls(predict(m, train_batch), 3, tm.predict64_calls / 2, tm.predict64_s / 2);
    const Stats p1000 = time_calls(predict(i1000, max_batch), 1, tm.predict1000_calls, tm.predict1000_s);

    attach(m, sn::Executor{});
    attach(i1, sn::Executor{});
    attach(i1000, sn::Executor{});
    attach(f1, sn::Executor{});
    attach(f64, sn::Executor{});

    using M = BenchModel<Net>;
    out += ", \"train_samples_per_second\": " + num(train_batch / train.median) +
           ", \"predict1_us\": " + num(p1.median * 1e6) +
           ", \"predict64_samples_per_second\": " + num(train_batch / p64.median) +
           ", \"predict1000_samples_per_second\": " + num(max_batch / p1000.median) +
           ", \"train_samples_per_second_mean\": " + num(train_batch / train.mean) +
           ", \"train_calls\": " + std::to_string(train.calls) +
           ", \"train_last_loss\": " + num(last_loss) +
           ", \"predict1_us_mean\": " + num(p1.mean * 1e6) + ", \"predict1_us_min\": " + num(p1.min * 1e6) +
           ", \"predict1_calls\": " + std::to_string(p1.calls) +
           ", \"predict1_unfolded_us\": " + num(p1u.median * 1e6) +
           ", \"predict1_model_us\": " + num(p1m.median * 1e6) +
           ", \"predict64_model_samples_per_second\": " + num(train_batch / p64m.median) +
           ", \"inference_form_params\": " + std::to_string(Folded::params.total) +
           ", \"predict64_samples_per_second_mean\": " + num(train_batch / p64.mean) +
           ", \"predict64_calls\": " + std::to_string(p64.calls) +
           ", \"predict1000_samples_per_second_mean\": " + num(max_batch / p1000.mean) +
           ", \"predict1000_calls\": " + std::to_string(p1000.calls) +
           ", \"predict1000_how\": \"sn::Inference<Net, 1000>, one call of 1000\"" +
           ", \"memory\": {\"persistent_bytes\": " + std::to_string(M::persistent_bytes) +
           ", \"training_arena_bytes\": " + std::to_string(M::training_arena_bytes) +
           ", \"inference_arena_bytes\": " + std::to_string(M::inference_arena_bytes) +
           ", \"model_bytes\": " + std::to_string(sizeof(M)) +
           ", \"inference1000_bytes\": " + std::to_string(sizeof(sn::Inference<Net, max_batch>)) + "}}";
    return out;
}

// ---------------------------------------------------------------------------------------------
// Denormal probe: the same training steps on real MNIST, on one fixed noise batch (the old
// bench), and on cycled noise batches, each with and without FTZ/DAZ; ms per step in chunks of
// 50 steps, then the denormal values in parameters, gradients, Adam state and the arena
// (activations, activation gradients).
template <class Net>
std::string denormal_probe(const std::string& name, const Options& o, const Pool& mnist, const Pool& noise_fixed,
                           const Pool& noise_cycled) {
    using M = BenchModel<Net>;
    auto& m = model<Net>();
    constexpr std::size_t in = M::input_size;
    std::string out = "{\"name\": " + str(name) + ", \"steps\": " + std::to_string(o.steps) + ", \"cases\": [";
    const struct {
        const char* input;
        const Pool* pool;
    } inputs[] = {{"mnist", &mnist}, {"noise_fixed_batch", &noise_fixed}, {"noise_cycled", &noise_cycled}};
    bool first = true;
    for (const auto& input : inputs) {
        if (std::find(o.inputs.begin(), o.inputs.end(), input.input) == o.inputs.end()) continue;
        for (const bool ftz : {false, true}) {
            set_flush_denormals(ftz);
            m.initialize(1);
            std::vector<double> chunk_ms, chunk_cpu_ms;
            std::vector<std::size_t> chunk_denormals;
            double total = 0, total_cpu = 0, loss = 0;
            const int chunk = 50;
            const float* arena = m.training_input().data() - M::train_plan.offset[0];
            const auto count = [](std::span<const float> s) { return count_denormals(s.data(), s.size()); };
            for (int c0 = 0; c0 < o.steps; c0 += chunk) {
                const double c_start = thread_cpu_seconds();
                const auto t0 = std::chrono::steady_clock::now();
                for (int k = c0; k < c0 + chunk && k < o.steps; ++k) {
                    const auto r = m.train_step(
                        std::span<const float>(input.pool->x(k, train_batch), train_batch * in),
                        std::span<const std::int32_t>(input.pool->y(k, train_batch), train_batch), train_batch);
                    loss = r.loss;
                }
                const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                const double cs = thread_cpu_seconds() - c_start;
                const int steps = std::min(chunk, o.steps - c0);
                total += s;
                total_cpu += cs;
                chunk_ms.push_back(s * 1e3 / steps);
                chunk_cpu_ms.push_back(cs * 1e3 / steps);
                // After the chunk's last step: activations and activation gradients (arena),
                // gradients and Adam state.
                chunk_denormals.push_back(count_denormals(arena, M::arena_elements) + count(m.gradients()) +
                                          count(m.optimizer_state()));
            }
            const auto p = m.parameters();
            const auto g = m.gradients();
            const auto st = m.optimizer_state();
            const auto list = [](const auto& v) {
                std::string r = "[";
                for (std::size_t i = 0; i < v.size(); ++i) r += (i ? ", " : "") + num(static_cast<double>(v[i]));
                return r + "]";
            };
            out += std::string(first ? "" : ", ") + "{\"input\": " + str(input.input) +
                   ", \"ftz_daz\": " + (ftz ? "true" : "false") +
                   ", \"ms_per_step\": " + num(total * 1e3 / o.steps) +
                   ", \"cpu_ms_per_step\": " + num(total_cpu * 1e3 / o.steps) +
                   ", \"ms_per_step_chunks\": " + list(chunk_ms) + ", \"cpu_ms_per_step_chunks\": " + list(chunk_cpu_ms) +
                   ", \"denormals_after_chunks\": " + list(chunk_denormals) +
                   ", \"final_loss\": " + num(loss) +
                   ", \"denormals\": {\"parameters\": " + std::to_string(count(p)) +
                   ", \"gradients\": " + std::to_string(count(g)) +
                   ", \"adam_state\": " + std::to_string(count(st)) +
                   ", \"arena\": " + std::to_string(count_denormals(arena, M::arena_elements)) +
                   ", \"arena_elements\": " + std::to_string(M::arena_elements) +
                   ", \"parameter_elements\": " + std::to_string(p.size()) + "}}";
            first = false;
        }
    }
    set_flush_denormals(o.ftz);
    return out + "]}";
}

}  // namespace bench
