// ParameterName<Net>: the name argument of Model/Inference::parameter(p, name) and
// Model::gradient(p, name). Built from a string literal by a consteval constructor, which
// accepts only a tensor name that a layer uses (the built-in layers' "kernel", "bias", "gamma",
// "beta", "moving_mean", "moving_variance", "scale", "shift", "depthwise_kernel",
// "pointwise_kernel", or any name a layer of Net gives its tensors): a misspelled literal such as
// "kernal" does not compile. Names known only at run time go through find_parameter /
// find_gradient instead. Firmware-clean.
#pragma once
#include <cstddef>
#include <string_view>

namespace staticnet {

namespace detail {

// Never defined and not constexpr: calling it in the consteval constructor makes the compiler
// stop with this name in its error line.
void unknown_parameter_name__check_the_spelling__names_are_kernel_bias_gamma_beta_moving_mean_moving_variance_scale_shift();

inline constexpr std::string_view builtin_parameter_names[] = {
    "kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance", "scale", "shift",
    "depthwise_kernel", "pointwise_kernel"};

template <class Net>
consteval bool known_parameter_name(std::string_view name) {
    for (std::string_view known : builtin_parameter_names)
        if (name == known) return true;
    for (const auto& specs : Net::param_specs)
        for (int k = 0; k < specs.count; ++k)
            if (name == std::string_view(specs.items[k].name)) return true;
    return false;
}

}  // namespace detail

template <class Net>
class ParameterName {
public:
    template <std::size_t N>
    consteval ParameterName(const char (&name)[N]) : text_(name, N > 0 ? N - 1 : 0) {
        if (!detail::known_parameter_name<Net>(text_))
            detail::unknown_parameter_name__check_the_spelling__names_are_kernel_bias_gamma_beta_moving_mean_moving_variance_scale_shift();
    }
    constexpr std::string_view text() const { return text_; }

private:
    std::string_view text_;
};

}  // namespace staticnet
