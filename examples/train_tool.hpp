// The pieces of the main job (tools/train, examples/train.cpp): options, output files, plots
// and run_network<Net>, which trains one network. A header so that the zoo networks can be
// instantiated in translation units of their own (train_zoo.cpp): one TU per few networks keeps
// the build parallel and each compile short.
#pragma once
#include <staticnet/staticnet.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <iostream>
#include <sstream>
#include <optional>
#include <string>
#include <vector>

#include "examples/seed_networks.hpp"
#include "examples/zoo.hpp"

namespace staticnet::train_tool {

namespace sn = staticnet;
namespace fs = std::filesystem;


constexpr int kBatchCapacity = 64;  // compile-time batch of the models; --batch may be smaller

struct Options {
    std::string network = "all";
    int epochs = 5;
    int batch = 64;
    std::uint64_t seed = 1;
    std::string data;
    bool normalize = false;
    std::string out = "out";
    double validation_split = 0.1;
    long train_samples = 0;  // 0: all
    long test_samples = 0;
    bool summary_only = false;
    bool untrained = false;
    double min_accuracy = 0;  // exit non-zero if a network's test accuracy ends below this
    int threads = 0;          // 0: the machine's cores
    std::string checkpoint_dir;  // empty: no checkpoints
    long checkpoint_every = 100;  // batches between checkpoints (and at every epoch's end)
    bool resume = false;
    float lr = 0;             // 0: Adam's 0.001 (the optimizer's compile-time rate)
    std::string lr_schedule;  // empty: constant; see --help
};

// Set by SIGINT (Ctrl-C) while checkpoints are on: training stops after the current step.
inline volatile std::sig_atomic_t interrupted = 0;
extern "C" inline void on_sigint(int) { interrupted = 1; }

// Crash-test hook (tests/end_to_end/kill_resume.sh): STATICNET_TRAIN_KILL="STEP:WHERE" kills this
// process with SIGKILL at optimizer step STEP (model.step() after the update), WHERE being
// after-step (before that step's checkpoint, if any), in-checkpoint (the new file written and
// synced, not yet renamed over last.ckpt) or after-checkpoint; WHERE = sigint sends SIGINT
// (Ctrl-C) instead, right after that step.
struct KillPoint {
    std::uint64_t step = 0;  // 0: none
    std::string where;
};
inline KillPoint kill_point() {
    KillPoint k;
    const char* v = std::getenv("STATICNET_TRAIN_KILL");
    if (!v) return k;
    const std::string s = v;
    const auto colon = s.find(':');
    k.step = std::strtoull(s.substr(0, colon).c_str(), nullptr, 10);
    k.where = colon == std::string::npos ? "after-step" : s.substr(colon + 1);
    if (k.step == 0 ||
        (k.where != "after-step" && k.where != "in-checkpoint" && k.where != "after-checkpoint" && k.where != "sigint")) {
        std::cerr << "staticnet_train: STATICNET_TRAIN_KILL must be STEP:after-step|in-checkpoint|after-checkpoint|sigint\n";
        std::exit(2);
    }
    return k;
}
inline bool kill_armed = false;  // in-checkpoint at the right step
inline void kill_if_armed() {
    if (kill_armed) std::raise(SIGKILL);
}

// The checkpoint rotation, done by save_checkpoint's before_rename hook once the new file is
// written and synced: last.ckpt -> prev.ckpt, then the new file becomes last.ckpt. So a write
// that fails (a full disk) leaves both checkpoints as they were.
inline fs::path rotate_from, rotate_to;  // empty from: nothing to keep as prev.ckpt
inline void rotate_checkpoints() {
    if (!rotate_from.empty()) fs::rename(rotate_from, rotate_to);
    kill_if_armed();
}

// The zoo's network names joined by sep (examples/zoo.hpp is the one list); wrapped lines after
// `width` characters start with `indent`.
inline std::string network_names(const std::string& sep, std::size_t width = 0, const std::string& indent = "") {
    std::string all, line;
    for (const char* n : examples::zoo::names) {
        std::string item = line.empty() ? std::string(n) : sep + n;
        if (width && !line.empty() && line.size() + item.size() + sep.size() > width) {
            std::string end = line + sep;
            end.erase(end.find_last_not_of(' ') + 1);  // no trailing blank before the line break
            all += end + "\n" + indent;
            line = n;
        } else {
            line += item;
        }
    }
    return all + line;
}

inline void usage(std::ostream& os) {
    const std::string indent(24, ' ');
    os << "usage: staticnet_train [options]   (tools/train sets up, builds and runs this)\n"
          "Trains the three networks of the Keras original (or the zoo) on MNIST and writes results.\n\n"
          "  --network NAME        all (default: the three seed networks deep, bn, nin), zoo (every\n"
          "                        network of examples/zoo.hpp, then the zoo report), or one name:\n"
       << indent << network_names(" | ", 88 - indent.size(), indent) << "\n"
          "  --epochs N            epochs (default 5)\n"
          "  --batch N             batch size, 1.." << kBatchCapacity << " (default 64)\n"
          "  --seed N              seed for weights, dropout and shuffling (default 1)\n"
          "  --data DIR            IDX dataset folder: train-/t10k- images and labels, plain or .gz\n"
          "                        (tools/train passes the MNIST cache; Fashion-MNIST works too)\n"
          "  --normalize           scale pixels to 0..1 (default off: raw 0..255, as the original)\n"
          "  --out DIR             output folder (default out; tools/train: <repository>/out)\n"
          "  --validation-split F  last fraction of the training set for validation (default 0.1)\n"
          "  --train-samples N     use only the first N training images (default all)\n"
          "  --test-samples N      evaluate on the first N test images (default all)\n"
          "  --min-accuracy F      exit with status 3 if a test accuracy ends below F (for CI)\n"
          "  --threads N           threads for training and evaluation (default 0: all cores);\n"
          "                        the trained weights are bit-identical for any N\n"
          "  --checkpoint-dir DIR  write DIR/<network>/last.ckpt (the previous one kept as prev.ckpt)\n"
          "                        every --checkpoint-every batches, after every epoch and on Ctrl-C\n"
          "                        (which then stops after the current step), and\n"
          "                        DIR/<network>/best.weights.bin whenever val_accuracy improves;\n"
          "                        a DIR holding an earlier run's checkpoints needs --resume\n"
          "  --checkpoint-every N  batches between checkpoints (default 100)\n"
          "  --resume              continue each network from DIR/<network>/last.ckpt (or prev.ckpt\n"
          "                        when last.ckpt is damaged), bit for bit; from the start when\n"
          "                        there is no checkpoint yet; needs --checkpoint-dir\n"
          "  --lr F                Adam's learning rate (default 0.001, Keras's)\n"
          "  --lr-schedule SPEC    change it while training (Keras's schedules and callbacks):\n"
          "                          exponential:STEPS:RATE  lr * RATE^(step/STEPS), every step\n"
          "                          step:EPOCHS:DROP        lr * DROP^floor(epoch/EPOCHS), per epoch\n"
          "                          plateau:PATIENCE:FACTOR ReduceLROnPlateau on val_loss\n"
          "                        the rates are in the history (lr) and in checkpoints\n"
          "  --summary             print the summaries and memory plans, then stop\n"
          "  --untrained           no training: predict the test set with freshly initialised weights\n"
          "  --help                this text\n";
}

[[noreturn]] inline void bad_option(const std::string& msg) {
    std::cerr << "staticnet_train: " << msg << " (see --help)\n";
    std::exit(2);
}

template <class V>
V parse_number(const std::string& opt, const std::string& text) {
    V v{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) bad_option(opt + " needs a number, got '" + text + "'");
    return v;
}

// --lr-schedule KIND:A:B.
struct ScheduleSpec {
    std::string kind;  // exponential | step | plateau
    double a = 0, b = 0;
};
inline ScheduleSpec parse_schedule(const std::string& spec) {
    ScheduleSpec s;
    const auto c1 = spec.find(':'), c2 = c1 == std::string::npos ? c1 : spec.find(':', c1 + 1);
    if (c2 == std::string::npos || spec.find(':', c2 + 1) != std::string::npos)
        bad_option("--lr-schedule must be exponential:STEPS:RATE, step:EPOCHS:DROP or plateau:PATIENCE:FACTOR, not '" +
                   spec + "'");
    s.kind = spec.substr(0, c1);
    s.a = parse_number<double>("--lr-schedule", spec.substr(c1 + 1, c2 - c1 - 1));
    s.b = parse_number<double>("--lr-schedule", spec.substr(c2 + 1));
    const bool whole = s.a >= 1 && s.a == static_cast<double>(static_cast<long>(s.a));
    if (s.kind == "exponential") {
        if (!whole || !(s.b > 0 && s.b <= 1)) bad_option("--lr-schedule exponential:STEPS:RATE needs STEPS >= 1 and RATE in (0, 1]");
    } else if (s.kind == "step") {
        if (!whole || !(s.b > 0 && s.b <= 1)) bad_option("--lr-schedule step:EPOCHS:DROP needs EPOCHS >= 1 and DROP in (0, 1]");
    } else if (s.kind == "plateau") {
        if (!(s.a >= 0 && s.a == static_cast<double>(static_cast<long>(s.a))) || !(s.b > 0 && s.b < 1))
            bad_option("--lr-schedule plateau:PATIENCE:FACTOR needs PATIENCE >= 0 and FACTOR in (0, 1)");
    } else {
        bad_option("--lr-schedule kind must be exponential, step or plateau, not '" + s.kind + "'");
    }
    return s;
}

// The schedule of --lr-schedule as one fit callback (whichever kind was asked for).
template <class M>
struct Schedule {
    std::optional<sn::ExponentialDecay<M>> exponential;
    std::optional<sn::LearningRateScheduler<M>> step;
    std::optional<sn::ReduceLROnPlateau<M>> plateau;
    Schedule(M& model, const std::string& spec, float initial) {
        if (spec.empty()) return;
        const ScheduleSpec s = parse_schedule(spec);
        if (s.kind == "exponential")
            exponential.emplace(model, sn::ExponentialDecayOptions{.initial_learning_rate = initial,
                                                                   .decay_steps = static_cast<long>(s.a),
                                                                   .decay_rate = static_cast<float>(s.b)});
        else if (s.kind == "step")
            step.emplace(model, sn::StepDecay{.initial_learning_rate = initial, .drop = static_cast<float>(s.b),
                                              .every = static_cast<int>(s.a)});
        else
            plateau.emplace(model, sn::ReduceLROnPlateauOptions{.monitor = sn::Monitor::val_loss,
                                                                .factor = s.b,
                                                                .patience = static_cast<int>(s.a)});
    }
    void on_train_begin(const sn::FitProgress& p) {
        if (plateau) plateau->on_train_begin(p);
    }
    void on_epoch_begin(int e, const sn::FitProgress& p) {
        if (step) step->on_epoch_begin(e, p);
    }
    void on_batch_begin(const sn::FitProgress& p) {
        if (exponential) exponential->on_batch_begin(p);
    }
    void on_epoch_end(int e, const sn::FitProgress& p) {
        if (plateau) plateau->on_epoch_end(e, p);
    }
};

// The networks --network NAME selects, in training order (empty: an unknown name).
inline std::vector<std::string> selected_networks(const std::string& network) {
    if (network == "all") return {"deep", "bn", "nin"};
    std::vector<std::string> all(std::begin(examples::zoo::names), std::end(examples::zoo::names));
    if (network == "zoo") return all;
    for (const auto& n : all)
        if (n == network) return {n};
    return {};
}

inline Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        std::string value;
        const auto eq = a.find('=');
        if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = a.substr(eq + 1);
            a = a.substr(0, eq);
        }
        auto next = [&]() -> std::string {
            if (!value.empty()) return value;
            if (i + 1 >= argc) bad_option(a + " needs a value");
            return argv[++i];
        };
        if (a == "--help" || a == "-h") {
            usage(std::cout);
            std::exit(0);
        } else if (a == "--network") o.network = next();
        else if (a == "--epochs") o.epochs = parse_number<int>(a, next());
        else if (a == "--batch") o.batch = parse_number<int>(a, next());
        else if (a == "--seed") o.seed = parse_number<std::uint64_t>(a, next());
        else if (a == "--data") o.data = next();
        else if (a == "--normalize") o.normalize = true;
        else if (a == "--out") o.out = next();
        else if (a == "--validation-split") o.validation_split = parse_number<double>(a, next());
        else if (a == "--train-samples") o.train_samples = parse_number<long>(a, next());
        else if (a == "--test-samples") o.test_samples = parse_number<long>(a, next());
        else if (a == "--min-accuracy") o.min_accuracy = parse_number<double>(a, next());
        else if (a == "--threads") o.threads = parse_number<int>(a, next());
        else if (a == "--summary") o.summary_only = true;
        else if (a == "--checkpoint-dir") o.checkpoint_dir = next();
        else if (a == "--checkpoint-every") o.checkpoint_every = parse_number<long>(a, next());
        else if (a == "--resume") o.resume = true;
        else if (a == "--lr") o.lr = parse_number<float>(a, next());
        else if (a == "--lr-schedule") o.lr_schedule = next();
        else if (a == "--untrained") o.untrained = true;
        else bad_option("unknown option '" + a + "'");
    }
    if (selected_networks(o.network).empty())
        bad_option("--network must be all, zoo or one of " + network_names(", ") + ", not '" + o.network + "'");
    if (o.epochs < 1) bad_option("--epochs must be at least 1");
    if (o.threads < 0) bad_option("--threads must be 0 (all cores) or more");
    if (o.checkpoint_every < 1) bad_option("--checkpoint-every must be at least 1");
    if (o.resume && o.checkpoint_dir.empty()) bad_option("--resume needs --checkpoint-dir DIR (where the checkpoints are)");
    if (o.batch < 1 || o.batch > kBatchCapacity)
        bad_option("--batch must be 1.." + std::to_string(kBatchCapacity) +
                   " (the models' compile-time batch; change kBatchCapacity in examples/train.cpp for more)");
    if (!(o.validation_split >= 0 && o.validation_split < 1)) bad_option("--validation-split must be in [0, 1)");
    if (!(o.lr >= 0 && o.lr <= 1e30f)) bad_option("--lr must be a positive number");
    if (!o.lr_schedule.empty()) parse_schedule(o.lr_schedule);  // exits on a bad one
    return o;
}

