// staticnet: a convolutional network is one C++ type. This header is the core plus the
// desktop layer (summary printing, IDX datasets, fit/evaluate with progress, weight files).
// Firmware builds include <staticnet/core.hpp> only.
#pragma once

#include "core.hpp"
#include "data/idx.hpp"
#include "desktop/callbacks.hpp"
#include "desktop/checkpoint.hpp"
#include "desktop/fit.hpp"
#include "desktop/progress.hpp"
#include "desktop/storage.hpp"
#include "desktop/summary.hpp"
#include "desktop/xtensor.hpp"
#include "io/weights.hpp"
