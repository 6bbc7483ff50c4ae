// tools/train's zoo networks with branches (examples/zoo.hpp), in a translation unit of their own.
#include "examples/train_tool.hpp"

namespace staticnet::train_tool {
namespace zoo = examples::zoo;
template Result run_network<zoo::Inception>(const std::string&, const Options&, const sn::data::Dataset*,
                                            const sn::data::Dataset*);
template Result run_network<zoo::ResNet>(const std::string&, const Options&, const sn::data::Dataset*,
                                         const sn::data::Dataset*);
}  // namespace staticnet::train_tool
