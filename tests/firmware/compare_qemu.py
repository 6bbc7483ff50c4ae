#!/usr/bin/python3
"""Runs a target's build of nin_predict under QEMU (a Cortex-M board under qemu-system-arm with
semihosting, or aarch64 Linux under qemu-aarch64-static with --user) and the host build of the
same source, and compares the printed probabilities and checksum.

Fails (exit 1) with a message naming the cause: QEMU hung (timeout), the firmware faulted,
exited non-zero, printed something unparsable, or a value differs by more than --rtol.
"""
import argparse
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu_run import add_common_arguments, fail, run_host, run_target  # noqa: E402


def parse(text, who):
    """Returns {key: float} for the 'prob i v', 'checksum v' and 'sum v' lines; checks 'done'."""
    values = {}
    done = False
    for line in text.splitlines():
        parts = line.split()
        try:
            if len(parts) == 3 and parts[0] == "prob":
                values["prob " + parts[1]] = float(parts[2])
            elif len(parts) == 2 and parts[0] in ("checksum", "sum"):
                values[parts[0]] = float(parts[1])
            elif parts == ["done"]:
                done = True
        except ValueError:
            fail(f"{who}: cannot parse line {line!r}", text)
    if not done or len(values) != 12:
        fail(f"{who}: incomplete output (expected 10 'prob' lines, 'checksum', 'sum', 'done')", text)
    return values


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    add_common_arguments(ap)
    ap.add_argument("--rtol", type=float, default=1e-5, help="relative tolerance")
    args = ap.parse_args()

    expected = parse(run_host(args.host), "host")
    stdout, output = run_target(args, "QEMU status; ")
    actual = parse(stdout, "qemu")

    sys.stdout.write(output)
    worst = 0.0
    bad = []
    print(f"{'value':<10} {'host':>16} {args.target:>16} {'rel. diff':>10}")
    for key, want in expected.items():
        got = actual[key]
        scale = max(abs(want), abs(got))
        rel = 0.0 if scale == 0.0 else abs(want - got) / scale
        worst = max(worst, rel)
        flag = "" if rel <= args.rtol else "  <-- MISMATCH"
        print(f"{key:<10} {want:>16.9g} {got:>16.9g} {rel:>10.2e}{flag}")
        if rel > args.rtol:
            bad.append(key)
    if bad:
        fail(f"{args.target} output differs from the host by more than {args.rtol:g} relative in: "
             + ", ".join(bad))
    where = "QEMU user mode" if args.user else f"QEMU {args.machine}"
    print(f"OK: {args.target} ({where}) matches the host; "
          f"largest relative difference {worst:.3g} <= {args.rtol:g}")


if __name__ == "__main__":
    main()