// Keeps the first n samples of a dataset (n <= 0 or >= size: all).
inline void truncate(sn::data::Dataset& d, long n) {
    if (n <= 0 || n >= d.size()) return;
    d.images.count = static_cast<int>(n);
    d.images.pixels.resize(static_cast<std::size_t>(n) * d.images.rows * d.images.cols);
    d.labels.resize(static_cast<std::size_t>(n));
}

inline std::string json_array(const std::vector<double>& v) {
    std::ostringstream s;
    s.precision(6);
    s << '[';
    for (std::size_t i = 0; i < v.size(); ++i) s << (i ? ", " : "") << v[i];
    s << ']';
    return s.str();
}

// Through FILE.tmp and a rename: a failed write (a full disk) names the file and leaves the
// previous file and no temporary one.
inline void write_text(const fs::path& file, const std::string& text) {
    sn::io::write_file_atomically<std::runtime_error>(file, text.data(), text.size(),
                                                      {"", "the previous file", "the file"});
}

// Before anything is trained: the folder exists (created if needed) and takes a new file, so a
// wrong --out or --checkpoint-dir costs no training time.
inline void check_output_folder(const fs::path& dir, const std::string& what) {
    std::error_code ec;
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
        throw std::runtime_error(dir.string() + ": the " + what + " is a file, not a folder; nothing was trained");
    fs::create_directories(dir, ec);
    if (ec)
        throw std::runtime_error(dir.string() + ": cannot create the " + what + ": " + ec.message() +
                                 "; nothing was trained");
    const fs::path probe = dir / (".staticnet_train-probe." + std::to_string(::getpid()));
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        throw std::runtime_error(dir.string() + ": cannot write to the " + what + ": " + std::strerror(errno) +
                                 "; nothing was trained");
    ::close(fd);
    ::unlink(probe.c_str());
}

