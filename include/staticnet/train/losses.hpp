// SparseCategoricalCrossentropy on softmax outputs, fused with the softmax's backward: the
// gradient is written with respect to the softmax's logits.
//
// Two behaviours, both taken from tf.keras (keras/backend.py, TF 2.0-2.x):
//  - fit (the default): when the model's output is a Softmax op, which it is in fit()'s graph,
//    Keras does not use the probabilities: it takes the Softmax's input (the logits) and
//    computes the cross-entropy from them ("to prevent collapsing zero when training",
//    b/117284466). Loss -log softmax(z)[y], gradient (p - onehot(y)) / n for every sample.
//    This is what trained the seed's networks. We hold p rather than z, so the loss value is
//    -log(p[y]) with p[y] floored at the smallest normal value of T (a loss of ~87 in float):
//    it differs from Keras only where p[y] underflows.
//  - clipped: the formula Keras applies to plain probabilities (eager tensors, or an output
//    that is not a Softmax op): -log(clip(p[y], 1e-7, 1 - 1e-7)), with the gradient through
//    the clip: zero for a sample whose p[y] is outside [1e-7, 1 - 1e-7] (bounds pass).
// Both average over the n samples of the batch (a partial batch over its own size).
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace staticnet {

struct LossResult {
    double loss = 0;   // mean over the batch
    int correct = 0;   // samples whose argmax equals the label
};

struct SparseCategoricalCrossentropyOptions {
    bool clip_probabilities = false;  // false: Keras fit's logits path; true: the clipped formula
};

template <SparseCategoricalCrossentropyOptions O = SparseCategoricalCrossentropyOptions{}>
struct SparseCategoricalCrossentropyLoss {
    static constexpr SparseCategoricalCrossentropyOptions options = O;
    static constexpr double epsilon = 1e-7;  // Keras's backend epsilon(), used by the clip

    // probs: n rows of `classes`; labels in [0, classes) (the caller validates). Writes
    // dL/dlogits into grad when it is not null.
    template <class T>
    static LossResult evaluate(const T* probs, const std::int32_t* labels, int n, int classes, T* grad) {
        LossResult r;
        double sum = 0;
        const T inv_n = T(1) / static_cast<T>(n);
        for (int s = 0; s < n; ++s) {
            const T* p = probs + static_cast<std::size_t>(s) * classes;
            const int y = labels[s];
            int best = 0;
            for (int j = 1; j < classes; ++j)
                if (p[j] > p[best]) best = j;
            r.correct += best == y ? 1 : 0;
            const double py = static_cast<double>(p[y]);
            bool zero_gradient = false;
            if constexpr (O.clip_probabilities) {
                zero_gradient = !(py >= epsilon && py <= 1.0 - epsilon);
                sum += -std::log(py < epsilon ? epsilon : (py > 1.0 - epsilon ? 1.0 - epsilon : py));
            } else {
                constexpr double floor = static_cast<double>(std::numeric_limits<T>::min());
                // NaN stays NaN (so a diverging run is caught); only underflow is floored.
                sum += -std::log(py < floor ? floor : py);
            }
            if (grad) {
                T* g = grad + static_cast<std::size_t>(s) * classes;
                for (int j = 0; j < classes; ++j)
                    g[j] = zero_gradient ? T(0) : (p[j] - (j == y ? T(1) : T(0))) * inv_n;
            }
        }
        r.loss = n > 0 ? sum / n : 0.0;
        return r;
    }
};

// What tf.keras's fit() computes for a softmax output (see above).
using SparseCategoricalCrossentropy = SparseCategoricalCrossentropyLoss<>;
// The clipped-probability formula of keras-semantics.md, gradient through the clip.
using ClippedSparseCategoricalCrossentropy = SparseCategoricalCrossentropyLoss<SparseCategoricalCrossentropyOptions{.clip_probabilities = true}>;

}  // namespace staticnet
