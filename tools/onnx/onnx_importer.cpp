// ONNX graph -> staticnet network (see onnx_importer.hpp for what is mapped to what).
#include "onnx_importer.hpp"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <staticnet/core.hpp>

namespace staticnet::onnx_import {

namespace sn = ::staticnet;

namespace {

using Ints = std::vector<std::int64_t>;

std::string ints_text(const Ints& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(v[i]);
    }
    return s + "]";
}

std::string float_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

std::string size_text(int h, int w) { return std::to_string(h) + "x" + std::to_string(w); }

// What flows from node to node, in PyTorch's terms: (N, C, H, W) or (N, features).
struct Value {
    bool spatial = true;
    int c = 1, h = 1, w = 1;  // flat: c = features
    // Flat values made by flattening a (C, H, W) tensor: PyTorch orders them (c, h, w), staticnet
    // (h, w, c). `permuted` when the two orders differ; from_* is that (C, H, W).
    bool permuted = false;
    int from_c = 1, from_h = 1, from_w = 1;

    sn::Shape shape() const { return spatial ? sn::Shape{h, w, c, 3} : sn::flat_shape(c); }
    std::size_t size() const { return static_cast<std::size_t>(c) * static_cast<std::size_t>(h) * static_cast<std::size_t>(w); }
    // PyTorch's index of staticnet's flat element s.
    std::size_t torch_index(std::size_t s) const {
        if (!permuted) return s;
        const auto C = static_cast<std::size_t>(from_c), H = static_cast<std::size_t>(from_h),
                   W = static_cast<std::size_t>(from_w);
        const std::size_t ch = s % C, pixel = s / C, x = pixel % W, y = pixel / W;
        return (ch * H + y) * W + x;
    }
    std::string text() const {
        if (!spatial) return "(N, " + std::to_string(c) + ")";
        return "(N, " + std::to_string(c) + ", " + std::to_string(h) + ", " + std::to_string(w) + ")";
    }
};

enum class Kind { conv, dense, batch_norm, max_pool, flatten, activation };

struct Tensor {
    const char* name;
    std::string shape;
    bool trainable;
    std::vector<float> values;
};

struct Layer {
    Kind kind = Kind::flatten;
    sn::Conv2DOptions conv{};
    sn::DenseOptions dense{};
    sn::BatchNormalizationOptions bn{};
    sn::MaxPool2DOptions pool{};
    sn::ActivationFunction activation = sn::ActivationFunction::linear;
    std::vector<Tensor> tensors;  // ParamSpecs order
    std::string nodes;

    const char* keras_name() const {
        switch (kind) {
            case Kind::conv: return sn::Conv2D<sn::Conv2DOptions{}>::keras_name;
            case Kind::dense: return sn::Dense<sn::DenseOptions{}>::keras_name;
            case Kind::batch_norm: return sn::BatchNormalization<>::keras_name;
            case Kind::max_pool: return sn::MaxPool2D<>::keras_name;
            case Kind::flatten: return sn::Flatten::keras_name;
            case Kind::activation: return sn::Activation<sn::ActivationFunction::linear>::keras_name;
        }
        return "?";
    }
    void write(sn::source::Writer& w) const {
        switch (kind) {
            case Kind::conv: sn::source::layer(w, conv); break;
            case Kind::dense: sn::source::layer(w, dense); break;
            case Kind::batch_norm: sn::source::layer(w, bn); break;
            case Kind::max_pool: sn::source::layer(w, pool); break;
            case Kind::flatten: sn::source::flatten(w); break;
            case Kind::activation: sn::source::activation(w, activation); break;
        }
    }
};

bool is_default_domain(const std::string& d) { return d.empty() || d == "ai.onnx"; }

class Importer {
public:
    Importer(const onnx::ModelProto& model, std::string label)
        : model_(model), graph_(model.graph()), label_(std::move(label)) {}

    Imported run(const std::string& name);

private:
    const onnx::ModelProto& model_;
    const onnx::GraphProto& graph_;
    std::string label_;
    std::int64_t opset_ = 0;
    std::map<std::string, const onnx::TensorProto*> constants_;
    std::vector<std::unique_ptr<onnx::TensorProto>> owned_;  // tensors of Constant value_* attributes
    std::map<std::string, std::vector<int>> consumers_;      // value -> node indices (-1: a graph output)

    int input_h_ = 1, input_w_ = 1, input_c_ = 1;
    std::string input_name_;
    bool flat_input_ = false;      // (N, features): Input<1, 1, features> and a Flatten
    std::string batch_;            // the input's N as text ("1", "batch")
    std::int64_t batch_value_ = 0;  // its value, 0 when symbolic
    std::vector<Layer> layers_;
    std::vector<std::string> dropped_, notes_;

    int node_index_ = -1;
    const onnx::NodeProto* node_ = nullptr;
    std::string current_;  // the name of the value the next layer reads
    Value value_;
    bool fusable_ = false;    // layers_.back() is a Conv/Dense that produced the current value
    bool bias_open_ = false;  // ... a Dense without a bias (MatMul): an Add may supply it

    // ---- messages -------------------------------------------------------------------------
    std::string node_label(int i) const {
        const auto& n = graph_.node(i);
        const std::string op = is_default_domain(n.domain()) ? n.op_type() : n.domain() + ":" + n.op_type();
        return (n.name().empty() ? "#" + std::to_string(i) : "'" + n.name() + "'") + " (" + op + ")";
    }
    [[noreturn]] void fail_model(const std::string& what) const { throw ImportError(label_ + ": " + what); }
    [[noreturn]] void fail(const std::string& what) const {
        throw ImportError(label_ + ": node " + node_label(node_index_) + ": " + what);
    }