inline void write_history(const fs::path& dir, const sn::History& h) {
    std::ostringstream csv;
    csv << "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds\n";
    csv.precision(6);
    for (int e = 0; e < h.epochs(); ++e) {
        csv << e + 1 << ',' << h.loss[e] << ',' << h.accuracy[e] << ',';
        if (e < static_cast<int>(h.val_loss.size())) csv << h.val_loss[e] << ',' << h.val_accuracy[e];
        else csv << ',';
        csv << ',' << h.learning_rate[e] << ',' << h.seconds[e] << '\n';
    }
    write_text(dir / "history.csv", csv.str());
    write_text(dir / "history.json", "{\"loss\": " + json_array(h.loss) + ", \"accuracy\": " + json_array(h.accuracy) +
                                         ", \"val_loss\": " + json_array(h.val_loss) +
                                         ", \"val_accuracy\": " + json_array(h.val_accuracy) +
                                         ", \"lr\": " + json_array(h.learning_rate) +
                                         ", \"seconds\": " + json_array(h.seconds) + "}\n");
}

inline bool have_gnuplot() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

inline void run_gnuplot(const fs::path& script_file, const std::string& script) {
    write_text(script_file, script);
    // gnuplot's chatter (e.g. "empty y range" for a one-epoch run) goes to a log beside the plot.
    const std::string log = script_file.string() + ".log";
    const std::string cmd = "gnuplot '" + script_file.string() + "' 2>'" + log + "'";
    if (std::system(cmd.c_str()) != 0)
        std::cerr << "warning: gnuplot failed on " << script_file << " (see " << log << ")\n";
}

