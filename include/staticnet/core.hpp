// staticnet core: the firmware-clean part of the library. Shapes, layers, Sequential with its
// compile-time plans, reference kernels, Inference (predict) and Model (the training step).
// Standard headers only; no exceptions, RTTI, iostream or heap.
#pragma once

#include "core/rng.hpp"
#include "core/shape.hpp"
#include "graph/inference.hpp"
#include "graph/inference_form.hpp"
#include "graph/memory_plan.hpp"
#include "graph/model_parameters.hpp"
#include "graph/sequential.hpp"
#include "graph/source.hpp"
#include "layers/activation.hpp"
#include "layers/affine.hpp"
#include "layers/average_pooling2d.hpp"
#include "layers/batch_normalization.hpp"
#include "layers/conv2d.hpp"
#include "layers/dense.hpp"
#include "layers/dropout.hpp"
#include "layers/flatten.hpp"
#include "layers/global_average_pooling2d.hpp"
#include "layers/input.hpp"
#include "layers/max_pool2d.hpp"
#include "train/gradient_check.hpp"
#include "train/losses.hpp"
#include "train/model.hpp"
#include "train/optimizers.hpp"
