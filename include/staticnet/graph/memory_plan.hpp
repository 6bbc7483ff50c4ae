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

// The orders the planner tries (plan_memory_best); plan_memory uses by_size.
enum class PlanOrder { by_size, by_area, by_start, by_lifetime, by_end, by_late_start };

namespace detail {
constexpr std::size_t lifetime(const BufferUse& u) { return static_cast<std::size_t>(u.last - u.first + 1); }
// Whether b goes before a in `order` (ties: the earlier buffer, then the lower index).
constexpr bool placed_before(PlanOrder order, const BufferUse& b, const BufferUse& a) {
    switch (order) {
        case PlanOrder::by_size: break;
        case PlanOrder::by_area: {
            const std::size_t ab = mul_sizes(b.size, lifetime(b)), aa = mul_sizes(a.size, lifetime(a));
            if (ab != aa) return ab > aa;
            break;
        }
        case PlanOrder::by_start:
            if ((b.size == 0) != (a.size == 0)) return a.size == 0;
            if (b.first != a.first) return b.first < a.first;
            break;
        case PlanOrder::by_lifetime:
            if (lifetime(b) != lifetime(a)) return lifetime(b) > lifetime(a);
            break;
        case PlanOrder::by_end:
            if ((b.size == 0) != (a.size == 0)) return a.size == 0;
            if (b.last != a.last) return b.last > a.last;
            break;
        case PlanOrder::by_late_start:
            if ((b.size == 0) != (a.size == 0)) return a.size == 0;
            if (b.first != a.first) return b.first > a.first;
            break;
    }
    return b.size > a.size || (b.size == a.size && b.first < a.first);
}
}  // namespace detail

namespace detail {
// The buffers with a size, in the order they are placed.
template <std::size_t N>
struct PlacementOrder {
    std::array<std::size_t, N> at{};
    std::size_t count = 0;
};

template <std::size_t N>
constexpr PlacementOrder<N> placement_order(const std::array<BufferUse, N>& uses, PlanOrder how) {
    PlacementOrder<N> o;
    // Insertion sort (stable and constexpr).
    for (std::size_t k = 0; k < N; ++k) {
        if (uses[k].size == 0) continue;
        std::size_t j = o.count++;
        while (j > 0 && placed_before(how, uses[k], uses[o.at[j - 1]])) {
            o.at[j] = o.at[j - 1];
            --j;
        }
        o.at[j] = k;
    }
    return o;
}

// Places the buffers in `order`, each at the lowest offset that does not collide with an already
// placed buffer whose lifetime overlaps; buffers of size 0 get offset 0.
template <std::size_t N>
constexpr MemoryPlan<N> place_buffers(const std::array<BufferUse, N>& uses, std::size_t align,
                                      const PlacementOrder<N>& order) {
    MemoryPlan<N> plan;
    plan.buffers = uses;
    for (std::size_t oi = 0; oi < order.count; ++oi) {
        const std::size_t b = order.at[oi];
        const std::size_t size = round_up(uses[b].size, align);
        std::size_t candidate = 0;
        // Move the candidate past every colliding placed buffer until none collides.
        bool moved = true;
        while (moved) {
            moved = false;
            for (std::size_t q = 0; q < oi; ++q) {
                const std::size_t p = order.at[q];
                if (!MemoryPlan<N>::lifetimes_overlap(uses[p], uses[b])) continue;
                const std::size_t ps = round_up(uses[p].size, align);
                if (candidate < add_sizes(plan.offset[p], ps) && plan.offset[p] < add_sizes(candidate, size)) {
                    candidate = add_sizes(plan.offset[p], ps);
                    moved = true;
                }
            }
        }
        plan.offset[b] = candidate;
        if (add_sizes(candidate, size) > plan.total) plan.total = add_sizes(candidate, size);
    }
    return plan;
}
}  // namespace detail

// `align` in elements: every offset is a multiple of it (64 bytes for float: 16). Places the
// buffers one by one in `order` (by default the largest first), each at the lowest offset that
// does not collide with an already placed buffer whose lifetime overlaps.
template <std::size_t N>
constexpr MemoryPlan<N> plan_memory(const std::array<BufferUse, N>& uses, std::size_t align,
                                    PlanOrder how = PlanOrder::by_size) {
    return detail::place_buffers(uses, align, detail::placement_order(uses, how));
}

// The most elements alive at one step (each buffer rounded up to `align`): no plan is smaller.
template <std::size_t N>
constexpr std::size_t peak_live(const std::array<BufferUse, N>& uses, std::size_t align) {
    int last_step = 0;
    for (const auto& u : uses) last_step = u.last > last_step ? u.last : last_step;
    std::size_t peak = 0;
    for (int t = 0; t <= last_step; ++t) {
        std::size_t live = 0;
        for (const auto& u : uses)
            if (u.first <= t && t <= u.last) live = add_sizes(live, round_up(u.size, align));
        peak = live > peak ? live : peak;
    }
    return peak;
}

// What the networks use: greedy by size (TFLite Micro's order) first; when that is above the
// peak of live buffers (branches can make it so), the other orders too, keeping the smallest
// plan (the first of equals). A chain's plan is the by-size one. (A local search over the order
// was tried: within GCC's constexpr operation limit it found nothing the six orders miss.)
template <std::size_t N>
constexpr MemoryPlan<N> plan_memory_best(const std::array<BufferUse, N>& uses, std::size_t align) {
    MemoryPlan<N> best = plan_memory(uses, align, PlanOrder::by_size);
    const std::size_t floor = peak_live(uses, align);
    for (PlanOrder how : {PlanOrder::by_area, PlanOrder::by_start, PlanOrder::by_lifetime, PlanOrder::by_end,
                          PlanOrder::by_late_start}) {
        if (best.total <= floor) break;
        const MemoryPlan<N> other = plan_memory(uses, align, how);
        if (other.total < best.total) best = other;
    }
    return best;
}

}  // namespace staticnet
