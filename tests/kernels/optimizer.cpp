// SIMD optimizer kernels against the reference (Adam; SGD plain, with momentum, Nesterov), over
// several steps on counts with tails, float and double, the build's architecture and (where the
// build allows) AVX2+FMA; and Adam<> / SGD<>::update_range over split ranges against update().
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <staticnet/kernels/reference/optimizer.hpp>
#include <staticnet/kernels/simd/optimizer.hpp>
#include <staticnet/train/optimizers.hpp>

#include "kernels/support.hpp"

namespace {

namespace sn = staticnet;
namespace ref = staticnet::kernels::reference;
namespace simd = staticnet::kernels::simd;
namespace kt = kernel_test;

// Tolerance, relative to max(1, largest |reference value|) of each array (check_close). The
// kernels are elementwise with the reference's operations in the reference's order; sqrt and
// division are correctly rounded in both: with -ffp-contract=off the results are equal to the
// bit (measured). With GCC's default -ffp-contract=fast either version may fuse one of the two
// products in b*m + (1-b)*g (and the like) differently: 1/2 ulp of a product per operation,
// a few ulps of an O(1) value after a few steps. 1e-6 (float, 8 ulps of 1) / 1e-14 (double, 45
// ulps of 1); measured after 10 steps: 1.1e-7 float, 2.2e-16 double.
template <class T>
constexpr double tolerance() {
    return sizeof(T) == sizeof(float) ? 1e-6 : 1e-14;
}

constexpr std::size_t counts[] = {0, 1, 3, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 100, 1001};

template <class Arch, class T>
void check_adam() {
    for (std::size_t n : counts) {
        const std::string what = std::string(kt::type_name<T>()) + " n=" + std::to_string(n) + " arch=" + Arch::name();
        CAPTURE(what);
        auto theta_ref = kt::random_values<T>(n, 91 + n), theta_simd = theta_ref;
        std::vector<T> m_ref(n, T(0)), v_ref(n, T(0)), m_simd(n, T(0)), v_simd(n, T(0));
        for (int step = 0; step < 3; ++step) {
            auto g = kt::random_values<T>(n, 92 + n + static_cast<std::uint64_t>(step));
            if (step == 1)
                for (std::size_t i = 0; i < n; i += 4) g[i] = T(0);  // zero gradients: v may stay 0
            const T lr_t = T(0.001) * T(step + 1), b1 = T(0.9), b2 = T(0.999), eps = T(1e-7);
            ref::adam_update(theta_ref.data(), g.data(), m_ref.data(), v_ref.data(), n, lr_t, b1, b2, eps);
            simd::adam_update<Arch>(theta_simd.data(), g.data(), m_simd.data(), v_simd.data(), n, lr_t, b1, b2, eps);
        }
        kt::check_close(m_ref, m_simd, tolerance<T>(), what + " adam m");
        kt::check_close(v_ref, v_simd, tolerance<T>(), what + " adam v");
        kt::check_close(theta_ref, theta_simd, tolerance<T>(), what + " adam theta");
    }
}

template <class Arch, class T>
void check_sgd() {
    for (std::size_t n : counts) {
        for (T momentum : {T(0), T(0.9)}) {
            for (bool nesterov : {false, true}) {
                const std::string what = std::string(kt::type_name<T>()) + " n=" + std::to_string(n) +
                                         " momentum=" + std::to_string(momentum) + " nesterov=" +
                                         std::to_string(nesterov) + " arch=" + Arch::name();
                CAPTURE(what);
                auto theta_ref = kt::random_values<T>(n, 101 + n), theta_simd = theta_ref;
                auto vel_ref = kt::random_values<T>(n, 102 + n, -0.01, 0.01), vel_simd = vel_ref;
                for (int step = 0; step < 3; ++step) {
                    const auto g = kt::random_values<T>(n, 103 + n + static_cast<std::uint64_t>(step));
                    ref::sgd_update(theta_ref.data(), g.data(), momentum == T(0) ? nullptr : vel_ref.data(), n, T(0.01),
                                    momentum, nesterov);
                    simd::sgd_update<Arch>(theta_simd.data(), g.data(), momentum == T(0) ? nullptr : vel_simd.data(),
                                           n, T(0.01), momentum, nesterov);
                }
                kt::check_close(theta_ref, theta_simd, tolerance<T>(), what + " sgd theta");
                kt::check_close(vel_ref, vel_simd, tolerance<T>(), what + " sgd velocity");
            }
        }
    }
}

// update() against update_range() over ranges that cut through vectors: every element takes
// the same instructions wherever it falls (tails are staged through the vector code), so the
// results are equal to the bit. Also against the pre-kernel formula, within tolerance.
template <class Optimizer, class T>
void check_ranges(const char* name) {
    const std::size_t n = 1001;
    constexpr int slots = Optimizer::slots;
    const std::string what = std::string(name) + " " + kt::type_name<T>();
    CAPTURE(what);
    auto theta_whole = kt::random_values<T>(n, 111), theta_split = theta_whole;
    std::vector<T> state_whole(static_cast<std::size_t>(slots) * n, T(0)), state_split = state_whole;
    T* const sw = slots ? state_whole.data() : nullptr;
    T* const ss = slots ? state_split.data() : nullptr;
    const std::size_t cuts[] = {0, 5, 17, 18, 333, 334, 1000, 1001};
    for (std::uint64_t step = 0; step < 4; ++step) {
        const auto g = kt::random_values<T>(n, 112 + step);
        Optimizer::update(theta_whole.data(), g.data(), sw, n, step);
        for (std::size_t k = 0; k + 1 < std::size(cuts); ++k)
            Optimizer::update_range(theta_split.data(), g.data(), ss, n, cuts[k], cuts[k + 1], step);
    }
    kt::check_equal(theta_whole, theta_split, what + " theta: update vs update_range");
    kt::check_equal(state_whole, state_split, what + " state: update vs update_range");
}

// Adam<>::update against the loop optimizers.hpp had before the kernels (tf.keras's formula).
template <class T>
void check_adam_formula() {
    const std::size_t n = 77;
    constexpr sn::AdamOptions o{};
    auto theta = kt::random_values<T>(n, 121), theta_expected = theta;
    std::vector<T> state(2 * n, T(0)), m(n, T(0)), v(n, T(0));
    for (std::uint64_t step = 0; step < 5; ++step) {
        const auto g = kt::random_values<T>(n, 122 + step);
        sn::Adam<>::update(theta.data(), g.data(), state.data(), n, step);
        const double t = static_cast<double>(step + 1);
        const T lr_t = static_cast<T>(static_cast<double>(o.learning_rate) *
                                      std::sqrt(1.0 - std::pow(static_cast<double>(o.beta_2), t)) /
                                      (1.0 - std::pow(static_cast<double>(o.beta_1), t)));
        const T b1 = T(o.beta_1), b2 = T(o.beta_2), eps = T(o.epsilon);
        for (std::size_t i = 0; i < n; ++i) {
            m[i] = b1 * m[i] + (T(1) - b1) * g[i];
            v[i] = b2 * v[i] + (T(1) - b2) * g[i] * g[i];
            theta_expected[i] -= lr_t * m[i] / (std::sqrt(v[i]) + eps);
        }
    }
    kt::check_close(theta_expected, theta, tolerance<T>(), std::string("Adam<>::update ") + kt::type_name<T>());
    kt::check_close(m, std::vector<T>(state.begin(), state.begin() + n), tolerance<T>(), "Adam<> m");
    kt::check_close(v, std::vector<T>(state.begin() + n, state.end()), tolerance<T>(), "Adam<> v");
}

}  // namespace

