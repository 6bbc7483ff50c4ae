#!/usr/bin/env python3
"""tests/fuzz/make_corpus.py - (re)write the seed corpus of the IDX fuzz target.

Writes tests/fuzz/corpus/idx/: tiny valid image and label files, plain and gzip-compressed
(gzip with mtime 0, so the bytes are the same on every run), and a few broken ones. Every file
is well under 4 KB. Run it after changing this script and commit the result:
    tests/fuzz/make_corpus.py
"""
import gzip
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "idx")


def images(count, rows, cols, pixels=None):
    if pixels is None:
        pixels = bytes((i * 37 + 11) % 256 for i in range(count * rows * cols))
    return struct.pack(">IIII", 0x00000803, count, rows, cols) + bytes(pixels)


def labels(values):
    return struct.pack(">II", 0x00000801, len(values)) + bytes(values)


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def main():
    img = images(2, 3, 3)  # 2 images of 3x3
    lab = labels([3, 7])
    seeds = {
        "images-2x3x3": img,
        "labels-2": lab,
        "images-2x3x3.gz": gz(img),
        "labels-2.gz": gz(lab),
        "images-1x28x28": images(1, 28, 28),  # MNIST's shape
        "images-truncated": img[:-4],  # header promises 18 pixels, 14 are there
        "labels-truncated-header": lab[:6],
        "images-2x3x3-truncated.gz": gz(img)[:-6],  # gzip trailer cut
        "images-trailing-byte": img + b"\x00",
        "labels-out-of-range": labels([1, 10, 255]),  # fine for num_classes 256, not 10
        "wrong-magic": struct.pack(">IIII", 0x00000802, 2, 3, 3) + bytes(18),
        "labels-as-images-magic": struct.pack(">II", 0x00000803, 2) + bytes([0, 1]),
    }
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):  # stale seeds from an older version of this script
        if name not in seeds:
            os.remove(os.path.join(OUT, name))
    for name, data in sorted(seeds.items()):
        assert len(data) < 4096, name
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        print(f"{len(data):5d}  corpus/idx/{name}")


if __name__ == "__main__":
    main()
