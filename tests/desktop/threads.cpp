// Training on several threads gives the same bits as on one: the gradient sums over samples
// are formed per fixed sample group and added in group order, whoever computes them.
#include <doctest/doctest.h>

#include <cstring>
#include <ostream>
#include <staticnet/staticnet.hpp>
#include <streambuf>
#include <vector>

#include "desktop/synthetic.hpp"
#include "examples/seed_networks.hpp"

namespace {

namespace sn = staticnet;

struct NullBuffer : std::streambuf {
    int overflow(int c) override { return c; }
    std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

struct Run {
    std::vector<float> params;
    sn::History history;
};

// One epoch of fit (shuffled, validation split, a partial last batch) on `threads` threads.
template <class M>
Run train(M& model, const sn::data::Dataset& d, int threads, std::uint64_t shuffle_seed = 3) {
    model.initialize(7);
    NullBuffer nb;
    std::ostream null_out(&nb);
    sn::FitOptions o;
    o.epochs = 1;
    o.validation_split = 0.1;
    o.seed = shuffle_seed;
    o.threads = threads;
    o.out = &null_out;
    o.verbose = sn::Verbosity::silent;
    Run r;
    r.history = sn::fit(model, d, o);
    r.params.assign(model.parameters().begin(), model.parameters().end());
    return r;
}

template <class Net>
void check_threads_identical(const char* name) {
    CAPTURE(name);
    // 300 samples: 270 to train = 4 full batches of 64 and one of 14, 30 to validate.
    const auto d = sn::test::quadrant_dataset_28(300, 5);
    static sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, 64> model;
    const Run one = train(model, d, 1);
    CHECK(model.step() == 5);
    for (int threads : {2, 3}) {
        CAPTURE(threads);
        const Run many = train(model, d, threads);
        REQUIRE(many.params.size() == one.params.size());
        // Bit for bit, BN moving statistics included.
        CHECK(std::memcmp(many.params.data(), one.params.data(), one.params.size() * sizeof(float)) == 0);
        CHECK(many.history.loss == one.history.loss);
        CHECK(many.history.val_loss == one.history.val_loss);
        CHECK(many.history.val_accuracy == one.history.val_accuracy);
    }
    // Control: a different shuffle changes the weights, so the comparison can fail.
    const Run other = train(model, d, 2, /*shuffle_seed=*/4);
    CHECK(std::memcmp(other.params.data(), one.params.data(), one.params.size() * sizeof(float)) != 0);
}

}  // namespace

TEST_CASE("1, 2 and 3 threads train the Bn network (BatchNormalization, Dropout) to identical weights") {
    check_threads_identical<sn::examples::Bn>("bn");
}

TEST_CASE("1, 2 and 3 threads train the Nin network (1x1 convolutions) to identical weights") {
    check_threads_identical<sn::examples::Nin>("nin");
}

TEST_CASE("threads = 1 starts no thread; ThreadPool runs every item exactly once") {
    sn::ThreadPool one(1);
    CHECK(one.threads() == 1);
    sn::ThreadPool pool(2);
    sn::Parallel par(pool.executor());
    CHECK(par.threads() == 2);
    std::vector<int> hits(1000, 0);
    for (int round = 0; round < 50; ++round) par.for_each(1000, [&](int i) { ++hits[static_cast<std::size_t>(i)]; });
    for (int h : hits) CHECK(h == 50);
    CHECK_THROWS_AS(sn::ThreadPool(0), std::invalid_argument);
}

TEST_CASE("a pool used right after it is made runs the items (workers not yet started)") {
    // The first run may be published before a worker thread has started at all.
    for (int round = 0; round < 200; ++round) {
        sn::ThreadPool pool(3);
        sn::Parallel par(pool.executor());
        std::vector<int> hits(7, 0);
        par.for_each(7, [&](int i) { ++hits[static_cast<std::size_t>(i)]; });
        for (int h : hits) REQUIRE(h == 1);
    }
}
