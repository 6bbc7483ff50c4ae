// SIMD BatchNormalization kernels against the reference: the phase kernels (sums, squared
// deviations, affine, backward sums, backward input) and the three composed kernels (inference,
// training, backward), on channel counts around the vector widths and row counts around the
// summation block; float and double, the build's architecture and (where the build allows)
// AVX2+FMA. Also: the phases run over row groups combine to the one-group result.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <staticnet/kernels/reference/batch_norm.hpp>
#include <staticnet/kernels/simd/batch_norm.hpp>

#include "kernels/support.hpp"

namespace {

namespace ref = staticnet::kernels::reference;
namespace simd = staticnet::kernels::simd;
namespace kt = kernel_test;

// Tolerance, relative to max(1, largest |reference value|) of each output (check_close).
// The SIMD kernels do the reference's operations in the reference's order (channels are
// independent lanes), so the plain sums agree to the bit (checked with check_equal), and so does
// everything when nothing is contracted (-ffp-contract=off: measured 0 difference). With GCC's
// default -ffp-contract=fast one version may fuse a multiply-add that the other rounds twice
// (e.g. the -O3-vectorised reference): 1/2 ulp of a product per term. In a sum of `rows` such
// terms the differences add like a random walk, ~sqrt(rows)/2 ulps of the largest term: about
// 8 ulps (1e-6 float, 2e-15 double) for the 252 rows below. Tolerances 1e-5 / 1e-14 leave a
// 5-10x margin; measured (rows up to 12544, -O3 -march=native): 1.5e-7 float, 2.9e-16 double.
template <class T>
constexpr double tolerance() {
    return sizeof(T) == sizeof(float) ? 1e-5 : 1e-14;
}

template <int C, class Arch, class T>
void check_case(std::size_t rows, double offset) {
    const std::string what = std::string(kt::type_name<T>()) + " C=" + std::to_string(C) +
                             " rows=" + std::to_string(rows) + " offset=" + std::to_string(offset) +
                             " arch=" + Arch::name();
    CAPTURE(what);
    constexpr double tol = tolerance<T>();
    const std::size_t n = rows * C;
    const auto x = kt::random_values<T>(n, 71 + n + C, offset - 1.0, offset + 1.0);
    const auto gy = kt::random_values<T>(n, 72 + n);
    const auto gamma = kt::random_values<T>(C, 73, 0.5, 1.5);
    const auto beta = kt::random_values<T>(C, 74);
    const auto mean = kt::random_values<T>(C, 75, offset - 0.2, offset + 0.2);
    const auto var = kt::random_values<T>(C, 76, 0.1, 2.0);
    const auto inv_std = kt::random_values<T>(C, 77, 0.5, 3.0);
    const auto a = kt::random_values<T>(C, 78);
    const auto mg = kt::random_values<T>(C, 79, -0.1, 0.1);
    const auto mgx = kt::random_values<T>(C, 80, -0.1, 0.1);
    const T eps = T(1e-3);

    // Phases.
    {
        std::vector<T> s_ref(C), s_simd(C, T(7));
        ref::batch_norm_sums<C>(x.data(), rows, s_ref.data());
        simd::batch_norm_sums<C, Arch>(x.data(), rows, s_simd.data());
        kt::check_equal(s_ref, s_simd, what + " sums (same order: equal)");

        ref::batch_norm_squared_deviation_sums<C>(x.data(), rows, mean.data(), s_ref.data());
        simd::batch_norm_squared_deviation_sums<C, Arch>(x.data(), rows, mean.data(), s_simd.data());
        kt::check_close(s_ref, s_simd, tol, what + " squared deviation sums");

        std::vector<T> y_ref(n), y_simd(n, T(7));
        ref::batch_norm_affine<C>(x.data(), y_ref.data(), rows, gamma.data(), beta.data());
        simd::batch_norm_affine<C, Arch>(x.data(), y_simd.data(), rows, gamma.data(), beta.data());
        kt::check_close(y_ref, y_simd, tol, what + " affine");
        auto y_inplace = x;
        simd::batch_norm_affine<C, Arch>(y_inplace.data(), y_inplace.data(), rows, gamma.data(), beta.data());
        kt::check_equal(y_simd, y_inplace, what + " affine in place");

        std::vector<T> g_ref(C), g_simd(C, T(7)), gx_ref(C), gx_simd(C, T(7));
        ref::batch_norm_backward_sums<C>(x.data(), gy.data(), rows, mean.data(), inv_std.data(), g_ref.data(),
                                         gx_ref.data());
        simd::batch_norm_backward_sums<C, Arch>(x.data(), gy.data(), rows, mean.data(), inv_std.data(),
                                                g_simd.data(), gx_simd.data());
        kt::check_equal(g_ref, g_simd, what + " backward sums of g (same order: equal)");
        kt::check_close(gx_ref, gx_simd, tol, what + " backward sums of g*xhat");

        std::vector<T> in_ref(n), in_simd(n, T(7));
        ref::batch_norm_backward_input<C>(x.data(), gy.data(), in_ref.data(), rows, mean.data(), inv_std.data(),
                                          a.data(), mg.data(), mgx.data());
        simd::batch_norm_backward_input<C, Arch>(x.data(), gy.data(), in_simd.data(), rows, mean.data(),
                                                 inv_std.data(), a.data(), mg.data(), mgx.data());
        kt::check_close(in_ref, in_simd, tol, what + " backward input");
        auto in_inplace = gy;
        simd::batch_norm_backward_input<C, Arch>(x.data(), in_inplace.data(), in_inplace.data(), rows, mean.data(),
                                                 inv_std.data(), a.data(), mg.data(), mgx.data());
        kt::check_equal(in_simd, in_inplace, what + " backward input in place");
    }

    // Inference.
    {
        std::vector<T> y_ref(n), y_simd(n, T(7));
        ref::batch_norm_inference<C>(x.data(), y_ref.data(), rows, gamma.data(), beta.data(), mean.data(),
                                     var.data(), eps);
        simd::batch_norm_inference<C, Arch>(x.data(), y_simd.data(), rows, gamma.data(), beta.data(), mean.data(),
                                            var.data(), eps);
        kt::check_close(y_ref, y_simd, tol, what + " inference");
    }

    // Training, then backward from its saved statistics.
    for (bool moving : {true, false}) {
        const T momentum = T(0.99);
        std::vector<T> y_ref(n), y_simd(n, T(7));
        auto mm_ref = mean, mv_ref = var, mm_simd = mean, mv_simd = var;
        std::vector<T> sm_ref(C), si_ref(C), sm_simd(C, T(7)), si_simd(C, T(7));
        ref::batch_norm_training<C>(x.data(), y_ref.data(), rows, gamma.data(), beta.data(),
                                    moving ? mm_ref.data() : nullptr, moving ? mv_ref.data() : nullptr, momentum,
                                    eps, sm_ref.data(), si_ref.data());
        simd::batch_norm_training<C, Arch>(x.data(), y_simd.data(), rows, gamma.data(), beta.data(),
                                           moving ? mm_simd.data() : nullptr, moving ? mv_simd.data() : nullptr,
                                           momentum, eps, sm_simd.data(), si_simd.data());
        kt::check_equal(sm_ref, sm_simd, what + " training saved mean (same sums: equal)");
        kt::check_close(si_ref, si_simd, tol, what + " training saved inv_std");
        kt::check_close(y_ref, y_simd, tol, what + " training output");
        kt::check_close(mm_ref, mm_simd, tol, what + " training moving mean");
        kt::check_close(mv_ref, mv_simd, tol, what + " training moving variance");
        auto y_inplace = x;
        std::vector<T> sm2(C), si2(C);
        simd::batch_norm_training<C, Arch>(y_inplace.data(), y_inplace.data(), rows, gamma.data(), beta.data(),
                                           static_cast<T*>(nullptr), static_cast<T*>(nullptr), momentum, eps,
                                           sm2.data(), si2.data());
        kt::check_equal(y_simd, y_inplace, what + " training in place");

        for (bool with_gx : {true, false}) {
            std::vector<T> gx_ref(n), gx_simd(n, T(7)), gg_ref(C), gb_ref(C), gg_simd(C, T(7)), gb_simd(C, T(7));
            ref::batch_norm_backward<C>(x.data(), gy.data(), with_gx ? gx_ref.data() : nullptr, rows, gamma.data(),
                                        sm_ref.data(), si_ref.data(), gg_ref.data(), gb_ref.data());
            simd::batch_norm_backward<C, Arch>(x.data(), gy.data(), with_gx ? gx_simd.data() : nullptr, rows,
                                               gamma.data(), sm_ref.data(), si_ref.data(), gg_simd.data(),
                                               gb_simd.data());
            kt::check_equal(gb_ref, gb_simd, what + " backward beta gradient (same sums: equal)");
            kt::check_close(gg_ref, gg_simd, tol, what + " backward gamma gradient");
            if (with_gx) kt::check_close(gx_ref, gx_simd, tol, what + " backward input gradient");
            else
                CHECK(std::count(gx_simd.begin(), gx_simd.end(), T(7)) == static_cast<std::ptrdiff_t>(n));  // untouched
        }
    }
}

// The sums phase over row groups of one sum block each, added in group order, gives the
// one-group sums to the bit (the same block sums, added in the same order). Larger groups
// associate the block sums differently: equal within rounding only.
template <int C, class Arch, class T>
void check_groups() {
    const std::size_t rows = 5 * ref::sum_block + 17;
    const auto x = kt::random_values<T>(rows * C, 81);
    std::vector<T> whole(C), total(C, T(0)), part(C);
    simd::batch_norm_sums<C, Arch>(x.data(), rows, whole.data());
    for (std::size_t r0 = 0; r0 < rows; r0 += ref::sum_block) {
        const std::size_t r1 = r0 + ref::sum_block < rows ? r0 + ref::sum_block : rows;
        simd::batch_norm_sums<C, Arch>(x.data() + r0 * C, r1 - r0, part.data());
        for (int c = 0; c < C; ++c) total[c] += part[c];
    }
    kt::check_equal(whole, total, std::string("sums over groups of one block ") + kt::type_name<T>());
}

template <int C>
void check_channels() {
    const auto for_type = [&]<class T>() {
        kt::for_each_arch([&]<class Arch>() {
            for (std::size_t rows : {1, 2, 5, 63, 64, 65, 200}) check_case<C, Arch, T>(rows, 0.0);
            check_case<C, Arch, T>(63 * 4, 3.0);  // batch 63 of 2x2 pixels, mean far from 0
            check_groups<C, Arch, T>();
        });
    };
    for_type.template operator()<float>();
    for_type.template operator()<double>();
}

}  // namespace

