// IDX reader: good files (plain and gzip) read exactly; every kind of bad file fails with a
// DataError that names the file and the problem.
#include <staticnet/data/idx.hpp>

#include <doctest/doctest.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

namespace fs = std::filesystem;
using namespace staticnet::data;
using Bytes = std::vector<std::uint8_t>;

namespace {

// A fresh directory under the system temp dir, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path = fs::temp_directory_path() /
           ("staticnet-idx-" + std::to_string(stamp) + "-" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  fs::path operator/(const std::string& name) const { return path / name; }
};

void put32(Bytes& b, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<std::uint8_t>(v >> shift));
}

Bytes idx_images(std::uint32_t count, std::uint32_t rows, std::uint32_t cols, const Bytes& pixels) {
  Bytes b;
  put32(b, 0x00000803);
  put32(b, count);
  put32(b, rows);
  put32(b, cols);
  b.insert(b.end(), pixels.begin(), pixels.end());
  return b;
}

Bytes idx_labels(const Bytes& labels) {
  Bytes b;
  put32(b, 0x00000801);
  put32(b, static_cast<std::uint32_t>(labels.size()));
  b.insert(b.end(), labels.begin(), labels.end());
  return b;
}

// 3 images of 2x3, pixel value = 10 * image + position, so every byte is distinct.
Bytes sample_pixels() {
  Bytes p;
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 6; ++k) p.push_back(static_cast<std::uint8_t>(10 * i + k));
  return p;
}
Bytes sample_images() { return idx_images(3, 2, 3, sample_pixels()); }
const Bytes sample_label_values = {7, 0, 9};
Bytes sample_labels() { return idx_labels(sample_label_values); }

void write_file(const fs::path& file, const Bytes& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

void write_gzip(const fs::path& file, const Bytes& bytes) {
  gzFile gz = gzopen(file.string().c_str(), "wb9");
  REQUIRE(gz != nullptr);
  if (!bytes.empty())
    REQUIRE(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())) ==
            static_cast<int>(bytes.size()));
  REQUIRE(gzclose(gz) == Z_OK);
}

Bytes read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Runs f, which must throw DataError; returns the message (empty if it did not throw one).
template <class F>
std::string data_error(F&& f) {
  try {
    f();
  } catch (const DataError& e) {
    return e.what();
  } catch (const std::exception& e) {
    FAIL_CHECK("expected DataError, got another exception: " << e.what());
    return {};
  }
  FAIL_CHECK("expected DataError, nothing was thrown");
  return {};
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The message names the file and contains every expected word.
void check_message(const std::string& message, const fs::path& file,
                   std::initializer_list<const char*> words) {
  INFO("message: " << message);
  CHECK(contains(message, file.string()));
  for (const char* w : words) {
    INFO("expected words: " << w);
    CHECK(contains(message, w));
  }
}

// read_idx_images(file) / read_idx_labels(file[, num_classes]) must fail with a DataError that
// names the file and contains every expected word.
void check_images_error(const fs::path& file, std::initializer_list<const char*> words) {
  check_message(data_error([&] { read_idx_images(file); }), file, words);
}
// num_classes = 10: read_idx_labels' own default.
void check_labels_error(const fs::path& file, std::initializer_list<const char*> words,
                        int num_classes = 10) {
  check_message(data_error([&] { read_idx_labels(file, num_classes); }), file, words);
}

// `bytes` written to dir/name (plain) or dir/name.gz (compressed); returns the path.
enum class Storage { plain, gzip };
fs::path write_stored(const TempDir& dir, const std::string& name, const Bytes& bytes,
                      Storage how) {
  const fs::path file = dir / (how == Storage::gzip ? name + ".gz" : name);
  if (how == Storage::gzip) write_gzip(file, bytes);
  else write_file(file, bytes);
  return file;
}

// `bytes` stored in a fresh file must fail to read as images / labels with a DataError that
// names the file and contains every expected word.
void check_bad_images(const Bytes& bytes, std::initializer_list<const char*> words,
                      Storage how = Storage::plain) {
  TempDir dir;
  check_images_error(write_stored(dir, "images", bytes, how), words);
}
void check_bad_labels(const Bytes& bytes, std::initializer_list<const char*> words,
                      Storage how = Storage::plain) {
  TempDir dir;
  check_labels_error(write_stored(dir, "labels", bytes, how), words);
}

// The train and t10k parts of a dataset in MNIST's layout: 60000 and 10000 28x28 images, one
// label each.
std::pair<Dataset, Dataset> load_28x28(const fs::path& dir) {
  std::pair<Dataset, Dataset> parts{load_idx_dataset(dir, "train"), load_idx_dataset(dir, "t10k")};
  CHECK(parts.first.size() == 60000);
  CHECK(parts.second.size() == 10000);
  for (const Dataset* d : {&parts.first, &parts.second}) {
    CHECK(d->images.rows == 28);
    CHECK(d->images.cols == 28);
    CHECK(d->images.pixels.size() == static_cast<std::size_t>(d->size()) * 28u * 28u);
    CHECK(d->labels.size() == static_cast<std::size_t>(d->size()));
  }
  return parts;
}

}  // namespace

