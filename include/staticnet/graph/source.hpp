// A network type's canonical C++ spelling and its signature.
//
// source_of<Net> is the text a generated model header uses to name the network
// ("sn::Sequential<\n    sn::Input<28, 28, 1>,\n    sn::Conv2D<{...}>, ...>"), with every option
// written out, so equal networks always have equal text. signature_of<Net> is the 64-bit FNV-1a
// hash of that text: it covers every layer kind and option and the input shape, and therefore
// every shape (shapes are a function of those). Both are computed by the compiler; the writer
// functions below are plain constexpr functions, so a generator that builds a network at run
// time (the ONNX importer) spells it with the same code and gets the same signature.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "../layers/activation.hpp"
#include "../layers/affine.hpp"
#include "../layers/average_pooling2d.hpp"
#include "../layers/batch_normalization.hpp"
#include "../layers/conv2d.hpp"
#include "../layers/dense.hpp"
#include "../layers/depthwise_conv2d.hpp"
#include "../layers/dropout.hpp"
#include "../layers/flatten.hpp"
#include "../layers/global_average_pooling2d.hpp"
#include "../layers/input.hpp"
#include "../layers/max_pool2d.hpp"
#include "../layers/reshape.hpp"
#include "../layers/separable_conv2d.hpp"
#include "../layers/zero_padding2d.hpp"
#include "sequential.hpp"

namespace staticnet::source {

// Appends text to a buffer of `capacity` chars, or only counts when `out` is null. Text that
// does not fit is counted but not written (size() > capacity tells).
class Writer {
public:
    constexpr Writer() = default;
    constexpr Writer(char* out, std::size_t capacity) : out_(out), capacity_(capacity) {}

    constexpr void put(char c) {
        if (out_ && size_ < capacity_) out_[size_] = c;
        ++size_;
    }
    constexpr void put(std::string_view s) {
        for (char c : s) put(c);
    }
    constexpr void put_int(long long v) {
        if (v < 0) {
            put('-');
            put_unsigned(static_cast<unsigned long long>(-(v + 1)) + 1);
        } else {
            put_unsigned(static_cast<unsigned long long>(v));
        }
    }
    constexpr void put_unsigned(unsigned long long v) {
        char digits[20] = {};
        int n = 0;
        do {
            digits[n++] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v);
        while (n) put(digits[--n]);
    }
    // The shortest decimal that reads back as the same float, as a C++ float literal ("0.2f",
    // "0.001f", "1e-07f", "1.0f"). Values are what layer options hold: finite.
    constexpr void put_float(float v);

