// staticnet_bench: the Nin seed network (one network per translation unit: compile time).
#include "network_bench.hpp"

namespace bench {

std::string run_network_nin(const Options& o, const Pool& pool, int threads) {
    return run_network<staticnet::examples::Nin>("nin", o, pool, threads);
}

std::string denormals_nin(const Options& o, const Pool& mnist, const Pool& noise_fixed, const Pool& noise_cycled) {
    return denormal_probe<staticnet::examples::Nin>("nin", o, mnist, noise_fixed, noise_cycled);
}

}  // namespace bench