inline void plot_network(const fs::path& dir, const std::string& name, bool has_val, int epochs) {
    if (!have_gnuplot()) {
        std::cerr << "warning: gnuplot not found (tools/setup installs gnuplot-nox); no plots for " << name << '\n';
        return;
    }
    const std::string csv = (dir / "history.csv").string();
    std::ostringstream s;
    s << "set terminal pngcairo size 800,500 noenhanced\nset datafile separator ','\nset key top left\n"
         "set grid\nset xlabel 'epoch'\nset xtics 1\n";
    s << "set xrange [0.5:" << epochs << ".5]\n";
    s << "set output '" << (dir / "accuracy.png").string() << "'\nset title '" << name << ": accuracy'\n"
      << "set ylabel 'accuracy'\nplot '" << csv << "' every ::1 using 1:3 with linespoints lw 2 title 'training'";
    if (has_val) s << ", '' every ::1 using 1:5 with linespoints lw 2 title 'validation'";
    s << "\nset output '" << (dir / "loss.png").string() << "'\nset title '" << name << ": loss'\n"
      << "set ylabel 'loss'\nplot '" << csv << "' every ::1 using 1:2 with linespoints lw 2 title 'training'";
    if (has_val) s << ", '' every ::1 using 1:4 with linespoints lw 2 title 'validation'";
    s << '\n';
    run_gnuplot(dir / "plot.gp", s.str());
}

