// Reshape (Keras): the same values in another shape, NHWC order kept (nothing moves; like
// Flatten it may run in place).
//   sn::Reshape<H, W, C>   Keras Reshape((H, W, C)): an (H, W, C) tensor
//   sn::Reshape<N>         Keras Reshape((N,)): a flat vector of N values (Dense may follow)
// One dimension may be -1, as in Keras: it is whatever makes the element count match
// (sn::Reshape<-1> is Flatten, sn::Reshape<7, 7, -1> keeps the channels of a 7x7xC input).
// The element count must equal the input's: a compile-time error otherwise, as is a target of
// another rank, a dimension of 0 or below -1, or more than one -1.
#pragma once
#include <cstddef>

#include "layer.hpp"

namespace staticnet {

template <int... Dims>
struct Reshape : LayerDefaults {
    static constexpr const char* keras_class = "Reshape";
    static constexpr const char* keras_name = "reshape";
    static constexpr int rank = static_cast<int>(sizeof...(Dims));
    static constexpr int dims[rank > 0 ? rank : 1] = {Dims...};

    // A target Keras would not take: not rank 1 or 3, a dimension 0 or below -1, two -1.
    static constexpr bool bad_target() {
        if (rank != 1 && rank != 3) return true;
        int unknown = 0;
        for (int i = 0; i < rank; ++i) {
            if (dims[i] == -1) ++unknown;
            else if (dims[i] <= 0) return true;
        }
        return unknown > 1;
    }
    // The target with its -1 resolved for an input of `count` values; rank 0 when no whole
    // number fits there. (A good target only.)
    static constexpr Shape target(std::size_t count) {
        int resolved[3] = {1, 1, 1};
        int unknown = -1;
        std::size_t known = 1;
        for (int i = 0; i < rank && i < 3; ++i) {
            resolved[i] = dims[i];
            if (dims[i] == -1) unknown = i;
            else known = mul_sizes(known, to_size(dims[i]));
        }
        if (unknown >= 0) {
            if (count % known != 0 || count / known == 0 || count / known > 2147483647u) return Shape{0, 0, 0, 0};
            resolved[unknown] = static_cast<int>(count / known);
        }
        return rank == 1 ? flat_shape(resolved[0]) : Shape{resolved[0], resolved[1], resolved[2], 3};
    }

    static constexpr Problem check(Shape in) {
        if (bad_target()) return Problem::reshape_bad_target;
        const Shape t = target(in.size());
        if (t.rank == 0 || t.size() != in.size()) return Problem::reshape_size_mismatch;
        return Problem::none;
    }
    static constexpr Shape output_shape(Shape in) {
        if (check(in) != Problem::none) return flat_shape(1);
        return target(in.size());
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
