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
#include "blocks.hpp"
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

// The node types of a node list, and their inputs (graph/blocks.hpp).
template <class Nodes>
struct node_table;
template <class... Ns>
struct node_table<type_list<Ns...>> {
    using layers = std::tuple<typename Ns::layer...>;
    static constexpr int count = static_cast<int>(sizeof...(Ns));
};

// The positions a node reads (a layer: one; a join: one per branch; the Input: none).
struct NodeInputs {
    int count = 0;
    std::array<int, max_join_inputs> at{};
};

template <class Nodes>
struct node_inputs_of;
template <class... Ns>
struct node_inputs_of<type_list<Ns...>> {
    static constexpr std::array<NodeInputs, sizeof...(Ns)> value = [] {
        std::array<NodeInputs, sizeof...(Ns)> r{};
        std::size_t p = 0;
        (
            [&] {
                r[p].count = Ns::arity;
                for (int i = 0; i < Ns::arity; ++i) r[p].at[static_cast<std::size_t>(i)] = Ns::inputs[static_cast<std::size_t>(i)];
                ++p;
            }(),
            ...);
        return r;
    }();
};
}  // namespace detail

// Sequential<Input<H, W, C>, Item...>: the items are layers or blocks (graph/blocks.hpp). The
// network is the node list they flatten to: position 0 the Input, then every layer and join
// in an order where each node comes after the tensors it reads.
template <class First, class... Items>
struct Sequential {
    using nodes = detail::graph_nodes<First, Items...>;
    using layer_types = typename detail::node_table<nodes>::layers;
    template <int P>
    using layer = std::tuple_element_t<static_cast<std::size_t>(P), layer_types>;

    static constexpr int depth = detail::node_table<nodes>::count;  // positions 0..depth-1
    static constexpr int layer_count = depth - 1;
    static constexpr bool starts_with_input = is_input<First>::value;
    static constexpr Shape input_shape = detail::input_shape_of<First>::value;

