// libFuzzer target for the IDX reader (include/staticnet/data/idx.hpp).
//
// The reader only takes file paths, so each input is written to a per-process temp folder
// (/tmp/staticnet-idx-fuzz.<pid>/) and read from there with read_idx_images and
// read_idx_labels. Compression is detected by content, so inputs starting with 1f 8b take the
// gzip path and all others the plain path; both are checked against each other:
//   - a plain input is also gzip-compressed (in memory, zlib) and read again: the outcome must
//     be the same (same data, or a DataError with the same message after the file name);
//   - a gzip input is also decompressed (zlib's inflate, member by member as gzip(1) does) and
//     the result read as a plain file: again the same outcome. If it cannot be decompressed
//     (corrupt, truncated, or junk after the last member), the reader must have failed too.
// Expected outcome for bad input: staticnet::data::DataError, and only that, whose message
// starts with "<file>: ". Any other exception, a crash, a leak, a sanitizer report or a broken
// invariant on success (sizes, header fields, payload bytes, label range) abort()s: a finding.
//
// Built by tests/fuzz/CMakeLists.txt (clang++-14 -fsanitize=fuzzer,address,undefined) and, as a
// plain replay binary, by tests/fuzz/run_regressions.sh (g++ with replay_main.cpp).
#include <staticnet/data/idx.hpp>

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <typeinfo>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace sd = staticnet::data;
using Bytes = std::vector<std::uint8_t>;

// Decompressed data larger than this is not re-read as a plain file (a 64 KB gzip input can
// expand to about 64 MB; writing that on every run would only make the fuzzer slow).
constexpr std::size_t max_gunzipped = std::size_t{4} << 20;

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "\nidx_fuzz: FINDING: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

[[noreturn]] void harness_error(const std::string& what) {
  std::fprintf(stderr, "\nidx_fuzz: harness error (not a finding): %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

struct TempFiles {
  fs::path dir, input, gzipped, gunzipped;
};

void remove_temp_dir();

// Created on first use and never destroyed (still reachable, so not a leak): remove_temp_dir
// runs at exit, after function-local statics would have been destroyed.
const TempFiles& temp_files() {
  static const TempFiles* const files = [] {
    auto* f = new TempFiles;
    f->dir = fs::path("/tmp") / ("staticnet-idx-fuzz." + std::to_string(::getpid()));
    std::error_code ec;
    fs::create_directories(f->dir, ec);
    if (ec) harness_error("cannot create " + f->dir.string() + ": " + ec.message());
    f->input = f->dir / "input";
    f->gzipped = f->dir / "gzipped";
    f->gunzipped = f->dir / "gunzipped";
    std::atexit(remove_temp_dir);
    return f;
  }();
  return *files;
}

void remove_temp_dir() {
  std::error_code ec;
  fs::remove_all(temp_files().dir, ec);
}

void write_file(const fs::path& file, const std::uint8_t* data, std::size_t size) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) harness_error("cannot open " + file.string() + " for writing");
  std::size_t done = 0;
  while (done < size) {
    const ssize_t w = ::write(fd, data + done, size - done);
    if (w <= 0) {
      ::close(fd);
      harness_error("cannot write " + file.string());
    }
    done += static_cast<std::size_t>(w);
  }
  if (::close(fd) != 0) harness_error("cannot close " + file.string());
}

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

bool is_gzip(const std::uint8_t* data, std::size_t size) {
  return size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

// gzip-compresses in memory (one member, zlib's gzip wrapper).
Bytes gzip(const std::uint8_t* data, std::size_t size) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    harness_error("deflateInit2 failed");
  Bytes out(deflateBound(&z, static_cast<uLong>(size)) + 32);
  z.next_in = const_cast<Bytef*>(data);
  z.avail_in = static_cast<uInt>(size);
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  const int r = deflate(&z, Z_FINISH);
  deflateEnd(&z);
  if (r != Z_STREAM_END) harness_error("deflate did not finish");
  out.resize(z.total_out);
  return out;
}

