// Helpers for users' own test suites (doctest, Catch2, GoogleTest: the helpers return values
// and assert nothing themselves).
//
//   auto r = sn::testing::check_network_gradients<Net>(seed);   // a whole network, in double
//   CHECK(r.passed());
//
//   sn::testing::HeapGuard guard;      // counts heap allocations while it lives
//   net.predict(x);
//   CHECK(guard.allocations() == 0);   // needs STATICNET_TESTING_HEAP_GUARD in one source file
//
//   auto c = sn::testing::compare(outputs, reference, {.relative = 1e-5, .absolute = 1e-6});
//   CHECK(c.ok());                     // c.worst_index, c.worst_error, c.max_ulps say where and how far
//
// check_network_gradients builds a Model<Net, Adam, SparseCategoricalCrossentropy, Batch, double>
// in static storage (one per network type and batch), initialises it from `seed` with
// non-trivial biases, BN parameters and moving statistics (zeros would put ReLUs on their kinks),
// draws n inputs uniform in [-1, 1) and labels (3s + 1) mod classes, and runs check_gradients
// (train/gradient_check.hpp): every trainable parameter against central differences of the
// training loss. The model is left as the check found it.
//
// The heap guard: define STATICNET_TESTING_HEAP_GUARD before including this header in exactly one
// source file of the test program; it then replaces the global operator new and delete (all
// forms, as the standard allows) with counting ones that forward to malloc/free. Without it
// HeapGuard::installed() is false and allocations() always 0 - check installed() first.
#pragma once
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <span>
#include <vector>

#include "core.hpp"
#include "train/gradient_check.hpp"

