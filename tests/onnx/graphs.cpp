// The importer (tools/onnx/onnx_importer.hpp) on small graphs built here with ONNX's protobuf
// types: the layouts (OIHW -> (kh, kw, cin, cout), the Dense rows from (c, h, w) to (h, w, c),
// MatMul + Add), the padding rules, what PyTorch's exporter does besides the fixtures
// (deduplicated initializers behind Identity nodes, Constant shapes), and every kind of refusal
// with its exact message.
#include <doctest/doctest.h>

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

#include <staticnet/io/model_source.hpp>

#include "onnx_importer.hpp"

namespace oi = staticnet::onnx_import;

namespace {

// "v3" (appended piece by piece: g++ 12 warns falsely (-Wrestrict) about "v" + std::to_string(...)).
std::string numbered(const std::string& prefix, int n, const char* separator = "") {
    std::string s;
    s.append(prefix);
    s.append(separator);
    s.append(std::to_string(n));
    return s;
}

// A model under construction: input 'x' (dims), nodes appended in order, output = the last node's.
struct Graph {
    onnx::ModelProto model;
    onnx::GraphProto* g = model.mutable_graph();
    std::string last = "x";
    int counter = 0;

    explicit Graph(std::vector<std::int64_t> dims = {1, 1, 8, 8}, int opset = 13,
                   int type = onnx::TensorProto::FLOAT) {
        model.set_ir_version(7);
        model.set_producer_name("test");
        auto* op = model.add_opset_import();
        op->set_domain("");
        op->set_version(opset);
        auto* in = g->add_input();
        in->set_name("x");
        auto* tt = in->mutable_type()->mutable_tensor_type();
        tt->set_elem_type(type);
        for (auto d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
    }
    // An initializer with values 0, 1, 2, ... times `scale` (or given values).
    std::string init(const std::string& name, std::vector<std::int64_t> dims, float scale = 1.0f,
                     std::vector<float> values = {}) {
        auto* t = g->add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::FLOAT);
        std::int64_t n = 1;
        for (auto d : dims) {
            t->add_dims(d);
            n *= d;
        }
        for (std::int64_t i = 0; i < n; ++i)
            t->add_float_data(values.empty() ? static_cast<float>(i) * scale : values[static_cast<std::size_t>(i)]);
        return name;
    }
    // A node reading the last output (unless `inputs` says otherwise) with the extra inputs given.
    onnx::NodeProto& node(const std::string& op, std::vector<std::string> extra = {}, std::string name = "",
                          bool chain = true) {
        auto* n = g->add_node();
        n->set_op_type(op);
        n->set_name(name.empty() ? numbered(op, counter, "_") : name);
        if (chain) n->add_input(last);
        for (auto& e : extra) n->add_input(e);
        last = numbered("v", counter++);
        n->add_output(last);
        return *n;
    }
    static void ints(onnx::NodeProto& n, const std::string& name, std::vector<std::int64_t> v) {
        auto* a = n.add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::INTS);
        for (auto x : v) a->add_ints(x);
    }
    static void integer(onnx::NodeProto& n, const std::string& name, std::int64_t v) {
        auto* a = n.add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::INT);
        a->set_i(v);
    }
    static void real(onnx::NodeProto& n, const std::string& name, float v) {
        auto* a = n.add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::FLOAT);
        a->set_f(v);
    }
    static void text(onnx::NodeProto& n, const std::string& name, const std::string& v) {
        auto* a = n.add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::STRING);
        a->set_s(v);
    }
    onnx::NodeProto& conv(int cin, int cout, int k, std::vector<std::int64_t> pads = {0, 0, 0, 0},
                          std::vector<std::int64_t> strides = {1, 1}, bool bias = true) {
        const std::string w = init(numbered("w", counter), {cout, cin, k, k}, 0.01f);
        std::vector<std::string> in{w};
        if (bias) in.push_back(init(numbered("b", counter), {cout}, 0.1f));
        auto& n = node("Conv", in);
        ints(n, "kernel_shape", {k, k});
        ints(n, "pads", pads);
        ints(n, "strides", strides);
        return n;
    }
    oi::Imported run() {
        g->clear_output();
        g->add_output()->set_name(last);
        return oi::import_model(model, "test.onnx", "t_model");
    }
    std::string error() {
        try {
            (void)run();
        } catch (const oi::ImportError& e) {
            return e.what();
        }
        return "(imported)";
    }
    std::string network() { return run().source.network; }
};

