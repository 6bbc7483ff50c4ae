// xtensor views over staticnet buffers, for desktop code that wants array expressions on
// outputs, inputs or parameters. They adapt memory the model owns (no copy, no allocation):
// a view is valid as long as the span it came from.
// The core itself stays on raw pointers with compile-time sizes: that keeps it buildable for
// microcontrollers (where xtensor drags in iostream) and quick to compile.
#pragma once
#include <array>
#include <cstddef>
#include <span>
#include <xtensor/xadapt.hpp>

#include "../core/shape.hpp"

namespace staticnet {

// n samples of `shape` as an (n, h, w, c) tensor, or (n, c) when the shape is flat.
template <class T>
auto batch_view(std::span<T> data, Shape shape, int n) {
    const auto count = static_cast<std::size_t>(n) * shape.size();
    const std::array<std::size_t, 4> s4{static_cast<std::size_t>(n), static_cast<std::size_t>(shape.h),
                                        static_cast<std::size_t>(shape.w), static_cast<std::size_t>(shape.c)};
    return xt::adapt(data.data(), count, xt::no_ownership(), s4);
}

// Class scores of n samples as an (n, classes) matrix.
template <class T>
auto scores_view(std::span<T> data, int n, int classes) {
    const std::array<std::size_t, 2> s2{static_cast<std::size_t>(n), static_cast<std::size_t>(classes)};
    return xt::adapt(data.data(), s2[0] * s2[1], xt::no_ownership(), s2);
}

}  // namespace staticnet