TEST_CASE("simd batch norm matches the reference: C below one vector (reference path)") {
    check_channels<1>();
    check_channels<3>();
}

TEST_CASE("simd batch norm matches the reference: C around the vector widths") {
    check_channels<9>();
    check_channels<16>();
    check_channels<17>();
}

TEST_CASE("simd batch norm matches the reference: the seed networks' channels and wide layers") {
    check_channels<32>();
    check_channels<33>();
    check_channels<80>();   // 5 vectors of 16 floats: one full block of 4 and a rest
    check_channels<130>();  // several blocks and a 2-element tail (float AVX-512), a 2-vector rest
}

TEST_CASE("simd batch norm with compile-time row counts (constant-folded loops build without warnings)") {
    constexpr std::size_t rows = 64 * 14 * 14;
    constexpr int C = 16;
    const auto x = kt::random_values<float>(rows * C, 91);
    const auto gy = kt::random_values<float>(rows * C, 92);
    const std::vector<float> gamma(C, 1.5f), beta(C, 0.25f);
    std::vector<float> y_ref(rows * C), y_simd(rows * C), gx_ref(rows * C), gx_simd(rows * C);
    std::vector<float> sm(C), si(C), sm2(C), si2(C), gg(C), gb(C), gg2(C), gb2(C);
    ref::batch_norm_training<C>(x.data(), y_ref.data(), rows, gamma.data(), beta.data(), static_cast<float*>(nullptr),
                                static_cast<float*>(nullptr), 0.99f, 1e-3f, sm.data(), si.data());
    simd::batch_norm_training<C>(x.data(), y_simd.data(), rows, gamma.data(), beta.data(), static_cast<float*>(nullptr),
                                 static_cast<float*>(nullptr), 0.99f, 1e-3f, sm2.data(), si2.data());
    kt::check_close(y_ref, y_simd, tolerance<float>(), "constant rows training");
    ref::batch_norm_backward<C>(x.data(), gy.data(), gx_ref.data(), rows, gamma.data(), sm.data(), si.data(), gg.data(),
                                gb.data());
    simd::batch_norm_backward<C>(x.data(), gy.data(), gx_simd.data(), rows, gamma.data(), sm.data(), si.data(),
                                 gg2.data(), gb2.data());
    kt::check_close(gx_ref, gx_simd, tolerance<float>(), "constant rows backward");
    kt::check_close(gg, gg2, tolerance<float>(), "constant rows gamma gradient");
}