TEST_SUITE("data/idx good files") {
  TEST_CASE("plain images are read exactly") {
    TempDir dir;
    write_file(dir / "images", sample_images());
    const Images im = read_idx_images(dir / "images");
    CHECK(im.count == 3);
    CHECK(im.rows == 2);
    CHECK(im.cols == 3);
    CHECK(im.pixels == sample_pixels());
    CHECK(im.pixels[2 * 6 + 1 * 3 + 2] == 25);  // image 2, row 1, col 2
  }

  TEST_CASE("plain labels are read exactly") {
    TempDir dir;
    write_file(dir / "labels", sample_labels());
    CHECK(read_idx_labels(dir / "labels") == sample_label_values);
  }

  TEST_CASE("gzip is recognised by content, not by name") {
    TempDir dir;
    SUBCASE("compressed with .gz name") {
      write_gzip(dir / "images.gz", sample_images());
      write_gzip(dir / "labels.gz", sample_labels());
      const Images im = read_idx_images(dir / "images.gz");
      CHECK(im.count == 3);
      CHECK(im.rows == 2);
      CHECK(im.cols == 3);
      CHECK(im.pixels == sample_pixels());
      CHECK(read_idx_labels(dir / "labels.gz") == sample_label_values);
    }
    SUBCASE("compressed without .gz name") {
      write_gzip(dir / "images", sample_images());
      CHECK(read_idx_images(dir / "images").pixels == sample_pixels());
    }
    SUBCASE("plain with .gz name") {
      write_file(dir / "labels.gz", sample_labels());
      CHECK(read_idx_labels(dir / "labels.gz") == sample_label_values);
    }
  }

  TEST_CASE("a gzip payload larger than the reader's chunk is read whole") {
    // 40 images of 512x512 = 10 MiB decompressed; exercises buffered streaming.
    TempDir dir;
    Bytes pixels(40u * 512u * 512u);
    for (std::size_t i = 0; i < pixels.size(); ++i)
      pixels[i] = static_cast<std::uint8_t>((i * 2654435761u) >> 24);
    write_gzip(dir / "big.gz", idx_images(40, 512, 512, pixels));
    const Images im = read_idx_images(dir / "big.gz");
    CHECK(im.count == 40);
    CHECK(im.rows == 512);
    CHECK(im.cols == 512);
    CHECK(im.pixels == pixels);
  }

  TEST_CASE("concatenated gzip members are one stream, as gzip(1) reads them") {
    TempDir dir;
    const Bytes whole = sample_images();
    const Bytes first(whole.begin(), whole.begin() + 7), second(whole.begin() + 7, whole.end());
    write_gzip(dir / "a.gz", first);
    write_gzip(dir / "b.gz", second);
    write_gzip(dir / "empty.gz", {});
    Bytes joined = read_file(dir / "a.gz");
    const Bytes b = read_file(dir / "b.gz"), empty = read_file(dir / "empty.gz");
    joined.insert(joined.end(), b.begin(), b.end());
    joined.insert(joined.end(), empty.begin(), empty.end());  // an empty last member too
    write_file(dir / "images.gz", joined);
    const Images im = read_idx_images(dir / "images.gz");
    CHECK(im.count == 3);
    CHECK(im.pixels == sample_pixels());
  }

  TEST_CASE("num_classes bounds the labels") {
    TempDir dir;
    write_file(dir / "labels", idx_labels({0, 25, 46}));
    CHECK(read_idx_labels(dir / "labels", 47) == Bytes{0, 25, 46});
    CHECK_THROWS_AS(read_idx_labels(dir / "labels", 0), std::invalid_argument);
    CHECK_THROWS_AS(read_idx_labels(dir / "labels", 257), std::invalid_argument);
  }

  TEST_CASE("load_idx_dataset finds plain and .gz files") {
    TempDir dir;
    SUBCASE("plain") {
      write_file(dir / "train-images-idx3-ubyte", sample_images());
      write_file(dir / "train-labels-idx1-ubyte", sample_labels());
    }
    SUBCASE("gzip") {
      write_gzip(dir / "train-images-idx3-ubyte.gz", sample_images());
      write_gzip(dir / "train-labels-idx1-ubyte.gz", sample_labels());
    }
    SUBCASE("mixed") {
      write_file(dir / "train-images-idx3-ubyte", sample_images());
      write_gzip(dir / "train-labels-idx1-ubyte.gz", sample_labels());
    }
    SUBCASE("plain wins over .gz when both exist") {
      write_file(dir / "train-images-idx3-ubyte", sample_images());
      write_file(dir / "train-labels-idx1-ubyte", sample_labels());
      write_file(dir / "train-images-idx3-ubyte.gz", Bytes{1, 2, 3});  // would fail if read
      write_file(dir / "train-labels-idx1-ubyte.gz", Bytes{1, 2, 3});
    }
    const Dataset d = load_idx_dataset(dir.path, "train");
    CHECK(d.size() == 3);
    CHECK(d.num_classes == 10);
    CHECK(d.images.rows == 2);
    CHECK(d.images.cols == 3);
    CHECK(d.images.pixels == sample_pixels());
    CHECK(d.labels == sample_label_values);
  }
}

