// staticnet_bench: the seed networks' training step and inference, in samples per second, with
// the bytes each model needs (known to the compiler). Not a test: run it through tools/bench,
// which puts PyTorch's numbers for the same networks beside these ones, in the same run.
//
//   <name>/train_step   Model<Net, Adam<>, SparseCategoricalCrossentropy, 64>::train_step, batch 64
//   <name>/predict/64   Model::predict of 64 samples
//   <name>/predict/1    Model::predict of 1 sample
//
// Inputs are synthetic 28x28x1 raw pixels (0..255 as float, like the Keras original feeds them)
// with labels 0..9, fixed by a seed. Single-threaded: staticnet has no threading yet.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <span>
#include <staticnet/core.hpp>
#include <string>

#include "examples/seed_networks.hpp"

namespace {

namespace sn = staticnet;
namespace ex = staticnet::examples;

constexpr int batch = 64;

template <class Net>
using BenchModel = sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, batch>;

// Tens of MB each: static storage, never the stack.
template <class Net>
BenchModel<Net>& model() {
    static BenchModel<Net> m;
    return m;
}

constexpr std::size_t input_size = 28 * 28;

struct Batch {
    std::array<float, batch * input_size> images{};
    std::array<std::int32_t, batch> labels{};
};

const Batch& synthetic_batch() {
    static const Batch b = [] {
        Batch d;
        sn::Rng rng(20240601);
        for (auto& p : d.images) p = static_cast<float>(rng.below(256));
        for (auto& l : d.labels) l = static_cast<std::int32_t>(rng.below(10));
        return d;
    }();
    return b;
}

template <class Net>
void memory_counters(benchmark::State& state) {
    using M = BenchModel<Net>;
    // Plain counters (not rates): the same value for every run, copied to the JSON.
    state.counters["persistent_bytes"] = static_cast<double>(M::persistent_bytes);
    state.counters["training_arena_bytes"] = static_cast<double>(M::training_arena_bytes);
    state.counters["inference_arena_bytes"] = static_cast<double>(M::inference_arena_bytes);
    state.counters["model_bytes"] = static_cast<double>(sizeof(M));
}

template <class Net>
void train_step(benchmark::State& state) {
    auto& m = model<Net>();
    m.initialize(1);
    const Batch& b = synthetic_batch();
    const std::span<const float> x(b.images);
    const std::span<const std::int32_t> y(b.labels);
    for (auto _ : state) {
        const sn::StepResult r = m.train_step(x, y, batch);
        if (r.status != sn::StepStatus::ok) {
            state.SkipWithError(sn::to_string(r.status));
            break;
        }
        benchmark::DoNotOptimize(r.loss);
        benchmark::ClobberMemory();
    }
    state.counters["samples_per_second"] =
        benchmark::Counter(static_cast<double>(state.iterations()) * batch, benchmark::Counter::kIsRate);
    memory_counters<Net>(state);
}

template <class Net>
void predict(benchmark::State& state) {
    const int n = static_cast<int>(state.range(0));
    auto& m = model<Net>();
    m.initialize(1);
    const Batch& b = synthetic_batch();
    const std::span<const float> x(b.images);
    for (auto _ : state) {
        const std::span<const float> out = m.predict(x, n);
        if (out.empty()) {
            state.SkipWithError("predict returned no output");
            break;
        }
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.counters["samples_per_second"] =
        benchmark::Counter(static_cast<double>(state.iterations()) * n, benchmark::Counter::kIsRate);
    memory_counters<Net>(state);
}

template <class Net>
void register_network(const std::string& name) {
    benchmark::RegisterBenchmark((name + "/train_step").c_str(), train_step<Net>)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((name + "/predict").c_str(), predict<Net>)->Arg(64)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((name + "/predict").c_str(), predict<Net>)->Arg(1)->Unit(benchmark::kMicrosecond);
}

}  // namespace

int main(int argc, char** argv) {
    register_network<ex::Deep>("Deep");
    register_network<ex::Bn>("Bn");
    register_network<ex::Nin>("Nin");
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::AddCustomContext("staticnet_threads", "1 (staticnet has no threading yet)");
    benchmark::AddCustomContext("batch", std::to_string(batch));
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
