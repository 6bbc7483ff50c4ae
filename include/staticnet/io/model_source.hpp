// A trained network as C++ source: one header with the network type (its canonical spelling,
// graph/source.hpp) and its parameters as a constexpr sn::ModelParameters bound to the type's
// signature. tools/export writes one from a weights.bin, tools/onnx-import from an ONNX file;
// both go through write_model_header, so the two kinds of header are the same.
//
//   namespace nin_model {
//   using Network = sn::Sequential<...>;
//   inline constexpr sn::ModelParameters<Network, float> parameters{0x...ull, {...}};
//   template <int Batch = 1> using Inference = sn::StaticInference<Network, parameters, Batch>;
//   }
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../graph/source.hpp"

namespace staticnet::io {

struct ModelSourceError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// One parameter tensor of the flat array, for the comments and the error messages.
struct TensorSource {
    int position = 0;          // layer position (Input = 0)
    std::string layer;         // e.g. "conv2d"
    std::string name;          // e.g. "kernel"
    std::string shape;         // e.g. "(3, 3, 1, 32)"; may be empty
    std::size_t offset = 0;    // in the flat array
    std::size_t size = 0;
};

struct ModelSource {
    std::string name;          // the header's namespace: a C++ identifier
    std::string network;       // the canonical spelling of the network type
    std::uint64_t signature = 0;
    std::string origin;        // where the parameters came from (one line)
    std::string generator;     // which tool wrote the header
    std::size_t trainable = 0, total = 0;
    std::vector<TensorSource> tensors;  // by offset, covering [0, total)
};

inline bool is_identifier(std::string_view s) {
    if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

// The shape of parameter tensor k of a layer spec, Keras order: conv kernel (kh, kw, cin, cout),
// Dense kernel (in, units), vectors (n).
inline std::string dims_text(std::initializer_list<std::size_t> dims) {
    // Appended piece by piece: g++ 12 warns falsely (-Wrestrict) about "(" + std::to_string(...).
    std::string s(1, '(');
    for (std::size_t d : dims) {
        if (s.size() > 1) s.append(", ");
        s.append(std::to_string(d));
    }
    s.push_back(')');
    return s;
}

template <class Net, int P>
std::string tensor_shape(int k) {
    using L = typename Net::template layer<P>;
    const Shape in = Net::input_shapes[P], out = Net::shapes[P];
    const auto u = [](int v) { return static_cast<std::size_t>(v); };
    if constexpr (requires { L::options.depth_multiplier; }) {
        // DepthwiseConv2D, SeparableConv2D: depthwise_kernel (kh, kw, cin, dm), pointwise_kernel (1, 1, cin * dm, filters)
        const int dm = L::options.depth_multiplier;
        if (k == 0) return dims_text({u(L::options.kernel.h), u(L::options.kernel.w), u(in.c), u(dm)});
        if constexpr (requires { L::options.filters; })
            if (k == 1) return dims_text({1, 1, u(in.c) * u(dm), u(out.c)});
    } else if constexpr (requires { L::options.kernel; L::options.filters; }) {
        if (k == 0) return dims_text({u(L::options.kernel.h), u(L::options.kernel.w), u(in.c), u(out.c)});
    } else if constexpr (requires { L::options.units; }) {
        if (k == 0) return dims_text({in.size(), u(out.c)});
    }
    return dims_text({Net::param_specs[P].items[k].size});
}

template <class Net, int P>
void add_tensors(ModelSource& m) {
    using L = typename Net::template layer<P>;
    for (int k = 0; k < Net::param_specs[P].count; ++k) {
        const ParamSlot& slot = Net::param_slots[P][k];
        m.tensors.push_back({P, L::keras_name, Net::param_specs[P].items[k].name, tensor_shape<Net, P>(k),
                             slot.offset, slot.size});
    }
}

// The description of network type Net (its parameters still to come).
template <class Net>
ModelSource model_source(std::string name, std::string origin, std::string generator) {
    ModelSource m;
    m.name = std::move(name);
    m.network = std::string(source_text<Net>());
    m.signature = signature_of<Net>;
    m.origin = std::move(origin);
    m.generator = std::move(generator);
    m.trainable = Net::params.trainable;
    m.total = Net::params.total;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (add_tensors<Net, static_cast<int>(I) + 1>(m), ...);
    }(std::make_index_sequence<Net::layer_count>{});
    std::sort(m.tensors.begin(), m.tensors.end(),
              [](const TensorSource& a, const TensorSource& b) { return a.offset < b.offset; });
    return m;
}

// Writes `text` to `file` through FILE.tmp and a rename: a failure (cannot open, disk full)
// throws ModelSourceError naming the file and never leaves half a file behind.
inline void write_text_file(const std::filesystem::path& file, const std::string& text) {
    const std::filesystem::path tmp = file.string() + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f) throw ModelSourceError(file.string() + ": cannot open " + tmp.string() + " for writing");
        f << text;
        f.flush();
        if (!f) {
            f.close();
            std::error_code ec;
            std::filesystem::remove(tmp, ec);
            throw ModelSourceError(file.string() + ": write failed (disk full?)");
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, file, ec);
    if (ec) throw ModelSourceError(file.string() + ": cannot replace the file: " + ec.message());
}

