// Loader for the reference fixtures written by tools/gen-reference (format: tests/fixtures/FORMAT.md)
// and a doctest comparison helper. Desktop-side test support: throws std::runtime_error
// ("<file>:<line>: <what>") on malformed input.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iomanip>
#include <limits>
#include <map>
#include <sstream>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace staticnet::test {

struct Tensor {
    std::string name;
    std::vector<int> shape;
    // Dense (`tensor`, `generated`): all values, row-major. Sampled: the stored entries only,
    // at the flat positions in `indices`.
    std::vector<double> values;
    std::vector<std::size_t> indices;  // empty unless sampled
    double max_abs = 0;                // max |value| over the whole tensor (also when sampled)

    std::size_t size() const {
        std::size_t n = 1;
        for (int d : shape) n *= static_cast<std::size_t>(d);
        return n;
    }
    bool sampled() const { return !indices.empty(); }
    std::string shape_string() const {
        std::string s = "(";
        for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
        return s + ")";
    }
    // "flat (i0, i1, ...)" for messages.
    std::string index_string(std::size_t flat) const {
        std::vector<std::size_t> idx(shape.size());
        std::size_t rest = flat;
        for (std::size_t k = shape.size(); k-- > 0;) {
            idx[k] = rest % static_cast<std::size_t>(shape[k]);
            rest /= static_cast<std::size_t>(shape[k]);
        }
        std::string s = std::to_string(flat) + " (";
        for (std::size_t k = 0; k < idx.size(); ++k) s += (k ? ", " : "") + std::to_string(idx[k]);
        return s + ")";
    }
};

// The counter-based hash of API.md (SplitMix64's finaliser); `generated` tensors use it.
constexpr std::uint64_t fixture_mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

class Fixture {
public:
    explicit Fixture(const std::string& path) : source_(path) {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw std::runtime_error(path + ": cannot open fixture file");
        std::ostringstream text;
        text << in.rdbuf();
        parse_text(text.str());
    }

    // Parse fixture text held in memory; `source` names it in error messages.
    static Fixture parse(std::string_view text, std::string source = "<string>") {
        Fixture f;
        f.source_ = std::move(source);
        f.parse_text(text);
        return f;
    }

    bool has(std::string_view name) const { return tensors_.count(name) != 0 || scalars_.count(name) != 0; }
    bool has_tensor(std::string_view name) const { return tensors_.count(name) != 0; }
    bool has_scalar(std::string_view name) const { return scalars_.count(name) != 0; }

    const Tensor& tensor(std::string_view name) const {
        auto it = tensors_.find(name);
        if (it == tensors_.end()) throw std::runtime_error(source_ + ": no tensor '" + std::string(name) + "'");
        return it->second;
    }
    double scalar(std::string_view name) const {
        auto it = scalars_.find(name);
        if (it == scalars_.end()) throw std::runtime_error(source_ + ": no scalar '" + std::string(name) + "'");
        return it->second;
    }
    const std::string& source() const { return source_; }
    std::vector<std::string> tensor_names() const {
        std::vector<std::string> v;
        for (const auto& kv : tensors_) v.push_back(kv.first);
        return v;
    }
    std::vector<std::string> scalar_names() const {
        std::vector<std::string> v;
        for (const auto& kv : scalars_) v.push_back(kv.first);
        return v;
    }

private:
    Fixture() = default;

    std::string source_;
    std::map<std::string, Tensor, std::less<>> tensors_;
    std::map<std::string, double, std::less<>> scalars_;

    // Parser state: the record whose value block is being read.
    struct Pending {
        Tensor* tensor = nullptr;
        std::size_t needed = 0;  // tokens still expected
        bool pairs = false;      // sampled: "index value" pairs
        bool have_index = false;
        std::size_t index = 0;
        int line = 0;
    };

    [[noreturn]] void fail(int line, const std::string& what) const {
        throw std::runtime_error(source_ + ":" + std::to_string(line) + ": " + what);
    }

    static bool is_keyword(std::string_view t) {
        return t == "scalar" || t == "tensor" || t == "sampled" || t == "generated";
    }

