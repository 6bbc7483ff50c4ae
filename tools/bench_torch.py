#!/usr/bin/python3
"""PyTorch reference for tools/bench: the seed networks (Deep, Bn, Nin) as torch modules, timed
the way tests/bench (staticnet_bench networks) times staticnet, printed as JSON on stdout.
One process per thread count: the thread variables must be set before torch is imported.

  train         forward, CrossEntropyLoss, backward, Adam step on a batch of 64 (train mode)
  predict1      eval-mode forward + softmax of 1 sample: latency, median of >= 1,000 calls
  predict64     the same for 64 samples
  predict1000   the same for 1,000 samples, one call (a real batch of 1,000)

PyTorch's fastest configuration, chosen per network and operation by a short pilot run of every
candidate (the choice is reported):
  train:    eager, NCHW-contiguous or channels_last, Adam(foreach=False) or Adam(foreach=True)
  predict:  eager under torch.inference_mode() or torch.jit.trace + torch.jit.freeze +
            torch.jit.optimize_for_inference (oneDNN), each NCHW-contiguous or channels_last
Threads: --threads N sets OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, MKL_NUM_THREADS to N BEFORE
torch is imported, then torch.set_num_threads(N) (interop threads 1).

Inputs are the ones staticnet_bench uses: the first 8,192 MNIST training images as raw 0..255
floats, batch k of size B starting at image (k * B) mod 8192 (consecutive batches, cycling), the
pool extended by its first 1,000 images so every batch is contiguous; or, with --noise, the old
bench's one fixed batch of uniform 0..255 noise with labels 0..9 from staticnet's
Rng(20240601) stream (reproduced here bit for bit), every call on the same batch.
Timing: wall clock (time.perf_counter) per call; warm-up, then calls until both a minimum count
and a minimum time; the median call is the headline, the mean is reported beside it.

Same layers and shapes as examples/seed_networks.hpp (Keras "same" 3x3 convs, BatchNorm with
Keras' momentum 0.99 / epsilon 1e-3, Dropout 0.2, Adam with Keras' epsilon 1e-7). The softmax of
the last Dense layer is folded into CrossEntropyLoss for training (PyTorch's usual form) and
applied explicitly for prediction.

Memory (--memory NET, run by the main mode in a fresh subprocess per network, unless
--no-memory):
  tensor_bytes.persistent      parameters + gradients + Adam's two moments (+ BN buffers), exact
  tensor_bytes.saved           distinct non-parameter tensors autograd saves for backward in one
                               training step (saved_tensors_hooks), exact; a lower bound of the
                               activation memory (activation gradients are not counted)
  peak_rss_growth_bytes        peak resident-set growth (VmHWM after clearing it via
                               /proc/self/clear_refs) over the first batch-64 training step,
                               after a batch-1 warm-up that loads the kernels
"""
import argparse
import copy
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import time


def _threads_from_argv(argv):
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return "1"


# Before torch is imported: OpenMP, OpenBLAS and MKL read these once, at load time.
_THREADS = _threads_from_argv(sys.argv)
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = _THREADS

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

BATCH = 64
BIG = 1000
POOL = 8192
NETWORKS = ("deep", "bn", "nin")


def conv3x3(cin):
    return [nn.Conv2d(cin, 32, 3, padding=1), nn.ReLU()]


def conv1x1(cin, cout):
    return [nn.Conv2d(cin, cout, 1), nn.ReLU()]


def bn(c):
    # Keras BatchNormalization(momentum=0.99, epsilon=1e-3) == torch momentum 0.01.
    return nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)


def head(flat):
    return [nn.Flatten(), nn.Linear(flat, 32), nn.ReLU()]


