// Included by every case after it defines `Net`: uses the network the way a program does (an
// Inference, a Model and a training step), so a case also shows any error that only appears
// when the network is instantiated, and the max-errors checks see the whole picture.
#pragma once
#include <cstdint>
#include <staticnet/core.hpp>

static staticnet::Inference<Net, 4> inference;
static staticnet::Model<Net, staticnet::Adam<>, staticnet::SparseCategoricalCrossentropy, 4> model;

int main() {
    static float x[4 * Net::input_shape.size()] = {};
    static std::int32_t labels[4] = {};
    model.initialize(1);
    const auto trained = model.train_step(x, labels, 4);
    return trained.correct + static_cast<int>(inference.predict(x, 4).size());
}