std::string spelled(const oi::Imported& m, int position) { return m.layers.at(static_cast<std::size_t>(position)).layer; }

}  // namespace

TEST_CASE("onnx graphs: Conv weights OIHW -> (kh, kw, cin, cout), the Dense rows (c, h, w) -> (h, w, c)") {
    // x (1, 2, 3, 3) -> Conv 2->2 k2 valid -> (1, 2, 2, 2) -> Flatten -> Gemm(transB) 8 -> 3 + Softmax
    Graph g({1, 2, 3, 3});
    g.conv(2, 2, 2);
    g.node("Flatten");
    const std::string w = g.init("fc.weight", {3, 8}, 1.0f);  // W[u][t] = 8u + t
    auto& gemm = g.node("Gemm", {w, g.init("fc.bias", {3}, 1.0f)});
    Graph::integer(gemm, "transB", 1);
    g.node("Softmax");
    const auto m = g.run();
    CHECK(m.source.network ==
          "sn::Sequential<\n    sn::Input<3, 3, 2>,\n"
          "    sn::Conv2D<{.filters = 2, .kernel = {2, 2}, .strides = {1, 1}, .padding = sn::valid, .activation = "
          "sn::linear, .use_bias = true}>,\n"
          "    sn::Flatten,\n"
          "    sn::Dense<{.units = 3, .activation = sn::softmax, .use_bias = true}>>");
    CHECK(m.source.signature == staticnet::source::fnv1a(m.source.network));
    REQUIRE(m.source.total == 16 + 2 + 24 + 3);
    // Conv kernel (kh, kw, cin, cout): element (y, x, i, o) = W[o][i][y][x] = 0.01 * (((o*2 + i)*2 + y)*2 + x).
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 2; ++x)
            for (int i = 0; i < 2; ++i)
                for (int o = 0; o < 2; ++o)
                    CHECK(m.values[static_cast<std::size_t>(((y * 2 + x) * 2 + i) * 2 + o)] ==
                          0.01f * static_cast<float>(((o * 2 + i) * 2 + y) * 2 + x));
    // Dense kernel (in, units) at 18: row s = (h*2 + w)*2 + c holds PyTorch's column t = (c*2 + h)*2 + w.
    const std::size_t k = staticnet::io::offset_of(m.source, 3, "kernel");
    REQUIRE(k == 18);
    for (int h = 0; h < 2; ++h)
        for (int wx = 0; wx < 2; ++wx)
            for (int c = 0; c < 2; ++c)
                for (int u = 0; u < 3; ++u) {
                    const int s = (h * 2 + wx) * 2 + c, t = (c * 2 + h) * 2 + wx;
                    CHECK(m.values[k + static_cast<std::size_t>(s * 3 + u)] == static_cast<float>(8 * u + t));
                }
    CHECK(m.values[staticnet::io::offset_of(m.source, 3, "bias") + 2] == 2.0f);
    CHECK(m.layers.at(3).nodes == "'Gemm_2' (Gemm) + 'Softmax_3' (Softmax)");
}

