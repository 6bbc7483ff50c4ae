// Optimizers, with tf.keras's defaults and update formulas. Each declares how many state
// slots (arrays as long as the trainable parameters) it needs; the model sizes them at
// compile time. `step` is the number of updates already applied (Keras's iterations).
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace staticnet {

struct AdamOptions {
    float learning_rate = 0.001f;
    float beta_1 = 0.9f;
    float beta_2 = 0.999f;
    float epsilon = 1e-7f;
};

template <AdamOptions O = AdamOptions{}>
struct Adam {
    static constexpr AdamOptions options = O;
    static constexpr int slots = 2;  // m, v
    static constexpr const char* name = "Adam";

    // lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t), t = step + 1;
    // m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; theta -= lr_t m / (sqrt(v) + eps).
    template <class T>
    static void update(T* theta, const T* g, T* state, std::size_t count, std::uint64_t step) {
        const double t = static_cast<double>(step + 1);
        const double b1 = static_cast<double>(O.beta_1), b2 = static_cast<double>(O.beta_2);
        const T lr_t = static_cast<T>(static_cast<double>(O.learning_rate) * std::sqrt(1.0 - std::pow(b2, t)) /
                                      (1.0 - std::pow(b1, t)));
        const T beta_1 = T(O.beta_1), beta_2 = T(O.beta_2), eps = T(O.epsilon);
        const T one_minus_b1 = T(1) - beta_1, one_minus_b2 = T(1) - beta_2;
        T* m = state;
        T* v = state + count;
        for (std::size_t i = 0; i < count; ++i) {
            m[i] = beta_1 * m[i] + one_minus_b1 * g[i];
            v[i] = beta_2 * v[i] + one_minus_b2 * g[i] * g[i];
            theta[i] -= lr_t * m[i] / (std::sqrt(v[i]) + eps);
        }
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
    static constexpr SGDOptions options = O;
    static constexpr int slots = O.momentum != 0.0f ? 1 : 0;
    static constexpr const char* name = "SGD";

    template <class T>
    static void update(T* theta, const T* g, T* state, std::size_t count, std::uint64_t) {
        const T lr = T(O.learning_rate), mu = T(O.momentum);
        if constexpr (slots == 0) {
            for (std::size_t i = 0; i < count; ++i) theta[i] -= lr * g[i];
        } else {
            T* vel = state;
            for (std::size_t i = 0; i < count; ++i) {
                vel[i] = mu * vel[i] - lr * g[i];
                theta[i] += O.nesterov ? mu * vel[i] - lr * g[i] : vel[i];
            }
        }
    }
};

}  // namespace staticnet