    // ---- attributes -----------------------------------------------------------------------
    const onnx::AttributeProto* attribute(std::string_view name) const {
        for (const auto& a : node_->attribute())
            if (a.name() == name) return &a;
        return nullptr;
    }
    static std::string attribute_value(const onnx::AttributeProto& a) {
        switch (a.type()) {
            case onnx::AttributeProto::INT: return std::to_string(a.i());
            case onnx::AttributeProto::FLOAT: return float_text(a.f());
            case onnx::AttributeProto::STRING: return a.s();
            case onnx::AttributeProto::INTS: return ints_text(Ints(a.ints().begin(), a.ints().end()));
            case onnx::AttributeProto::FLOATS: {
                std::string s = "[";
                for (int i = 0; i < a.floats_size(); ++i) s += (i ? ", " : "") + float_text(a.floats(i));
                return s + "]";
            }
            default: return "<" + onnx::AttributeProto::AttributeType_Name(a.type()) + ">";
        }
    }
    void known_attributes(std::initializer_list<std::string_view> known) const {
        for (const auto& a : node_->attribute())
            if (std::find(known.begin(), known.end(), a.name()) == known.end())
                fail("attribute " + a.name() + " = " + attribute_value(a) + " is not supported (unknown to the importer)");
    }
    void expect_type(const onnx::AttributeProto& a, onnx::AttributeProto::AttributeType type) const {
        if (a.type() != type && a.type() != onnx::AttributeProto::UNDEFINED)
            fail("attribute " + a.name() + " has type " + onnx::AttributeProto::AttributeType_Name(a.type()) +
                 ", expected " + onnx::AttributeProto::AttributeType_Name(type));
    }
    Ints ints(std::string_view name, Ints otherwise) const {
        const auto* a = attribute(name);
        if (!a) return otherwise;
        expect_type(*a, onnx::AttributeProto::INTS);
        return Ints(a->ints().begin(), a->ints().end());
    }
    std::int64_t integer(std::string_view name, std::int64_t otherwise) const {
        const auto* a = attribute(name);
        if (!a) return otherwise;
        expect_type(*a, onnx::AttributeProto::INT);
        return a->i();
    }
    float real(std::string_view name, float otherwise) const {
        const auto* a = attribute(name);
        if (!a) return otherwise;
        expect_type(*a, onnx::AttributeProto::FLOAT);
        return a->f();
    }
    std::string text(std::string_view name, std::string otherwise) const {
        const auto* a = attribute(name);
        if (!a) return otherwise;
        expect_type(*a, onnx::AttributeProto::STRING);
        return a->s();
    }

