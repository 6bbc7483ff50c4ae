// BatchNormalization over the channel axis (Keras axis=-1). Training normalises with batch
// statistics and updates the moving ones; inference uses the moving statistics.
#pragma once
#include <cstddef>

#include <cmath>

#include "../kernels/reference/batch_norm.hpp"
#include "../kernels/simd/batch_norm.hpp"
#include "layer.hpp"

namespace staticnet {

struct BatchNormalizationOptions {
    float momentum = 0.99f;
    float epsilon = 1e-3f;
};

template <BatchNormalizationOptions O = BatchNormalizationOptions{}>
struct BatchNormalization {
    static constexpr BatchNormalizationOptions options = O;
    // TF 2.0's summary shows the v2 class name; the seed's tables print it that way.
    static constexpr const char* keras_class = "BatchNormalizationV2";
    static constexpr const char* keras_name = "batch_normalization_v2";

    static constexpr Problem check(Shape) {
        if (!(O.momentum >= 0.0f && O.momentum <= 1.0f)) return Problem::bn_momentum_out_of_range;
        if (!(O.epsilon > 0.0f)) return Problem::bn_epsilon_not_positive;
        return Problem::none;
    }
    static constexpr Shape output_shape(Shape in) { return in; }
    static constexpr ParamSpecs params(Shape in) {
        const auto c = static_cast<std::size_t>(in.c);
        ParamSpecs p;
        p.items[0] = {"gamma", c, true, Init::ones, 0, 0};
        p.items[1] = {"beta", c, true, Init::zeros, 0, 0};
        p.items[2] = {"moving_mean", c, false, Init::zeros, 0, 0};
        p.items[3] = {"moving_variance", c, false, Init::ones, 0, 0};
        p.count = 4;
        return p;
    }
    static constexpr std::size_t macs(Shape) { return 0; }
    // Training scratch: the batch mean and 1/sqrt(var + eps) kept for backward; on the SIMD path
    // also per-group channel sums (two sets) and three per-channel coefficient rows.
    static constexpr std::size_t state_size(Shape in) {
        const std::size_t c = to_size(in.c);
        return mul_sizes(STATICNET_HAS_XSIMD ? 5 + 2 * to_size(max_sample_groups) : 2, c);
    }
    static constexpr bool in_place = true;
    static constexpr ActivationFunction output_activation = ActivationFunction::linear;
    static constexpr bool backward_needs_input = true;
    static constexpr bool backward_needs_output = false;

    template <Shape In, class T>
    static void forward(LayerContext<T>& ctx, const T* x, T* y, int n) {
        const std::size_t rows = static_cast<std::size_t>(n) * In.h * In.w;
        if constexpr (!simd_path<T>) {
            if (ctx.training)
                kernels::reference::batch_norm_training<In.c>(
                    x, y, rows, ctx.param[0], ctx.param[1], ctx.update_statistics ? ctx.param[2] : nullptr,
                    ctx.update_statistics ? ctx.param[3] : nullptr, T(O.momentum), T(O.epsilon), ctx.state,
                    ctx.state + In.c);
            else
                kernels::reference::batch_norm_inference<In.c>(x, y, rows, ctx.param[0], ctx.param[1], ctx.param[2],
                                                               ctx.param[3], T(O.epsilon));
        } else if (!ctx.training) {
            constexpr std::size_t sample = In.size(), sample_rows = static_cast<std::size_t>(In.h) * In.w;
            ctx.par.for_each(n, [&](int s) {
                kernels::simd::batch_norm_inference<In.c>(x + s * sample, y + s * sample, sample_rows, ctx.param[0],
                                                          ctx.param[1], ctx.param[2], ctx.param[3], T(O.epsilon));
            });
        } else {
            training_forward<In>(ctx, x, y, n, rows);
        }
    }

