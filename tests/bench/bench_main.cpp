// staticnet_bench: benchmarks, not tests (nothing asserts on timing). Run through tools/bench,
// which sets up, builds in Release, runs PyTorch beside it and prints the tables.
//
//   staticnet_bench kernels [Google Benchmark flags]
//       kernel microbenchmarks and the FMA peak (bench_kernels.cpp), Google Benchmark output
//   staticnet_bench networks [--networks deep,bn,nin] [--threads 1,2] [--data DIR] [--noise]
//                            [--ftz] [--quick]
//       end to end per seed network and thread count (network_bench.hpp): JSON on stdout
//   staticnet_bench denormals [--networks deep] [--steps 300] [--data DIR] [--inputs L]
//       training steps on MNIST vs noise, with and without FTZ/DAZ, and the denormals left in
//       the model: JSON on stdout
//
// Inputs: real MNIST (the first 8,192 training images, raw 0..255 as float, consecutive batches;
// tools/bench_torch.py uses the identical pool), or with --noise the old bench's single fixed
// batch of uniform noise (sn::Rng(20240601)).
#include <benchmark/benchmark.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <staticnet/core/rng.hpp>
#include <staticnet/data/idx.hpp>
#include <staticnet/kernels/simd/simd.hpp>
#include <string>
#include <string_view>

#include "common.hpp"

namespace bench {

namespace {

Pool mnist_pool(const std::string& dir) {
    const auto d = staticnet::data::load_idx_dataset(dir, "train");
    if (d.images.rows != 28 || d.images.cols != 28 || d.size() < pool_images)
        throw std::runtime_error(dir + ": expected at least " + std::to_string(pool_images) + " 28x28 training images");
    Pool p;
    p.count = pool_images;
    p.images.resize(static_cast<std::size_t>(pool_images + max_batch) * image_size);
    p.labels.resize(pool_images + max_batch);
    for (int i = 0; i < pool_images + max_batch; ++i) {
        const int src = i % pool_images;
        for (int j = 0; j < image_size; ++j)
            p.images[static_cast<std::size_t>(i) * image_size + j] =
                static_cast<float>(d.images.pixels[static_cast<std::size_t>(src) * image_size + j]);
        p.labels[i] = d.labels[src];
    }
    return p;
}

// `distinct` noise images, uniform integers 0..255, then their labels 0..9, all from one
// sn::Rng(20240601) stream: with distinct = 64 exactly the old bench's batch. fixed: every call
// gets image 0.. (the old bench); else consecutive batches cycle through the pool.
Pool noise_pool(int distinct, bool fixed) {
    staticnet::Rng rng(20240601);
    std::vector<float> img(static_cast<std::size_t>(distinct) * image_size);
    std::vector<std::int32_t> lab(distinct);
    for (auto& v : img) v = static_cast<float>(rng.below(256));
    for (auto& l : lab) l = static_cast<std::int32_t>(rng.below(10));
    Pool p;
    p.noise = fixed;
    p.count = distinct;
    const int total = distinct + max_batch;
    p.images.resize(static_cast<std::size_t>(total) * image_size);
    p.labels.resize(total);
    for (int i = 0; i < total; ++i) {
        const int src = i % distinct;
        std::copy_n(img.begin() + static_cast<std::ptrdiff_t>(src) * image_size, image_size,
                    p.images.begin() + static_cast<std::ptrdiff_t>(i) * image_size);
        p.labels[i] = lab[src];
    }
    return p;
}

[[noreturn]] void usage_error(const std::string& msg) {
    std::fprintf(stderr, "staticnet_bench: %s\n", msg.c_str());
    std::exit(2);
}

std::vector<std::string> split(std::string_view s) {
    std::vector<std::string> out;
    while (!s.empty()) {
        const auto c = s.find(',');
        out.emplace_back(s.substr(0, c));
        if (c == std::string_view::npos) break;
        s.remove_prefix(c + 1);
    }
    return out;
}

int to_int(const std::string& opt, const std::string& s) {
    int v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v < 1) usage_error(opt + " needs a positive number, got '" + s + "'");
    return v;
}

Options parse(int argc, char** argv) {
    Options o;
    if (const char* d = std::getenv("STATICNET_DATA")) o.data = std::string(d) + "/mnist";
    else if (const char* h = std::getenv("HOME")) o.data = std::string(h) + "/.cache/staticnet/mnist";
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) usage_error(a + " needs a value");
            return argv[++i];
        };
        if (a == "--networks") o.networks = split(next());
        else if (a == "--threads") {
            o.threads.clear();
            for (const auto& t : split(next())) o.threads.push_back(to_int(a, t));
        } else if (a == "--data") o.data = next();
        else if (a == "--noise") o.noise = true;
        else if (a == "--ftz") o.ftz = true;
        else if (a == "--quick") o.quick = true;
        else if (a == "--steps") o.steps = to_int(a, next());
        else if (a == "--inputs") o.inputs = split(next());
        else usage_error("unknown option '" + a + "'");
    }
    for (const auto& n : o.networks)
        if (n != "deep" && n != "bn" && n != "nin") usage_error("unknown network '" + n + "' (deep, bn, nin)");
    return o;
}