TEST_CASE_TEMPLATE("simd adam_update agrees with the reference", T, float, double) {
    kt::for_each_arch([]<class Arch>() { check_adam<Arch, T>(); });
}

TEST_CASE_TEMPLATE("simd sgd_update agrees with the reference", T, float, double) {
    kt::for_each_arch([]<class Arch>() { check_sgd<Arch, T>(); });
}

TEST_CASE_TEMPLATE("update_range over split ranges equals update", T, float, double) {
    check_ranges<sn::Adam<>, T>("Adam");
    check_ranges<sn::SGD<>, T>("SGD");
    check_ranges<sn::SGD<{.learning_rate = 0.1f, .momentum = 0.9f}>, T>("SGD momentum");
    check_ranges<sn::SGD<{.learning_rate = 0.1f, .momentum = 0.9f, .nesterov = true}>, T>("SGD nesterov");
}

TEST_CASE_TEMPLATE("Adam<>::update keeps tf.keras's formula", T, float, double) { check_adam_formula<T>(); }

TEST_CASE("update_range with an empty range changes nothing") {
    std::vector<float> theta{1, 2, 3}, g{1, 1, 1}, state(6, 0.0f);
    sn::Adam<>::update_range(theta.data(), g.data(), state.data(), 3, 2, 2, 0);
    CHECK(theta == std::vector<float>{1, 2, 3});
    CHECK(state == std::vector<float>(6, 0.0f));
}

TEST_CASE("simd optimizer kernels with compile-time counts (constant-folded loops build without warnings)") {
    constexpr std::size_t n = 31'850;
    auto theta_ref = kt::random_values<float>(n, 131), theta_simd = theta_ref;
    const auto g = kt::random_values<float>(n, 132);
    std::vector<float> m_ref(n), v_ref(n), m_simd(n), v_simd(n);
    ref::adam_update(theta_ref.data(), g.data(), m_ref.data(), v_ref.data(), n, 1e-3f, 0.9f, 0.999f, 1e-7f);
    simd::adam_update(theta_simd.data(), g.data(), m_simd.data(), v_simd.data(), n, 1e-3f, 0.9f, 0.999f, 1e-7f);
    kt::check_close(theta_ref, theta_simd, tolerance<float>(), "constant count adam");
    ref::sgd_update(theta_ref.data(), g.data(), m_ref.data(), n, 0.01f, 0.9f, true);
    simd::sgd_update(theta_simd.data(), g.data(), m_simd.data(), n, 0.01f, 0.9f, true);
    kt::check_close(theta_ref, theta_simd, tolerance<float>(), "constant count sgd");
}
