// IDX datasets (MNIST, Fashion-MNIST, EMNIST ...), plain or gzip-compressed.
//
// Desktop layer: this header throws DataError for bad files, allocates, and links zlib. The
// firmware core never includes it.
//
// IDX (big-endian): two zero bytes, a data type byte (0x08 = unsigned byte), a byte with the
// number of dimensions, one 32-bit size per dimension, then the data, row-major.
// Images: magic 0x00000803, dims N, rows, cols. Labels: magic 0x00000801, dim N.
//
// Compression is recognised by content (gzip magic 1f 8b), never by file name.
#pragma once

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace staticnet::data {

// Every message starts with the file name, then says what is wrong with it.
struct DataError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// count samples of rows x cols x channels values, each sample in the network's layout (row by
// row, the channels of a pixel together: HWC), sample after sample. IDX files give channels 1.
struct Images {
  std::vector<std::uint8_t> pixels;
  int count = 0, rows = 0, cols = 0;
  int channels = 1;
  std::size_t sample_size() const {
    return static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols) * static_cast<std::size_t>(channels);
  }
};

// Samples and integer labels. The samples are bytes (images.pixels: IDX files, 8-bit images;
// fit's `normalize` may scale them by 1/255) or, when `values` is not empty, floats (sensor
// data, features, anything already scaled), used as they are; either way images.count/rows/
// cols/channels give their number and shape. fit and evaluate take any dataset whose sample
// shape is the network's Input<H, W, C> (H x W x C; a flat network: Input<1, 1, N>).
struct Dataset {
  Images images;
  std::vector<float> values;  // float samples (count x sample_size), or empty for bytes
  std::vector<std::uint8_t> labels;
  int num_classes = 10;
  int size() const { return images.count; }
  bool floats() const { return !values.empty(); }
  int rows() const { return images.rows; }
  int cols() const { return images.cols; }
  int channels() const { return images.channels; }

  // The same samples seen with another shape of the same size, e.g. 28x28x1 MNIST as
  // 1x1x784 for a network of Dense layers (the values keep their order).
  Dataset reshaped(int rows, int cols, int channels) const {
    if (rows < 1 || cols < 1 || channels < 1 ||
        static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols) * static_cast<std::size_t>(channels) !=
            images.sample_size())
      throw std::invalid_argument("Dataset::reshaped: " + std::to_string(rows) + "x" + std::to_string(cols) + "x" +
                                  std::to_string(channels) + " does not hold the " +
                                  std::to_string(images.sample_size()) + " values of a sample (" +
                                  std::to_string(images.rows) + "x" + std::to_string(images.cols) + "x" +
                                  std::to_string(images.channels) + ")");
    Dataset d = *this;
    d.images.rows = rows;
    d.images.cols = cols;
    d.images.channels = channels;
    return d;
  }
};

namespace idx_detail {
template <class V, class L>
Dataset from_memory(std::span<const V> samples, std::span<const L> labels, int rows, int cols, int channels,
                    int num_classes) {
  const char* who = "data::from_memory";
  if (rows < 1 || cols < 1 || channels < 1)
    throw std::invalid_argument(std::string(who) + ": the sample shape " + std::to_string(rows) + "x" +
                                std::to_string(cols) + "x" + std::to_string(channels) + " has a dimension below 1");
  if (num_classes < 1 || num_classes > 256)
    throw std::invalid_argument(std::string(who) + ": num_classes must be 1..256, got " + std::to_string(num_classes));
  const std::size_t size =
      static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols) * static_cast<std::size_t>(channels);
  if (labels.empty() || labels.size() > 100'000'000u)
    throw std::invalid_argument(std::string(who) + ": " + std::to_string(labels.size()) + " labels (1..100,000,000)");
  if (samples.size() != labels.size() * size)
    throw std::invalid_argument(std::string(who) + ": " + std::to_string(samples.size()) + " values for " +
                                std::to_string(labels.size()) + " labels of samples of " + std::to_string(size) +
                                " values (" + std::to_string(rows) + "x" + std::to_string(cols) + "x" +
                                std::to_string(channels) + "): expected " + std::to_string(labels.size() * size));
  Dataset d;
  d.num_classes = num_classes;
  d.images.count = static_cast<int>(labels.size());
  d.images.rows = rows;
  d.images.cols = cols;
  d.images.channels = channels;
  d.labels.resize(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= num_classes)
      throw std::invalid_argument(std::string(who) + ": label " + std::to_string(labels[i]) + " at index " +
                                  std::to_string(i) + " is outside 0.." + std::to_string(num_classes - 1));
    d.labels[i] = static_cast<std::uint8_t>(labels[i]);
  }
  if constexpr (std::is_same_v<V, std::uint8_t>) {
    d.images.pixels.assign(samples.begin(), samples.end());
  } else {
    for (std::size_t i = 0; i < samples.size(); ++i)
      if (!std::isfinite(samples[i]))
        throw std::invalid_argument(std::string(who) + ": value " + std::to_string(i % size) + " of sample " +
                                    std::to_string(i / size) + " is " + (std::isnan(samples[i]) ? "NaN" : "infinite"));
    d.values.assign(samples.begin(), samples.end());
  }
  return d;
}
}  // namespace idx_detail

