// The inference form of a network, as a compile-time type transform (DESIGN.md rule 9), and the
// constexpr fold of a trained network's parameters into it.
//
//   using Deployed = sn::inference_form<Net>;                  // a sn::Sequential<...>
//   sn::fold_parameters<Net>(training_params, inference_params);   // T* / spans / std::array
//
// inference_form<Net> walks the layer list once:
//   1. Dropout layers are dropped (the identity at inference).
//   2. Consecutive BatchNormalizations (a "run", also across a dropped Dropout) compose into one
//      per-channel affine map y = s * x + t first.
//   3. A run folds into the PRECEDING Conv2D/Dense when that layer's activation is linear:
//        kernel[r, o] *= s[o],   bias[o] = bias[o] * s[o] + t[o]
//      (for one BN: s = gamma / sqrt(var + eps), t = beta - mean * s, so the bias is
//      (bias - mean) * s + beta up to rounding).
//   4. Otherwise it folds into the FOLLOWING layer when that is exact: a Dense (directly, or
//      after a Flatten: the NHWC flattening repeats the channels, input row r has channel
//      r % C), or a Conv2D that pads nothing ('valid', or 'same' whose total padding is 0 on
//      both axes, e.g. 1x1 kernels). A padded border would see BN(0) = t in the training form
//      but 0 in a folded one. With input channel c = r % C of kernel row r:
//        bias[o] += sum over r of kernel[r, o] * t[c],   then kernel[r, o] *= s[c]
//   5. Otherwise the run becomes an sn::Affine layer (scale s, shift t: 2C values, not 4C).
//      Never folded across MaxPool2D or an activation (max and ReLU do not commute with a
//      negative scale), nor through a Flatten into anything but a Dense. AveragePooling2D and
//      GlobalAveragePooling2D are not folded either way (like every layer without fold_traits
//      they are FoldKind::other, which ends a fold in both directions): a BN before one becomes
//      an Affine; a BN after GlobalAveragePooling2D folds into a Dense after it (rule 4, flat C).
// A folded Conv2D/Dense gets use_bias = true. A layer may take a fold from both sides (input
// side first). Everything else is kept as it is. Affine's parameters are trainable and BN's
// moving statistics are gone, so a folded network of these layers has no non-trainable ones.
//
// The fold's arithmetic is done in T (float or double), in a fixed order, identical at compile
// time and at run time: the square root is constexpr_sqrt (correctly rounded, the bits of
// std::sqrt) and no product is fused with an addition (GCC contracts a * b + c into an fma by
// default at run time, never during constant evaluation), so a firmware build that folds
// constexpr weights at compile time and a desktop that folds at run time get the same bits.
//
// Firmware-clean: standard headers only, no heap, no exceptions.
#pragma once
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>
#include <utility>

#include "../core/shape.hpp"
#include "../layers/affine.hpp"
#include "../layers/batch_normalization.hpp"
#include "../layers/conv2d.hpp"
#include "../layers/dense.hpp"
#include "../layers/dropout.hpp"
#include "../layers/flatten.hpp"
#include "sequential.hpp"

