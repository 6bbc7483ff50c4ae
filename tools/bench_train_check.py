#!/usr/bin/python3
"""tools/bench's cross-check: the training rate of tools/train (the real training loop: fit with
shuffling, batch copies, progress output) for Deep, so tools/bench can compare it with the
rate its own staticnet_bench measures (it warns beyond 10%). Prints JSON on stdout:

  {"command": [...], "results": [{"threads": N, "train_samples_per_second": x, "source": "..."}]}

Runs `tools/train --network deep --epochs 1 --train-samples 12800 --validation-split 0
--test-samples 1000 --threads N` into a temporary --out folder (tools/train builds
staticnet_train in $STATICNET_BUILD_DIR first). Everything that depends on tools/train's
interface is in train_samples_per_second() below.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAIN = os.path.join(ROOT, "tools", "train")
TIMEOUT = 300  # seconds; 12,800 samples take 5-40 s


# ---- the part to adjust when tools/train changes ----------------------------------------------
def train_samples_per_second(threads, supports_threads):
    """Deep's training samples/s from one tools/train run: (rate, source, command)."""
    with tempfile.TemporaryDirectory(prefix="staticnet-bench-train-") as out:
        cmd = [TRAIN, "--network", "deep", "--epochs", "1", "--train-samples", "12800",
               "--validation-split", "0", "--test-samples", "1000", "--out", out]
        if supports_threads:
            cmd += ["--threads", str(threads)]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"tools/train did not finish within {TIMEOUT} s (a hang?)") from None
        if p.returncode != 0:
            last = [ln for ln in p.stderr.splitlines() if ln.strip()][-1:] or [""]
            raise RuntimeError(f"tools/train exited with {p.returncode}: {last[0][:200]}")
        # 1. The per-epoch line: "deep: 1234 training samples/s (1 thread, avx512bw kernels)".
        m = re.findall(r"^deep: ([0-9.]+) training samples/s", p.stdout, re.M)
        if m:
            return float(m[-1]), "stdout 'training samples/s' line (training part of the epoch)", cmd
        # 2. results.json's train_samples_per_second.
        try:
            with open(os.path.join(out, "results.json")) as f:
                for n in json.load(f)["networks"]:
                    if n["name"] == "deep" and n.get("train_samples_per_second"):
                        return float(n["train_samples_per_second"]), "results.json train_samples_per_second", cmd
        except (OSError, ValueError, KeyError):
            pass
        # 3. The epoch time (training + nothing else: no validation split).
        with open(os.path.join(out, "deep", "history.csv")) as f:
            rows = [r.split(",") for r in f.read().split("\n")[1:] if r]
        return 12800 / float(rows[-1][-1]), "history.csv epoch seconds", cmd
# -----------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", default="1", help="comma-separated thread counts (default 1)")
    args = ap.parse_args()
    helptext = subprocess.run([TRAIN, "--help"], capture_output=True, text=True).stdout
    supports_threads = "--threads" in helptext
    out = {"results": []}
    for t in (int(x) for x in args.threads.split(",")):
        if t > 1 and not supports_threads:
            out["results"].append({"threads": t, "error": "tools/train has no --threads"})
            continue
        try:
            rate, source, cmd = train_samples_per_second(t, supports_threads)
            out["command"] = cmd[:1] + [a for a in cmd[1:] if not a.startswith(tempfile.gettempdir())]
            out["results"].append({"threads": t, "train_samples_per_second": rate, "source": source})
        except (RuntimeError, OSError, ValueError, IndexError) as e:
            print(f"bench_train_check: {e}", file=sys.stderr)
            out["results"].append({"threads": t, "error": str(e)})
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