TEST_CASE("onnx graphs: MatMul + Add is a Dense; Gemm with transB = 0; BatchNorm1d after Flatten is permuted too") {
    Graph g({1, 2, 2, 1});  // C = 2, H = 2, W = 1
    g.node("Flatten");
    g.node("BatchNormalization", {g.init("s", {4}, 1.0f), g.init("bb", {4}, 1.0f), g.init("mean", {4}, 1.0f),
                                  g.init("var", {4}, 1.0f)});
    g.node("MatMul", {g.init("mm", {4, 3}, 1.0f)});
    g.node("Add", {g.init("bias", {3}, 1.0f)});
    g.node("Relu");
    g.node("Gemm", {g.init("w2", {3, 2}, 1.0f)});  // transB = 0: (in, units), no C
    const auto m = g.run();
    CHECK(spelled(m, 2) == "sn::BatchNormalization<{.momentum = 0.9f, .epsilon = 0.00001f}>");  // ONNX defaults
    CHECK(spelled(m, 3) == "sn::Dense<{.units = 3, .activation = sn::relu, .use_bias = true}>");
    CHECK(spelled(m, 4) == "sn::Dense<{.units = 2, .activation = sn::linear, .use_bias = false}>");
    CHECK(m.layers.at(3).nodes == "'MatMul_2' (MatMul) + 'Add_3' (Add) + 'Relu_4' (Relu)");
    // staticnet's flat order (h, c): s = h*2 + c; PyTorch's (c, h): t = c*2 + h. gamma[s] = t.
    const std::size_t gamma = staticnet::io::offset_of(m.source, 2, "gamma");
    CHECK(m.values[gamma + 0] == 0.0f);
    CHECK(m.values[gamma + 1] == 2.0f);
    CHECK(m.values[gamma + 2] == 1.0f);
    CHECK(m.values[gamma + 3] == 3.0f);
    // The Dense after the BN reads the same order: row s = PyTorch's row t.
    const std::size_t k = staticnet::io::offset_of(m.source, 3, "kernel");
    CHECK(m.values[k + 1 * 3 + 0] == 6.0f);  // s = 1 -> t = 2: mm[2][0] = 6
    // Non-trainable tensors after every trainable one.
    CHECK(staticnet::io::offset_of(m.source, 2, "moving_mean") == m.source.trainable);
}

TEST_CASE("onnx graphs: padding is 'valid' or exactly TF 'same'") {
    // Asymmetric pads equal to TF 'same' (as TensorFlow-made graphs have them): same.
    {
        Graph g({1, 1, 8, 8});
        g.conv(1, 2, 3, {0, 0, 1, 1}, {2, 2});
        CHECK(spelled(g.run(), 1).find(".strides = {2, 2}, .padding = sn::same") != std::string::npos);
    }
    {
        Graph g({1, 1, 8, 8});
        auto& n = g.conv(1, 2, 3, {}, {2, 2});
        n.mutable_attribute()->RemoveLast();  // strides
        n.mutable_attribute()->RemoveLast();  // pads
        Graph::ints(n, "strides", {2, 2});
        Graph::text(n, "auto_pad", "SAME_UPPER");
        CHECK(spelled(g.run(), 1).find(".padding = sn::same") != std::string::npos);
    }
    {
        Graph g({1, 1, 8, 8});
        auto& n = g.conv(1, 2, 3, {}, {2, 2});
        n.mutable_attribute()->RemoveLast();
        n.mutable_attribute()->RemoveLast();
        Graph::ints(n, "strides", {2, 2});
        Graph::text(n, "auto_pad", "SAME_LOWER");
        CHECK(g.error() == "test.onnx: node 'Conv_0' (Conv): attribute auto_pad = SAME_LOWER is not supported for this "
                           "8x8 input, kernel 3x3 and strides 2x2: it pads the odd row/column before, TF 'same' after");
    }
    {
        Graph g({1, 1, 8, 8});
        g.conv(1, 2, 5, {1, 1, 1, 1});  // total 4, 'same' is 2 + 2
        CHECK(g.error() == "test.onnx: node 'Conv_0' (Conv): attribute pads = [1, 1, 1, 1] is not supported: staticnet "
                           "pads either not at all ('valid') or as TF 'same', which for this 8x8 input, kernel 5x5 and "
                           "strides 1x1 is pads = [2, 2, 2, 2] (PyTorch's symmetric padding is 'same' only where the "
                           "total padding is even)");
    }
    {
        Graph g({1, 1, 3, 3});
        g.conv(1, 2, 5);
        CHECK(g.error() == "test.onnx: node 'Conv_0' (Conv): its kernel 5x5 is larger than its unpadded 3x3 input");
    }
    // MaxPool: 'same' pads, ceil_mode where it makes no difference, and where it does.
    {
        Graph g({1, 1, 6, 6});
        auto& p = g.node("MaxPool");
        Graph::ints(p, "kernel_shape", {3, 3});
        Graph::ints(p, "strides", {1, 1});
        Graph::ints(p, "pads", {1, 1, 1, 1});
        CHECK(spelled(g.run(), 1) == "sn::MaxPool2D<{.pool = {3, 3}, .strides = {1, 1}, .padding = sn::same}>");
    }
    {
        Graph g({1, 1, 8, 8});
        auto& p = g.node("MaxPool");
        Graph::ints(p, "kernel_shape", {2, 2});
        Graph::ints(p, "strides", {2, 2});
        Graph::integer(p, "ceil_mode", 1);
        CHECK(spelled(g.run(), 1) == "sn::MaxPool2D<{.pool = {2, 2}, .strides = {-1, -1}, .padding = sn::valid}>");
    }
    {
        Graph g({1, 1, 7, 7});
        auto& p = g.node("MaxPool", {}, "pool");
        Graph::ints(p, "kernel_shape", {2, 2});
        Graph::ints(p, "strides", {2, 2});
        Graph::integer(p, "ceil_mode", 1);
        CHECK(g.error() == "test.onnx: node 'pool' (MaxPool): attribute ceil_mode = 1 is not supported (staticnet's "
                           "MaxPool2D rounds the output size down: 7x7 in gives 4x4 out with ceil_mode, 3x3 without)");
    }
}

