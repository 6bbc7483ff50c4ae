#!/usr/bin/python3
"""tools/bench's report: reads the raw results in --results (kernels.json from Google Benchmark,
staticnet-r<round>.json, torch-<threads>-r<round>.json, train-check.json, denormals.json), prints
the tables and,
with --json FILE, writes

  {"machine": {"cpu": str, "cores": int, "peak_gflops_1core": float, ...},
   "networks": [{"name": "deep|bn|nin", "threads": int, "train_samples_per_second": float,
                 "predict1_us": float, "predict64_samples_per_second": float, ...,
                 "torch": {the same keys, ...}, "ratios": {...}}],
   "kernels": [{"name": str, "gflops": float, "fraction_of_peak": float, ...}], ...}

GFLOP/s and GB/s come from each benchmark's WALL time (real_time) and its per-call counters.

Rounds: tools/bench runs staticnet and PyTorch alternately, --rounds times. Each headline number
is the best round of that library (highest rate, lowest latency), the same rule for both, so a
burst of other work on this shared machine during one library's turn does not decide a ratio;
every round's value is kept under "rounds".
"""
import argparse
import glob
import json
import math
import os
import re

UNIT = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
KEYS = ("train_samples_per_second", "predict1_us", "predict64_samples_per_second", "predict1000_samples_per_second")
TRAIN_CHECK_TOLERANCE = 0.10


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def best_of_rounds(docs):
    """{(name, threads): entry} over several rounds' documents: each KEY from its best round
    (max of rates, min of latencies); the other fields from the round with the best training
    rate; "rounds": {KEY: [value per round]}."""
    by = {}
    for d in docs:
        for e in d.get("networks", []):
            by.setdefault((e["name"], e["threads"]), []).append(e)
    out = {}
    for key, entries in by.items():
        base = dict(max(entries, key=lambda e: e.get("train_samples_per_second") or 0))
        rounds = {}
        for k in KEYS:
            vals = [e.get(k) for e in entries]
            rounds[k] = vals
            good = [v for v in vals if finite(v) and v > 0]
            base[k] = (min(good) if k.endswith("_us") else max(good)) if good else None
        base["rounds"] = rounds
        out[key] = base
    return out


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.+)$", f.read(), re.M)
            return m.group(1).strip() if m else "unknown"
    except OSError:
        return "unknown"


def finite(x):
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def fmt(x, digits=1):
    return f"{x:,.{digits}f}" if finite(x) else "n/a"


