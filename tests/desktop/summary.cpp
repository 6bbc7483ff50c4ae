// summary() against the three tables tf.keras printed in the seed program, line by line.
// Keras numbers layer names across a whole process (conv2d_4, batch_normalization_v2_4, ...);
// ours count within one model. So in a layer row the name's counter may differ (and with it
// where the 29-column cut falls in the class name); everything else must match exactly.
#include <doctest/doctest.h>

#include <regex>
#include <sstream>
#include <staticnet/staticnet.hpp>
#include <string>
#include <vector>

#include "desktop/keras_tables.hpp"
#include "examples/seed_networks.hpp"

namespace sn = staticnet;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// "conv2d_4 (Conv2D)" -> {"conv2d", "Conv2D)"}; "batch_normalization_v2_1 (Ba" -> {"batch_normalization_v2", "Ba"}
std::pair<std::string, std::string> split_name(const std::string& column) {
    static const std::regex re(R"(^([a-z0-9_]+?)(_[0-9]+)? \((.*?)\s*$)");
    std::smatch m;
    if (!std::regex_match(column, m, re)) return {column, ""};
    return {m[1].str(), m[3].str()};
}

bool is_layer_row(const std::string& line) { return line.find("(None") != std::string::npos; }

void compare_with_keras(const std::string& ours, const std::string& keras) {
    const auto a = lines_of(ours);
    const auto b = lines_of(keras);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO("line " << i + 1 << "\n ours:  [" << a[i] << "]\n keras: [" << b[i] << "]");
        if (i == 0) {  // Model: "sequential" vs "sequential_1": the same process-wide counter
            CHECK(a[i].rfind("Model: \"sequential", 0) == 0);
            continue;
        }
        if (!is_layer_row(b[i])) {
            CHECK(a[i] == b[i]);
            continue;
        }
        REQUIRE(a[i].size() == 65);
        REQUIRE(b[i].size() == 65);
        CHECK(a[i].substr(29) == b[i].substr(29));  // output shape and parameter count, exactly
        CHECK(a[i][28] == ' ');
        const auto [name_a, class_a] = split_name(a[i].substr(0, 28));
        const auto [name_b, class_b] = split_name(b[i].substr(0, 28));
        CHECK(name_a == name_b);
        // Both are cuts of the same "Class)" text: one is a prefix of the other.
        const bool prefix = class_a.rfind(class_b, 0) == 0 || class_b.rfind(class_a, 0) == 0;
        CHECK(prefix);
        CHECK(!class_a.empty());
    }
}

template <class Net>
std::string table_of() {
    std::ostringstream s;
    sn::print_keras_table<Net>(s);
    return s.str();
}

}  // namespace

TEST_CASE("summary: the deep CNN's table matches the seed's exactly") {
    // The seed's first model has no counters to differ: the whole text must be identical.
    CHECK(table_of<sn::examples::Deep>() == std::string(sn::test::keras_summary_deep));
    compare_with_keras(table_of<sn::examples::Deep>(), sn::test::keras_summary_deep);
}

TEST_CASE("summary: the BatchNormalization + Dropout network's table matches the seed's") {
    compare_with_keras(table_of<sn::examples::Bn>(), sn::test::keras_summary_bn);
}

TEST_CASE("summary: the Network-in-Network table matches the seed's") {
    compare_with_keras(table_of<sn::examples::Nin>(), sn::test::keras_summary_nin);
}

TEST_CASE("summary: our own counters and Keras's column cutting") {
    const auto lines = lines_of(table_of<sn::examples::Bn>());
    // Row 1 is at line 5; rows are two lines apart.
    CHECK(lines[4] == "conv2d (Conv2D)              (None, 28, 28, 32)        320       ");
    CHECK(lines[6] == "batch_normalization_v2 (Batc (None, 28, 28, 32)        128       ");
    CHECK(lines[10] == "batch_normalization_v2_1 (Ba (None, 28, 28, 32)        128       ");
    CHECK(lines[22] == "max_pooling2d_1 (MaxPooling2 (None, 7, 7, 32)          0         ");
    CHECK(lines[26] == "dense (Dense)                (None, 32)                50208     ");
    CHECK(lines[28] == "dropout (Dropout)            (None, 32)                0         ");
}

TEST_CASE("summary: thousands separators") {
    CHECK(sn::thousands(0) == "0");
    CHECK(sn::thousands(999) == "999");
    CHECK(sn::thousands(1000) == "1,000");
    CHECK(sn::thousands(31850) == "31,850");
    CHECK(sn::thousands(1234567) == "1,234,567");
}

TEST_CASE("summary: the lines below the Keras table print the compile-time plan") {
    static sn::Model<sn::examples::Nin, sn::Adam<>, sn::SparseCategoricalCrossentropy, 64> model;
    std::ostringstream s;
    model.summary(s);
    const std::string text = s.str();
    using M = decltype(model);
    CHECK(text.find("Total params: 31,850\n") != std::string::npos);
    CHECK(text.find("MACs per sample: " + sn::thousands(sn::examples::Nin::macs_per_sample) + "\n") != std::string::npos);
    CHECK(text.find("Parameter bytes: 127,400 (32-bit values)") != std::string::npos);
    CHECK(text.find("at batch 64") != std::string::npos);
    CHECK(text.find("Training arena bytes: " + sn::thousands(M::training_arena_bytes) + " at batch 64") !=
          std::string::npos);
    constexpr std::size_t at1 = sn::examples::Nin::inference_plan<1, float>().total * sizeof(float);
    CHECK(text.find("Inference arena bytes: " + sn::thousands(at1) + " at batch 1, " +
                    sn::thousands(M::inference_arena_bytes) + " at batch 64") != std::string::npos);
}
