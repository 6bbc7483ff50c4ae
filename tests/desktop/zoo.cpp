// The model zoo (examples/zoo.hpp): every network beyond the seed three compiles, summarises
// (its parameter count in the Keras table; the functional layout for those with branches),
// has memory plans at the peak of live buffers, trains two epochs on a small in-memory task with
// a falling loss and evaluates; a training step and a prediction allocate nothing. (The seed networks train in desktop_fit and tools/train.)
#include <doctest/doctest.h>

#include <cmath>
#include <ostream>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#define STATICNET_TESTING_HEAP_GUARD
#include <staticnet/staticnet.hpp>
#include <staticnet/testing.hpp>

#include "desktop/synthetic.hpp"
#include "examples/zoo.hpp"

namespace sn = staticnet;
namespace zoo = sn::examples::zoo;

namespace {

struct NullBuffer : std::streambuf {
    int overflow(int c) override { return c; }
};

template <class Net>
using ZooModel = sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, 32>;

template <class Net>
constexpr bool plans_at_peak() {
    constexpr auto tr = Net::template training_plan<32, float>();
    constexpr auto inf = Net::template inference_plan<1, float>();
    return tr.valid() && inf.valid() && tr.total == sn::peak_live(tr.buffers, 16) &&
           inf.total == sn::peak_live(inf.buffers, 16);
}

template <class Net>
void trains_and_evaluates(const char* name, bool functional) {
    INFO(name);
    static_assert(plans_at_peak<Net>());
    CHECK(Net::is_chain == !functional);
    static ZooModel<Net> model;
    model.initialize(1);
    std::ostringstream table;
    model.summary(table);
    CHECK(table.str().find("Total params: " + sn::thousands(Net::params.total) + "\n") != std::string::npos);
    CHECK((table.str().find("Connected to") != std::string::npos) == functional);

    NullBuffer nb;
    std::ostream null_out(&nb);
    const auto data = sn::test::quadrant_dataset_28(320, 7);
    sn::FitOptions o;
    o.epochs = 2;
    o.validation_split = 0.2;
    o.seed = 3;
    o.threads = 2;
    o.normalize = true;
    o.out = &null_out;
    o.verbose = sn::Verbosity::silent;
    const sn::History h = sn::fit(model, data, o);
    REQUIRE(h.epochs() == 2);
    MESSAGE(std::string(name) << ": loss " << h.loss[0] << " -> " << h.loss[1] << ", val_accuracy " << h.val_accuracy[1]);
    CHECK(std::isfinite(h.loss[1]));
    CHECK(h.loss[1] < h.loss[0]);
    const auto test = sn::test::quadrant_dataset_28(64, 8);
    sn::FitOptions e = o;
    e.epochs = 1;
    const auto r = sn::evaluate(model, test, e);
    CHECK(std::isfinite(r.loss));
    CHECK(r.accuracy >= 0.0);
    CHECK(r.accuracy <= 1.0);

    // A training step and a prediction touch no heap (sn::testing::HeapGuard).
    model.set_executor({});
    std::vector<float> x(32 * ZooModel<Net>::input_size, 0.5f);
    std::vector<std::int32_t> y(32, 1);
    REQUIRE(sn::testing::HeapGuard::installed());
    sn::testing::HeapGuard guard;
    const auto step = model.train_step(x, y, 32);
    const auto p = model.predict(std::span<const float>(x).first(ZooModel<Net>::input_size), 1);
    CHECK(guard.allocations() == 0);
    CHECK(step.status == sn::StepStatus::ok);
    CHECK(p.size() == 10);
}

}  // namespace

TEST_CASE("zoo: lenet5") { trains_and_evaluates<zoo::LeNet5>("lenet5", false); }
TEST_CASE("zoo: nin_gap (under 20,000 parameters)") {
    static_assert(zoo::NinGap::params.total < 20'000);
    trains_and_evaluates<zoo::NinGap>("nin_gap", false);
}
TEST_CASE("zoo: tiny (under 20,000 parameters)") {
    static_assert(zoo::Tiny::params.total == 17'530);
    trains_and_evaluates<zoo::Tiny>("tiny", false);
}
TEST_CASE("zoo: inception") { trains_and_evaluates<zoo::Inception>("inception", true); }
TEST_CASE("zoo: resnet") { trains_and_evaluates<zoo::ResNet>("resnet", true); }
TEST_CASE("zoo: mobilenet") { trains_and_evaluates<zoo::MobileNet>("mobilenet", false); }
TEST_CASE("zoo: vgg") { trains_and_evaluates<zoo::Vgg>("vgg", false); }
