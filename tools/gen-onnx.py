#!/usr/bin/env python3
"""tools/gen-onnx.py - the ONNX fixtures of tests/onnx, exported by PyTorch.

Run from the repository root with Debian's python (python3-torch 1.13, python3-numpy; the `onnx`
Python package is not needed):

    /usr/bin/python3 tools/gen-onnx.py                 # rewrites tests/fixtures/onnx/
    /usr/bin/python3 tools/gen-onnx.py --out /tmp/x    # somewhere else
    /usr/bin/python3 tools/gen-onnx.py --mnist DIR     # MNIST IDX files (plain or .gz); default
                                                       # $STATICNET_DATA/mnist, ~/.cache/staticnet/mnist

It takes ~10 s. Fixed seeds, torch single-threaded: rerunning gives the same weights and outputs.
What it writes (tests/fixtures/onnx/README.md lists it too):

  small_cnn.onnx         Conv-ReLU-BN-MaxPool-Conv-BN-ReLU-MaxPool-Flatten(view)-Linear-ReLU-Dropout-
                         Linear-Softmax, 5k parameters, trained 50 Adam steps on real MNIST (the BN
                         after the second conv is folded into it by the exporter)
  small_cnn_logits.onnx  the same trained network without the Softmax (ends in logits)
  deep.onnx, bn.onnx, nin.onnx
                         the seed networks of examples/seed_networks.hpp in PyTorch (Conv2d
                         padding=1 = 'same', BN after the ReLU, eps 1e-3, momentum 0.01 = Keras
                         0.99), random weights, BN statistics calibrated on MNIST then randomised;
                         nin.onnx has a dynamic batch axis
  rgb.onnx               3-channel 16x16 input: Conv-BN-ReLU-MaxPool(3, stride 1, padding 1)-Flatten-
                         BatchNorm1d-Linear-ReLU-Softmax, random weights and statistics
  reference.txt          the first 8 MNIST test images as raw 0..255 pixels (NHWC, as tools/train
                         feeds staticnet; every model here is trained/evaluated on raw pixels), their
                         labels, and each model's PyTorch output for them (fixture format v1,
                         tests/fixtures/FORMAT.md); rgb.onnx's two random input images (NHWC) and
                         its outputs
  unsupported_*.onnx     models staticnet_onnx_import must refuse: a dilated conv, a grouped conv,
                         a Sigmoid, a stride-2 conv with PyTorch padding=1 on an even input (not
                         TF 'same')
"""
import argparse
import gzip
import os
import struct
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
IMAGES = 8  # reference images (the first of t10k)


# ---- MNIST -----------------------------------------------------------------------------------
def read_idx(folder, stem):
    for name in (stem, stem + ".gz"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(path, "rb") as f:
                data = f.read()
            magic, = struct.unpack(">I", data[:4])
            ndim = magic & 0xFF
            dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
            return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)
    sys.exit(f"gen-onnx: {os.path.join(folder, stem)}[.gz] not found (run tools/setup, or pass --mnist DIR)")


def load_mnist(folder):
    return (read_idx(folder, "train-images-idx3-ubyte"), read_idx(folder, "train-labels-idx1-ubyte"),
            read_idx(folder, "t10k-images-idx3-ubyte"), read_idx(folder, "t10k-labels-idx1-ubyte"))


def as_input(images):
    """uint8 (N, 28, 28) -> float32 (N, 1, 28, 28), raw 0..255 (as staticnet's tools/train)."""
    return torch.from_numpy(images.astype(np.float32)).unsqueeze(1)


