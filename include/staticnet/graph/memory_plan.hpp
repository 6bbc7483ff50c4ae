// Compile-time memory planning: buffers with liveness intervals placed in one arena,
// greedy by size (the largest buffer first, each at the lowest offset that does not collide
// with an already placed buffer whose lifetime overlaps), as TFLite Micro's greedy planner
// does at run time - here it runs in the compiler.
#pragma once
#include <array>
#include <cstddef>

#include "../core/sizes.hpp"

namespace staticnet {

// One buffer: `size` elements, alive from step `first` to step `last` inclusive.
struct BufferUse {
    std::size_t size = 0;
    int first = 0;
    int last = 0;
};

template <std::size_t N>
struct MemoryPlan {
    std::array<BufferUse, N> buffers{};
    std::array<std::size_t, N> offset{};  // in elements
    std::size_t total = 0;                // arena elements
    static constexpr std::size_t count = N;

    static constexpr bool lifetimes_overlap(const BufferUse& a, const BufferUse& b) {
        return a.first <= b.last && b.first <= a.last;
    }
    // True when no two buffers that are alive at the same step share an element.
    constexpr bool valid() const {
        for (std::size_t i = 0; i < N; ++i) {
            if (add_sizes(offset[i], buffers[i].size) > total) return false;
            for (std::size_t j = i + 1; j < N; ++j) {
                if (buffers[i].size == 0 || buffers[j].size == 0) continue;
                if (!lifetimes_overlap(buffers[i], buffers[j])) continue;
                const bool apart = add_sizes(offset[i], buffers[i].size) <= offset[j] ||
                                   add_sizes(offset[j], buffers[j].size) <= offset[i];
                if (!apart) return false;
            }
        }
        return true;
    }
    // Sum of all buffer sizes: what a planner without reuse would need.
    constexpr std::size_t unplanned_total() const {
        std::size_t s = 0;
        for (const auto& b : buffers) s = add_sizes(s, b.size);
        return s;
    }
};

// Saturating: a size within a - 1 of size_overflow stays size_overflow.
constexpr std::size_t round_up(std::size_t v, std::size_t a) {
    return v > size_overflow - (a - 1) ? size_overflow : (v + a - 1) / a * a;
}

// `align` in elements: every offset is a multiple of it (64 bytes for float: 16).
template <std::size_t N>
constexpr MemoryPlan<N> plan_memory(const std::array<BufferUse, N>& uses, std::size_t align) {
    MemoryPlan<N> plan;
    plan.buffers = uses;
    std::array<std::size_t, N> order{};
    for (std::size_t i = 0; i < N; ++i) order[i] = i;
    // Insertion sort: larger first, then earlier first (stable and constexpr).
    for (std::size_t i = 1; i < N; ++i) {
        const std::size_t k = order[i];
        std::size_t j = i;
        while (j > 0) {
            const auto& a = uses[order[j - 1]];
            const auto& b = uses[k];
            const bool before = b.size > a.size || (b.size == a.size && b.first < a.first);
            if (!before) break;
            order[j] = order[j - 1];
            --j;
        }
        order[j] = k;
    }
    std::array<bool, N> placed{};
    for (std::size_t oi = 0; oi < N; ++oi) {
        const std::size_t b = order[oi];
        const std::size_t size = round_up(uses[b].size, align);
        std::size_t candidate = 0;
        if (size > 0) {
            // Move the candidate past every colliding placed buffer until none collides.
            bool moved = true;
            while (moved) {
                moved = false;
                for (std::size_t p = 0; p < N; ++p) {
                    if (!placed[p] || uses[p].size == 0) continue;
                    if (!MemoryPlan<N>::lifetimes_overlap(uses[p], uses[b])) continue;
                    const std::size_t ps = round_up(uses[p].size, align);
                    if (candidate < add_sizes(plan.offset[p], ps) && plan.offset[p] < add_sizes(candidate, size)) {
                        candidate = add_sizes(plan.offset[p], ps);
                        moved = true;
                    }
                }
            }
        }
        plan.offset[b] = candidate;
        placed[b] = true;
        if (add_sizes(candidate, size) > plan.total) plan.total = add_sizes(candidate, size);
    }
    return plan;
}

}  // namespace staticnet