TEST_CASE("onnx graphs: what PyTorch's exporter writes besides layers") {
    // Deduplicated initializers: a fresh BN's running_var equals its weight (ones), so the exporter
    // keeps one tensor and an Identity node; Reshape's shape comes from a Constant node.
    Graph g({1, 1, 4, 4});
    const std::string ones = g.init("bn.weight", {1}, 0.0f, {1.0f});
    auto& id = g.node("Identity", {ones}, "Identity_0", false);
    const std::string var = id.output(0);
    g.last = "x";
    g.node("BatchNormalization", {ones, g.init("bn.bias", {1}, 0.0f, {0.5f}), g.init("bn.mean", {1}, 0.0f, {2.0f}), var});
    const std::string bn_out = g.last;
    auto& c = g.node("Constant", {}, "shape", false);
    auto* a = c.add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    a->mutable_t()->set_data_type(onnx::TensorProto::INT64);
    a->mutable_t()->add_dims(2);
    a->mutable_t()->add_int64_data(1);
    a->mutable_t()->add_int64_data(-1);
    const std::string shape = c.output(0);
    g.last = bn_out;
    g.node("Reshape", {shape});
    g.node("Dropout");
    g.node("Identity");
    g.node("Gemm", {g.init("w", {16, 2}, 1.0f)});
    const auto m = g.run();
    CHECK(m.layers.size() == 4);  // Input, BN, Flatten, Dense
    CHECK(m.values[staticnet::io::offset_of(m.source, 1, "moving_variance")] == 1.0f);
    CHECK(m.values[staticnet::io::offset_of(m.source, 1, "moving_mean")] == 2.0f);
    CHECK(m.dropped.size() == 2);
    CHECK(m.dropped[0] == "'Dropout_4' (Dropout): identity at inference");
    CHECK(m.dropped[1] == "'Identity_5' (Identity): identity");
}