    // inputs[p]: the positions node p reads.
    static constexpr std::array<detail::NodeInputs, depth> inputs = detail::node_inputs_of<nodes>::value;
    template <int P>
    static constexpr bool is_join = detail::join_layer<layer<P>>;
    // A plain chain: node p reads node p - 1 only (no blocks with branches).
    static constexpr bool is_chain = [] {
        for (int p = 1; p < depth; ++p)
            if (inputs[p].count != 1 || inputs[p].at[0] != p - 1) return false;
        return true;
    }();
    // readers: how many inputs of later nodes are tensor p, and the last node reading it
    // (depth for the network output: the caller reads it).
    static constexpr std::array<int, depth> reader_count = [] {
        std::array<int, depth> r{};
        for (int p = 1; p < depth; ++p)
            for (int i = 0; i < inputs[p].count; ++i) ++r[inputs[p].at[i]];
        return r;
    }();
    static constexpr std::array<int, depth> last_reader = [] {
        std::array<int, depth> r{};
        for (int p = 1; p < depth; ++p)
            for (int i = 0; i < inputs[p].count; ++i) r[inputs[p].at[i]] = p;
        r[depth - 1] = depth;
        return r;
    }();

private:
    template <int P>
    static constexpr std::array<Shape, layer<P>::arity> join_inputs_of(const std::array<Shape, depth>& s) {
        std::array<Shape, layer<P>::arity> r{};
        for (int i = 0; i < layer<P>::arity; ++i) r[static_cast<std::size_t>(i)] = s[inputs[P].at[i]];
        return r;
    }
    template <int P>
    static constexpr Shape node_shape(const std::array<Shape, depth>& s) {
        if constexpr (detail::join_layer<layer<P>>) return layer<P>::join_shape(join_inputs_of<P>(s).data());
        else return layer<P>::output_shape(s[inputs[P].at[0]]);
    }
    template <std::size_t... I>
    static constexpr std::array<Shape, depth> compute_shapes(std::index_sequence<I...>) {
        std::array<Shape, depth> s{};
        s[0] = input_shape;
        ((s[I + 1] = node_shape<static_cast<int>(I) + 1>(s)), ...);
        return s;
    }

public:
    // shapes[p]: the per-sample output shape of position p (shapes[0]: the input).
    static constexpr std::array<Shape, depth> shapes = compute_shapes(std::make_index_sequence<layer_count>{});
    static constexpr Shape output_shape = shapes[depth - 1];
    // input_shapes[p]: what node p reads (a join: its first input).
    static constexpr std::array<Shape, depth> input_shapes = [] {
        std::array<Shape, depth> r{};
        r[0] = input_shape;
        for (int p = 1; p < depth; ++p) r[p] = shapes[inputs[p].at[0]];
        return r;
    }();
    // The input shapes of join node P, in branch order.
    template <int P>
    static constexpr std::array<Shape, layer<P>::arity> join_inputs = join_inputs_of<P>(shapes);

private:
    template <int P>
    static constexpr Problem node_problem() {
        if constexpr (detail::join_layer<layer<P>>) return layer<P>::check_join(join_inputs<P>.data()).problem;
        else return layer<P>::check(input_shapes[P]);
    }
    template <std::size_t... I>
    static constexpr std::array<Problem, depth> compute_problems(std::index_sequence<I...>) {
        std::array<Problem, depth> r{};
        bool failed = false;  // after the first problem the shapes are made up: report that one only
        ((r[I + 1] = failed ? Problem::none : node_problem<static_cast<int>(I) + 1>(),
          failed = failed || r[I + 1] != Problem::none),
         ...);
        return r;
    }

public:
    static constexpr std::array<Problem, depth> problems = compute_problems(std::make_index_sequence<layer_count>{});

private:
    template <int P>
    static constexpr bool diagnose_one() {
        if constexpr (problems[P] == Problem::none) {
            return true;
        } else if constexpr (detail::join_layer<layer<P>>) {
            constexpr auto jp = layer<P>::check_join(join_inputs<P>.data());
            return detail::join_check<P, layer<P>::origin, jp.branch, join_inputs<P>[0],
                                      join_inputs<P>[static_cast<std::size_t>(jp.branch)], jp.problem>::ok;
        } else {
            return detail::layer_check<P, layer<P>, input_shapes[P], problems[P]>::ok;
        }
    }
    template <std::size_t... I>
    static constexpr bool diagnose(std::index_sequence<I...>) {
        return (diagnose_one<static_cast<int>(I) + 1>() && ... && true);
    }
    static constexpr bool check_structure() {
        if constexpr (!detail::sequential_check<starts_with_input>::ok) {
            return false;
        } else if constexpr (starts_with_input) {
            return detail::input_shape_of<First>::ok && detail::depth_check<(layer_count > 0)>::ok &&
                   diagnose(std::make_index_sequence<layer_count>{});
        } else {
            return true;
        }
    }

public:
    static constexpr bool valid = check_structure();
    // True when the network has no structural problem at all (later checks, such as Model's
    // loss check, stay quiet otherwise so the first error is the only one).
    static constexpr bool well_formed = [] {
        if constexpr (!starts_with_input || layer_count == 0) {
            return false;
        } else {
            if (!First::dims_ok) return false;
            for (auto q : problems)
                if (q != Problem::none) return false;
            return true;
        }
    }();
    static_assert(valid);

private:
    // A per-node property of the layer at its input shape, {} for the Input and when the network
    // has a structural problem (its made-up sizes, a negative filter count say, would only add
    // array-size errors after the one message).
    template <class R, class F, std::size_t... I>
    static constexpr std::array<R, depth> per_node(F f, std::index_sequence<I...>) {
        std::array<R, depth> r{};
        if constexpr (well_formed) ((r[I + 1] = f.template operator()<static_cast<int>(I) + 1>()), ...);
        return r;
    }

public:
    // ---- parameters -------------------------------------------------------------------
    static constexpr std::array<ParamSpecs, depth> param_specs = per_node<ParamSpecs>(
        []<int P>() { return layer<P>::params(input_shapes[P]); }, std::make_index_sequence<layer_count>{});

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

    static constexpr std::array<std::size_t, depth> macs = per_node<std::size_t>(
        []<int P>() { return layer<P>::macs(input_shapes[P]); }, std::make_index_sequence<layer_count>{});
    static constexpr std::size_t macs_per_sample = [] {
        std::size_t s = 0;
        for (auto m : macs) s = add_sizes(s, m);
        return s;
    }();

