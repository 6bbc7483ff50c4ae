// The main job (tools/train): the Keras original in C++. For each seed network: the summary,
// 5 epochs of fit on MNIST (raw pixels, batch 64, validation_split 0.1, Adam), test loss and
// accuracy, and in out/<network>/ the history (CSV, JSON), the weights and gnuplot plots;
// then out/comparison.png and out/results.json. With --checkpoint-dir, a checkpoint of each run
// (last.ckpt, the one before it in prev.ckpt) every --checkpoint-every batches, at every epoch's
// end and on Ctrl-C, and the best weights by val_accuracy; --resume continues from them.
#include "examples/train_tool.hpp"

using namespace staticnet::train_tool;

int main(int argc, char** argv) {
    const Options o = parse(argc, argv);
    const auto started = std::chrono::steady_clock::now();
    // A file size limit (ulimit -f) makes a write fail with "File too large", like a full disk,
    // instead of killing the process.
    std::signal(SIGXFSZ, SIG_IGN);
    try {
        sn::data::Dataset train, test;
        const std::vector<std::string> networks = selected_networks(o.network);
        if (!o.summary_only) {
            if (o.data.empty()) bad_option("--data DIR is required (tools/train passes the MNIST cache)");
            std::error_code ec;
            if (!fs::exists(o.data, ec)) throw std::runtime_error(o.data + ": no such data folder (--data)");
            if (!fs::is_directory(o.data, ec)) throw std::runtime_error(o.data + ": not a folder (--data wants the folder of the IDX files)");
            if (!o.untrained) train = sn::data::load_idx_dataset(o.data, "train");
            test = sn::data::load_idx_dataset(o.data, "t10k");
            for (const auto* d : {&train, &test}) {
                constexpr sn::Shape in = sn::examples::Nin::input_shape;  // every network takes 28x28x1
                if (d->size() > 0 && (d->images.rows != in.h || d->images.cols != in.w))
                    throw std::runtime_error(o.data + ": the " + (d == &train ? "train" : "t10k") + " images are " +
                                             std::to_string(d->images.rows) + "x" + std::to_string(d->images.cols) +
                                             " pixels, the networks take " + std::to_string(in.h) + "x" +
                                             std::to_string(in.w));
            }
            truncate(train, o.train_samples);
            truncate(test, o.test_samples);
            // Every folder this run writes, checked before any training (nothing is lost to a
            // typo or a read-only folder), and no earlier run's checkpoints overwritten unasked.
            check_output_folder(o.out, "output folder");
            for (const std::string& name : networks) {
                check_output_folder(fs::path(o.out) / name, "output folder");
                if (o.checkpoint_dir.empty() || o.untrained) continue;
                const fs::path cdir = fs::path(o.checkpoint_dir) / name;
                check_output_folder(cdir, "checkpoint folder");
                for (const char* f : {"last.ckpt", "prev.ckpt"})
                    if (!o.resume && fs::exists(cdir / f))
                        throw std::runtime_error(
                            (cdir / f).string() + ": a checkpoint of an earlier run; continue it with --resume, or "
                            "remove it (or choose another --checkpoint-dir) to start again; nothing was changed");
            }
        }
        std::vector<Result> results;
        for (const std::string& name : networks) {
            // Deep, Bn and Nin are instantiated here, the others in train_zoo*.cpp (extern).
            sn::examples::zoo::for_each([&]<class Net>(const char* n) {
                if (name == n) results.push_back(run_network<Net>(name, o, &train, &test));
            });
        }
        if (o.summary_only) return 0;
        write_results_and_comparison(o.out);
        if (o.network == "zoo") write_zoo_report(o.out, results, o);
        std::cout << "\nnetwork     params   test accuracy  test loss  s/epoch  samples/s\n";
        int status = 0;
        for (const auto& r : results) {
            std::printf("%-10s %7zu  %13.2f%%  %9.4f  %7.1f  %9.0f\n", r.name.c_str(), r.params, r.test_accuracy * 100,
                        r.test_loss, r.seconds_per_epoch, r.samples_per_second);
            if (r.test_accuracy < o.min_accuracy) status = 3;
        }
        std::cout << "Results: " << (fs::path(o.out) / "results.json").string() << '\n';
        if (o.network == "zoo") std::cout << "Zoo report: " << (fs::path(o.out) / "zoo.md").string() << '\n';
        std::printf("Total wall time: %.1f s\n",
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        if (status) std::cerr << "staticnet_train: a test accuracy is below --min-accuracy " << o.min_accuracy << '\n';
        return status;
    } catch (const sn::TrainingDiverged& e) {
        std::cerr << "staticnet_train: " << e.what() << "; the weights of the last finished epoch are in "
                  << o.out << "/<network>/weights.bin\n";
        return 4;
    } catch (const std::exception& e) {
        std::cerr << "staticnet_train: " << e.what() << '\n';
        return 1;
    }
}
