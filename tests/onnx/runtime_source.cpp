// io::runtime_model_source (the run-time description the importer fills) against
// io::model_source<Net> (the compile-time one): the same spelling, signature, counts and tensors
// (names, shapes, offsets) for networks listed tensor by tensor at run time.
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include <staticnet/io/model_source.hpp>

#include "examples/seed_networks.hpp"

namespace sn = staticnet;

namespace {

// What a run-time generator knows about Net: each layer's tensors in ParamSpecs order.
template <class Net>
std::vector<sn::io::RuntimeTensor> runtime_tensors() {
    std::vector<sn::io::RuntimeTensor> v;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                constexpr int P = static_cast<int>(I) + 1;
                using L = typename Net::template layer<P>;
                for (int k = 0; k < Net::param_specs[P].count; ++k) {
                    const auto& s = Net::param_specs[P].items[k];
                    v.push_back({P, L::keras_name, s.name, sn::io::tensor_shape<Net, P>(k), s.size, s.trainable});
                }
            }(),
            ...);
    }(std::make_index_sequence<Net::layer_count>{});
    return v;
}

template <class Net>
void same_description() {
    const auto expected = sn::io::model_source<Net>("n", "o", "g");
    const std::string text = sn::io::spell([](sn::source::Writer& w) { sn::source::network_spelling<Net>::write(w); });
    CHECK(text == expected.network);
    const auto m = sn::io::runtime_model_source("n", text, "o", "g", runtime_tensors<Net>());
    CHECK(m.network == expected.network);
    CHECK(m.signature == expected.signature);
    CHECK(m.signature == sn::signature_of<Net>);
    CHECK(m.total == expected.total);
    CHECK(m.trainable == expected.trainable);
    REQUIRE(m.tensors.size() == expected.tensors.size());
    for (std::size_t i = 0; i < m.tensors.size(); ++i) {
        const auto &a = m.tensors[i], &b = expected.tensors[i];
        CHECK(a.position == b.position);
        CHECK(a.layer == b.layer);
        CHECK(a.name == b.name);
        CHECK(a.shape == b.shape);
        CHECK(a.offset == b.offset);
        CHECK(a.size == b.size);
        CHECK(sn::io::offset_of(m, a.position, a.name) == b.offset);
    }
    CHECK(sn::io::offset_of(m, 0, "kernel") == static_cast<std::size_t>(-1));
}

}  // namespace

TEST_CASE("io::runtime_model_source lays tensors out as Sequential::param_slots (model_source<Net>)") {
    same_description<sn::examples::Deep>();
    same_description<sn::examples::Bn>();
    same_description<sn::examples::Nin>();
    same_description<sn::Sequential<sn::Input<5, 4, 3>, sn::BatchNormalization<{.momentum = 0.5f, .epsilon = 0.25f}>,
                                    sn::Conv2D<{.filters = 2, .kernel = {2, 3}, .use_bias = false}>,
                                    sn::Activation<sn::relu>, sn::Flatten, sn::BatchNormalization<>,
                                    sn::Dense<{.units = 3, .activation = sn::softmax}>>>();
}
