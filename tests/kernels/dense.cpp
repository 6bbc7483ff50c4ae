// SIMD Dense kernels against the reference: forward (plain, fused ReLU), kernel/bias gradients
// (whole and item by item), input gradient; unit counts below, at and above the vector width,
// with tails; float and double; batch 1, 5 and 63.
#include <doctest/doctest.h>

#include <staticnet/kernels/reference/dense.hpp>
#include <staticnet/kernels/simd/dense.hpp>
#include <string>
#include <vector>

#include "kernels/support.hpp"

namespace {

namespace sn = staticnet;
namespace kt = kernel_test;

template <int In, int Out, bool UseBias, class Arch, class T>
void check_dense(int n) {
    const std::string what = "dense " + std::to_string(In) + "->" + std::to_string(Out) + (UseBias ? "" : " no bias") +
                             " " + kt::type_name<T>() + " n=" + std::to_string(n) + " arch=" + Arch::name();
    CAPTURE(what);
    const auto x = kt::random_values<T>(static_cast<std::size_t>(n) * In, 21);
    const auto k = kt::random_values<T>(static_cast<std::size_t>(In) * Out, 22);
    const auto b = kt::random_values<T>(static_cast<std::size_t>(Out), 23);
    const auto gz = kt::random_values<T>(static_cast<std::size_t>(n) * Out, 24);
    constexpr double tol = kt::sum_tolerance<T>();

    std::vector<T> y_ref(static_cast<std::size_t>(n) * Out), y_simd(y_ref.size(), T(7));
    sn::kernels::reference::dense_forward<In, Out, UseBias>(x.data(), k.data(), b.data(), y_ref.data(), n);
    sn::kernels::simd::dense_forward<In, Out, UseBias, sn::ActivationFunction::linear, Arch>(x.data(), k.data(), b.data(),
                                                                                           y_simd.data(), n);
    kt::check_close(y_ref, y_simd, tol, what + " forward");
    sn::kernels::reference::dense_forward<In, Out, UseBias, sn::ActivationFunction::relu>(x.data(), k.data(), b.data(),
                                                                                         y_ref.data(), n);
    sn::kernels::simd::dense_forward<In, Out, UseBias, sn::ActivationFunction::relu, Arch>(x.data(), k.data(), b.data(),
                                                                                         y_simd.data(), n);
    kt::check_close(y_ref, y_simd, tol, what + " forward relu");

    std::vector<T> gk_ref(k.size()), gk_simd(k.size(), T(7)), gb_ref(b.size()), gb_simd(b.size(), T(7));
    sn::kernels::reference::dense_backward_params<In, Out, UseBias>(x.data(), gz.data(), gk_ref.data(), gb_ref.data(), n);
    sn::kernels::simd::dense_backward_params<In, Out, UseBias, Arch>(x.data(), gz.data(), gk_simd.data(), gb_simd.data(), n);
    kt::check_close(gk_ref, gk_simd, tol, what + " kernel gradient");
    if (UseBias) kt::check_close(gb_ref, gb_simd, tol, what + " bias gradient");

    std::vector<T> gx_ref(x.size()), gx_simd(x.size(), T(7)), scratch(k.size());
    sn::kernels::reference::dense_backward_input<In, Out>(k.data(), gz.data(), gx_ref.data(), scratch.data(), n);
    sn::kernels::simd::dense_backward_input<In, Out, Arch>(k.data(), gz.data(), gx_simd.data(), scratch.data(), n);
    kt::check_close(gx_ref, gx_simd, tol, what + " input gradient");
}

template <class T>
void check_all(int n) {
    kt::for_each_arch([&]<class Arch>() {
        check_dense<1568, 32, true, Arch, T>(n);  // the seed networks' first Dense
        check_dense<32, 10, true, Arch, T>(n);    // their softmax head: units below one vector
        check_dense<37, 19, true, Arch, T>(n);    // tails everywhere
        check_dense<5, 50, false, Arch, T>(n);    // several vectors of units plus a tail, no bias
    });
}

TEST_CASE("simd dense against the reference, float") {
    for (int n : {1, 5, 63}) check_all<float>(n);
}

TEST_CASE("simd dense against the reference, double") {
    for (int n : {1, 5}) check_all<double>(n);
}

TEST_CASE("simd dense: a hand-computed case, and a sample's output does not depend on the batch") {
    // x = (1, 2), kernel ((1, -1), (0.5, 2)), bias (0.25, 0): y = (1 + 1 + 0.25, -1 + 4) = (2.25, 3).
    const float x[2] = {1, 2}, k[4] = {1, -1, 0.5f, 2}, b[2] = {0.25f, 0};
    float y[2];
    sn::kernels::simd::dense_forward<2, 2, true>(x, k, b, y, 1);
    CHECK(y[0] == 2.25f);
    CHECK(y[1] == 3.0f);
    const auto xs = kt::random_values<float>(7 * 100, 31), ks = kt::random_values<float>(100 * 48, 32);
    const auto bs = kt::random_values<float>(48, 33);
    std::vector<float> all(7 * 48), one(48);
    sn::kernels::simd::dense_forward<100, 48, true>(xs.data(), ks.data(), bs.data(), all.data(), 7);
    sn::kernels::simd::dense_forward<100, 48, true>(xs.data() + 6 * 100, ks.data(), bs.data(), one.data(), 1);
    for (int o = 0; o < 48; ++o) CHECK(all[6 * 48 + static_cast<std::size_t>(o)] == one[static_cast<std::size_t>(o)]);
}

}  // namespace
