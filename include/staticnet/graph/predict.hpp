// predict for Model, Inference and StaticInference (one implementation, PredictApi):
//
//   std::array<float, 2 * 784> x;   // or float x[2 * 784], std::span<const float, 2 * 784>
//   std::span<const float, 2 * 10> y = net.predict(x);      // n from x's compile-time extent;
//                                                           // a size that is not 1..Batch whole
//                                                           // samples does not compile
//   sn::Prediction<float> r = net.predict(v, n);            // run-time n: v.size() must be exactly
//   if (!r.ok()) ... to_string(r.status) ...                // n * input_size, else empty + status
//
// Firmware-clean.
#pragma once
#include <array>
#include <cstddef>
#include <span>
#include <type_traits>

namespace staticnet {

enum class PredictStatus { ok, bad_batch_size, wrong_input_size };

constexpr const char* to_string(PredictStatus s) {
    switch (s) {
        case PredictStatus::ok: return "ok";
        case PredictStatus::bad_batch_size: return "sample count n outside 1..Batch";
        case PredictStatus::wrong_input_size: return "input size is not n * input_size values";
    }
    return "?";
}

// The result of predict(x, n) / forward_each: a span over the n * output_size outputs (valid
// until the next call) when status is ok; an empty span otherwise (nothing ran). It is a
// std::span<const T>, so it indexes, iterates and converts like one.
template <class T>
struct Prediction : std::span<const T> {
    PredictStatus status = PredictStatus::ok;

    constexpr Prediction() = default;
    constexpr Prediction(std::span<const T> outputs) : std::span<const T>(outputs) {}
    constexpr Prediction(PredictStatus why) : status(why) {}
    constexpr bool ok() const { return status == PredictStatus::ok; }
};

namespace detail {

// The compile-time extent of a std::span<T, N>, std::array<T, N> or T[N] (const or not) with
// element type T; dynamic_extent for anything else.
template <class X, class T>
struct static_extent {
    static constexpr std::size_t value = std::dynamic_extent;
};
template <class U, std::size_t N, class T>
    requires(N != std::dynamic_extent && std::is_same_v<std::remove_const_t<U>, T>)
struct static_extent<std::span<U, N>, T> {
    static constexpr std::size_t value = N;
};
template <class U, std::size_t N, class T>
    requires std::is_same_v<U, T>
struct static_extent<std::array<U, N>, T> {
    static constexpr std::size_t value = N;
};
template <class U, std::size_t N, class T>
    requires std::is_same_v<U, T>
struct static_extent<U[N], T> {
    static constexpr std::size_t value = N;
};
template <class X, class T>
concept statically_sized = static_extent<std::remove_cvref_t<X>, T>::value != std::dynamic_extent;

// The template arguments name x's extent, the values per sample and the batch size.
template <std::size_t values, std::size_t input_size, int batch>
struct predict_input_check {
    static constexpr bool ok = values % input_size == 0 && values >= input_size &&
                               values / input_size <= static_cast<std::size_t>(batch);
    static_assert(ok,
                  "staticnet: predict(x): x must hold 1..Batch whole samples of input_size values each (x's "
                  "compile-time size, input_size and Batch are the template arguments of predict_input_check); "
                  "pass exactly n * input_size values");
};

// Derived provides `Prediction<T> run_prediction(std::span<const T> x, int n, Each& each)`.
template <class Derived, class Net, int Batch, class T>
class PredictApi {
    // (Not named input_size / output_size: Inference and Model have those, and a second base
    // with the same names would make them ambiguous.)
    static constexpr std::size_t in_ = Net::input_shape.size();
    static constexpr std::size_t out_ = Net::output_shape.size();

public:
    // n = x's compile-time size / input_size samples; the outputs have a compile-time size too.
    template <statically_sized<T> X>
    auto predict(const X& x) {
        constexpr std::size_t values = static_extent<std::remove_cvref_t<X>, T>::value;
        if constexpr (!predict_input_check<values, in_, Batch>::ok) {
            return std::span<const T, 0>{};
        } else {
            constexpr int n = static_cast<int>(values / in_);
            const Prediction<T> y = predict(std::span<const T>(std::data(x), values), n);
            return std::span<const T, n * out_>(y.data(), n * out_);
        }
    }
    // x's compile-time size must be 1..Batch whole samples, and n the number of them.
    template <statically_sized<T> X>
    Prediction<T> predict(const X& x, int n) {
        constexpr std::size_t values = static_extent<std::remove_cvref_t<X>, T>::value;
        if constexpr (!predict_input_check<values, in_, Batch>::ok)
            return Prediction<T>(PredictStatus::wrong_input_size);
        else
            return predict(std::span<const T>(std::data(x), values), n);
    }
    // n in 1..Batch and x.size() == n * input_size, else an empty result with the status.
    Prediction<T> predict(std::span<const T> x, int n) {
        return forward_each(x, n, [](int, const T*) {});
    }
    // As predict, calling each(position, output pointer) after every layer: that layer's
    // output is n * Net::shapes[position].size() values, valid only during the call.
    template <class Each>
    Prediction<T> forward_each(std::span<const T> x, int n, Each&& each) {
        if (n < 1 || n > Batch) return Prediction<T>(PredictStatus::bad_batch_size);
        if (x.size() != static_cast<std::size_t>(n) * in_) return Prediction<T>(PredictStatus::wrong_input_size);
        return static_cast<Derived&>(*this).run_prediction(x, n, each);
    }
};

}  // namespace detail

}  // namespace staticnet
