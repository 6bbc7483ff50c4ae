// The canonical spelling of a network type and its signature (graph/source.hpp).
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include <staticnet/staticnet.hpp>

#include "examples/seed_networks.hpp"

namespace sn = staticnet;
using sn::examples::Bn;
using sn::examples::Deep;
using sn::examples::Nin;

namespace {
std::string spell(float v) {
    char buf[64] = {};
    sn::source::Writer w(buf, sizeof buf - 1);
    w.put_float(v);
    return std::string(buf, w.size());
}
}  // namespace

TEST_CASE("the spelling of the NIN network names every layer with every option") {
    const std::string expected =
        "sn::Sequential<\n"
        "    sn::Input<28, 28, 1>,\n"
        "    sn::Conv2D<{.filters = 32, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::same, .activation = sn::relu, .use_bias = true}>,\n"
        "    sn::BatchNormalization<{.momentum = 0.99f, .epsilon = 0.001f}>,\n"
        "    sn::Conv2D<{.filters = 16, .kernel = {1, 1}, .strides = {1, 1}, .padding = sn::valid, .activation = sn::relu, .use_bias = true}>,\n"
        "    sn::BatchNormalization<{.momentum = 0.99f, .epsilon = 0.001f}>,\n"
        "    sn::MaxPool2D<{.pool = {2, 2}, .strides = {-1, -1}, .padding = sn::valid}>,\n"
        "    sn::Conv2D<{.filters = 32, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::same, .activation = sn::relu, .use_bias = true}>,\n"
        "    sn::BatchNormalization<{.momentum = 0.99f, .epsilon = 0.001f}>,\n"
        "    sn::Conv2D<{.filters = 16, .kernel = {1, 1}, .strides = {1, 1}, .padding = sn::valid, .activation = sn::relu, .use_bias = true}>,\n"
        "    sn::BatchNormalization<{.momentum = 0.99f, .epsilon = 0.001f}>,\n"
        "    sn::MaxPool2D<{.pool = {2, 2}, .strides = {-1, -1}, .padding = sn::valid}>,\n"
        "    sn::Flatten,\n"
        "    sn::Dense<{.units = 32, .activation = sn::relu, .use_bias = true}>,\n"
        "    sn::Dropout<{.rate = 0.2f}>,\n"
        "    sn::Dense<{.units = 10, .activation = sn::softmax, .use_bias = true}>>";
    CHECK(std::string(sn::source_text<Nin>()) == expected);
    CHECK(sn::source_of<Nin>[expected.size()] == '\0');
}

// The spelling is C++ that names the same type: written out, it is the very same network.
namespace spelled {
using Network = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 32, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::same, .activation = sn::relu, .use_bias = true}>,
    sn::BatchNormalization<{.momentum = 0.99f, .epsilon = 0.001f}>,
    sn::Conv2D<{.filters = 16, .kernel = {1, 1}, .strides = {1, 1}, .padding = sn::valid, .activation = sn::relu, .use_bias = true}>,
    sn::BatchNormalization<{.momentum = 0.99f, .epsilon = 0.001f}>,
    sn::MaxPool2D<{.pool = {2, 2}, .strides = {-1, -1}, .padding = sn::valid}>,
    sn::Conv2D<{.filters = 32, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::same, .activation = sn::relu, .use_bias = true}>,
    sn::BatchNormalization<{.momentum = 0.99f, .epsilon = 0.001f}>,
    sn::Conv2D<{.filters = 16, .kernel = {1, 1}, .strides = {1, 1}, .padding = sn::valid, .activation = sn::relu, .use_bias = true}>,
    sn::BatchNormalization<{.momentum = 0.99f, .epsilon = 0.001f}>,
    sn::MaxPool2D<{.pool = {2, 2}, .strides = {-1, -1}, .padding = sn::valid}>,
    sn::Flatten,
    sn::Dense<{.units = 32, .activation = sn::relu, .use_bias = true}>,
    sn::Dropout<{.rate = 0.2f}>,
    sn::Dense<{.units = 10, .activation = sn::softmax, .use_bias = true}>>;
static_assert(std::is_same_v<Network, Nin>);
}  // namespace spelled

