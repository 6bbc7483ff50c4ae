// ONNX (as PyTorch exports it) -> a staticnet network: the network's canonical spelling, its
// signature, its parameter tensors in the flat layout and their values, ready for
// sn::io::write_model_header. staticnet_onnx_import (onnx_import.cpp) is the command-line tool;
// tests/onnx uses this library directly for the error cases.
//
// The graph must be one chain of supported nodes from one (N, C, H, W) float input to one output:
//   Conv (+ Relu)                     -> sn::Conv2D   (OIHW weight -> (kh, kw, cin, cout))
//   BatchNormalization                -> sn::BatchNormalization
//   MaxPool                           -> sn::MaxPool2D
//   Flatten / Reshape to (N, -1)      -> sn::Flatten  (the next Dense's rows: (c, h, w) -> (h, w, c))
//   Gemm or MatMul [+ Add] (+ Relu | Softmax) -> sn::Dense (weight -> (in, units))
//   Relu, Softmax elsewhere           -> sn::Activation
//   Dropout, Identity                 -> dropped (inference)
// Padding must be none ('valid') or exactly TF 'same'. Anything else throws ImportError naming the
// node, its operator and the attribute or input at fault.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include <staticnet/io/model_source.hpp>

namespace onnx {
class ModelProto;
}

namespace staticnet::onnx_import {

struct ImportError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// One staticnet layer and the ONNX nodes it was made of.
struct LayerOrigin {
    int position = 0;
    std::string layer;  // its spelling ("sn::Conv2D<{...}>")
    std::string nodes;  // "'/conv1/Conv' (Conv) + '/Relu' (Relu)"
};

struct Imported {
    io::ModelSource source;               // spelling, signature, tensors (origin/generator filled)
    std::vector<float> values;            // the flat parameter array, source.tensors' layout
    std::vector<LayerOrigin> layers;      // positions 0 (Input) .. n
    std::vector<std::string> dropped;     // nodes left out (Dropout, Identity, no-op Flatten)
    std::vector<std::string> notes;       // things the user must know (input/output layout)
};

// Converts a parsed model. `label` names the model in messages ("model.onnx: node ..."), `name`
// is the generated header's namespace.
Imported import_model(const onnx::ModelProto& model, const std::string& label, const std::string& name);

// Reads and parses `path` (onnx::ModelProto::ParseFromIstream), then import_model.
Imported import_file(const std::string& path, const std::string& name);

}  // namespace staticnet::onnx_import
