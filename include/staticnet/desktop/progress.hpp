// Keras-style progress lines (TF 2.0/2.1 Progbar): a 30-character bar updated in place on a
// terminal (at most a few times a second), or only the final line when output is a file.
// Lines are formatted into a fixed buffer: printing does not allocate.
#pragma once
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <string_view>

namespace staticnet {

struct Metric {
    const char* name;
    double value;
};

class Progbar {
public:
    Progbar(std::ostream& out, long target, bool interactive)
        : out_(out), target_(target), interactive_(interactive), start_(std::chrono::steady_clock::now()) {}

    // Call after every batch; prints only when a redraw is due.
    void update(long current, const Metric* metrics, int count) {
        if (!interactive_) return;
        const auto now = std::chrono::steady_clock::now();
        if (current < target_ && now - last_draw_ < std::chrono::milliseconds(250)) return;
        last_draw_ = now;
        char line[512];
        int len = bar(line, sizeof line, current);
        const double elapsed = seconds_since_start();
        if (current < target_ && current > 0) {
            const double eta = elapsed / static_cast<double>(current) * static_cast<double>(target_ - current);
            const long e = static_cast<long>(eta);
            if (e > 3600) len += std::snprintf(line + len, sizeof line - len, " - ETA: %ld:%02ld:%02ld", e / 3600, (e % 3600) / 60, e % 60);
            else if (e > 60) len += std::snprintf(line + len, sizeof line - len, " - ETA: %ld:%02ld", e / 60, e % 60);
            else len += std::snprintf(line + len, sizeof line - len, " - ETA: %lds", e);
        }
        len += metrics_text(line + len, sizeof line - len, metrics, count);
        out_ << '\r' << line;
        // Clear what a longer previous line left behind.
        if (len < previous_len_) out_ << std::string_view(blanks, static_cast<std::size_t>(previous_len_ - len));
        previous_len_ = len;
        out_.flush();
    }

    // The final line: "54000/54000 [====...] - 120s 2ms/sample - loss: ... - val_...".
    void finish(const Metric* metrics, int count) {
        char line[512];
        int len = bar(line, sizeof line, target_);
        const double elapsed = seconds_since_start();
        len += std::snprintf(line + len, sizeof line - len, " - %.0fs", elapsed);
        const double per = target_ > 0 ? elapsed / static_cast<double>(target_) : 0.0;
        if (per >= 1) len += std::snprintf(line + len, sizeof line - len, " %.0fs/sample", per);
        else if (per >= 1e-3) len += std::snprintf(line + len, sizeof line - len, " %.0fms/sample", per * 1e3);
        else len += std::snprintf(line + len, sizeof line - len, " %.0fus/sample", per * 1e6);
        len += metrics_text(line + len, sizeof line - len, metrics, count);
        if (interactive_) out_ << '\r';
        out_ << line;
        if (interactive_ && len < previous_len_)
            out_ << std::string_view(blanks, static_cast<std::size_t>(previous_len_ - len));
        out_ << '\n';
        out_.flush();
    }

    double seconds_since_start() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }

private:
    int bar(char* buf, std::size_t size, long current) const {
        const int digits = target_ > 0 ? static_cast<int>(std::log10(static_cast<double>(target_))) + 1 : 1;
        constexpr int width = 30;
        const int prog = target_ > 0 ? static_cast<int>(width * static_cast<double>(current) / static_cast<double>(target_)) : width;
        char cells[width + 1];
        for (int i = 0; i < width; ++i) cells[i] = i < prog - 1 ? '=' : (i == prog - 1 ? (current < target_ ? '>' : '=') : '.');
        cells[width] = '\0';
        const int len = std::snprintf(buf, size, "%*ld/%ld [%s]", digits, current, target_, cells);
        return len;
    }
    static int metrics_text(char* buf, std::size_t size, const Metric* metrics, int count) {
        int len = 0;
        for (int i = 0; i < count; ++i) {
            const double v = metrics[i].value;
            if (std::fabs(v) > 1e-3 || v == 0)
                len += std::snprintf(buf + len, size - len, " - %s: %.4f", metrics[i].name, v);
            else
                len += std::snprintf(buf + len, size - len, " - %s: %.4e", metrics[i].name, v);
        }
        return len;
    }

    static constexpr char blanks[] =
        "                                                                                "
        "                                                                                ";
    std::ostream& out_;
    long target_;
    bool interactive_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_{};
    int previous_len_ = 0;
};

}  // namespace staticnet
