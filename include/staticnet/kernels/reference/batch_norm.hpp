// Reference BatchNormalization kernels over `rows` pixels of C channels (NHWC: channel last).
#pragma once
#include <cmath>
#include <cstddef>

namespace staticnet::kernels::reference {

// Per-channel sums over N*H*W rows (3,136 for the seed networks' first layers) are taken in
// blocks of this many rows, then the block sums are added: in float that keeps the rounding
// error near (block + rows / block) ulps instead of growing with rows, without needing double
// (which a Cortex-M4 only emulates).
inline constexpr std::size_t sum_block = 64;

// Phase kernels: the pieces of training-mode BN and its backward, for running BN over groups of
// rows (e.g. samples split across threads) and combining the per-group sums in a fixed order.
// Every sum is taken in blocks of `sum_block` rows, the block sums added in order; each
// overwrites its output. The whole-batch kernels below are made of them.

// sum[c] = sum over rows of x[r*C + c].
template <int C, class T>
void batch_norm_sums(const T* x, std::size_t rows, T* sum) {
    for (int c = 0; c < C; ++c) sum[c] = T(0);
    for (std::size_t r0 = 0; r0 < rows; r0 += sum_block) {
        const std::size_t r1 = r0 + sum_block < rows ? r0 + sum_block : rows;
        T part[C];
        for (int c = 0; c < C; ++c) part[c] = T(0);
        for (std::size_t r = r0; r < r1; ++r)
            for (int c = 0; c < C; ++c) part[c] += x[r * C + c];
        for (int c = 0; c < C; ++c) sum[c] += part[c];
    }
}

// sum[c] = sum over rows of (x[r*C + c] - mean[c])^2.
template <int C, class T>
void batch_norm_squared_deviation_sums(const T* x, std::size_t rows, const T* mean, T* sum) {
    for (int c = 0; c < C; ++c) sum[c] = T(0);
    for (std::size_t r0 = 0; r0 < rows; r0 += sum_block) {
        const std::size_t r1 = r0 + sum_block < rows ? r0 + sum_block : rows;
        T part[C];
        for (int c = 0; c < C; ++c) part[c] = T(0);
        for (std::size_t r = r0; r < r1; ++r)
            for (int c = 0; c < C; ++c) {
                const T d = x[r * C + c] - mean[c];
                part[c] += d * d;
            }
        for (int c = 0; c < C; ++c) sum[c] += part[c];
    }
}

// y = x * scale[c] + shift[c]. x may equal y.
template <int C, class T>
void batch_norm_affine(const T* x, T* y, std::size_t rows, const T* scale, const T* shift) {
    for (std::size_t r = 0; r < rows; ++r)
        for (int c = 0; c < C; ++c) y[r * C + c] = x[r * C + c] * scale[c] + shift[c];
}

// sum_g[c] = sum of gy; sum_gxhat[c] = sum of gy * xhat, xhat = (x - mean[c]) * inv_std[c].
template <int C, class T>
void batch_norm_backward_sums(const T* x, const T* gy, std::size_t rows, const T* mean, const T* inv_std,
                              T* sum_g, T* sum_gxhat) {
    for (int c = 0; c < C; ++c) sum_g[c] = sum_gxhat[c] = T(0);
    for (std::size_t r0 = 0; r0 < rows; r0 += sum_block) {
        const std::size_t r1 = r0 + sum_block < rows ? r0 + sum_block : rows;
        T part_g[C], part_gx[C];
        for (int c = 0; c < C; ++c) part_g[c] = part_gx[c] = T(0);
        for (std::size_t r = r0; r < r1; ++r)
            for (int c = 0; c < C; ++c) {
                const T g = gy[r * C + c];
                const T xh = (x[r * C + c] - mean[c]) * inv_std[c];
                part_g[c] += g;
                part_gx[c] += g * xh;
            }
        for (int c = 0; c < C; ++c) {
            sum_g[c] += part_g[c];
            sum_gxhat[c] += part_gx[c];
        }
    }
}

// gx = a[c] * (gy - mean_g[c] - xhat * mean_gxhat[c]), xhat = (x - mean[c]) * inv_std[c].
// gx may equal gy.
template <int C, class T>
void batch_norm_backward_input(const T* x, const T* gy, T* gx, std::size_t rows, const T* mean, const T* inv_std,
                               const T* a, const T* mean_g, const T* mean_gxhat) {
    for (std::size_t r = 0; r < rows; ++r)
        for (int c = 0; c < C; ++c) {
            const T xh = (x[r * C + c] - mean[c]) * inv_std[c];
            gx[r * C + c] = a[c] * (gy[r * C + c] - mean_g[c] - xh * mean_gxhat[c]);
        }
}

// From the batch mean and the sum of squared deviations (var, over `rows`; turned into the
// biased variance in place): saves mean and 1/sqrt(var + eps) for backward, the affine
// scale/shift that normalises, and updates the moving statistics the way tf.keras does (with
// the unbiased variance) unless moving_mean is null. saved_mean may be mean itself.
template <int C, class T>
void batch_norm_statistics(const T* mean, T* var, std::size_t rows, const T* gamma, const T* beta, T* moving_mean,
                           T* moving_var, T momentum, T eps, T* saved_mean, T* saved_inv_std, T* scale, T* shift) {
    const T inv_m = T(1) / static_cast<T>(rows);
    for (int c = 0; c < C; ++c) {
        var[c] *= inv_m;
        const T inv_std = T(1) / std::sqrt(var[c] + eps);
        saved_mean[c] = mean[c];
        saved_inv_std[c] = inv_std;
        scale[c] = gamma[c] * inv_std;
        shift[c] = beta[c] - mean[c] * scale[c];
        if (!moving_mean) continue;
        const T unbiased = rows > 1 ? var[c] * static_cast<T>(rows) / static_cast<T>(rows - 1) : var[c];
        moving_mean[c] -= (moving_mean[c] - mean[c]) * (T(1) - momentum);
        moving_var[c] -= (moving_var[c] - unbiased) * (T(1) - momentum);
    }
}

// The coefficients of the input gradient from the backward sums over `rows`: a = gamma *
// inv_std, mean_g = sum_g / rows, mean_gxhat = sum_gxhat / rows (as batch_norm_backward_input
// takes them).
template <int C, class T>
void batch_norm_backward_coefficients(const T* gamma, const T* inv_std, const T* sum_g, const T* sum_gxhat,
                                      std::size_t rows, T* a, T* mean_g, T* mean_gxhat) {
    const T inv_m = T(1) / static_cast<T>(rows);
    for (int c = 0; c < C; ++c) {
        a[c] = gamma[c] * inv_std[c];
        mean_g[c] = sum_g[c] * inv_m;
        mean_gxhat[c] = sum_gxhat[c] * inv_m;
    }
}

// The affine form of inference: scale = gamma / sqrt(var + eps), shift = beta - mean * scale.
template <int C, class T>
void batch_norm_inference_coefficients(const T* gamma, const T* beta, const T* mean, const T* var, T eps, T* scale,
                                       T* shift) {
    for (int c = 0; c < C; ++c) {
        scale[c] = gamma[c] / std::sqrt(var[c] + eps);
        shift[c] = beta[c] - mean[c] * scale[c];
    }
}

// Inference: y = gamma * (x - mean) / sqrt(var + eps) + beta. x may equal y.
template <int C, class T>
void batch_norm_inference(const T* x, T* y, std::size_t rows, const T* gamma, const T* beta,
                          const T* mean, const T* var, T eps) {
    T scale[C], shift[C];
    batch_norm_inference_coefficients<C>(gamma, beta, mean, var, eps, scale, shift);
    batch_norm_affine<C>(x, y, rows, scale, shift);
}

// Training: normalise with the batch mean and biased variance; saves mean and 1/sqrt(var+eps)
// for backward; updates the moving statistics the way tf.keras does (unbiased variance),
// unless moving_mean is null (a loss-only forward, e.g. for a gradient check).
template <int C, class T>
void batch_norm_training(const T* x, T* y, std::size_t rows, const T* gamma, const T* beta,
                         T* moving_mean, T* moving_var, T momentum, T eps, T* saved_mean,
                         T* saved_inv_std) {
    T mean[C], var[C];
    batch_norm_sums<C>(x, rows, mean);
    const T inv_m = T(1) / static_cast<T>(rows);
    for (int c = 0; c < C; ++c) mean[c] *= inv_m;
    batch_norm_squared_deviation_sums<C>(x, rows, mean, var);
    T scale[C], shift[C];
    batch_norm_statistics<C>(mean, var, rows, gamma, beta, moving_mean, moving_var, momentum, eps, saved_mean,
                             saved_inv_std, scale, shift);
    batch_norm_affine<C>(x, y, rows, scale, shift);
}

// Backward of training-mode BN. Overwrites ggamma, gbeta; writes gx when it is not null.
template <int C, class T>
void batch_norm_backward(const T* x, const T* gy, T* gx, std::size_t rows, const T* gamma,
                         const T* saved_mean, const T* saved_inv_std, T* ggamma, T* gbeta) {
    batch_norm_backward_sums<C>(x, gy, rows, saved_mean, saved_inv_std, gbeta, ggamma);
    if (!gx) return;
    T a[C], mg[C], mgx[C];
    batch_norm_backward_coefficients<C>(gamma, saved_inv_std, gbeta, ggamma, rows, a, mg, mgx);
    batch_norm_backward_input<C>(x, gy, gx, rows, saved_mean, saved_inv_std, a, mg, mgx);
}

}  // namespace staticnet::kernels::reference