struct Result {
    std::string name;
    int epochs = 0;
    std::size_t params = 0;
    std::size_t macs = 0;                    // multiply-accumulates per sample
    std::size_t inference_arena_bytes = 0;   // Inference<Net, 1>
    std::size_t training_arena_bytes = 0;    // the Model at batch kBatchCapacity
    double test_accuracy = 0, test_loss = 0, seconds_per_epoch = 0, samples_per_second = 0;
    bool trained = false;
};

inline std::string result_json(const Result& r) {
    char buf[640];
    std::snprintf(buf, sizeof buf,
                  "{\"name\": \"%s\", \"epochs\": %d, \"params\": %zu, \"test_accuracy\": %.4f, \"test_loss\": %.4f, "
                  "\"seconds_per_epoch\": %.1f, \"train_samples_per_second\": %.0f, \"macs\": %zu, "
                  "\"inference_arena_bytes\": %zu, \"training_arena_bytes\": %zu}",
                  r.name.c_str(), r.epochs, r.params, r.test_accuracy, r.test_loss, r.seconds_per_epoch,
                  r.samples_per_second, r.macs, r.inference_arena_bytes, r.training_arena_bytes);
    return buf;
}

// Results of every network that has a result.json in out/ (this run's and earlier runs').
inline void write_results_and_comparison(const fs::path& out) {
    std::string joined;
    std::vector<std::string> with_history;
    for (const char* name : examples::zoo::names) {
        const fs::path r = out / name / "result.json";
        if (!fs::exists(r)) continue;
        std::ifstream in(r);
        std::string line;
        std::getline(in, line);
        joined += (joined.empty() ? "\n    " : ",\n    ") + line;
        if (fs::exists(out / name / "history.csv")) with_history.push_back(name);
    }
    write_text(out / "results.json", "{\"networks\": [" + joined + "\n]}\n");
    if (with_history.empty() || !have_gnuplot()) return;
    std::ostringstream s;
    s << "set terminal pngcairo size 800,500 noenhanced\nset datafile separator ','\nset key bottom right\n"
         "set grid\nset xlabel 'epoch'\nset xtics 1\nset ylabel 'validation accuracy'\n"
         "set title 'validation accuracy per epoch'\nset output '"
      << (out / "comparison.png").string() << "'\nplot ";
    for (std::size_t i = 0; i < with_history.size(); ++i)
        s << (i ? ", " : "") << "'" << (out / with_history[i] / "history.csv").string()
          << "' every ::1 using 1:5 with linespoints lw 2 title '" << with_history[i] << "'";
    s << '\n';
    run_gnuplot(out / "comparison.gp", s.str());
}

