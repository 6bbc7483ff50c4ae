// Positive control: the three seed networks MUST compile (with -Werror), used the same way as
// the failing cases, and give the Keras parameter counts. If this case fails, the harness or
// the library is broken, and the compile-fail results mean nothing.
// expect-success
#include <staticnet/core.hpp>

#include <cstdint>

#include "examples/seed_networks.hpp"

namespace sn = staticnet;
namespace ex = staticnet::examples;

static_assert(ex::Deep::params.total == 78'602 && ex::Deep::params.trainable == 78'602 &&
              ex::Deep::params.non_trainable == 0);
static_assert(ex::Bn::params.total == 79'114 && ex::Bn::params.trainable == 78'858 &&
              ex::Bn::params.non_trainable == 256);
static_assert(ex::Nin::params.total == 31'850 && ex::Nin::params.trainable == 31'658 &&
              ex::Nin::params.non_trainable == 192);
static_assert(ex::Deep::input_shape == sn::Shape{28, 28, 1, 3} && ex::Deep::output_shape == sn::flat_shape(10));

template <class Net>
int use() {
    static sn::Inference<Net, 4> inference;
    static sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, 4> model;
    static float x[4 * Net::input_shape.size()] = {};
    static std::int32_t labels[4] = {};
    model.initialize(1);
    const auto trained = model.train_step(x, labels, 4);
    return trained.correct + static_cast<int>(inference.predict(x, 4).size());
}

int main() { return use<ex::Deep>() + use<ex::Bn>() + use<ex::Nin>(); }
