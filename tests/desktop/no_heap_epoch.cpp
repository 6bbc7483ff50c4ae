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

// The NIN network at 28x28, trained for two epochs with `threads` threads; every allocation
// during the epochs is counted.
void no_heap_epochs(int threads) {
    CAPTURE(threads);
    allocations = 0;
    const auto d = sn::test::quadrant_dataset_28(200, 8);

    static sn::Model<sn::examples::Nin, sn::Adam<>, sn::SparseCategoricalCrossentropy, 16> model;
    model.initialize(1);
    NullBuffer null_buffer;
    std::ostream null_out(&null_buffer);
    sn::FitOptions o;
    o.verbose = sn::Verbosity::interactive;  // exercise the in-place bar redraws too
    o.interactive = true;
    o.out = &null_out;
    o.threads = threads;
    sn::Trainer<decltype(model)> trainer(model, sn::DatasetView{&d, 0, 180}, sn::DatasetView{&d, 180, 200}, o);

    counting = true;
    const auto first = trainer.run_epoch(0);
    const auto second = trainer.run_epoch(1);
    counting = false;
    CHECK(allocations.load() == 0);
    CHECK(std::isfinite(first.loss));
    CHECK(second.has_validation);
    CHECK(model.step() == 2 * 12);  // 180 samples / 16 = 11 full batches + 1 partial
    CHECK(trainer.threads() == threads);

    // Control: the counter does see an allocation.
    counting = true;
    auto* p = new int(3);
    counting = false;
    delete p;
    CHECK(allocations.load() == 1);
}

TEST_CASE("no heap during an epoch of the NIN network (28x28 images, batch 16), one thread") { no_heap_epochs(1); }

TEST_CASE("no heap during an epoch of the NIN network with two worker threads") { no_heap_epochs(2); }