    // ---- inputs and outputs ---------------------------------------------------------------
    bool has_input(int k) const { return node_->input_size() > k && !node_->input(k).empty(); }
    const onnx::TensorProto* constant(const std::string& name) const {
        const auto it = constants_.find(name);
        return it == constants_.end() ? nullptr : it->second;
    }
    // Input k must be a constant (an initializer or a Constant node's output).
    const onnx::TensorProto& constant_input(int k, const std::string& role) const {
        if (!has_input(k)) fail("input " + std::to_string(k) + " (" + role + ") is missing");
        const auto* t = constant(node_->input(k));
        if (!t)
            fail("input " + std::to_string(k) + " (" + role + ") '" + node_->input(k) +
                 "' is not a constant (an initializer): staticnet layers hold their parameters");
        return *t;
    }
    Ints dims(const onnx::TensorProto& t) const { return Ints(t.dims().begin(), t.dims().end()); }
    std::size_t element_count(const onnx::TensorProto& t, const std::string& role) const {
        std::size_t n = 1;
        for (auto d : t.dims()) {
            if (d < 0 || d > std::numeric_limits<int>::max())
                fail(role + " '" + t.name() + "' has dims " + ints_text(dims(t)));
            n *= static_cast<std::size_t>(d);
        }
        return n;
    }
    void stored_here(const onnx::TensorProto& t, const std::string& role) const {
        if (t.data_location() == onnx::TensorProto::EXTERNAL) {
            std::string where;
            for (const auto& e : t.external_data())
                if (e.key() == "location") where = " in '" + e.value() + "'";
            fail(role + " '" + t.name() + "' is stored as external data" + where +
                 ": staticnet_onnx_import reads self-contained .onnx files (save the model without external data)");
        }
        if (t.has_segment()) fail(role + " '" + t.name() + "' is a segment of a tensor: not supported");
    }
    std::vector<float> floats(const onnx::TensorProto& t, const std::string& role) const {
        stored_here(t, role);
        if (t.data_type() != onnx::TensorProto::FLOAT)
            fail(role + " '" + t.name() + "' is a " +
                 onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(t.data_type())) +
                 " tensor: staticnet_onnx_import reads float32 parameters (export the model in float32)");
        const std::size_t n = element_count(t, role);
        std::vector<float> v(n);
        if (!t.raw_data().empty()) {
            const std::string& raw = t.raw_data();
            if (raw.size() != 4 * n)
                fail(role + " '" + t.name() + "' has " + std::to_string(raw.size()) + " bytes of data for " +
                     std::to_string(n) + " floats");
            for (std::size_t i = 0; i < n; ++i) {
                std::uint32_t u = 0;
                for (int b = 3; b >= 0; --b) u = (u << 8) | static_cast<unsigned char>(raw[4 * i + static_cast<std::size_t>(b)]);
                v[i] = std::bit_cast<float>(u);  // ONNX raw data is little-endian
            }
        } else {
            if (static_cast<std::size_t>(t.float_data_size()) != n)
                fail(role + " '" + t.name() + "' has " + std::to_string(t.float_data_size()) + " values for dims " +
                     ints_text(dims(t)));
            for (std::size_t i = 0; i < n; ++i) v[i] = t.float_data(static_cast<int>(i));
        }
        return v;
    }
    Ints integers(const onnx::TensorProto& t, const std::string& role) const {
        stored_here(t, role);
        const std::size_t n = element_count(t, role);
        Ints v(n);
        if (t.data_type() == onnx::TensorProto::INT64 || t.data_type() == onnx::TensorProto::INT32) {
            const std::size_t bytes = t.data_type() == onnx::TensorProto::INT64 ? 8 : 4;
            if (!t.raw_data().empty()) {
                const std::string& raw = t.raw_data();
                if (raw.size() != bytes * n) fail(role + " '" + t.name() + "' has the wrong number of data bytes");
                for (std::size_t i = 0; i < n; ++i) {
                    std::uint64_t u = 0;
                    for (std::size_t b = bytes; b-- > 0;) u = (u << 8) | static_cast<unsigned char>(raw[bytes * i + b]);
                    v[i] = bytes == 8 ? static_cast<std::int64_t>(u)
                                      : static_cast<std::int64_t>(static_cast<std::int32_t>(static_cast<std::uint32_t>(u)));
                }
            } else if (t.data_type() == onnx::TensorProto::INT64 && static_cast<std::size_t>(t.int64_data_size()) == n) {
                for (std::size_t i = 0; i < n; ++i) v[i] = t.int64_data(static_cast<int>(i));
            } else if (t.data_type() == onnx::TensorProto::INT32 && static_cast<std::size_t>(t.int32_data_size()) == n) {
                for (std::size_t i = 0; i < n; ++i) v[i] = t.int32_data(static_cast<int>(i));
            } else {
                fail(role + " '" + t.name() + "' has the wrong number of values for dims " + ints_text(dims(t)));
            }
            return v;
        }
        if (t.data_type() == onnx::TensorProto::BOOL) {
            if (!t.raw_data().empty() && t.raw_data().size() == n)
                for (std::size_t i = 0; i < n; ++i) v[i] = t.raw_data()[i] != 0;
            else if (static_cast<std::size_t>(t.int32_data_size()) == n)
                for (std::size_t i = 0; i < n; ++i) v[i] = t.int32_data(static_cast<int>(i)) != 0;
            else
                fail(role + " '" + t.name() + "' has the wrong number of values for dims " + ints_text(dims(t)));
            return v;
        }
        fail(role + " '" + t.name() + "' is a " +
             onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(t.data_type())) +
             " tensor, expected int64");
    }
    void expect_dims(const onnx::TensorProto& t, const std::string& role, const Ints& want, const std::string& why) const {
        if (dims(t) != want)
            fail(role + " '" + t.name() + "' has dims " + ints_text(dims(t)) + ", expected " + ints_text(want) + " " + why);
    }
    // A per-unit vector: dims (n) (or (1, n) when `row` is allowed).
    std::vector<float> vector_input(int k, const std::string& role, std::int64_t n, const std::string& why,
                                    bool row = false) const {
        const auto& t = constant_input(k, role);
        const Ints d = dims(t);
        if (!(d == Ints{n} || (row && d == Ints{1, n})))
            fail(role + " '" + t.name() + "' has dims " + ints_text(d) + ", expected " + ints_text({n}) +
                 (row ? " or " + ints_text({1, n}) : std::string()) + " " + why);
        return floats(t, role);
    }
    // Outputs beyond the first (Dropout's mask, MaxPool's indices, BatchNormalization's training
    // statistics) must not be used.
    void only_first_output(const std::string& why) const {
        for (int k = 1; k < node_->output_size(); ++k)
            if (!node_->output(k).empty()) fail("output " + std::to_string(k) + " '" + node_->output(k) + "' " + why);
    }

    // The node's data input must be the previous layer's output.
    void takes_current() const {
        if (node_->input_size() == 0 || node_->input(0).empty()) fail("it has no data input");
        const std::string& x = node_->input(0);
        if (x == current_) return;
        if (constant(x))
            fail("its data input '" + x + "' is a constant: staticnet layers read the previous layer's output");
        fail("its data input '" + x + "' is not the output of the node before it ('" + current_ +
             "'): staticnet networks are one chain of layers");
    }
    // The node's output becomes the current value; it may be used once.
    void advance() {
        if (node_->output_size() == 0 || node_->output(0).empty()) fail("it has no output");
        const std::string& y = node_->output(0);
        check_single_use(y, "its output");
        current_ = y;
    }
    void check_single_use(const std::string& y, const std::string& what) const {
        const auto it = consumers_.find(y);
        if (it == consumers_.end() || it->second.size() <= 1) return;
        std::string users;
        for (std::size_t i = 0; i < it->second.size(); ++i) {
            const int u = it->second[i];
            users += (i ? (i + 1 == it->second.size() ? " and " : ", ") : "") +
                     (u < 0 ? std::string("the graph output") : node_label(u));
        }
        const std::string msg = what + " '" + y + "' is used " + std::to_string(it->second.size()) + " times (by " +
                                users + "): staticnet networks are one chain of layers, without branches";
        if (node_) fail(msg);
        fail_model(msg);
    }

    void need_spatial(const std::string& layer) const {
        if (!value_.spatial)
            fail("its input " + value_.text() + " is flat: " + layer + " needs an (N, C, H, W) input");
    }
    void need_flat(const std::string& why) const {
        if (value_.spatial)
            fail("its input " + value_.text() + " is 4-D: " + why +
                 " needs a flattened (N, features) input (add nn.Flatten() before the nn.Linear)");
    }

    std::string node_text() const { return node_label(node_index_); }
    Layer& add(Kind kind) {
        layers_.push_back(Layer{});
        layers_.back().kind = kind;
        layers_.back().nodes = node_text();
        fusable_ = bias_open_ = false;
        return layers_.back();
    }
    void drop(const std::string& why) { dropped_.push_back(node_text() + ": " + why); }

    // ---- padding --------------------------------------------------------------------------
    // 'valid' (no pads) or TF 'same'; anything else fails.
    sn::Padding padding(int kh, int kw, int sh, int sw, const std::string& window) const {
        const int in_h = value_.h, in_w = value_.w;
        const auto axis = [](int in, int k, int s) {
            const int before = sn::pad_before(in, k, s, sn::Padding::same);
            const int out = sn::conv_out_length(in, k, s, sn::Padding::same);
            const int total = std::max((out - 1) * s + k - in, 0);
            return std::pair<int, int>{before, total - before};
        };
        const auto [bh, eh] = axis(in_h, kh, sh);
        const auto [bw, ew] = axis(in_w, kw, sw);
        const Ints same{bh, bw, eh, ew};
        const std::string geometry = "this " + size_text(in_h, in_w) + " input, " + window + " " + size_text(kh, kw) +
                                     " and strides " + size_text(sh, sw);
        const std::string auto_pad = text("auto_pad", "NOTSET");
        Ints pads = ints("pads", {});
        sn::Padding result = sn::Padding::valid;
        if (auto_pad == "NOTSET") {
            if (pads.empty()) pads = {0, 0, 0, 0};
            if (pads.size() != 4)
                fail("attribute pads = " + ints_text(pads) + " is not supported (2-D pads are [begin_h, begin_w, end_h, end_w])");
            if (std::all_of(pads.begin(), pads.end(), [](std::int64_t p) { return p == 0; })) result = sn::Padding::valid;
            else if (pads == same) result = sn::Padding::same;
            else
                fail("attribute pads = " + ints_text(pads) +
                     " is not supported: staticnet pads either not at all ('valid') or as TF 'same', which for " +
                     geometry + " is pads = " + ints_text(same) +
                     " (PyTorch's symmetric padding is 'same' only where the total padding is even)");
        } else if (auto_pad == "VALID") {
            if (std::any_of(pads.begin(), pads.end(), [](std::int64_t p) { return p != 0; }))
                fail("attribute pads = " + ints_text(pads) + " is not supported with auto_pad = VALID");
            result = sn::Padding::valid;
        } else if (auto_pad == "SAME_UPPER") {
            result = sn::Padding::same;
        } else if (auto_pad == "SAME_LOWER") {
            if (bh != eh || bw != ew)
                fail("attribute auto_pad = SAME_LOWER is not supported for " + geometry +
                     ": it pads the odd row/column before, TF 'same' after");
            result = sn::Padding::same;
        } else {
            fail("attribute auto_pad = " + auto_pad + " is not supported");
        }
        if (result == sn::Padding::valid && (kh > in_h || kw > in_w))
            fail("its " + window + " " + size_text(kh, kw) + " is larger than its unpadded " + size_text(in_h, in_w) + " input");
        return result;
    }
    // A 2-D kernel_shape / strides / dilations attribute.
    std::pair<int, int> pair_attribute(const char* name, Ints otherwise, bool positive = true) const {
        const Ints v = ints(name, std::move(otherwise));
        if (v.size() != 2)
            fail("attribute " + std::string(name) + " = " + ints_text(v) + " is not supported (staticnet's layers are 2-D)");
        for (auto x : v)
            if ((positive && x < 1) || x > 1'000'000) fail("attribute " + std::string(name) + " = " + ints_text(v) + " is not valid");
        return {static_cast<int>(v[0]), static_cast<int>(v[1])};
    }

    // ---- operators ------------------------------------------------------------------------
    void conv();
    void gemm();
    void matmul();
    void add_bias();
    void batch_norm();
    void max_pool();
    void flatten_op();
    void reshape();
    void relu();
    void softmax();
    void dropout();
    void make_flatten();
    void read_input();
    void collect_constants();
    Layer& dense_layer(std::int64_t units, const std::vector<float>& weight, bool transposed);
};

