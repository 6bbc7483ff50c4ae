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
#include "diagnostics.hpp"
#include "model_parameters.hpp"
#include "parameter_name.hpp"
#include "predict.hpp"
#include "runner.hpp"
#include "sequential.hpp"

namespace staticnet {

namespace detail {

// The planned inference arena and the forward pass over parameters someone else holds.
// owns_parameters: the object holds the parameters too (Inference; StaticInference reads them in
// place), so they count against STATICNET_MAX_STATIC_BYTES with the arena.
template <class Net, int Batch, class T, bool owns_parameters>
class InferenceArena {
    static_assert(is_sequential_v<Net>, "staticnet: Inference<Net, ...> needs a sn::Sequential<...> network type");
    static_assert(Batch >= 1, "staticnet: the batch size must be at least 1");

public:
    using network = Net;
    using value_type = T;
    static constexpr int batch = Batch;
    static constexpr auto plan = Net::template inference_plan<Batch, T>();
    static constexpr std::size_t input_size = Net::input_shape.size();
    static constexpr std::size_t output_size = Net::output_shape.size();
    static constexpr std::size_t parameter_bytes = mul_sizes(Net::params.total, sizeof(T));
    static constexpr std::size_t arena_bytes = mul_sizes(plan.total, sizeof(T));
    // What the object holds (its arena, and its parameters when it owns them).
    static constexpr std::size_t object_bytes = add_sizes(arena_bytes, owns_parameters ? parameter_bytes : 0);
    // False (after the one error) when the object is larger than STATICNET_MAX_STATIC_BYTES.
    static constexpr bool fits_limit =
        static_memory_check<owns_parameters ? StaticObject::inference : StaticObject::static_inference,
                            object_bytes, max_static_bytes>::ok;
    static_assert(!fits_limit || plan.valid(),
                  "staticnet: internal error: the inference memory plan overlaps live buffers");

    // Where the next batch's input goes (Batch * input_size values, NHWC). To predict on it,
    // pass input_buffer().first(n * input_size) (nothing is copied).
    std::span<T> input_buffer() { return {arena_ + plan.offset[Net::inference_buffer_of[0]], Batch * input_size}; }

    // Runs predict's layers on `e`'s threads (a desktop ThreadPool); {} for the calling thread.
    void set_executor(Executor e) { par_ = Parallel(e); }
    int threads() const { return par_.threads(); }

protected:
    template <class Each>
    Prediction<T> run(const T* params, std::span<const T> input, int n, Each& each) {
        return Runner<Net, T>::predict(plan, Batch, params, arena_, input, n, par_, each);
    }

private:
    alignas(64) T arena_[fits_limit && plan.total > 0 ? plan.total : 1] = {};
    Parallel par_{};
};

}  // namespace detail

// predict / forward_each: graph/predict.hpp (detail::PredictApi).
template <class Net, int Batch = 1, class T = float>
class Inference : public detail::InferenceArena<Net, Batch, T, true>,
                  public detail::PredictApi<Inference<Net, Batch, T>, Net, Batch, T> {
    using Arena = detail::InferenceArena<Net, Batch, T, true>;
    friend class detail::PredictApi<Inference<Net, Batch, T>, Net, Batch, T>;

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
    // (Input = 0); an empty span when that layer has no such tensor. The name must be a
    // literal that some layer uses (a misspelling does not compile); find_parameter takes any
    // run-time string.
    std::span<T> parameter(int position, ParameterName<Net> name) { return find_parameter(position, name.text()); }
    std::span<T> find_parameter(int position, std::string_view name) {
        const int k = detail::find_param<Net>(position, name.data(), name.size());
        if (k < 0) return {};
        const ParamSlot& s = Net::param_slots[position][k];
        return {params_ + s.offset, s.size};
    }

private:
    template <class Each>
    Prediction<T> run_prediction(std::span<const T> input, int n, Each& each) {
        return this->run(params_, input, n, each);
    }

    alignas(64) T params_[Arena::fits_limit && Net::params.total > 0 ? Net::params.total : 1] = {};
};

// Inference over constexpr parameters: `Params` is a generated model's `parameters` (a
// ModelParameters<Net', T>); the network types must have the same signature, or the
// compilation stops with a message saying so. Only the arena is in the object.
template <class Net, const auto& Params, int Batch = 1>
class StaticInference
    : public detail::InferenceArena<Net, Batch, typename std::remove_cvref_t<decltype(Params)>::value_type, false>,
      public detail::PredictApi<StaticInference<Net, Params, Batch>, Net, Batch,
                                typename std::remove_cvref_t<decltype(Params)>::value_type> {
    using P = std::remove_cvref_t<decltype(Params)>;
    static_assert(is_model_parameters_v<P>,
                  "staticnet: StaticInference<Net, Params, Batch> needs a generated model's parameters "
                  "(a constexpr sn::ModelParameters object)");
    static_assert(detail::parameters_check<signature_of<Net>, Params.signature>::ok);
    friend class detail::PredictApi<StaticInference<Net, Params, Batch>, Net, Batch, typename P::value_type>;

public:
    using T = typename P::value_type;

    template <class Stream>
    void summary(Stream& out) const {
        print_summary(*this, out);
    }

    static constexpr std::span<const T> parameters() { return {Params.values, Net::params.total}; }

private:
    template <class Each>
    Prediction<T> run_prediction(std::span<const T> input, int n, Each& each) {
        return this->run(Params.values, input, n, each);
    }
};

}  // namespace staticnet
