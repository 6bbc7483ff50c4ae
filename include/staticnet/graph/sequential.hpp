// Sequential<Input<...>, Layer...>: a network as one type. Everything here is constexpr:
// shapes, parameter layout and counts, MACs, and the inference and training memory plans.
#pragma once
#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../core/shape.hpp"
#include "../layers/input.hpp"
#include "../layers/layer.hpp"
#include "diagnostics.hpp"
#include "memory_plan.hpp"

namespace staticnet {

namespace detail {
template <class L>
struct input_shape_of {
    static constexpr Shape value{1, 1, 1, 3};
};
template <int H, int W, int C>
struct input_shape_of<Input<H, W, C>> {
    static constexpr Shape value = Input<H, W, C>::shape;
    static constexpr bool ok = input_check<H, W, C>::ok;
};
}  // namespace detail

template <class First, class... Layers>
struct Sequential {
    using layer_types = std::tuple<First, Layers...>;
    template <int P>
    using layer = std::tuple_element_t<static_cast<std::size_t>(P), layer_types>;

    static constexpr int depth = 1 + static_cast<int>(sizeof...(Layers));  // positions 0..depth-1
    static constexpr int layer_count = static_cast<int>(sizeof...(Layers));
    static constexpr bool starts_with_input = is_input<First>::value;
    static constexpr Shape input_shape = detail::input_shape_of<First>::value;

    // shapes[p]: the per-sample output shape of position p (shapes[0]: the input).
    static constexpr std::array<Shape, depth> shapes = [] {
        std::array<Shape, depth> s{};
        s[0] = input_shape;
        int p = 1;
        ((s[p] = Layers::output_shape(s[p - 1]), ++p), ...);
        return s;
    }();
    static constexpr Shape output_shape = shapes[depth - 1];

    static constexpr std::array<Problem, depth> problems = [] {
        std::array<Problem, depth> r{};
        int p = 1;
        bool failed = false;  // after the first problem the shapes are made up: report that one only
        ((r[p] = failed ? Problem::none : Layers::check(shapes[p - 1]), failed = failed || r[p] != Problem::none,
          ++p),
         ...);
        return r;
    }();

private:
    template <std::size_t... I>
    static constexpr bool diagnose(std::index_sequence<I...>) {
        return (detail::layer_check<static_cast<int>(I) + 1, layer<static_cast<int>(I) + 1>, shapes[I],
                                    problems[I + 1]>::ok &&
                ... && true);
    }
    static constexpr bool check_structure() {
        if constexpr (!detail::sequential_check<starts_with_input>::ok) {
            return false;
        } else if constexpr (starts_with_input) {
            return detail::input_shape_of<First>::ok && detail::depth_check<(layer_count > 0)>::ok &&
                   diagnose(std::make_index_sequence<sizeof...(Layers)>{});
        } else {
            return true;
        }
    }

public:
    static constexpr bool valid = check_structure();
    // True when the network has no structural problem at all (later checks, such as Model's
    // loss check, stay quiet otherwise so the first error is the only one).
    static constexpr bool well_formed = [] {
        if constexpr (!starts_with_input || sizeof...(Layers) == 0) {
            return false;
        } else {
            if (!First::dims_ok) return false;
            for (auto q : problems)
                if (q != Problem::none) return false;
            return true;
        }
    }();
    static_assert(valid);

    // ---- parameters -------------------------------------------------------------------
    // A network with a structural problem has no parameters, MACs or scratch: its made-up sizes
    // (a negative filter count, say) would only add array-size errors after the one message.
    static constexpr std::array<ParamSpecs, depth> param_specs = [] {
        std::array<ParamSpecs, depth> r{};
        if (!well_formed) return r;
        int p = 1;
        ((r[p] = Layers::params(shapes[p - 1]), ++p), ...);
        return r;
    }();

    static constexpr ParamCounts params = [] {
        ParamCounts c;
        for (const auto& specs : param_specs) {
            c.total = add_sizes(c.total, specs.total());
            c.trainable = add_sizes(c.trainable, specs.trainable());
        }
        c.non_trainable = c.total - c.trainable;
        return c;
    }();

    // param_slots[p][k]: where tensor k of position p lives in the flat parameter array.
    static constexpr std::array<std::array<ParamSlot, ParamSpecs::capacity>, depth> param_slots = [] {
        std::array<std::array<ParamSlot, ParamSpecs::capacity>, depth> r{};
        std::size_t trainable_at = 0;
        std::size_t frozen_at = params.trainable;
        for (int p = 0; p < depth; ++p)
            for (int k = 0; k < param_specs[p].count; ++k) {
                const auto& s = param_specs[p].items[k];
                std::size_t& at = s.trainable ? trainable_at : frozen_at;
                r[p][k] = ParamSlot{at, s.size, s.trainable};
                at = add_sizes(at, s.size);
            }
        return r;
    }();

    static constexpr std::array<std::size_t, depth> macs = [] {
        std::array<std::size_t, depth> r{};
        if (!well_formed) return r;
        int p = 1;
        ((r[p] = Layers::macs(shapes[p - 1]), ++p), ...);
        return r;
    }();
    static constexpr std::size_t macs_per_sample = [] {
        std::size_t s = 0;
        for (auto m : macs) s = add_sizes(s, m);
        return s;
    }();

