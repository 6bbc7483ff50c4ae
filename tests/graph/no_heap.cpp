// Nothing in predict or the training step touches the heap. This binary replaces every global
// operator new/delete (plain, array, aligned, nothrow, sized) - a replacement the standard
// allows - and, on glibc, malloc/calloc/realloc/free/aligned_alloc/posix_memalign/memalign by
// thin wrappers that forward to glibc's own __libc_* entry points (the same allocator, so
// memory from either side may be freed by the other). Each counts its calls while `counting`
// is set. The controls at the end show that the counters do see allocations, so a zero is
// a real zero.
#include <doctest/doctest.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <examples/seed_networks.hpp>
#include <new>
#include <staticnet/core.hpp>
#include <vector>

// Under AddressSanitizer the sanitizer runtime owns malloc and free (its interceptors, its own
// heap): wrappers that forward to glibc's allocator would hand glibc's blocks to ASan's free and
// crash at start. There only operator new/delete are counted (through ASan's malloc).
#if defined(__SANITIZE_ADDRESS__)
#define STATICNET_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STATICNET_TEST_ASAN 1
#endif
#endif

#if defined(__GLIBC__) && !defined(STATICNET_TEST_ASAN)
#define STATICNET_TEST_WRAP_MALLOC 1
#include <malloc.h>
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);
}
#else
#define STATICNET_TEST_WRAP_MALLOC 0
#endif

namespace {

std::atomic<bool> counting{false};
std::atomic<long> new_calls{0};
std::atomic<long> delete_calls{0};
std::atomic<long> malloc_calls{0};  // malloc, calloc, realloc, aligned_alloc, posix_memalign, memalign
std::atomic<long> free_calls{0};

void count(std::atomic<long>& c) {
    if (counting.load(std::memory_order_relaxed)) c.fetch_add(1, std::memory_order_relaxed);
}

void* raw_alloc(std::size_t size, std::size_t align) {
    if (size == 0) size = 1;
#if STATICNET_TEST_WRAP_MALLOC
    return align <= alignof(std::max_align_t) ? __libc_malloc(size) : __libc_memalign(align, size);
#else
    if (align <= alignof(std::max_align_t)) return std::malloc(size);
    return std::aligned_alloc(align, (size + align - 1) / align * align);
#endif
}
void raw_free(void* p) {
#if STATICNET_TEST_WRAP_MALLOC
    __libc_free(p);
#else
    std::free(p);
#endif
}

void* counted_new(std::size_t size, std::size_t align) {
    count(new_calls);
    void* p = raw_alloc(size, align);
    if (!p) throw std::bad_alloc();
    return p;
}
void* counted_new_nothrow(std::size_t size, std::size_t align) noexcept {
    count(new_calls);
    return raw_alloc(size, align);
}
void counted_delete(void* p) noexcept {
    if (!p) return;
    count(delete_calls);
    raw_free(p);
}

constexpr std::size_t natural = alignof(std::max_align_t);

}  // namespace

