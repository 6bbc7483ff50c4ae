"""What compare_qemu.py and compare_qemu_train.py share: the common command-line options, failing
with the program's output, running the host build and running the target's image under QEMU:
a Cortex-M image under qemu-system-arm -M <board> (semihosting on the stdio chardev), or a Linux
executable under QEMU user mode (--user: qemu-aarch64-static <image>).

Imported by those two scripts and by run_example.py (the firmware examples) from their own
directory (they put it on sys.path); standard library only.
"""
import subprocess
import sys


# Called with the message before fail() exits (run_example.py records the failure in its JSON).
fail_hooks = []


def fail(message, output=None):
    """Prints `output` (if any) and 'FAILED: message', then exits with status 1 (after calling
    every function in fail_hooks with the message)."""
    for hook in fail_hooks:
        hook(message)
    if output is not None:
        sys.stdout.write("---- output ----\n" + output + ("" if output.endswith("\n") else "\n")
                         + "----------------\n")
    print("FAILED: " + message)
    sys.exit(1)


def add_common_arguments(ap):
    """--qemu, --elf, --host, --timeout, --machine, --user and --target."""
    ap.add_argument("--qemu", required=True, help="qemu-system-arm, or with --user qemu-aarch64-static")
    ap.add_argument("--elf", required=True, help="the target's image")
    ap.add_argument("--host", required=True, help="host executable built from the same source")
    ap.add_argument("--timeout", type=int, default=60, help="seconds before QEMU counts as hung")
    ap.add_argument("--machine", default="mps2-an386", help="qemu-system-arm -M value")
    ap.add_argument("--user", action="store_true",
                    help="QEMU user mode: run the (Linux) image as `<qemu> <image>`, no --machine")
    ap.add_argument("--target", default="cortex-m4", help="target name for the messages")


def run_target(args, statuses=""):
    """run_qemu or run_qemu_user, as the arguments say."""
    if args.user:
        return run_qemu_user(args.qemu, args.elf, args.timeout, statuses)
    return run_qemu(args.qemu, args.machine, args.elf, args.timeout, statuses)


def run_host(host):
    """Runs the host build; returns its stdout (fails if it exits non-zero)."""
    run = subprocess.run([host], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                         timeout=600)
    if run.returncode != 0:
        fail(f"host program {host} exited with {run.returncode}", run.stdout + run.stderr)
    return run.stdout


def run_qemu(qemu, machine, elf, timeout, statuses=""):
    """Runs the image; returns (stdout, stdout + stderr). Fails if QEMU hangs, the firmware
    faults or exits non-zero; `statuses` explains the program's own exit statuses in that
    message ("2 = ..., ")."""
    # The command of targets/cortex-m*/README.md (semihosting on the stdio chardev).
    command = ["timeout", "--foreground", "-k", "2", str(timeout),
               qemu, "-M", machine, "-nographic", "-monitor", "none", "-serial", "null",
               "-chardev", "stdio,id=sh0",
               "-semihosting-config", "enable=on,target=native,chardev=sh0",
               "-kernel", elf]
    print(" ".join(command))
    try:
        run = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             timeout=timeout + 30)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        fail(f"QEMU did not end within {timeout + 30} s (hang)", out)
    output = run.stdout + run.stderr
    if run.returncode in (124, 137):
        fail(f"firmware HUNG: no semihosting exit within {timeout} s "
             f"(timeout status {run.returncode})", output)
    if "FAULT:" in output:
        fail(f"firmware FAULTED (exit status {run.returncode})", output)
    if run.returncode != 0:
        fail(f"firmware exited with status {run.returncode} ({statuses}134 = QEMU abort, e.g. "
             f"semihosting not enabled)", output)
    return run.stdout, output


def run_qemu_user(qemu, elf, timeout, statuses=""):
    """Runs a Linux executable under QEMU user mode (`qemu-aarch64-static <elf>`); returns
    (stdout, stdout + stderr). Fails if it hangs, is killed by a signal or exits non-zero."""
    command = ["timeout", "--foreground", "-k", "2", str(timeout), qemu, elf]
    print(" ".join(command))
    try:
        run = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             timeout=timeout + 30)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        fail(f"QEMU did not end within {timeout + 30} s (hang)", out)
    output = run.stdout + run.stderr
    if run.returncode in (124, 137):
        fail(f"program HUNG: no exit within {timeout} s (timeout status {run.returncode})", output)
    if run.returncode < 0 or run.returncode > 128:
        signal = -run.returncode if run.returncode < 0 else run.returncode - 128
        fail(f"program CRASHED: killed by signal {signal} (status {run.returncode})", output)
    if run.returncode != 0:
        fail(f"program exited with status {run.returncode} ({statuses.rstrip(', ')})", output)
    return run.stdout, output