# ---- networks --------------------------------------------------------------------------------
class SmallCnn(nn.Module):
    """Conv-ReLU-BN-MaxPool-Conv-BN-ReLU-MaxPool-Flatten-Linear-ReLU-Dropout-Linear[-Softmax]."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)        # 28x28x4, 'same'
        self.bn1 = nn.BatchNorm2d(4)                      # PyTorch defaults: eps 1e-5, momentum 0.1
        self.pool = nn.MaxPool2d(2)                       # 14x14x4
        self.conv2 = nn.Conv2d(4, 8, 3, bias=False)       # 12x12x8, 'valid'
        self.bn2 = nn.BatchNorm2d(8)                      # folded into conv2 by the exporter
        self.fc1 = nn.Linear(8 * 6 * 6, 16)
        self.dropout = nn.Dropout(0.2)
        self.fc2 = nn.Linear(16, 10)
        self.softmax = True

    def forward(self, x):
        x = self.pool(self.bn1(torch.relu(self.conv1(x))))
        x = self.pool(torch.relu(self.bn2(self.conv2(x))))
        x = x.view(x.size(0), -1)                         # exported as Reshape
        x = self.fc2(self.dropout(torch.relu(self.fc1(x))))
        return torch.softmax(x, dim=1) if self.softmax else x


def conv3x3_32(cin):
    return [nn.Conv2d(cin, 32, 3, padding=1), nn.ReLU()]


def conv1x1_16(cin):
    return [nn.Conv2d(cin, 16, 1), nn.ReLU()]


def bn(c):
    return nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)    # = Keras BatchNormalization()


def head(features, dropout):
    layers = [nn.Flatten(), nn.Linear(features, 32), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(0.2))
    return layers + [nn.Linear(32, 10), nn.Softmax(dim=1)]


def seed_network(name):
    if name == "deep":
        layers = (conv3x3_32(1) + conv3x3_32(32) + [nn.MaxPool2d(2)] + conv3x3_32(32) + conv3x3_32(32) +
                  [nn.MaxPool2d(2)] + head(7 * 7 * 32, False))
    elif name == "bn":
        layers = (conv3x3_32(1) + [bn(32)] + conv3x3_32(32) + [bn(32), nn.MaxPool2d(2)] + conv3x3_32(32) +
                  [bn(32), bn(32)] + conv3x3_32(32) + [nn.MaxPool2d(2)] + head(7 * 7 * 32, True))
    else:  # nin
        layers = (conv3x3_32(1) + [bn(32)] + conv1x1_16(32) + [bn(16), nn.MaxPool2d(2)] + conv3x3_32(16) +
                  [bn(32)] + conv1x1_16(32) + [bn(16), nn.MaxPool2d(2)] + head(7 * 7 * 16, True))
    return nn.Sequential(*layers)


class Rgb(nn.Module):
    """3-channel 16x16 input: Conv-BN-ReLU (folded) - MaxPool 3x3 stride 1 'same' - Flatten -
    BatchNorm1d (its features permuted like the Dense rows) - Linear-ReLU - Softmax (standalone)."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                                  nn.MaxPool2d(3, stride=1, padding=1), nn.Flatten(), nn.BatchNorm1d(4 * 16 * 16))
        self.fc = nn.Linear(4 * 16 * 16, 5)

    def forward(self, x):
        return torch.softmax(torch.relu(self.fc(self.body(x))), dim=1)


def randomise_batch_norms(model, images, gen):
    """Running statistics measured on real images (so activations stay in a sane range), then
    perturbed; gamma and beta random too."""
    bns = [m for m in model.modules() if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d))]
    for m in bns:
        m.momentum = 1.0  # running = this batch's statistics
    model.train()
    with torch.no_grad():
        model(images)
        for m in bns:
            m.momentum = 0.01
            c = m.num_features
            m.running_mean += 0.2 * m.running_var.sqrt() * torch.randn(c, generator=gen)
            m.running_var *= 0.5 + 1.5 * torch.rand(c, generator=gen)
            m.weight.copy_(0.5 + torch.rand(c, generator=gen))
            m.bias.copy_(0.2 * torch.randn(c, generator=gen))
    model.eval()


class Unsupported(nn.Module):
    """A supported Conv-ReLU, then the layer under test, then MaxPool(7)-Flatten-Linear (small)."""

    def __init__(self, layer):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1)
        self.layer = layer
        self.pool = nn.MaxPool2d(7)
        with torch.no_grad():
            features = self.features(torch.zeros(1, 1, 28, 28)).shape[1]
        self.fc = nn.Linear(features, 10)

    def features(self, x):
        return torch.flatten(self.pool(self.layer(torch.relu(self.conv(x)))), 1)

    def forward(self, x):
        return self.fc(self.features(x))


# ---- output ----------------------------------------------------------------------------------
def export(model, path, dynamic_batch=False, output="probabilities", shape=(1, 1, 28, 28)):
    model.eval()
    kwargs = {}
    if dynamic_batch:
        kwargs["dynamic_axes"] = {"image": {0: "batch"}, output: {0: "batch"}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.zeros(*shape), path, opset_version=13, input_names=["image"],
                          output_names=[output], **kwargs)
    return os.path.getsize(path)