    // Training-only per-layer scratch (saved batch statistics, transposed kernels).
    static constexpr std::array<std::size_t, depth + 1> state_offsets = [] {
        const auto sizes = per_node<std::size_t>([]<int P>() { return layer<P>::state_size(input_shapes[P]); },
                                                 std::make_index_sequence<layer_count>{});
        std::array<std::size_t, depth + 1> r{};
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

    static constexpr std::array<bool, depth> in_place_layer = per_node<bool>(
        []<int P>() { return layer<P>::in_place; }, std::make_index_sequence<layer_count>{});
    static constexpr std::array<bool, depth> needs_input = per_node<bool>(
        []<int P>() { return layer<P>::backward_needs_input; }, std::make_index_sequence<layer_count>{});
    static constexpr std::array<bool, depth> needs_output = per_node<bool>(
        []<int P>() { return layer<P>::backward_needs_output; }, std::make_index_sequence<layer_count>{});

    // Inference: tensor p (the output of position p) is written at step p and read up to step
    // last_reader[p] (the network output by the caller, at step depth). A layer that may run in
    // place shares its input's buffer when it is that tensor's only reader: that buffer's
    // lifetime grows and the aliased entry has size 0. buffer_of[p] is the plan entry holding
    // tensor p.
    static constexpr std::array<bool, depth> in_place_inference = [] {
        std::array<bool, depth> r{};
        for (int p = 1; p < depth; ++p)
            r[p] = in_place_layer[p] && inputs[p].count == 1 && reader_count[inputs[p].at[0]] == 1;
        return r;
    }();
    static constexpr std::array<int, depth> inference_buffer_of = [] {
        std::array<int, depth> r{};
        for (int p = 0; p < depth; ++p) r[p] = (p > 0 && in_place_inference[p]) ? r[inputs[p].at[0]] : p;
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
    template <class T>
    static constexpr std::array<std::size_t, depth> inference_scratch = per_node<std::size_t>(
        []<int P>() { return inference_scratch_of<layer<P>, input_shapes[P], T>(); },
        std::make_index_sequence<layer_count>{});

    template <int Batch, class T = float>
    static constexpr MemoryPlan<2 * depth> inference_plan() {
        std::array<BufferUse, 2 * depth> uses{};
        for (int p = 0; p < depth; ++p) {
            const int b = inference_buffer_of[p];
            if (b == p) uses[p] = BufferUse{mul_sizes(shapes[p].size(), to_size(Batch)), p, last_reader[p]};
            else if (last_reader[p] > uses[b].last) uses[b].last = last_reader[p];
            uses[depth + p] = BufferUse{inference_scratch<T>[static_cast<std::size_t>(p)], p, p};
        }
        return plan_memory_best(uses, alignment<T>);
    }

    // Training: forward of position p at step p, the loss at step L + 1, backward of position
    // p at step 2L + 2 - p (reverse order: every reader of a tensor runs its backward before the
    // tensor's writer). Entries 0..depth-1 are the activations (tensor p), entries
    // depth..2*depth-1 their gradients (the gradient of tensor 0 is never needed: size 0).
    // A tensor read by several nodes gets the sum of their gradients: the last reader (the first
    // to run backward) writes it, each other reader adds to it - a join directly, a layer through
    // entry 2*depth + p (its own gradient of its input, alive during its backward only).
    static constexpr int backward_step(int p) { return 2 * layer_count + 2 - p; }
    // Whether node p's gradient of its input i is added to what is there (not written).
    static constexpr bool accumulates(int p, int i) {
        const int a = inputs[p].at[i];
        if (last_reader[a] != p) return true;
        for (int j = 0; j < i; ++j)
            if (inputs[p].at[j] == a) return true;  // the same tensor twice in one join
        return false;
    }

    template <int Batch, class T = float>
    static constexpr MemoryPlan<3 * depth> training_plan() {
        constexpr int L = layer_count;
        std::array<BufferUse, 3 * depth> uses{};
        for (int p = 0; p < depth; ++p) {
            const std::size_t size = mul_sizes(shapes[p].size(), to_size(Batch));
            uses[p] = BufferUse{size, p, last_reader[p]};
            if (p > 0 && needs_output[p]) uses[p].last = backward_step(p);
            if (p > 0) {
                const int first = (p == L) ? L + 1 : backward_step(last_reader[p]);
                uses[depth + p] = BufferUse{size, first, backward_step(p)};
            }
        }
        for (int r = 1; r < depth; ++r)
            for (int i = 0; i < inputs[r].count; ++i) {
                const int a = inputs[r].at[i];
                if (needs_input[r] && backward_step(r) > uses[a].last) uses[a].last = backward_step(r);
                if (a > 0 && inputs[r].count == 1 && accumulates(r, 0))
                    uses[2 * depth + r] =
                        BufferUse{mul_sizes(shapes[a].size(), to_size(Batch)), backward_step(r), backward_step(r)};
            }
        return plan_memory_best(uses, alignment<T>);
    }
};

template <class Net>
inline constexpr bool is_sequential_v = false;
template <class... Ls>
inline constexpr bool is_sequential_v<Sequential<Ls...>> = true;

}  // namespace staticnet
