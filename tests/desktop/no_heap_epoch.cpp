// A whole training epoch (every step, the shuffle, progress lines and validation) runs
// without one heap allocation once the Trainer is set up.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <ostream>
#include <staticnet/staticnet.hpp>
#include <streambuf>

#include "desktop/synthetic.hpp"
#include "examples/seed_networks.hpp"

namespace {
std::atomic<long> allocations{0};
std::atomic<bool> counting{false};
void* counted(std::size_t n) {
    if (counting.load()) ++allocations;
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
struct NullBuffer : std::streambuf {
    int overflow(int c) override { return c; }
    std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};
}  // namespace

void* operator new(std::size_t n) { return counted(n); }
void* operator new[](std::size_t n) { return counted(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    if (counting.load()) ++allocations;
    return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    if (counting.load()) ++allocations;
    return std::malloc(n ? n : 1);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace sn = staticnet;

TEST_CASE("no heap during an epoch of the NIN network (28x28 images, batch 16)") {
    // 28x28 images for the real NIN type: upscale the 12x12 synthetic set by nearest pixels.
    const auto small = sn::test::quadrant_dataset(200, 8);
    sn::data::Dataset d;
    d.num_classes = 10;
    d.images.count = small.images.count;
    d.images.rows = d.images.cols = 28;
    d.images.pixels.resize(static_cast<std::size_t>(d.size()) * 784);
    for (int s = 0; s < d.size(); ++s)
        for (int y = 0; y < 28; ++y)
            for (int x = 0; x < 28; ++x)
                d.images.pixels[static_cast<std::size_t>(s) * 784 + y * 28 + x] =
                    small.images.pixels[static_cast<std::size_t>(s) * 144 + (y * 12 / 28) * 12 + x * 12 / 28];
    d.labels = small.labels;

    static sn::Model<sn::examples::Nin, sn::Adam<>, sn::SparseCategoricalCrossentropy, 16> model;
    model.initialize(1);
    NullBuffer null_buffer;
    std::ostream null_out(&null_buffer);
    sn::FitOptions o;
    o.verbose = sn::Verbosity::interactive;  // exercise the in-place bar redraws too
    o.interactive = true;
    o.out = &null_out;
    sn::Trainer<decltype(model)> trainer(model, sn::DatasetView{&d, 0, 180}, sn::DatasetView{&d, 180, 200}, o);

    counting = true;
    const auto first = trainer.run_epoch(0);
    const auto second = trainer.run_epoch(1);
    counting = false;
    CHECK(allocations.load() == 0);
    CHECK(std::isfinite(first.loss));
    CHECK(second.has_validation);
    CHECK(model.step() == 2 * 12);  // 180 samples / 16 = 11 full batches + 1 partial

    // Control: the counter does see an allocation.
    counting = true;
    auto* p = new int(3);
    counting = false;
    delete p;
    CHECK(allocations.load() == 1);
}
