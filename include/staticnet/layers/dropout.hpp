// Dropout: inverted dropout in training (keep with probability 1 - rate, scale by
// 1 / (1 - rate)); the identity at inference. Masks come from a counter-based generator keyed
// by (seed, layer position, step), so backward recomputes them instead of storing them.
#pragma once
#include <cstddef>

#include "../core/rng.hpp"
#include "layer.hpp"

namespace staticnet {

struct DropoutOptions {
    float rate = 0.0f;
};

template <DropoutOptions O>
struct Dropout : LayerDefaults {
    static constexpr DropoutOptions options = O;
    static constexpr const char* keras_class = "Dropout";
    static constexpr const char* keras_name = "dropout";
    static constexpr Problem check(Shape) {
        return (O.rate >= 0.0f && O.rate < 1.0f) ? Problem::none : Problem::dropout_rate_out_of_range;
    }
    static constexpr Shape output_shape(Shape in) { return in; }
    static constexpr bool in_place = true;

    template <Shape In, class T>
    static void forward(LayerContext<T>& ctx, const T* x, T* y, int n) {
        const std::size_t count = static_cast<std::size_t>(n) * In.size();
        if (!ctx.training || O.rate == 0.0f) {
            if (x != y)
                for (std::size_t i = 0; i < count; ++i) y[i] = x[i];
            return;
        }
        masked<In>(ctx, x, y, n);
    }
    template <Shape In, class T>
    static void backward(LayerContext<T>& ctx, const T*, const T*, T* gy, T* gx, int n) {
        if (!gx) return;
        const std::size_t count = static_cast<std::size_t>(n) * In.size();
        if (O.rate == 0.0f) {
            for (std::size_t i = 0; i < count; ++i) gx[i] = gy[i];
            return;
        }
        masked<In>(ctx, gy, gx, n);
    }

private:
    // Element i of the batch keeps its value (scaled) when dropout_keep(key, i): the mask is a
    // function of the element's index, so samples can be masked on any thread.
    template <class T>
    static void apply_mask(std::uint64_t key, const T* x, T* y, std::size_t begin, std::size_t end) {
        constexpr std::uint32_t threshold =
            check(Shape{}) == Problem::none ? dropout_threshold(static_cast<double>(O.rate)) : 0;
        const T scale = T(1) / (T(1) - T(O.rate));
        for (std::size_t i = begin; i < end; ++i) y[i] = dropout_keep(key, i, threshold) ? x[i] * scale : T(0);
    }
    template <Shape In, class T>
    static void masked(const LayerContext<T>& ctx, const T* x, T* y, int n) {
        constexpr std::size_t sample = In.size();
        ctx.par.for_each(n, [&](int s) {
            apply_mask(ctx.dropout_key, x, y, static_cast<std::size_t>(s) * sample, static_cast<std::size_t>(s + 1) * sample);
        });
    }
};

}  // namespace staticnet
