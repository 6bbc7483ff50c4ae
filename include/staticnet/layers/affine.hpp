// Affine: y = scale[c] * x + shift[c] per channel (the last axis). BatchNormalization's inference
// form: sn::inference_form<Net> (graph/inference_form.hpp) puts one where a BN (or a run of
// BNs) cannot be folded into a neighbouring Conv2D/Dense, with scale = gamma / sqrt(var + eps)
// and shift = beta - mean * scale, i.e. 2C parameters instead of BN's 4C.
//
// A full layer: forward runs BN's inference kernels (batch_norm_affine, the same reference and
// SIMD code), in place at inference like BN; backward gives dscale = sum gy * x,
// dshift = sum gy (BN's backward sums with mean 0 and inv_std 1, so xhat = (x - 0) * 1 = x
// exactly) and gx = gy * scale (the affine kernel with a zero shift). Both parameters are
// trainable (Keras initialisers: scale ones, shift zeros, i.e. the identity).
#pragma once
#include <cstddef>

#include "../kernels/reference/batch_norm.hpp"
#include "../kernels/simd/batch_norm.hpp"
#include "layer.hpp"

namespace staticnet {

struct Affine {
    static constexpr const char* keras_class = "Affine";
    static constexpr const char* keras_name = "affine";

    static constexpr Problem check(Shape) { return Problem::none; }
    static constexpr Shape output_shape(Shape in) { return in; }
    static constexpr ParamSpecs params(Shape in) {
        const auto c = static_cast<std::size_t>(in.c);
        ParamSpecs p;
        p.items[0] = {"scale", c, true, Init::ones, 0, 0};
        p.items[1] = {"shift", c, true, Init::zeros, 0, 0};
        p.count = 2;
        return p;
    }
    // Counted like BatchNormalization (whose inference form this is): no MACs.
    static constexpr std::size_t macs(Shape) { return 0; }
    // Training scratch on the SIMD path: per-sample-group partial sums of gy and gy * x.
    static constexpr std::size_t state_size(Shape in) {
        return STATICNET_HAS_XSIMD ? mul_sizes(2 * to_size(max_sample_groups), to_size(in.c)) : 0;
    }
    static constexpr bool in_place = true;
    static constexpr ActivationFunction output_activation = ActivationFunction::linear;
    static constexpr bool backward_needs_input = true;
    static constexpr bool backward_needs_output = false;

    // The same in training and at inference.
    template <Shape In, class T>
    static void forward(LayerContext<T>& ctx, const T* x, T* y, int n) {
        const T* scale = ctx.param[0];
        const T* shift = ctx.param[1];
        if constexpr (!simd_path<T>) {
            kernels::reference::batch_norm_affine<In.c>(x, y, static_cast<std::size_t>(n) * In.h * In.w, scale, shift);
        } else {
            constexpr std::size_t sample = In.size(), sample_rows = static_cast<std::size_t>(In.h) * In.w;
            ctx.par.for_each(n, [&](int s) {
                kernels::simd::batch_norm_affine<In.c>(x + s * sample, y + s * sample, sample_rows, scale, shift);
            });
        }
    }

    // Overwrites the gradients of scale and shift; writes gx unless it is null (gx may be gy).
    template <Shape In, class T>
    static void backward(LayerContext<T>& ctx, const T* x, const T*, T* gy, T* gx, int n) {
        constexpr int C = In.c;
        T zero[C], one[C];
        for (int c = 0; c < C; ++c) {
            zero[c] = T(0);
            one[c] = T(1);
        }
        if constexpr (!simd_path<T>) {
            const std::size_t rows = static_cast<std::size_t>(n) * In.h * In.w;
            kernels::reference::batch_norm_backward_sums<C>(x, gy, rows, zero, one, ctx.grad[1], ctx.grad[0]);
            if (gx) kernels::reference::batch_norm_affine<C>(gy, gx, rows, ctx.param[0], zero);
        } else {
            // Sums per sample group (fixed by n alone), added in group order: the same bits on
            // any number of threads.
            constexpr std::size_t sample = In.size(), sample_rows = static_cast<std::size_t>(In.h) * In.w;
            T* sums_g = ctx.state;
            T* sums_gx = ctx.state + static_cast<std::size_t>(max_sample_groups) * C;
            const SampleGroups groups = sample_groups(n);
            ctx.par.for_each(groups.count, [&](int g) {
                const std::size_t at = static_cast<std::size_t>(groups.begin(g)) * sample;
                kernels::simd::batch_norm_backward_sums<C>(x + at, gy + at, groups.samples(g) * sample_rows, zero, one,
                                                           sums_g + g * C, sums_gx + g * C);
            });
            add_groups<C>(sums_g, groups.count, ctx.grad[1]);
            add_groups<C>(sums_gx, groups.count, ctx.grad[0]);
            if (!gx) return;
            const T* scale = ctx.param[0];
            ctx.par.for_each(n, [&](int s) {
                kernels::simd::batch_norm_affine<C>(gy + s * sample, gx + s * sample, sample_rows, scale, zero);
            });
        }
    }

private:
    // out[c] = sum over groups, in group order, of part[g * C + c].
    template <int C, class T>
    static void add_groups(const T* part, int groups, T* out) {
        for (int c = 0; c < C; ++c) out[c] = part[c];
        for (int g = 1; g < groups; ++g)
            for (int c = 0; c < C; ++c) out[c] += part[static_cast<std::size_t>(g) * C + c];
    }
};

}  // namespace staticnet
