// A small learnable image dataset made in memory: 12x12 images, 4 classes; class k has a
// bright 5x5 patch in quadrant k over low noise. Deterministic from a seed.
#pragma once
#include <cstdint>
#include <staticnet/core/rng.hpp>
#include <staticnet/data/idx.hpp>

namespace staticnet::test {

inline data::Dataset quadrant_dataset(int count, std::uint64_t seed) {
    data::Dataset d;
    d.num_classes = 4;
    d.images.count = count;
    d.images.rows = 12;
    d.images.cols = 12;
    d.images.pixels.resize(static_cast<std::size_t>(count) * 144);
    d.labels.resize(static_cast<std::size_t>(count));
    Rng rng(seed);
    for (int s = 0; s < count; ++s) {
        const int k = static_cast<int>(rng.below(4));
        d.labels[static_cast<std::size_t>(s)] = static_cast<std::uint8_t>(k);
        const int oy = (k / 2) * 6 + static_cast<int>(rng.below(2));
        const int ox = (k % 2) * 6 + static_cast<int>(rng.below(2));
        for (int y = 0; y < 12; ++y)
            for (int x = 0; x < 12; ++x) {
                const bool in = y >= oy && y < oy + 5 && x >= ox && x < ox + 5;
                const int v = in ? 150 + static_cast<int>(rng.below(106)) : static_cast<int>(rng.below(60));
                d.images.pixels[static_cast<std::size_t>(s) * 144 + static_cast<std::size_t>(y) * 12 + x] =
                    static_cast<std::uint8_t>(v);
            }
    }
    return d;
}

// The quadrant set at MNIST's shape (28x28, labels 0..3 of 10 classes), upscaled by nearest
// pixels, for the seed networks' real types.
inline data::Dataset quadrant_dataset_28(int count, std::uint64_t seed) {
    const auto small = quadrant_dataset(count, seed);
    data::Dataset d;
    d.num_classes = 10;
    d.images.count = small.images.count;
    d.images.rows = d.images.cols = 28;
    d.images.pixels.resize(static_cast<std::size_t>(d.size()) * 784);
    for (int s = 0; s < d.size(); ++s)
        for (int y = 0; y < 28; ++y)
            for (int x = 0; x < 28; ++x)
                d.images.pixels[static_cast<std::size_t>(s) * 784 + static_cast<std::size_t>(y) * 28 + x] =
                    small.images.pixels[static_cast<std::size_t>(s) * 144 + static_cast<std::size_t>(y * 12 / 28) * 12 +
                                        static_cast<std::size_t>(x * 12 / 28)];
    d.labels = small.labels;
    return d;
}

}  // namespace staticnet::test