TEST_CASE("signatures: equal networks agree, any change of kind, option or shape differs") {
    static_assert(sn::signature_of<Nin> == sn::signature_of<spelled::Network>);
    static_assert(sn::signature_of<Deep> != sn::signature_of<Bn>);
    static_assert(sn::signature_of<Bn> != sn::signature_of<Nin>);
    using A = sn::Sequential<sn::Input<8, 8, 1>, sn::Flatten, sn::Dense<{.units = 4}>>;
    using B = sn::Sequential<sn::Input<8, 8, 2>, sn::Flatten, sn::Dense<{.units = 4}>>;   // input shape
    using C = sn::Sequential<sn::Input<8, 8, 1>, sn::Flatten, sn::Dense<{.units = 5}>>;   // option
    using D = sn::Sequential<sn::Input<8, 8, 1>, sn::Flatten,
                             sn::Dense<{.units = 4, .use_bias = false}>>;                 // bias
    using E = sn::Sequential<sn::Input<8, 8, 1>, sn::Flatten, sn::Dropout<{.rate = 0.25f}>,
                             sn::Dense<{.units = 4}>>;                                    // a layer more
    using F = sn::Sequential<sn::Input<8, 8, 1>, sn::Flatten, sn::Dropout<{.rate = 0.5f}>,
                             sn::Dense<{.units = 4}>>;                                    // a float option
    constexpr std::uint64_t s[] = {sn::signature_of<A>, sn::signature_of<B>, sn::signature_of<C>,
                                   sn::signature_of<D>, sn::signature_of<E>, sn::signature_of<F>};
    for (std::size_t i = 0; i < std::size(s); ++i)
        for (std::size_t j = i + 1; j < std::size(s); ++j) CHECK_MESSAGE(s[i] != s[j], i << " vs " << j);
    // Pinned: generated headers carry this number; a change of the spelling invalidates them
    // (regenerate the headers and update the value here on purpose).
    CHECK(sn::signature_of<Nin> == sn::source::fnv1a(sn::source_text<Nin>()));
    CHECK(sn::source::fnv1a("") == 14695981039346656037ull);
    CHECK(sn::source::fnv1a("a") == 0xaf63dc4c8601ec8cull);  // the published FNV-1a 64 test vector
}

TEST_CASE("floats are spelled as the shortest literal that reads back as the same float") {
    CHECK(spell(0.2f) == "0.2f");
    CHECK(spell(0.99f) == "0.99f");
    CHECK(spell(1e-3f) == "0.001f");
    CHECK(spell(1e-7f) == "1e-7f");
    CHECK(spell(1.0f) == "1.0f");
    CHECK(spell(0.0f) == "0.0f");
    CHECK(spell(-2.5f) == "-2.5f");
    CHECK(spell(100.0f) == "100.0f");
    CHECK(spell(1234567.0f) == "1234567.0f");
    CHECK(spell(1e7f) == "1e7f");
    CHECK(spell(3.14159265f) == "3.1415927f");
    CHECK(spell(9.999999e-4f) == "0.0009999999f");
    // Every one of many floats over 20 decades reads back exactly with the C library.
    sn::Rng rng(11);
    int checked = 0;
    for (int i = 0; i < 20000; ++i) {
        const double mant = 1.0 + rng.uniform() * 9.0;
        const int e = static_cast<int>(rng.below(21)) - 12;
        const float v = static_cast<float>(mant * sn::source::detail::power_of_ten(e));
        std::string t = spell(v);
        REQUIRE(t.back() == 'f');
        t.pop_back();
        const float back = std::strtof(t.c_str(), nullptr);
        if (back != v) FAIL("spelled " << v << " as " << t << " which reads back as " << back);
        ++checked;
    }
    CHECK(checked == 20000);
}

TEST_CASE("a writer that runs out of room counts but never writes past its capacity") {
    char buf[8];
    std::memset(buf, '#', sizeof buf);
    sn::source::Writer w(buf, 4);
    w.put("abcdef");
    CHECK(w.size() == 6);
    CHECK(std::string(buf, 4) == "abcd");
    CHECK(buf[4] == '#');
}