std::string machine_json() {
    return std::string("{\"simd_arch\": ") + str(staticnet::kernels::simd::arch_name()) +
           ", \"flush_denormals\": " + (flush_denormals() ? "true" : "false") + "}";
}

int networks_mode(const Options& o) {
    const Pool pool = o.noise ? noise_pool(train_batch_for_noise, true) : mnist_pool(o.data);
    std::string out = "{\"machine\": " + machine_json() + ", \"input\": " + str(o.noise ? "noise_fixed_batch" : "mnist") +
                      ", \"networks\": [";
    bool first = true;
    for (const int t : o.threads)
        for (const auto& n : o.networks) {
            std::fprintf(stderr, "staticnet_bench: %s, %d thread(s)...\n", n.c_str(), t);
            const std::string r = n == "deep" ? run_network_deep(o, pool, t)
                                  : n == "bn" ? run_network_bn(o, pool, t)
                                              : run_network_nin(o, pool, t);
            out += (first ? "\n  " : ",\n  ") + r;
            first = false;
        }
    std::printf("%s\n]}\n", out.c_str());
    return 0;
}

int denormals_mode(const Options& o) {
    const Pool mnist = mnist_pool(o.data);
    const Pool fixed = noise_pool(train_batch_for_noise, true);
    const Pool cycled = noise_pool(pool_images, false);
    std::string out = "{\"machine\": " + machine_json() + ", \"networks\": [";
    bool first = true;
    for (const auto& n : o.networks) {
        std::fprintf(stderr, "staticnet_bench: denormal probe, %s, %d steps per case...\n", n.c_str(), o.steps);
        const std::string r = n == "deep" ? denormals_deep(o, mnist, fixed, cycled)
                              : n == "bn" ? denormals_bn(o, mnist, fixed, cycled)
                                          : denormals_nin(o, mnist, fixed, cycled);
        out += (first ? "\n  " : ",\n  ") + r;
        first = false;
    }
    std::printf("%s\n]}\n", out.c_str());
    return 0;
}

int kernels_mode(int argc, char** argv) {
    register_kernel_benchmarks();
    // Google Benchmark sees argv without the mode word.
    argv[1] = argv[0];
    ++argv;
    --argc;
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    benchmark::AddCustomContext("simd_arch", staticnet::kernels::simd::arch_name());
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

}  // namespace

}  // namespace bench

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    try {
        if (mode == "kernels") return bench::kernels_mode(argc, argv);
        const bench::Options o = bench::parse(argc, argv);
        // Before any thread pool starts: threads inherit the MXCSR of the thread that made them.
        bench::set_flush_denormals(o.ftz);
        if (mode == "networks") return bench::networks_mode(o);
        if (mode == "denormals") return bench::denormals_mode(o);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "staticnet_bench: %s\n", e.what());
        return 1;
    }
    std::fprintf(stderr,
                 "usage: staticnet_bench kernels [Google Benchmark flags]\n"
                 "       staticnet_bench networks [--networks deep,bn,nin] [--threads 1,2] [--data DIR] [--noise] "
                 "[--ftz] [--quick]\n"
                 "       staticnet_bench denormals [--networks deep] [--steps 300] [--data DIR]\n"
                 "                                 [--inputs mnist,noise_fixed_batch,noise_cycled]\n"
                 "(tools/bench runs all of it and prints the tables)\n");
    return 2;
}