// The zoo report (--network zoo): out/zoo.md, a Markdown table of this run's networks, and two
// plots, test accuracy against parameters and against MACs per sample (log x axes), from
// out/zoo.csv.
inline void write_zoo_report(const fs::path& out, const std::vector<Result>& results, const Options& o) {
    std::ostringstream md, csv;
    md << "| network | params | MACs per sample | inference arena (batch 1) | training arena (batch "
       << kBatchCapacity << ") | s/epoch | test accuracy |\n|---|---:|---:|---:|---:|---:|---:|\n";
    csv << "name,params,macs,test_accuracy\n";
    for (const auto& r : results) {
        char acc[32], secs[32];
        std::snprintf(acc, sizeof acc, "%.2f%%", r.test_accuracy * 100);
        std::snprintf(secs, sizeof secs, "%.1f", r.seconds_per_epoch);
        md << "| " << r.name << " | " << sn::thousands(r.params) << " | " << sn::thousands(r.macs) << " | "
           << sn::thousands(r.inference_arena_bytes) << " B | " << sn::thousands(r.training_arena_bytes) << " B | "
           << (r.trained ? secs : "-") << " | " << acc << " |\n";
        csv << r.name << ',' << r.params << ',' << r.macs << ',' << r.test_accuracy << '\n';
    }
    // The recipe, so that the table can be reproduced from its own footer.
    md << "\nData: " << o.data << " (pixels " << (o.normalize ? "scaled to 0..1" : "raw 0..255") << "); "
       << o.epochs << (o.epochs == 1 ? " epoch" : " epochs") << " each, batch " << o.batch
       << ", validation split " << o.validation_split << ", Adam, learning rate " << (o.lr > 0 ? o.lr : 0.001f)
       << (o.lr_schedule.empty() ? std::string(" (constant)") : " with --lr-schedule " + o.lr_schedule) << ", seed "
       << o.seed << "; test accuracy on "
       << (o.test_samples > 0 ? "the first " + std::to_string(o.test_samples) + " test images" : std::string("the whole test set"))
       << (o.train_samples > 0 ? ", trained on the first " + std::to_string(o.train_samples) + " training images" : "")
       << ".\n";
    write_text(out / "zoo.md", md.str());
    write_text(out / "zoo.csv", csv.str());
    if (!have_gnuplot()) {
        std::cerr << "warning: gnuplot not found (tools/setup installs gnuplot-nox); no zoo plots\n";
        return;
    }
    std::ostringstream s;
    s << "set terminal pngcairo size 800,500 noenhanced\nset datafile separator ','\nset grid\nset logscale x\n"
         "set key off\nset ylabel 'test accuracy'\nset offsets graph 0.05, graph 0.15, graph 0.05, graph 0.05\n";
    const std::string file = (out / "zoo.csv").string();
    s << "set output '" << (out / "zoo_accuracy_vs_params.png").string()
      << "'\nset title 'test accuracy against parameters'\nset xlabel 'parameters (log scale)'\n"
      << "plot '" << file << "' every ::1 using 2:4 with points pt 7 ps 1.5, '' every ::1 using 2:4:1 with labels "
      << "offset 1,0.7 left\n";
    s << "set output '" << (out / "zoo_accuracy_vs_macs.png").string()
      << "'\nset title 'test accuracy against multiply-accumulates per sample'\nset xlabel 'MACs per sample (log "
      << "scale)'\nplot '" << file << "' every ::1 using 3:4 with points pt 7 ps 1.5, '' every ::1 using 3:4:1 with "
      << "labels offset 1,0.7 left\n";
    run_gnuplot(out / "zoo.gp", s.str());
}

template <class Net>
using TrainModel = sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, kBatchCapacity, float>;

// The models are big (tens of MB of arena): static storage, never the stack.
template <class Net>
TrainModel<Net>& model_for() {
    static TrainModel<Net> model;
    return model;
}