// A dataset from arrays in memory: `samples` holds labels.size() samples of rows x cols x
// channels values each (HWC), `labels` their classes 0..num_classes-1 (at most 256 classes).
// Float samples are checked finite; the arrays are copied. Throws std::invalid_argument naming
// the problem (sizes that do not match, a label out of range, a NaN).
inline Dataset from_memory(std::span<const float> samples, std::span<const int> labels, int rows, int cols,
                           int channels, int num_classes) {
  return idx_detail::from_memory(samples, labels, rows, cols, channels, num_classes);
}
inline Dataset from_memory(std::span<const std::uint8_t> samples, std::span<const int> labels, int rows, int cols,
                           int channels, int num_classes) {
  return idx_detail::from_memory(samples, labels, rows, cols, channels, num_classes);
}

namespace idx_detail {

inline constexpr std::uint32_t image_magic = 0x00000803;
inline constexpr std::uint32_t label_magic = 0x00000801;
inline constexpr std::uint32_t max_count = 10'000'000;
inline constexpr std::uint32_t max_side = 4096;

inline std::string hex32(std::uint32_t v) {
  constexpr char digits[] = "0123456789ABCDEF";
  std::string s = "0x00000000";
  for (int i = 9; i >= 2; --i, v >>= 4) s[static_cast<std::size_t>(i)] = digits[v & 0xF];
  return s;
}

inline std::string hex8(std::uint32_t v) {
  constexpr char digits[] = "0123456789ABCDEF";
  return std::string("0x") + digits[(v >> 4) & 0xF] + digits[v & 0xF];
}

[[noreturn]] inline void fail(const std::filesystem::path& file, const std::string& problem) {
  throw DataError(file.string() + ": " + problem);
}

inline std::uint32_t big_endian32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

inline std::string plural(std::uint64_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// A byte stream over a plain or gzip-compressed file. Plain files report how many bytes are left,
// so the payload size is checked before anything is allocated and read in one call.
// gzip: zlib's inflate (gzip wrapper), member by member as gzip(1) reads concatenated members;
// whatever follows the last member must be another member, so junk after the compressed data
// is an error (zlib's gzread would ignore it).
class Source {
 public:
  explicit Source(const std::filesystem::path& file) : file_(file) {
    std::error_code ec;
    const auto status = std::filesystem::status(file, ec);
    if (!std::filesystem::exists(status)) fail(file, "cannot open: no such file");
    if (std::filesystem::is_directory(status)) fail(file, "cannot open: is a directory");
    plain_.open(file, std::ios::binary);
    if (!plain_)
      fail(file, "cannot open: " + std::error_code(errno, std::generic_category()).message());
    unsigned char head[2] = {0, 0};
    plain_.read(reinterpret_cast<char*>(head), 2);
    const bool gzip = plain_.gcount() == 2 && head[0] == 0x1f && head[1] == 0x8b;
    plain_.clear();
    plain_.seekg(0, std::ios::beg);
    if (!plain_) fail(file, "cannot open: not a seekable file");
    if (gzip) {
      gz_ = std::make_unique<Gzip>();
      if (inflateInit2(&gz_->z, 16 + MAX_WBITS) != Z_OK) {
        gz_.reset();
        fail(file, "cannot start gzip decompression (zlib: out of memory?)");
      }
      gz_->in.resize(std::size_t{1} << 17);
      return;
    }
    // Plain: the size is known up front (regular file), so the payload is checked before
    // allocating. Other files (pipes) are read as a stream.
    const auto size = std::filesystem::file_size(file, ec);
    size_known_ = !ec && std::filesystem::is_regular_file(status);
    remaining_ = size_known_ ? size : 0;
    if (size_known_ && remaining_ == 0) fail(file, "empty file (no IDX header)");
  }

  bool compressed() const { return gz_ != nullptr; }
  bool size_known() const { return !gz_ && size_known_; }
  std::uint64_t remaining() const { return remaining_; }

  // Reads up to n bytes; fewer only at the end of the data. A damaged or truncated gzip stream,
  // or junk after it, is an error, never a short read.
  std::size_t read(void* dst, std::size_t n) {
    auto* out = static_cast<char*>(dst);
    if (!gz_) {
      plain_.read(out, static_cast<std::streamsize>(n));
      const auto got = static_cast<std::size_t>(plain_.gcount());
      if (plain_.bad()) fail(file_, "read error");
      remaining_ -= std::min<std::uint64_t>(remaining_, got);
      return got;
    }
    return inflate_into(reinterpret_cast<unsigned char*>(out), n);
  }

  // Counts (and discards) whatever is left.
  std::uint64_t drain() {
    if (size_known()) return remaining_;
    std::vector<char> sink(1u << 16);
    std::uint64_t total = 0;
    while (std::size_t r = read(sink.data(), sink.size())) total += r;
    return total;
  }

 private:
  struct Gzip {
    z_stream z{};
    std::vector<unsigned char> in;   // compressed bytes read from the file, not yet inflated
    std::uint64_t file_offset = 0;   // file bytes moved into `in` so far
    bool member_ended = false;       // the last inflate call finished a member
    bool finished = false;           // end of the last member and of the file
    ~Gzip() { inflateEnd(&z); }
  };

  // Tops up the compressed input (keeping what is unread); false at the end of the file.
  bool refill() {
    z_stream& z = gz_->z;
    if (z.avail_in > 0 && z.next_in != gz_->in.data())
      std::memmove(gz_->in.data(), z.next_in, z.avail_in);
    z.next_in = gz_->in.data();
    const std::size_t space = gz_->in.size() - z.avail_in;
    if (space == 0) return true;
    plain_.read(reinterpret_cast<char*>(gz_->in.data() + z.avail_in), static_cast<std::streamsize>(space));
    const auto got = static_cast<std::size_t>(plain_.gcount());
    if (plain_.bad()) fail(file_, "read error");
    z.avail_in += static_cast<uInt>(got);
    gz_->file_offset += got;
    return got > 0;
  }

  // After a member's end: another member (1f 8b) is read on, the end of the file ends the data,
  // anything else is junk.
  void after_member() {
    z_stream& z = gz_->z;
    while (z.avail_in < 2 && refill()) {
    }
    if (z.avail_in == 0) {
      gz_->finished = true;
      return;
    }
    if (z.avail_in >= 2 && z.next_in[0] == 0x1f && z.next_in[1] == 0x8b) {
      if (inflateReset(&z) != Z_OK) fail(file_, "corrupt gzip stream: cannot start the next member");
      gz_->member_ended = false;
      return;
    }
    // Count the junk (to the end of the file) so the message can say how much there is.
    const std::uint64_t at = gz_->file_offset - z.avail_in;
    std::uint64_t junk = z.avail_in;
    z.avail_in = 0;
    while (refill()) {
      junk += z.avail_in;
      z.avail_in = 0;
    }
    fail(file_, "trailing data after the gzip stream: " + plural(junk, "byte") + " at offset " +
                    std::to_string(at) + " that " + (junk == 1 ? "is" : "are") + " not a gzip member");
  }

  std::size_t inflate_into(unsigned char* out, std::size_t n) {
    z_stream& z = gz_->z;
    std::size_t got = 0;
    while (got < n && !gz_->finished) {
      if (gz_->member_ended) {
        after_member();
        continue;
      }
      if (z.avail_in == 0 && !refill())
        fail(file_, "truncated gzip stream (unexpected end of compressed data)");
      const auto chunk = static_cast<uInt>(std::min<std::size_t>(n - got, 1u << 30));
      z.next_out = out + got;
      z.avail_out = chunk;
      const int r = inflate(&z, Z_NO_FLUSH);
      got += chunk - z.avail_out;
      if (r == Z_STREAM_END) {
        gz_->member_ended = true;
      } else if (r == Z_BUF_ERROR) {
        // No progress possible: inflate needs input that the file does not have.
        if (!refill()) fail(file_, "truncated gzip stream (unexpected end of compressed data)");
      } else if (r == Z_MEM_ERROR) {
        fail(file_, "gzip decompression ran out of memory");
      } else if (r != Z_OK) {
        fail(file_, std::string("corrupt gzip stream: ") +
                        (r == Z_NEED_DICT ? "needs a preset dictionary" : z.msg ? z.msg : "unknown zlib error"));
      }
    }
    return got;
  }

  std::filesystem::path file_;
  std::ifstream plain_;
  std::unique_ptr<Gzip> gz_;
  std::uint64_t remaining_ = 0;
  bool size_known_ = true;
};

struct Header {
  std::uint32_t magic = 0;
  std::vector<std::uint32_t> dims;
};

// Reads and checks magic and dimensions. kind is "image" or "label".
inline Header read_header(Source& in, const std::filesystem::path& file, std::uint32_t expected,
                          const char* kind) {
  std::array<std::uint8_t, 4> m{};
  const std::size_t got = in.read(m.data(), m.size());
  if (got == 0) fail(file, "empty file (no IDX header)");
  if (got < m.size())
    fail(file, "truncated header: expected 4 bytes of IDX magic, found " + std::to_string(got));
  Header h;
  h.magic = big_endian32(m.data());
  const std::uint32_t ndims_expected = expected & 0xFF;
  const std::string what = std::string("not an IDX ") + kind + " file: magic " + hex32(h.magic) +
                           ", expected " + hex32(expected);
  if (m[0] != 0 || m[1] != 0) fail(file, what);
  if (m[2] != 0x08)
    fail(file, what + " (data type " + hex8(m[2]) + ", only 0x08 unsigned byte is supported)");
  if (m[3] != ndims_expected) {
    const char* other = h.magic == label_magic ? " (this looks like an IDX label file)"
                        : h.magic == image_magic ? " (this looks like an IDX image file)"
                                                 : "";
    fail(file, what + other + ": " + plural(m[3], "dimension") + ", " + kind + "s need " +
                   std::to_string(ndims_expected));
  }
  std::vector<std::uint8_t> raw(4u * m[3]);
  const std::size_t got_dims = in.read(raw.data(), raw.size());
  if (got_dims < raw.size())
    fail(file, "truncated header: expected " + std::to_string(raw.size()) +
                   " bytes of dimension sizes, found " + std::to_string(got_dims));
  for (std::size_t i = 0; i < m[3]; ++i) h.dims.push_back(big_endian32(raw.data() + 4 * i));
  const std::uint32_t count = h.dims[0];
  if (count == 0) fail(file, std::string("bad dimensions: ") + kind + " count is 0");
  if (count > max_count)
    fail(file, std::string("bad dimensions: ") + kind + " count " + std::to_string(count) +
                   " is more than the limit " + std::to_string(max_count));
  for (std::size_t i = 1; i < h.dims.size(); ++i) {
    if (h.dims[i] == 0 || h.dims[i] > max_side)
      fail(file, std::string("bad dimensions: ") + (i == 1 ? "rows" : "cols") + " = " +
                     std::to_string(h.dims[i]) + ", must be 1.." + std::to_string(max_side));
  }
  return h;
}

// Reads exactly `expected` bytes of payload; a short file and extra bytes are both errors.
inline std::vector<std::uint8_t> read_payload(Source& in, const std::filesystem::path& file,
                                              std::uint64_t expected, const char* what) {
  const auto truncated = [&](std::uint64_t found) {
    fail(file, "truncated: expected " + std::to_string(expected) + " bytes of " + what +
                   ", found " + std::to_string(found));
  };
  const auto trailing = [&](std::uint64_t extra) {
    fail(file, "trailing data: " + plural(extra, "extra byte") + " after the " +
                   std::to_string(expected) + " bytes of " + what);
  };
  std::vector<std::uint8_t> data;
  if (in.size_known()) {
    // Checked before allocating, so a lying header cannot make us allocate gigabytes.
    if (in.remaining() < expected) truncated(in.remaining());
    if (in.remaining() > expected) trailing(in.remaining() - expected);
    data.resize(static_cast<std::size_t>(expected));
    const std::size_t got = in.read(data.data(), data.size());
    if (got < expected) truncated(got);  // file shrank under us
    return data;
  }
  // Compressed: grow as data arrives, so memory follows the real size, not the header's claim.
  std::uint64_t filled = 0;
  while (filled < expected) {
    const std::uint64_t step = std::min<std::uint64_t>(expected - filled, std::uint64_t{16} << 20);
    data.resize(static_cast<std::size_t>(filled + step));
    const std::size_t got = in.read(data.data() + filled, static_cast<std::size_t>(step));
    filled += got;
    if (got < step) truncated(filled);
  }
  if (const std::uint64_t extra = in.drain(); extra != 0) trailing(extra);
  return data;
}

}  // namespace idx_detail

// Reads an IDX image file (magic 0x00000803: count, rows, cols), plain or gzip-compressed.
inline Images read_idx_images(const std::filesystem::path& file) {
  using namespace idx_detail;
  Source in(file);
  const Header h = read_header(in, file, image_magic, "image");
  Images images;
  images.count = static_cast<int>(h.dims[0]);
  images.rows = static_cast<int>(h.dims[1]);
  images.cols = static_cast<int>(h.dims[2]);
  const std::uint64_t bytes = std::uint64_t{h.dims[0]} * h.dims[1] * h.dims[2];
  images.pixels = read_payload(in, file, bytes, "pixel data");
  return images;
}

// Reads an IDX label file (magic 0x00000801: count), plain or gzip-compressed. Every label must
// be below num_classes (1..256).
inline std::vector<std::uint8_t> read_idx_labels(const std::filesystem::path& file,
                                                 int num_classes = 10) {
  using namespace idx_detail;
  if (num_classes < 1 || num_classes > 256)
    throw std::invalid_argument("read_idx_labels: num_classes must be 1..256, got " +
                                std::to_string(num_classes));
  Source in(file);
  const Header h = read_header(in, file, label_magic, "label");
  std::vector<std::uint8_t> labels = read_payload(in, file, h.dims[0], "label data");
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] >= num_classes)
      fail(file, "label " + std::to_string(labels[i]) + " at index " + std::to_string(i) +
                     " is outside 0.." + std::to_string(num_classes - 1));
  }
  return labels;
}