    template <Shape In, class T>
    static void backward(LayerContext<T>& ctx, const T* x, const T*, T* gy, T* gx, int n) {
        const std::size_t rows = static_cast<std::size_t>(n) * In.h * In.w;
        if constexpr (!simd_path<T>) {
            kernels::reference::batch_norm_backward<In.c>(x, gy, gx, rows, ctx.param[0], ctx.state, ctx.state + In.c,
                                                          ctx.grad[0], ctx.grad[1]);
        } else {
            constexpr int C = In.c;
            constexpr std::size_t sample = In.size(), sample_rows = static_cast<std::size_t>(In.h) * In.w;
            const Scratch<T> st(ctx.state, C);
            const SampleGroups groups = sample_groups(n);
            ctx.par.for_each(groups.count, [&](int g) {
                const std::size_t at = static_cast<std::size_t>(groups.begin(g)) * sample;
                kernels::simd::batch_norm_backward_sums<C>(x + at, gy + at, groups.samples(g) * sample_rows, st.mean,
                                                           st.inv_std, st.sums + g * C, st.sums2 + g * C);
            });
            T* sum_g = ctx.grad[1];    // d/dbeta
            T* sum_gx = ctx.grad[0];   // d/dgamma
            add_groups<C>(st.sums, groups.count, sum_g);
            add_groups<C>(st.sums2, groups.count, sum_gx);
            if (!gx) return;
            kernels::reference::batch_norm_backward_coefficients<C>(ctx.param[0], st.inv_std, sum_g, sum_gx, rows,
                                                                     st.a, st.b, st.d);
            ctx.par.for_each(n, [&](int s) {
                kernels::simd::batch_norm_backward_input<C>(x + s * sample, gy + s * sample, gx + s * sample, sample_rows,
                                                            st.mean, st.inv_std, st.a, st.b, st.d);
            });
        }
    }

private:
    // The SIMD path's view of the layer scratch (state_size).
    template <class T>
    struct Scratch {
        T *mean, *inv_std, *sums, *sums2, *a, *b, *d;
        Scratch(T* s, int c) {
            const auto cs = static_cast<std::size_t>(c), gc = static_cast<std::size_t>(max_sample_groups) * cs;
            mean = s;
            inv_std = s + cs;
            sums = s + 2 * cs;
            sums2 = sums + gc;
            a = sums2 + gc;
            b = a + cs;
            d = b + cs;
        }
    };

    // out[c] = sum over groups, in group order, of part[g * C + c].
    template <int C, class T>
    static void add_groups(const T* part, int groups, T* out) {
        for (int c = 0; c < C; ++c) out[c] = part[c];
        for (int g = 1; g < groups; ++g)
            for (int c = 0; c < C; ++c) out[c] += part[static_cast<std::size_t>(g) * C + c];
    }

    // Batch statistics over the groups (two passes, as the reference), the moving statistics
    // updated as tf.keras does, then y = x * scale + shift.
    template <Shape In, class T>
    static void training_forward(LayerContext<T>& ctx, const T* x, T* y, int n, std::size_t rows) {
        constexpr int C = In.c;
        constexpr std::size_t sample = In.size(), sample_rows = static_cast<std::size_t>(In.h) * In.w;
        const Scratch<T> st(ctx.state, C);
        const SampleGroups groups = sample_groups(n);
        ctx.par.for_each(groups.count, [&](int g) {
            kernels::simd::batch_norm_sums<C>(x + static_cast<std::size_t>(groups.begin(g)) * sample,
                                              groups.samples(g) * sample_rows, st.sums + g * C);
        });
        const T inv_m = T(1) / static_cast<T>(rows);
        add_groups<C>(st.sums, groups.count, st.mean);
        for (int c = 0; c < C; ++c) st.mean[c] *= inv_m;
        ctx.par.for_each(groups.count, [&](int g) {
            kernels::simd::batch_norm_squared_deviation_sums<C>(x + static_cast<std::size_t>(groups.begin(g)) * sample,
                                                                groups.samples(g) * sample_rows, st.mean,
                                                                st.sums2 + g * C);
        });
        T* var = st.a;
        add_groups<C>(st.sums2, groups.count, var);
        // st.b, st.d: the scale and shift that normalise.
        kernels::reference::batch_norm_statistics<C>(st.mean, var, rows, ctx.param[0], ctx.param[1],
                                                     ctx.update_statistics ? ctx.param[2] : nullptr,
                                                     ctx.update_statistics ? ctx.param[3] : nullptr, T(O.momentum),
                                                     T(O.epsilon), st.mean, st.inv_std, st.b, st.d);
        ctx.par.for_each(n, [&](int s) {
            kernels::simd::batch_norm_affine<C>(x + s * sample, y + s * sample, sample_rows, st.b, st.d);
        });
    }

};

}  // namespace staticnet
