// Files that are either the old or the new version, never a mix (desktop layer): write
// "<file>.tmp" in the same folder, fsync it, rename it over <file>, fsync the folder. A failure
// at any step removes the temporary file and leaves the previous <file> as it was. Used by
// weights.bin (io/weights.hpp), checkpoints (desktop/checkpoint.hpp) and tools' result files.
#pragma once
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

namespace staticnet::io {

// zlib's CRC-32 of n bytes (in pieces: zlib's length is a uInt).
inline std::uint32_t crc32_of(const unsigned char* p, std::size_t n) {
    uLong crc = crc32(0L, Z_NULL, 0);
    while (n > 0) {
        const uInt chunk = n > (1u << 30) ? (1u << 30) : static_cast<uInt>(n);
        crc = crc32(crc, p, chunk);
        p += chunk;
        n -= chunk;
    }
    return static_cast<std::uint32_t>(crc);
}

// How the messages name the contents: "<file>: cannot write <contents>: <reason>; <previous>
// (if any) is untouched" and "<file>: cannot replace <target>: <reason>".
struct AtomicFileNames {
    const char* contents = "the file";
    const char* previous = "the previous file";
    const char* target = "the file";
};

// Writes bytes to `file` atomically; throws Error(message) naming the file and the reason.
// `before_rename` is a test hook (crash tests: the new file complete and synced, not yet renamed).
template <class Error>
void write_file_atomically(const std::filesystem::path& file, const void* bytes, std::size_t size,
                           AtomicFileNames names = {}, void (*before_rename)() = nullptr) {
    const std::filesystem::path tmp = file.string() + ".tmp";
    auto fail = [&](const std::string& what) {
        std::error_code ec;
        std::filesystem::remove(tmp, ec);
        throw Error(file.string() + ": " + what);
    };
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw Error(file.string() + ": cannot create " + tmp.filename().string() + ": " + std::strerror(errno));
    // "cannot write the weights: ..." (or "cannot write: ..." without a name for the contents).
    const std::string cannot_write = std::string("cannot write") + (*names.contents ? " " : "") + names.contents + ": ";
    auto write_failed = [&](int err) {
        ::close(fd);
        fail(cannot_write + std::strerror(err) + "; " + names.previous + " (if any) is untouched");
    };
    const auto* p = static_cast<const unsigned char*>(bytes);
    std::size_t left = size;
    while (left > 0) {
        const ssize_t w = ::write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) write_failed(w < 0 ? errno : EIO);
        p += w;
        left -= static_cast<std::size_t>(w);
    }
    if (::fsync(fd) != 0) write_failed(errno);
    if (::close(fd) != 0) fail(cannot_write + std::strerror(errno) + "; " + names.previous + " (if any) is untouched");
    if (before_rename) before_rename();
    if (::rename(tmp.c_str(), file.c_str()) != 0) fail(std::string("cannot replace ") + names.target + ": " + std::strerror(errno));
    std::filesystem::path dir = file.parent_path();
    if (dir.empty()) dir = ".";
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

}  // namespace staticnet::io
