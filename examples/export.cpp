// staticnet_export: a trained seed network (the weights.bin that tools/train saves) as a C++
// header that firmware compiles: the network type and its parameters as a constexpr array bound
// to the type's signature (see include/staticnet/io/model_source.hpp). tools/export runs it.
//
//   staticnet_export --network nin --weights out/nin/weights.bin --out nin_model.hpp
//   staticnet_export --network nin --weights out/nin/weights.bin --data DIR --images 200
//                    --out nin_test_images.hpp      (test images + this build's predictions)
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <staticnet/io/model_source.hpp>
#include <staticnet/staticnet.hpp>

#include "examples/seed_networks.hpp"

namespace sn = staticnet;
namespace fs = std::filesystem;

namespace {

struct Options {
    std::string network, weights, out, name, data, split = "t10k";
    int images = 0;
};

void usage(std::ostream& out) {
    out << "usage: staticnet_export --network NAME --weights FILE --out FILE [options]\n"
           "Writes a trained seed network as a C++ header: the network type and its parameters as\n"
           "constexpr data bound to the type's signature (firmware reads them in place).\n\n"
           "  --network NAME   deep | bn | nin\n"
           "  --weights FILE   the weights.bin tools/train saved for that network\n"
           "  --out FILE       the header to write (written to FILE.tmp, then renamed)\n"
           "  --name NAME      namespace of the generated code (default <network>_model, or\n"
           "                   <network>_test_images with --images)\n"
           "  --images N       instead of the model: the first N images of --data, their labels and,\n"
           "                   with --weights, this desktop build's predictions (for firmware checks)\n"
           "  --data DIR       IDX dataset folder, for --images\n"
           "  --split NAME     t10k (default) or train: which images --images takes\n"
           "  --help           this text\n";
}

[[noreturn]] void bad_option(const std::string& msg) {
    std::cerr << "staticnet_export: " << msg << " (see --help)\n";
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) bad_option(a + " needs a value");
            return argv[++i];
        };
        if (a == "--help" || a == "-h") {
            usage(std::cout);
            std::exit(0);
        } else if (a == "--network") o.network = next();
        else if (a == "--weights") o.weights = next();
        else if (a == "--out") o.out = next();
        else if (a == "--name") o.name = next();
        else if (a == "--data") o.data = next();
        else if (a == "--split") o.split = next();
        else if (a == "--images") {
            const std::string v = next();
            const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), o.images);
            if (ec != std::errc() || end != v.data() + v.size() || o.images < 1)
                bad_option("--images needs a count of at least 1, got '" + v + "'");
        } else bad_option("unknown option '" + a + "'");
    }
    if (o.network != "deep" && o.network != "bn" && o.network != "nin")
        bad_option("--network must be deep, bn or nin, not '" + o.network + "'");
    if (o.weights.empty() && o.images == 0) bad_option("--weights FILE is required");
    if (o.split != "t10k" && o.split != "train") bad_option("--split must be t10k or train, not '" + o.split + "'");
    if (o.out.empty()) bad_option("--out FILE is required");
    if (o.images > 0 && o.data.empty()) bad_option("--images needs --data DIR");
    if (o.name.empty()) o.name = o.network + (o.images > 0 ? "_test_images" : "_model");
    return o;
}


template <class Net>
sn::Inference<Net, 1, float>& inference() {
    static sn::Inference<Net, 1, float> model;  // static: the arena never goes on the stack
    return model;
}