// Decompresses gzip data as gzip(1) does: member after member (zlib's inflate, gzip wrapper);
// whatever follows a member must be another member. nullopt if zlib reports an error, the data
// ends inside a member or junk follows the last member (the reader must reject all three);
// `too_big` is set (and the data dropped) past max_gunzipped bytes.
std::optional<Bytes> gunzip(const std::uint8_t* data, std::size_t size, bool& too_big) {
  too_big = false;
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) harness_error("inflateInit2 failed");
  Bytes out;
  std::uint8_t buf[1 << 16];
  z.next_in = const_cast<Bytef*>(data);
  z.avail_in = static_cast<uInt>(size);
  bool ok = true;
  for (;;) {
    z.next_out = buf;
    z.avail_out = sizeof buf;
    const int r = inflate(&z, Z_NO_FLUSH);
    const std::size_t produced = sizeof buf - z.avail_out;
    if (!too_big) {
      out.insert(out.end(), buf, buf + produced);
      if (out.size() > max_gunzipped) {
        too_big = true;
        Bytes().swap(out);
      }
    }
    if (r == Z_STREAM_END) {
      if (z.avail_in == 0) break;                                        // the end of the data
      if (z.avail_in < 2 || z.next_in[0] != 0x1f || z.next_in[1] != 0x8b) {  // junk, not a member
        ok = false;
        break;
      }
      if (inflateReset(&z) != Z_OK) harness_error("inflateReset failed");
      continue;
    }
    if (r == Z_OK) continue;
    ok = false;  // Z_BUF_ERROR: truncated (all input given, no progress); others: corrupt
    break;
  }
  inflateEnd(&z);
  if (!ok) return std::nullopt;
  return out;
}

// What one read produced: the data, or a DataError's message without the "<file>: " prefix.
struct Outcome {
  bool ok = false;
  std::string error;
  sd::Images images;
  Bytes labels;
};

template <class Read>
Outcome attempt(const fs::path& file, const char* what, Read read) {
  Outcome o;
  try {
    read(o);
    o.ok = true;
  } catch (const sd::DataError& e) {
    const std::string message = e.what();
    const std::string prefix = file.string() + ": ";
    if (message.compare(0, prefix.size(), prefix) != 0)
      finding(std::string(what) + ": DataError message does not start with the file name: \"" +
              message + "\"");
    if (message.size() == prefix.size())
      finding(std::string(what) + ": DataError message says nothing after the file name");
    o.error = message.substr(prefix.size());
  } catch (const std::exception& e) {
    finding(std::string(what) + ": unexpected exception " + typeid(e).name() + ": " + e.what());
  } catch (...) {
    finding(std::string(what) + ": unexpected exception of a non-std type");
  }
  return o;
}

Outcome read_images(const fs::path& file) {
  return attempt(file, "read_idx_images", [&](Outcome& o) { o.images = sd::read_idx_images(file); });
}

Outcome read_labels(const fs::path& file, int num_classes) {
  return attempt(file, "read_idx_labels", [&](Outcome& o) {
    o.labels = sd::read_idx_labels(file, num_classes);
  });
}

std::string describe(const Outcome& o) {
  return o.ok ? "success" : "DataError \"" + o.error + "\"";
}

// The same outcome from the same IDX content stored two ways (plain and gzip).
void expect_same(const Outcome& a, const Outcome& b, const char* what) {
  if (a.ok != b.ok || a.error != b.error)
    finding(std::string(what) + ": plain and gzip storage of the same content disagree: plain " +
            describe(a) + ", gzip " + describe(b));
  if (!a.ok) return;
  if (a.images.count != b.images.count || a.images.rows != b.images.rows ||
      a.images.cols != b.images.cols || a.images.pixels != b.images.pixels || a.labels != b.labels)
    finding(std::string(what) + ": plain and gzip storage of the same content give different data");
}

// Invariants of a successful images read. idx: the IDX bytes the file holds (decompressed), or
// nullptr when they are not known (then only the structure is checked).
void check_images(const Outcome& o, const std::uint8_t* idx, std::size_t size) {
  if (!o.ok) return;
  const auto& im = o.images;
  if (im.count < 1 || im.count > 10'000'000) finding("images: count " + std::to_string(im.count));
  if (im.rows < 1 || im.rows > 4096 || im.cols < 1 || im.cols > 4096)
    finding("images: rows/cols outside 1..4096");
  const std::uint64_t n = std::uint64_t(im.count) * std::uint64_t(im.rows) * std::uint64_t(im.cols);
  if (im.pixels.size() != n)
    finding("images: pixels.size() " + std::to_string(im.pixels.size()) + " != count*rows*cols " +
            std::to_string(n));
  if (!idx) return;
  if (size < 16) finding("images: success on " + std::to_string(size) + " bytes (< 16-byte header)");
  if (be32(idx) != 0x00000803) finding("images: success with magic " + std::to_string(be32(idx)));
  if (static_cast<std::uint32_t>(im.count) != be32(idx + 4) ||
      static_cast<std::uint32_t>(im.rows) != be32(idx + 8) ||
      static_cast<std::uint32_t>(im.cols) != be32(idx + 12))
    finding("images: count/rows/cols differ from the header");
  if (size - 16 != n)
    finding("images: success with " + std::to_string(size - 16) + " payload bytes for " +
            std::to_string(n) + " pixels");
  if (!std::equal(im.pixels.begin(), im.pixels.end(), idx + 16))
    finding("images: pixels differ from the file's payload");
}