namespace staticnet {

// ---- a constexpr square root --------------------------------------------------------------

// sqrt(x), correctly rounded (round to nearest even): bit for bit what IEEE 754 (and so
// std::sqrt) gives, in a constant expression as well. Integer digit-by-digit on the
// significand, two radicand bits per step, one extra root bit and a sticky remainder for the
// rounding. +-0 -> +-0, +inf -> +inf, negative or NaN -> NaN.
constexpr double constexpr_sqrt(double x) {
    if (x != x || x < 0) return std::numeric_limits<double>::quiet_NaN();
    if (x == 0 || x == std::numeric_limits<double>::infinity()) return x;
    constexpr std::uint64_t hidden = std::uint64_t{1} << 52;
    const auto bits = std::bit_cast<std::uint64_t>(x);
    int biased = static_cast<int>(bits >> 52);
    std::uint64_t m = bits & (hidden - 1);
    if (biased == 0) {  // subnormal: normalise the significand
        biased = 1;
        while ((m & hidden) == 0) {
            m <<= 1;
            --biased;
        }
    } else {
        m |= hidden;
    }
    // x = m * 2^e, m in [2^52, 2^53); make e even, then m is in [2^52, 2^54).
    int e = biased - 1075;
    if (e % 2 != 0) {
        m <<= 1;
        --e;
    }
    // root = floor(sqrt(m * 2^54)), in [2^53, 2^54): 54 bits, one more than the result has.
    // The radicand's bits are m's followed by 54 zeros, fed two at a time.
    std::uint64_t root = 0, rem = 0;
    for (int i = 53; i >= 0; --i) {
        const std::uint64_t pair = i >= 27 ? (m >> (2 * (i - 27))) & 3u : 0u;
        rem = (rem << 2) | pair;
        const std::uint64_t trial = (root << 2) | 1u;
        if (rem >= trial) {
            rem -= trial;
            root = (root << 1) | 1u;
        } else {
            root <<= 1;
        }
    }
    // sqrt(x) = root * 2^(e/2 - 27) (+ the remainder). Round to 53 bits: the dropped bit and
    // whether anything is left below it (an exact tie cannot happen for a square root).
    std::uint64_t significand = root >> 1;
    const bool half = (root & 1u) != 0, below = rem != 0;
    if (half && (below || (significand & 1u) != 0)) ++significand;
    int exponent = e / 2 - 26;  // sqrt(x) = significand * 2^exponent
    if (significand >> 53) {
        significand >>= 1;
        ++exponent;
    }
    return std::bit_cast<double>(static_cast<std::uint64_t>(exponent + 1075) << 52 | (significand & (hidden - 1)));
}

// For float: the correctly rounded double root rounded to float is the correctly rounded float
// root (53 >= 2 * 24 + 2 bits: double rounding is innocuous for the square root).
constexpr float constexpr_sqrt(float x) { return static_cast<float>(constexpr_sqrt(static_cast<double>(x))); }

namespace detail {

// a * b as a call the optimiser does not inline, so that it is never contracted with the
// addition that uses it into a fused multiply-add (which constant evaluation never does).
template <class T>
#if defined(__GNUC__)
__attribute__((noinline))
#endif
constexpr T unfused_product(T a, T b) {
    return a * b;
}

// ---- what the transform needs to know about each layer -----------------------------------

enum class FoldKind { other, conv, dense, batch_norm, dropout, flatten };

struct LayerFacts {
    FoldKind kind = FoldKind::other;
    bool linear = false;        // Conv2D/Dense: linear activation (a BN after it folds back)
    bool pads_nothing = false;  // Conv2D: reads no padded input (a BN before it folds forward)
    bool has_bias = false;      // Conv2D/Dense: use_bias
    float epsilon = 0.0f;       // BatchNormalization
};

// TF 'same' padding, both halves: max((out - 1) * stride + kernel - in, 0).
constexpr int total_padding(int in, int kernel, int stride, Padding padding) {
    if (padding == Padding::valid) return 0;
    const int total = (conv_out_length(in, kernel, stride, padding) - 1) * stride + kernel - in;
    return total > 0 ? total : 0;
}

template <class L>
struct fold_traits {
    static constexpr LayerFacts facts(Shape) { return {}; }
};
template <Conv2DOptions O>
struct fold_traits<Conv2D<O>> {
    static constexpr LayerFacts facts(Shape in) {
        return {FoldKind::conv, O.activation == ActivationFunction::linear,
                total_padding(in.h, O.kernel.h, O.strides.h, O.padding) == 0 &&
                    total_padding(in.w, O.kernel.w, O.strides.w, O.padding) == 0,
                O.use_bias, 0.0f};
    }
};
template <DenseOptions O>
struct fold_traits<Dense<O>> {
    static constexpr LayerFacts facts(Shape) {
        return {FoldKind::dense, O.activation == ActivationFunction::linear, false, O.use_bias, 0.0f};
    }
};
template <BatchNormalizationOptions O>
struct fold_traits<BatchNormalization<O>> {
    static constexpr LayerFacts facts(Shape) { return {FoldKind::batch_norm, false, false, false, O.epsilon}; }
};
template <DropoutOptions O>
struct fold_traits<Dropout<O>> {
    static constexpr LayerFacts facts(Shape) { return {FoldKind::dropout, false, false, false, 0.0f}; }
};
template <>
struct fold_traits<Flatten> {
    static constexpr LayerFacts facts(Shape) { return {FoldKind::flatten, false, false, false, 0.0f}; }
};

// ---- the plan: which training layer becomes which inference layer -------------------------

// A run of BatchNormalizations: kept[begin] .. kept[end - 1] (FoldPlan::kept indices).
struct BnRun {
    int begin = 0;
    int end = 0;
    constexpr bool empty() const { return begin == end; }
};

enum class FoldRole {
    copy,      // parameters copied as they are (or none)
    weighted,  // Conv2D/Dense: copied, then the BN runs before/after folded in
    affine,    // a BN run that could not be folded: sn::Affine
};

template <std::size_t Depth>
struct FoldPlan {
    std::array<int, Depth> kept{};  // training positions without the Dropouts (kept[0] = 0, the Input)
    int kept_count = 0;
    int depth = 0;                  // positions of the inference form, Input = 0
    // Per inference position:
    std::array<int, Depth> source{};  // its training position (an Affine: its run's first BN)
    std::array<FoldRole, Depth> role{};
    std::array<BnRun, Depth> before{};  // folded in on the input side (an Affine: its run)
    std::array<BnRun, Depth> after{};   // folded in on the output side
    std::array<bool, Depth> use_bias{};
};

template <std::size_t Depth>
constexpr FoldPlan<Depth> plan_folds(const std::array<LayerFacts, Depth>& facts) {
    FoldPlan<Depth> f;
    for (int p = 0; p < static_cast<int>(Depth); ++p)
        if (facts[p].kind != FoldKind::dropout) f.kept[f.kept_count++] = p;
    auto kind_at = [&](int i) { return facts[f.kept[i]].kind; };

    // Per kept index: the runs folded into that layer, and the runs that stay (as an Affine).
    std::array<BnRun, Depth> before{}, after{}, stays{};
    for (int i = 1; i < f.kept_count;) {
        if (kind_at(i) != FoldKind::batch_norm) {
            ++i;
            continue;
        }
        int k = i;
        while (k < f.kept_count && kind_at(k) == FoldKind::batch_norm) ++k;
        const BnRun run{i, k};
        const LayerFacts& prev = facts[f.kept[i - 1]];
        if ((prev.kind == FoldKind::conv || prev.kind == FoldKind::dense) && prev.linear) {
            after[i - 1] = run;
        } else if (k < f.kept_count && (kind_at(k) == FoldKind::dense ||
                                        (kind_at(k) == FoldKind::conv && facts[f.kept[k]].pads_nothing))) {
            before[k] = run;
        } else if (k + 1 < f.kept_count && kind_at(k) == FoldKind::flatten && kind_at(k + 1) == FoldKind::dense) {
            before[k + 1] = run;
        } else {
            stays[i] = run;
        }
        i = k;
    }

    for (int i = 0; i < f.kept_count; ++i) {
        const int p = f.kept[i];
        const LayerFacts& l = facts[p];
        if (l.kind == FoldKind::batch_norm) {
            if (stays[i].empty()) continue;  // folded into a neighbour, or part of a run
            f.source[f.depth] = p;
            f.role[f.depth] = FoldRole::affine;
            f.before[f.depth] = stays[i];
            ++f.depth;
            continue;
        }
        const bool weighted = l.kind == FoldKind::conv || l.kind == FoldKind::dense;
        f.source[f.depth] = p;
        f.role[f.depth] = weighted ? FoldRole::weighted : FoldRole::copy;
        f.before[f.depth] = before[i];
        f.after[f.depth] = after[i];
        f.use_bias[f.depth] = weighted && (l.has_bias || !before[i].empty() || !after[i].empty());
        ++f.depth;
    }
    return f;
}

// The inference layer type for one plan entry.
template <class L, FoldRole R, bool Bias>
struct inference_layer {
    using type = L;
};
template <class L, bool Bias>
struct inference_layer<L, FoldRole::affine, Bias> {
    using type = Affine;
};
template <class Options>
constexpr Options with_bias(Options o) {
    o.use_bias = true;
    return o;
}
template <Conv2DOptions O>
struct inference_layer<Conv2D<O>, FoldRole::weighted, true> {
    using type = Conv2D<with_bias(O)>;
};
template <DenseOptions O>
struct inference_layer<Dense<O>, FoldRole::weighted, true> {
    using type = Dense<with_bias(O)>;
};

template <class Net>
struct InferenceForm {
    static_assert(is_sequential_v<Net>,
                  "staticnet: inference_form<Net> needs a sn::Sequential<sn::Input<...>, ...> network type");
    using type = Net;
};

template <class First, class... Layers>
struct InferenceForm<Sequential<First, Layers...>> {
    using training = Sequential<First, Layers...>;
    static constexpr std::size_t training_depth = training::depth;