void Importer::read_input() {
    std::vector<const onnx::ValueInfoProto*> inputs;
    for (const auto& in : graph_.input())
        if (!constants_.count(in.name())) inputs.push_back(&in);
    if (inputs.size() != 1) {
        std::string names;
        for (const auto* in : inputs) names += (names.empty() ? "'" : ", '") + in->name() + "'";
        fail_model("the graph has " + std::to_string(inputs.size()) + " inputs" +
                   (names.empty() ? std::string() : " (" + names + ")") + ": staticnet networks have exactly one");
    }
    const auto& in = *inputs[0];
    const std::string what = "the graph input '" + in.name() + "'";
    if (!in.type().has_tensor_type()) fail_model(what + " is not a tensor");
    const auto& tt = in.type().tensor_type();
    if (tt.elem_type() != onnx::TensorProto::FLOAT)
        fail_model(what + " is a " +
                   onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(tt.elem_type())) +
                   " tensor: staticnet_onnx_import needs a float32 input");
    if (!tt.has_shape()) fail_model(what + " has no shape: export with a fixed-size example input");
    const int rank = tt.shape().dim_size();
    if (rank != 4 && rank != 2)
        fail_model(what + " has rank " + std::to_string(rank) + ": staticnet_onnx_import needs (N, C, H, W) images or (N, features)");
    static constexpr const char* names4[] = {"N", "C", "H", "W"};
    static constexpr const char* names2[] = {"N", "features"};
    std::array<int, 4> d{1, 1, 1, 1};
    for (int k = 0; k < rank; ++k) {
        const auto& dim = tt.shape().dim(k);
        const char* dim_name = rank == 4 ? names4[k] : names2[k];
        if (k == 0) {
            if (dim.has_dim_value()) {
                batch_value_ = dim.dim_value();
                batch_ = std::to_string(dim.dim_value());
            } else {
                batch_ = dim.has_dim_param() ? dim.dim_param() : "N";
            }
            continue;
        }
        if (!dim.has_dim_value())
            fail_model(what + " has a variable " + dim_name + " ('" + dim.dim_param() +
                       "'): staticnet needs fixed sizes (export without dynamic_axes on them)");
        if (dim.dim_value() < 1 || dim.dim_value() > 1'000'000)
            fail_model(what + " has " + dim_name + " = " + std::to_string(dim.dim_value()));
        d[static_cast<std::size_t>(k)] = static_cast<int>(dim.dim_value());
    }
    current_ = input_name_ = in.name();
    flat_input_ = rank == 2;
    if (rank == 4) {
        input_c_ = d[1];
        input_h_ = d[2];
        input_w_ = d[3];
        value_ = Value{true, input_c_, input_h_, input_w_};
        if (input_c_ > 1)
            notes_.push_back("the input is NHWC (" + std::to_string(input_h_) + ", " + std::to_string(input_w_) + ", " +
                             std::to_string(input_c_) + ") per sample: transpose PyTorch's NCHW images (N, C, H, W) to (N, H, W, C)");
    } else {
        // (N, features): Input<1, 1, features> and a Flatten.
        input_h_ = input_w_ = 1;
        input_c_ = d[1];
        layers_.push_back(Layer{});
        layers_.back().kind = Kind::flatten;
        layers_.back().nodes = "(the (N, features) input)";
        value_ = Value{false, input_c_, 1, 1};
    }
    node_ = nullptr;
    check_single_use(current_, "the graph input");
}

void Importer::collect_constants() {
    for (const auto& t : graph_.initializer()) constants_[t.name()] = &t;
    if (graph_.sparse_initializer_size() > 0)
        fail_model("the graph has sparse initializers ('" + graph_.sparse_initializer(0).values().name() +
                   "'): not supported");
}

void Importer::make_flatten() {
    add(Kind::flatten);
    const Value in = value_;
    value_ = Value{false, static_cast<int>(in.size()), 1, 1};
    value_.permuted = in.c > 1 && in.h * in.w > 1;
    value_.from_c = in.c;
    value_.from_h = in.h;
    value_.from_w = in.w;
}

