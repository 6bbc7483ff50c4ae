// Deterministic, counter-based random numbers (SplitMix64's finaliser). Used for weight
// initialisation, dropout masks and shuffling, so every run is reproducible from one seed and
// a dropout mask can be recomputed in backward instead of stored.
#pragma once
#include <cstdint>

namespace staticnet {

constexpr std::uint64_t mix64(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// SplitMix64 stream.
class Rng {
public:
    constexpr explicit Rng(std::uint64_t seed = 0) : state_(seed) {}
    constexpr std::uint64_t next() {
        state_ += 0x9E3779B97F4A7C15ull;
        return mix64(state_);
    }
    // Uniform in [0, 1) with 53 random bits.
    constexpr double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    // Uniform integer in [0, n) without modulo bias (Lemire's method, with rejection).
    constexpr std::uint64_t below(std::uint64_t n) {
        if (n <= 1) return 0;
        const std::uint64_t limit = (0 - n) % n;  // 2^64 mod n
        for (;;) {
            const std::uint64_t r = next();
            if (r >= limit) return r % n;
        }
    }

private:
    std::uint64_t state_;
};

// The dropout key of the layer at `position`, at training step `step`, for model seed `seed`.
constexpr std::uint64_t dropout_key(std::uint64_t seed, int position, std::uint64_t step) {
    return mix64(mix64(seed + static_cast<std::uint64_t>(position)) + step);
}

// Element i is kept iff its 24 random bits reach floor(rate * 2^24).
constexpr std::uint32_t dropout_threshold(double rate) {
    return static_cast<std::uint32_t>(rate * 16777216.0);
}

constexpr bool dropout_keep(std::uint64_t key, std::uint64_t i, std::uint32_t threshold) {
    return (mix64(key + i) >> 40) >= threshold;
}

}  // namespace staticnet
