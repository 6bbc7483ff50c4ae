// weights.bin -> staticnet_export -> generated header -> StaticInference: the same network
// type, the same parameters bit for bit, the same predictions as the desktop Inference; and the
// exporter's errors (another network's weights, NaN, a bad name) leave no header behind.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <staticnet/io/model_source.hpp>
#include <staticnet/staticnet.hpp>

#include "bn_model.hpp"
#include "deep_model.hpp"
#include "examples/seed_networks.hpp"
#include "nin_model.hpp"

namespace sn = staticnet;
namespace fs = std::filesystem;

static_assert(std::is_same_v<nin_model::Network, sn::examples::Nin>);
static_assert(std::is_same_v<bn_model::Network, sn::examples::Bn>);
static_assert(std::is_same_v<deep_model::Network, sn::examples::Deep>);
static_assert(nin_model::parameters.signature == sn::signature_of<sn::examples::Nin>);
// The parameters are constant data: usable in constant expressions.
static_assert(nin_model::parameters.values[0] == nin_model::parameters.values[0]);
static_assert(sizeof(nin_model::Inference<1>) < 200'000);  // the arena only (150,528 B planned)

namespace {

const std::string weights_dir = STATICNET_IO_WEIGHTS_DIR;

template <class Net, class Static>
void same_as_desktop(const char* name) {
    static sn::Inference<Net, 8, float> desktop;
    static Static flash;
    sn::io::load_weights<float>(desktop.parameters(), weights_dir + "/weights_" + name + ".bin");
    const auto p = Static::parameters();
    REQUIRE(p.size() == desktop.parameters().size());
    for (std::size_t i = 0; i < p.size(); ++i)
        if (p[i] != desktop.parameters()[i]) FAIL(name << ": parameter " << i << " differs");

    sn::Rng rng(3);
    std::vector<float> x(8 * Net::input_shape.size());
    for (auto& v : x) v = static_cast<float>(rng.below(256));
    const auto a = desktop.predict(x, 8);
    const std::vector<float> expected(a.begin(), a.end());
    const auto b = flash.predict(x, 8);
    REQUIRE(b.size() == expected.size());
    int argmax_changes = 0;
    for (std::size_t i = 0; i < b.size(); ++i) CHECK(b[i] == expected[i]);
    // Control: the outputs depend on the weights (a different input gives different outputs).
    x[0] += 100.0f;
    const auto c = flash.predict(x, 8);
    for (std::size_t i = 0; i < 10; ++i) argmax_changes += c[i] != expected[i];
    CHECK(argmax_changes > 0);
}

struct Run {
    int status;
    std::string err;
};
Run run_export(const std::string& args) {
    const std::string err = weights_dir + "/export_stderr.txt";
    const std::string cmd = std::string(STATICNET_EXPORT) + " " + args + " 2>" + err + " >/dev/null";
    const int rc = std::system(cmd.c_str());
    std::ifstream f(err);
    std::stringstream s;
    s << f.rdbuf();
    return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, s.str()};
}

}  // namespace

TEST_CASE("a generated header predicts exactly what the desktop model predicts") {
    same_as_desktop<sn::examples::Nin, nin_model::Inference<8>>("nin");
    same_as_desktop<sn::examples::Bn, bn_model::Inference<8>>("bn");
    same_as_desktop<sn::examples::Deep, deep_model::Inference<8>>("deep");
}