TEST_CASE("onnx graphs: refusals name the node, the operator and what is wrong") {
    const auto error_of = [](auto build, std::vector<std::int64_t> dims = {1, 1, 8, 8}) {
        Graph g(dims);
        build(g);
        return g.error();
    };
    CHECK(error_of([](Graph& g) { g.conv(2, 4, 3); }) ==
          "test.onnx: node 'Conv_0' (Conv): W 'w0' has dims [4, 2, 3, 3] (2 input channels) but its input (N, 1, 8, 8) "
          "has 1");
    CHECK(error_of([](Graph& g) {
              g.conv(1, 2, 3).clear_name();
              g.node("Relu").clear_name();
              g.node("Tanh").clear_name();
          }) ==
          "test.onnx: node #2 (Tanh): operator Tanh is not supported (staticnet_onnx_import maps Conv, "
          "BatchNormalization, MaxPool, Flatten, Reshape, Gemm, MatMul + Add, Relu, Softmax, Dropout and Identity)");
    CHECK(error_of([](Graph& g) {
              auto& n = g.conv(1, 2, 3);
              Graph::ints(n, "dilations", {1, 2});
          }) == "test.onnx: node 'Conv_0' (Conv): attribute dilations = [1, 2] is not supported (staticnet's Conv2D has no "
                "dilation)");
    CHECK(error_of([](Graph& g) {
              auto& n = g.conv(1, 2, 3);
              Graph::integer(n, "frobnicate", 3);
          }) == "test.onnx: node 'Conv_0' (Conv): attribute frobnicate = 3 is not supported (unknown to the importer)");
    CHECK(error_of([](Graph& g) {
              g.node("Flatten");
              auto& n = g.node("Gemm", {g.init("w", {64, 3}, 1.0f), g.init("b", {3}, 1.0f)});
              Graph::real(n, "alpha", 0.5f);
          }) == "test.onnx: node 'Gemm_1' (Gemm): attribute alpha = 0.5 is not supported (staticnet's Dense computes x W + "
                "b: alpha = beta = 1)");
    CHECK(error_of([](Graph& g) { g.node("Gemm", {g.init("w", {64, 3}, 1.0f)}); }) ==
          "test.onnx: node 'Gemm_0' (Gemm): its input (N, 1, 8, 8) is 4-D: Gemm needs a flattened (N, features) input (add "
          "nn.Flatten() before the nn.Linear)");
    CHECK(error_of([](Graph& g) {
              g.node("Flatten");
              g.node("Gemm", {g.init("w", {10, 63}, 1.0f)});
          }) == "test.onnx: node 'Gemm_1' (Gemm): B 'w' has dims [10, 63] but its input (N, 64) has 64 features (expected "
                "[64, units] with transB = 0)");
    CHECK(error_of([](Graph& g) {
              g.node("Flatten");
              g.node("Gemm", {g.init("w", {64, 3}, 1.0f), g.init("c", {2, 3}, 1.0f)});
          }) == "test.onnx: node 'Gemm_1' (Gemm): C, the bias 'c' has dims [2, 3], expected [3] or [1, 3] (one per unit)");
    CHECK(error_of([](Graph& g) { g.node("Softmax"); }) ==
          "test.onnx: node 'Softmax_0' (Softmax): attribute axis = -1 (opset 13) on its input (N, 1, 8, 8) is not "
          "supported (staticnet's softmax is over the channels: axis 1, opset 13 or later)");
    CHECK(error_of([](Graph& g) {
              auto& n = g.node("BatchNormalization", {g.init("s", {1}), g.init("b", {1}), g.init("m", {1}), g.init("v", {1})});
              n.add_output("running_mean");
          }) == "test.onnx: node 'BatchNormalization_0' (BatchNormalization): output 1 'running_mean' (a training-mode "
                "statistic) is not supported: export the model in eval mode (model.eval())");
    CHECK(error_of([](Graph& g) {
              g.node("BatchNormalization", {g.init("s", {2}), g.init("b", {1}), g.init("m", {1}), g.init("v", {1})});
          }) == "test.onnx: node 'BatchNormalization_0' (BatchNormalization): scale 's' has dims [2], expected [1] (one per "
                "channel of its input (N, 1, 8, 8))");
    CHECK(error_of([](Graph& g) {
              auto& n = g.node("Reshape", {"shape"});
              (void)n;
              auto* t = g.g->add_initializer();
              t->set_name("shape");
              t->set_data_type(onnx::TensorProto::INT64);
              t->add_dims(3);
              for (std::int64_t v : {1, 2, -1}) t->add_int64_data(v);
          }) == "test.onnx: node 'Reshape_0' (Reshape): shape [1, 2, -1] is not supported: from (N, 1, 8, 8) staticnet "
                "reshapes only to (N, 64), a Flatten ([N, -1] or [-1, 64])");
    CHECK(error_of([](Graph& g) {
              auto* t = g.g->add_initializer();
              t->set_name("yes");
              t->set_data_type(onnx::TensorProto::BOOL);
              t->add_int32_data(1);
              g.node("Dropout", {g.init("ratio", {}, 0.0f, {0.5f}), "yes"});
          }) == "test.onnx: node 'Dropout_0' (Dropout): input 2 (training_mode) 'yes' is true: export the model in eval "
                "mode (model.eval())");
    CHECK(error_of([](Graph& g) {
              auto* n = g.g->add_node();
              n->set_name("custom");
              n->set_op_type("FusedConv");
              n->set_domain("com.microsoft");
              n->add_input("x");
              n->add_output("y");
              g.last = "y";
          }) == "test.onnx: node 'custom' (com.microsoft:FusedConv): operator com.microsoft:FusedConv is not supported "
                "(only the default ONNX domain)");
}

