// A Model declared as a local variable (the seed NIN network at batch 64: 27 MB, against the 8 MiB
// main-thread stack) overflows the stack before the function's first statement. The desktop
// layer's report (desktop/storage.hpp, installed before main by <staticnet/staticnet.hpp>) must
// turn that into a message naming the cause and the fix; the process still dies of SIGSEGV.
// The recommended forms must run: static storage and sn::make_model (heap).
//   stack_overflow local    the mistake: prints "staticnet: stack overflow ..." and dies
//   stack_overflow static   static storage: prints "done"
//   stack_overflow heap     sn::make_model: prints "done"
// Run by check_stack_overflow.cmake (ctest desktop_stack_overflow).
#include <staticnet/staticnet.hpp>

#include <cstdio>
#include <cstring>

#include "examples/seed_networks.hpp"

namespace sn = staticnet;

namespace {

using NinModel = sn::Model<sn::examples::Nin, sn::Adam<>, sn::SparseCategoricalCrossentropy, 64>;
static_assert(NinModel::total_bytes > 20'000'000);

float use(NinModel& model) {
    model.initialize(1);
    static float x[NinModel::input_size] = {};
    return model.predict(x)[0] + model.parameters()[0];
}

// noinline: main's own frame stays small; this function's frame holds the 27 MB.
[[gnu::noinline]] float local_model() {
    NinModel model;
    return use(model);
}

}  // namespace

int main(int argc, char** argv) {
    const char* mode = argc > 1 ? argv[1] : "local";
    std::printf("staticnet stack_overflow %s: report %s\n", mode,
                sn::install_stack_overflow_report() ? "installed" : "not installed");
    std::fflush(stdout);
    float v = 0;
    if (std::strcmp(mode, "static") == 0) {
        static NinModel model;
        v = use(model);
    } else if (std::strcmp(mode, "heap") == 0) {
        auto model = sn::make_model<NinModel>();
        v = use(*model);
    } else {
        v = local_model();
    }
    std::printf("done (%g)\n", static_cast<double>(v));
    return 0;
}
