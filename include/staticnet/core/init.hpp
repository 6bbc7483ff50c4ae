// Keras's default initialisers over a flat parameter array.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "rng.hpp"
#include "shape.hpp"

namespace staticnet::detail {

// Glorot uniform U(-l, l), l = sqrt(6 / (fan_in + fan_out)); zeros; ones. One random stream
// per tensor, derived from the seed and the tensor's place, so adding a layer at the end does
// not change the earlier layers' weights.
template <class Net, class T>
void initialize_parameters(T* params, std::uint64_t seed) {
    for (int p = 0; p < Net::depth; ++p) {
        const auto& specs = Net::param_specs[p];
        for (int k = 0; k < specs.count; ++k) {
            const ParamSpec& s = specs.items[k];
            T* dst = params + Net::param_slots[p][k].offset;
            Rng rng(mix64(seed ^ (static_cast<std::uint64_t>(p) << 32 | static_cast<std::uint64_t>(k))));
            const double limit =
                s.fan_in + s.fan_out > 0 ? std::sqrt(6.0 / static_cast<double>(s.fan_in + s.fan_out)) : 0.0;
            for (std::size_t i = 0; i < s.size; ++i) {
                switch (s.init) {
                    case Init::zeros: dst[i] = T(0); break;
                    case Init::ones: dst[i] = T(1); break;
                    case Init::glorot_uniform: dst[i] = static_cast<T>((2.0 * rng.uniform() - 1.0) * limit); break;
                }
            }
        }
    }
}

// Finds tensor `name` of position p; returns its slot index or -1.
template <class Net>
constexpr int find_param(int position, const char* name, std::size_t name_len) {
    if (position < 0 || position >= Net::depth) return -1;
    const auto& specs = Net::param_specs[position];
    for (int k = 0; k < specs.count; ++k) {
        const char* s = specs.items[k].name;
        std::size_t i = 0;
        while (i < name_len && s[i] != '\0' && s[i] == name[i]) ++i;
        if (i == name_len && s[i] == '\0') return k;
    }
    return -1;
}

}  // namespace staticnet::detail
