// Helpers shared by the desktop suites: a stream that swallows fit's output, a temporary folder
// removed at the end, and a model's state (parameters and optimizer values) compared bit for bit.
#pragma once
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <streambuf>
#include <string>
#include <system_error>
#include <vector>

namespace staticnet::test {

struct NullBuffer : std::streambuf {
    int overflow(int c) override { return c; }
    std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

// <temp>/staticnet-<name>-<pid>, empty at the start, removed at the end.
struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& name) {
        path = std::filesystem::temp_directory_path() / ("staticnet-" + name + "-" + std::to_string(::getpid()));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

// Parameters, then optimizer state.
template <class M>
std::vector<typename M::value_type> state_of(const M& m) {
    std::vector<typename M::value_type> v(m.parameters().begin(), m.parameters().end());
    v.insert(v.end(), m.optimizer_state().begin(), m.optimizer_state().end());
    return v;
}

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

}  // namespace staticnet::test