    // Training-only per-layer scratch (saved batch statistics, transposed kernels).
    static constexpr std::array<std::size_t, depth + 1> state_offsets = [] {
        std::array<std::size_t, depth + 1> r{};
        std::array<std::size_t, depth> sizes{};
        int p = 1;
        if (well_formed) ((sizes[p] = Layers::state_size(shapes[p - 1]), ++p), ...);
        for (int i = 0; i < depth; ++i) r[i + 1] = add_sizes(r[i], sizes[i]);
        return r;
    }();
    static constexpr std::size_t state_size = state_offsets[depth];

    static constexpr ActivationFunction output_activation = layer<depth - 1>::output_activation;

    // ---- memory plans -----------------------------------------------------------------
    template <class T>
    static constexpr std::size_t alignment = 64 / sizeof(T) > 0 ? 64 / sizeof(T) : 1;

    template <int P>
    static constexpr bool in_place_at = layer<P>::in_place;

    static constexpr std::array<bool, depth> in_place_inference = [] {
        std::array<bool, depth> r{};
        int p = 1;
        ((r[p] = Layers::in_place, ++p), ...);
        return r;
    }();
    static constexpr std::array<bool, depth> needs_input = [] {
        std::array<bool, depth> r{};
        int p = 1;
        ((r[p] = Layers::backward_needs_input, ++p), ...);
        return r;
    }();
    static constexpr std::array<bool, depth> needs_output = [] {
        std::array<bool, depth> r{};
        int p = 1;
        ((r[p] = Layers::backward_needs_output, ++p), ...);
        return r;
    }();

    // Inference: tensor p (the output of position p) is written at step p and read at step
    // p + 1 (the last one by the caller). A layer that may run in place shares its input's
    // buffer: that buffer's lifetime grows and the aliased entry has size 0.
    // buffer_of[p] is the plan entry holding tensor p.
    static constexpr std::array<int, depth> inference_buffer_of = [] {
        std::array<int, depth> r{};
        for (int p = 0; p < depth; ++p) r[p] = (p > 0 && in_place_inference[p]) ? r[p - 1] : p;
        return r;
    }();

    // Entries depth..2*depth-1: layer p's inference scratch (inference_scratch_size), alive
    // while layer p runs (step p); size 0 for layers without.
    template <class L, Shape In, class T>
    static constexpr std::size_t inference_scratch_of() {
        if constexpr (requires { L::template inference_scratch_size<In, T>(); })
            return L::template inference_scratch_size<In, T>();
        else
            return 0;
    }
    template <class T, std::size_t... I>
    static constexpr std::array<std::size_t, depth> inference_scratch_sizes(std::index_sequence<I...>) {
        std::array<std::size_t, depth> r{};
        if constexpr (well_formed) ((r[I + 1] = inference_scratch_of<layer<static_cast<int>(I) + 1>, shapes[I], T>()), ...);
        return r;
    }
    template <class T>
    static constexpr std::array<std::size_t, depth> inference_scratch =
        inference_scratch_sizes<T>(std::make_index_sequence<layer_count>{});

    template <int Batch, class T = float>
    static constexpr MemoryPlan<2 * depth> inference_plan() {
        std::array<BufferUse, 2 * depth> uses{};
        for (int p = 0; p < depth; ++p) {
            const int b = inference_buffer_of[p];
            if (b == p) uses[p] = BufferUse{mul_sizes(shapes[p].size(), to_size(Batch)), p, p + 1};
            else uses[b].last = p + 1;
            uses[depth + p] = BufferUse{inference_scratch<T>[static_cast<std::size_t>(p)], p, p};
        }
        return plan_memory(uses, alignment<T>);
    }

    // Training: forward of position p at step p, the loss at step L + 1, backward of position
    // p at step 2L + 2 - p. Entries 0..depth-1 are the activations (tensor p), entries
    // depth..2*depth-1 their gradients (gradient of tensor 0 is never needed: size 0).
    static constexpr int backward_step(int p) { return 2 * layer_count + 2 - p; }

    template <int Batch, class T = float>
    static constexpr MemoryPlan<2 * depth> training_plan() {
        constexpr int L = layer_count;
        std::array<BufferUse, 2 * depth> uses{};
        for (int p = 0; p < depth; ++p) {
            const std::size_t size = mul_sizes(shapes[p].size(), to_size(Batch));
            int last = p + 1;
            if (p + 1 < depth && needs_input[p + 1]) last = backward_step(p + 1);
            if (p > 0 && needs_output[p] && backward_step(p) > last) last = backward_step(p);
            uses[p] = BufferUse{size, p, last};
            if (p > 0) {
                const int first = (p == L) ? L + 1 : backward_step(p + 1);
                uses[depth + p] = BufferUse{size, first, backward_step(p)};
            }
        }
        return plan_memory(uses, alignment<T>);
    }
};

template <class Net>
inline constexpr bool is_sequential_v = false;
template <class... Ls>
inline constexpr bool is_sequential_v<Sequential<Ls...>> = true;

}  // namespace staticnet