    double number(std::string_view t, int line) const {
        double v = 0;
        auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v, std::chars_format::general);
        if (ec != std::errc() || p != t.data() + t.size())
            fail(line, "'" + std::string(t) + "' is not a number");
        return v;
    }
    template <class I>
    I integer(std::string_view t, int line, const char* what) const {
        I v{};
        auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        if (ec != std::errc() || p != t.data() + t.size())
            fail(line, std::string(what) + " '" + std::string(t) + "' is not a valid integer");
        return v;
    }

    void claim(const std::string& name, int line) const {
        bool ok = !name.empty();
        for (char c : name)
            ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                        c == '.' || c == '-');
        if (!ok) fail(line, "bad name '" + name + "'");
        if (has(name)) fail(line, "duplicate name '" + name + "'");
    }

    // Reads "<ndim> <d0> ... " starting at tok[1 + 1]; returns the index after the dims.
    std::size_t read_shape(const std::vector<std::string_view>& tok, Tensor& t, int line) const {
        if (tok.size() < 3) fail(line, std::string(tok[0]) + " " + t.name + ": missing <ndim>");
        const int ndim = integer<int>(tok[2], line, "ndim");
        if (ndim < 1 || ndim > 8) fail(line, t.name + ": ndim " + std::to_string(ndim) + " out of range 1..8");
        if (tok.size() < 3 + static_cast<std::size_t>(ndim))
            fail(line, t.name + ": expected " + std::to_string(ndim) + " dimensions");
        std::size_t total = 1;
        for (int k = 0; k < ndim; ++k) {
            const int d = integer<int>(tok[3 + static_cast<std::size_t>(k)], line, "dimension");
            if (d < 1) fail(line, t.name + ": dimension " + std::to_string(d) + " must be >= 1");
            total *= static_cast<std::size_t>(d);
            if (total > (std::size_t{1} << 31)) fail(line, t.name + ": tensor too large");
            t.shape.push_back(d);
        }
        return 3 + static_cast<std::size_t>(ndim);
    }

    void parse_text(std::string_view text) {
        Pending pend;
        bool header_seen = false;
        int line_no = 0;
        std::size_t pos = 0;
        std::string last_complete;  // name of the last finished record, for messages
        while (pos < text.size()) {
            std::size_t eol = text.find('\n', pos);
            if (eol == std::string_view::npos) eol = text.size();
            std::string_view line = text.substr(pos, eol - pos);
            pos = eol + 1;
            ++line_no;
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

            std::size_t first = line.find_first_not_of(" \t");
            if (!header_seen) {
                if (line != "# staticnet fixture v1")
                    fail(line_no, "expected the header line '# staticnet fixture v1'");
                header_seen = true;
                continue;
            }
            if (first == std::string_view::npos || line[first] == '#') continue;

            std::vector<std::string_view> tok;
            for (std::size_t i = first; i < line.size();) {
                while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
                std::size_t j = i;
                while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
                if (j > i) tok.push_back(line.substr(i, j - i));
                i = j;
            }
            if (tok.empty()) continue;

            if (pend.needed > 0) {
                if (is_keyword(tok[0]))
                    fail(line_no, pend.tensor->name + " (line " + std::to_string(pend.line) + "): " +
                                      std::to_string(pend.needed) + " more value(s) expected before the next record");
                if (tok.size() > pend.needed)
                    fail(line_no, pend.tensor->name + ": " + std::to_string(tok.size() - pend.needed) +
                                      " value(s) too many");
                for (auto t : tok) take_value(pend, t, line_no);
                if (pend.needed == 0) last_complete = finish(pend, line_no);
                continue;
            }

            const std::string_view kind = tok[0];
            if (!is_keyword(kind)) {
                if (!last_complete.empty() && (std::isdigit(static_cast<unsigned char>(kind[0])) || kind[0] == '-'))
                    fail(line_no, "unexpected value '" + std::string(kind) + "': " + last_complete +
                                      " already has all its values");
                fail(line_no, "unknown record '" + std::string(kind) + "'");
            }
            if (tok.size() < 2) fail(line_no, std::string(kind) + ": missing name");
            const std::string name(tok[1]);
            claim(name, line_no);

            if (kind == "scalar") {
                if (tok.size() != 3) fail(line_no, "scalar " + name + ": expected exactly one value");
                scalars_[name] = number(tok[2], line_no);
                last_complete = name;
                continue;
            }

            Tensor t;
            t.name = name;
            const std::size_t after = read_shape(tok, t, line_no);
            const std::size_t size = t.size();
            if (kind == "tensor") {
                if (tok.size() != after) fail(line_no, "tensor " + name + ": values must start on the next line");
                t.values.reserve(size);
                Tensor& stored = tensors_[name] = std::move(t);
                pend = Pending{&stored, size, false, false, 0, line_no};
            } else if (kind == "sampled") {
                if (tok.size() != after + 2) fail(line_no, "sampled " + name + ": expected <count> <maxabs> after the dims");
                const auto count = integer<std::size_t>(tok[after], line_no, "count");
                if (count < 1 || count > size)
                    fail(line_no, "sampled " + name + ": count " + std::to_string(count) + " not in 1.." +
                                      std::to_string(size));
                t.max_abs = number(tok[after + 1], line_no);
                if (!(t.max_abs >= 0) || !std::isfinite(t.max_abs))
                    fail(line_no, "sampled " + name + ": maxabs must be finite and >= 0");
                t.values.reserve(count);
                t.indices.reserve(count);
                Tensor& stored = tensors_[name] = std::move(t);
                pend = Pending{&stored, 2 * count, true, false, 0, line_no};
            } else {  // generated
                if (tok.size() != after + 4)
                    fail(line_no, "generated " + name + ": expected <seed> <lo> <hi> <shift> after the dims");
                const auto seed = integer<std::uint64_t>(tok[after], line_no, "seed");
                const auto lo = integer<std::int64_t>(tok[after + 1], line_no, "lo");
                const auto hi = integer<std::int64_t>(tok[after + 2], line_no, "hi");
                const auto shift = integer<int>(tok[after + 3], line_no, "shift");
                constexpr std::int64_t limit = std::int64_t{1} << 52;
                if (lo > hi || lo < -limit || hi > limit)
                    fail(line_no, "generated " + name + ": need -2^52 <= lo <= hi <= 2^52");
                if (shift < -64 || shift > 1000) fail(line_no, "generated " + name + ": shift out of range");
                const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
                const double scale = std::ldexp(1.0, -shift);
                t.values.resize(size);
                for (std::size_t i = 0; i < size; ++i) {
                    const std::uint64_t r = (fixture_mix(seed + static_cast<std::uint64_t>(i)) >> 32) % span;
                    t.values[i] = static_cast<double>(lo + static_cast<std::int64_t>(r)) * scale;
                    t.max_abs = std::max(t.max_abs, std::abs(t.values[i]));
                }
                tensors_[name] = std::move(t);
                last_complete = name;
            }
        }
        if (!header_seen) fail(1, "empty input: expected the header line '# staticnet fixture v1'");
        if (pend.needed > 0)
            fail(line_no, "end of input inside " + pend.tensor->name + " (line " + std::to_string(pend.line) + "): " +
                              std::to_string(pend.needed) + " more value(s) expected");
    }

    void take_value(Pending& p, std::string_view t, int line) const {
        Tensor& x = *p.tensor;
        if (p.pairs && !p.have_index) {
            const auto i = integer<std::size_t>(t, line, "index");
            if (i >= x.size())
                fail(line, x.name + ": index " + std::to_string(i) + " out of range (size " + std::to_string(x.size()) + ")");
            if (!x.indices.empty() && i <= x.indices.back())
                fail(line, x.name + ": indices must be strictly increasing (" + std::to_string(i) + " after " +
                               std::to_string(x.indices.back()) + ")");
            p.index = i;
            p.have_index = true;
        } else {
            const double v = number(t, line);
            if (p.pairs) {
                x.indices.push_back(p.index);
                p.have_index = false;
                if (std::abs(v) > x.max_abs * (1 + 1e-15))
                    fail(line, x.name + ": value larger than the declared maxabs");
            } else {
                x.max_abs = std::max(x.max_abs, std::abs(v));
            }
            x.values.push_back(v);
        }
        --p.needed;
    }

    std::string finish(Pending& p, int) const {
        std::string n = p.tensor->name;
        p = Pending{};
        return n;
    }
};

