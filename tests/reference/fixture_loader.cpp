// The fixture loader (tests/support/fixture.hpp): a hand-written example, malformed inputs, and
// every fixture file written by tools/gen-reference.
#include "support/fixture.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace st = staticnet::test;

namespace {

constexpr const char* example = R"(# staticnet fixture v1
# a comment
   # an indented comment

scalar loss 0.5
scalar big -1.25e+300
scalar seed 20240517
tensor input 4 1 2 3 2
1 2 3
# comments may sit inside a value block
4 5 6
 7	8 9 10 11 12
tensor odd 1 3
inf -inf nan
sampled L1.output 2 3 4 3 7.5
0 1.5
5 -7.5
11 2
generated L2.kernel 2 2 3 42 -3 3 2
generated wrap 1 3 18446744073709551615 -5 1000 0
)";

std::string error_of(const char* text) {
    try {
        (void)st::Fixture::parse(text);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "(no error)";
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("fixture loader: hand-written example") {
    const st::Fixture f = st::Fixture::parse(example, "example");
    CHECK(f.has("loss"));
    CHECK(f.has("input"));
    CHECK_FALSE(f.has("nothing"));
    CHECK(f.scalar("loss") == 0.5);
    CHECK(f.scalar("big") == -1.25e300);
    CHECK(f.scalar("seed") == 20240517.0);

    const st::Tensor& in = f.tensor("input");
    CHECK(in.shape == std::vector<int>{1, 2, 3, 2});
    REQUIRE(in.values.size() == 12);
    for (std::size_t i = 0; i < 12; ++i) CHECK(in.values[i] == static_cast<double>(i + 1));
    CHECK_FALSE(in.sampled());
    CHECK(in.max_abs == 12.0);

    const st::Tensor& odd = f.tensor("odd");
    CHECK(odd.values[0] == INFINITY);
    CHECK(odd.values[1] == -INFINITY);
    CHECK(std::isnan(odd.values[2]));

    const st::Tensor& s = f.tensor("L1.output");
    CHECK(s.sampled());
    CHECK(s.size() == 12);
    CHECK(s.indices == std::vector<std::size_t>{0, 5, 11});
    CHECK(s.values == std::vector<double>{1.5, -7.5, 2});
    CHECK(s.max_abs == 7.5);

    // Expected values printed by tools/gen-reference's generated_values().
    CHECK(f.tensor("L2.kernel").values == std::vector<double>{0.25, 0.25, 0.0, -0.25, 0.25, -0.5});
    CHECK(f.tensor("L2.kernel").shape == std::vector<int>{2, 3});
    CHECK(f.tensor("wrap").values == std::vector<double>{621, -5, 982});  // seed + 1 wraps to 0

    CHECK_THROWS_AS((void)f.tensor("nothing"), std::runtime_error);
    CHECK_THROWS_AS((void)f.scalar("input"), std::runtime_error);
}

TEST_CASE("fixture loader: check_close accepts values within tolerance") {
    const st::Fixture f = st::Fixture::parse(example);
    std::vector<float> a{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12.000001f};
    st::check_close(std::span<const float>(a), f.tensor("input"), 1e-6, "input");
    st::check_close(std::span<float>(a), f.tensor("input"), 1e-6, "input (mutable span)");
    st::check_close(a, f.tensor("input"), 1e-6, "input (vector)");
    std::vector<double> full(12, 123.0);  // only the sampled entries 0, 5, 11 are compared
    full[0] = 1.5;
    full[5] = -7.5;
    full[11] = 2.0 + 7.5e-7;  // tolerance is relative to max(1, maxabs = 7.5)
    st::check_close(std::span<const double>(full), f.tensor("L1.output"), 1e-7, "sampled");
    st::check_close(0.5 + 1e-9, f.scalar("loss"), 1e-8, "loss");
}

TEST_CASE("fixture loader: check_close reports a mismatch" * doctest::should_fail()) {
    const st::Fixture f = st::Fixture::parse(example);
    std::vector<double> a{1, 2, 3, 4, 5, 6, 7, 8.5, 9, 10, 11, 12};
    st::check_close(std::span<const double>(a), f.tensor("input"), 1e-6, "input");
}

TEST_CASE("fixture loader: check_close reports a size mismatch" * doctest::should_fail()) {
    const st::Fixture f = st::Fixture::parse(example);
    std::vector<double> a{1, 2, 3};
    st::check_close(std::span<const double>(a), f.tensor("input"), 1e-6, "input");
}

TEST_CASE("fixture loader: copy_to") {
    const st::Fixture f = st::Fixture::parse(example);
    std::vector<float> dst(12);
    st::copy_to(f.tensor("input"), std::span<float>(dst));
    CHECK(dst[11] == 12.0f);
    std::vector<float> wrong(5);
    CHECK_THROWS_AS(st::copy_to(f.tensor("input"), std::span<float>(wrong)), std::runtime_error);
    CHECK_THROWS_AS(st::copy_to(f.tensor("L1.output"), std::span<float>(dst)), std::runtime_error);
    CHECK(st::values_as<std::int32_t>(f.tensor("input"))[3] == 4);
}

TEST_CASE("fixture loader: malformed input names the line") {
    struct Case {
        const char* text;
        const char* message;
    };
    const Case cases[] = {
        {"tensor x 1 2\n1 2\n", "<string>:1: expected the header line"},
        {"", "<string>:1: empty input"},
        {"# staticnet fixture v1\nmatrix x 1 2\n", "<string>:2: unknown record 'matrix'"},
        {"# staticnet fixture v1\ntensor x 1 3\n1 2\n", "<string>:3: end of input inside x (line 2): 1 more"},
        {"# staticnet fixture v1\ntensor x 1 3\n1 2\nscalar y 1\n", "<string>:4: x (line 2): 1 more value(s)"},
        {"# staticnet fixture v1\ntensor x 1 2\n1 2 3\n", "<string>:3: x: 1 value(s) too many"},
        {"# staticnet fixture v1\ntensor x 1 2\n1 2\n3\n", "<string>:4: unexpected value '3': x already has"},
        {"# staticnet fixture v1\ntensor x 1 2\n1 2.5.1\n", "<string>:3: '2.5.1' is not a number"},
        {"# staticnet fixture v1\nscalar x abc\n", "<string>:2: 'abc' is not a number"},
        {"# staticnet fixture v1\nscalar x\n", "<string>:2: scalar x: expected exactly one value"},
        {"# staticnet fixture v1\nscalar x 1\nscalar x 2\n", "<string>:3: duplicate name 'x'"},
        {"# staticnet fixture v1\ntensor x 0\n", "<string>:2: x: ndim 0 out of range"},
        {"# staticnet fixture v1\ntensor x 2 3\n", "<string>:2: x: expected 2 dimensions"},
        {"# staticnet fixture v1\ntensor x 1 -3\n", "<string>:2: x: dimension -3 must be >= 1"},
        {"# staticnet fixture v1\ntensor x 1 2 1 2\n", "<string>:2: tensor x: values must start on the next line"},
        {"# staticnet fixture v1\nsampled x 1 4 2 1\n0 1\n4 1\n", "<string>:4: x: index 4 out of range"},
        {"# staticnet fixture v1\nsampled x 1 4 2 1\n2 1\n1 1\n", "<string>:4: x: indices must be strictly increasing"},
        {"# staticnet fixture v1\nsampled x 1 4 1 1\n2 3\n", "<string>:3: x: value larger than the declared maxabs"},
        {"# staticnet fixture v1\nsampled x 1 4 5 1\n", "<string>:2: sampled x: count 5 not in 1..4"},
        {"# staticnet fixture v1\ngenerated w 1 4 7 3 -3 0\n", "<string>:2: generated w: need -2^52 <= lo <= hi"},
        {"# staticnet fixture v1\ngenerated w 1 4 7 -3 3\n", "<string>:2: generated w: expected <seed> <lo> <hi> <shift>"},
        {"# staticnet fixture v1\nscalar bad/name 1\n", "<string>:2: bad name 'bad/name'"},
    };
    for (const Case& c : cases) {
        const std::string e = error_of(c.text);
        INFO("input:\n" << c.text << "error: " << e);
        CHECK(contains(e, c.message));
    }
    CHECK_THROWS_AS(st::Fixture("/nonexistent/fixture.txt"), std::runtime_error);
}

#ifdef STATICNET_FIXTURE_DIR
TEST_CASE("fixture loader: every generated fixture parses") {
    namespace fs = std::filesystem;
    const fs::path dir = STATICNET_FIXTURE_DIR;
    REQUIRE(fs::is_directory(dir));
    int files = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".txt") continue;
        INFO(entry.path().string());
        CHECK_NOTHROW((void)st::Fixture(entry.path().string()));
        ++files;
    }
    CHECK(files >= 25);
}