TEST_CASE("the exporter refuses another network's weights, broken weights and bad names, writing nothing") {
    const fs::path out = fs::path(weights_dir) / "refused.hpp";
    fs::remove(out);
    const std::string nin = weights_dir + "/weights_nin.bin";

    auto r = run_export("--network deep --weights " + nin + " --out " + out.string());
    CHECK(r.status == 1);
    CHECK(r.err.find("holds 31850 parameters but this network has 78602") != std::string::npos);
    CHECK_FALSE(fs::exists(out));

    // A NaN in the weights: named by tensor and layer.
    const std::string broken = weights_dir + "/weights_nan.bin";
    {
        static sn::Inference<sn::examples::Nin, 1, float> m;
        sn::io::load_weights<float>(m.parameters(), nin);
        m.parameter(3, "bias")[5] = std::nanf("");
        sn::io::save_weights<float>(m.parameters(), broken);
    }
    r = run_export("--network nin --weights " + broken + " --out " + out.string());
    CHECK(r.status == 1);
    CHECK(r.err.find("parameter 5 of conv2d/bias (layer position 3) is NaN") != std::string::npos);
    CHECK_FALSE(fs::exists(out));

    r = run_export("--network nin --weights " + nin + " --name 9lives --out " + out.string());
    CHECK(r.status == 1);
    CHECK(r.err.find("model name '9lives' is not a C++ identifier") != std::string::npos);
    CHECK_FALSE(fs::exists(out));

    r = run_export("--network nin --weights " + weights_dir + "/missing.bin --out " + out.string());
    CHECK(r.status == 1);
    CHECK(r.err.find("missing.bin: cannot open") != std::string::npos);

    r = run_export("--network vgg --weights " + nin + " --out " + out.string());
    CHECK(r.status == 2);
    CHECK(r.err.find("--network must be deep, bn or nin, not 'vgg'") != std::string::npos);

    // Control: the same command with good input writes the header.
    r = run_export("--network nin --weights " + nin + " --out " + out.string());
    CHECK(r.status == 0);
    CHECK(fs::exists(out));
    fs::remove(out);
}

TEST_CASE("the header names every tensor and writes exact hexadecimal values") {
    static sn::Inference<sn::examples::Nin, 1, float> m;
    sn::io::load_weights<float>(m.parameters(), weights_dir + "/weights_nin.bin");
    std::ostringstream s;
    sn::io::write_model_header<sn::examples::Nin, float>(s, m.parameters(), "x_model", "a test", "the test");
    const std::string h = s.str();
    CHECK(h.find("// layer 1 (conv2d): kernel (3, 3, 1, 32), 288 values at 0\n") != std::string::npos);
    CHECK(h.find("// layer 12 (dense): kernel (784, 32), 25088 values at 6208\n") != std::string::npos);
    CHECK(h.find("// layer 2 (batch_normalization_v2): moving_variance (32), 32 values at 31690\n") != std::string::npos);
    CHECK(h.find("namespace x_model {") != std::string::npos);
    char first[48];
    std::snprintf(first, sizeof first, "%af,", static_cast<double>(m.parameters()[0]));
    CHECK(h.find(first) != std::string::npos);
}

TEST_CASE("a generated header's folded inference form: constexpr fold = run-time fold, predictions within 1e-5") {
    using Nin = sn::examples::Nin;
    using Folded = sn::inference_form<Nin>;
    static_assert(std::is_same_v<nin_model::FoldedInference<8>::network, Folded>);
    static_assert(Folded::params.total == 31'530);
    static_assert(nin_model::folded_parameters<>.signature == sn::signature_of<Folded>);
    CHECK(std::string(sn::source_text<Folded>()).find("    sn::Affine,\n") != std::string::npos);

    static sn::Inference<Nin, 8, float> desktop;
    static sn::Inference<Folded, 8, float> folded_at_run_time;
    static nin_model::FoldedInference<8> folded;
    sn::io::load_weights<float>(desktop.parameters(), weights_dir + "/weights_nin.bin");
    REQUIRE(sn::fold_parameters<Nin, float>(desktop.parameters(), folded_at_run_time.parameters()));
    const auto constant = nin_model::FoldedInference<8>::parameters();
    for (std::size_t i = 0; i < constant.size(); ++i)
        if (constant[i] != folded_at_run_time.parameters()[i]) FAIL("folded parameter " << i << " differs");

    sn::Rng rng(9);
    std::vector<float> x(8 * Nin::input_shape.size());
    for (auto& v : x) v = static_cast<float>(rng.below(256));
    const auto a = desktop.predict(x, 8);
    const std::vector<float> expected(a.begin(), a.end());
    const auto b = folded.predict(x, 8);
    REQUIRE(b.size() == expected.size());
    double worst = 0;
    for (std::size_t i = 0; i < b.size(); ++i) worst = std::max(worst, std::abs(double(b[i]) - expected[i]));
    CHECK(worst < 1e-5);
    MESSAGE("folded vs unfolded NIN, max |dp| = " << worst);
}