def build(name):
    if name == "deep":
        layers = (conv3x3(1) + conv3x3(32) + [nn.MaxPool2d(2)] + conv3x3(32) + conv3x3(32) +
                  [nn.MaxPool2d(2)] + head(7 * 7 * 32) + [nn.Linear(32, 10)])
    elif name == "bn":
        layers = (conv3x3(1) + [bn(32)] + conv3x3(32) + [bn(32), nn.MaxPool2d(2)] + conv3x3(32) +
                  [bn(32), bn(32)] + conv3x3(32) + [nn.MaxPool2d(2)] + head(7 * 7 * 32) +
                  [nn.Dropout(0.2), nn.Linear(32, 10)])
    elif name == "nin":
        layers = (conv3x3(1) + [bn(32)] + conv1x1(32, 16) + [bn(16), nn.MaxPool2d(2)] + conv3x3(16) +
                  [bn(32)] + conv1x1(32, 16) + [bn(16), nn.MaxPool2d(2)] + head(7 * 7 * 16) +
                  [nn.Dropout(0.2), nn.Linear(32, 10)])
    else:
        raise ValueError(name)
    return nn.Sequential(*layers)


# Parameter counts of examples/seed_networks.hpp (trainable; BN moving statistics are buffers here).
TRAINABLE = {"deep": 78602, "bn": 78858, "nin": 31658}


# ---------------------------------------------------------------------------------------------
# Inputs

