// staticnet_onnx_import: an ONNX file exported by PyTorch as a staticnet generated model header
// (the network type it describes and its parameters as constexpr data bound to the type's
// signature; the same kind of header staticnet_export writes). tools/onnx-import runs it;
// staticnet_add_model(... MODEL x.onnx ...) runs it at build time.
//
//   staticnet_onnx_import --model mnist.onnx --name mnist_model --out mnist_model.hpp
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <staticnet/io/model_source.hpp>

#include "onnx_importer.hpp"

namespace fs = std::filesystem;
namespace oi = staticnet::onnx_import;

namespace {

struct Options {
    std::string model, name, out;
    bool verbose = false;
};

void usage(std::ostream& out) {
    out << "usage: staticnet_onnx_import --model FILE.onnx --out FILE.hpp [--name NAME] [--verbose]\n"
           "Writes an ONNX model exported by PyTorch (torch.onnx.export, eval mode) as a staticnet\n"
           "header: the sn::Sequential network type it describes and its parameters as constexpr data\n"
           "bound to the type's signature.\n\n"
           "  --model FILE   the .onnx file: one chain of Conv, BatchNormalization, MaxPool, Flatten or\n"
           "                 Reshape, Gemm or MatMul (+ Add), Relu, Softmax, Dropout, Identity nodes\n"
           "                 from one float (N, C, H, W) input with fixed C, H, W\n"
           "  --out FILE     the header to write (written to FILE.tmp, then renamed; nothing on error)\n"
           "  --name NAME    namespace of the generated code (default <model file stem>_model)\n"
           "  --verbose      list which ONNX nodes became which staticnet layer\n"
           "  --help         this text\n\n"
           "The network reads NHWC input (for one channel that is PyTorch's layout too). Anything the\n"
           "importer cannot map exactly is an error naming the node, its operator and the attribute.\n";
}

[[noreturn]] void bad_option(const std::string& msg) {
    std::cerr << "staticnet_onnx_import: " << msg << " (see --help)\n";
    std::exit(2);
}

// "my-net.v2" -> "my_net_v2_model"
std::string default_name(const std::string& model) {
    std::string s = fs::path(model).stem().string();
    for (char& c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) c = '_';
    if (s.empty() || (s[0] >= '0' && s[0] <= '9')) s = "onnx_" + s;
    return s + "_model";
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) bad_option(a + " needs a value");
            return argv[++i];
        };
        if (a == "--help" || a == "-h") {
            usage(std::cout);
            std::exit(0);
        } else if (a == "--model") o.model = next();
        else if (a == "--name") o.name = next();
        else if (a == "--out") o.out = next();
        else if (a == "--verbose" || a == "-v") o.verbose = true;
        else bad_option("unknown option '" + a + "'");
    }
    if (o.model.empty()) bad_option("--model FILE.onnx is required");
    if (o.out.empty()) bad_option("--out FILE is required");
    if (o.name.empty()) o.name = default_name(o.model);
    return o;
}


}  // namespace

int main(int argc, char** argv) {
    const Options o = parse(argc, argv);
    try {
        const oi::Imported m = oi::import_file(o.model, o.name);
        std::ostringstream s;
        staticnet::io::write_model_header<float>(s, m.source, m.values);
        staticnet::io::write_text_file(o.out, s.str());
        if (o.verbose) {
            for (const auto& l : m.layers) std::cout << "  " << l.position << ": " << l.layer << "\n       <- " << l.nodes << '\n';
            for (const auto& d : m.dropped) std::cout << "  dropped " << d << '\n';
        }
        for (const auto& n : m.notes) std::cout << "staticnet_onnx_import: note: " << n << '\n';
        std::cout << "staticnet_onnx_import: wrote " << o.out << " (" << o.name << "::Network, " << m.layers.size() - 1
                  << " layers, " << m.source.total << " parameters, signature "
                  << staticnet::io::detail::hex64(m.source.signature) << ")\n";
    } catch (const std::exception& e) {
        std::cerr << "staticnet_onnx_import: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
