// SparseCategoricalCrossentropy on softmax outputs, as tf.keras computes it: per sample
// -log(clip(p[y], 1e-7, 1 - 1e-7)), averaged over the batch. Its gradient with respect to the
// softmax's logits is fused: (p - onehot(y)) / n, zero for a sample whose p[y] was clipped
// (the clip passes gradient only inside [1e-7, 1 - 1e-7]).
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace staticnet {

struct LossResult {
    double loss = 0;   // mean over the batch
    int correct = 0;   // samples whose argmax equals the label
};

struct SparseCategoricalCrossentropy {
    static constexpr double epsilon = 1e-7;

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
            const bool clipped = !(py >= epsilon && py <= 1.0 - epsilon);
            const double pc = py < epsilon ? epsilon : (py > 1.0 - epsilon ? 1.0 - epsilon : py);
            sum += -std::log(pc);
            if (grad) {
                T* g = grad + static_cast<std::size_t>(s) * classes;
                for (int j = 0; j < classes; ++j)
                    g[j] = clipped ? T(0) : (p[j] - (j == y ? T(1) : T(0))) * inv_n;
            }
        }
        r.loss = n > 0 ? sum / n : 0.0;
        return r;
    }
};

}  // namespace staticnet