TEST_SUITE("data/idx bad files") {
  TEST_CASE("missing file") {
    TempDir dir;
    const fs::path file = dir / "nope-images";
    check_images_error(file, {"cannot open"});
    check_labels_error(file, {"cannot open"});
  }

  TEST_CASE("a directory is not a file") {
    TempDir dir;
    check_images_error(dir.path, {"cannot open", "directory"});
  }

  TEST_CASE("missing dataset part names both tried paths") {
    TempDir dir;
    const std::string message = data_error([&] { load_idx_dataset(dir.path, "t10k"); });
    INFO("message: " << message);
    CHECK(contains(message, (dir / "t10k-images-idx3-ubyte").string()));
    CHECK(contains(message, (dir / "t10k-images-idx3-ubyte.gz").string()));
    write_file(dir / "t10k-images-idx3-ubyte", sample_images());
    const std::string labels = data_error([&] { load_idx_dataset(dir.path, "t10k"); });
    INFO("message: " << labels);
    CHECK(contains(labels, (dir / "t10k-labels-idx1-ubyte").string()));
    CHECK(contains(labels, (dir / "t10k-labels-idx1-ubyte.gz").string()));
  }

  TEST_CASE("empty file") {
    check_bad_images({}, {"empty file"});
    check_bad_labels({}, {"empty file"}, Storage::gzip);
  }

  TEST_CASE("truncated header") {
    SUBCASE("in the magic") {
      check_bad_images(Bytes{0x00, 0x00, 0x08},
                       {"truncated header", "expected 4 bytes", "found 3"});
    }
    SUBCASE("in the dimensions") {
      Bytes b = sample_images();
      b.resize(10);  // magic + count + half of rows
      check_bad_images(b, {"truncated header", "expected 12 bytes", "found 6"});
    }
  }

  TEST_CASE("truncated payload") {
    Bytes b = sample_images();
    b.resize(b.size() - 5);
    check_bad_images(b, {"truncated: expected 18 bytes of pixel data, found 13"});
    Bytes l = sample_labels();
    l.pop_back();
    check_bad_labels(l, {"truncated: expected 3 bytes of label data, found 2"});
  }

  TEST_CASE("truncated payload inside a complete gzip stream") {
    Bytes b = sample_images();
    b.resize(b.size() - 5);
    check_bad_images(b, {"truncated: expected 18 bytes of pixel data, found 13"}, Storage::gzip);
  }

  TEST_CASE("truncated gzip stream") {
    TempDir dir;
    const fs::path full = dir / "full.gz";
    Bytes pixels(20u * 28u * 28u);
    for (std::size_t i = 0; i < pixels.size(); ++i)
      pixels[i] = static_cast<std::uint8_t>((i * 2654435761u) >> 24);  // not compressible
    write_gzip(full, idx_images(20, 28, 28, pixels));
    const Bytes compressed = read_file(full);
    REQUIRE(compressed.size() > 100);
    const fs::path file = dir / "cut.gz";
    SUBCASE("cut in the middle") {
      write_file(file, Bytes(compressed.begin(), compressed.begin() + compressed.size() / 2));
    }
    SUBCASE("only the 8-byte trailer missing") {
      write_file(file, Bytes(compressed.begin(), compressed.end() - 8));
    }
    SUBCASE("cut inside the gzip header") {
      write_file(file, Bytes(compressed.begin(), compressed.begin() + 5));
    }
    check_images_error(file, {"truncated gzip stream"});
  }

  TEST_CASE("corrupt gzip stream") {
    TempDir dir;
    const fs::path file = dir / "labels.gz";
    write_gzip(file, sample_labels());
    Bytes b = read_file(file);
    b[b.size() - 6] ^= 0xFF;  // inside the CRC-32 of the trailer
    write_file(file, b);
    check_labels_error(file, {"corrupt gzip stream"});
    // The file name once (zlib's own message starts with it too; found by tools/fuzz idx).
    const std::string what = data_error([&] { read_idx_labels(file, 10); });
    CHECK(what.find(file.string()) == what.rfind(file.string()));
  }

  TEST_CASE("wrong magic") {
    Bytes b = sample_images();
    b[0] = 0x12;
    b[1] = 0x34;
    check_bad_images(b, {"not an IDX image file: magic 0x12340803, expected 0x00000803"});
  }

  TEST_CASE("unsupported data type") {
    Bytes b = sample_labels();
    b[2] = 0x0D;  // float
    check_bad_labels(b, {"not an IDX label file: magic 0x00000D01, expected 0x00000801",
                         "data type 0x0D"});
  }

  TEST_CASE("images and labels swapped") {
    TempDir dir;
    write_file(dir / "images", sample_images());
    write_file(dir / "labels", sample_labels());
    check_images_error(dir / "labels",
                       {"not an IDX image file: magic 0x00000801, expected 0x00000803",
                        "label file"});
    check_labels_error(dir / "images",
                       {"not an IDX label file: magic 0x00000803, expected 0x00000801",
                        "image file"});
    // load_idx_dataset with the files' names swapped on disk.
    TempDir swapped;
    write_file(swapped / "train-images-idx3-ubyte", sample_labels());
    write_file(swapped / "train-labels-idx1-ubyte", sample_images());
    check_message(data_error([&] { load_idx_dataset(swapped.path, "train"); }),
                  swapped / "train-images-idx3-ubyte", {"not an IDX image file"});
  }

  TEST_CASE("bad dimensions") {
    SUBCASE("zero count") {
      check_bad_images(idx_images(0, 2, 3, {}), {"bad dimensions", "count is 0"});
    }
    SUBCASE("zero rows") {
      check_bad_images(idx_images(3, 0, 3, {}), {"bad dimensions", "rows = 0"});
    }
    SUBCASE("huge cols") {
      check_bad_images(idx_images(1, 2, 5000, Bytes(10000)),
                       {"bad dimensions", "cols = 5000", "1..4096"});
    }
    SUBCASE("huge count") {
      check_bad_images(idx_images(10'000'001, 1, 1, {}), {"bad dimensions", "count 10000001"});
    }
    SUBCASE("header claims far more than the file holds: no giant allocation") {
      check_bad_images(idx_images(10'000'000, 4096, 4096, Bytes(100)),
                       {"truncated: expected 167772160000000 bytes of pixel data, found 100"});
    }
  }

  TEST_CASE("label out of range") {
    TempDir dir;
    const fs::path file = dir / "labels";
    Bytes labels(400, 3);
    labels[345] = 12;
    write_file(file, idx_labels(labels));
    check_labels_error(file, {"label 12 at index 345 is outside 0..9"});
    CHECK(read_idx_labels(file, 13).at(345) == 12);
    check_labels_error(file, {"label 12 at index 345 is outside 0..11"}, 12);
  }

  TEST_CASE("label count differs from image count") {
    TempDir dir;
    write_file(dir / "train-images-idx3-ubyte", sample_images());
    write_gzip(dir / "train-labels-idx1-ubyte.gz", idx_labels({1, 2}));
    const std::string message = data_error([&] { load_idx_dataset(dir.path, "train"); });
    check_message(message, dir / "train-labels-idx1-ubyte.gz",
                  {"label count 2", "does not match image count 3"});
    CHECK(contains(message, (dir / "train-images-idx3-ubyte").string()));
  }

  TEST_CASE("trailing bytes") {
    Bytes b = sample_images();
    b.push_back(0);
    b.push_back(1);
    SUBCASE("plain") { check_bad_images(b, {"trailing data: 2 extra bytes"}); }
    SUBCASE("gzip") { check_bad_images(b, {"trailing data: 2 extra bytes"}, Storage::gzip); }
    SUBCASE("labels") {
      Bytes l = sample_labels();
      l.push_back(1);
      check_bad_labels(l, {"trailing data: 1 extra byte after the 3 bytes of label data"});
    }
  }
}

