// plan_memory on hand-made buffer lists: reuse happens, nothing alive at the same time
// overlaps, the greedy result of a small example is pinned, zero-size buffers cost nothing,
// and MemoryPlan::valid() notices an injected overlap.
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <staticnet/core.hpp>

namespace sn = staticnet;

namespace {

// The largest sum of sizes alive at one step: no valid plan can be smaller than this.
template <std::size_t N>
constexpr std::size_t peak_live(const std::array<sn::BufferUse, N>& uses) {
    int last_step = 0;
    for (const auto& u : uses) last_step = u.last > last_step ? u.last : last_step;
    std::size_t peak = 0;
    for (int t = 0; t <= last_step; ++t) {
        std::size_t live = 0;
        for (const auto& u : uses)
            if (u.first <= t && t <= u.last) live += u.size;
        peak = live > peak ? live : peak;
    }
    return peak;
}

// A, B, C: a chain (A -> B -> C) while D lives throughout; E has size 0.
//   A: 10 elements, steps 0..1     B: 20, steps 1..2     C: 10, steps 2..3
//   D:  5 elements, steps 0..3     E:  0, step 1
constexpr std::array<sn::BufferUse, 5> chain{{{10, 0, 1}, {20, 1, 2}, {10, 2, 3}, {5, 0, 3}, {0, 1, 1}}};

// Greedy by size (ties: earlier first), lowest offset that collides with nothing placed:
//   B (20) -> 0
//   A (10) overlaps B in time (step 1), [0, 20) is taken -> 20
//   C (10) overlaps B (step 2), not A (A ends at step 1): 20 is free again -> 20   (reuse)
//   D (5)  overlaps all three: 0 hits B -> 20 hits A and C -> 30
//   E (0)  -> 0, no space
// total 35 = the peak live size (step 1: A + B + D = 35), so the plan is also optimal;
// without reuse it would be 45.
constexpr auto chain_plan = sn::plan_memory(chain, 1);
static_assert(chain_plan.offset == std::array<std::size_t, 5>{20, 0, 20, 30, 0});
static_assert(chain_plan.total == 35);
static_assert(chain_plan.valid());
static_assert(chain_plan.unplanned_total() == 45);
static_assert(peak_live(chain) == 35);

// With an alignment of 4 elements every size is rounded up (10 -> 12, 5 -> 8):
//   B -> 0, A -> 20, C -> 20, D: 0 hits B, 20 hits A/C ([20, 32)) -> 32; total 32 + 8 = 40.
constexpr auto chain_plan4 = sn::plan_memory(chain, 4);
static_assert(chain_plan4.offset == std::array<std::size_t, 5>{20, 0, 20, 32, 0});
static_assert(chain_plan4.total == 40);
static_assert(chain_plan4.valid());

// Buffers that are never alive together all share offset 0.
constexpr std::array<sn::BufferUse, 4> disjoint{{{7, 0, 0}, {3, 1, 1}, {9, 2, 2}, {1, 3, 3}}};
static_assert(sn::plan_memory(disjoint, 1).offset == std::array<std::size_t, 4>{0, 0, 0, 0});
static_assert(sn::plan_memory(disjoint, 1).total == 9);

// Buffers that are all alive together are stacked, largest first: 9 at 0, 7 at 9, 3 at 16, 1 at 19.
constexpr std::array<sn::BufferUse, 4> together{{{7, 0, 3}, {3, 0, 3}, {9, 0, 3}, {1, 0, 3}}};
static_assert(sn::plan_memory(together, 1).offset == std::array<std::size_t, 4>{9, 16, 0, 19});
static_assert(sn::plan_memory(together, 1).total == 20);

// Zero-size buffers: offset 0, no arena, never a collision.
constexpr std::array<sn::BufferUse, 3> empties{{{0, 0, 5}, {0, 0, 5}, {0, 2, 2}}};
static_assert(sn::plan_memory(empties, 16).total == 0);
static_assert(sn::plan_memory(empties, 16).valid());
static_assert(sn::plan_memory(empties, 16).offset == std::array<std::size_t, 3>{0, 0, 0});

// A buffer that dies early leaves its place to a later one of the same or smaller size:
//   X 10 [0, 2], Y 8 [0, 0], Z 6 [1, 2], W 4 [1, 1]
//   X -> 0; Y -> 10; Z overlaps X (and not Y: Y ends at step 0) -> 10; W overlaps X, Z -> 16.
constexpr std::array<sn::BufferUse, 4> gap{{{10, 0, 2}, {8, 0, 0}, {6, 1, 2}, {4, 1, 1}}};
static_assert(sn::plan_memory(gap, 1).offset == std::array<std::size_t, 4>{0, 10, 10, 16});
static_assert(sn::plan_memory(gap, 1).total == 20);
static_assert(peak_live(gap) == 20);

}  // namespace

