// Compiles only if the installed headers are found and staticnet::staticnet carries C++20.
#include <staticnet/core.hpp>

static_assert(__cplusplus >= 202002L, "staticnet::staticnet must bring C++20 to its users");

int main() { return 0; }