// Invariants of a successful labels read (idx as for check_images).
void check_labels(const Outcome& o, const std::uint8_t* idx, std::size_t size, int num_classes) {
  if (!o.ok) return;
  if (o.labels.empty() || o.labels.size() > 10'000'000)
    finding("labels: " + std::to_string(o.labels.size()) + " labels read");
  for (const std::uint8_t l : o.labels)
    if (l >= num_classes)
      finding("labels: label " + std::to_string(l) + " accepted with num_classes " +
              std::to_string(num_classes));
  if (!idx) return;
  if (size < 8) finding("labels: success on " + std::to_string(size) + " bytes (< 8-byte header)");
  if (be32(idx) != 0x00000801) finding("labels: success with magic " + std::to_string(be32(idx)));
  const std::uint32_t count = be32(idx + 4);
  if (o.labels.size() != count || size - 8 != count)
    finding("labels: size " + std::to_string(o.labels.size()) + ", header count " +
            std::to_string(count) + ", payload " + std::to_string(size - 8));
  if (!std::equal(o.labels.begin(), o.labels.end(), idx + 8))
    finding("labels: labels differ from the file's payload");
}

// Reads `file` as images and as labels (num_classes 10 and 256, and at the boundary of the
// largest label) and checks the results (against `idx`, the IDX bytes the file holds, unless
// nullptr).
struct Outcomes {
  Outcome images, labels10, labels256;
};

Outcomes read_all(const fs::path& file, const std::uint8_t* idx, std::size_t size) {
  Outcomes r;
  r.images = read_images(file);
  r.labels10 = read_labels(file, 10);
  r.labels256 = read_labels(file, 256);
  check_images(r.images, idx, size);
  check_labels(r.labels10, idx, size, 10);
  check_labels(r.labels256, idx, size, 256);
  if (r.images.ok && r.labels256.ok) finding("the same bytes read as both images and labels");
  // num_classes only bounds the labels: 10 succeeds exactly when 256 does and all are < 10.
  if (r.labels10.ok && !r.labels256.ok)
    finding("labels: accepted with num_classes 10 but rejected with 256: " + r.labels256.error);
  if (r.labels256.ok) {
    const int largest = *std::max_element(r.labels256.labels.begin(), r.labels256.labels.end());
    if (r.labels10.ok != (largest < 10))
      finding("labels: num_classes 10 " + describe(r.labels10) + " with largest label " +
              std::to_string(largest));
    if (r.labels10.ok && r.labels10.labels != r.labels256.labels)
      finding("labels: num_classes changes the labels read");
    // Exactly at the boundary: largest + 1 classes is enough, largest is not.
    const Outcome at = read_labels(file, largest + 1);
    if (!at.ok || at.labels != r.labels256.labels)
      finding("labels: rejected with num_classes = largest label + 1: " + describe(at));
    if (largest >= 1) {
      const Outcome below = read_labels(file, largest);
      if (below.ok) finding("labels: label " + std::to_string(largest) + " accepted with num_classes " +
                            std::to_string(largest));
    }
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const TempFiles& files = temp_files();
  write_file(files.input, data, size);

  if (!is_gzip(data, size)) {
    // Plain path, then the same content gzip-compressed through the gzip path.
    const Outcomes plain = read_all(files.input, data, size);
    const Bytes gz = gzip(data, size);
    write_file(files.gzipped, gz.data(), gz.size());
    const Outcomes packed = read_all(files.gzipped, data, size);
    expect_same(plain.images, packed.images, "read_idx_images");
    expect_same(plain.labels10, packed.labels10, "read_idx_labels(10)");
    expect_same(plain.labels256, packed.labels256, "read_idx_labels(256)");
    return 0;
  }

  // gzip path: the input as it is, and (if zlib can decompress it) its content as a plain file.
  bool too_big = false;
  const std::optional<Bytes> content = gunzip(data, size, too_big);
  const bool know = content && !too_big;
  const Outcomes packed =
      read_all(files.input, know ? content->data() : nullptr, know ? content->size() : 0);
  if (!content) {
    if (packed.images.ok || packed.labels10.ok || packed.labels256.ok)
      finding("success on a gzip stream that zlib cannot decompress");
    return 0;
  }
  if (too_big || is_gzip(content->data(), content->size())) return 0;  // not comparable as plain
  write_file(files.gunzipped, content->data(), content->size());
  const Outcomes plain = read_all(files.gunzipped, content->data(), content->size());
  expect_same(plain.images, packed.images, "read_idx_images");
  expect_same(plain.labels10, packed.labels10, "read_idx_labels(10)");
  expect_same(plain.labels256, packed.labels256, "read_idx_labels(256)");
  return 0;
}