void Importer::conv() {
    known_attributes({"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
    takes_current();
    need_spatial("Conv");
    if (node_->input_size() > 3) fail("it has " + std::to_string(node_->input_size()) + " inputs, expected 2 or 3");
    if (const auto group = integer("group", 1); group != 1)
        fail("attribute group = " + std::to_string(group) +
             " is not supported (staticnet's Conv2D has no grouped or depthwise convolution)");
    const Ints dilations = ints("dilations", {1, 1});
    if (std::any_of(dilations.begin(), dilations.end(), [](std::int64_t d) { return d != 1; }))
        fail("attribute dilations = " + ints_text(dilations) + " is not supported (staticnet's Conv2D has no dilation)");
    const auto& wt = constant_input(1, "W, the weights");
    const Ints wd = dims(wt);
    if (wd.size() != 4)
        fail("W '" + wt.name() + "' has dims " + ints_text(wd) +
             ": staticnet's Conv2D is 2-D (weights (out_channels, in_channels, kh, kw))");
    if (wd[1] != value_.c)
        fail("W '" + wt.name() + "' has dims " + ints_text(wd) + " (" + std::to_string(wd[1]) +
             " input channels) but its input " + value_.text() + " has " + std::to_string(value_.c));
    if (wd[0] < 1 || wd[2] < 1 || wd[3] < 1) fail("W '" + wt.name() + "' has dims " + ints_text(wd));
    const auto [kh, kw] = pair_attribute("kernel_shape", {wd[2], wd[3]});
    if (kh != wd[2] || kw != wd[3])
        fail("attribute kernel_shape = " + ints_text({kh, kw}) + " does not match W '" + wt.name() + "' " + ints_text(wd));
    const auto [sh, sw] = pair_attribute("strides", {1, 1});
    const sn::Padding pad = padding(kh, kw, sh, sw, "kernel");
    const int cout = static_cast<int>(wd[0]), cin = value_.c;
    const std::vector<float> w = floats(wt, "W");
    std::vector<float> bias;
    if (has_input(2)) bias = vector_input(2, "B, the bias", cout, "(one per output channel)");

    Layer& L = add(Kind::conv);
    L.conv = sn::Conv2DOptions{.filters = cout, .kernel = {kh, kw}, .strides = {sh, sw}, .padding = pad,
                               .activation = sn::ActivationFunction::linear, .use_bias = has_input(2)};
    // OIHW -> (kh, kw, cin, cout)
    std::vector<float> kernel(w.size());
    for (int o = 0; o < cout; ++o)
        for (int i = 0; i < cin; ++i)
            for (int y = 0; y < kh; ++y)
                for (int x = 0; x < kw; ++x)
                    kernel[((static_cast<std::size_t>(y) * kw + x) * cin + i) * cout + o] =
                        w[((static_cast<std::size_t>(o) * cin + i) * kh + y) * kw + x];
    const auto u = [](int v) { return static_cast<std::size_t>(v); };
    L.tensors.push_back({"kernel", io::dims_text({u(kh), u(kw), u(cin), u(cout)}), true, std::move(kernel)});
    if (!bias.empty()) L.tensors.push_back({"bias", io::dims_text({u(cout)}), true, std::move(bias)});
    const sn::Shape out{sn::conv_out_length(value_.h, kh, sh, pad), sn::conv_out_length(value_.w, kw, sw, pad), cout, 3};
    value_ = Value{true, cout, out.h, out.w};
    fusable_ = true;
    advance();
}

// A Dense layer from a weight matrix: (units, in) when `transposed` (Gemm transB = 1), else (in, units).
Layer& Importer::dense_layer(std::int64_t units, const std::vector<float>& weight, bool transposed) {
    const Value in = value_;
    const std::size_t n_in = in.size(), n_units = static_cast<std::size_t>(units);
    std::vector<float> kernel(n_in * n_units);
    for (std::size_t s = 0; s < n_in; ++s) {
        const std::size_t t = in.torch_index(s);
        for (std::size_t j = 0; j < n_units; ++j)
            kernel[s * n_units + j] = transposed ? weight[j * n_in + t] : weight[t * n_units + j];
    }
    Layer& L = add(Kind::dense);
    L.dense = sn::DenseOptions{.units = static_cast<int>(units), .activation = sn::ActivationFunction::linear, .use_bias = false};
    L.tensors.push_back({"kernel", io::dims_text({n_in, n_units}), true, std::move(kernel)});
    value_ = Value{false, static_cast<int>(units), 1, 1};
    fusable_ = true;
    return L;
}

void Importer::gemm() {
    known_attributes({"alpha", "beta", "transA", "transB"});
    takes_current();
    need_flat("Gemm");
    if (const float alpha = real("alpha", 1.0f); alpha != 1.0f)
        fail("attribute alpha = " + float_text(alpha) + " is not supported (staticnet's Dense computes x W + b: alpha = beta = 1)");
    if (const float beta = real("beta", 1.0f); beta != 1.0f && has_input(2))
        fail("attribute beta = " + float_text(beta) + " is not supported (staticnet's Dense computes x W + b: alpha = beta = 1)");
    if (const auto ta = integer("transA", 0); ta != 0)
        fail("attribute transA = " + std::to_string(ta) + " is not supported (the input is (N, features))");
    const auto transB = integer("transB", 0);
    if (transB != 0 && transB != 1) fail("attribute transB = " + std::to_string(transB) + " is not valid");
    const auto& bt = constant_input(1, "B, the weights");
    const Ints bd = dims(bt);
    const auto n_in = static_cast<std::int64_t>(value_.size());
    if (bd.size() != 2 || bd[transB ? 1 : 0] != n_in || bd[transB ? 0 : 1] < 1)
        fail("B '" + bt.name() + "' has dims " + ints_text(bd) + " but its input " + value_.text() + " has " +
             std::to_string(n_in) + " features (expected " + (transB ? "[units, " + std::to_string(n_in) + "] with transB = 1" : "[" + std::to_string(n_in) + ", units] with transB = 0") + ")");
    const std::int64_t units = bd[transB ? 0 : 1];
    std::vector<float> bias;
    if (has_input(2)) bias = vector_input(2, "C, the bias", units, "(one per unit)", true);
    const std::vector<float> w = floats(bt, "B");
    Layer& L = dense_layer(units, w, transB == 1);
    if (!bias.empty()) {
        L.dense.use_bias = true;
        L.tensors.push_back({"bias", io::dims_text({static_cast<std::size_t>(units)}), true, std::move(bias)});
    }
    bias_open_ = !L.dense.use_bias;
    advance();
}

void Importer::matmul() {
    known_attributes({});
    takes_current();
    need_flat("MatMul");
    const auto& bt = constant_input(1, "B, the weights");
    const Ints bd = dims(bt);
    const auto n_in = static_cast<std::int64_t>(value_.size());
    if (bd.size() != 2 || bd[0] != n_in || bd[1] < 1)
        fail("B '" + bt.name() + "' has dims " + ints_text(bd) + " but its input " + value_.text() + " has " +
             std::to_string(n_in) + " features (expected [" + std::to_string(n_in) + ", units])");
    const std::vector<float> w = floats(bt, "B");
    dense_layer(bd[1], w, false);
    bias_open_ = true;
    advance();
}

// Add after a MatMul (or a Gemm without C): the Dense layer's bias.
void Importer::add_bias() {
    known_attributes({});
    if (node_->input_size() != 2) fail("it has " + std::to_string(node_->input_size()) + " inputs, expected 2");
    const int data = node_->input(0) == current_ ? 0 : node_->input(1) == current_ ? 1 : -1;
    if (data < 0) {
        const bool both_variable = !constant(node_->input(0)) && !constant(node_->input(1));
        fail(both_variable ? std::string("it adds two computed tensors ('") + node_->input(0) + "', '" + node_->input(1) +
                                 "'): staticnet networks are one chain of layers (no residual connections)"
                           : "its data input is not the output of the node before it ('" + current_ +
                                 "'): staticnet networks are one chain of layers");
    }
    if (!(bias_open_ && fusable_))
        fail("operator Add is supported only as the bias of a MatMul or of a Gemm without C (MatMul + Add = a Dense layer)");
    Layer& L = layers_.back();
    std::vector<float> bias = vector_input(1 - data, "the bias", L.dense.units, "(one per unit)", true);
    L.dense.use_bias = true;
    L.tensors.push_back({"bias", io::dims_text({static_cast<std::size_t>(L.dense.units)}), true, std::move(bias)});
    L.nodes += " + " + node_text();
    bias_open_ = false;
    advance();
}

void Importer::batch_norm() {
    known_attributes({"epsilon", "momentum", "spatial", "training_mode", "is_test", "consumed_inputs"});
    takes_current();
    if (const auto spatial = integer("spatial", 1); spatial != 1)
        fail("attribute spatial = " + std::to_string(spatial) + " is not supported (staticnet normalises per channel)");
    if (const auto tm = integer("training_mode", 0); tm != 0)
        fail("attribute training_mode = " + std::to_string(tm) + " is not supported: export the model in eval mode (model.eval())");
    only_first_output("(a training-mode statistic) is not supported: export the model in eval mode (model.eval())");
    if (node_->input_size() != 5) fail("it has " + std::to_string(node_->input_size()) + " inputs, expected 5");
    const float epsilon = real("epsilon", 1e-5f), momentum = real("momentum", 0.9f);
    if (!(epsilon > 0.0f) || !std::isfinite(epsilon))
        fail("attribute epsilon = " + float_text(epsilon) + " is not supported (staticnet needs epsilon > 0)");
    if (!(momentum >= 0.0f && momentum <= 1.0f))
        fail("attribute momentum = " + float_text(momentum) + " is not supported (staticnet needs 0 <= momentum <= 1)");
    const int c = value_.c;  // channels, or features of a flat input (BatchNorm1d)
    const std::string why = "(one per " + std::string(value_.spatial ? "channel" : "feature") + " of its input " + value_.text() + ")";
    std::vector<float> v[4] = {vector_input(1, "scale", c, why), vector_input(2, "B", c, why),
                               vector_input(3, "input_mean", c, why), vector_input(4, "input_var", c, why)};
    if (!value_.spatial && value_.permuted)
        for (auto& vec : v) {
            std::vector<float> p(vec.size());
            for (std::size_t s = 0; s < p.size(); ++s) p[s] = vec[value_.torch_index(s)];
            vec = std::move(p);
        }
    for (std::size_t i = 0; i < v[3].size(); ++i)
        if (v[3][i] < 0.0f) fail("input_var '" + node_->input(4) + "' has a negative variance at " + std::to_string(i));
    Layer& L = add(Kind::batch_norm);
    L.bn = sn::BatchNormalizationOptions{.momentum = momentum, .epsilon = epsilon};
    const std::string shape = io::dims_text({static_cast<std::size_t>(c)});
    L.tensors.push_back({"gamma", shape, true, std::move(v[0])});
    L.tensors.push_back({"beta", shape, true, std::move(v[1])});
    L.tensors.push_back({"moving_mean", shape, false, std::move(v[2])});
    L.tensors.push_back({"moving_variance", shape, false, std::move(v[3])});
    advance();
}

void Importer::max_pool() {
    known_attributes({"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"});
    takes_current();
    need_spatial("MaxPool");
    only_first_output("(the indices) is not supported");
    if (!attribute("kernel_shape")) fail("attribute kernel_shape is missing");
    const auto [kh, kw] = pair_attribute("kernel_shape", {});
    const auto [sh, sw] = pair_attribute("strides", {1, 1});
    const Ints dilations = ints("dilations", {1, 1});
    if (std::any_of(dilations.begin(), dilations.end(), [](std::int64_t d) { return d != 1; }))
        fail("attribute dilations = " + ints_text(dilations) + " is not supported (staticnet's MaxPool2D has no dilation)");
    const sn::Padding pad = padding(kh, kw, sh, sw, "pool");
    const int out_h = sn::conv_out_length(value_.h, kh, sh, pad), out_w = sn::conv_out_length(value_.w, kw, sw, pad);
    if (const auto ceil_mode = integer("ceil_mode", 0); ceil_mode != 0) {
        // Only where rounding up gives the same output size as rounding down.
        const auto ceil_len = [](int in, int k, int s, int total) { return (in + total - k + s - 1) / s + 1; };
        const int th = pad == sn::Padding::same ? (out_h - 1) * sh + kh - value_.h : 0;
        const int tw = pad == sn::Padding::same ? (out_w - 1) * sw + kw - value_.w : 0;
        const int ch = ceil_len(value_.h, kh, sh, std::max(th, 0)), cw = ceil_len(value_.w, kw, sw, std::max(tw, 0));
        if (ceil_mode != 1 || ch != out_h || cw != out_w)
            fail("attribute ceil_mode = " + std::to_string(ceil_mode) +
                 " is not supported (staticnet's MaxPool2D rounds the output size down: " + size_text(value_.h, value_.w) +
                 " in gives " + size_text(ch, cw) + " out with ceil_mode, " + size_text(out_h, out_w) + " without)");
    }
    Layer& L = add(Kind::max_pool);
    // Strides equal to the pool are written as Keras's default (strides=None): the type users write.
    const bool default_strides = sh == kh && sw == kw;
    L.pool = sn::MaxPool2DOptions{.pool = {kh, kw}, .strides = default_strides ? sn::Size2{-1, -1} : sn::Size2{sh, sw},
                                  .padding = pad};
    value_ = Value{true, value_.c, out_h, out_w};
    advance();
}

void Importer::flatten_op() {
    known_attributes({"axis"});
    takes_current();
    const int rank = value_.spatial ? 4 : 2;
    std::int64_t axis = integer("axis", 1);
    const std::int64_t given = axis;
    if (axis < 0) axis += rank;
    if (axis != 1)
        fail("attribute axis = " + std::to_string(given) + " is not supported (staticnet flattens (N, C, H, W) to (N, C*H*W): axis 1)");
    if (value_.spatial) make_flatten();
    else drop("flattens an already flat tensor");
    advance();
}

void Importer::reshape() {
    known_attributes({"allowzero"});
    takes_current();
    const auto& st = constant_input(1, "shape");
    const Ints shape = integers(st, "shape");
    const bool allowzero = integer("allowzero", 0) != 0;
    const auto features = static_cast<std::int64_t>(value_.size());
    // (N, features): [n, f] with n in {N, 0 (copy), -1} and f in {features, -1}, not both -1.
    bool ok = shape.size() == 2;
    if (ok) {
        const std::int64_t n = shape[0], f = shape[1];
        // n = 1: PyTorch folds x.view(x.size(0), -1) of its batch-1 example into [1, -1] even when the
        // batch axis is dynamic; staticnet computes sample by sample, which is what that describes.
        const bool n_ok = (n == 0 && !allowzero) || n == -1 || n == 1 || (batch_value_ > 0 && n == batch_value_);
        const bool f_ok = f == features || f == -1 || (f == 0 && !allowzero && !value_.spatial);
        ok = n_ok && f_ok && !(n == -1 && f == -1);
    }
    if (!ok)
        fail("shape " + ints_text(shape) + " is not supported: from " + value_.text() +
             " staticnet reshapes only to (N, " + std::to_string(features) + "), a Flatten ([N, -1] or [-1, " +
             std::to_string(features) + "])");
    if (value_.spatial) {
        make_flatten();
    } else {
        drop("reshapes (N, " + std::to_string(features) + ") to itself");
    }
    advance();
}

void Importer::relu() {
    known_attributes({});
    takes_current();
    if (fusable_ && layers_.back().kind == Kind::conv && layers_.back().conv.activation == sn::ActivationFunction::linear) {
        layers_.back().conv.activation = sn::ActivationFunction::relu;
        layers_.back().nodes += " + " + node_text();
        fusable_ = bias_open_ = false;
    } else if (fusable_ && layers_.back().kind == Kind::dense &&
               layers_.back().dense.activation == sn::ActivationFunction::linear) {
        layers_.back().dense.activation = sn::ActivationFunction::relu;
        layers_.back().nodes += " + " + node_text();
        fusable_ = bias_open_ = false;
    } else {
        add(Kind::activation).activation = sn::ActivationFunction::relu;
    }
    advance();
}

void Importer::softmax() {
    known_attributes({"axis"});
    takes_current();
    const int rank = value_.spatial ? 4 : 2;
    const std::int64_t given = integer("axis", opset_ >= 13 ? -1 : 1);
    const std::int64_t axis = given < 0 ? given + rank : given;
    if (value_.spatial) {
        // Opset 13: along one axis; before: over everything from `axis` on, flattened.
        const bool channels = axis == 1 && (opset_ >= 13 || (value_.h == 1 && value_.w == 1));
        if (!channels)
            fail("attribute axis = " + std::to_string(given) + " (opset " + std::to_string(opset_) + ") on its input " +
                 value_.text() + " is not supported (staticnet's softmax is over the channels: axis 1, opset 13 or later)");
    } else if (axis != 1) {
        fail("attribute axis = " + std::to_string(given) + " is not supported on its input " + value_.text() +
             " (softmax over the features: axis 1 or -1)");
    }
    if (fusable_ && layers_.back().kind == Kind::dense && layers_.back().dense.activation == sn::ActivationFunction::linear) {
        layers_.back().dense.activation = sn::ActivationFunction::softmax;
        layers_.back().nodes += " + " + node_text();
        fusable_ = bias_open_ = false;
    } else {
        add(Kind::activation).activation = sn::ActivationFunction::softmax;
    }
    advance();
}

void Importer::dropout() {
    known_attributes({"ratio", "seed", "is_test"});
    takes_current();
    if (has_input(2)) {
        const auto* tm = constant(node_->input(2));
        if (!tm) fail("input 2 (training_mode) '" + node_->input(2) + "' is not a constant: export in eval mode (model.eval())");
        const Ints v = integers(*tm, "training_mode");
        if (!v.empty() && v[0] != 0)
            fail("input 2 (training_mode) '" + node_->input(2) + "' is true: export the model in eval mode (model.eval())");
    }
    if (const auto is_test = integer("is_test", 1); is_test == 0)
        fail("attribute is_test = 0 is not supported: export the model in eval mode (model.eval())");
    only_first_output("(the mask) is not supported: export the model in eval mode (model.eval())");
    drop("identity at inference");
    advance();
}

Imported Importer::run(const std::string& name) {
    for (const auto& o : model_.opset_import())
        if (is_default_domain(o.domain())) opset_ = o.version();
    if (!model_.has_graph()) fail_model("no graph (is this an ONNX model?)");
    if (opset_ == 0) fail_model("it imports no ONNX operator set (opset_import)");
    if (opset_ < 7) fail_model("opset " + std::to_string(opset_) + " is too old: re-export with opset_version=13");

    collect_constants();
    for (int i = 0; i < graph_.node_size(); ++i)
        for (const auto& x : graph_.node(i).input())
            if (!x.empty()) consumers_[x].push_back(i);
    for (const auto& o : graph_.output()) consumers_[o.name()].push_back(-1);
    read_input();

    for (int i = 0; i < graph_.node_size(); ++i) {
        node_index_ = i;
        node_ = &graph_.node(i);
        const auto& n = *node_;
        const std::string& op = n.op_type();
        if (!is_default_domain(n.domain()))
            fail("operator " + n.domain() + ":" + op + " is not supported (only the default ONNX domain)");
        if (op == "Constant") {
            known_attributes({"value", "value_float", "value_floats", "value_int", "value_ints"});
            if (n.output_size() != 1) fail("it has " + std::to_string(n.output_size()) + " outputs");
            if (n.attribute_size() != 1) fail("it needs exactly one value attribute");
            const auto& a = n.attribute(0);
            if (a.name() == "value") {
                constants_[n.output(0)] = &a.t();
            } else {
                auto t = std::make_unique<onnx::TensorProto>();
                t->set_name(n.output(0));
                if (a.name() == "value_float" || a.name() == "value_floats") {
                    t->set_data_type(onnx::TensorProto::FLOAT);
                    if (a.name() == "value_float") t->add_float_data(a.f());
                    else {
                        t->add_dims(a.floats_size());
                        for (float f : a.floats()) t->add_float_data(f);
                    }
                } else {
                    t->set_data_type(onnx::TensorProto::INT64);
                    if (a.name() == "value_int") t->add_int64_data(a.i());
                    else {
                        t->add_dims(a.ints_size());
                        for (auto v : a.ints()) t->add_int64_data(v);
                    }
                }
                constants_[n.output(0)] = t.get();
                owned_.push_back(std::move(t));
            }
            continue;
        }
        if (op == "Identity" && n.input_size() == 1 && constant(n.input(0))) {
            constants_[n.output(0)] = constant(n.input(0));  // an alias of a constant (deduplicated initializers)
            continue;
        }
        if (op == "Conv") conv();
        else if (op == "Gemm") gemm();
        else if (op == "MatMul") matmul();
        else if (op == "Add") add_bias();
        else if (op == "BatchNormalization") batch_norm();
        else if (op == "MaxPool") max_pool();
        else if (op == "Flatten") flatten_op();
        else if (op == "Reshape") reshape();
        else if (op == "Relu") relu();
        else if (op == "Softmax") softmax();
        else if (op == "Dropout") dropout();
        else if (op == "Identity") {
            known_attributes({});
            takes_current();
            drop("identity");
            advance();
        } else {
            fail("operator " + op +
                 " is not supported (staticnet_onnx_import maps Conv, BatchNormalization, MaxPool, Flatten, Reshape, "
                 "Gemm, MatMul + Add, Relu, Softmax, Dropout and Identity)");
        }
    }
    node_index_ = -1;
    node_ = nullptr;

    if (graph_.output_size() != 1)
        fail_model("the graph has " + std::to_string(graph_.output_size()) + " outputs: staticnet networks have exactly one");
    if (graph_.output(0).name() != current_)
        fail_model("the graph output '" + graph_.output(0).name() + "' is not the output of its last layer ('" + current_ +
                   "'): staticnet networks are one chain of layers");
    if (layers_.empty())
        fail_model("the graph has no layer staticnet can run (a network needs at least one layer after its input)");
    if (value_.spatial && (value_.h > 1 || value_.w > 1) && value_.c > 1)
        notes_.push_back("the output is NHWC (" + std::to_string(value_.h) + ", " + std::to_string(value_.w) + ", " +
                         std::to_string(value_.c) + ") per sample, where PyTorch's is (C, H, W)");
    if (!value_.spatial && value_.permuted)
        notes_.push_back("the output is flattened in (h, w, c) order, where PyTorch's is (c, h, w)");

    // ---- the network's spelling, its tensors and their values -------------------------------
    Imported r;
    const std::string network = io::spell([&](sn::source::Writer& w) {
        sn::source::sequential_begin(w);
        sn::source::input(w, input_h_, input_w_, input_c_);
        for (const auto& L : layers_) {
            sn::source::sequential_next(w);
            L.write(w);
        }
        sn::source::sequential_end(w);
    });
    std::vector<io::RuntimeTensor> tensors;
    for (std::size_t p = 0; p < layers_.size(); ++p)
        for (const auto& t : layers_[p].tensors)
            tensors.push_back({static_cast<int>(p) + 1, layers_[p].keras_name(), t.name, t.shape, t.values.size(), t.trainable});
    std::string producer = model_.producer_name().empty() ? std::string("an unknown producer") : model_.producer_name();
    if (!model_.producer_version().empty()) producer += " " + model_.producer_version();
    r.source = io::runtime_model_source(name, network, label_ + " (ONNX opset " + std::to_string(opset_) + ", " + producer + ")",
                                        "staticnet_onnx_import", tensors);
    r.values.assign(r.source.total, 0.0f);
    for (std::size_t p = 0; p < layers_.size(); ++p)
        for (const auto& t : layers_[p].tensors) {
            const std::size_t at = io::offset_of(r.source, static_cast<int>(p) + 1, t.name);
            std::copy(t.values.begin(), t.values.end(), r.values.begin() + static_cast<std::ptrdiff_t>(at));
        }

    r.layers.push_back({0, io::spell([&](sn::source::Writer& w) { sn::source::input(w, input_h_, input_w_, input_c_); }),
                        "the graph input '" + input_name_ + "' (" + batch_ + ", " +
                            (flat_input_ ? std::to_string(input_c_)
                                         : std::to_string(input_c_) + ", " + std::to_string(input_h_) + ", " +
                                               std::to_string(input_w_)) +
                            ")"});
    for (std::size_t p = 0; p < layers_.size(); ++p)
        r.layers.push_back({static_cast<int>(p) + 1, io::spell([&](sn::source::Writer& w) { layers_[p].write(w); }),
                            layers_[p].nodes});
    r.dropped = dropped_;
    r.notes = notes_;
    return r;
}

}  // namespace

Imported import_model(const onnx::ModelProto& model, const std::string& label, const std::string& name) {
    return Importer(model, label).run(name);
}

Imported import_file(const std::string& path, const std::string& name) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ImportError(path + ": cannot open the file");
    onnx::ModelProto model;
    if (!model.ParseFromIstream(&in)) throw ImportError(path + ": not an ONNX model (the protobuf does not parse)");
    return import_model(model, path, name);
}

}  // namespace staticnet::onnx_import