def read_idx(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find_idx(folder, stem):
    for name in (stem, stem + ".gz"):
        p = os.path.join(folder, name)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(f"{folder}: no {stem}[.gz] (run tools/setup)")


def mix64(z):
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def rng_stream(seed, count):
    """The first `count` outputs of staticnet::Rng(seed) (SplitMix64)."""
    with np.errstate(over="ignore"):
        state = np.uint64(seed) + np.arange(1, count + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    return mix64(state)


def make_pool(data, noise):
    """(images float32 (N + 1000, 1, 28, 28), labels int64, distinct count, fixed)."""
    if noise:
        n = 64
        r = rng_stream(20240601, n * 784 + n)
        # Rng::below(n) rejects r < 2^64 mod n: never for 256, with probability 6 / 2^64 for 10.
        assert not np.any(r[n * 784:] < np.uint64(6))
        images = (r[:n * 784] % np.uint64(256)).astype(np.float32).reshape(n, 1, 28, 28)
        labels = (r[n * 784:] % np.uint64(10)).astype(np.int64)
    else:
        n = POOL
        images = read_idx(find_idx(data, "train-images-idx3-ubyte"))[:n].astype(np.float32).reshape(n, 1, 28, 28)
        labels = read_idx(find_idx(data, "train-labels-idx1-ubyte"))[:n].astype(np.int64)
    idx = np.arange(n + BIG) % n
    return torch.from_numpy(np.ascontiguousarray(images[idx])), torch.from_numpy(labels[idx]), n, noise


class Batches:
    """Call k's batch of b: images (k * b) mod pool onward (always image 0 with --noise)."""

    def __init__(self, pool, b, channels_last):
        images, labels, self.n, self.fixed = pool
        if channels_last:
            images = images.contiguous(memory_format=torch.channels_last)
        self.images, self.labels, self.b = images, labels, b
        self.cache = {}

    def __call__(self, k):
        s = 0 if self.fixed else (k * self.b) % self.n
        v = self.cache.get(s)
        if v is None:
            v = self.cache[s] = (self.images[s:s + self.b], self.labels[s:s + self.b])
        return v


# ---------------------------------------------------------------------------------------------
# Timing

MAX_SECONDS = 20.0  # per measurement: stops short of min_calls only when calls are pathologically slow


def measure(fn, warmup, min_calls, min_time):
    k = 0
    for _ in range(warmup):
        fn(k)
        k += 1
    t = []
    start = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        fn(k)
        t1 = time.perf_counter()
        k += 1
        t.append(t1 - t0)
        if (len(t) >= min_calls and t1 - start >= min_time) or t1 - start >= MAX_SECONDS:
            break
    return {"median": statistics.median(t), "mean": sum(t) / len(t), "min": min(t), "calls": len(t),
            "capped": len(t) < min_calls}


def settings(quick):
    # (warmup, min calls, min seconds) per operation; pilots: a short look per candidate.
    if quick:
        return {"train": (3, 10, 0.6), "predict1": (100, 1000, 0.3), "predict64": (3, 10, 0.4),
                "predict1000": (1, 3, 0.5), "pilot": (1, 2, 0.0), "pilot1": (20, 50, 0.0), "pilot1000": (1, 2, 0.0), "quick": True}
    return {"train": (3, 30, 2.5), "predict1": (100, 2000, 1.0), "predict64": (3, 30, 1.5),
            "predict1000": (1, 6, 2.5), "pilot": (2, 5, 0.3), "pilot1": (50, 200, 0.2), "pilot1000": (1, 2, 0.0), "quick": False}


# ---------------------------------------------------------------------------------------------
# Training

def new_model(name):
    torch.manual_seed(1)
    model = build(name)
    n = sum(p.numel() for p in model.parameters())
    assert n == TRAINABLE[name], f"{name}: {n} trainable parameters, expected {TRAINABLE[name]}"
    return model


def train_setup(name, channels_last, foreach):
    model = new_model(name)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7, foreach=foreach)
    return model, opt, nn.CrossEntropyLoss()


def train_fn(model, opt, loss_fn, batches, last):
    def step(k):
        x, y = batches(k)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        last[0] = loss
    return step


TRAIN_CONFIGS = [("eager contiguous, Adam", False, False), ("eager channels_last, Adam", True, False),
                 ("eager contiguous, Adam(foreach)", False, True), ("eager channels_last, Adam(foreach)", True, True)]


def bench_train(name, pool, s):
    pilots = {}
    for label, cl, fe in TRAIN_CONFIGS:
        if s["quick"] and not cl:
            continue  # --quick: channels_last only (it won every full run on this machine)
        model, opt, loss_fn = train_setup(name, cl, fe)
        pilots[label] = measure(train_fn(model, opt, loss_fn, Batches(pool, BATCH, cl), [None]), *s["pilot"])["median"]
    label, cl, fe = min((c for c in TRAIN_CONFIGS if c[0] in pilots), key=lambda c: pilots[c[0]])
    model, opt, loss_fn = train_setup(name, cl, fe)
    last = [None]
    r = measure(train_fn(model, opt, loss_fn, Batches(pool, BATCH, cl), last), *s["train"])
    r["config"] = label
    r["pilot_ms"] = {k: v * 1e3 for k, v in pilots.items()}
    r["last_loss"] = float(last[0])
    return r, model


# ---------------------------------------------------------------------------------------------
# Prediction

def predictor(trained, kind, channels_last, b, example):
    """A callable x -> probabilities for one configuration, and its label."""
    model = build_like(trained)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    net = nn.Sequential(model, nn.Softmax(dim=1)).eval()
    if kind == "eager":
        def run(x):
            with torch.inference_mode():
                return net(x)
        return run
    with torch.no_grad():
        traced = torch.jit.trace(net, example)
        frozen = torch.jit.optimize_for_inference(torch.jit.freeze(traced))

    def run(x):
        with torch.no_grad():
            return frozen(x)
    for _ in range(3):  # the profiling executor specialises on the first calls
        run(example)
    return run


def build_like(trained):
    """A fresh copy of the trained network's weights (and BN statistics)."""
    return copy.deepcopy(trained)


PREDICT_CONFIGS = [("eager inference_mode, contiguous", "eager", False),
                   ("eager inference_mode, channels_last", "eager", True),
                   ("jit.trace+freeze+optimize_for_inference, contiguous", "jit", False),
                   ("jit.trace+freeze+optimize_for_inference, channels_last", "jit", True)]


def bench_predict(trained, pool, b, s, op, only=None):
    """only: a configuration label to use without pilots (--quick's predict1000: predict64's)."""
    pilot = s["pilot1"] if b == 1 else s["pilot1000"] if b == BIG else s["pilot"]
    pilots, runners = {}, {}
    for label, kind, cl in PREDICT_CONFIGS:
        if only and label != only:
            continue
        if s["quick"] and kind == "eager":
            continue  # --quick: the jit configurations only (eager is slower in full runs)
        batches = Batches(pool, b, cl)
        try:
            run = predictor(trained, kind, cl, b, batches(0)[0])
        except Exception as e:  # noqa: BLE001 - a configuration this torch cannot build
            pilots[label] = None
            print(f"bench_torch: {label}: {e}", file=sys.stderr)
            continue
        fn = (lambda run, batches: lambda k: run(batches(k)[0]))(run, batches)
        pilots[label] = measure(fn, *pilot)["median"] if not only else None
        runners[label] = fn
    best = only or min((k for k in pilots if pilots[k] is not None), key=lambda k: pilots[k])
    r = measure(runners[best], *s[op])
    r["config"] = best
    r["pilot_ms"] = {k: (v * 1e3 if v is not None else None) for k, v in pilots.items()}
    return r


def bench_network(name, pool, s, threads):
    train, trained = bench_train(name, pool, s)
    trained.eval()
    p1 = bench_predict(trained, pool, 1, s, "predict1")
    p64 = bench_predict(trained, pool, BATCH, s, "predict64")
    # --quick: no pilots at 1,000 (seconds each); predict64's choice.
    p1000 = bench_predict(trained, pool, BIG, s, "predict1000", p64["config"] if s["quick"] else None)
    return {
        "name": name,
        "threads": threads,
        "train_samples_per_second": BATCH / train["median"],
        "predict1_us": p1["median"] * 1e6,
        "predict64_samples_per_second": BATCH / p64["median"],
        "predict1000_samples_per_second": BIG / p1000["median"],
        "train_samples_per_second_mean": BATCH / train["mean"],
        "predict1_us_mean": p1["mean"] * 1e6,
        "predict1_us_min": p1["min"] * 1e6,
        "predict64_samples_per_second_mean": BATCH / p64["mean"],
        "predict1000_samples_per_second_mean": BIG / p1000["mean"],
        "predict1000_how": "one call with a batch of 1000",
        "calls": {"train": train["calls"], "predict1": p1["calls"], "predict64": p64["calls"],
                  "predict1000": p1000["calls"]},
        "capped": [op for op, r in (("train", train), ("predict1", p1), ("predict64", p64), ("predict1000", p1000))
                   if r["capped"]],
        "train_last_loss": train["last_loss"],
        "configs": {"train": train["config"], "predict1": p1["config"], "predict64": p64["config"],
                    "predict1000": p1000["config"]},
        "pilot_ms": {"train": train["pilot_ms"], "predict1": p1["pilot_ms"], "predict64": p64["pilot_ms"],
                     "predict1000": p1000["pilot_ms"]},
    }


# ---------------------------------------------------------------------------------------------
# Memory (unchanged method; eager NCHW training step)

def status_kib(field):
    with open("/proc/self/status") as f:
        return int(re.search(rf"^{field}:\s+(\d+) kB", f.read(), re.M).group(1))


def memory(name, pool):
    """One network's training memory; meant to run in a fresh process."""
    model, opt, loss_fn = train_setup(name, False, False)
    x, y = Batches(pool, BATCH, False)(0)
    # Batch-1 warm-up: loads and initialises the kernels forward and backward use, without
    # creating Adam state; its gradients are dropped again.
    loss_fn(model(x[:1]), y[:1]).backward()
    for p in model.parameters():
        p.grad = None

    params = {p.data_ptr() for p in model.parameters()}
    saved = {}

    def pack(t):
        if t.data_ptr() not in params and t.layout == torch.strided:
            saved[t.data_ptr()] = max(saved.get(t.data_ptr(), 0),
                                      t.untyped_storage().nbytes() if hasattr(t, "untyped_storage")
                                      else t.storage().nbytes())
        return t

    rss_before = status_kib("VmRSS")
    hwm_reset = True
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current RSS (Linux >= 4.0)
    except OSError:
        hwm_reset = False
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        train_fn(model, opt, loss_fn, lambda k: (x, y), [None])(0)
    hwm = status_kib("VmHWM")
    rss_after = status_kib("VmRSS")

    def nbytes(ts):
        return sum(t.numel() * t.element_size() for t in ts)

    params_b = nbytes(model.parameters())
    grads_b = nbytes(p.grad for p in model.parameters() if p.grad is not None)
    adam_b = nbytes(v for st in opt.state.values() for v in st.values()
                    if torch.is_tensor(v) and v.dim() > 0)
    buffers_b = nbytes(model.buffers())
    return {
        "network": name,
        "tensor_bytes": {"parameters": params_b, "gradients": grads_b, "adam_state": adam_b,
                         "buffers": buffers_b, "persistent": params_b + grads_b + adam_b + buffers_b,
                         "saved": sum(saved.values())},
        "peak_rss_growth_bytes": (hwm - rss_before) * 1024 if hwm_reset else None,
        "rss_growth_after_bytes": (rss_after - rss_before) * 1024,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=1,
                    help="torch intra-op threads, also OMP/OPENBLAS/MKL_NUM_THREADS (default 1)")
    ap.add_argument("--quick", action="store_true", help="fewer repeats, for a fast look")
    ap.add_argument("--networks", default=",".join(NETWORKS), help="comma-separated subset of deep,bn,nin")
    ap.add_argument("--data", default=os.path.join(os.environ.get("STATICNET_DATA",
                                                                  os.path.expanduser("~/.cache/staticnet")), "mnist"),
                    help="MNIST IDX folder (default $STATICNET_DATA/mnist)")
    ap.add_argument("--noise", action="store_true", help="the old bench's one fixed noise batch instead of MNIST")
    ap.add_argument("--ftz", action="store_true", help="torch.set_flush_denormal(True) (FTZ/DAZ)")
    ap.add_argument("--no-memory", action="store_true", help="skip the memory subprocesses")
    ap.add_argument("--memory", metavar="NET", help=argparse.SUPPRESS)  # internal: one network
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    if args.ftz:
        torch.set_flush_denormal(True)
    pool = make_pool(args.data, args.noise)

    if args.memory:
        json.dump(memory(args.memory, pool), sys.stdout)
        return

    nets = [n.lower() for n in args.networks.split(",") if n]
    for n in nets:
        if n not in NETWORKS:
            ap.error(f"unknown network {n!r} (choose from {', '.join(NETWORKS)})")
    s = settings(args.quick)
    result = {
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "env": {v: os.environ.get(v) for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")},
        "mkldnn": torch.backends.mkldnn.is_available(),
        "input": "noise_fixed_batch" if args.noise else "mnist",
        "flush_denormal": bool(args.ftz),
        "quick": args.quick,
        "loadavg_start": os.getloadavg(),
        "networks": [],
    }
    for n in nets:
        print(f"bench_torch: {n}, {args.threads} thread(s)...", file=sys.stderr)
        result["networks"].append(bench_network(n, pool, s, args.threads))
    result["loadavg_end"] = os.getloadavg()
    if not args.no_memory:
        result["memory"] = {}
        for n in nets:
            p = subprocess.run([sys.executable, os.path.abspath(__file__), "--memory", n, "--threads",
                                str(args.threads), "--data", args.data] + (["--noise"] if args.noise else []),
                               capture_output=True, text=True, check=True)
            result["memory"][n] = json.loads(p.stdout)
    json.dump(result, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
