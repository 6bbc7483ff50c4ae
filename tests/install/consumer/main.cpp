// A user's program against the installed package: a network type, its compile-time counts,
// a prediction; the desktop variant also prints the Keras summary.
#ifdef CONSUMER_DESKTOP
#include <sstream>
#include <staticnet/staticnet.hpp>
#else
#include <staticnet/core.hpp>
#endif

static_assert(__cplusplus >= 202002L, "staticnet must bring C++20 to its users");

namespace sn = staticnet;
using Net = sn::Sequential<sn::Input<6, 6, 1>,
                           sn::Conv2D<{.filters = 2, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>,
                           sn::MaxPool2D<{.pool = {2, 2}}>, sn::Flatten, sn::Dense<{.units = 3, .activation = sn::softmax}>>;
static_assert(Net::params.total == (9 * 2 + 2) + (18 * 3 + 3));

static sn::Inference<Net, 1> net;

int main() {
    net.initialize(1);
    float x[36];
    for (int i = 0; i < 36; ++i) x[i] = static_cast<float>(i);
    const auto p = net.predict(x, 1);
    const float sum = p[0] + p[1] + p[2];
    if (sum < 0.999f || sum > 1.001f) return 1;
#ifdef CONSUMER_DESKTOP
    std::ostringstream s;
    net.summary(s);
    if (s.str().find("Total params: 77") == std::string::npos) return 2;
#endif
    return 0;
}
