// Saving and loading a model's parameters (desktop layer). The file records the value size
// and the parameter count of the network type, so a file made for another network or a
// truncated file is rejected with a message instead of being half-loaded. Saving writes a
// temporary file and renames it over the target: an interrupted save never destroys the
// previous weights.
#pragma once
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace staticnet::io {

struct WeightsError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

inline constexpr char weights_magic[8] = {'S', 'N', 'W', 'E', 'I', 'G', 'H', '1'};

template <class T>
void save_weights(std::span<const T> params, const std::filesystem::path& file) {
    const std::filesystem::path tmp = file.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw WeightsError(file.string() + ": cannot open " + tmp.string() + " for writing");
        const std::uint64_t header[2] = {sizeof(T), params.size()};
        out.write(weights_magic, sizeof weights_magic);
        out.write(reinterpret_cast<const char*>(header), sizeof header);
        out.write(reinterpret_cast<const char*>(params.data()), static_cast<std::streamsize>(params.size_bytes()));
        out.flush();
        if (!out) throw WeightsError(file.string() + ": write failed (disk full?); the previous file is untouched");
    }
    std::error_code ec;
    std::filesystem::rename(tmp, file, ec);
    if (ec) throw WeightsError(file.string() + ": cannot replace the file: " + ec.message());
}

template <class T>
void load_weights(std::span<T> params, const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw WeightsError(file.string() + ": cannot open");
    char magic[8];
    std::uint64_t header[2];
    in.read(magic, sizeof magic);
    in.read(reinterpret_cast<char*>(header), sizeof header);
    if (!in || std::string(magic, 8) != std::string(weights_magic, 8))
        throw WeightsError(file.string() + ": not a staticnet weights file");
    if (header[0] != sizeof(T))
        throw WeightsError(file.string() + ": holds " + std::to_string(header[0] * 8) + "-bit values, expected " +
                           std::to_string(sizeof(T) * 8));
    if (header[1] != params.size())
        throw WeightsError(file.string() + ": holds " + std::to_string(header[1]) +
                           " parameters but this network has " + std::to_string(params.size()));
    std::vector<T> values(params.size());
    in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(T)));
    if (in.gcount() != static_cast<std::streamsize>(values.size() * sizeof(T)))
        throw WeightsError(file.string() + ": truncated");
    if (in.peek() != std::char_traits<char>::eof()) throw WeightsError(file.string() + ": trailing data");
    for (std::size_t i = 0; i < values.size(); ++i) params[i] = values[i];
}

}  // namespace staticnet::io