TEST_CASE("onnx graphs: one chain of layers, one float input, parameters in the file") {
    // A branch: the Relu's output read twice (a residual connection).
    {
        Graph g;
        g.node("Relu", {}, "r");
        const std::string r = g.last;
        g.node("Relu", {}, "a");
        const std::string a = g.last;
        auto& add = g.node("Add", {r}, "sum", false);
        add.add_input(a);
        add.mutable_input()->SwapElements(0, 1);
        CHECK(g.error() == "test.onnx: node 'r' (Relu): its output 'v0' is used 2 times (by 'a' (Relu) and 'sum' (Add)): "
                           "staticnet networks are one chain of layers, without branches");
    }
    {
        Graph g;
        auto* in = g.g->add_input();
        in->set_name("y");
        in->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
        g.node("Relu");
        CHECK(g.error() == "test.onnx: the graph has 2 inputs ('x', 'y'): staticnet networks have exactly one");
    }
    {
        Graph g({1, 1, 8, 8}, 13, onnx::TensorProto::DOUBLE);
        g.node("Relu");
        CHECK(g.error() == "test.onnx: the graph input 'x' is a DOUBLE tensor: staticnet_onnx_import needs a float32 input");
    }
    {
        Graph g;
        g.g->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(2)->set_dim_param("h");
        g.node("Relu");
        CHECK(g.error() == "test.onnx: the graph input 'x' has a variable H ('h'): staticnet needs fixed sizes (export "
                           "without dynamic_axes on them)");
    }
    {
        Graph g;
        auto& n = g.conv(1, 2, 3);
        auto* w = g.g->mutable_initializer(0);
        w->clear_float_data();
        w->set_data_type(onnx::TensorProto::FLOAT16);
        (void)n;
        CHECK(g.error() == "test.onnx: node 'Conv_0' (Conv): W 'w0' is a FLOAT16 tensor: staticnet_onnx_import reads "
                           "float32 parameters (export the model in float32)");
    }
    {
        Graph g;
        g.conv(1, 2, 3);
        auto* w = g.g->mutable_initializer(0);
        w->clear_float_data();
        w->set_data_location(onnx::TensorProto::EXTERNAL);
        auto* e = w->add_external_data();
        e->set_key("location");
        e->set_value("weights.bin");
        CHECK(g.error() == "test.onnx: node 'Conv_0' (Conv): W 'w0' is stored as external data in 'weights.bin': "
                           "staticnet_onnx_import reads self-contained .onnx files (save the model without external "
                           "data)");
    }
    {
        Graph g;
        g.node("Relu");
        g.node("Conv", {"x_missing"});
        CHECK(g.error().find("test.onnx: node 'Conv_1' (Conv): input 1 (W, the weights) 'x_missing' is not a constant") == 0);
    }
    {
        Graph g;
        g.node("Relu");
        g.node("Relu");
        g.run();  // fine; now the first Relu's output is a graph output too
        g.g->add_output()->set_name("v0");
        std::string error;
        try {
            (void)oi::import_model(g.model, "test.onnx", "t_model");
        } catch (const oi::ImportError& e) {
            error = e.what();
        }
        CHECK(error == "test.onnx: node 'Relu_0' (Relu): its output 'v0' is used 2 times (by 'Relu_1' (Relu) and the "
                       "graph output): staticnet networks are one chain of layers, without branches");
    }
    {
        Graph g;
        g.node("Dropout");
        CHECK(g.error() == "test.onnx: the graph has no layer staticnet can run (a network needs at least one layer after "
                           "its input)");
    }
}

TEST_CASE("onnx graphs: a (N, features) input is Input<1, 1, features> and a Flatten") {
    Graph g({1, 6});
    g.node("Gemm", {g.init("w", {6, 2}, 1.0f)});
    const auto m = g.run();
    CHECK(m.source.network ==
          "sn::Sequential<\n    sn::Input<1, 1, 6>,\n    sn::Flatten,\n"
          "    sn::Dense<{.units = 2, .activation = sn::linear, .use_bias = false}>>");
}
