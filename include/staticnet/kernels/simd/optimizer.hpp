// SIMD optimizer kernels (see kernels/reference/optimizer.hpp for the formulas).
//
// The vector loops use the reference's operations in the reference's order, written with plain
// operators (no explicit fma): where the compiler does not contract (-ffp-contract=off, as the
// firmware comparisons build) they give the reference's bits; elsewhere the compiler may fuse
// multiply-adds in either version, a difference of an ulp or so per update.
//
// Every element goes through the same compiled vector code wherever it falls (see
// optimizer_detail): updating [0, n) in one call or in several ranges gives the same bits.
#pragma once
#include <cstddef>
#include <utility>

#include "../reference/optimizer.hpp"
#include "simd.hpp"

namespace staticnet::kernels::simd {

#if STATICNET_HAS_XSIMD
namespace optimizer_detail {

// Each update exists as ONE compiled loop body (noinline, noclone) that runs over whole
// vectors; the last count % L elements are staged through L-element buffers and go through the
// same body. The compiler may contract a*b + c*d into an fma either way, and makes that choice
// separately for each copy of inlined code; with a single copy every element is computed by the
// same instructions wherever it falls, so updating [0, n) in one call or in any split into
// ranges (one per thread) gives the same bits.
#if defined(__clang__)
#define STATICNET_ONE_COPY __attribute__((noinline))
#else
#define STATICNET_ONE_COPY __attribute__((noinline, noclone))
#endif

template <class Arch, class T>
STATICNET_ONE_COPY void adam_vectors(T* theta, const T* g, T* m, T* v, std::size_t vectors, const T* k) {
    using B = batch<T, Arch>;
    constexpr std::size_t L = B::size;
    const B b1(k[0]), b2(k[1]), omb1(k[2]), omb2(k[3]), lr(k[4]), eps(k[5]);
    for (std::size_t j = 0; j < vectors * L; j += L) {
        const B gi = B::load_unaligned(g + j);
        const B mi = b1 * B::load_unaligned(m + j) + omb1 * gi;
        const B vi = b2 * B::load_unaligned(v + j) + omb2 * gi * gi;
        mi.store_unaligned(m + j);
        vi.store_unaligned(v + j);
        (B::load_unaligned(theta + j) - lr * mi / (xsimd::sqrt(vi) + eps)).store_unaligned(theta + j);
    }
}

template <class Arch, class T>
STATICNET_ONE_COPY void sgd_vectors(T* theta, const T* g, T* velocity, std::size_t vectors, T lr, T momentum,
                                    bool nesterov) {
    using B = batch<T, Arch>;
    constexpr std::size_t L = B::size;
    const B lrb(lr), mu(momentum);
    if (!velocity) {
        for (std::size_t j = 0; j < vectors * L; j += L)
            (B::load_unaligned(theta + j) - lrb * B::load_unaligned(g + j)).store_unaligned(theta + j);
        return;
    }
    for (std::size_t j = 0; j < vectors * L; j += L) {
        const B gi = B::load_unaligned(g + j);
        const B vel = mu * B::load_unaligned(velocity + j) - lrb * gi;
        vel.store_unaligned(velocity + j);
        const B th = B::load_unaligned(theta + j);
        (nesterov ? th + (mu * vel - lrb * gi) : th + vel).store_unaligned(theta + j);
    }
}

#undef STATICNET_ONE_COPY

// Copies the first `rest` elements of src into an L-element buffer, the rest `pad`.
template <std::size_t L, class T>
inline void stage(const T* src, std::size_t rest, T pad, T (&buffer)[L]) {
    for (std::size_t l = 0; l < L; ++l) buffer[l] = l < rest ? src[l] : pad;
}
template <std::size_t L, class T>
inline void unstage(const T (&buffer)[L], std::size_t rest, T* dst) {
    for (std::size_t l = 0; l < rest; ++l) dst[l] = buffer[l];
}

}  // namespace optimizer_detail
#endif

template <class Arch = default_arch, class T>
void adam_update(T* theta, const T* g, T* m, T* v, std::size_t count, T lr_t, T beta_1, T beta_2, T epsilon) {
    if constexpr (!vectorizable<T, Arch>) {
        reference::adam_update(theta, g, m, v, count, lr_t, beta_1, beta_2, epsilon);
    } else {
#if STATICNET_HAS_XSIMD
        namespace d = optimizer_detail;
        constexpr std::size_t L = batch<T, Arch>::size;
        const T k[6] = {beta_1, beta_2, T(1) - beta_1, T(1) - beta_2, lr_t, epsilon};
        const std::size_t full = count / L * L, rest = count - full;
        if (full) d::adam_vectors<Arch>(theta, g, m, v, full / L, k);
        if (!rest) return;
        T tb[L], gb[L], mb[L], vb[L];
        d::stage(theta + full, rest, T(0), tb);
        d::stage(g + full, rest, T(0), gb);
        d::stage(m + full, rest, T(0), mb);
        d::stage(v + full, rest, T(1), vb);  // v = 1 keeps the padding lanes finite
        d::adam_vectors<Arch>(tb, gb, mb, vb, 1, k);
        d::unstage(tb, rest, theta + full);
        d::unstage(mb, rest, m + full);
        d::unstage(vb, rest, v + full);
#endif
    }
}

template <class Arch = default_arch, class T>
void sgd_update(T* theta, const T* g, T* velocity, std::size_t count, T lr, T momentum, bool nesterov) {
    if constexpr (!vectorizable<T, Arch>) {
        reference::sgd_update(theta, g, velocity, count, lr, momentum, nesterov);
    } else {
#if STATICNET_HAS_XSIMD
        namespace d = optimizer_detail;
        constexpr std::size_t L = batch<T, Arch>::size;
        if (momentum == T(0)) velocity = nullptr;
        const std::size_t full = count / L * L, rest = count - full;
        if (full) d::sgd_vectors<Arch>(theta, g, velocity, full / L, lr, momentum, nesterov);
        if (!rest) return;
        T tb[L], gb[L], vb[L];
        d::stage(theta + full, rest, T(0), tb);
        d::stage(g + full, rest, T(0), gb);
        if (velocity) d::stage(velocity + full, rest, T(0), vb);
        d::sgd_vectors<Arch>(tb, gb, velocity ? vb : nullptr, 1, lr, momentum, nesterov);
        d::unstage(tb, rest, theta + full);
        if (velocity) d::unstage(vb, rest, velocity + full);
#endif
    }
}

}  // namespace staticnet::kernels::simd