namespace staticnet::testing {

// ---- whole-network gradient check ---------------------------------------------------------

template <class Net, int Batch = 4>
using GradientModel = Model<Net, Adam<>, SparseCategoricalCrossentropy, Batch, double>;

// Keras initialisation from `seed`, then biases, betas and shifts uniform in [-0.2, 0.2), gammas
// and moving variances in [0.5, 1.5), moving means in [-0.2, 0.2).
template <class M>
void randomize_parameters(M& model, std::uint64_t seed) {
    model.initialize(seed);
    Rng rng(seed ^ 0x9E3779B97F4A7C15ull);
    for (int p = 1; p < M::network::depth; ++p) {
        for (auto& v : model.find_parameter(p, "bias")) v = 0.4 * rng.uniform() - 0.2;
        for (auto& v : model.find_parameter(p, "beta")) v = 0.4 * rng.uniform() - 0.2;
        for (auto& v : model.find_parameter(p, "shift")) v = 0.4 * rng.uniform() - 0.2;
        for (auto& v : model.find_parameter(p, "gamma")) v = 0.5 + rng.uniform();
        for (auto& v : model.find_parameter(p, "moving_mean")) v = 0.4 * rng.uniform() - 0.2;
        for (auto& v : model.find_parameter(p, "moving_variance")) v = 0.5 + rng.uniform();
    }
}

template <class Net, int Batch = 4>
GradientCheckResult check_network_gradients(std::uint64_t seed, int n = 3, GradientCheckOptions options = {}) {
    using M = GradientModel<Net, Batch>;
    static M model;
    randomize_parameters(model, seed);
    if (n < 1 || n > Batch) n = Batch;
    Rng rng(seed + 1);
    std::vector<double> x(static_cast<std::size_t>(n) * M::input_size);
    for (auto& v : x) v = 2.0 * rng.uniform() - 1.0;
    std::vector<std::int32_t> labels(static_cast<std::size_t>(n));
    for (int s = 0; s < n; ++s) labels[static_cast<std::size_t>(s)] = (3 * s + 1) % M::classes;
    return check_gradients(model, std::span<const double>(x), std::span<const std::int32_t>(labels), n, options);
}

// ---- comparison against reference outputs -------------------------------------------------

struct Tolerance {
    double relative = 1e-5;  // of the reference value's magnitude
    double absolute = 1e-6;  // a floor for values near 0
};

struct Comparison {
    std::size_t count = 0;         // values compared (0 when the sizes differ)
    bool size_mismatch = false;
    std::size_t failures = 0;      // |got - want| > absolute + relative * |want|, or NaN on one side only
    std::size_t worst_index = 0;   // the largest |got - want| / (absolute + relative * |want|)
    double worst_error = 0;        // that |got - want|
    double worst_ratio = 0;        // that ratio (<= 1 passes)
    std::uint64_t max_ulps = 0;    // the largest distance in units in the last place (float or double)
    bool ok() const { return !size_mismatch && failures == 0; }
};

namespace detail {
inline std::int64_t ordered_bits(double v) {
    std::int64_t b;
    std::memcpy(&b, &v, sizeof b);
    return b < 0 ? std::int64_t(0x8000000000000000ull - static_cast<std::uint64_t>(b)) : b;
}
inline std::int32_t ordered_bits(float v) {
    std::int32_t b;
    std::memcpy(&b, &v, sizeof b);
    return b < 0 ? std::int32_t(0x80000000u - static_cast<std::uint32_t>(b)) : b;
}
template <class T>
std::uint64_t ulps_apart(T a, T b) {
    const auto x = ordered_bits(a), y = ordered_bits(b);
    return x > y ? static_cast<std::uint64_t>(x) - static_cast<std::uint64_t>(y)
                 : static_cast<std::uint64_t>(y) - static_cast<std::uint64_t>(x);
}
}  // namespace detail

template <class T, class U>
Comparison compare(std::span<const T> got, std::span<const U> want, Tolerance tol = {}) {
    Comparison c;
    if (got.size() != want.size()) {
        c.size_mismatch = true;
        return c;
    }
    c.count = got.size();
    for (std::size_t i = 0; i < got.size(); ++i) {
        const double g = static_cast<double>(got[i]), w = static_cast<double>(want[i]);
        if (std::isnan(g) || std::isnan(w)) {
            if (std::isnan(g) != std::isnan(w)) {
                ++c.failures;
                if (c.worst_ratio != HUGE_VAL) c.worst_index = i;
                c.worst_ratio = c.worst_error = HUGE_VAL;
            }
            continue;
        }
        const double err = std::fabs(g - w);
        const double ratio = err / (tol.absolute + tol.relative * std::fabs(w));
        if (ratio > 1) ++c.failures;
        if (ratio > c.worst_ratio) {
            c.worst_ratio = ratio;
            c.worst_error = err;
            c.worst_index = i;
        }
        const std::uint64_t u = detail::ulps_apart(static_cast<T>(got[i]), static_cast<T>(want[i]));
        if (u > c.max_ulps) c.max_ulps = u;
    }
    return c;
}
template <class A, class B>
auto compare(const A& got, const B& want, Tolerance tol = {}) {
    using T = std::remove_cvref_t<decltype(*std::data(got))>;
    using U = std::remove_cvref_t<decltype(*std::data(want))>;
    return compare(std::span<const T>(std::data(got), std::size(got)), std::span<const U>(std::data(want), std::size(want)),
                   tol);
}

// ---- heap guard ---------------------------------------------------------------------------

namespace detail {
inline std::atomic<long> heap_allocations{0};
inline std::atomic<int> heap_guards{0};
inline std::atomic<bool> heap_guard_installed{false};
inline void count_allocation() {
    if (heap_guards.load(std::memory_order_relaxed) > 0) heap_allocations.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace detail

class HeapGuard {
public:
    HeapGuard() : start_(detail::heap_allocations.load()) { detail::heap_guards.fetch_add(1); }
    ~HeapGuard() { detail::heap_guards.fetch_sub(1); }
    HeapGuard(const HeapGuard&) = delete;
    HeapGuard& operator=(const HeapGuard&) = delete;
    // Allocations (operator new of any form, in any thread) since this guard was made.
    long allocations() const { return detail::heap_allocations.load() - start_; }
    static bool installed() { return detail::heap_guard_installed.load(); }

private:
    long start_;
};

}  // namespace staticnet::testing

#if defined(STATICNET_TESTING_HEAP_GUARD)
namespace staticnet::testing::detail {
static const bool heap_guard_registered = [] {
    heap_guard_installed = true;
    return true;
}();
inline void* counted_new(std::size_t size, std::size_t align, bool nothrow) {
    count_allocation();
    if (size == 0) size = 1;
    void* p = align <= alignof(std::max_align_t) ? std::malloc(size)
                                                 : std::aligned_alloc(align, (size + align - 1) / align * align);
    if (!p && !nothrow) throw std::bad_alloc();
    return p;
}
}  // namespace staticnet::testing::detail

void* operator new(std::size_t n) { return staticnet::testing::detail::counted_new(n, 0, false); }
void* operator new[](std::size_t n) { return staticnet::testing::detail::counted_new(n, 0, false); }
void* operator new(std::size_t n, std::align_val_t a) {
    return staticnet::testing::detail::counted_new(n, static_cast<std::size_t>(a), false);
}
void* operator new[](std::size_t n, std::align_val_t a) {
    return staticnet::testing::detail::counted_new(n, static_cast<std::size_t>(a), false);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    return staticnet::testing::detail::counted_new(n, 0, true);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    return staticnet::testing::detail::counted_new(n, 0, true);
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return staticnet::testing::detail::counted_new(n, static_cast<std::size_t>(a), true);
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return staticnet::testing::detail::counted_new(n, static_cast<std::size_t>(a), true);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
#endif