TEST_CASE("plan_memory: reuse, no overlap, pinned greedy result") {
    const auto plan = sn::plan_memory(chain, 1);
    CHECK(plan.total == 35);
    CHECK(plan.offset[0] == plan.offset[2]);  // A and C share memory: they are never alive together
    CHECK(plan.total < plan.unplanned_total());
    CHECK(plan.valid());
}

TEST_CASE("MemoryPlan::valid detects an injected overlap") {
    auto plan = sn::plan_memory(chain, 1);
    REQUIRE(plan.valid());

    auto moved = plan;
    moved.offset[3] = 25;  // D [25, 30) now overlaps A and C ([20, 30)), alive at the same steps
    CHECK_FALSE(moved.valid());

    auto shared = plan;
    shared.offset[0] = 0;  // A onto B: both alive at step 1
    CHECK_FALSE(shared.valid());

    auto past_end = plan;
    past_end.offset[3] = 31;  // D [31, 36) is past total 35
    CHECK_FALSE(past_end.valid());

    auto harmless = plan;
    harmless.offset[2] = 0;  // C onto B's place would overlap B (both alive at step 2)...
    CHECK_FALSE(harmless.valid());
    harmless.offset[2] = 20;
    harmless.offset[0] = 20;  // ...but A and C on the same place is fine (never alive together)
    CHECK(harmless.valid());

    auto zero = plan;
    zero.offset[4] = 3;  // a zero-size buffer inside B: occupies nothing
    CHECK(zero.valid());

    // Lifetimes touching at one step overlap (inclusive intervals): writer and reader of a
    // tensor must not share memory.
    CHECK(sn::MemoryPlan<2>::lifetimes_overlap({1, 0, 3}, {1, 3, 4}));
    CHECK_FALSE(sn::MemoryPlan<2>::lifetimes_overlap({1, 0, 2}, {1, 3, 4}));
}

TEST_CASE("plan_memory on pseudo-random lists: valid, between the peak live size and the sum") {
    sn::Rng rng(2024);
    for (int round = 0; round < 500; ++round) {
        std::array<sn::BufferUse, 12> uses{};
        for (auto& u : uses) {
            u.size = rng.below(4) == 0 ? 0 : 1 + rng.below(100);
            u.first = static_cast<int>(rng.below(10));
            u.last = u.first + static_cast<int>(rng.below(5));
        }
        for (std::size_t align : {std::size_t{1}, std::size_t{16}}) {
            const auto plan = sn::plan_memory(uses, align);
            CAPTURE(round);
            CAPTURE(align);
            CHECK(plan.valid());
            CHECK(plan.total >= peak_live(uses));
            std::size_t rounded_sum = 0;
            for (const auto& u : uses) rounded_sum += sn::round_up(u.size, align);
            CHECK(plan.total <= rounded_sum);
            for (std::size_t i = 0; i < uses.size(); ++i) CHECK(plan.offset[i] % align == 0);
        }
    }
}