    constexpr std::size_t size() const { return size_; }

private:
    char* out_ = nullptr;
    std::size_t capacity_ = 0;
    std::size_t size_ = 0;
};

namespace detail {
constexpr double power_of_ten(int e) {
    double p = 1.0;
    for (int i = 0; i < (e < 0 ? -e : e); ++i) p *= 10.0;
    return e < 0 ? 1.0 / p : p;
}
}  // namespace detail

constexpr void Writer::put_float(float v) {
    if (v == 0.0f) {
        put("0.0f");
        return;
    }
    if (v < 0.0f) {
        put('-');
        v = -v;
    }
    // Decimal exponent e with 10^e <= v < 10^(e+1).
    const double x = v;
    int e = 0;
    while (x >= detail::power_of_ten(e + 1)) ++e;
    while (x < detail::power_of_ten(e)) --e;
    // The fewest significant digits p that give v back.
    unsigned long long m = 0;
    int p = 1;
    for (; p <= 9; ++p) {
        const double scaled = x / detail::power_of_ten(e - p + 1);
        m = static_cast<unsigned long long>(scaled + 0.5);
        if (static_cast<float>(static_cast<double>(m) * detail::power_of_ten(e - p + 1)) == v) break;
    }
    if (p > 9) p = 9;
    // m may have rounded up to 10^p (9.99... -> 10): one digit more, exponent one higher.
    if (m >= static_cast<unsigned long long>(detail::power_of_ten(p))) {
        m /= 10;
        ++e;
    }
    char digits[10] = {};
    for (int i = p - 1; i >= 0; --i) {
        digits[i] = static_cast<char>('0' + m % 10);
        m /= 10;
    }
    while (p > 1 && digits[p - 1] == '0') --p;  // 1.50 -> 1.5
    if (e >= -5 && e < 7) {
        // Fixed notation: digits with the point after position e (padding with zeros).
        if (e < 0) {
            put("0.");
            for (int i = 0; i < -e - 1; ++i) put('0');
            for (int i = 0; i < p; ++i) put(digits[i]);
        } else {
            for (int i = 0; i <= e; ++i) put(i < p ? digits[i] : '0');
            put('.');
            if (p > e + 1)
                for (int i = e + 1; i < p; ++i) put(digits[i]);
            else
                put('0');
        }
    } else {
        put(digits[0]);
        if (p > 1) {
            put('.');
            for (int i = 1; i < p; ++i) put(digits[i]);
        }
        put('e');
        put_int(e);
    }
    put('f');
}

constexpr std::string_view padding_name(Padding p) { return p == Padding::same ? "sn::same" : "sn::valid"; }
constexpr std::string_view activation_source(ActivationFunction a) {
    switch (a) {
        case ActivationFunction::linear: return "sn::linear";
        case ActivationFunction::relu: return "sn::relu";
        case ActivationFunction::softmax: return "sn::softmax";
        case ActivationFunction::sigmoid: return "sn::sigmoid";
        case ActivationFunction::tanh: return "sn::tanh";
        case ActivationFunction::leaky_relu: return "sn::leaky_relu";
    }
    return "?";
}
constexpr void put_size2(Writer& w, Size2 s) {
    w.put('{');
    w.put_int(s.h);
    w.put(", ");
    w.put_int(s.w);
    w.put('}');
}

// One function per layer kind, each writing the layer's full spelling with every option.
constexpr void input(Writer& w, int h, int width, int c) {
    w.put("sn::Input<");
    w.put_int(h);
    w.put(", ");
    w.put_int(width);
    w.put(", ");
    w.put_int(c);
    w.put('>');
}
constexpr void layer(Writer& w, const Conv2DOptions& o) {
    w.put("sn::Conv2D<{.filters = ");
    w.put_int(o.filters);
    w.put(", .kernel = ");
    put_size2(w, o.kernel);
    w.put(", .strides = ");
    put_size2(w, o.strides);
    w.put(", .padding = ");
    w.put(padding_name(o.padding));
    w.put(", .activation = ");
    w.put(activation_source(o.activation));
    w.put(", .use_bias = ");
    w.put(o.use_bias ? "true" : "false");
    w.put("}>");
}
constexpr void layer(Writer& w, const DenseOptions& o) {
    w.put("sn::Dense<{.units = ");
    w.put_int(o.units);
    w.put(", .activation = ");
    w.put(activation_source(o.activation));
    w.put(", .use_bias = ");
    w.put(o.use_bias ? "true" : "false");
    w.put("}>");
}
constexpr void layer(Writer& w, const MaxPool2DOptions& o) {
    w.put("sn::MaxPool2D<{.pool = ");
    put_size2(w, o.pool);
    w.put(", .strides = ");
    put_size2(w, o.strides);
    w.put(", .padding = ");
    w.put(padding_name(o.padding));
    w.put("}>");
}
constexpr void layer(Writer& w, const AveragePooling2DOptions& o) {
    w.put("sn::AveragePooling2D<{.pool = ");
    put_size2(w, o.pool);
    w.put(", .strides = ");
    put_size2(w, o.strides);
    w.put(", .padding = ");
    w.put(padding_name(o.padding));
    w.put("}>");
}
constexpr void layer(Writer& w, const BatchNormalizationOptions& o) {
    w.put("sn::BatchNormalization<{.momentum = ");
    w.put_float(o.momentum);
    w.put(", .epsilon = ");
    w.put_float(o.epsilon);
    w.put("}>");
}
constexpr void layer(Writer& w, const DropoutOptions& o) {
    w.put("sn::Dropout<{.rate = ");
    w.put_float(o.rate);
    w.put("}>");
}
constexpr void layer(Writer& w, const DepthwiseConv2DOptions& o) {
    w.put("sn::DepthwiseConv2D<{.kernel = ");
    put_size2(w, o.kernel);
    w.put(", .strides = ");
    put_size2(w, o.strides);
    w.put(", .padding = ");
    w.put(padding_name(o.padding));
    w.put(", .depth_multiplier = ");
    w.put_int(o.depth_multiplier);
    w.put(", .activation = ");
    w.put(activation_source(o.activation));
    w.put(", .use_bias = ");
    w.put(o.use_bias ? "true" : "false");
    w.put("}>");
}
constexpr void layer(Writer& w, const SeparableConv2DOptions& o) {
    w.put("sn::SeparableConv2D<{.filters = ");
    w.put_int(o.filters);
    w.put(", .kernel = ");
    put_size2(w, o.kernel);
    w.put(", .strides = ");
    put_size2(w, o.strides);
    w.put(", .padding = ");
    w.put(padding_name(o.padding));
    w.put(", .depth_multiplier = ");
    w.put_int(o.depth_multiplier);
    w.put(", .activation = ");
    w.put(activation_source(o.activation));
    w.put(", .use_bias = ");
    w.put(o.use_bias ? "true" : "false");
    w.put("}>");
}
constexpr void layer(Writer& w, const ZeroPadding2DOptions& o) {
    w.put("sn::ZeroPadding2D<{.padding = {");
    w.put_int(o.padding.top);
    w.put(", ");
    w.put_int(o.padding.bottom);
    w.put(", ");
    w.put_int(o.padding.left);
    w.put(", ");
    w.put_int(o.padding.right);
    w.put("}}>");
}
// The target dimensions as written (-1 stays -1: it is part of the type).
constexpr void reshape(Writer& w, const int* dims, int rank) {
    w.put("sn::Reshape<");
    for (int i = 0; i < rank; ++i) {
        if (i > 0) w.put(", ");
        w.put_int(dims[i]);
    }
    w.put('>');
}
constexpr void flatten(Writer& w) { w.put("sn::Flatten"); }
constexpr void global_average_pooling(Writer& w) { w.put("sn::GlobalAveragePooling2D"); }
constexpr void affine(Writer& w) { w.put("sn::Affine"); }
constexpr void activation(Writer& w, ActivationFunction a) {
    w.put("sn::Activation<");
    w.put(activation_source(a));
    w.put('>');
}

// The frame around the layers: "sn::Sequential<\n    " first, ",\n    " between, ">" last.
constexpr void sequential_begin(Writer& w) { w.put("sn::Sequential<\n    "); }
constexpr void sequential_next(Writer& w) { w.put(",\n    "); }
constexpr void sequential_end(Writer& w) { w.put('>'); }

// ---- a layer type's spelling ------------------------------------------------------------
template <class L>
struct spelling {
    // A layer kind without a spelling cannot be written into a model header (yet).
    static_assert(sizeof(L) == 0, "staticnet: this layer kind has no source spelling (graph/source.hpp)");
};
template <int H, int W, int C>
struct spelling<Input<H, W, C>> {
    static constexpr void write(Writer& w) { input(w, H, W, C); }
};
template <Conv2DOptions O>
struct spelling<Conv2D<O>> {
    static constexpr void write(Writer& w) { layer(w, O); }
};
template <DenseOptions O>
struct spelling<Dense<O>> {
    static constexpr void write(Writer& w) { layer(w, O); }
};
template <MaxPool2DOptions O>
struct spelling<MaxPool2D<O>> {
    static constexpr void write(Writer& w) { layer(w, O); }
};
template <AveragePooling2DOptions O>
struct spelling<AveragePooling2D<O>> {
    static constexpr void write(Writer& w) { layer(w, O); }
};
template <BatchNormalizationOptions O>
struct spelling<BatchNormalization<O>> {
    static constexpr void write(Writer& w) { layer(w, O); }
};
template <DropoutOptions O>
struct spelling<Dropout<O>> {
    static constexpr void write(Writer& w) { layer(w, O); }
};
template <DepthwiseConv2DOptions O>
struct spelling<DepthwiseConv2D<O>> {
    static constexpr void write(Writer& w) { layer(w, O); }
};
template <SeparableConv2DOptions O>
struct spelling<SeparableConv2D<O>> {
    static constexpr void write(Writer& w) { layer(w, O); }
};
template <ZeroPadding2DOptions O>
struct spelling<ZeroPadding2D<O>> {
    static constexpr void write(Writer& w) { layer(w, O); }
};
template <int... Dims>
struct spelling<Reshape<Dims...>> {
    static constexpr void write(Writer& w) { reshape(w, Reshape<Dims...>::dims, Reshape<Dims...>::rank); }
};
template <>
struct spelling<Flatten> {
    static constexpr void write(Writer& w) { flatten(w); }
};
template <>
struct spelling<GlobalAveragePooling2D> {
    static constexpr void write(Writer& w) { global_average_pooling(w); }
};
template <>
struct spelling<Affine> {
    static constexpr void write(Writer& w) { affine(w); }
};
template <ActivationFunction A>
struct spelling<Activation<A>> {
    static constexpr void write(Writer& w) { activation(w, A); }
};
template <LeakyReLUOptions O>
struct spelling<LeakyReLU<O>> {
    static constexpr void write(Writer& w) {
        w.put("sn::LeakyReLU<{.alpha = ");
        w.put_float(O.alpha);
        w.put("}>");
    }
};

// Blocks (graph/blocks.hpp): "sn::Residual<\n        sn::Block<\n            ...>,\n        sn::Identity>",
// each level indented four more spaces than the one around it. `indent` is the level of the
// block's own items.
template <class L>
struct block_spelling {
    static constexpr bool block = false;
};
template <class L>
constexpr void write_item(Writer& w, int indent) {
    if constexpr (block_spelling<L>::block) block_spelling<L>::write(w, indent);
    else spelling<L>::write(w);
}
constexpr void newline(Writer& w, int indent) {
    w.put('\n');
    for (int i = 0; i < indent; ++i) w.put("    ");
}
template <class... Items>
constexpr void write_items(Writer& w, const char* open, int indent) {
    w.put(open);
    bool first = true;
    ((first ? void() : w.put(','), newline(w, indent), write_item<Items>(w, indent + 1), first = false), ...);
    w.put('>');
}
template <class... Ls>
struct block_spelling<Block<Ls...>> {
    static constexpr bool block = true;
    static constexpr void write(Writer& w, int indent) { write_items<Ls...>(w, "sn::Block<", indent); }
};
template <>
struct block_spelling<Identity> {
    static constexpr bool block = true;
    static constexpr void write(Writer& w, int) { w.put("sn::Identity"); }
};
template <class... Bs>
struct block_spelling<Concatenate<Bs...>> {
    static constexpr bool block = true;
    static constexpr void write(Writer& w, int indent) { write_items<Bs...>(w, "sn::Concatenate<", indent); }
};
template <class... Bs>
struct block_spelling<Add<Bs...>> {
    static constexpr bool block = true;
    static constexpr void write(Writer& w, int indent) { write_items<Bs...>(w, "sn::Add<", indent); }
};
template <class B, class P>
struct block_spelling<Residual<B, P>> {
    static constexpr bool block = true;
    static constexpr void write(Writer& w, int indent) { write_items<B, P>(w, "sn::Residual<", indent); }
};
template <int N, class... Ls>
struct block_spelling<Repeat<N, Ls...>> {
    static constexpr bool block = true;
    static constexpr void write(Writer& w, int indent) {
        w.put("sn::Repeat<");
        w.put_int(N);
        w.put(',');
        newline(w, indent);
        bool first = true;
        ((first ? void() : (w.put(','), newline(w, indent)), write_item<Ls>(w, indent + 1), first = false), ...);
        w.put('>');
    }
};

template <class First, class... Layers>
constexpr void write_sequential(Writer& w) {
    sequential_begin(w);
    spelling<First>::write(w);
    ((sequential_next(w), write_item<Layers>(w, 2)), ...);
    sequential_end(w);
}

template <class Net>
struct network_spelling;
template <class... Ls>
struct network_spelling<Sequential<Ls...>> {
    static constexpr void write(Writer& w) { write_sequential<Ls...>(w); }
};

// 64-bit FNV-1a.
constexpr std::uint64_t fnv1a(std::string_view text) {
    std::uint64_t h = 14695981039346656037ull;
    for (char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return h;
}

template <class Net>
inline constexpr std::size_t length_of = [] {
    Writer w;
    network_spelling<Net>::write(w);
    return w.size();
}();

}  // namespace staticnet::source

namespace staticnet {

// The network's canonical spelling (NUL-terminated; source_text<Net>() as a string_view).
template <class Net>
inline constexpr std::array<char, source::length_of<Net> + 1> source_of = [] {
    std::array<char, source::length_of<Net> + 1> text{};
    source::Writer w(text.data(), source::length_of<Net>);
    source::network_spelling<Net>::write(w);
    return text;
}();

template <class Net>
constexpr std::string_view source_text() {
    return {source_of<Net>.data(), source::length_of<Net>};
}

template <class Net>
inline constexpr std::uint64_t signature_of = source::fnv1a(source_text<Net>());

}  // namespace staticnet
