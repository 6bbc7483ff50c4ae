// Where a Model or Inference lives (desktop). Both hold all their memory inside the object
// (sn::Model<Nin, Adam<>, ..., 64>: 27 MB), far more than a thread's stack (8 MiB on Linux by
// default), so they belong in static storage or on the heap, never in a local variable:
//
//   static sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, 64> model;   // or
//   auto model = sn::make_model<sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, 64>>();
//
// A local one overflows the stack when its function is entered, before any of its code runs:
// the compiler cannot see storage durations, and the crash happens before a constructor could
// check anything. So, on Linux, this header installs (before main) a SIGSEGV handler on its own
// signal stack that recognises a stack overflow of the main thread (the stack pointer or the
// faulting address below the lowest address the stack may grow to) and prints
//
//   staticnet: stack overflow in the main thread: ... bytes below the top of its stack of ... bytes
//   staticnet: a sn::Model or sn::Inference keeps all its memory inside the object ... declare it
//   static or allocate it with sn::make_model<...>() ...
//
// then lets the process die of the same SIGSEGV as before (exit status, core dump unchanged).
// Any other SIGSEGV is passed on untouched. It stays out of the way: it is not installed when a
// SIGSEGV handler is already there (sanitizers, debuggers' helpers, the program's own), and
// defining STATICNET_NO_STACK_OVERFLOW_REPORT before the include turns it off.
// sn::install_stack_overflow_report() installs it explicitly (returns whether it is active).
// Compile-time help: GCC/Clang's -Wframe-larger-than=<bytes> warns about such a local.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

#if defined(__linux__)
#include <pthread.h>
#include <signal.h>
#include <ucontext.h>
#include <unistd.h>
#endif

namespace staticnet {

// A default-initialised M (a Model, Inference or StaticInference: its member initialisers zero
// it) on the heap. The object's alignment (64) is honoured by C++17's aligned new.
template <class M>
std::unique_ptr<M> make_model() {
    return std::unique_ptr<M>(new M);
}

#if defined(__linux__)

namespace detail::stack_report {

struct State {
    std::uintptr_t low = 0;   // the lowest address the main thread's stack may grow to
    std::uintptr_t high = 0;  // its top
    struct sigaction previous {};
    bool active = false;
};
inline State state;
// The handler's own stack (a stack overflow leaves none to run on). Static: glibc's SIGSTKSZ
// is no longer a constant.
alignas(64) inline unsigned char signal_stack[64 * 1024];

// Async-signal-safe output: write(2) and hand-made number formatting only.
inline void put(const char* s) {
    std::size_t n = 0;
    while (s[n] != '\0') ++n;
    while (n > 0) {
        const ssize_t w = ::write(2, s, n);
        if (w <= 0) return;
        s += w;
        n -= static_cast<std::size_t>(w);
    }
}
inline void put_bytes(std::uintptr_t v) {  // 27,262,976
    char buf[40];
    int i = 39, digits = 0;
    buf[i] = '\0';
    do {
        if (digits > 0 && digits % 3 == 0) buf[--i] = ',';
        buf[--i] = static_cast<char>('0' + v % 10);
        v /= 10;
        ++digits;
    } while (v != 0);
    put(buf + i);
}

inline std::uintptr_t stack_pointer(void* context) {
    const auto* uc = static_cast<const ucontext_t*>(context);
#if defined(__x86_64__)
    return static_cast<std::uintptr_t>(uc->uc_mcontext.gregs[REG_RSP]);
#elif defined(__aarch64__)
    return static_cast<std::uintptr_t>(uc->uc_mcontext.sp);
#else
    (void)uc;
    return 0;
#endif
}

// Below the stack's lowest address, but not absurdly far (a wild pointer is no stack overflow).
inline bool below_stack(std::uintptr_t a) {
    constexpr std::uintptr_t reach = std::uintptr_t{1} << (sizeof(void*) >= 8 ? 40 : 30);
    return a != 0 && a < state.low && state.low - a <= reach;
}

inline void on_fault(int sig, siginfo_t* info, void* context) {
    const std::uintptr_t address = reinterpret_cast<std::uintptr_t>(info->si_addr);
    const std::uintptr_t sp = stack_pointer(context);
    const bool from_kernel = info->si_code > 0;  // not kill()/raise()
    if (from_kernel && (below_stack(sp) || below_stack(address))) {
        std::uintptr_t deepest = address;
        if (below_stack(sp) && (!below_stack(address) || sp < address)) deepest = sp;
        put("staticnet: stack overflow in the main thread: an access ");
        put_bytes(state.high - deepest);
        put(" bytes below the top of its stack of ");
        put_bytes(state.high - state.low);
        put(" bytes (ulimit -s).\n"
            "staticnet: a sn::Model or sn::Inference keeps all its memory inside the object (e.g. "
            "sn::Model<Nin, ..., 64>: 27 MB), so it must not be a local variable: declare it static "
            "(static sn::Model<...> model;) or allocate it with sn::make_model<sn::Model<...>>() "
            "(include/staticnet/API.md, \"Where a Model lives\").\n");
    }
    // Back to what was there before (the default action): returning re-runs the faulting
    // instruction, which now ends the process the usual way; a sent signal is sent again.
    ::sigaction(sig, &state.previous, nullptr);
    if (!from_kernel) ::raise(sig);
}

inline bool install() {
    if (state.active) return true;
    struct sigaction current {};
    if (::sigaction(SIGSEGV, nullptr, &current) != 0) return false;
    const bool default_action = (current.sa_flags & SA_SIGINFO) == 0 && current.sa_handler == SIG_DFL;
    if (!default_action) return false;  // someone else handles SIGSEGV: leave it to them

    pthread_attr_t attr;
    if (::pthread_getattr_np(::pthread_self(), &attr) != 0) return false;
    void* low = nullptr;
    std::size_t size = 0;
    const int got = ::pthread_attr_getstack(&attr, &low, &size);
    ::pthread_attr_destroy(&attr);
    if (got != 0 || low == nullptr || size == 0) return false;

    stack_t existing {};
    if (::sigaltstack(nullptr, &existing) != 0) return false;
    if ((existing.ss_flags & SS_DISABLE) != 0) {
        stack_t ours {};
        ours.ss_sp = signal_stack;
        ours.ss_size = sizeof(signal_stack);
        if (::sigaltstack(&ours, nullptr) != 0) return false;
    }
    state.low = reinterpret_cast<std::uintptr_t>(low);
    state.high = state.low + size;
    state.previous = current;

    struct sigaction handler {};
    handler.sa_sigaction = &on_fault;
    handler.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&handler.sa_mask);
    if (::sigaction(SIGSEGV, &handler, nullptr) != 0) return false;
    state.active = true;
    return true;
}

}  // namespace detail::stack_report

// Installs the stack overflow report (above) if it is not yet: call it from the main thread.
// False when it cannot be (another SIGSEGV handler is installed, or not Linux).
inline bool install_stack_overflow_report() { return detail::stack_report::install(); }

#if !defined(STATICNET_NO_STACK_OVERFLOW_REPORT)
namespace detail::stack_report {
// Runs before main (dynamic initialisation of a namespace-scope variable, on the main thread).
inline const bool installed_at_start = install();
}  // namespace detail::stack_report
#endif

#else  // not Linux: nothing to install

inline bool install_stack_overflow_report() { return false; }

#endif

}  // namespace staticnet
