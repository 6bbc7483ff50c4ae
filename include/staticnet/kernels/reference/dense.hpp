// Reference Dense kernels: x (n, in) times kernel (in, out). Inner loops run over the output
// units with unit stride (vectorisable); the accumulator row is a compile-time-sized array.
#pragma once
#include <cstddef>

#include "../../core/shape.hpp"

namespace staticnet::kernels::reference {

// y = act(x k + b); act linear or relu (applied per element, as activate_inplace would).
template <int In, int Out, bool UseBias, ActivationFunction Act = ActivationFunction::linear, class T>
void dense_forward(const T* x, const T* k, const T* b, T* y, int n) {
    for (int s = 0; s < n; ++s) {
        const T* xs = x + static_cast<std::size_t>(s) * In;
        // alignas: g++ 12 at -O2 -march=native vectorises this loop with aligned stores to the
        // array and crashed when the stack gave it less than 64-byte alignment (double, Out = 10).
        alignas(64) T acc[Out > 0 ? Out : 1];
        for (int o = 0; o < Out; ++o) acc[o] = UseBias ? b[o] : T(0);
        for (int i = 0; i < In; ++i) {
            const T a = xs[i];
            const T* kr = k + static_cast<std::size_t>(i) * Out;
            for (int o = 0; o < Out; ++o) acc[o] += a * kr[o];
        }
        T* ys = y + static_cast<std::size_t>(s) * Out;
        if constexpr (Act == ActivationFunction::relu)
            for (int o = 0; o < Out; ++o) ys[o] = acc[o] <= T(0) ? T(0) : acc[o];
        else
            for (int o = 0; o < Out; ++o) ys[o] = acc[o];
    }
}

// Overwrites gk (in, out) and gb (out) with the gradients for dL/dz = gz (n, out).
template <int In, int Out, bool UseBias, class T>
void dense_backward_params(const T* x, const T* gz, T* gk, T* gb, int n) {
    for (std::size_t i = 0; i < static_cast<std::size_t>(In) * Out; ++i) gk[i] = T(0);
    if (UseBias)
        for (int o = 0; o < Out; ++o) gb[o] = T(0);
    for (int s = 0; s < n; ++s) {
        const T* xs = x + static_cast<std::size_t>(s) * In;
        const T* gs = gz + static_cast<std::size_t>(s) * Out;
        if (UseBias)
            for (int o = 0; o < Out; ++o) gb[o] += gs[o];
        for (int i = 0; i < In; ++i) {
            const T a = xs[i];
            T* kr = gk + static_cast<std::size_t>(i) * Out;
            for (int o = 0; o < Out; ++o) kr[o] += a * gs[o];
        }
    }
}

// gx (n, in) = gz (n, out) times kernel^T; kt is scratch for the transposed kernel (out, in).
template <int In, int Out, class T>
void dense_backward_input(const T* k, const T* gz, T* gx, T* kt, int n) {
    for (int i = 0; i < In; ++i)
        for (int o = 0; o < Out; ++o)
            kt[static_cast<std::size_t>(o) * In + i] = k[static_cast<std::size_t>(i) * Out + o];
    for (int s = 0; s < n; ++s) {
        T* xs = gx + static_cast<std::size_t>(s) * In;
        const T* gs = gz + static_cast<std::size_t>(s) * Out;
        for (int i = 0; i < In; ++i) xs[i] = T(0);
        for (int o = 0; o < Out; ++o) {
            const T g = gs[o];
            const T* kr = kt + static_cast<std::size_t>(o) * In;
            for (int i = 0; i < In; ++i) xs[i] += g * kr[i];
        }
    }
}

}  // namespace staticnet::kernels::reference
