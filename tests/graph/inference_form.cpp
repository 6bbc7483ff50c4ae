// sn::inference_form<Net> and sn::fold_parameters (graph/inference_form.hpp): the folded layer
// lists of the seed networks and of one small network per rule, written out by hand; their
// parameter counts; folded against unfolded predictions with random weights and random BN
// statistics (negative gammas included, so a fold across a max-pool or an activation would
// show); controls that a wrong fold is detected; a fold in a constant expression; the summary
// of a folded network; constexpr_sqrt against std::sqrt.
#include <doctest/doctest.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <examples/seed_networks.hpp>
#include <staticnet/staticnet.hpp>

namespace sn = staticnet;
using sn::examples::Bn;
using sn::examples::Deep;
using sn::examples::Nin;

namespace {

// ---- the seed networks ------------------------------------------------------------------

// Deep has neither BN nor Dropout: its inference form is itself.
static_assert(std::is_same_v<sn::inference_form<Deep>, Deep>);

using Conv3x3 = sn::Conv2D<{.filters = 32, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>;
using Conv1x1 = sn::Conv2D<{.filters = 16, .kernel = {1, 1}, .activation = sn::relu}>;
using Pool = sn::MaxPool2D<{.pool = {2, 2}}>;
using Hidden = sn::Dense<{.units = 32, .activation = sn::relu}>;
using Head = sn::Dense<{.units = 10, .activation = sn::softmax}>;

// Bn: every BN follows a ReLU conv, so none folds backwards; forwards each meets a padded 3x3
// conv or a max-pool, so every BN (and the run of two) becomes an Affine. Dropout goes.
using BnInference = sn::Sequential<sn::Input<28, 28, 1>,
                                   Conv3x3,
                                   sn::Affine,  // BN before a 'same' 3x3 conv
                                   Conv3x3,
                                   sn::Affine,  // BN before MaxPool
                                   Pool,
                                   Conv3x3,
                                   sn::Affine,  // the two BNs in a row, composed into one
                                   Conv3x3,
                                   Pool,
                                   sn::Flatten,
                                   Hidden,
                                   Head>;
static_assert(std::is_same_v<sn::inference_form<Bn>, BnInference>);

// Nin: the BN before each 1x1 conv (valid, pads nothing) folds into that conv; the BN before
// each MaxPool becomes an Affine.
using NinInference = sn::Sequential<sn::Input<28, 28, 1>,
                                    Conv3x3,
                                    Conv1x1,     // + the BN before it
                                    sn::Affine,  // BN before MaxPool
                                    Pool,
                                    Conv3x3,
                                    Conv1x1,     // + the BN before it
                                    sn::Affine,  // BN before MaxPool
                                    Pool,
                                    sn::Flatten,
                                    Hidden,
                                    Head>;
static_assert(std::is_same_v<sn::inference_form<Nin>, NinInference>);

// Bn: 79,114 - 4 BN x 4 x 32 (512) + 3 Affine x 2 x 32 (192) = 78,794 = Deep's 78,602 + 192.
static_assert(BnInference::params.total == 78'794 && BnInference::params.trainable == 78'794 &&
              BnInference::params.non_trainable == 0);
static_assert(Bn::params.total - BnInference::params.total == 320);
// Nin: 31,850 - BN on 32, 16, 32, 16 channels x 4 (384) + 2 Affine x 2 x 16 (64) = 31,530.
static_assert(NinInference::params.total == 31'530 && NinInference::params.non_trainable == 0);
static_assert(Nin::params.total - NinInference::params.total == 320);
// The same multiply-adds (BN and Affine count none) and the same arenas (all run in place).
static_assert(BnInference::macs_per_sample == Bn::macs_per_sample && NinInference::macs_per_sample == 1'656'128);
static_assert(sn::Inference<BnInference, 1>::arena_bytes == sn::Inference<sn::examples::Bn, 1>::arena_bytes &&
              sn::Inference<NinInference, 1>::arena_bytes == 150'528);
// Folding a folded network changes nothing.
static_assert(std::is_same_v<sn::inference_form<BnInference>, BnInference>);
static_assert(std::is_same_v<sn::inference_form<NinInference>, NinInference>);

// ---- one small network per rule ---------------------------------------------------------

using BN = sn::BatchNormalization<>;

// BN after a linear Conv2D folds back into it (which gains a bias: use_bias was false).
using AfterConv = sn::Sequential<sn::Input<6, 7, 3>,
                                 sn::Conv2D<{.filters = 4, .kernel = {3, 3}, .padding = sn::same, .use_bias = false}>,
                                 BN,
                                 sn::Conv2D<{.filters = 5, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>,
                                 sn::Flatten, sn::Dense<{.units = 3}>>;
static_assert(std::is_same_v<sn::inference_form<AfterConv>,
                             sn::Sequential<sn::Input<6, 7, 3>,
                                            sn::Conv2D<{.filters = 4, .kernel = {3, 3}, .padding = sn::same}>,
                                            sn::Conv2D<{.filters = 5, .kernel = {3, 3}, .padding = sn::same,
                                                        .activation = sn::relu}>,
                                            sn::Flatten, sn::Dense<{.units = 3}>>>);
// 3*3*3*4 kernel + 4 new bias values; the BN's 16 are gone.
static_assert(AfterConv::params.total - sn::inference_form<AfterConv>::params.total == 16 - 4);

// BN after a linear Dense folds back into it.
using AfterDense = sn::Sequential<sn::Input<3, 4, 2>, sn::Flatten, sn::Dense<{.units = 6, .use_bias = false}>, BN,
                                  sn::Dense<{.units = 3, .activation = sn::relu}>, sn::Dense<{.units = 2}>>;
static_assert(std::is_same_v<sn::inference_form<AfterDense>,
                             sn::Sequential<sn::Input<3, 4, 2>, sn::Flatten, sn::Dense<{.units = 6}>,
                                            sn::Dense<{.units = 3, .activation = sn::relu}>, sn::Dense<{.units = 2}>>>);

// BN (after a ReLU) before Flatten + Dense folds into the Dense: channel = row % C.
using BeforeFlattenDense =
    sn::Sequential<sn::Input<5, 5, 2>, sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .activation = sn::relu}>, BN,
                   sn::Flatten, sn::Dense<{.units = 4, .use_bias = false}>>;
static_assert(std::is_same_v<sn::inference_form<BeforeFlattenDense>,
                             sn::Sequential<sn::Input<5, 5, 2>,
                                            sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .activation = sn::relu}>,
                                            sn::Flatten, sn::Dense<{.units = 4}>>>);

// BN on a flat tensor (after a ReLU Dense) folds into the next Dense directly.
using BeforeDense = sn::Sequential<sn::Input<2, 3, 2>, sn::Flatten, sn::Dense<{.units = 8, .activation = sn::relu}>,
                                   BN, sn::Dense<{.units = 3}>>;
static_assert(std::is_same_v<sn::inference_form<BeforeDense>,
                             sn::Sequential<sn::Input<2, 3, 2>, sn::Flatten,
                                            sn::Dense<{.units = 8, .activation = sn::relu}>, sn::Dense<{.units = 3}>>>);

// BN before a 'valid' Conv2D (kernel (3, 2), stride 2) folds into it.
using BeforeValidConv =
    sn::Sequential<sn::Input<7, 8, 3>,
                   sn::Conv2D<{.filters = 4, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>, BN,
                   sn::Conv2D<{.filters = 5, .kernel = {3, 2}, .strides = {2, 2}}>, sn::Flatten, sn::Dense<{.units = 3}>>;
static_assert(std::is_same_v<sn::inference_form<BeforeValidConv>,
                             sn::Sequential<sn::Input<7, 8, 3>,
                                            sn::Conv2D<{.filters = 4, .kernel = {3, 3}, .padding = sn::same,
                                                        .activation = sn::relu}>,
                                            sn::Conv2D<{.filters = 5, .kernel = {3, 2}, .strides = {2, 2}}>,
                                            sn::Flatten, sn::Dense<{.units = 3}>>>);

// 'same' that pads nothing folds too: 2x2 stride 2 on an even size (total padding
// (4 - 1) * 2 + 2 - 8 = 0), 1x1 stride 2 on an odd size ((4 - 1) * 2 + 1 - 7 = 0).
using BeforeSameUnpadded =
    sn::Sequential<sn::Input<8, 7, 3>,
                   sn::Conv2D<{.filters = 4, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>, BN,
                   sn::Conv2D<{.filters = 3, .kernel = {2, 1}, .strides = {2, 2}, .padding = sn::same,
                               .activation = sn::relu}>,
                   sn::Flatten, sn::Dense<{.units = 2}>>;
static_assert(sn::detail::total_padding(8, 2, 2, sn::same) == 0 && sn::detail::total_padding(7, 1, 2, sn::same) == 0);
static_assert(sn::inference_form<BeforeSameUnpadded>::depth == 5);  // the BN is gone

// BN before a 'same' 3x3 conv (padded: a border would see BN(0) = shift) becomes an Affine.
using BeforeSameConv =
    sn::Sequential<sn::Input<6, 6, 2>,
                   sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>, BN,
                   sn::Conv2D<{.filters = 4, .kernel = {3, 3}, .padding = sn::same}>, sn::Flatten, sn::Dense<{.units = 3}>>;
using BeforeSameConvInference =
    sn::Sequential<sn::Input<6, 6, 2>,
                   sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>,
                   sn::Affine, sn::Conv2D<{.filters = 4, .kernel = {3, 3}, .padding = sn::same}>, sn::Flatten,
                   sn::Dense<{.units = 3}>>;
static_assert(std::is_same_v<sn::inference_form<BeforeSameConv>, BeforeSameConvInference>);

// BN after a ReLU before MaxPool: an Affine (never folded across the pool).
using BeforePool =
    sn::Sequential<sn::Input<6, 6, 2>,
                   sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>, BN,
                   sn::MaxPool2D<{.pool = {2, 2}}>, sn::Flatten, sn::Dense<{.units = 3}>>;
static_assert(std::is_same_v<sn::inference_form<BeforePool>,
                             sn::Sequential<sn::Input<6, 6, 2>,
                                            sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .padding = sn::same,
                                                        .activation = sn::relu}>,
                                            sn::Affine, sn::MaxPool2D<{.pool = {2, 2}}>, sn::Flatten,
                                            sn::Dense<{.units = 3}>>>);

// Nor across the average poolings (not folded either way, though an average commutes with a
// per-channel affine map: the rule stays simple): a BN before AveragePooling2D or
// GlobalAveragePooling2D becomes an Affine; a BN after GlobalAveragePooling2D (flat C) folds
// into the Dense after it.
using AveragePools =
    sn::Sequential<sn::Input<6, 6, 2>,
                   sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>, BN,
                   sn::AveragePooling2D<{.pool = 2, .padding = sn::same}>,
                   sn::Conv2D<{.filters = 4, .kernel = 1, .activation = sn::relu}>, BN, sn::GlobalAveragePooling2D, BN,
                   sn::Dense<{.units = 3}>>;
static_assert(std::is_same_v<sn::inference_form<AveragePools>,
                             sn::Sequential<sn::Input<6, 6, 2>,
                                            sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .padding = sn::same,
                                                        .activation = sn::relu}>,
                                            sn::Affine, sn::AveragePooling2D<{.pool = 2, .padding = sn::same}>,
                                            sn::Conv2D<{.filters = 4, .kernel = 1, .activation = sn::relu}>,
                                            sn::Affine, sn::GlobalAveragePooling2D, sn::Dense<{.units = 3}>>>);
// A BN after an average pooling never folds back into the linear conv before the pooling.
using AfterAveragePool =
    sn::Sequential<sn::Input<6, 6, 2>, sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .padding = sn::same}>,
                   sn::AveragePooling2D<{.pool = 2}>, BN, sn::Activation<sn::relu>, sn::Conv2D<{.filters = 2, .kernel = 1}>,
                   sn::GlobalAveragePooling2D, BN, sn::Activation<sn::relu>, sn::Dense<{.units = 3}>>;
static_assert(std::is_same_v<sn::inference_form<AfterAveragePool>,
                             sn::Sequential<sn::Input<6, 6, 2>,
                                            sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .padding = sn::same}>,
                                            sn::AveragePooling2D<{.pool = 2}>, sn::Affine, sn::Activation<sn::relu>,
                                            sn::Conv2D<{.filters = 2, .kernel = 1}>, sn::GlobalAveragePooling2D,
                                            sn::Affine, sn::Activation<sn::relu>, sn::Dense<{.units = 3}>>>);

// ... nor across an activation layer.
using BeforeActivation = sn::Sequential<sn::Input<1, 1, 5>, sn::Flatten, sn::Dense<{.units = 6, .activation = sn::relu}>,
                                        BN, sn::Activation<sn::relu>, sn::Dense<{.units = 3}>>;
static_assert(std::is_same_v<sn::inference_form<BeforeActivation>,
                             sn::Sequential<sn::Input<1, 1, 5>, sn::Flatten,
                                            sn::Dense<{.units = 6, .activation = sn::relu}>, sn::Affine,
                                            sn::Activation<sn::relu>, sn::Dense<{.units = 3}>>>);

// Two BNs in a row (different epsilons) compose, then fold into the 1x1 conv after them.
using TwoInARow =
    sn::Sequential<sn::Input<5, 6, 3>,
                   sn::Conv2D<{.filters = 4, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>, BN,
                   sn::BatchNormalization<{.epsilon = 1e-2f}>, sn::Conv2D<{.filters = 3, .kernel = {1, 1}}>,
                   sn::Flatten, sn::Dense<{.units = 2}>>;
static_assert(std::is_same_v<sn::inference_form<TwoInARow>,
                             sn::Sequential<sn::Input<5, 6, 3>,
                                            sn::Conv2D<{.filters = 4, .kernel = {3, 3}, .padding = sn::same,
                                                        .activation = sn::relu}>,
                                            sn::Conv2D<{.filters = 3, .kernel = {1, 1}}>, sn::Flatten,
                                            sn::Dense<{.units = 2}>>>);

// BN, Dropout, BN: the Dropout goes and the two BNs compose into one Affine (before MaxPool).
using AcrossDropout =
    sn::Sequential<sn::Input<4, 4, 3>,
                   sn::Conv2D<{.filters = 2, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>, BN,
                   sn::Dropout<{.rate = 0.5f}>, BN, sn::MaxPool2D<{.pool = {2, 2}}>, sn::Flatten,
                   sn::Dense<{.units = 2}>>;
static_assert(std::is_same_v<sn::inference_form<AcrossDropout>,
                             sn::Sequential<sn::Input<4, 4, 3>,
                                            sn::Conv2D<{.filters = 2, .kernel = {3, 3}, .padding = sn::same,
                                                        .activation = sn::relu}>,
                                            sn::Affine, sn::MaxPool2D<{.pool = {2, 2}}>, sn::Flatten,
                                            sn::Dense<{.units = 2}>>>);

// Dropout layers are removed.
using WithDropout = sn::Sequential<sn::Input<1, 1, 6>, sn::Flatten, sn::Dense<{.units = 8, .activation = sn::relu}>,
                                   sn::Dropout<{.rate = 0.5f}>, sn::Dense<{.units = 3}>, sn::Dropout<{.rate = 0.1f}>>;
static_assert(std::is_same_v<sn::inference_form<WithDropout>,
                             sn::Sequential<sn::Input<1, 1, 6>, sn::Flatten,
                                            sn::Dense<{.units = 8, .activation = sn::relu}>, sn::Dense<{.units = 3}>>>);

// Both sides of one conv: a BN first in the network folds into the valid conv after it, the BN
// after that (linear) conv folds back into it; the BN before the padded ReLU conv would fold
// forward but prefers the linear conv before it; the last BN (after a ReLU) is an Affine.
using BothSides =
    sn::Sequential<sn::Input<6, 6, 2>, BN, sn::Conv2D<{.filters = 3, .kernel = {3, 3}}>, BN,
                   sn::Conv2D<{.filters = 4, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>, BN>;
static_assert(std::is_same_v<sn::inference_form<BothSides>,
                             sn::Sequential<sn::Input<6, 6, 2>, sn::Conv2D<{.filters = 3, .kernel = {3, 3}}>,
                                            sn::Conv2D<{.filters = 4, .kernel = {3, 3}, .padding = sn::same,
                                                        .activation = sn::relu}>,
                                            sn::Affine>>);

// ---- folded against unfolded ------------------------------------------------------------

// Keras initialisation, then biases and every BN parameter random: gamma = +-[0.5, 1.5)
// (negative ones too), beta and moving mean [-0.5, 0.5), moving variance [0.3, 2.3).
template <class Net, int B, class T>
void randomize(sn::Inference<Net, B, T>& net, std::uint64_t seed) {
    net.initialize(seed);
    sn::Rng rng(seed ^ 0xA5A5A5A5ull);
    for (int p = 1; p < Net::depth; ++p) {
        for (auto& v : net.parameter(p, "bias")) v = static_cast<T>(0.4 * rng.uniform() - 0.2);
        for (auto& v : net.parameter(p, "gamma")) {
            const double g = 0.5 + rng.uniform();
            v = static_cast<T>(rng.uniform() < 0.3 ? -g : g);
        }
        for (auto& v : net.parameter(p, "beta")) v = static_cast<T>(rng.uniform() - 0.5);
        for (auto& v : net.parameter(p, "moving_mean")) v = static_cast<T>(rng.uniform() - 0.5);
        for (auto& v : net.parameter(p, "moving_variance")) v = static_cast<T>(0.3 + 2.0 * rng.uniform());
    }
}

struct Agreement {
    double output = 0;  // max |difference| of the outputs (absolute for softmax, else / max |output|)
    double hidden = 0;  // the same for the last hidden layer (the head's input), / its max
};

// Difference of two spans: absolute, or relative to max |want|.
template <class T>
double difference(std::span<const T> got, std::span<const T> want, bool relative) {
    REQUIRE(got.size() == want.size());
    double diff = 0, scale = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
        diff = std::fmax(diff, std::fabs(static_cast<double>(got[i]) - static_cast<double>(want[i])));
        scale = std::fmax(scale, std::fabs(static_cast<double>(want[i])));
    }
    return relative ? diff / (scale > 0 ? scale : 1.0) : diff;
}

// Folds a randomised training network into its inference form, then lets `tamper` change the
// folded parameters (the controls), runs B random inputs through both and compares.
// with_hidden: the head's input is the same tensor in both forms (compare it too).
template <class Net, int B, class T, class Tamper>
Agreement compare_folded(std::uint64_t seed, bool with_hidden, Tamper&& tamper) {
    using Inf = sn::inference_form<Net>;
    static sn::Inference<Net, B, T> train;
    static sn::Inference<Inf, B, T> folded;
    randomize(train, seed);
    // Every folded value gets written: start from garbage to prove it.
    for (auto& v : folded.parameters()) v = std::numeric_limits<T>::quiet_NaN();
    REQUIRE(sn::fold_parameters<Net>(train.parameters(), folded.parameters()));
    tamper(folded);

    sn::Rng rng(seed + 99);
    std::vector<T> x(static_cast<std::size_t>(B) * Net::input_shape.size());
    for (auto& v : x) v = static_cast<T>(rng.uniform());
    std::vector<T> want_hidden, got_hidden;
    const auto yt = train.forward_each(x, B, [&](int p, const T* y) {
        if (p == Net::depth - 2)
            want_hidden.assign(y, y + static_cast<std::size_t>(B) * Net::shapes[p].size());
    });
    const std::vector<T> want(yt.begin(), yt.end());
    const auto yf = folded.forward_each(x, B, [&](int p, const T* y) {
        if (p == Inf::depth - 2) got_hidden.assign(y, y + static_cast<std::size_t>(B) * Inf::shapes[p].size());
    });
    const std::vector<T> got(yf.begin(), yf.end());
    Agreement a;
    const bool softmax = Net::output_activation == sn::softmax;
    a.output = difference<T>(got, want, !softmax);
    if (with_hidden) a.hidden = difference<T>(got_hidden, want_hidden, true);
    return a;
}

template <class Net, int B = 4, class T = float>
Agreement compare_folded(std::uint64_t seed, bool with_hidden = false) {
    return compare_folded<Net, B, T>(seed, with_hidden, [](auto&) {});
}

constexpr double tolerance = 1e-5;

// Three seeds in float; in double too where a fold formula runs (the double differences, near
// 1e-16, show the folds exact up to rounding; the Affine-only cases add nothing there but
// compile time).
template <class Net, bool also_double>
void expect_agreement(const char* what, std::uint64_t seed) {
    for (std::uint64_t s = seed; s < seed + 3; ++s) {
        const Agreement f = compare_folded<Net, 4, float>(s);
        double d = 0;
        if constexpr (also_double) d = compare_folded<Net, 4, double>(s).output;
        MESSAGE(std::string(what) << " (seed " << s << "): float " << f.output << ", double " << d);
        CHECK(f.output <= tolerance);
        CHECK(d <= 1e-13);
    }
}

}  // namespace

TEST_CASE("inference_form: folded predictions agree with the training form, one network per rule") {
    expect_agreement<AfterConv, true>("BN after a linear conv", 1);
    expect_agreement<AfterDense, true>("BN after a linear dense", 11);
    expect_agreement<BeforeFlattenDense, true>("BN before Flatten + Dense", 21);
    expect_agreement<BeforeDense, false>("BN before Dense", 31);
    expect_agreement<BeforeValidConv, true>("BN before a valid conv", 41);
    expect_agreement<BeforeSameUnpadded, false>("BN before an unpadded 'same' conv", 51);
    expect_agreement<BeforeSameConv, false>("BN before a padded conv (Affine)", 61);
    expect_agreement<BeforePool, false>("BN before MaxPool (Affine)", 71);
    expect_agreement<BeforeActivation, false>("BN before an activation (Affine)", 81);
    expect_agreement<AveragePools, true>("BN before the average poolings (Affine), after GAP (into Dense)", 131);
    expect_agreement<AfterAveragePool, false>("BN after the average poolings (Affine)", 141);
    expect_agreement<TwoInARow, true>("two BNs in a row", 91);
    expect_agreement<AcrossDropout, false>("BN, Dropout, BN", 101);
    expect_agreement<WithDropout, false>("Dropout removed", 111);
    expect_agreement<BothSides, true>("folds from both sides", 121);
}

TEST_CASE("inference_form: Bn and Nin folded agree with their training forms") {
    // 8 random images each, random weights and BN statistics; the softmax probabilities
    // compared absolutely, the 32 hidden units before the head relative to their maximum.
    for (std::uint64_t seed : {1u, 2u}) {
        const Agreement bf = compare_folded<Bn, 8, float>(seed, true);
        const Agreement nf = compare_folded<Nin, 8, float>(seed, true);
        const Agreement bd = compare_folded<Bn, 8, double>(seed, true);
        const Agreement nd = compare_folded<Nin, 8, double>(seed, true);
        MESSAGE("seed " << seed << ": Bn float probabilities " << bf.output << ", hidden " << bf.hidden
                        << "; double " << bd.output << ", " << bd.hidden);
        MESSAGE("seed " << seed << ": Nin float probabilities " << nf.output << ", hidden " << nf.hidden
                        << "; double " << nd.output << ", " << nd.hidden);
        CHECK(bf.output <= tolerance);
        CHECK(bf.hidden <= tolerance);
        CHECK(nf.output <= tolerance);
        CHECK(nf.hidden <= tolerance);
        CHECK(bd.hidden <= 1e-13);
        CHECK(nd.hidden <= 1e-13);
    }
}

TEST_CASE("inference_form controls: the comparison detects a wrong fold") {
    // One folded value off by a little: a bias of the first 1x1 conv (which took a BN) by 1e-3,
    // one Affine scale by 0.1 %, one kernel entry of the second folded 1x1 conv by 1 %. Each
    // shows. (The channels are ones whose ReLU fires for these inputs: with random weights
    // some 1x1 channels never do, and a change there is invisible, rightly.)
    const Agreement bias = compare_folded<Nin, 8, float>(1, true, [](auto& f) { f.parameter(2, "bias")[4] += 1e-3f; });
    const Agreement scale =
        compare_folded<Nin, 8, float>(1, true, [](auto& f) { f.parameter(3, "scale")[7] *= 1.001f; });
    const Agreement kernel =  // row 6, output channel 0
        compare_folded<Nin, 8, float>(1, true, [](auto& f) { f.parameter(6, "kernel")[6 * 16 + 0] *= 1.01f; });
    MESSAGE("perturbed: bias " << bias.hidden << ", scale " << scale.hidden << ", kernel " << kernel.hidden);
    CHECK(bias.hidden > tolerance);
    CHECK(scale.hidden > tolerance);
    CHECK(kernel.hidden > tolerance);

    // The rule that keeps a BN before a padded conv as an Affine is needed: folding it into the
    // 'same' 3x3 conv anyway (the formula for unpadded convs) is wrong at the borders.
    const Agreement wrong = compare_folded<BeforeSameConv, 4, float>(61, false, [](auto& f) {
        // f holds conv 1, Affine (s, t), conv 2, dense: move the Affine into conv 2 with the
        // formula for unpadded convs and leave an Affine that does nothing.
        auto s = f.parameter(2, "scale");
        auto t = f.parameter(2, "shift");
        auto k = f.parameter(3, "kernel");
        auto b = f.parameter(3, "bias");
        for (std::size_t r = 0; r < k.size() / 4; ++r)
            for (std::size_t o = 0; o < 4; ++o) {
                b[o] += k[r * 4 + o] * t[r % 3];
                k[r * 4 + o] *= s[r % 3];
            }
        for (auto& v : s) v = 1;
        for (auto& v : t) v = 0;
    });
    MESSAGE("BN folded into a padded conv: " << wrong.output);
    CHECK(wrong.output > 100 * tolerance);
}

// ---- a fold in a constant expression ------------------------------------------------------

namespace {

// Dense (no bias) then BN (linear, so the BN folds back into the Dense), then a Dense head.
using Tiny = sn::Sequential<sn::Input<1, 1, 2>, sn::Flatten, sn::Dense<{.units = 2, .use_bias = false}>,
                            sn::BatchNormalization<{.epsilon = 0.25f}>, sn::Dense<{.units = 1}>>;
using TinyInference =
    sn::Sequential<sn::Input<1, 1, 2>, sn::Flatten, sn::Dense<{.units = 2}>, sn::Dense<{.units = 1}>>;
static_assert(std::is_same_v<sn::inference_form<Tiny>, TinyInference>);
static_assert(Tiny::params.total == 15 && TinyInference::params.total == 9);

// Training layout (trainable first): kernel (2, 2) | gamma | beta | head kernel | head bias |
// moving_mean | moving_variance.
constexpr std::array<float, 15> tiny_trained = {
    1, 2, 3, 4,   // kernel [[1, 2], [3, 4]]
    3, -1,        // gamma
    1, 0,         // beta
    0.5f, -2,     // head kernel
    0.75f,        // head bias
    2, 0.5f,      // moving mean
    3.75f, 0.75f  // moving variance: + eps 0.25 = 4 and 1, roots 2 and 1
};
// scale = gamma / sqrt(var + eps) = (3 / 2, -1 / 1) = (1.5, -1)
// shift = beta - mean * scale     = (1 - 2 * 1.5, 0 - 0.5 * -1) = (-2, 0.5)
// kernel column o times scale[o]: [[1.5, -2], [4.5, -4]]; bias = 0 * scale + shift = (-2, 0.5)
constexpr auto tiny_folded = sn::fold_parameters<Tiny>(tiny_trained);
static_assert(std::is_same_v<decltype(tiny_folded), const std::array<float, 9>>);
static_assert(tiny_folded[0] == 1.5f && tiny_folded[1] == -2 && tiny_folded[2] == 4.5f && tiny_folded[3] == -4);
static_assert(tiny_folded[4] == -2 && tiny_folded[5] == 0.5f);
static_assert(tiny_folded[6] == 0.5f && tiny_folded[7] == -2 && tiny_folded[8] == 0.75f);  // the head, copied

// Every rule at once, with values that do not come out round: a BN folded forward into a valid
// conv, a run of two (different epsilons) folded back into the same conv, a BN before MaxPool
// (an Affine), and a BN on a flat tensor folded into the Dense after it.
using Mixed = sn::Sequential<sn::Input<4, 4, 2>, BN, sn::Conv2D<{.filters = 3, .kernel = {2, 2}}>, BN,
                             sn::BatchNormalization<{.epsilon = 0.01f}>,
                             sn::Conv2D<{.filters = 2, .kernel = {1, 1}, .activation = sn::relu}>, BN,
                             sn::MaxPool2D<{.pool = {3, 3}}>, sn::Flatten, BN, sn::Dense<{.units = 2}>>;
using MixedInference =
    sn::Sequential<sn::Input<4, 4, 2>, sn::Conv2D<{.filters = 3, .kernel = {2, 2}}>,
                   sn::Conv2D<{.filters = 2, .kernel = {1, 1}, .activation = sn::relu}>, sn::Affine,
                   sn::MaxPool2D<{.pool = {3, 3}}>, sn::Flatten, sn::Dense<{.units = 2}>>;
static_assert(std::is_same_v<sn::inference_form<Mixed>, MixedInference>);
static_assert(Mixed::params.total == 89 && MixedInference::params.total == 45);

// Random-looking parameters made by a constexpr generator: kernels in [-1, 1), biases, betas
// and means in [-0.5, 0.5), gammas and variances in [0.5, 1.5).
template <class Net>
constexpr std::array<float, Net::params.total> constexpr_parameters(std::uint64_t seed) {
    std::array<float, Net::params.total> a{};
    sn::Rng rng(seed);
    for (int p = 0; p < Net::depth; ++p)
        for (int k = 0; k < Net::param_specs[p].count; ++k) {
            const sn::ParamSpec& s = Net::param_specs[p].items[k];
            for (std::size_t i = 0; i < s.size; ++i) {
                const double u = rng.uniform();
                a[Net::param_slots[p][k].offset + i] =
                    static_cast<float>(s.init == sn::Init::glorot_uniform ? 2 * u - 1
                                       : s.init == sn::Init::ones        ? u + 0.5
                                                                         : u - 0.5);
            }
        }
    return a;
}
constexpr auto mixed_trained = constexpr_parameters<Mixed>(5);
constexpr auto mixed_folded = sn::fold_parameters<Mixed>(mixed_trained);

}  // namespace

TEST_CASE("fold_parameters in a constant expression: the run-time fold gives the same bits") {
    // The run-time fold reads the parameters from the heap, so the optimiser cannot fold it
    // at compile time: it runs with the build's floating-point code generation (-march=native,
    // contraction on, FMA available).
    const std::vector<float> trained(mixed_trained.begin(), mixed_trained.end());
    std::vector<float> folded(MixedInference::params.total, -1.0f);
    REQUIRE(sn::fold_parameters<Mixed>(std::span<const float>(trained), std::span<float>(folded)));
    for (std::size_t i = 0; i < folded.size(); ++i) {
        CAPTURE(i);
        CHECK(std::bit_cast<std::uint32_t>(folded[i]) == std::bit_cast<std::uint32_t>(mixed_folded[i]));
    }
    // And the constexpr-folded parameters predict what the training form does.
    static sn::Inference<Mixed, 3, float> train;
    static sn::Inference<MixedInference, 3, float> inference;
    std::copy(mixed_trained.begin(), mixed_trained.end(), train.parameters().begin());
    std::copy(mixed_folded.begin(), mixed_folded.end(), inference.parameters().begin());
    sn::Rng rng(7);
    std::vector<float> x(3 * Mixed::input_shape.size());
    for (auto& v : x) v = static_cast<float>(2 * rng.uniform() - 1);
    const auto yt = train.predict(x, 3);
    const std::vector<float> want(yt.begin(), yt.end());
    const auto yf = inference.predict(x, 3);
    const double d = difference<float>(std::span<const float>(yf.data(), yf.size()), want, true);
    MESSAGE("Mixed, constexpr fold: " << d);
    CHECK(d <= tolerance);

    // Spans that are too short are refused, and nothing is written.
    std::vector<float> short_out(MixedInference::params.total - 1, -1.0f);
    CHECK_FALSE(sn::fold_parameters<Mixed>(std::span<const float>(trained), std::span<float>(short_out)));
    CHECK(short_out[0] == -1.0f);
    CHECK_FALSE(sn::fold_parameters<Mixed>(std::span<const float>(trained.data(), 10), std::span<float>(folded)));
}

// ---- summary ----------------------------------------------------------------------------

TEST_CASE("summary of a folded network: Affine rows and the smaller totals") {
    static sn::Inference<sn::inference_form<Nin>, 1> nin;
    std::ostringstream s;
    nin.summary(s);
    const std::string text = s.str();
    CHECK(text.find("Total params: 31,530\n") != std::string::npos);
    CHECK(text.find("Trainable params: 31,530\n") != std::string::npos);
    CHECK(text.find("Non-trainable params: 0\n") != std::string::npos);
    CHECK(text.find("affine (Affine)              (None, 28, 28, 16)        32        \n") != std::string::npos);
    CHECK(text.find("affine_1 (Affine)            (None, 14, 14, 16)        32        \n") != std::string::npos);
    CHECK(text.find("BatchNormalization") == std::string::npos);
    CHECK(text.find("Dropout") == std::string::npos);

    std::ostringstream b;
    sn::print_keras_table<sn::inference_form<Bn>>(b);
    CHECK(b.str().find("Total params: 78,794\n") != std::string::npos);
    CHECK(b.str().find("affine_2 (Affine)            (None, 14, 14, 32)        64        \n") != std::string::npos);
}

// ---- constexpr_sqrt -----------------------------------------------------------------------

static_assert(sn::constexpr_sqrt(4.0) == 2.0 && sn::constexpr_sqrt(0.25f) == 0.5f);
static_assert(sn::constexpr_sqrt(2.0) == 0x1.6a09e667f3bcdp+0);  // 1.4142135623730951
static_assert(sn::constexpr_sqrt(2.0f) == 0x1.6a09e6p+0f);       // 1.41421354f
static_assert(sn::constexpr_sqrt(std::numeric_limits<double>::denorm_min()) == 0x1p-537);
static_assert(sn::constexpr_sqrt(std::numeric_limits<double>::max()) == 0x1.fffffffffffffp+511);
static_assert(sn::constexpr_sqrt(0.0) == 0.0 && std::bit_cast<std::uint64_t>(sn::constexpr_sqrt(-0.0)) == 1ull << 63);
static_assert(sn::constexpr_sqrt(std::numeric_limits<double>::infinity()) == std::numeric_limits<double>::infinity());
static_assert(sn::constexpr_sqrt(-1.0) != sn::constexpr_sqrt(-1.0));  // NaN

TEST_CASE("constexpr_sqrt is std::sqrt bit for bit (correctly rounded), float and double") {
    sn::Rng rng(2024);
    std::size_t mismatches = 0;
    for (int i = 0; i < 1'000'000; ++i) {
        const std::uint64_t bits = rng.next() & ~(1ull << 63);  // every positive double, subnormals included
        const double x = std::bit_cast<double>(bits);
        if (std::isnan(x)) continue;
        const float f = std::bit_cast<float>(static_cast<std::uint32_t>(bits >> 32) & 0x7fffffffu);
        mismatches += sn::constexpr_sqrt(x) != std::sqrt(x);
        if (!std::isnan(f)) mismatches += sn::constexpr_sqrt(f) != std::sqrt(f);
        // Near perfect squares, where rounding is decided in the last bits.
        const double r = std::floor(std::sqrt(static_cast<double>(i) * 1e9));
        for (double y : {r * r, std::nextafter(r * r, 0.0), std::nextafter(r * r, 1e300)})
            mismatches += sn::constexpr_sqrt(y) != std::sqrt(y);
    }
    CHECK(mismatches == 0);
}