// The test images as uint8 pixels, the labels and the predictions of this (desktop) build.
template <class Net>
std::string test_images_header(const Options& o) {
    auto& model = inference<Net>();
    const auto test = sn::data::load_idx_dataset(o.data, o.split);
    if (o.images > test.size())
        throw std::runtime_error(o.data + ": has " + std::to_string(test.size()) + " " + o.split +
                                 " images, --images asks for " + std::to_string(o.images));
    constexpr int pixels = static_cast<int>(Net::input_shape.size());
    constexpr int classes = static_cast<int>(Net::output_shape.size());
    if (test.images.rows * test.images.cols != pixels)
        throw std::runtime_error(o.data + ": images are " + std::to_string(test.images.rows) + "x" +
                                 std::to_string(test.images.cols) + ", the network wants " + std::to_string(pixels) +
                                 " pixels");
    std::ostringstream s;
    s << "// Generated by staticnet_export from " << o.data << " (first " << o.images << " " << o.split << " images)"
      << (o.weights.empty() ? std::string() : " and " + o.weights) << ".\n// Do not edit: regenerate it.\n#pragma once\n#include <cstdint>\n\nnamespace " << o.name
      << " {\n\ninline constexpr int count = " << o.images << ";\ninline constexpr int pixels = " << pixels
      << ";\ninline constexpr int classes = " << classes << ";\n\n// Raw 0..255 pixels, row-major (as tools/train feeds them).\n"
      << "inline constexpr std::uint8_t images[count][pixels] = {\n";
    for (int i = 0; i < o.images; ++i) {
        s << "    {";
        for (int p = 0; p < pixels; ++p)
            s << (p ? "," : "") << static_cast<int>(test.images.pixels[static_cast<std::size_t>(i) * pixels + p]);
        s << "},\n";
    }
    s << "};\n\ninline constexpr std::uint8_t labels[count] = {";
    for (int i = 0; i < o.images; ++i) s << (i ? "," : "") << static_cast<int>(test.labels[static_cast<std::size_t>(i)]);
    s << "};\n";
    if (o.weights.empty()) {
        s << "\n}  // namespace " << o.name << '\n';
        return s.str();
    }
    s << "\n// The desktop build's output probabilities for each image (hexadecimal: exact).\n"
      << "inline constexpr float desktop_outputs[count][classes] = {\n";
    std::vector<float> x(pixels);
    for (int i = 0; i < o.images; ++i) {
        for (int p = 0; p < pixels; ++p) x[p] = test.images.pixels[static_cast<std::size_t>(i) * pixels + p];
        const auto y = model.predict(x, 1);
        s << "    {";
        for (int k = 0; k < classes; ++k) s << (k ? ", " : "") << sn::io::detail::literal(y[k]);
        s << "},\n";
    }
    s << "};\n\n}  // namespace " << o.name << '\n';
    return s.str();
}

template <class Net>
void run(const Options& o) {
    auto& model = inference<Net>();
    if (!o.weights.empty()) {
        try {
            sn::io::load_weights<float>(model.parameters(), o.weights);
        } catch (const sn::io::NonFiniteWeight& e) {
            // Name the tensor and the layer, as write_model_header does for other sources.
            for (const auto& t : sn::io::model_source<Net>(o.name, o.weights, "staticnet_export").tensors)
                if (e.index >= t.offset && e.index < t.offset + t.size)
                    throw std::runtime_error(o.weights + ": parameter " + std::to_string(e.index - t.offset) + " of " +
                                             t.layer + "/" + t.name + " (layer position " + std::to_string(t.position) +
                                             ") is " + (e.nan ? "NaN" : "infinite") +
                                             ": the weights are broken (a diverged training?)");
            throw;
        }
    }
    if (o.images > 0) {
        sn::io::write_text_file(o.out, test_images_header<Net>(o));
        std::cout << "staticnet_export: wrote " << o.out << " (" << o.images << " " << o.split << " images of " << o.data
                  << (o.weights.empty() ? ")" : " with " + o.network + "'s desktop predictions)") << '\n';
        return;
    }
    std::ostringstream s;
    sn::io::write_model_header<Net, float>(s, model.parameters(), o.name,
                                           o.weights + " (network '" + o.network + "')", "staticnet_export");
    sn::io::write_text_file(o.out, s.str());
    std::cout << "staticnet_export: wrote " << o.out << " (" << o.name << "::Network, " << Net::params.total
              << " parameters, signature " << sn::io::detail::hex64(sn::signature_of<Net>) << ")\n";
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parse(argc, argv);
    try {
        if (o.network == "deep") run<sn::examples::Deep>(o);
        else if (o.network == "bn") run<sn::examples::Bn>(o);
        else run<sn::examples::Nin>(o);
    } catch (const std::exception& e) {
        std::cerr << "staticnet_export: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