// Compares `actual` (the whole tensor, flat row-major) with a fixture tensor, entry by entry
// (only the stored entries of a sampled tensor). Tolerance: rel_tol * max(1, max |expected|),
// max over the whole tensor. Reports the number of mismatches and the first one with both values.
template <class T>
void check_close(std::span<const T> actual, const Tensor& expected, double rel_tol, const char* what) {
    const std::size_t n = expected.size();
    if (actual.size() != n) {
        const std::string msg = std::string(what) + ": size " + std::to_string(actual.size()) +
                                " but the fixture tensor " + expected.name + " has " + expected.shape_string() +
                                " = " + std::to_string(n) + " values";
        CHECK_MESSAGE(actual.size() == n, msg);
        return;
    }
    const double tol = rel_tol * std::max(1.0, expected.max_abs);
    const std::size_t stored = expected.values.size();
    std::size_t bad = 0, first = 0;
    double first_a = 0, first_e = 0;
    for (std::size_t k = 0; k < stored; ++k) {
        const std::size_t i = expected.sampled() ? expected.indices[k] : k;
        const double a = static_cast<double>(actual[i]);
        const double e = expected.values[k];
        const bool ok = a == e || std::abs(a - e) <= tol || (std::isnan(a) && std::isnan(e));
        if (!ok && bad++ == 0) {
            first = i;
            first_a = a;
            first_e = e;
        }
    }
    std::string msg;
    if (bad) {
        std::ostringstream os;
        os.precision(17);
        os << what << " vs " << expected.name << " " << expected.shape_string() << ": " << bad << " of " << stored
           << (expected.sampled() ? " sampled" : "") << " values differ; first at flat index "
           << expected.index_string(first) << ": actual " << first_a << ", expected " << first_e << ", |diff| "
           << std::abs(first_a - first_e) << " > tol " << tol << " (rel_tol " << std::setprecision(3) << rel_tol
           << " * max(1, max|expected| " << std::setprecision(17) << expected.max_abs << "))";
        msg = os.str();
    }
    CHECK_MESSAGE(bad == 0, msg);
}

