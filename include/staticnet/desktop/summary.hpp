// summary(): the Keras model table (TF 2.0-2.6 Sequential layout, 65 columns), then what Keras
// cannot print: MACs per sample, parameter bytes and the planned arena bytes.
#pragma once
#include <array>
#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>

#include "../graph/inference.hpp"
#include "../train/model.hpp"

namespace staticnet {

// 78602 -> "78,602"
inline std::string thousands(std::size_t v) {
    std::string digits = std::to_string(v);
    std::string out;
    const int n = static_cast<int>(digits.size());
    for (int i = 0; i < n; ++i) {
        if (i > 0 && (n - i) % 3 == 0) out += ',';
        out += digits[static_cast<std::size_t>(i)];
    }
    return out;
}

inline std::string keras_shape(Shape s) {
    if (s.flat()) return "(None, " + std::to_string(s.c) + ")";
    return "(None, " + std::to_string(s.h) + ", " + std::to_string(s.w) + ", " + std::to_string(s.c) + ")";
}

namespace detail {

// Keras's print_row: from the second field on, the previous column's last character becomes a
// space; each field is appended, cut at its column's end, then padded to it.
template <std::size_t N>
std::string summary_row(const std::array<std::string, N>& fields, const std::array<std::size_t, N>& ends) {
    std::string line;
    for (std::size_t i = 0; i < N; ++i) {
        if (i > 0) line.back() = ' ';
        line += fields[i];
        if (line.size() > ends[i]) line.resize(ends[i]);
        line.append(ends[i] - line.size(), ' ');
    }
    return line;
}
inline std::string summary_row(const std::array<std::string, 3>& fields) {
    return summary_row<3>(fields, {29, 55, 65});
}

// Keras layer names: snake_case class name, then _1, _2, ... for repeats within the model.
template <class Net>
std::array<std::string, Net::depth> layer_names() {
    std::array<std::string, Net::depth> names;
    std::array<const char*, Net::depth> bases{};
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((bases[I] = Net::template layer<static_cast<int>(I)>::keras_name), ...);
    }(std::make_index_sequence<Net::depth>{});
    for (int p = 1; p < Net::depth; ++p) {
        int seen = 0;
        for (int q = 1; q < p; ++q) seen += std::string_view(bases[q]) == bases[p] ? 1 : 0;
        names[p] = seen == 0 ? std::string(bases[p]) : std::string(bases[p]) + "_" + std::to_string(seen);
    }
    return names;
}

template <class Net>
std::array<std::string, Net::depth> layer_classes() {
    std::array<std::string, Net::depth> classes;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((classes[I] = Net::template layer<static_cast<int>(I)>::keras_class), ...);
    }(std::make_index_sequence<Net::depth>{});
    return classes;
}

}  // namespace detail

