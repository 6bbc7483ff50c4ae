// Optimizers, with tf.keras's defaults and update formulas. Each declares how many state
// slots (arrays as long as the trainable parameters) it needs; the model sizes them at
// compile time. `step` is the number of updates already applied (Keras's iterations).
// The options' learning_rate is the initial one: update/update_range take the current learning
// rate as an argument (a Model keeps it and lets it change at run time: set_learning_rate and the
// schedules in desktop/schedules.hpp); without it they use the compile-time value.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "../kernels/simd/optimizer.hpp"

namespace staticnet {

struct AdamOptions {
    float learning_rate = 0.001f;
    float beta_1 = 0.9f;
    float beta_2 = 0.999f;
    float epsilon = 1e-7f;
};

template <AdamOptions O = AdamOptions{}>
struct Adam {
    // NaN fails every comparison, so it fails these too.
    static_assert(O.learning_rate > 0.0f && O.learning_rate < 1e30f,
                  "staticnet: Adam learning_rate must be a positive number (set .learning_rate = 0.001f, say)");
    static_assert(O.beta_1 >= 0.0f && O.beta_1 < 1.0f, "staticnet: Adam beta_1 must be in [0, 1) (Keras's default: 0.9f)");
    static_assert(O.beta_2 >= 0.0f && O.beta_2 < 1.0f,
                  "staticnet: Adam beta_2 must be in [0, 1) (Keras's default: 0.999f)");
    static_assert(O.epsilon > 0.0f && O.epsilon < 1e30f,
                  "staticnet: Adam epsilon must be a positive number (Keras's default: 1e-7f)");
    static constexpr AdamOptions options = O;
    static constexpr int slots = 2;  // m, v
    static constexpr const char* name = "Adam";

    // lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t), t = step + 1;
    // m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; theta -= lr_t m / (sqrt(v) + eps).
    template <class T>
    static void update(T* theta, const T* g, T* state, std::size_t count, std::uint64_t step,
                       float learning_rate = O.learning_rate) {
        update_range(theta, g, state, count, 0, count, step, learning_rate);
    }

    // The same update for elements [begin, end) only (state layout unchanged: m = state,
    // v = state + count), so that disjoint ranges can be updated independently.
    template <class T>
    static void update_range(T* theta, const T* g, T* state, std::size_t count, std::size_t begin,
                             std::size_t end, std::uint64_t step, float learning_rate = O.learning_rate) {
        if (end <= begin) return;
        const double t = static_cast<double>(step + 1);
        const double b1 = static_cast<double>(O.beta_1), b2 = static_cast<double>(O.beta_2);
        const T lr_t = static_cast<T>(static_cast<double>(learning_rate) * std::sqrt(1.0 - std::pow(b2, t)) /
                                      (1.0 - std::pow(b1, t)));
        T* m = state;
        T* v = state + count;
        kernels::simd::adam_update(theta + begin, g + begin, m + begin, v + begin, end - begin, lr_t, T(O.beta_1),
                                   T(O.beta_2), T(O.epsilon));
    }
};

struct SGDOptions {
    float learning_rate = 0.01f;
    float momentum = 0.0f;
    bool nesterov = false;
};

// Keras SGD: velocity = momentum * velocity - lr * g; theta += velocity, or with Nesterov
// theta += momentum * velocity - lr * g.
template <SGDOptions O = SGDOptions{}>
struct SGD {
    static_assert(O.learning_rate > 0.0f && O.learning_rate < 1e30f,
                  "staticnet: SGD learning_rate must be a positive number (set .learning_rate = 0.01f, say)");
    static_assert(O.momentum >= 0.0f && O.momentum < 1.0f,
                  "staticnet: SGD momentum must be in [0, 1) (0 = plain SGD; 0.9f is common)");
    static constexpr SGDOptions options = O;
    static constexpr int slots = O.momentum != 0.0f ? 1 : 0;
    static constexpr const char* name = "SGD";

    template <class T>
    static void update(T* theta, const T* g, T* state, std::size_t count, std::uint64_t step,
                       float learning_rate = O.learning_rate) {
        update_range(theta, g, state, count, 0, count, step, learning_rate);
    }

    // The same update for elements [begin, end) only (velocity = state when slots == 1).
    template <class T>
    static void update_range(T* theta, const T* g, T* state, std::size_t /*count*/, std::size_t begin,
                             std::size_t end, std::uint64_t /*step*/, float learning_rate = O.learning_rate) {
        if (end <= begin) return;
        const T lr = T(learning_rate), mu = T(O.momentum);
        T* velocity = slots == 0 ? nullptr : state + begin;
        kernels::simd::sgd_update(theta + begin, g + begin, velocity, end - begin, lr, slots == 0 ? T(0) : mu,
                                  O.nesterov);
    }
};

}  // namespace staticnet