template <class Net>
Result run_network(const std::string& name, const Options& o, const sn::data::Dataset* train,
                   const sn::data::Dataset* test) {
    auto& model = model_for<Net>();
    model.initialize(o.seed);
    if (o.lr > 0) model.set_learning_rate(o.lr);
    std::cout << "\n=== " << name << " ===\n";
    model.summary(std::cout);
    Result r;
    r.name = name;
    r.params = Net::params.total;
    r.macs = Net::macs_per_sample;
    r.inference_arena_bytes = sn::Inference<Net, 1>::arena_bytes;
    r.training_arena_bytes = TrainModel<Net>::training_arena_bytes;
    if (o.summary_only) return r;

    const fs::path dir = fs::path(o.out) / name;
    fs::create_directories(dir);
    sn::FitOptions fo;
    fo.epochs = o.epochs;
    fo.batch_size = o.batch;
    fo.validation_split = o.validation_split;
    fo.seed = o.seed;
    fo.normalize = o.normalize;
    fo.threads = o.threads;
    const int threads = o.threads == 0 ? sn::ThreadPool::hardware_threads() : o.threads;

    if (o.untrained) {
        std::cout << "Predicting the test set with freshly initialised (untrained) weights, seed " << o.seed << ":\n";
    } else {
        const int batch = o.batch;
        const sn::CheckpointRun run = sn::checkpoint_run(fo, batch, train->size());
        const fs::path cdir = o.checkpoint_dir.empty() ? fs::path() : fs::path(o.checkpoint_dir) / name;
        const fs::path last = cdir / "last.ckpt", prev = cdir / "prev.ckpt", best = cdir / "best.weights.bin";
        sn::FitProgress progress;
        if (!cdir.empty()) fs::create_directories(cdir);
        bool last_rejected = false;  // then the good prev.ckpt is kept, the bad last.ckpt replaced
        if (o.resume) {
            // The newest checkpoint that loads (last.ckpt, else prev.ckpt); each rejection said.
            bool loaded = false;
            for (const fs::path& f : {last, prev}) {
                if (!fs::exists(f)) continue;
                try {
                    const sn::Checkpoint c = sn::load_checkpoint(model, f);
                    const std::string why = sn::checkpoint_mismatch(c.run, run);
                    if (!why.empty())
                        throw std::runtime_error(f.string() + ": cannot be continued with these options: " + why +
                                                 "; nothing was changed");
                    progress = c.progress;
                    std::cout << "Resuming " << name << " from " << f.string() << " (epoch " << (progress.epoch + 1)
                              << ", batch " << progress.batches_done << " done, step " << model.step()
                              << ", learning rate " << model.learning_rate() << ")\n";
                    loaded = true;
                    break;
                } catch (const sn::CheckpointError& e) {
                    std::cerr << "staticnet_train: skipping a checkpoint: " << e.what() << '\n';
                    if (f == last) last_rejected = true;
                }
            }
            if (!loaded && (fs::exists(last) || fs::exists(prev)))
                throw std::runtime_error("--resume: no usable checkpoint for " + name + " in " + cdir.string() +
                                         " (last.ckpt / prev.ckpt: see above); nothing was changed");
            if (!loaded) std::cout << "No checkpoint of " << name << " in " << cdir.string() << " yet: starting at epoch 1\n";
        }
        // The new checkpoint written and synced, then last.ckpt -> prev.ckpt and the new one ->
        // last.ckpt (each step atomic): a crash at any moment leaves at least one complete
        // checkpoint, and a failed write leaves both.
        const KillPoint kill = kill_point();
        auto checkpoint = [&](const sn::FitProgress& p) {
            if (cdir.empty()) return;
            rotate_from = fs::exists(last) && !last_rejected ? last : fs::path();
            rotate_to = prev;
            kill_armed = kill.step == model.step() && kill.where == "in-checkpoint";
            sn::save_checkpoint(model, run, p, last, rotate_checkpoints);
            last_rejected = false;
            if (kill.step == model.step() && kill.where == "after-checkpoint") std::raise(SIGKILL);
        };
        double best_val = -1;
        for (double v : progress.history.val_accuracy) best_val = std::max(best_val, v);
        if (!cdir.empty()) std::signal(SIGINT, on_sigint);
        // The schedule runs first at each epoch's end, so that the checkpoint written there holds
        // the rate the next epoch uses.
        Schedule<TrainModel<Net>> schedule(model, o.lr_schedule, o.lr > 0 ? o.lr : sn::AdamOptions{}.learning_rate);
        const auto h = sn::fit(
            model, *train, fo, progress, sn::callbacks(schedule,
            [&](const sn::FitProgress& p) {
                if (kill.step == model.step() && kill.where == "after-step") std::raise(SIGKILL);
                if (kill.step == model.step() && kill.where == "sigint") std::raise(SIGINT);
                if (cdir.empty()) return false;
                if (interrupted) {
                    checkpoint(p);
                    return true;
                }
                if (p.batches_done % o.checkpoint_every == 0) checkpoint(p);
                return false;
            },
            [&](int, const sn::FitProgress& p) {
                const sn::History& hist = p.history;
                // After every finished epoch: the weights and history are on disk, so a later
                // failure (a diverging loss, an interrupt) loses at most the epoch in progress.
                sn::io::save_weights<float>(model.parameters(), dir / "weights.bin");
                write_history(dir, hist);
                std::printf("%s: %.0f training samples/s (%d thread%s, %s kernels)\n", name.c_str(),
                            hist.samples_per_second.back(), threads, threads == 1 ? "" : "s",
                            sn::kernels::simd::arch_name());
                if (!cdir.empty()) {
                    if (!hist.val_accuracy.empty() && hist.val_accuracy.back() > best_val) {
                        std::printf("%s: val_accuracy improved from %.4f to %.4f, saving %s\n", name.c_str(),
                                    std::max(best_val, 0.0), hist.val_accuracy.back(), best.string().c_str());
                        best_val = hist.val_accuracy.back();
                        sn::io::save_weights<float>(model.parameters(), best);
                    }
                    checkpoint(p);
                }
                std::fflush(stdout);
                return interrupted != 0;
            }));
        if (progress.stopped) {
            std::signal(SIGINT, SIG_DFL);
            std::cout << "\nInterrupted: " << name << " stopped at epoch " << (progress.epoch + 1) << ", batch "
                      << progress.batches_done << "; checkpoint " << last.string()
                      << ". Continue with the same options and --resume.\n";
            std::exit(130);
        }
        if (h.epochs() == 0) throw std::runtime_error(name + ": no epoch to train (the checkpoint is already at --epochs)");
        plot_network(dir, name, !h.val_accuracy.empty(), h.epochs());
        r.trained = true;
        r.epochs = h.epochs();
        double secs = 0;
        for (double s : h.seconds) secs += s;
        r.seconds_per_epoch = secs / h.epochs();
        // Training samples per second of the training parts (validation excluded), mean over epochs.
        double rate = 0;
        for (double v : h.samples_per_second) rate += v;
        r.samples_per_second = rate / h.epochs();
    }
    std::cout << "Test:\n";
    const auto ev = sn::evaluate(model, *test, fo);
    r.test_loss = ev.loss;
    r.test_accuracy = ev.accuracy;
    std::printf("%s: test loss %.4f, test accuracy %.2f%% on %ld images\n", name.c_str(), ev.loss,
                ev.accuracy * 100.0, ev.samples);
    write_text(dir / "result.json", result_json(r) + "\n");
    return r;
}


}  // namespace staticnet::train_tool

// The zoo's networks are instantiated in train_zoo.cpp.
namespace staticnet::train_tool {
extern template Result run_network<examples::zoo::LeNet5>(const std::string&, const Options&, const sn::data::Dataset*,
                                                          const sn::data::Dataset*);
extern template Result run_network<examples::zoo::NinGap>(const std::string&, const Options&, const sn::data::Dataset*,
                                                          const sn::data::Dataset*);
extern template Result run_network<examples::zoo::Tiny>(const std::string&, const Options&, const sn::data::Dataset*,
                                                        const sn::data::Dataset*);
extern template Result run_network<examples::zoo::Inception>(const std::string&, const Options&,
                                                             const sn::data::Dataset*, const sn::data::Dataset*);
extern template Result run_network<examples::zoo::ResNet>(const std::string&, const Options&, const sn::data::Dataset*,
                                                          const sn::data::Dataset*);
extern template Result run_network<examples::zoo::MobileNet>(const std::string&, const Options&,
                                                             const sn::data::Dataset*, const sn::data::Dataset*);
extern template Result run_network<examples::zoo::Vgg>(const std::string&, const Options&, const sn::data::Dataset*,
                                                       const sn::data::Dataset*);
}  // namespace staticnet::train_tool