// The Keras table alone, exactly as tf.keras 2.0 prints it for a Sequential model. A network
// with blocks (graph/blocks.hpp) is printed as Keras prints a functional model: the Input as a
// row, 98 columns, and what each layer reads in "Connected to" (one row per input).
template <class Net>
void print_keras_table(std::ostream& out, std::string_view model_name = {}) {
    const auto names = detail::layer_names<Net>();
    const auto classes = detail::layer_classes<Net>();
    if constexpr (Net::is_chain) {
        const std::string under(65, '_'), equals(65, '=');
        out << "Model: \"" << (model_name.empty() ? "sequential" : model_name) << "\"\n" << under << '\n';
        out << detail::summary_row({"Layer (type)", "Output Shape", "Param #"}) << '\n' << equals << '\n';
        for (int p = 1; p < Net::depth; ++p) {
            out << detail::summary_row({names[p] + " (" + classes[p] + ")", keras_shape(Net::shapes[p]),
                                        std::to_string(Net::param_specs[p].total())})
                << '\n';
            out << (p == Net::depth - 1 ? equals : under) << '\n';
        }
        out << "Total params: " << thousands(Net::params.total) << '\n';
        out << "Trainable params: " << thousands(Net::params.trainable) << '\n';
        out << "Non-trainable params: " << thousands(Net::params.non_trainable) << '\n';
        out << under << '\n';
    } else {
        constexpr std::array<std::size_t, 4> ends{32, 53, 65, 98};
        const std::string under(98, '_'), equals(98, '=');
        const auto name = [&](int p) { return p == 0 ? std::string("input_1") : names[p]; };
        out << "Model: \"" << (model_name.empty() ? "model" : model_name) << "\"\n" << under << '\n';
        out << detail::summary_row<4>({"Layer (type)", "Output Shape", "Param #", "Connected to"}, ends) << '\n'
            << equals << '\n';
        // (Appended piece by piece: g++ 12 warns falsely (-Wrestrict) about "[" + std::string.)
        std::string input_shape(1, '[');
        input_shape.append(keras_shape(Net::shapes[0]));
        input_shape.push_back(']');
        out << detail::summary_row<4>({"input_1 (InputLayer)", input_shape, "0", ""}, ends)
            << '\n'
            << under << '\n';
        for (int p = 1; p < Net::depth; ++p) {
            for (int i = 0; i < Net::inputs[p].count; ++i) {
                const std::string from = name(Net::inputs[p].at[i]) + "[0][0]";
                if (i == 0)
                    out << detail::summary_row<4>({name(p) + " (" + classes[p] + ")", keras_shape(Net::shapes[p]),
                                                   std::to_string(Net::param_specs[p].total()), from},
                                                  ends);
                else
                    out << detail::summary_row<4>({"", "", "", from}, ends);
                out << '\n';
            }
            out << (p == Net::depth - 1 ? equals : under) << '\n';
        }
        out << "Total params: " << thousands(Net::params.total) << '\n';
        out << "Trainable params: " << thousands(Net::params.trainable) << '\n';
        out << "Non-trainable params: " << thousands(Net::params.non_trainable) << '\n';
        out << under << '\n';
    }
}

template <class Net, class T>
void print_plan_lines(std::ostream& out) {
    constexpr std::size_t at1 = Net::template inference_plan<1, T>().total * sizeof(T);
    out << "MACs per sample: " << thousands(Net::macs_per_sample) << '\n';
    out << "Parameter bytes: " << thousands(Net::params.total * sizeof(T)) << " (" << sizeof(T) * 8
        << "-bit values)\n";
    out << "Inference arena bytes: " << thousands(at1) << " at batch 1";
}

template <class Net, int Batch, class T>
void print_summary(const Inference<Net, Batch, T>&, std::ostream& out, std::string_view model_name = {}) {
    print_keras_table<Net>(out, model_name);
    print_plan_lines<Net, T>(out);
    out << ", " << thousands(Inference<Net, Batch, T>::arena_bytes) << " at batch " << Batch << '\n';
}

template <class Net, const auto& Params, int Batch>
void print_summary(const StaticInference<Net, Params, Batch>&, std::ostream& out,
                   std::string_view model_name = {}) {
    using I = StaticInference<Net, Params, Batch>;
    using T = typename I::value_type;
    print_keras_table<Net>(out, model_name);
    print_plan_lines<Net, T>(out);
    out << ", " << thousands(I::arena_bytes) << " at batch " << Batch << " (parameters read in place)\n";
}

template <class Net, class O, class L, int Batch, class T>
void print_summary(const Model<Net, O, L, Batch, T>&, std::ostream& out, std::string_view model_name = {}) {
    using M = Model<Net, O, L, Batch, T>;
    print_keras_table<Net>(out, model_name);
    print_plan_lines<Net, T>(out);
    out << ", " << thousands(M::inference_arena_bytes) << " at batch " << Batch << '\n';
    out << "Training arena bytes: " << thousands(M::training_arena_bytes) << " at batch " << Batch
        << " (activations kept for backward + gradients, planned by liveness)\n";
    out << "Persistent bytes: " << thousands(M::persistent_bytes) << " (parameters " << thousands(M::parameter_bytes)
        << ", gradients " << thousands(M::gradient_bytes) << ", " << O::name << " state "
        << thousands(M::optimizer_bytes) << ", layer scratch " << thousands(M::scratch_bytes) << ")\n";
    out << "Model object bytes: " << thousands(sizeof(M)) << '\n';
}

}  // namespace staticnet
