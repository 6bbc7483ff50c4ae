// Positive control for model_over_static_memory_limit.cpp: the same Model compiles once the
// limit is raised (here before the first include; usually -DSTATICNET_MAX_STATIC_BYTES=<bytes>).
// Only compiled (-fsyntax-only), never linked or run.
// expect-success
#define STATICNET_MAX_STATIC_BYTES (1ull << 40)
#include <staticnet/core.hpp>

#include <cstddef>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<4096, 4096, 64>,
    sn::Conv2D<{.filters = 32, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>,
    sn::MaxPool2D<{.pool = {4, 4}}>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

using M = sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, 64>;
static_assert(M::fits_limit && M::total_bytes > (std::size_t{1} << 32) && M::total_bytes <= (std::size_t{1} << 40));
static_assert(sizeof(M) >= M::total_bytes);
static M model;  // (no training step here: the kernels for a 4096 x 4096 layer take a minute to instantiate)

int main() { return static_cast<int>(model.parameters().size() % 7); }