    // A network with blocks (graph/blocks.hpp) is kept as it is: every node "other", so the
    // plan copies every tensor (Dropout stays: the identity at inference).
    static constexpr std::array<LayerFacts, training_depth> facts = [] {
        std::array<LayerFacts, training_depth> r{};
        if constexpr (training::is_chain) {
            int p = 1;
            ((r[p] = fold_traits<Layers>::facts(training::shapes[p - 1]), ++p), ...);
        }
        return r;
    }();
    static constexpr FoldPlan<training_depth> plan = plan_folds(facts);

    static_assert(plan.depth > 1 || !training::well_formed,
                  "staticnet: inference_form<Net>: nothing is left of this network once its Dropout layers are "
                  "dropped; add a layer that computes something");

    template <std::size_t... J>
    static auto make(std::index_sequence<J...>)
        -> Sequential<First, typename inference_layer<typename training::template layer<plan.source[J + 1]>,
                                                      plan.role[J + 1], plan.use_bias[J + 1]>::type...>;
    using type = std::conditional_t<(plan.depth > 1 && training::is_chain), decltype(make(std::make_index_sequence<
                                                                    (plan.depth > 1 ? plan.depth - 1 : 0)>{})),
                                    training>;
};

// Copies n values in blocks: GCC limits the iterations of one loop in a constant evaluation
// (-fconstexpr-loop-limit, 262,144), and a kernel may have more values than that.
template <class T>
constexpr void copy_values(const T* from, T* to, std::size_t n) {
    constexpr std::size_t block = 4096;
    for (std::size_t b = 0; b < n; b += block) {
        const std::size_t e = b + block < n ? b + block : n;
        for (std::size_t i = b; i < e; ++i) to[i] = from[i];
    }
}

// The composed affine map of a BN run at channel c: for each BN in order,
//   s_k = gamma / sqrt(var + eps),  t_k = beta - mean * s_k   (BN's inference coefficients)
//   s = s * s_k,  t = t * s_k + t_k                           (starting from s = 1, t = 0)
template <class Form, class T>
constexpr void run_affine(const T* training, BnRun run, int c, T& s, T& t) {
    using Net = typename Form::training;
    s = T(1);
    t = T(0);
    for (int i = run.begin; i < run.end; ++i) {
        const int p = Form::plan.kept[i];
        const auto& slot = Net::param_slots[p];
        const T gamma = training[slot[0].offset + c], beta = training[slot[1].offset + c];
        const T mean = training[slot[2].offset + c], var = training[slot[3].offset + c];
        const T sk = gamma / constexpr_sqrt(var + T(Form::facts[p].epsilon));
        const T tk = beta - unfused_product(mean, sk);
        s = s * sk;
        t = unfused_product(t, sk) + tk;
    }
}

}  // namespace detail

// The inference form of Net (see the top of this file): a sn::Sequential<...>.
template <class Net>
using inference_form = typename detail::InferenceForm<Net>::type;

// Maps Net's flat parameter array (Net::params.total values, layout Net::param_slots:
// trainable tensors first, then the non-trainable ones) to inference_form<Net>'s
// (inference_form<Net>::params.total values). The arrays must not overlap. Usable in a
// constant expression (a firmware build with constexpr trained weights gets constexpr folded
// weights); see the top of this file for the formulas and the order of operations.
template <class Net, class T>
constexpr void fold_parameters(const T* training, T* inference) {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                  "staticnet: fold_parameters folds float or double parameters");
    using Form = detail::InferenceForm<Net>;
    using Inf = typename Form::type;
    constexpr auto& plan = Form::plan;
    for (int j = 1; j < plan.depth; ++j) {
        const int p = plan.source[j];
        const auto& from = Net::param_slots[p];
        const auto& to = Inf::param_slots[j];
        switch (plan.role[j]) {
            case detail::FoldRole::copy:
                for (int k = 0; k < Net::param_specs[p].count; ++k)
                    detail::copy_values(training + from[k].offset, inference + to[k].offset, from[k].size);
                break;
            case detail::FoldRole::affine: {
                T* scale = inference + to[0].offset;
                T* shift = inference + to[1].offset;
                for (int c = 0; c < Net::shapes[p].c; ++c)
                    detail::run_affine<Form>(training, plan.before[j], c, scale[c], shift[c]);
                break;
            }
            case detail::FoldRole::weighted: {
                // kernel (rows, cout): Conv2D (kh * kw * cin, filters), Dense (in, units).
                const std::size_t cout = static_cast<std::size_t>(Net::shapes[p].c);
                const std::size_t rows = from[0].size / cout;
                T* kernel = inference + to[0].offset;
                T* bias = plan.use_bias[j] ? inference + to[1].offset : nullptr;
                for (std::size_t r = 0; r < rows; ++r)
                    for (std::size_t o = 0; o < cout; ++o) kernel[r * cout + o] = training[from[0].offset + r * cout + o];
                if (bias) {
                    const bool had_bias = Net::param_specs[p].count > 1;
                    for (std::size_t o = 0; o < cout; ++o) bias[o] = had_bias ? training[from[1].offset + o] : T(0);
                }
                if (const detail::BnRun run = plan.before[j]; !run.empty()) {
                    // Input side: row r reads channel r % C of the BN's output.
                    const int channels = Net::shapes[plan.kept[run.begin]].c;
                    for (int c = 0; c < channels; ++c) {
                        T s{}, t{};
                        detail::run_affine<Form>(training, run, c, s, t);
                        for (std::size_t r = static_cast<std::size_t>(c); r < rows; r += static_cast<std::size_t>(channels))
                            for (std::size_t o = 0; o < cout; ++o) {
                                T& w = kernel[r * cout + o];
                                bias[o] += detail::unfused_product(w, t);
                                w *= s;
                            }
                    }
                }
                if (const detail::BnRun run = plan.after[j]; !run.empty()) {
                    // Output side: column o is channel o of the BN's input.
                    for (std::size_t o = 0; o < cout; ++o) {
                        T s{}, t{};
                        detail::run_affine<Form>(training, run, static_cast<int>(o), s, t);
                        for (std::size_t r = 0; r < rows; ++r) kernel[r * cout + o] *= s;
                        bias[o] = detail::unfused_product(bias[o], s) + t;
                    }
                }
                break;
            }
        }
    }
}

// The same over spans; false (and nothing written) when a span is shorter than its network's
// parameter count.
template <class Net, class T>
[[nodiscard]] constexpr bool fold_parameters(std::span<const std::type_identity_t<T>> training,
                                             std::span<T> inference) {
    if (training.size() < Net::params.total || inference.size() < inference_form<Net>::params.total) return false;
    fold_parameters<Net, T>(training.data(), inference.data());
    return true;
}

// The folded parameters as a value, for constant initialisation:
//   constexpr std::array<float, Net::params.total> trained = {...};
//   constexpr auto folded = sn::fold_parameters<Net>(trained);   // in .rodata
// (At run time prefer the forms above into static storage: the result is returned by value.)
template <class Net, class T, std::size_t N>
constexpr std::array<T, inference_form<Net>::params.total> fold_parameters(const std::array<T, N>& training) {
    static_assert(N == Net::params.total,
                  "staticnet: fold_parameters<Net>(array): the array must hold exactly Net::params.total values");
    std::array<T, inference_form<Net>::params.total> folded{};
    if constexpr (N == Net::params.total && inference_form<Net>::params.total > 0)
        fold_parameters<Net, T>(training.data(), folded.data());
    return folded;
}

}  // namespace staticnet
