// The three seed networks as types: parameter counts, MACs, and the memory plans' byte totals,
// pinned at compile time. The pinned totals were checked by hand against a lower bound (the
// largest sum of buffers alive at one step, which any plan needs) and an upper bound (the sum
// of all buffers, a plan without reuse), and re-derived by an independent Python model of the
// liveness rules and the greedy planner. For all three networks the greedy plan reaches the
// lower bound exactly, so the pinned numbers are also the optimum for these lifetimes.
//
// Also: in-place aliasing at inference (BN, Dropout, Flatten, Activation share their input's
// buffer), and the training plan keeps every forward value that backward reads alive until
// that backward step - checked on the plan's lifetimes and by running a training step on the
// planned arena against the same step on an arena without any reuse (results must be equal).
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <examples/seed_networks.hpp>
#include <staticnet/core.hpp>

namespace sn = staticnet;
using sn::examples::Bn;
using sn::examples::Deep;
using sn::examples::Nin;

namespace {

template <class Net, int B>
using Train = sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, B>;

// ---- parameters ---------------------------------------------------------------------------
static_assert(Deep::params.total == 78'602 && Deep::params.trainable == 78'602 && Deep::params.non_trainable == 0);
// 79,114 = 78,858 + 256: four BN layers on 32 channels, 2 x 32 moving statistics each.
static_assert(Bn::params.total == 79'114 && Bn::params.trainable == 78'858 && Bn::params.non_trainable == 256);
// 31,850 = 31,658 + 192: BN on 32, 16, 32, 16 channels -> 2 x (32 + 16 + 32 + 16) = 192.
static_assert(Nin::params.total == 31'850 && Nin::params.trainable == 31'658 && Nin::params.non_trainable == 192);

// ---- MACs per sample (conv: out_h * out_w * filters * kh * kw * cin; dense: in * units) ----
// Deep: conv 28*28*32*9*1  =   225,792
//       conv 28*28*32*9*32 = 7,225,344
//       conv 14*14*32*9*32 = 1,806,336  (x 2)
//       dense 7*7*32 * 32  =    50,176
//       dense 32 * 10      =       320
//                      total 11,114,304
static_assert(Deep::macs_per_sample == 225'792 + 7'225'344 + 2 * 1'806'336 + 50'176 + 320);
static_assert(Deep::macs_per_sample == 11'114'304);
// Bn: the same convolutions and dense layers; BN and Dropout count no MACs.
static_assert(Bn::macs_per_sample == 11'114'304);
// Nin: conv 28*28*32*9*1   = 225,792
//      conv 28*28*16*1*32  = 401,408   (1x1 reduction)
//      conv 14*14*32*9*16  = 903,168
//      conv 14*14*16*1*32  = 100,352
//      dense 7*7*16 * 32   =  25,088
//      dense 32 * 10       =     320
//                    total 1,656,128
static_assert(Nin::macs_per_sample == 225'792 + 401'408 + 903'168 + 100'352 + 25'088 + 320);
static_assert(Nin::macs_per_sample == 1'656'128);

// ---- bounds on a plan, independent of the planner's offsets -------------------------------
template <class Plan>
constexpr std::size_t peak_live(const Plan& plan) {
    int last_step = 0;
    for (const auto& b : plan.buffers) last_step = b.last > last_step ? b.last : last_step;
    std::size_t peak = 0;
    for (int t = 0; t <= last_step; ++t) {
        std::size_t live = 0;
        for (const auto& b : plan.buffers)
            if (b.first <= t && t <= b.last) live += b.size;
        peak = live > peak ? live : peak;
    }
    return peak;
}
// Upper bound: every buffer at its own place, each rounded up to the 16-element alignment.
template <class Plan>
constexpr std::size_t rounded_sum(const Plan& plan) {
    std::size_t s = 0;
    for (const auto& b : plan.buffers) s += sn::round_up(b.size, 16);
    return s;
}
template <class Plan>
constexpr bool within_bounds(const Plan& plan) {
    return plan.valid() && plan.total >= peak_live(plan) && plan.total <= rounded_sum(plan);
}

// ---- inference arena, float (16-element = 64-byte alignment) ------------------------------
// Per-sample tensor sizes: 28x28x1 = 784, 28x28x32 = 25,088, 14x14x32 = 6,272, 7x7x32 = 1,568,
// 28x28x16 = 12,544, 14x14x16 = 3,136, 7x7x16 = 784.
//
// On the SIMD path the 3x3 32->32 convolutions run Winograd F(2x2, 3x3) and need their
// transformed kernel (16 x 32 x 32 = 16,384 elements) while they run: a planned scratch entry
// alive at that layer's step only (wino below; 0 where the scalar kernels run).
constexpr std::size_t wino =
    sn::kernels::simd::winograd_applies<sn::Conv2D<sn::examples::conv3x3_32>::geometry<sn::Shape{28, 28, 32, 3}>(), float>()
        ? 16 * 32 * 32
        : 0;
static_assert(wino == 0 || sn::kernels::simd::vectorizable<float, sn::kernels::simd::default_arch>);
//
// Deep, batch 1: a conv reads one buffer and writes another, so at step 2 (conv 2) the outputs
// of conv 1 and conv 2 are both alive, with conv 2's scratch: lower bound 2 x 25,088 + wino
// = 66,560 elements. The greedy plan puts conv 1 at 0 and conv 2 at 25,088, the scratch above,
// and every later tensor (all smaller, and only ever two alive together, with a scratch at
// conv 3 and conv 4) fits below. 66,560 x 4 bytes = 266,240 (200,704 without the scratch).
static_assert(sn::Inference<Deep, 1>::arena_bytes == (50'176 + wino) * 4);
static_assert(sn::Inference<Deep, 1>::plan.total == 50'176 + wino &&
              peak_live(sn::Inference<Deep, 1>::plan) == 50'176 + wino);
// Batch 64: every tensor x 64 (all multiples of 16, so rounding adds nothing); one scratch.
static_assert(sn::Inference<Deep, 64>::arena_bytes == 12'845'056 + wino * 4);
// Bn: the BN and Dropout layers run in place, so the same two 25,088 buffers (and the scratch)
// are the peak (conv 1 -> BN in place -> conv 2 writes a second buffer): the same bytes.
static_assert(sn::Inference<Bn, 1>::arena_bytes == (50'176 + wino) * 4);
static_assert(sn::Inference<Bn, 64>::arena_bytes == 12'845'056 + wino * 4);
// Nin: conv 1 (25,088) is read by the 1x1 conv writing 12,544: 37,632 elements alive at step 3;
// everything after is smaller (the 3x3 16->32 conv's Winograd scratch of 8,192 at 14x14 too).
// 37,632 x 4 = 150,528 bytes; x 64 = 9,633,792.
static_assert(sn::Inference<Nin, 1>::arena_bytes == 150'528);
static_assert(sn::Inference<Nin, 1>::plan.total == 25'088 + 12'544);
static_assert(sn::Inference<Nin, 64>::arena_bytes == 9'633'792);
// double: twice the bytes (8-element alignment; the same element counts; Winograd serves
// double too).
static_assert(sn::Inference<Deep, 1, double>::arena_bytes == 2 * (50'176 + wino) * 4);
static_assert(sn::Inference<Nin, 64, double>::arena_bytes == 2 * 9'633'792);

static_assert(within_bounds(sn::Inference<Deep, 1>::plan) && within_bounds(sn::Inference<Deep, 64>::plan));
static_assert(within_bounds(sn::Inference<Bn, 1>::plan) && within_bounds(sn::Inference<Bn, 64>::plan));
static_assert(within_bounds(sn::Inference<Nin, 1>::plan) && within_bounds(sn::Inference<Nin, 64>::plan));
// per sample 784 + 2 x 25,088 + 3 x 6,272 + 1,568 + 32 + 10 = 71,386 (Flatten has no buffer),
// plus three scratch entries (conv 2, 3, 4) that do not grow with the batch
static_assert(sn::Inference<Deep, 64>::plan.unplanned_total() == 71'386 * 64 + 3 * wino);
static_assert(rounded_sum(sn::Inference<Deep, 1>::plan) == 71'392 + 3 * wino);  // 10 -> 16

// ---- training arena, float, batch 64 ----------------------------------------------------------
// Every layer of these networks reads its input in backward (conv, dense, BN, max pool) except
// Flatten and Dropout, so almost every activation stays alive until its consumer's backward.
// The peak is during backward, when the early (big) activations, the current gradient and the
// gradient being written are all alive.
//
// Deep, peak at step 18 (backward of conv 2): input 784 + conv 1 out 25,088 + conv 2 out
// 25,088 (relu derivative) + dL/d(conv 2 out) 25,088 + dL/d(conv 1 out) 25,088
// = 101,136 per sample; x 64 = 6,472,704 elements = 25,890,816 bytes (upper bound, no reuse:
// 9,287,936 elements).
static_assert(Train<Deep, 64>::training_arena_bytes == 25'890'816);
static_assert(Train<Deep, 64>::train_plan.total == 101'136 * 64);
static_assert(peak_live(Train<Deep, 64>::train_plan) == 101'136 * 64);
static_assert(Train<Deep, 64>::train_plan.unplanned_total() == 9'287'936);
// Bn, peak at step 21 (backward of conv 9): input 784 + four 28x28x32 tensors (conv 1, BN 2,
// conv 3, BN 4) 100,352 + five 14x14x32 tensors (pool 5, conv 6, BN 7, BN 8, conv 9) 31,360
// + two 14x14x32 gradients 12,544 = 145,040 per sample; x 64 = 9,282,560 elements
// = 37,130,240 bytes (no reuse: 17,320,192 elements).
static_assert(Train<Bn, 64>::training_arena_bytes == 37'130'240);
static_assert(Train<Bn, 64>::train_plan.total == 145'040 * 64);
static_assert(peak_live(Train<Bn, 64>::train_plan) == 145'040 * 64);
static_assert(Train<Bn, 64>::train_plan.unplanned_total() == 17'320'192);
// Nin, peak at step 22 (backward of the second 1x1 conv, position 8): input 784 + conv 1 and
// BN 2 (2 x 25,088) + 1x1 conv 3 and BN 4 (2 x 12,544) + pool 5 3,136 + conv 6 and BN 7
// (2 x 6,272) + conv 8 3,136 + gradients of tensors 7 (6,272) and 8 (3,136)
// = 104,272 per sample; x 64 = 6,673,408 elements = 26,693,632 bytes (no reuse: 12,704,000).
static_assert(Train<Nin, 64>::training_arena_bytes == 26'693'632);
static_assert(Train<Nin, 64>::train_plan.total == 104'272 * 64);
static_assert(peak_live(Train<Nin, 64>::train_plan) == 104'272 * 64);
static_assert(Train<Nin, 64>::train_plan.unplanned_total() == 12'704'000);
static_assert(within_bounds(Train<Deep, 64>::train_plan) && within_bounds(Train<Bn, 64>::train_plan) &&
              within_bounds(Train<Nin, 64>::train_plan));
// Batch 1 (per-sample numbers above, float): Deep 404,544, Bn 580,160, Nin 417,088 bytes.
static_assert(Train<Deep, 1>::training_arena_bytes == 101'136 * 4);
static_assert(Train<Bn, 1>::training_arena_bytes == 145'040 * 4);
static_assert(Train<Nin, 1>::training_arena_bytes == 104'272 * 4);
// One arena serves both plans in a Model: its size is the larger one.
static_assert(Train<Nin, 64>::arena_elements == Train<Nin, 64>::train_plan.total);

// ---- in-place aliasing at inference -------------------------------------------------------------
template <class Net>
constexpr bool aliasing_as_declared() {
    for (int p = 1; p < Net::depth; ++p) {
        const bool shares = Net::inference_buffer_of[p] == Net::inference_buffer_of[p - 1];
        if (shares != Net::in_place_inference[p]) return false;
        // an aliased tensor has no buffer of its own
        const auto plan = Net::template inference_plan<1, float>();
        if (shares && plan.buffers[p].size != 0) return false;
        if (!shares && plan.buffers[p].size != Net::shapes[p].size()) return false;
    }
    return true;
}
static_assert(aliasing_as_declared<Deep>() && aliasing_as_declared<Bn>() && aliasing_as_declared<Nin>());
// Which positions share: Deep's Flatten (7); Bn's BN (2, 4, 7, 8), Flatten (11), Dropout (13).
static_assert(Deep::inference_buffer_of == std::array<int, 10>{0, 1, 2, 3, 4, 5, 6, 6, 8, 9});
static_assert(Bn::inference_buffer_of ==
              std::array<int, 15>{0, 1, 1, 3, 3, 5, 6, 6, 6, 9, 10, 10, 12, 12, 14});
static_assert(Nin::inference_buffer_of ==
              std::array<int, 15>{0, 1, 1, 3, 3, 5, 6, 6, 8, 8, 10, 10, 12, 12, 14});
// An Activation layer is in place too.
using WithActivation = sn::Sequential<sn::Input<4, 4, 2>, sn::Conv2D<{.filters = 3, .kernel = {3, 3}}>,
                                      sn::Activation<sn::relu>, sn::Flatten, sn::Dense<{.units = 5}>,
                                      sn::Activation<sn::softmax>>;
static_assert(WithActivation::inference_buffer_of == std::array<int, 6>{0, 1, 1, 1, 4, 4});
static_assert(aliasing_as_declared<WithActivation>());

// ---- training lifetimes: every value backward reads is alive at that backward step ----------------
template <class Net>
constexpr bool training_lifetimes_cover_uses() {
    constexpr int D = Net::depth;
    constexpr int L = Net::layer_count;
    const auto plan = Net::template training_plan<2, float>();
    auto alive = [&](int entry, int step) {
        return plan.buffers[entry].size > 0 && plan.buffers[entry].first <= step && step <= plan.buffers[entry].last;
    };
    for (int p = 1; p <= L; ++p) {
        // forward of p at step p: reads tensor p - 1, writes tensor p
        if (!alive(p - 1, p) || !alive(p, p)) return false;
        if (plan.buffers[p].first != p) return false;  // not written before its step
        const int b = Net::backward_step(p);
        if (b <= L + 1) return false;  // backward comes after the loss
        // backward of p: reads dL/d(tensor p), writes dL/d(tensor p - 1) (none for p = 1)
        if (!alive(D + p, b)) return false;
        if (p > 1 && !alive(D + p - 1, b)) return false;
        if (p > 1 && plan.buffers[D + p - 1].first != b) return false;
        // and the forward values it declares it needs
        if (Net::needs_input[p] && !alive(p - 1, b)) return false;
        if (Net::needs_output[p] && !alive(p, b)) return false;
    }
    // the loss at step L + 1 reads the output and writes its gradient
    if (!alive(L, L + 1) || !alive(D + L, L + 1)) return false;
    // the gradient of the input is never needed
    if (plan.buffers[D].size != 0) return false;
    return plan.valid();
}
static_assert(training_lifetimes_cover_uses<Deep>());
static_assert(training_lifetimes_cover_uses<Bn>());
static_assert(training_lifetimes_cover_uses<Nin>());
static_assert(training_lifetimes_cover_uses<WithActivation>());
// What the layers of these networks declare: conv/dense/BN/pool read their input in backward;
// relu/softmax layers read their output; Flatten and Dropout read neither.
static_assert(Nin::needs_input == std::array<bool, 15>{false, true, true, true, true, true, true, true, true, true,
                                                       true, false, true, false, true});
static_assert(Nin::needs_output == std::array<bool, 15>{false, true, false, true, false, false, true, false, true,
                                                        false, false, false, true, false, true});

// A plan with the same buffers and no reuse at all: every buffer at its own place.
template <class Plan>
constexpr Plan without_reuse(Plan plan) {
    std::size_t at = 0;
    for (std::size_t i = 0; i < Plan::count; ++i) {
        plan.offset[i] = at;
        at += sn::round_up(plan.buffers[i].size, 16);
    }
    plan.total = at;
    return plan;
}

template <class Net, int B>
struct Unplanned {
    static constexpr auto plan = without_reuse(Net::template training_plan<B, float>());
    static_assert(plan.valid());
    alignas(64) float params[Net::params.total];
    alignas(64) float grads[Net::params.trainable];
    alignas(64) float state[Net::state_size];
    alignas(64) float arena[plan.total];

    // The same calls as Model::compute_gradients, over the unplanned arena.
    sn::LossResult step(const float* x, const std::int32_t* labels, int n, std::uint64_t seed, std::uint64_t t) {
        using R = sn::detail::Runner<Net, float>;
        constexpr int D = Net::depth;
        for (std::size_t i = 0; i < static_cast<std::size_t>(n) * Net::input_shape.size(); ++i)
            arena[plan.offset[0] + i] = x[i];
        R::forward_training(plan, params, state, arena, n, seed, t, /*update_statistics=*/true, sn::Parallel{},
                            std::make_index_sequence<Net::layer_count>{});
        const auto r = sn::SparseCategoricalCrossentropy::evaluate(arena + plan.offset[D - 1], labels, n,
                                                                   Net::output_shape.c, arena + plan.offset[2 * D - 1]);
        R::backward(plan, params, grads, state, arena, n, seed, t, true, sn::Parallel{},
                    std::make_index_sequence<Net::layer_count>{});
        return r;
    }
};

template <class Net, int B>
void check_planned_equals_unplanned() {
    static Train<Net, B> model;
    static Unplanned<Net, B> reference;
    static float x[B * Net::input_shape.size()];
    static std::int32_t labels[B];
    sn::Rng rng(5);
    for (auto& v : x) v = static_cast<float>(rng.below(256));  // raw MNIST-like pixels 0..255
    for (auto& l : labels) l = static_cast<std::int32_t>(rng.below(10));
    model.initialize(11);
    for (int t = 0; t < 3; ++t) {
        const auto p = model.parameters();
        for (std::size_t i = 0; i < p.size(); ++i) reference.params[i] = p[i];
        const auto mine = model.compute_gradients(x, labels, B);
        REQUIRE(mine.status == sn::StepStatus::ok);
        const auto ref = reference.step(x, labels, B, model.seed(), model.step());
        CAPTURE(t);
        CHECK(mine.loss == ref.loss);
        CHECK(mine.correct == ref.correct);
        const auto g = model.gradients();
        std::size_t differ = 0;
        for (std::size_t i = 0; i < g.size(); ++i) differ += g[i] != reference.grads[i] ? 1 : 0;
        CHECK(differ == 0);
        // moving statistics updated the same way
        const auto after = model.parameters();
        std::size_t stats_differ = 0;
        for (std::size_t i = Net::params.trainable; i < after.size(); ++i)
            stats_differ += after[i] != reference.params[i] ? 1 : 0;
        CHECK(stats_differ == 0);
        model.apply_gradients();
    }
}

template <class Net>
void check_inference_aliasing() {
    static sn::Inference<Net, 2> net;
    net.initialize(3);
    static float x[2 * Net::input_shape.size()];
    for (std::size_t i = 0; i < std::size(x); ++i) x[i] = static_cast<float>(i % 255);
    std::array<const float*, Net::depth> at{};
    at[0] = net.input_buffer().data();
    const auto y = net.forward_each(x, 2, [&](int p, const float* out) { at[p] = out; });
    REQUIRE(y.size() == 2 * Net::output_shape.size());
    CHECK(y.data() == at[Net::depth - 1]);
    for (int p = 1; p < Net::depth; ++p) {
        CAPTURE(p);
        CHECK((at[p] == at[p - 1]) == Net::in_place_inference[p]);
    }
    // outputs are probabilities
    for (int s = 0; s < 2; ++s) {
        float sum = 0;
        for (int j = 0; j < 10; ++j) sum += y[s * 10 + j];
        CHECK(sum == doctest::Approx(1.0f).epsilon(1e-5));
    }
}

}  // namespace

TEST_CASE("seed networks: pinned numbers at run time too") {
    CHECK(Deep::params.total == 78'602);
    CHECK(Bn::params.total == 79'114);
    CHECK(Bn::params.trainable == 78'858);
    CHECK(Nin::params.total == 31'850);
    CHECK(Nin::params.trainable == 31'658);
    CHECK(Deep::macs_per_sample == 11'114'304);
    CHECK(Bn::macs_per_sample == 11'114'304);
    CHECK(Nin::macs_per_sample == 1'656'128);

    CHECK(sn::Inference<Deep, 1>::arena_bytes == (50'176 + wino) * 4);
    CHECK(sn::Inference<Deep, 64>::arena_bytes == 12'845'056 + wino * 4);
    CHECK(sn::Inference<Bn, 1>::arena_bytes == (50'176 + wino) * 4);
    CHECK(sn::Inference<Bn, 64>::arena_bytes == 12'845'056 + wino * 4);
    CHECK(sn::Inference<Nin, 1>::arena_bytes == 150'528);
    CHECK(sn::Inference<Nin, 64>::arena_bytes == 9'633'792);

    CHECK(Train<Deep, 64>::training_arena_bytes == 25'890'816);
    CHECK(Train<Bn, 64>::training_arena_bytes == 37'130'240);
    CHECK(Train<Nin, 64>::training_arena_bytes == 26'693'632);

    CHECK(within_bounds(Train<Bn, 64>::train_plan));
    CHECK(within_bounds(sn::Inference<Nin, 64>::plan));
}

TEST_CASE("inference: BN, Dropout, Flatten and Activation write over their input") {
    check_inference_aliasing<Deep>();
    check_inference_aliasing<Bn>();
    check_inference_aliasing<Nin>();
}

TEST_CASE("training on the planned arena gives the same results as without any reuse") {
    check_planned_equals_unplanned<Nin, 4>();
    check_planned_equals_unplanned<Bn, 4>();
    check_planned_equals_unplanned<Deep, 4>();
}
