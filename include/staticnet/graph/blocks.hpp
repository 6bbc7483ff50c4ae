// Blocks: layer lists that sit inside a Sequential like one layer, so that a network with
// branches is still one C++ type.
//
//   sn::Block<L...>                 a chain of layers (and blocks), usable wherever a layer is
//   sn::Concatenate<Branch...>      every branch reads the same input; the outputs are joined
//                                   along channels (Keras Concatenate(axis=-1)): Inception
//   sn::Add<Branch...>              the same, the outputs added element by element (Keras Add)
//   sn::Residual<Body, Projection>  Add<Body, Projection>: the body's output plus its input
//                                   (Projection = sn::Identity) or plus the projection's output
//   sn::Repeat<N, L...>             L... N times in a row (each copy with its own parameters)
//   sn::Identity                    a branch that passes its input on unchanged
// A Branch is a layer, a Block, another combinator, or Identity.
//
// Sequential flattens the items into a topologically ordered node list (graph nodes, position 0
// the Input): every layer of every branch is one node, and each Concatenate/Add adds a join node
// after its branches. A node knows the positions of the tensors it reads; positions are what
// summary(), parameter(p, name) and the plans use. A plain chain of layers flattens to the same
// positions as before.
// Firmware-clean: standard headers only.
#pragma once
#include <array>
#include <cstddef>
#include <type_traits>

#include "../core/shape.hpp"
#include "../layers/layer.hpp"

namespace staticnet {

template <class... Layers>
struct Block {};
struct Identity {};
template <class... Branches>
struct Concatenate {
    static_assert(sizeof...(Branches) >= 1, "staticnet: sn::Concatenate<...> needs at least one branch");
};
template <class... Branches>
struct Add {
    static_assert(sizeof...(Branches) >= 1, "staticnet: sn::Add<...> needs at least one branch");
};
template <class Body, class Projection = Identity>
struct Residual {};
template <int N, class... Layers>
struct Repeat {
    static_assert(N >= 1, "staticnet: sn::Repeat<N, ...> needs N >= 1");
};

// The most tensors one join node reads (branches of one Concatenate/Add).
inline constexpr int max_join_inputs = 8;

// Where a join node came from, for its error messages.
enum class JoinOrigin { concatenate, add, residual };

namespace detail {

// The join node of a Concatenate or an Add over K branches. Not a layer a user writes: it has
// K inputs, which the graph passes as arrays. Add's gradient is gy for every input;
// Concatenate's is gy's channel slice of each input. Neither needs its inputs or output in
// backward. `accumulate[i]`: add to gx[i] instead of overwriting it (the tensor has another
// reader whose gradient is already there); gx[i] may be null (no gradient wanted).
template <JoinOrigin Origin, int K>
struct JoinLayer : LayerDefaults {
    static constexpr bool join = true;
    static constexpr int arity = K;
    static constexpr JoinOrigin origin = Origin;
    static constexpr const char* keras_class = Origin == JoinOrigin::concatenate ? "Concatenate" : "Add";
    static constexpr const char* keras_name = Origin == JoinOrigin::concatenate ? "concatenate" : "add";

    // The first problem and which input (branch) shows it; branch 0 is the reference.
    struct JoinProblem {
        Problem problem = Problem::none;
        int branch = 0;
    };
    static constexpr JoinProblem check_join(const Shape* in) {
        for (int i = 1; i < K; ++i) {
            if constexpr (Origin == JoinOrigin::concatenate) {
                if (in[i].flat() != in[0].flat()) return {Problem::concat_flat_and_spatial, i};
                if (in[i].h != in[0].h || in[i].w != in[0].w) return {Problem::branch_sizes_differ, i};
            } else {
                if (!(in[i] == in[0]))
                    return {Origin == JoinOrigin::residual ? Problem::residual_shapes_differ : Problem::add_shapes_differ,
                            i};
            }
        }
        if constexpr (Origin == JoinOrigin::concatenate) {
            std::size_t c = 0;
            for (int i = 0; i < K; ++i) c = add_sizes(c, to_size(in[i].c));
            if (c > 2147483647u) return {Problem::flat_size_too_large, 0};
        }
        return {};
    }
    static constexpr Shape join_shape(const Shape* in) {
        if constexpr (Origin == JoinOrigin::concatenate) {
            long long c = 0;
            for (int i = 0; i < K; ++i) c += in[i].c;
            const int channels = c > 2147483647 ? 1 : static_cast<int>(c);
            return in[0].flat() ? flat_shape(channels) : Shape{in[0].h, in[0].w, channels, 3};
        } else {
            return in[0];
        }
    }

