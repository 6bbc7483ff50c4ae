// Saving and loading a model's parameters (desktop layer). The file records the value size
// and the parameter count of the network type, and (version 2) a CRC-32, so a file made for
// another network, a truncated or damaged file, or one holding NaN/Inf is rejected with a
// message naming the file before any parameter is changed. Saving writes a temporary file,
// syncs it and renames it over the target: an interrupted or failing save (a full disk) never
// destroys the previous weights and leaves no temporary file.
//
// Format (integers in the writing machine's byte order, as version 1 always was):
//   8 bytes magic "SNWEIGH2" ("SNWEIGH1": version 1, no CRC; still read)
//   u64 bytes per value (4 = float, 8 = double), u64 parameter count P
//   P values
//   u32 CRC-32 (zlib) of every byte before it (version 2 only)
#pragma once
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include "atomic_file.hpp"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace staticnet::io {

struct WeightsError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A NaN or infinite value in the file: which one (index into the flat parameter array), so a
// caller that knows the network can name the tensor.
struct NonFiniteWeight : WeightsError {
    NonFiniteWeight(const std::string& what, std::size_t i, bool is_nan) : WeightsError(what), index(i), nan(is_nan) {}
    std::size_t index;
    bool nan;
};

inline constexpr char weights_magic_v1[8] = {'S', 'N', 'W', 'E', 'I', 'G', 'H', '1'};
inline constexpr char weights_magic[8] = {'S', 'N', 'W', 'E', 'I', 'G', 'H', '2'};
inline constexpr std::size_t weights_header_bytes = 24;

namespace weights_detail {

[[noreturn]] inline void fail(const std::filesystem::path& file, const std::string& what) {
    throw WeightsError(file.string() + ": " + what);
}

using io::crc32_of;

}  // namespace weights_detail

template <class T>
void save_weights(std::span<const T> params, const std::filesystem::path& file) {
    using weights_detail::fail;
    std::vector<unsigned char> bytes(weights_header_bytes + params.size_bytes() + 4);
    const std::uint64_t header[2] = {sizeof(T), params.size()};
    std::memcpy(bytes.data(), weights_magic, 8);
    std::memcpy(bytes.data() + 8, header, sizeof header);
    if (!params.empty()) std::memcpy(bytes.data() + weights_header_bytes, params.data(), params.size_bytes());
    const std::uint32_t crc = weights_detail::crc32_of(bytes.data(), bytes.size() - 4);
    std::memcpy(bytes.data() + bytes.size() - 4, &crc, 4);

    write_file_atomically<WeightsError>(file, bytes.data(), bytes.size(),
                                        {"the weights", "the previous file", "the file"});
}

// Reads and checks the whole file (size, magic, value size, parameter count, CRC, every value
// finite) before any parameter is changed.
template <class T>
void load_weights(std::span<T> params, const std::filesystem::path& file) {
    using weights_detail::fail;
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) fail(file, "cannot open: no such file");
    if (std::filesystem::is_directory(file, ec)) fail(file, "cannot open: is a directory");
    std::ifstream in(file, std::ios::binary);
    if (!in) fail(file, std::string("cannot open: ") + std::strerror(errno));
    std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) fail(file, "read error");
    if (bytes.empty()) fail(file, "empty file (not a staticnet weights file)");
    const bool v2 = bytes.size() >= 8 && std::memcmp(bytes.data(), weights_magic, 8) == 0;
    const bool v1 = bytes.size() >= 8 && std::memcmp(bytes.data(), weights_magic_v1, 8) == 0;
    if (!v1 && !v2) fail(file, "not a staticnet weights file (wrong magic)");
    if (bytes.size() < weights_header_bytes)
        fail(file, "truncated: " + std::to_string(bytes.size()) + " bytes, shorter than the " +
                       std::to_string(weights_header_bytes) + "-byte header");
    std::uint64_t header[2];
    std::memcpy(header, bytes.data() + 8, sizeof header);
    if (header[0] != sizeof(T))
        fail(file, "holds " + std::to_string(header[0] * 8) + "-bit values, expected " + std::to_string(sizeof(T) * 8));
    if (header[1] != params.size())
        fail(file, "holds " + std::to_string(header[1]) + " parameters but this network has " +
                       std::to_string(params.size()) + " (the weights of another network?)");
    const std::uint64_t expected = weights_header_bytes + params.size_bytes() + (v2 ? 4 : 0);
    if (bytes.size() != expected)
        fail(file, (bytes.size() < expected ? "truncated: " : "trailing data: ") + std::to_string(bytes.size()) +
                       " bytes, the header promises " + std::to_string(expected));
    if (v2) {
        std::uint32_t stored;
        std::memcpy(&stored, bytes.data() + bytes.size() - 4, 4);
        if (weights_detail::crc32_of(bytes.data(), bytes.size() - 4) != stored)
            fail(file, "CRC-32 mismatch: the file is corrupt");
    }
    std::vector<T> values(params.size());
    if (!values.empty()) std::memcpy(values.data(), bytes.data() + weights_header_bytes, params.size_bytes());
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!std::isfinite(values[i]))
            throw NonFiniteWeight(file.string() + ": parameter " + std::to_string(i) + " is " +
                                      (std::isnan(values[i]) ? "NaN" : "infinite") +
                                      ": the weights are broken (a diverged training?)",
                                  i, std::isnan(values[i]));
    for (std::size_t i = 0; i < values.size(); ++i) params[i] = values[i];
}

}  // namespace staticnet::io
