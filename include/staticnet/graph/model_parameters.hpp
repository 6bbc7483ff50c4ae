// ModelParameters<Net, T>: a trained network's parameters as one constexpr object, bound to the
// network's signature. Generated model headers (tools/export, tools/onnx-import) define one:
//
//   inline constexpr sn::ModelParameters<Network, float> parameters{0x5d1c...ull, {...}};
//
// StaticInference<Net, parameters> reads it in place. Compiling it into a network whose
// signature differs is a compile error that says so (detail::parameters_check).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

#include "inference_form.hpp"
#include "sequential.hpp"
#include "source.hpp"

namespace staticnet {

template <class Net, class T = float>
struct ModelParameters {
    static_assert(is_sequential_v<Net>, "staticnet: ModelParameters<Net, T> needs a sn::Sequential<...> network type");
    using network = Net;
    using value_type = T;
    static constexpr std::size_t size = Net::params.total;

    // signature_of<Net> of the network the generator wrote them for.
    std::uint64_t signature = 0;
    // The flat parameter array in Net::param_slots order (trainable tensors first).
    T values[size > 0 ? size : 1] = {};

    constexpr std::span<const T> span() const { return {values, size}; }
};

template <class P>
inline constexpr bool is_model_parameters_v = false;
template <class Net, class T>
inline constexpr bool is_model_parameters_v<ModelParameters<Net, T>> = true;

// The parameters of the inference form (graph/inference_form.hpp: BatchNormalization folded,
// Dropout dropped), constexpr when p is: a generated header's folded_parameters<> is this.
template <class Net, class T>
constexpr ModelParameters<inference_form<Net>, T> fold(const ModelParameters<Net, T>& p) {
    ModelParameters<inference_form<Net>, T> r{signature_of<inference_form<Net>>, {}};
    fold_parameters<Net, T>(p.values, r.values);
    return r;
}

namespace detail {
// The template arguments name both signatures in the compiler's "required from" line.
template <std::uint64_t network_signature, std::uint64_t parameters_signature>
struct parameters_check {
    static_assert(network_signature == parameters_signature,
                  "staticnet: these parameters were generated for another network: their signature differs from "
                  "this network type's (a hash of its layers, options and shapes); use the network type from the "
                  "same generated header, or regenerate the header for this network");
    static constexpr bool ok = true;
};
}  // namespace detail

}  // namespace staticnet
