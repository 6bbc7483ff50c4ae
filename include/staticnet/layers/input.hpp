// Input<H, W, C>: the first element of every Sequential; declares the per-sample shape.
#pragma once
#include <type_traits>

#include "layer.hpp"

namespace staticnet {

template <int H, int W, int C>
struct Input : LayerDefaults {
    static constexpr const char* keras_class = "InputLayer";
    static constexpr const char* keras_name = "input";
    static constexpr Shape shape{H < 1 ? 1 : H, W < 1 ? 1 : W, C < 1 ? 1 : C, 3};
    static constexpr bool dims_ok = H >= 1 && W >= 1 && C >= 1;
    // Anywhere but position 0 an Input is a mistake.
    static constexpr Problem check(Shape) { return Problem::input_not_first; }
    static constexpr Shape output_shape(Shape in) { return in; }
    template <Shape In, class T>
    static void forward(LayerContext<T>&, const T*, T*, int) {}
    template <Shape In, class T>
    static void backward(LayerContext<T>&, const T*, const T*, T*, T*, int) {}
};

template <class L>
struct is_input : std::false_type {};
template <int H, int W, int C>
struct is_input<Input<H, W, C>> : std::true_type {};

}  // namespace staticnet