TEST_SUITE("data/idx junk after gzip") {
  // zlib's gzread ignores whatever follows the gzip data; found by tools/fuzz idx
  // (tests/fuzz/regressions/idx/gzip-trailing-junk-accepted). Now it is an error naming the
  // file, the amount and where it starts; another gzip member is not junk (test above).
  TEST_CASE("bytes after the last gzip member are an error") {
    TempDir dir;
    const fs::path file = dir / "labels.gz";
    write_gzip(dir / "clean.gz", sample_labels());
    const Bytes clean = read_file(dir / "clean.gz");
    const std::string at = std::to_string(clean.size());
    SUBCASE("three bytes") {
      Bytes b = clean;
      b.insert(b.end(), {0x00, 0x41, 0x0A});
      write_file(file, b);
      CHECK(data_error([&] { read_idx_labels(file); }) ==
            file.string() + ": trailing data after the gzip stream: 3 bytes at offset " + at +
                " that are not a gzip member");
    }
    SUBCASE("one byte that starts like a gzip member") {
      Bytes b = clean;
      b.push_back(0x1f);
      write_file(file, b);
      CHECK(data_error([&] { read_idx_labels(file); }) ==
            file.string() + ": trailing data after the gzip stream: 1 byte at offset " + at +
                " that is not a gzip member");
    }
    SUBCASE("junk after a second member") {
      Bytes b = clean;
      write_gzip(dir / "empty.gz", {});
      const Bytes empty = read_file(dir / "empty.gz");
      b.insert(b.end(), empty.begin(), empty.end());
      b.insert(b.end(), {'j', 'u', 'n', 'k'});
      write_file(file, b);
      CHECK(data_error([&] { read_idx_labels(file); }) ==
            file.string() + ": trailing data after the gzip stream: 4 bytes at offset " +
                std::to_string(clean.size() + empty.size()) + " that are not a gzip member");
    }
    SUBCASE("a truncated second member") {
      Bytes b = clean;
      b.insert(b.end(), clean.begin(), clean.begin() + 12);
      write_file(file, b);
      check_labels_error(file, {"truncated gzip stream"});
    }
  }

  TEST_CASE("junk after the gzip stream of images, through load_idx_dataset") {
    TempDir dir;
    write_gzip(dir / "train-images-idx3-ubyte.gz", sample_images());
    write_gzip(dir / "train-labels-idx1-ubyte.gz", sample_labels());
    Bytes b = read_file(dir / "train-images-idx3-ubyte.gz");
    b.resize(b.size() + 100, 0);  // zero padding is junk too
    write_file(dir / "train-images-idx3-ubyte.gz", b);
    check_message(data_error([&] { load_idx_dataset(dir.path, "train"); }),
                  dir / "train-images-idx3-ubyte.gz",
                  {"trailing data after the gzip stream: 100 bytes at offset"});
  }
}