// ---- every replaceable global allocation function -----------------------------------------------
void* operator new(std::size_t n) { return counted_new(n, natural); }
void* operator new[](std::size_t n) { return counted_new(n, natural); }
void* operator new(std::size_t n, std::align_val_t a) { return counted_new(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_new(n, static_cast<std::size_t>(a)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_new_nothrow(n, natural); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_new_nothrow(n, natural); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return counted_new_nothrow(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return counted_new_nothrow(n, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept { counted_delete(p); }
void operator delete[](void* p) noexcept { counted_delete(p); }
void operator delete(void* p, std::size_t) noexcept { counted_delete(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_delete(p); }
void operator delete(void* p, std::align_val_t) noexcept { counted_delete(p); }
void operator delete[](void* p, std::align_val_t) noexcept { counted_delete(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { counted_delete(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { counted_delete(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { counted_delete(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { counted_delete(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { counted_delete(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { counted_delete(p); }

#if STATICNET_TEST_WRAP_MALLOC
// glibc lets a program define these itself ("Replacing malloc" in the glibc manual); the
// wrappers only count and forward to glibc's allocator.
extern "C" {
void* malloc(std::size_t n) noexcept {
    count(malloc_calls);
    return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) noexcept {
    count(malloc_calls);
    return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) noexcept {
    count(malloc_calls);
    return __libc_realloc(p, n);
}
void free(void* p) noexcept {
    if (p) count(free_calls);
    __libc_free(p);
}
void* memalign(std::size_t align, std::size_t n) noexcept {
    count(malloc_calls);
    return __libc_memalign(align, n);
}
void* aligned_alloc(std::size_t align, std::size_t n) noexcept {
    count(malloc_calls);
    return __libc_memalign(align, n);
}
int posix_memalign(void** out, std::size_t align, std::size_t n) noexcept {
    count(malloc_calls);
    if (align < sizeof(void*) || (align & (align - 1)) != 0) return 22;  // EINVAL
    void* p = __libc_memalign(align, n);
    if (!p) return 12;  // ENOMEM
    *out = p;
    return 0;
}
}
#endif

namespace {

namespace sn = staticnet;
using sn::examples::Bn;
using sn::examples::Deep;
using sn::examples::Nin;

struct Counts {
    long news, deletes, mallocs, frees;
    long total() const { return news + deletes + mallocs + frees; }
};

// Runs f with the counters on; returns what they saw.
template <class F>
Counts count_during(F&& f) {
    new_calls = delete_calls = malloc_calls = free_calls = 0;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    counting = true;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    f();
    std::atomic_signal_fence(std::memory_order_seq_cst);
    counting = false;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    return {new_calls.load(), delete_calls.load(), malloc_calls.load(), free_calls.load()};
}

// Keeps the optimiser from removing an allocation whose result is otherwise unused.
void escape(const void* p) { __asm__ __volatile__("" : : "g"(p) : "memory"); }

constexpr int batch = 8;
sn::Inference<Deep, batch> deep;
sn::Inference<Bn, batch> bn;
sn::Inference<Nin, batch> nin;
sn::Model<Nin, sn::Adam<>, sn::SparseCategoricalCrossentropy, batch> model;
float images[batch * 28 * 28];
std::int32_t labels[batch];
float checksum = 0;

void fill_batch(std::uint64_t seed) {
    sn::Rng rng(seed);
    for (float& v : images) v = static_cast<float>(rng.below(256));
    for (std::int32_t& l : labels) l = static_cast<std::int32_t>(rng.below(10));
}

}  // namespace

TEST_CASE("predict: no allocation in 100 calls on each seed network") {
    fill_batch(1);
    const Counts init = count_during([] {
        deep.initialize(1);
        bn.initialize(2);
        nin.initialize(3);
    });
    CHECK(init.total() == 0);

    const Counts c = count_during([] {
        for (int i = 0; i < 100; ++i) {
            const int n = 1 + i % batch;  // full and partial batches
            const auto x = std::span<const float>(images).first(static_cast<std::size_t>(n) * 28 * 28);
            checksum += deep.predict(x, n)[0];
            checksum += bn.predict(x, n)[0];
            checksum += nin.predict(x, n)[0];
        }
    });
    CHECK(c.news == 0);
    CHECK(c.deletes == 0);
    CHECK(c.mallocs == 0);
    CHECK(c.frees == 0);
    CHECK(checksum == checksum);  // ran, and produced numbers (not NaN)
}

TEST_CASE("train_step: no allocation in 10 steps of Model<Nin, Adam, SparseCategoricalCrossentropy, 8>") {
    fill_batch(2);
    const Counts init = count_during([] { model.initialize(42); });
    CHECK(init.total() == 0);

    double first_loss = 0, last_loss = 0;
    const Counts c = count_during([&] {
        for (int i = 0; i < 10; ++i) {
            const auto r = model.train_step(images, labels, batch);
            if (i == 0) first_loss = r.loss;
            last_loss = r.loss;
        }
        // inference-mode use of the same model as well
        for (int i = 0; i < 10; ++i) checksum += model.predict(images, batch)[0];
        checksum += static_cast<float>(model.evaluate_batch(images, labels, batch).loss);
    });
    CHECK(c.news == 0);
    CHECK(c.deletes == 0);
    CHECK(c.mallocs == 0);
    CHECK(c.frees == 0);
    CHECK(model.step() == 10);
    CHECK(first_loss > 0);
    CHECK(last_loss < first_loss);  // ten steps on one batch do learn it
}

TEST_CASE("control: the counters see allocations, so zero above means zero") {
    const Counts vec = count_during([] {
        std::vector<int> v(1000, 7);
        escape(v.data());
    });
    CHECK(vec.news >= 1);
    CHECK(vec.deletes >= 1);

    const Counts arrays = count_during([] {
        int* a = new int[16];
        escape(a);
        delete[] a;
        struct alignas(128) Wide {
            char bytes[256];
        };
        Wide* w = new Wide;
        escape(w);
        delete w;
        int* q = new (std::nothrow) int(3);
        escape(q);
        delete q;
    });
    CHECK(arrays.news == 3);
    CHECK(arrays.deletes == 3);

#if STATICNET_TEST_WRAP_MALLOC
    const Counts c = count_during([] {
        // Through volatile pointers, so the compiler cannot pair and drop the calls.
        void* (*volatile m)(std::size_t) = &std::malloc;
        void* (*volatile ca)(std::size_t, std::size_t) = &std::calloc;
        void* (*volatile re)(void*, std::size_t) = &std::realloc;
        void (*volatile fr)(void*) = &std::free;
        void* a = m(100);
        void* b = ca(10, 10);
        a = re(a, 1000);
        void* d = nullptr;
        if (posix_memalign(&d, 64, 100) != 0) d = nullptr;
        escape(a);
        escape(b);
        escape(d);
        fr(a);
        fr(b);
        fr(d);
    });
    CHECK(c.mallocs == 4);
    CHECK(c.frees == 3);
#elif defined(STATICNET_TEST_ASAN)
    MESSAGE("AddressSanitizer owns malloc: only operator new/delete are counted");
#else
    MESSAGE("malloc is not wrapped on this C library: only operator new/delete are counted");
#endif
}
