#!/usr/bin/python3
"""Runs the Cortex-M4 build of nin_predict under qemu-system-arm (mps2-an386, semihosting) and
the host build of the same source, and compares the printed probabilities and checksum.

Fails (exit 1) with a message naming the cause: QEMU hung (timeout), the firmware faulted,
exited non-zero, printed something unparsable, or a value differs by more than --rtol.
"""
import argparse
import subprocess
import sys


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


def fail(message, output=None):
    if output is not None:
        sys.stdout.write("---- output ----\n" + output + ("" if output.endswith("\n") else "\n")
                         + "----------------\n")
    print("FAILED: " + message)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--qemu", required=True, help="qemu-system-arm")
    ap.add_argument("--elf", required=True, help="the Cortex-M4 image")
    ap.add_argument("--host", required=True, help="host executable built from the same source")
    ap.add_argument("--timeout", type=int, default=60, help="seconds before QEMU counts as hung")
    ap.add_argument("--rtol", type=float, default=1e-5, help="relative tolerance")
    ap.add_argument("--machine", default="mps2-an386")
    args = ap.parse_args()

    host = subprocess.run([args.host], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=600)
    if host.returncode != 0:
        fail(f"host program {args.host} exited with {host.returncode}", host.stdout + host.stderr)
    expected = parse(host.stdout, "host")

    # The command of shared/reference/embedded-targets.md (semihosting on the stdio chardev).
    command = ["timeout", "--foreground", "-k", "2", str(args.timeout),
               args.qemu, "-M", args.machine, "-nographic", "-monitor", "none", "-serial", "null",
               "-chardev", "stdio,id=sh0",
               "-semihosting-config", "enable=on,target=native,chardev=sh0",
               "-kernel", args.elf]
    print(" ".join(command))
    try:
        run = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             timeout=args.timeout + 30)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        fail(f"QEMU did not end within {args.timeout + 30} s (hang)", out)
    output = run.stdout + run.stderr
    if run.returncode in (124, 137):
        fail(f"firmware HUNG: no semihosting exit within {args.timeout} s "
             f"(timeout status {run.returncode})", output)
    if "FAULT:" in output:
        fail(f"firmware FAULTED (exit status {run.returncode})", output)
    if run.returncode != 0:
        fail(f"firmware exited with status {run.returncode} (QEMU status; 134 = QEMU abort, e.g. "
             f"semihosting not enabled)", output)
    actual = parse(run.stdout, "qemu")

    sys.stdout.write(output)
    worst = 0.0
    bad = []
    print(f"{'value':<10} {'host':>16} {'cortex-m4':>16} {'rel. diff':>10}")
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
        fail(f"Cortex-M4 output differs from the host by more than {args.rtol:g} relative in: "
             + ", ".join(bad))
    print(f"OK: Cortex-M4 (QEMU {args.machine}) matches the host; "
          f"largest relative difference {worst:.3g} <= {args.rtol:g}")


if __name__ == "__main__":
    main()