TEST_SUITE("data/idx real datasets") {
  TEST_CASE("MNIST from $STATICNET_DATA/mnist") {
    const char* root = std::getenv("STATICNET_DATA");
    if (root == nullptr || !fs::exists(fs::path(root) / "mnist" / "train-images-idx3-ubyte")) {
      MESSAGE("skipped: set STATICNET_DATA to a directory with mnist/train-images-idx3-ubyte");
      return;
    }
    const auto [train, test] = load_28x28(fs::path(root) / "mnist");
    CHECK(train.labels.front() == 5);
    CHECK(test.labels.front() == 7);
    CHECK(std::accumulate(train.labels.begin(), train.labels.end(), 0L) == 267236);
    CHECK(std::accumulate(test.labels.begin(), test.labels.end(), 0L) == 44434);
    // The first training image (a 5): sum of its 784 pixels.
    CHECK(std::accumulate(train.images.pixels.begin(), train.images.pixels.begin() + 784, 0L) ==
          27525);
  }

  TEST_CASE("Fashion-MNIST .gz from /usr/share/datasets/fashion-mnist") {
    const fs::path dir = "/usr/share/datasets/fashion-mnist";
    if (!fs::exists(dir / "train-images-idx3-ubyte.gz")) {
      MESSAGE("skipped: package dataset-fashion-mnist is not installed");
      return;
    }
    const auto [train, test] = load_28x28(dir);
    // Fashion-MNIST is balanced: 6000 training and 1000 test images per class.
    std::vector<int> train_per_class(10, 0), test_per_class(10, 0);
    for (auto l : train.labels) ++train_per_class[l];
    for (auto l : test.labels) ++test_per_class[l];
    for (int n : train_per_class) CHECK(n == 6000);
    for (int n : test_per_class) CHECK(n == 1000);
    CHECK(train.labels.front() == 9);  // the first image of each part is an ankle boot
    CHECK(test.labels.front() == 9);
  }
}