template <class T>
    requires(!std::is_const_v<T>)
void check_close(std::span<T> actual, const Tensor& expected, double rel_tol, const char* what) {
    check_close(std::span<const T>(actual.data(), actual.size()), expected, rel_tol, what);
}

template <class T>
void check_close(const std::vector<T>& actual, const Tensor& expected, double rel_tol, const char* what) {
    check_close(std::span<const T>(actual.data(), actual.size()), expected, rel_tol, what);
}

// A scalar against a fixture scalar, tolerance rel_tol * max(1, |expected|).
inline void check_close(double actual, double expected, double rel_tol, const char* what) {
    const double tol = rel_tol * std::max(1.0, std::abs(expected));
    std::string msg;
    if (!(actual == expected || std::abs(actual - expected) <= tol)) {
        std::ostringstream os;
        os.precision(17);
        os << what << ": actual " << actual << ", expected " << expected << ", |diff| " << std::abs(actual - expected)
           << " > tol " << tol;
        msg = os.str();
    }
    CHECK_MESSAGE(msg.empty(), msg);
}

// The hash's test vectors of dropout_rng.txt (64-bit values as 32-bit halves: mix.in.hi/lo ->
// mix.out.hi/lo) against `mix`: fixture_mix above, or the library's own. `f`: a Fixture, or
// anything with the same tensor(name) (the training suite's record-tracking wrapper).
template <class F, class Mix>
void check_mix_vectors(F& f, Mix mix) {
    const auto& ih = f.tensor("mix.in.hi").values;
    const auto& il = f.tensor("mix.in.lo").values;
    const auto& oh = f.tensor("mix.out.hi").values;
    const auto& ol = f.tensor("mix.out.lo").values;
    REQUIRE(ih.size() == oh.size());
    for (std::size_t i = 0; i < ih.size(); ++i) {
        const std::uint64_t in = (static_cast<std::uint64_t>(ih[i]) << 32) | static_cast<std::uint64_t>(il[i]);
        const std::uint64_t out = mix(in);
        CAPTURE(i);
        CHECK(static_cast<double>(out >> 32) == oh[i]);
        CHECK(static_cast<double>(out & 0xFFFFFFFFu) == ol[i]);
    }
}

// Copies a dense fixture tensor into `dst` (e.g. a parameter span), converting to T.
template <class T>
void copy_to(const Tensor& src, std::span<T> dst) {
    if (src.sampled()) throw std::runtime_error("copy_to: " + src.name + " is sampled, not dense");
    if (dst.size() != src.values.size())
        throw std::runtime_error("copy_to: " + src.name + " " + src.shape_string() + " has " +
                                 std::to_string(src.values.size()) + " values, destination " + std::to_string(dst.size()));
    for (std::size_t i = 0; i < dst.size(); ++i) dst[i] = static_cast<T>(src.values[i]);
}

// The dense values of a fixture tensor converted to T (inputs, labels).
template <class T>
std::vector<T> values_as(const Tensor& src) {
    std::vector<T> v(src.values.size());
    copy_to(src, std::span<T>(v));
    return v;
}

}  // namespace staticnet::test
