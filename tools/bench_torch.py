#!/usr/bin/python3
"""PyTorch reference for tools/bench: the seed networks (Deep, Bn, Nin) as torch modules, timed
the way tests/bench/bench.cpp times staticnet, printed as JSON on stdout.

  train_step   forward, CrossEntropyLoss, backward, Adam step on a batch of 64
  predict/64   eval-mode forward + softmax of 64 samples under torch.inference_mode()
  predict/1    the same for 1 sample

Same layers and shapes as examples/seed_networks.hpp (Keras "same" 3x3 convs, BatchNorm with
Keras' momentum 0.99 / epsilon 1e-3, Dropout 0.2, Adam with Keras' epsilon 1e-7), in PyTorch's
native NCHW layout. The softmax of the last Dense layer is folded into CrossEntropyLoss for
training (PyTorch's usual form) and applied explicitly for prediction. Inputs are synthetic raw
pixels 0..255, labels 0..9. Each case is warmed up, then repeated until both a minimum count
and a minimum time are reached; the median wall and CPU (process) times are reported.

Memory (--memory NET, run by the main mode in a fresh subprocess per network):
  tensor_bytes.persistent      parameters + gradients + Adam's two moments (+ BN buffers), exact
  tensor_bytes.saved           distinct non-parameter tensors autograd saves for backward in one
                               training step (saved_tensors_hooks), exact; a lower bound of the
                               activation memory (activation gradients are not counted)
  peak_rss_growth_bytes        peak resident-set growth (VmHWM after clearing it via
                               /proc/self/clear_refs) over the first batch-64 training step,
                               after a batch-1 warm-up that loads the kernels; includes
                               gradients, Adam state, activations, workspaces and allocator overhead
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

import torch
import torch.nn as nn

BATCH = 64
NETWORKS = ("Deep", "Bn", "Nin")


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
    if name == "Deep":
        layers = (conv3x3(1) + conv3x3(32) + [nn.MaxPool2d(2)] + conv3x3(32) + conv3x3(32) +
                  [nn.MaxPool2d(2)] + head(7 * 7 * 32) + [nn.Linear(32, 10)])
    elif name == "Bn":
        layers = (conv3x3(1) + [bn(32)] + conv3x3(32) + [bn(32), nn.MaxPool2d(2)] + conv3x3(32) +
                  [bn(32), bn(32)] + conv3x3(32) + [nn.MaxPool2d(2)] + head(7 * 7 * 32) +
                  [nn.Dropout(0.2), nn.Linear(32, 10)])
    elif name == "Nin":
        layers = (conv3x3(1) + [bn(32)] + conv1x1(32, 16) + [bn(16), nn.MaxPool2d(2)] + conv3x3(16) +
                  [bn(32)] + conv1x1(32, 16) + [bn(16), nn.MaxPool2d(2)] + head(7 * 7 * 16) +
                  [nn.Dropout(0.2), nn.Linear(32, 10)])
    else:
        raise ValueError(name)
    return nn.Sequential(*layers)


# Parameter counts of examples/seed_networks.hpp (trainable; BN moving statistics are buffers here).
TRAINABLE = {"Deep": 78602, "Bn": 78858, "Nin": 31658}


def setup(name, batch=BATCH):
    torch.manual_seed(1)
    model = build(name)
    n = sum(p.numel() for p in model.parameters())
    assert n == TRAINABLE[name], f"{name}: {n} trainable parameters, expected {TRAINABLE[name]}"
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    g = torch.Generator().manual_seed(20240601)
    x = torch.randint(0, 256, (batch, 1, 28, 28), generator=g).float()
    y = torch.randint(0, 10, (batch,), generator=g)
    return model, opt, nn.CrossEntropyLoss(), x, y


def train_step(model, opt, loss_fn, x, y):
    opt.zero_grad(set_to_none=True)
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()
    return loss


def predict(model, x):
    with torch.inference_mode():
        return torch.softmax(model(x), dim=1)


def measure(fn, warmup, min_reps, min_time):
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    start = time.perf_counter()
    while len(wall) < min_reps or time.perf_counter() - start < min_time:
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return {"repeats": len(wall), "wall_seconds": statistics.median(wall),
            "cpu_seconds": statistics.median(cpu)}


def timings(name, args):
    model, opt, loss_fn, x, y = setup(name)
    out = {}
    model.train()
    r = measure(lambda: train_step(model, opt, loss_fn, x, y), args.warmup, args.min_reps, args.min_time)
    out["train_step"] = dict(r, batch=BATCH)
    model.eval()
    for n in (BATCH, 1):
        xn = x[:n].contiguous()
        r = measure(lambda: predict(model, xn), args.warmup, args.min_reps, args.min_time)
        out[f"predict/{n}"] = dict(r, batch=n)
    for case in out.values():
        for clock in ("wall", "cpu"):
            s = case[f"{clock}_seconds"]
            case[f"samples_per_second_{clock}"] = case["batch"] / s if s > 0 else None
    return out


def status_kib(field):
    with open("/proc/self/status") as f:
        return int(re.search(rf"^{field}:\s+(\d+) kB", f.read(), re.M).group(1))


def memory(name):
    """One network's training memory; meant to run in a fresh process."""
    model, opt, loss_fn, x, y = setup(name)
    model.train()
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
        train_step(model, opt, loss_fn, x, y)
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
        "peak_rss_method": ("VmHWM reset via /proc/self/clear_refs, minus VmRSS before the first "
                            "batch-64 step (after a batch-1 warm-up), fresh process" if hwm_reset else
                            "unavailable: /proc/self/clear_refs not writable"),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1)")
    ap.add_argument("--quick", action="store_true", help="fewer repeats, for a fast look")
    ap.add_argument("--networks", default=",".join(NETWORKS), help="comma-separated subset")
    ap.add_argument("--no-memory", action="store_true", help="skip the memory subprocesses")
    ap.add_argument("--memory", metavar="NET", help=argparse.SUPPRESS)  # internal: one network
    args = ap.parse_args()
    args.warmup = 2 if args.quick else 5
    args.min_reps = 5 if args.quick else 20
    args.min_time = 0.3 if args.quick else 2.0

    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass

    if args.memory:
        json.dump(memory(args.memory), sys.stdout)
        return

    nets = [n for n in args.networks.split(",") if n]
    for n in nets:
        if n not in NETWORKS:
            ap.error(f"unknown network {n!r} (choose from {', '.join(NETWORKS)})")
    result = {
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "batch": BATCH,
        "quick": args.quick,
        "loadavg": os.getloadavg(),
        "networks": {},
    }
    for n in nets:
        result["networks"][n] = {"timings": timings(n, args)}
    if not args.no_memory:
        for n in nets:
            p = subprocess.run([sys.executable, os.path.abspath(__file__), "--memory", n,
                                "--threads", str(args.threads)],
                               capture_output=True, text=True, check=True)
            result["networks"][n]["memory"] = json.loads(p.stdout)
    json.dump(result, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