namespace detail {
// Exact: a hexadecimal float literal ("-0x1.8d4fdep-5f") reads back as the same bits.
template <class T>
std::string literal(T v) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%a", static_cast<double>(v));
    std::string s = buf;
    if constexpr (sizeof(T) == sizeof(float)) s += 'f';
    return s;
}
inline std::string hex64(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%016llxull", static_cast<unsigned long long>(v));
    return buf;
}
}  // namespace detail

// Writes the header. Throws ModelSourceError (nothing written) when the name is not an
// identifier, the values do not match the tensors, or a value is NaN or infinite.
template <class T>
void write_model_header(std::ostream& out, const ModelSource& m, std::span<const T> values) {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "staticnet: float or double parameters");
    if (!is_identifier(m.name))
        throw ModelSourceError("model name '" + m.name + "' is not a C++ identifier (letters, digits, _)");
    if (values.size() != m.total)
        throw ModelSourceError("the network has " + std::to_string(m.total) + " parameters but " +
                               std::to_string(values.size()) + " values were given");
    std::size_t covered = 0;
    for (const auto& t : m.tensors) {
        if (t.offset != covered) throw ModelSourceError("internal error: the tensor list has a gap");
        for (std::size_t i = t.offset; i < t.offset + t.size; ++i)
            if (!std::isfinite(values[i]))
                throw ModelSourceError("parameter " + std::to_string(i - t.offset) + " of " + t.layer + "/" + t.name +
                                       " (layer position " + std::to_string(t.position) + ") is " +
                                       (std::isnan(values[i]) ? "NaN" : "infinite") +
                                       ": the weights are broken (a diverged training?)");
        covered += t.size;
    }
    if (covered != m.total) throw ModelSourceError("internal error: the tensors do not cover every parameter");

    const char* type = sizeof(T) == sizeof(float) ? "float" : "double";
    out << "// Generated by " << m.generator << " from " << m.origin << ".\n"
        << "// Do not edit: regenerate it. The parameters are bound to the network's signature; compiling\n"
        << "// them into a network type with another signature is a compile error.\n"
        << "// " << m.total << " parameters (" << m.trainable << " trainable), " << type << ".\n"
        << "#pragma once\n#include <staticnet/core.hpp>\n\n"
        << "namespace " << m.name << " {\nnamespace sn = ::staticnet;\n\n"
        << "using Network = " << m.network << ";\n\n"
        << "inline constexpr sn::ModelParameters<Network, " << type << "> parameters{\n    "
        << detail::hex64(m.signature) << ",\n    {\n";
    for (const auto& t : m.tensors) {
        out << "        // layer " << t.position << " (" << t.layer << "): " << t.name << ' ' << t.shape << ", "
            << t.size << " values at " << t.offset << '\n';
        for (std::size_t i = 0; i < t.size; ++i) {
            out << (i % 6 == 0 ? "        " : " ") << detail::literal(values[t.offset + i]) << ',';
            if (i % 6 == 5 || i + 1 == t.size) out << '\n';
        }
    }
    out << "    }};\n\n"
        << "static_assert(parameters.signature == sn::signature_of<Network>,\n"
        << "              \"staticnet: the network type in this generated header was edited: it no longer has \"\n"
        << "              \"the signature its parameters were generated for; regenerate the header\");\n\n"
        << "// Inference reading the parameters in place (.rodata: flash on a microcontroller).\n"
        << "template <int Batch = 1>\nusing Inference = sn::StaticInference<Network, parameters, Batch>;\n\n"
        << "// The inference form (BatchNormalization folded, Dropout dropped: sn::inference_form), its\n"
        << "// parameters computed by the compiler on first use, also read in place.\n"
        << "template <class = void>\ninline constexpr auto folded_parameters = sn::fold(parameters);\n"
        << "template <int Batch = 1>\n"
        << "using FoldedInference = sn::StaticInference<sn::inference_form<Network>, folded_parameters<>, Batch>;\n\n"
        << "}  // namespace " << m.name << '\n';
    if (!out) throw ModelSourceError("writing the header failed");
}

