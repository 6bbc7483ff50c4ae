// Flatten: (h, w, c) -> (h*w*c), NHWC order, so the data do not move at all.
#pragma once
#include <cstddef>

#include "layer.hpp"

namespace staticnet {

struct Flatten : LayerDefaults {
    static constexpr const char* keras_class = "Flatten";
    static constexpr const char* keras_name = "flatten";
    static constexpr std::size_t max_flat = 2147483647;  // the flat width is an int
    static constexpr Problem check(Shape in) {
        return in.size() > max_flat ? Problem::flat_size_too_large : Problem::none;
    }
    static constexpr Shape output_shape(Shape in) {
        return flat_shape(in.size() > max_flat ? 1 : static_cast<int>(in.size()));
    }
    static constexpr bool in_place = true;

    template <Shape In, class T>
    static void forward(LayerContext<T>&, const T* x, T* y, int n) {
        if (x == y) return;
        const std::size_t count = static_cast<std::size_t>(n) * In.size();
        for (std::size_t i = 0; i < count; ++i) y[i] = x[i];
    }
    template <Shape In, class T>
    static void backward(LayerContext<T>&, const T*, const T*, T* gy, T* gx, int n) {
        if (!gx || gx == gy) return;
        const std::size_t count = static_cast<std::size_t>(n) * In.size();
        for (std::size_t i = 0; i < count; ++i) gx[i] = gy[i];
    }
};

}  // namespace staticnet