def tensor_record(name, array, per_line):
    flat = np.asarray(array, dtype=np.float64).reshape(-1)
    lines = [f"tensor {name} {array.ndim} " + " ".join(str(d) for d in array.shape)]
    for i in range(0, flat.size, per_line):
        lines.append(" ".join(repr(float(v)) if v != int(v) or abs(v) > 1e15 else str(int(v))
                              for v in flat[i:i + per_line]))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "fixtures", "onnx"))
    data = os.environ.get("STATICNET_DATA", os.path.expanduser("~/.cache/staticnet"))
    ap.add_argument("--mnist", default=os.path.join(data, "mnist"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)
    train_x, train_y, test_x, test_y = load_mnist(args.mnist)
    x_ref = as_input(test_x[:IMAGES])
    outputs, sizes, notes = {}, {}, []

    # (a) the small CNN, trained 50 Adam steps (batch 64) on the first 3,200 training images.
    torch.manual_seed(1)
    net = SmallCnn()
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    net.train()
    net.softmax = False
    for step in range(50):
        xb = as_input(train_x[step * 64:(step + 1) * 64])
        yb = torch.from_numpy(train_y[step * 64:(step + 1) * 64].astype(np.int64))
        loss = nn.functional.cross_entropy(net(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    net.eval()
    with torch.no_grad():
        accuracy = (net(as_input(test_x[:1000])).argmax(1).numpy() == test_y[:1000]).mean()
    notes.append(f"small_cnn: 50 Adam steps (lr 3e-3, batch 64), last loss {loss.item():.3f}, "
                 f"accuracy on the first 1000 test images {accuracy:.3f}")
    for name, softmax in (("small_cnn", True), ("small_cnn_logits", False)):
        net.softmax = softmax
        with torch.no_grad():
            outputs[name] = net(x_ref).numpy()
        sizes[name] = export(net, os.path.join(args.out, name + ".onnx"),
                             output="probabilities" if softmax else "logits")

    # (b) the seed networks, random weights and BN statistics.
    calibration = as_input(train_x[:256])
    for i, name in enumerate(("deep", "bn", "nin")):
        torch.manual_seed(100 + i)
        gen = torch.Generator().manual_seed(200 + i)
        net = seed_network(name)
        randomise_batch_norms(net, calibration, gen)
        # Logits with a spread of ~2 over the classes, so the probabilities are far from uniform.
        with torch.no_grad():
            spread = net[:-1](calibration).std(dim=1).mean().item()
            net[-2].weight *= 2.0 / spread
            net[-2].bias *= 2.0 / spread
        with torch.no_grad():
            outputs[name] = net(x_ref).numpy()
        sizes[name] = export(net, os.path.join(args.out, name + ".onnx"), dynamic_batch=name == "nin")
        top = outputs[name].max(1).astype(np.float64)
        notes.append(f"{name}: largest probability per image {np.round(top, 3).tolist()}")

    # (d) three channels: staticnet reads NHWC, PyTorch NCHW; two random 16x16 RGB images.
    torch.manual_seed(300)
    gen = torch.Generator().manual_seed(301)
    rgb_images = np.random.default_rng(302).integers(0, 256, size=(66, 16, 16, 3)).astype(np.float32)
    rgb_nchw = torch.from_numpy(rgb_images.transpose(0, 3, 1, 2).copy())
    net = Rgb()
    randomise_batch_norms(net, rgb_nchw[2:], gen)
    with torch.no_grad():
        logits = net.fc(net.body(rgb_nchw[2:]))
        net.fc.weight *= 2.0 / logits.std(dim=1).mean().item()
        outputs["rgb"] = net(rgb_nchw[:2]).numpy()
    sizes["rgb"] = export(net, os.path.join(args.out, "rgb.onnx"), shape=(1, 3, 16, 16))

    # (c) models the importer refuses.
    torch.manual_seed(7)
    unsupported = {
        "unsupported_dilated": Unsupported(nn.Conv2d(2, 2, 3, dilation=2)),
        "unsupported_grouped": Unsupported(nn.Conv2d(2, 2, 3, padding=1, groups=2)),
        "unsupported_sigmoid": Unsupported(nn.Sigmoid()),
        "unsupported_stride2_pad1": Unsupported(nn.Conv2d(2, 2, 3, stride=2, padding=1)),
    }
    for name, net in unsupported.items():
        sizes[name] = export(net, os.path.join(args.out, name + ".onnx"), output="logits")

    with open(os.path.join(args.out, "reference.txt"), "w") as f:
        f.write("# staticnet fixture v1\n")
        f.write("# Written by tools/gen-onnx.py (do not edit): the first 8 MNIST test images, raw 0..255\n")
        f.write("# pixels, NHWC; their labels; each model's PyTorch 1.13 output (float32, eval mode).\n")
        for n in notes:
            f.write(f"# {n}\n")
        f.write(f"scalar batch {IMAGES}\n")
        f.write(tensor_record("input", test_x[:IMAGES].reshape(IMAGES, 28, 28, 1), 28))
        f.write(tensor_record("labels", test_y[:IMAGES], IMAGES))
        f.write(tensor_record("rgb.input", rgb_images[:2], 48))
        for name, y in outputs.items():
            f.write(tensor_record(name + ".output", y, 5))
    for name, size in sizes.items():
        print(f"gen-onnx: {name}.onnx {size} bytes")
    for n in notes:
        print("gen-onnx:", n)


if __name__ == "__main__":
    main()