namespace idx_detail {

// "<dir>/<part>-<kind>" or, failing that, "<dir>/<part>-<kind>.gz".
inline std::filesystem::path find_part(const std::filesystem::path& dir, std::string_view part,
                                       std::string_view kind) {
  const std::string base = std::string(part) + "-" + std::string(kind);
  const std::filesystem::path plain = dir / base;
  const std::filesystem::path gz = dir / (base + ".gz");
  std::error_code ec;
  if (std::filesystem::exists(plain, ec)) return plain;
  if (std::filesystem::exists(gz, ec)) return gz;
  throw DataError("no " + std::string(part) + " " + std::string(kind.substr(0, kind.find('-'))) +
                  " file found: tried " + plain.string() + " and " + gz.string());
}

}  // namespace idx_detail

// Loads "<part>-images-idx3-ubyte[.gz]" and "<part>-labels-idx1-ubyte[.gz]" from dir, where part
// is "train" or "t10k" for the MNIST family. The uncompressed file wins if both exist.
inline Dataset load_idx_dataset(const std::filesystem::path& dir, std::string_view part,
                                int num_classes = 10) {
  using namespace idx_detail;
  if (part.empty()) throw std::invalid_argument("load_idx_dataset: part is empty (\"train\" or \"t10k\")");
  const std::filesystem::path image_file = find_part(dir, part, "images-idx3-ubyte");
  const std::filesystem::path label_file = find_part(dir, part, "labels-idx1-ubyte");
  Dataset d;
  d.num_classes = num_classes;
  d.images = read_idx_images(image_file);
  d.labels = read_idx_labels(label_file, num_classes);
  if (d.labels.size() != static_cast<std::size_t>(d.images.count))
    throw DataError(label_file.string() + ": label count " + std::to_string(d.labels.size()) +
                    " does not match image count " + std::to_string(d.images.count) + " in " +
                    image_file.string());
  return d;
}

}  // namespace staticnet::data
