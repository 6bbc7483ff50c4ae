// What every layer shares: the list of structural problems a layer can report at compile time,
// and the run-time context a layer's kernels receive.
//
// A layer type L provides (all static):
//   keras_class, keras_name            names for summary()
//   check(Shape in) -> Problem         structural validation (compile time)
//   output_shape(Shape in) -> Shape
//   params(Shape in) -> ParamSpecs     parameter tensors, Keras order and layout
//   macs(Shape in)                     multiply-accumulates per sample
//   in_place                           inference may write the output over the input
//   backward_needs_input / backward_needs_output   what training keeps alive from forward
//   state_size(Shape in)               training-only scratch elements (saved stats, transposes)
//   template <Shape In, class T> inference_scratch_size()   optional: elements of scratch the
//                                      layer needs while it runs in inference (ctx.scratch, planned
//                                      in the inference arena; 0 or absent: none)
//   template <Shape In, class T> forward(ctx, x, y, n) / backward(ctx, x, y, gy, gx, n)
#pragma once
#include <cstddef>
#include <cstdint>

#include "../core/parallel.hpp"
#include "../core/shape.hpp"
#include "../kernels/simd/simd.hpp"

namespace staticnet {

enum class Problem {
    none,
    input_not_first,
    input_dims_zero,
    zero_filters,
    zero_units,
    kernel_zero,
    kernel_larger_than_input,
    stride_zero,
    conv_needs_spatial_input,
    pool_zero,
    pool_larger_than_input,
    pool_needs_spatial_input,
    dense_needs_flat_input,
    dropout_rate_out_of_range,
    bn_momentum_out_of_range,
    bn_epsilon_not_positive,
    flat_size_too_large,
    // join nodes (graph/blocks.hpp)
    branch_sizes_differ,
    concat_flat_and_spatial,
    add_shapes_differ,
    residual_shapes_differ,
    // DepthwiseConv2D, SeparableConv2D (layers/depthwise_conv2d.hpp, layers/separable_conv2d.hpp)
    depthwise_kernel_zero,
    depthwise_stride_zero,
    depth_multiplier_not_positive,
    depthwise_needs_spatial_input,
    depthwise_kernel_larger_than_input,
    separable_zero_filters,
    // ZeroPadding2D, Reshape (layers/zero_padding2d.hpp, layers/reshape.hpp)
    zero_padding_negative,
    zero_padding_needs_spatial_input,
    reshape_bad_target,
    reshape_size_mismatch,
};

// Training splits a batch of n samples into fixed groups (at most max_sample_groups, each of
// ceil(n / max_sample_groups) samples but the last); sums over samples (kernel gradients, batch
// statistics) are formed per group and added in group order. The groups depend on n only, so
// the result is the same on any number of threads. Builds without SIMD kernels (firmware) use
// the serial reference path and one group.
inline constexpr int max_sample_groups = STATICNET_HAS_XSIMD ? 8 : 1;

struct SampleGroups {
    int size = 1;   // samples per group (the last may have fewer)
    int count = 0;  // groups
    int n = 0;
    constexpr int begin(int g) const { return g * size; }
    constexpr int samples(int g) const { return (g + 1) * size < n ? size : n - g * size; }
};

constexpr SampleGroups sample_groups(int n) {
    SampleGroups s;
    s.n = n;
    s.size = n > 0 ? (n + max_sample_groups - 1) / max_sample_groups : 1;
    s.count = n > 0 ? (n + s.size - 1) / s.size : 0;
    return s;
}

// Work items for a pass over n samples of `rows` output rows each: one item per sample when
// there are enough samples for the threads, else each sample split into row ranges (a single
// large image still uses every thread). Results never depend on the split.
struct RowSplit {
    int chunks = 1;  // row ranges per sample
    int rows = 1;
    constexpr int items(int n) const { return n * chunks; }
    constexpr int sample(int item) const { return item / chunks; }
    constexpr int row_begin(int item) const { return (item % chunks) * rows / chunks; }
    constexpr int row_end(int item) const { return (item % chunks + 1) * rows / chunks; }
};

// macs: the multiply-adds of one sample; a row range gets at least min_split_macs of them (a
// fork-join costs a few microseconds: small layers of one image run faster on one thread).
inline constexpr std::size_t min_split_macs = 400'000;

constexpr RowSplit row_split(int n, int rows, int threads, std::size_t macs) {
    RowSplit r;
    r.rows = rows;
    if (threads > 1 && n < 2 * threads) {
        int want = (2 * threads + n - 1) / n;
        const std::size_t by_work = macs / min_split_macs;
        if (by_work < static_cast<std::size_t>(want)) want = by_work > 0 ? static_cast<int>(by_work) : 1;
        r.chunks = want < rows ? want : rows;
    }
    return r;
}

template <class T>
struct LayerContext {
    T* param[ParamSpecs::capacity] = {};  // this layer's parameter tensors, ParamSpecs order
    T* grad[ParamSpecs::capacity] = {};   // their gradients (null for non-trainable ones)
    T* state = nullptr;                   // training scratch, state_size(in) elements
    T* scratch = nullptr;                 // inference scratch, inference_scratch_size<In, T>() elements
    bool training = false;
    std::uint64_t dropout_key = 0;
    bool fused_softmax = false;           // dL/dz of a softmax output was given by the loss
    bool update_statistics = true;        // a training forward updates BN moving statistics
    Parallel par;                         // where independent work items run (serial by default)
};

// Whether layers run T through the SIMD kernels (grouped, parallel path) or the serial reference.
template <class T>
inline constexpr bool simd_path = kernels::simd::vectorizable<T, kernels::simd::default_arch>;

// Adds the group partials (groups 1 .. count-1, `stride` apart from `first`) to dst, element by
// element in group order, in parallel over element ranges: dst = ((dst + p1) + p2) + ...
template <class T>
void reduce_group_partials(const Parallel& par, T* dst, const T* first, std::size_t stride, std::size_t count,
                           int groups) {
    if (groups <= 1) return;
    constexpr std::size_t chunk = 4096;
    const int items = static_cast<int>((count + chunk - 1) / chunk);
    par.for_each(items, [&](int item) {
        const std::size_t b = static_cast<std::size_t>(item) * chunk;
        const std::size_t e = b + chunk < count ? b + chunk : count;
        for (int g = 1; g < groups; ++g) {
            const T* p = first + static_cast<std::size_t>(g - 1) * stride;
            for (std::size_t i = b; i < e; ++i) dst[i] += p[i];
        }
    });
}

// Layers without parameters or training state inherit these defaults.
struct LayerDefaults {
    static constexpr ParamSpecs params(Shape) { return ParamSpecs(); }
    static constexpr std::size_t macs(Shape) { return 0; }
    static constexpr std::size_t state_size(Shape) { return 0; }
    static constexpr bool in_place = false;
    static constexpr ActivationFunction output_activation = ActivationFunction::linear;
    static constexpr bool backward_needs_input = false;
    static constexpr bool backward_needs_output = false;
};

// Kernel and bias gradients over sample groups, shared by Conv2D and Dense: the kernel's
// gradient work is `blocks` independent blocks, cut into `pieces` ranges of blocks (at most
// `blocks`). For every group g and range [b0, b1), block(b0, b1, first sample, samples, gk, gb)
// writes those blocks of the group's sums; group 0 writes into the gradients, groups 1.. into
// `partials` (gsize = ksize + bias elements apart), which are then added in group order. bsize
// is 0 without a bias. The groups depend on n only; how the blocks are cut (pieces, which may
// follow the thread count) does not change a bit.
template <class T, class Block>
void grouped_gradients(const LayerContext<T>& ctx, int n, int blocks, int pieces, T* partials, std::size_t ksize,
                       std::size_t bsize, Block&& block) {
    const std::size_t gsize = ksize + bsize;
    const SampleGroups groups = sample_groups(n);
    pieces = pieces < 1 ? 1 : (pieces > blocks ? blocks : pieces);
    ctx.par.for_each(groups.count * pieces, [&](int item) {
        const int gi = item / pieces, piece = item % pieces;
        T* gk = gi == 0 ? ctx.grad[0] : partials + static_cast<std::size_t>(gi - 1) * gsize;
        T* gb = bsize == 0 ? nullptr : (gi == 0 ? ctx.grad[1] : gk + ksize);
        const int b0 = static_cast<int>(static_cast<long long>(blocks) * piece / pieces);
        const int b1 = static_cast<int>(static_cast<long long>(blocks) * (piece + 1) / pieces);
        block(b0, b1, groups.begin(gi), groups.samples(gi), gk, gb);
    });
    reduce_group_partials(ctx.par, ctx.grad[0], partials, gsize, ksize, groups.count);
    if (bsize > 0) reduce_group_partials(ctx.par, ctx.grad[1], partials + ksize, gsize, bsize, groups.count);
}

// Pieces per group so that there are about two work items per thread (at least one piece).
inline int gradient_pieces(int n, int threads, int blocks) {
    const int groups = sample_groups(n).count;
    const int want = groups > 0 ? (2 * threads + groups - 1) / groups : 1;
    return want < 1 ? 1 : (want > blocks ? blocks : want);
}

}  // namespace staticnet
