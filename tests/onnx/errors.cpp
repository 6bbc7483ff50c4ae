// staticnet_onnx_import on models it must refuse (tools/gen-onnx.py's unsupported_*.onnx, exported
// by PyTorch): exit status 1, one message naming the node, its operator and the attribute, and no
// header (nor a .tmp) left behind. And the command line.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "common.hpp"

namespace fs = std::filesystem;

namespace {

void refused(const std::string& model, const std::string& message) {
    const fs::path out = fs::path(onnx_test::work_dir) / "refused.hpp";
    fs::remove(out);
    fs::remove(out.string() + ".tmp");
    const std::string path = onnx_test::fixtures + "/" + model;
    const auto r = onnx_test::run_import("--model " + path + " --name refused --out " + out.string());
    CHECK(r.status == 1);
    CHECK(r.err == "staticnet_onnx_import: " + path + ": " + message + "\n");
    CHECK(r.out.empty());
    CHECK_FALSE(fs::exists(out));
    CHECK_FALSE(fs::exists(out.string() + ".tmp"));
}

}  // namespace

TEST_CASE("onnx: PyTorch models with what staticnet does not have are refused, naming node, operator, attribute") {
    refused("unsupported_dilated.onnx",
            "node '/layer/Conv' (Conv): attribute dilations = [2, 2] is not supported (staticnet's Conv2D has no "
            "dilation)");
    refused("unsupported_grouped.onnx",
            "node '/layer/Conv' (Conv): attribute group = 2 is not supported (staticnet's Conv2D has no grouped or "
            "depthwise convolution)");
    refused("unsupported_sigmoid.onnx",
            "node '/layer/Sigmoid' (Sigmoid): operator Sigmoid is not supported (staticnet_onnx_import maps Conv, "
            "BatchNormalization, MaxPool, Flatten, Reshape, Gemm, MatMul + Add, Relu, Softmax, Dropout and Identity)");
    refused("unsupported_stride2_pad1.onnx",
            "node '/layer/Conv' (Conv): attribute pads = [1, 1, 1, 1] is not supported: staticnet pads either not at "
            "all ('valid') or as TF 'same', which for this 28x28 input, kernel 3x3 and strides 2x2 is pads = "
            "[0, 0, 1, 1] (PyTorch's symmetric padding is 'same' only where the total padding is even)");
    refused("missing.onnx", "cannot open the file");
    // Not an ONNX file at all.
    refused("reference.txt", "not an ONNX model (the protobuf does not parse)");
}

TEST_CASE("onnx: the command line") {
    const fs::path out = fs::path(onnx_test::work_dir) / "cli.hpp";
    fs::remove(out);
    const std::string model = onnx_test::fixtures + "/small_cnn.onnx";

    auto r = onnx_test::run_import("--model " + model);
    CHECK(r.status == 2);
    CHECK(r.err == "staticnet_onnx_import: --out FILE is required (see --help)\n");
    r = onnx_test::run_import("--out " + out.string());
    CHECK(r.status == 2);
    CHECK(r.err == "staticnet_onnx_import: --model FILE.onnx is required (see --help)\n");
    r = onnx_test::run_import("--model " + model + " --out " + out.string() + " --frobnicate");
    CHECK(r.status == 2);
    CHECK(r.err == "staticnet_onnx_import: unknown option '--frobnicate' (see --help)\n");
    r = onnx_test::run_import("--help");
    CHECK(r.status == 0);
    CHECK(r.out.find("usage: staticnet_onnx_import --model FILE.onnx --out FILE.hpp") == 0);

    // A bad namespace name: refused by write_model_header, nothing written.
    r = onnx_test::run_import("--model " + model + " --name 9lives --out " + out.string());
    CHECK(r.status == 1);
    CHECK(r.err == "staticnet_onnx_import: model name '9lives' is not a C++ identifier (letters, digits, _)\n");
    CHECK_FALSE(fs::exists(out));
    CHECK_FALSE(fs::exists(out.string() + ".tmp"));

    // Control: good input writes the header, named after the file by default, and says so.
    r = onnx_test::run_import("--model " + model + " --out " + out.string());
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    CHECK(r.out.find("staticnet_onnx_import: wrote " + out.string() +
                     " (small_cnn_model::Network, 8 layers, 5146 parameters, signature 0x") == 0);
    REQUIRE(fs::exists(out));
    CHECK_FALSE(fs::exists(out.string() + ".tmp"));
    const std::string text = onnx_test::read_text(out.string());
    CHECK(text.find("namespace small_cnn_model {") != std::string::npos);
    // The very header the build generated (same model, same name), but for the path in its first line.
    const std::string built = onnx_test::read_text(onnx_test::models_dir + "/small_cnn_model.hpp");
    CHECK(text.substr(text.find('\n')) == built.substr(built.find('\n')));

    // --verbose: which nodes became which layer.
    r = onnx_test::run_import("--model " + model + " --out " + out.string() + " --verbose");
    CHECK(r.status == 0);
    CHECK(r.out.find("  4: sn::Conv2D<{.filters = 8, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::valid, "
                     ".activation = sn::relu, .use_bias = true}>\n       <- '/conv2/Conv' (Conv) + '/Relu_1' (Relu)\n") !=
          std::string::npos);
    CHECK(r.out.find("  6: sn::Flatten\n       <- '/Reshape' (Reshape)\n") != std::string::npos);
    CHECK(r.out.find("  8: sn::Dense<{.units = 10, .activation = sn::softmax, .use_bias = true}>\n       <- '/fc2/Gemm' "
                     "(Gemm) + '/Softmax' (Softmax)\n") != std::string::npos);
    fs::remove(out);
}
