// Parallel work in the firmware-clean core, without <thread>: the core describes work as
// independent items and hands them to an Executor; with none (the default, and on firmware)
// the items run in order on the calling thread. The desktop layer's ThreadPool
// (desktop/parallel.hpp) is an Executor that spreads items over worker threads.
//
// Determinism: every item writes only its own outputs, and every sum over items (gradient
// partials, batch statistics) is formed per fixed item and reduced in item order by the
// caller. So results are bit-identical whatever the number of threads, and whichever thread
// ran which item.
#pragma once
#include <type_traits>

namespace staticnet {

// A type-erased "run these items" service. run(self, count, fn, arg) calls fn(arg, i) for every
// i in [0, count) exactly once, possibly on several threads at once, and returns when all are
// done. threads: how many threads it runs items on (the caller included).
// All members default to zero, so that a Model or Inference holding one stays zero-initialised
// (in .bss, not tens of MB of .data in the binary).
struct Executor {
    void* self = nullptr;
    void (*run)(void* self, int count, void (*fn)(void* arg, int item), void* arg) = nullptr;
    int threads = 0;
};

// What layers and models hold: a possibly empty Executor.
class Parallel {
public:
    constexpr Parallel() = default;
    constexpr explicit Parallel(Executor e) : e_(e) {}

    int threads() const { return e_.run ? e_.threads : 1; }

    // f(i) for i in [0, count); f must be callable concurrently for different i.
    template <class F>
    void for_each(int count, F&& f) const {
        if (!e_.run || e_.threads <= 1 || count <= 1) {
            for (int i = 0; i < count; ++i) f(i);
            return;
        }
        using Fn = std::remove_reference_t<F>;
        e_.run(e_.self, count, [](void* arg, int i) { (*static_cast<Fn*>(arg))(i); },
               const_cast<void*>(static_cast<const void*>(&f)));
    }

private:
    Executor e_{};
};

}  // namespace staticnet
