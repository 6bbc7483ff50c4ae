// tools/train's zoo networks (examples/zoo.hpp), instantiated apart from train.cpp so that the
// compiler works on them in parallel with the seed networks.
#include "examples/train_tool.hpp"

namespace staticnet::train_tool {
namespace zoo = examples::zoo;
template Result run_network<zoo::LeNet5>(const std::string&, const Options&, const sn::data::Dataset*,
                                         const sn::data::Dataset*);
template Result run_network<zoo::NinGap>(const std::string&, const Options&, const sn::data::Dataset*,
                                         const sn::data::Dataset*);
template Result run_network<zoo::Tiny>(const std::string&, const Options&, const sn::data::Dataset*,
                                       const sn::data::Dataset*);
template Result run_network<zoo::MobileNet>(const std::string&, const Options&, const sn::data::Dataset*,
                                            const sn::data::Dataset*);
template Result run_network<zoo::Vgg>(const std::string&, const Options&, const sn::data::Dataset*,
                                      const sn::data::Dataset*);
}  // namespace staticnet::train_tool
