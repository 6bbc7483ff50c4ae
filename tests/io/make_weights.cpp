// io_make_weights NETWORK SEED FILE: a weights.bin for a seed network with every parameter
// random (BN gamma/beta/moving statistics and biases too, not their identity initial values),
// so a generated header that loses or reorders any tensor changes the predictions.
#include <cstdlib>
#include <iostream>
#include <string>

#include <staticnet/staticnet.hpp>

#include "examples/seed_networks.hpp"

namespace sn = staticnet;

template <class Net>
int make(std::uint64_t seed, const char* file) {
    static sn::Inference<Net, 1, float> model;
    model.initialize(seed);
    auto p = model.parameters();
    sn::Rng rng(seed ^ 0x5eedu);
    for (int pos = 1; pos < Net::depth; ++pos)
        for (int k = 0; k < Net::param_specs[pos].count; ++k) {
            const auto& spec = Net::param_specs[pos].items[k];
            if (spec.init == sn::Init::glorot_uniform) continue;  // kernels: already random
            const auto& slot = Net::param_slots[pos][k];
            const bool variance = std::string(spec.name) == "moving_variance";
            for (std::size_t i = 0; i < slot.size; ++i) {
                const float u = static_cast<float>(rng.uniform());  // [0, 1)
                p[slot.offset + i] = variance ? 0.5f + u : (spec.init == sn::Init::ones ? 0.5f + u : u - 0.5f);
            }
        }
    sn::io::save_weights<float>(model.parameters(), file);
    return 0;
}

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: io_make_weights deep|bn|nin SEED FILE\n";
        return 2;
    }
    const std::string net = argv[1];
    const auto seed = std::strtoull(argv[2], nullptr, 10);
    if (net == "deep") return make<sn::examples::Deep>(seed, argv[3]);
    if (net == "bn") return make<sn::examples::Bn>(seed, argv[3]);
    if (net == "nin") return make<sn::examples::Nin>(seed, argv[3]);
    std::cerr << "io_make_weights: unknown network " << net << '\n';
    return 2;
}