TEST_CASE("fixture loader: the hash matches the generator's test vectors") {
    const st::Fixture f(std::string(STATICNET_FIXTURE_DIR) + "/dropout_rng.txt");
    st::check_mix_vectors(f, st::fixture_mix);
}

TEST_CASE("fixture loader: a dense layer recomputed from its fixture matches") {
    // Independent of the library: NHWC flatten + dense from the file's own input and parameters.
    const st::Fixture f(std::string(STATICNET_FIXTURE_DIR) + "/forward_flatten_dense_relu.txt");
    const st::Tensor& x = f.tensor("input");
    const st::Tensor& k = f.tensor("L2.kernel");
    const st::Tensor& b = f.tensor("L2.bias");
    const int n = x.shape[0], in = k.shape[0], units = k.shape[1];
    REQUIRE(in == x.shape[1] * x.shape[2] * x.shape[3]);
    std::vector<double> y(static_cast<std::size_t>(n * units));
    for (int s = 0; s < n; ++s)
        for (int u = 0; u < units; ++u) {
            double acc = b.values[static_cast<std::size_t>(u)];
            for (int i = 0; i < in; ++i)
                acc += x.values[static_cast<std::size_t>(s * in + i)] * k.values[static_cast<std::size_t>(i * units + u)];
            y[static_cast<std::size_t>(s * units + u)] = acc > 0 ? acc : 0;
        }
    st::check_close(std::span<const double>(y), f.tensor("L2.output"), 1e-15, "dense recomputed");
}
#endif
