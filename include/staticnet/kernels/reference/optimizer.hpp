// Reference optimizer kernels: one pass over `count` parameters, with the update formulas of
// tf.keras (the step-dependent factors are computed by the optimizer, train/optimizers.hpp).
#pragma once
#include <cmath>
#include <cstddef>

namespace staticnet::kernels::reference {

// Adam with the bias correction folded into lr_t:
// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; theta -= lr_t m / (sqrt(v) + eps).
template <class T>
void adam_update(T* theta, const T* g, T* m, T* v, std::size_t count, T lr_t, T beta_1, T beta_2, T epsilon) {
    const T one_minus_b1 = T(1) - beta_1, one_minus_b2 = T(1) - beta_2;
    for (std::size_t i = 0; i < count; ++i) {
        m[i] = beta_1 * m[i] + one_minus_b1 * g[i];
        v[i] = beta_2 * v[i] + one_minus_b2 * g[i] * g[i];
        theta[i] -= lr_t * m[i] / (std::sqrt(v[i]) + epsilon);
    }
}

// Keras SGD: theta -= lr g without momentum (velocity may be null); with momentum
// velocity = momentum velocity - lr g; theta += velocity, or with Nesterov
// theta += momentum velocity - lr g.
template <class T>
void sgd_update(T* theta, const T* g, T* velocity, std::size_t count, T lr, T momentum, bool nesterov) {
    if (momentum == T(0)) {
        for (std::size_t i = 0; i < count; ++i) theta[i] -= lr * g[i];
        return;
    }
    for (std::size_t i = 0; i < count; ++i) {
        velocity[i] = momentum * velocity[i] - lr * g[i];
        theta[i] += nesterov ? momentum * velocity[i] - lr * g[i] : velocity[i];
    }
}

}  // namespace staticnet::kernels::reference
