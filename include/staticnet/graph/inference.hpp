// Inference<Net, Batch, T>: parameters and the planned inference arena inside one object.
// StaticInference<Net, Params, Batch>: the arena only; the parameters are a generated model's
// constexpr array (ModelParameters), read in place: on a microcontroller they stay in flash.
// Declare either static (or inside another static object): they never allocate.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../core/init.hpp"
#include "model_parameters.hpp"
#include "runner.hpp"
#include "sequential.hpp"

namespace staticnet {

namespace detail {

// The planned inference arena and the forward pass over parameters someone else holds.
template <class Net, int Batch, class T>
class InferenceArena {
    static_assert(is_sequential_v<Net>, "staticnet: Inference<Net, ...> needs a sn::Sequential<...> network type");
    static_assert(Batch >= 1, "staticnet: the batch size must be at least 1");

public:
    using network = Net;
    using value_type = T;
    static constexpr int batch = Batch;
    static constexpr auto plan = Net::template inference_plan<Batch, T>();
    static_assert(plan.valid(), "staticnet: internal error: the inference memory plan overlaps live buffers");
    static constexpr std::size_t input_size = Net::input_shape.size();
    static constexpr std::size_t output_size = Net::output_shape.size();
    static constexpr std::size_t parameter_bytes = Net::params.total * sizeof(T);
    static constexpr std::size_t arena_bytes = plan.total * sizeof(T);

    // Where the next batch's input goes (Batch * input_size values, NHWC).
    std::span<T> input_buffer() { return {arena_ + plan.offset[Net::inference_buffer_of[0]], Batch * input_size}; }

    // Runs predict's layers on `e`'s threads (a desktop ThreadPool); {} for the calling thread.
    void set_executor(Executor e) { par_ = Parallel(e); }
    int threads() const { return par_.threads(); }

protected:
    template <class Each>
    std::span<const T> run(const T* params, std::span<const T> input, int n, Each&& each) {
        return Runner<Net, T>::predict(plan, Batch, params, arena_, input, n, par_, each);
    }

private:
    alignas(64) T arena_[plan.total > 0 ? plan.total : 1] = {};
    Parallel par_{};
};

}  // namespace detail

template <class Net, int Batch = 1, class T = float>
class Inference : public detail::InferenceArena<Net, Batch, T> {
public:
    // Prints the Keras table and the memory plan (needs <staticnet/staticnet.hpp>; the core
    // itself has no iostream).
    template <class Stream>
    void summary(Stream& out) const {
        print_summary(*this, out);
    }

    void initialize(std::uint64_t seed) { detail::initialize_parameters<Net, T>(params_, seed); }

    std::span<T> parameters() { return {params_, Net::params.total}; }
    std::span<const T> parameters() const { return {params_, Net::params.total}; }

    // The tensor `name` ("kernel", "bias", "gamma", ...) of the layer at `position`
    // (Input = 0); an empty span when there is no such tensor.
    std::span<T> parameter(int position, std::string_view name) {
        const int k = detail::find_param<Net>(position, name.data(), name.size());
        if (k < 0) return {};
        const ParamSlot& s = Net::param_slots[position][k];
        return {params_ + s.offset, s.size};
    }

    // Runs the network on n <= Batch samples (NHWC, n * input_size values). Returns the
    // n * output_size outputs, valid until the next call. An input that is too short, or n
    // outside 1..Batch, gives an empty span.
    std::span<const T> predict(std::span<const T> input, int n) {
        return forward_each(input, n, [](int, const T*) {});
    }

    // As predict, calling each(position, output pointer) after every layer: that layer's
    // output is n * shapes[position].size() values, valid only during the call.
    template <class Each>
    std::span<const T> forward_each(std::span<const T> input, int n, Each&& each) {
        return this->run(params_, input, n, each);
    }

private:
    alignas(64) T params_[Net::params.total > 0 ? Net::params.total : 1] = {};
};

// Inference over constexpr parameters: `Params` is a generated model's `parameters` (a
// ModelParameters<Net', T>); the network types must have the same signature, or the
// compilation stops with a message saying so. Only the arena is in the object.
template <class Net, const auto& Params, int Batch = 1>
class StaticInference
    : public detail::InferenceArena<Net, Batch, typename std::remove_cvref_t<decltype(Params)>::value_type> {
    using P = std::remove_cvref_t<decltype(Params)>;
    static_assert(is_model_parameters_v<P>,
                  "staticnet: StaticInference<Net, Params, Batch> needs a generated model's parameters "
                  "(a constexpr sn::ModelParameters object)");
    static_assert(detail::parameters_check<signature_of<Net>, Params.signature>::ok);

public:
    using T = typename P::value_type;

    template <class Stream>
    void summary(Stream& out) const {
        print_summary(*this, out);
    }

    static constexpr std::span<const T> parameters() { return {Params.values, Net::params.total}; }

    std::span<const T> predict(std::span<const T> input, int n) {
        return forward_each(input, n, [](int, const T*) {});
    }
    template <class Each>
    std::span<const T> forward_each(std::span<const T> input, int n, Each&& each) {
        return this->run(Params.values, input, n, each);
    }
};

}  // namespace staticnet