// A model's parameters (Net's flat array) as a header.
template <class Net, class T>
void write_model_header(std::ostream& out, std::span<const T> values, std::string name, std::string origin,
                        std::string generator = "staticnet") {
    write_model_header<T>(out, model_source<Net>(std::move(name), std::move(origin), std::move(generator)), values);
}

}  // namespace staticnet::io

// ---- a network decided at run time ----------------------------------------------------------
// A generator that builds the network at run time (tools/onnx: staticnet_onnx_import) spells it
// with the sn::source writer functions, the same ones source_of<Net> is made of, and lists each
// layer's parameter tensors; runtime_model_source lays them out as Sequential::param_slots does,
// so it returns what model_source<Net> returns for the network type the spelling names.
namespace staticnet::io {

// The text `write(sn::source::Writer&)` produces (run twice: counted, then written).
template <class Write>
std::string spell(Write&& write) {
    source::Writer count;
    write(count);
    std::string text(count.size(), '\0');
    source::Writer w(text.data(), text.size());
    write(w);
    return text;
}

// One parameter tensor of a network built at run time.
struct RuntimeTensor {
    int position = 0;     // layer position (Input = 0)
    std::string layer;    // the layer kind's keras_name ("conv2d")
    std::string name;     // the tensor's ParamSpecs name ("kernel")
    std::string shape;    // Keras layout, as dims_text writes it: "(3, 3, 1, 32)"
    std::size_t size = 0;
    bool trainable = true;
};

// `tensors` by layer position, each layer's in its ParamSpecs order (Conv2D/Dense: kernel, bias;
// BatchNormalization: gamma, beta, moving_mean, moving_variance). Their offsets are
// Sequential::param_slots': the trainable tensors first, then the non-trainable ones, each group
// in that order. The signature is the FNV-1a hash of `network`.
inline ModelSource runtime_model_source(std::string name, std::string network, std::string origin,
                                        std::string generator, const std::vector<RuntimeTensor>& tensors) {
    ModelSource m;
    m.name = std::move(name);
    m.network = std::move(network);
    m.signature = source::fnv1a(m.network);
    m.origin = std::move(origin);
    m.generator = std::move(generator);
    for (const auto& t : tensors)
        if (t.trainable) m.trainable += t.size;
    std::size_t trainable_at = 0, frozen_at = m.trainable;
    for (const auto& t : tensors) {
        std::size_t& at = t.trainable ? trainable_at : frozen_at;
        m.tensors.push_back({t.position, t.layer, t.name, t.shape, at, t.size});
        at += t.size;
    }
    m.total = frozen_at;
    std::stable_sort(m.tensors.begin(), m.tensors.end(),
                     [](const TensorSource& a, const TensorSource& b) { return a.offset < b.offset; });
    return m;
}

// Where tensor `name` of the layer at `position` starts in the flat array; npos if it has none.
inline std::size_t offset_of(const ModelSource& m, int position, std::string_view name) {
    for (const auto& t : m.tensors)
        if (t.position == position && t.name == name) return t.offset;
    return static_cast<std::size_t>(-1);
}

}  // namespace staticnet::io