    // y = x[0] + x[1] + ... (in branch order) / the channels of x[0], x[1], ... per position.
    template <std::array<Shape, K> In, class T>
    static void forward_join(const LayerContext<T>& ctx, const T* const* x, T* y, int n) {
        if constexpr (Origin == JoinOrigin::concatenate) {
            constexpr std::size_t positions = static_cast<std::size_t>(In[0].h) * static_cast<std::size_t>(In[0].w);
            constexpr std::size_t out_c = join_shape(In.data()).c;
            ctx.par.for_each(n, [&](int s) {
                T* ys = y + static_cast<std::size_t>(s) * positions * out_c;
                std::size_t at = 0;
                for (int i = 0; i < K; ++i) {
                    const std::size_t c = static_cast<std::size_t>(In[static_cast<std::size_t>(i)].c);
                    const T* xs = x[i] + static_cast<std::size_t>(s) * positions * c;
                    for (std::size_t q = 0; q < positions; ++q)
                        for (std::size_t k = 0; k < c; ++k) ys[q * out_c + at + k] = xs[q * c + k];
                    at += c;
                }
            });
        } else {
            constexpr std::size_t size = In[0].size();
            ctx.par.for_each(n, [&](int s) {
                const std::size_t b = static_cast<std::size_t>(s) * size;
                T* ys = y + b;
                const T* x0 = x[0] + b;
                for (std::size_t e = 0; e < size; ++e) ys[e] = x0[e];
                for (int i = 1; i < K; ++i) {
                    const T* xi = x[i] + b;
                    for (std::size_t e = 0; e < size; ++e) ys[e] += xi[e];
                }
            });
        }
    }
    template <std::array<Shape, K> In, class T>
    static void backward_join(const LayerContext<T>& ctx, const T* gy, T* const* gx, const bool* accumulate, int n) {
        if constexpr (Origin == JoinOrigin::concatenate) {
            constexpr std::size_t positions = static_cast<std::size_t>(In[0].h) * static_cast<std::size_t>(In[0].w);
            constexpr std::size_t out_c = join_shape(In.data()).c;
            ctx.par.for_each(n, [&](int s) {
                const T* gys = gy + static_cast<std::size_t>(s) * positions * out_c;
                std::size_t at = 0;
                for (int i = 0; i < K; ++i) {
                    const std::size_t c = static_cast<std::size_t>(In[static_cast<std::size_t>(i)].c);
                    if (gx[i]) {
                        T* g = gx[i] + static_cast<std::size_t>(s) * positions * c;
                        if (accumulate[i]) {
                            for (std::size_t q = 0; q < positions; ++q)
                                for (std::size_t k = 0; k < c; ++k) g[q * c + k] += gys[q * out_c + at + k];
                        } else {
                            for (std::size_t q = 0; q < positions; ++q)
                                for (std::size_t k = 0; k < c; ++k) g[q * c + k] = gys[q * out_c + at + k];
                        }
                    }
                    at += c;
                }
            });
        } else {
            constexpr std::size_t size = In[0].size();
            ctx.par.for_each(n, [&](int s) {
                const std::size_t b = static_cast<std::size_t>(s) * size;
                for (int i = 0; i < K; ++i) {
                    if (!gx[i]) continue;
                    T* g = gx[i] + b;
                    if (accumulate[i])
                        for (std::size_t e = 0; e < size; ++e) g[e] += gy[b + e];
                    else
                        for (std::size_t e = 0; e < size; ++e) g[e] = gy[b + e];
                }
            });
        }
    }
};

template <class L>
concept join_layer = requires { L::join; };

// ---- flattening ---------------------------------------------------------------------------

template <class... Ts>
struct type_list {};
template <int... V>
struct int_list {};

// One graph node: its layer and the positions of the tensors it reads.
template <class L, int... In>
struct Node {
    using layer = L;
    static constexpr int arity = static_cast<int>(sizeof...(In));
    static constexpr std::array<int, sizeof...(In) == 0 ? 1 : sizeof...(In)> inputs{In...};
};

// The state of the walk: the nodes so far and the position of the current tensor.
template <class Nodes, int Cur>
struct Walk;
template <class... Ns, int Cur>
struct Walk<type_list<Ns...>, Cur> {
    using nodes = type_list<Ns...>;
    static constexpr int current = Cur;
    static constexpr int next = static_cast<int>(sizeof...(Ns));
};

template <class W, class L>
struct append_layer;
// A layer: one node reading the current tensor (the blocks below specialise this).
template <class W, class Item>
struct walk_item {
    using type = typename append_layer<W, Item>::type;
};
template <class W, class... Items>
struct walk_items;
template <class W>
struct walk_items<W> {
    using type = W;
};
template <class W, class Item, class... Items>
struct walk_items<W, Item, Items...> {
    using type = typename walk_items<typename walk_item<W, Item>::type, Items...>::type;
};

template <class... Ns, int Cur, class L>
struct append_layer<Walk<type_list<Ns...>, Cur>, L> {
    using type = Walk<type_list<Ns..., Node<L, Cur>>, static_cast<int>(sizeof...(Ns))>;
};
template <class W>
struct walk_item<W, Identity> {
    using type = W;
};
template <class W, class... Ls>
struct walk_item<W, Block<Ls...>> {
    using type = typename walk_items<W, Ls...>::type;
};
template <class W, class... Ls>
struct walk_item<W, Repeat<1, Ls...>> {
    using type = typename walk_items<W, Ls...>::type;
};
template <class W, int N, class... Ls>
struct walk_item<W, Repeat<N, Ls...>> {
    using type = typename walk_item<typename walk_items<W, Ls...>::type, Repeat<N - 1, Ls...>>::type;
};

// Branches: each starts from position Start; Ends collects where each one ended.
template <class W, int Start, class Ends, class... Branches>
struct walk_branches {
    using type = W;
    using ends = Ends;
};
template <class Nodes, int Cur, int Start, int... E, class B, class... Bs>
struct walk_branches<Walk<Nodes, Cur>, Start, int_list<E...>, B, Bs...> {
    using after = typename walk_item<Walk<Nodes, Start>, B>::type;
    using rest = walk_branches<after, Start, int_list<E..., after::current>, Bs...>;
    using type = typename rest::type;
    using ends = typename rest::ends;
};

template <class W, class L, class Ends>
struct append_join;
template <class... Ns, int Cur, class L, int... E>
struct append_join<Walk<type_list<Ns...>, Cur>, L, int_list<E...>> {
    using type = Walk<type_list<Ns..., Node<L, E...>>, static_cast<int>(sizeof...(Ns))>;
};

template <class W, JoinOrigin Origin, class... Branches>
struct walk_join {
    static_assert(sizeof...(Branches) <= max_join_inputs,
                  "staticnet: a Concatenate/Add takes at most 8 branches (sn::max_join_inputs); nest two of them");
    using branches = walk_branches<W, W::current, int_list<>, Branches...>;
    using type = typename append_join<typename branches::type, JoinLayer<Origin, static_cast<int>(sizeof...(Branches))>,
                                      typename branches::ends>::type;
};
template <class W, class... Bs>
struct walk_item<W, Concatenate<Bs...>> {
    using type = typename walk_join<W, JoinOrigin::concatenate, Bs...>::type;
};
template <class W, class... Bs>
struct walk_item<W, Add<Bs...>> {
    using type = typename walk_join<W, JoinOrigin::add, Bs...>::type;
};
template <class W, class Body, class Projection>
struct walk_item<W, Residual<Body, Projection>> {
    using type = typename walk_join<W, JoinOrigin::residual, Body, Projection>::type;
};

// The node list of Sequential<First, Items...>: First (the Input) at position 0.
template <class First, class... Items>
using graph_nodes = typename walk_items<Walk<type_list<Node<First>>, 0>, Items...>::type::nodes;

}  // namespace detail
}  // namespace staticnet