def kernels_of(doc):
    """(peak GFLOP/s, peaks [(name, gflops)], kernels [dict]) from Google Benchmark's JSON."""
    peaks, kernels = [], []
    if not doc:
        return None, None, peaks, kernels
    for b in doc.get("benchmarks", []):
        if b.get("run_type") == "aggregate" or b.get("error_occurred"):
            continue
        name = b["run_name"] if "run_name" in b else b["name"]
        name = re.sub(r"(/repeats:\d+)?(/real_time)?$", "", name)
        secs = b["real_time"] * UNIT[b["time_unit"]]
        cpu_secs = b["cpu_time"] * UNIT[b["time_unit"]]
        gflops = b.get("flops", 0) / secs / 1e9 if secs > 0 else None
        if name.startswith("peak/"):
            peaks.append((name, gflops, b.get("flops", 0) / cpu_secs / 1e9 if cpu_secs > 0 else None))
            continue
        kernels.append({
            "name": name.removeprefix("kernel/"),
            "gflops": gflops,
            "gbytes_per_second": b.get("bytes", 0) / secs / 1e9 if secs > 0 else None,
            "ms_per_call": secs * 1e3,
            "cpu_ms_per_call": cpu_secs * 1e3,
            "flops_per_call": b.get("flops"),
            "flops_nominal_per_call": b.get("flops_nominal"),
            "gflops_nominal": b.get("flops_nominal", 0) / secs / 1e9 if secs > 0 else None,
            "bytes_per_call": b.get("bytes"),
            "kernel": {1: "simd", 0: "reference"}.get(int(b.get("simd", -1)), "unknown"),
        })
    peak = max((g for _, g, _ in peaks if finite(g)), default=None)
    peak_cpu = max((g for _, _, g in peaks if finite(g)), default=None)
    for k in kernels:
        k["fraction_of_peak"] = k["gflops"] / peak if finite(peak) and finite(k["gflops"]) else None
        # The same from CPU time (what the core gave this process): closer to the truth when other
        # work shares the core; single-threaded, so no spinning threads inflate it.
        g = k["flops_per_call"] / (k["cpu_ms_per_call"] * 1e-3) / 1e9 if k["cpu_ms_per_call"] else None
        k["gflops_cpu_time"] = g
        k["fraction_of_peak_cpu_time"] = g / peak_cpu if finite(peak_cpu) and finite(g) else None
    best = {}
    for n, g, _ in peaks:
        if finite(g):
            best[n] = max(best.get(n, 0.0), g)
    return peak, peak_cpu, sorted(best.items()), kernels


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--results", required=True)
    ap.add_argument("--json")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seconds", type=float)
    ap.add_argument("--load-before", type=float)
    args = ap.parse_args()
    r = args.results

    kdoc = load(os.path.join(r, "kernels.json"))
    sn_docs = [d for d in (load(p) for p in sorted(glob.glob(os.path.join(r, "staticnet-r*.json")))) if d]
    sn = dict(sn_docs[0]) if sn_docs else {"networks": []}
    sn["networks"] = list(best_of_rounds(sn_docs).values())
    torch_docs = [d for d in (load(p) for p in sorted(glob.glob(os.path.join(r, "torch-*-r*.json")))) if d]
    check = load(os.path.join(r, "train-check.json"))
    denormals = load(os.path.join(r, "denormals.json"))

    peak, peak_cpu, peaks, kernels = kernels_of(kdoc)
    machine = {
        "cpu": cpu_name(),
        "rounds": len(sn_docs),
        "cores": os.cpu_count() or 1,
        "peak_gflops_1core": peak,
        "peaks": {n.removeprefix("peak/fma/"): g for n, g in peaks},
        "peak_gflops_1core_cpu_time": peak_cpu,
        "simd_arch": sn.get("machine", {}).get("simd_arch"),
        "load_average_before": args.load_before,
        "load_average_after": os.getloadavg()[0],
    }
    torch_by = best_of_rounds(torch_docs)
    torch_version = torch_docs[0]["torch_version"] if torch_docs else None

    networks = []
    for e in sn.get("networks", []):
        entry = dict(e)
        entry.pop("memory", None)
        for k in KEYS:
            entry.setdefault(k, None)
        t = torch_by.get((e["name"], e["threads"]))
        if t:
            entry["torch"] = {k: t.get(k) for k in KEYS}
            entry["torch"].update({k: v for k, v in t.items() if k not in KEYS and k not in ("name", "threads")})
        else:
            entry["torch"] = {k: None for k in KEYS}
        ratios = {}
        for k in KEYS:
            a, b = e.get(k), entry["torch"].get(k)
            if finite(a) and finite(b) and a > 0 and b > 0:
                # > 1: staticnet is faster (latency: torch / ours; rates: ours / torch).
                ratios[k] = b / a if k.endswith("_us") else a / b
            else:
                ratios[k] = None
        entry["ratios"] = ratios
        networks.append(entry)

    # ---- the header -------------------------------------------------------------------------
    print()
    print(f"staticnet vs PyTorch {torch_version or '(not run)'}: wall clock, median call, "
          f"best of {len(sn_docs)} alternating round(s) per library"
          f"{', QUICK (noisy)' if args.quick else ''}; input: {sn.get('input', '?')}"
          f"{', FTZ/DAZ on' if sn.get('machine', {}).get('flush_denormals') else ''}")
    print(f"machine: {machine['cpu']}, {machine['cores']} cores, staticnet kernels {machine['simd_arch']}, "
          f"FMA peak of one core {fmt(peak)} GFLOP/s "
          f"({', '.join(f'{n} {fmt(g)}' for n, g in machine['peaks'].items())})")
    la = [x for x in (args.load_before, machine["load_average_after"]) if x is not None]
    phases = []
    try:
        with open(os.path.join(r, "phases.txt")) as f:
            phases = [ln.split() for ln in f if ln.strip()]
    except OSError:
        pass
    print(f"load average {' -> '.join(f'{x:.2f}' for x in la)}"
          f"{f'; {args.seconds:.0f} s after the build' if args.seconds else ''}"
          f"{' (' + ', '.join(f'{n} {s} s' for n, s in phases) + ')' if phases else ''}")
    if any(x > 0.5 for x in la):
        print("WARNING: other work was running (load average > 0.5): every number below is contended "
              "and slower than this machine can do; 2-thread numbers suffer most")

    # ---- networks ---------------------------------------------------------------------------
    if networks:
        print()
        rows = [("train", "train samples/s", "train_samples_per_second", 1),
                ("predict1", "predict1 latency us", "predict1_us", 1),
                ("predict64", "predict64 samples/s", "predict64_samples_per_second", 0),
                ("predict1000", "predict1000 samples/s", "predict1000_samples_per_second", 0)]
        hdr = f"{'network':<8}{'thr':>4}  {'':<22}{'staticnet':>11}{'PyTorch':>11}{'ratio':>7}  PyTorch config"
        print(hdr)
        print("-" * len(hdr))
        for e in networks:
            if "error" in e:
                print(f"{e['name']:<8}{e['threads']:>4}  staticnet: {e['error']}")
                continue
            for op, label, key, digits in rows:
                cfg = (e["torch"].get("configs") or {}).get(op, "")
                ratio = e["ratios"].get(key)
                print(f"{e['name']:<8}{e['threads']:>4}  {label:<22}{fmt(e.get(key), digits):>11}"
                      f"{fmt(e['torch'].get(key), digits):>11}{fmt(ratio, 2):>7}  {cfg}")
        capped = [f"{e['name']}/{e['threads']} {op}" for e in networks for op in (e["torch"].get("capped") or [])]
        if capped:
            print(f"NOTE: PyTorch calls so slow that the 20 s cap ended the measurement before its minimum count: "
                  f"{', '.join(capped)}")
        print("ratio > 1: staticnet is faster (samples/s: staticnet / PyTorch; latency: PyTorch us / staticnet us).")
        print("predict1/predict64: staticnet's deployment form sn::Inference<sn::inference_form<Net>, 1 or 64> (BN"
              " folded, Dropout dropped; PyTorch: torch.jit + optimize_for_inference); predict1000: one call of a"
              " real batch of 1,000 (staticnet sn::Inference<Net, 1000>); train: batch 64, Adam.")

    # ---- scaling ------------------------------------------------------------------------------
    by = {(e["name"], e["threads"]): e for e in networks if "error" not in e}
    lines = []
    for (name, t), e in sorted(by.items()):
        one = by.get((name, 1))
        if t > 1 and one:
            s = [e.get(k) / one.get(k) if finite(e.get(k)) and finite(one.get(k)) and one.get(k) else None
                 for k in ("train_samples_per_second", "predict64_samples_per_second", "predict1000_samples_per_second")]
            ts = [None, None, None]
            te, to = e["torch"], one["torch"]
            ts = [te.get(k) / to.get(k) if finite(te.get(k)) and finite(to.get(k)) and to.get(k) else None
                  for k in ("train_samples_per_second", "predict64_samples_per_second", "predict1000_samples_per_second")]
            lines.append(f"{name:<8}{t:>4}  staticnet train {fmt(s[0], 2)}x, predict64 {fmt(s[1], 2)}x, "
                         f"predict1000 {fmt(s[2], 2)}x;  PyTorch {fmt(ts[0], 2)}x, {fmt(ts[1], 2)}x, {fmt(ts[2], 2)}x")
    if lines:
        print()
        print("Speed-up over 1 thread (throughputs)")
        for ln in lines:
            print(ln)

    # ---- kernels ----------------------------------------------------------------------------
    if kernels:
        print()
        hdr = (f"{'kernel (batch 64, 1 core)':<46}{'ms/call':>9}{'GFLOP/s':>9}{'of peak':>8}{'GB/s':>7}"
               f"{'(CPU-time':>10}{' of peak)':>9}  kernel")
        print(hdr)
        print("-" * len(hdr))
        for k in kernels:
            frac = f"{100 * k['fraction_of_peak']:.1f}%" if finite(k["fraction_of_peak"]) else "n/a"
            fc = k["fraction_of_peak_cpu_time"]
            print(f"{k['name']:<46}{k['ms_per_call']:>9.3f}{fmt(k['gflops'], 2):>9}{frac:>8}"
                  f"{fmt(k['gbytes_per_second'], 1):>7}{fmt(k['gflops_cpu_time'], 2):>10}"
                  f"{(f'{100 * fc:.1f}%' if finite(fc) else 'n/a'):>9}  {k['kernel']}")
        print("conv/dense: GFLOP/s = 2 * MACs / wall time (conv: MACs of the taps inside the image; the nominal count")
        print("  with 'same' padding taps is 'gflops_nominal' in the JSON, 2-11% higher). Pool: one max per")
        print("  input element; BN: 6 (forward) / 11 (backward) flops per element; ReLU: 1; Adam: 12 per parameter.")
        print("  GB/s: the bytes a call must at least move. kernel: simd = a kernels::simd kernel, reference = the")
        print("  name still resolves to the reference loop. Headline: conv2d_forward/3x3_32to32_28x28.")
        print(f"  Wall-clock GFLOP/s over the wall-clock peak; in parentheses the same from CPU time (peak "
              f"{fmt(peak_cpu)}), less disturbed by other work on the core.")
        print("  conv2d_*_winograd: counted with the direct kernel's FLOPs (the work they replace), so their "
              "fraction can pass 100%: it is the speed-up over a direct kernel running at the FMA peak.")
        if finite(peak) and any(finite(k["gflops"]) and k["gflops"] > peak and "winograd" not in k["name"] for k in kernels):
            print("WARNING: a kernel beat the measured peak: the peak run was disturbed (see the load average)")

    # ---- the training-rate check -------------------------------------------------------------
    check_out = []
    if check:
        print()
        if "error" in check:
            print(f"training-rate check: {check['error']}")
        for c in check.get("results", []):
            ours = by.get(("deep", c["threads"]))
            if "error" in c or not ours:
                print(f"training-rate check, {c['threads']} thread(s): "
                      f"{c.get('error', 'no bench result for deep at this thread count')}")
                continue
            a, b = ours["train_samples_per_second"], c["train_samples_per_second"]
            diff = a / b - 1
            check_out.append({"threads": c["threads"], "bench": a, "tools_train": b, "difference": diff})
            print(f"training-rate check, deep, {c['threads']} thread(s): bench {a:,.0f} samples/s, "
                  f"tools/train {b:,.0f} samples/s ({c['source']}): {100 * diff:+.1f}%")
            if abs(diff) > TRAIN_CHECK_TOLERANCE:
                print(f"WARNING: the bench's staticnet training rate differs from tools/train's by "
                      f"{100 * abs(diff):.0f}% (> {100 * TRAIN_CHECK_TOLERANCE:.0f}%)")

    # ---- memory ------------------------------------------------------------------------------
    mem_t = next((d["memory"] for d in torch_docs if d.get("memory")), None)
    mem_rows = []
    for e in sn.get("networks", []):
        m = e.get("memory")
        if not m or e["threads"] != sn["networks"][0]["threads"]:
            continue
        s = m["persistent_bytes"] + m["training_arena_bytes"]
        t = (mem_t or {}).get(e["name"])
        tb = t["tensor_bytes"]["persistent"] + t["tensor_bytes"]["saved"] if t else None
        rss = t.get("peak_rss_growth_bytes") if t else None
        mem_rows.append((e["name"], s, tb, rss))
    if mem_rows and not mem_t:
        print()
        print("Training memory (batch 64), staticnet persistent + arena (exact): " +
              ", ".join(f"{n} {s / 1e6:.1f} MB" for n, s, _, _ in mem_rows) + "; PyTorch's not measured"
              + (" (--quick)" if args.quick else ""))
    elif mem_rows:
        print()
        print("Training memory (batch 64): staticnet persistent + arena (exact) | PyTorch tensors (lower bound) | "
              "PyTorch peak RSS growth")
        for name, s, tb, rss in mem_rows:
            print(f"{name:<8}{s / 1e6:>8.1f} MB | {fmt(tb / 1e6 if tb else None)} MB ({fmt(s / tb if tb else None, 2)}x)"
                  f" | {fmt(rss / 1e6 if rss else None)} MB ({fmt(s / rss if rss else None, 2)}x)")

    # ---- denormals ---------------------------------------------------------------------------
    if denormals:
        print()
        print("Denormal probe (staticnet, 1 thread): ms per training step by wall clock and by the thread's CPU")
        print("time (first -> last 50 steps); denormal values in the model after the last step (most after any 50)")
        for n in denormals["networks"]:
            for c in n["cases"]:
                ch = c.get("cpu_ms_per_step_chunks") or c["ms_per_step_chunks"]
                d = c["denormals"]
                most = max(c.get("denormals_after_chunks") or [0])
                print(f"{n['name']:<5} {c['input']:<18} FTZ/DAZ {'on ' if c['ftz_daz'] else 'off'} "
                      f"wall {c['ms_per_step']:6.1f}, CPU {c.get('cpu_ms_per_step', float('nan')):6.1f} ms/step "
                      f"({ch[0]:.1f} -> {ch[-1]:.1f}), loss {c['final_loss']:.3g}; denormals: params {d['parameters']}, "
                      f"grads {d['gradients']}, adam {d['adam_state']}, arena {d['arena']} (most {most})")

    print(f"\nraw results: {r}")
    if args.json:
        doc = {"machine": machine, "torch_version": torch_version, "quick": args.quick,
               "input": sn.get("input"), "networks": networks, "kernels": kernels,
               "train_check": check_out}
        if denormals:
            doc["denormals"] = denormals
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1, allow_nan=False, default=lambda x: None)
            f.write("\n")
        print(f"JSON: {args.json}")


if __name__ == "__main__":
    main()
