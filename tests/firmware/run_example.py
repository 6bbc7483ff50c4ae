#!/usr/bin/python3
"""Runs one firmware example image (examples/firmware: mnist_inference or mnist_training) under
QEMU, checks its result and where its memory went, and writes a JSON summary for tools/firmware.
The ctest cases firmware_example_<target>_<what>_run (label firmware_examples) run it.

Checks, each a failure (exit 1) with a message naming it:
 1. The run: a Cortex-M image under qemu-system-arm -M <board> (semihosting), an aarch64 Linux
    executable under qemu-aarch64-static (--user); a hang (--timeout), a fault or a non-zero exit
    fails. mnist_inference exits 0 only if every class equals the desktop build's and every
    probability is within 1e-4 of it ("agrees with the desktop"); mnist_training exits 0 only if
    the loss fell and the held-out accuracy rose ("learned"), and with --host its output is
    compared with the host build's (compare_mnist_training.py, tolerances there).
 2. Read-only data stays read-only: every generated constant - <model>::parameters (exactly
    8 + 4 * parameters bytes: the signature and the floats), <images>::images, ::labels and
    ::desktop_outputs - must be a symbol (`nm -S -C`) lying inside the .rodata section
    (`size -A` addresses). (nm's type letter does not say it: these are inline variables, weak
    'V' on arm-none-eabi and unique 'u' on aarch64 Linux.)
 3. RAM holds the plan and little else: static RAM (.data + .bss of the image; with --object,
    those of the program's object file, since a static Linux executable also holds glibc's) must
    be at most the planned arena (mnist_inference: "inference arena bytes"; mnist_training: the
    whole sn::Model, "bytes model", plus "bytes batch_buffers") + --slack bytes (default 4 KiB:
    the inference input buffer is 3,136 bytes, the C library's data ~100). Parameters that
    landed in RAM (127 KB for the NIN) fail both this and check 2.

Sizes in the JSON (bytes): text, data, bss as Berkeley `size -B` counts them (text = every
allocated read-only section: code, vectors, unwind tables, constants; data = allocated writable
sections with contents; bss = the zero-filled ones), with rodata (the .rodata section of
`size -A`) taken out of text: text + rodata = size's text. flash = text + rodata + data (.data's
initial values live in flash), ram = data + bss.

The JSON (--json) is written whatever happens: "ok" false and "result" "FAILED: <why>" on a
failure.
"""
import argparse
import json
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu_run  # noqa: E402
from qemu_run import fail, run_host, run_qemu, run_qemu_user  # noqa: E402
import compare_mnist_training  # noqa: E402

record = {}
json_path = None


def write_json():
    if json_path:
        os.makedirs(os.path.dirname(os.path.abspath(json_path)), exist_ok=True)
        tmp = json_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(record, f, indent=1, sort_keys=True)
            f.write("\n")
        os.replace(tmp, json_path)


def on_fail(message):
    record["ok"] = False
    record["result"] = "FAILED: " + message
    write_json()


def tool(command):
    run = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if run.returncode != 0:
        fail(f"{' '.join(command)} exited with {run.returncode}", run.stdout + run.stderr)
    return run.stdout


def sections_of(size, path):
    """{name: (size, address)} from `size -A`."""
    out = {}
    for line in tool([size, "-A", path]).splitlines():
        p = line.split()
        if len(p) == 3 and p[0].startswith(".") and p[1].isdigit() and p[2].isdigit():
            out[p[0]] = (int(p[1]), int(p[2]))
    return out


def berkeley(size, path):
    """(text, data, bss) from `size -B`."""
    lines = tool([size, "-B", path]).splitlines()
    p = lines[1].split()
    return int(p[0]), int(p[1]), int(p[2])


def symbols_of(nm, path):
    """{demangled name: (address, size, type)} for the symbols nm lists with a size."""
    out = {}
    for line in tool([nm, "-S", "-C", path]).splitlines():
        p = line.split(None, 3)
        if len(p) == 4 and len(p[2]) == 1:
            try:
                out[p[3]] = (int(p[0], 16), int(p[1], 16), p[2])
            except ValueError:
                pass
    return out


def ram_of(sections):
    """.data + .bss (and their .data.* / .bss.* / thread-local kin in an object file)."""
    data = sum(s for n, (s, _) in sections.items()
               if n == ".data" or n.startswith(".data.") or n == ".tdata" or n.startswith(".tdata."))
    bss = sum(s for n, (s, _) in sections.items()
              if n == ".bss" or n.startswith(".bss.") or n == ".tbss" or n.startswith(".tbss."))
    return data, bss


def parse_inference(text):
    v = {"agrees": False}
    for line in text.splitlines():
        p = line.split()
        try:
            if line.startswith("inference arena bytes "):
                v["arena"] = int(p[3])
            elif line.startswith("parameter bytes "):
                v["parameter_bytes"] = int(p[2])
            elif line.startswith("parameters "):
                v["parameters"] = int(p[1])
            elif line.startswith("stack bytes "):
                v["stack"] = int(p[2])
            elif line.startswith("accuracy "):
                a, b = p[1].split("/")
                v["correct"], v["count"] = int(a), int(b)
            elif line.startswith("max |p - desktop p| "):
                v["max_dp"] = float(p[-1])
            elif line == "agrees with the desktop":
                v["agrees"] = True
        except (ValueError, IndexError):
            fail(f"cannot parse line {line!r}", text)
    missing = [k for k in ("arena", "parameters", "parameter_bytes", "stack", "count", "max_dp") if k not in v]
    if missing:
        fail("incomplete mnist_inference output (no " + ", ".join(missing) + ")", text)
    return v


def main():
    global json_path
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--qemu", required=True, help="qemu-system-arm, or with --user qemu-aarch64-static")
    ap.add_argument("--machine", default="mps2-an386", help="qemu-system-arm -M value")
    ap.add_argument("--user", action="store_true", help="QEMU user mode (a Linux executable)")
    ap.add_argument("--target", required=True, help="target name (cortex-m4, ..., aarch64-linux)")
    ap.add_argument("--elf", required=True, help="the image")
    ap.add_argument("--timeout", type=int, default=600, help="seconds before QEMU counts as hung")
    ap.add_argument("--program", required=True, choices=("mnist_inference", "mnist_training"))
    ap.add_argument("--network", required=True, help="network name for the report")
    ap.add_argument("--nm", required=True, help="the target's nm")
    ap.add_argument("--size", required=True, help="the target's size")
    ap.add_argument("--object", help="the program's object file: RAM is checked there (static Linux)")
    ap.add_argument("--model", help="namespace of the generated model header (mnist_inference)")
    ap.add_argument("--images", help="namespace of the generated images header (default from the output)")
    ap.add_argument("--host", help="mnist_training: the host build to compare with")
    ap.add_argument("--slack", type=int, default=4096, help="RAM allowed beyond the plan, bytes")
    ap.add_argument("--json", help="write the summary here")
    compare_mnist_training.add_tolerance_arguments(ap)
    args = ap.parse_args()

    json_path = args.json
    if json_path and os.path.exists(json_path):
        os.remove(json_path)
    name = os.path.basename(args.elf)
    record.update({"target": args.target, "program": args.program, "network": args.network,
                   "image": args.elf, "ok": False, "result": "FAILED: did not finish", "checks": []})
    qemu_run.fail_hooks.append(on_fail)
    write_json()  # replaced below; says "did not finish" if this script itself breaks

    if not os.path.exists(args.elf):
        fail(f"{args.elf} does not exist: its _build test failed or did not run")

    # Sizes first: the JSON has them even when the run fails.
    sections = sections_of(args.size, args.elf)
    text, data, bss = berkeley(args.size, args.elf)
    rodata = sum(s for n, (s, _) in sections.items() if n == ".rodata" or n.startswith(".rodata."))
    record.update({"text": text - rodata, "rodata": rodata, "data": data, "bss": bss,
                   "flash": text + data, "ram": data + bss})
    if args.user:
        record["note"] = "static executable: text/rodata/data/bss include glibc"

    # 1. The run.
    statuses = ("1 = differs from the desktop build, 2 = predict failed, " if args.program == "mnist_inference"
                else compare_mnist_training.STATUSES)
    start = time.monotonic()
    if args.user:
        stdout, output = run_qemu_user(args.qemu, args.elf, args.timeout, statuses)
    else:
        stdout, output = run_qemu(args.qemu, args.machine, args.elf, args.timeout, statuses)
    record["run_seconds"] = round(time.monotonic() - start, 2)
    print(f"{name}: ran in {record['run_seconds']} s under {os.path.basename(args.qemu)}"
          + ("" if args.user else f" -M {args.machine}"))

    if args.program == "mnist_inference":
        lines = stdout.splitlines()
        sys.stdout.write("\n".join(lines[:3] + ["..."] + lines[-12:]) + "\n")
        v = parse_inference(stdout)
        if not v["agrees"]:
            fail("the program exited 0 but did not print 'agrees with the desktop'", output)
        record.update({"arena_bytes": v["arena"], "arena_kind": "inference", "stack_bytes": v["stack"],
                       "parameters": v["parameters"], "parameter_bytes": v["parameter_bytes"],
                       "accuracy": f"{v['correct']}/{v['count']}", "max_abs_dp": v["max_dp"]})
        record["checks"].append(f"agrees with the desktop: every class, probabilities within 1e-4 "
                                f"(max |dp| {v['max_dp']:g}); accuracy {v['correct']}/{v['count']}")
        ram_budget = v["arena"]
        budget_text = f"the planned inference arena {v['arena']}"
        images_ns = args.images
        expected = {}
        if args.model:
            expected[f"{args.model}::parameters"] = 8 + 4 * v["parameters"]
        if images_ns:
            pixels, classes = 784, 10
            expected[f"{images_ns}::images"] = v["count"] * pixels
            expected[f"{images_ns}::labels"] = v["count"]
            expected[f"{images_ns}::desktop_outputs"] = v["count"] * classes * 4
        result = "agrees"
    else:
        target = compare_mnist_training.parse(stdout, args.target)
        shown = [ln for ln in stdout.splitlines() if not ln.startswith(("w ", "w1 "))]
        sys.stdout.write("\n".join(shown) + "\n")
        if not target["learned"]:
            fail("the program exited 0 but did not print 'learned'", output)
        b = target["bytes"]
        record.update({"arena_bytes": b["training_arena"], "arena_kind": "training",
                       "model_bytes": b["model"], "stack_bytes": b.get("stack"),
                       "parameters": len(target["w"]), "epochs": max(target["epoch"]),
                       "loss": [target["epoch"][min(target["epoch"])], target["epoch"][max(target["epoch"])]],
                       "heldout": [target["heldout"][0], target["heldout"][max(target["heldout"])]]})
        record["checks"].append(f"learned: loss {record['loss'][0]:.4g} -> {record['loss'][1]:.4g}, held-out "
                                f"accuracy {record['heldout'][0]:.3g} -> {record['heldout'][1]:.3g}")
        if args.host:
            host = compare_mnist_training.parse(run_host(args.host), "host")
            bad, stats = compare_mnist_training.compare(host, target, args.target, args.final_weights,
                                                        args.loss_rtol, args.w1_atol, args.w_atol)
            record["comparison"] = stats
            if bad:
                fail(f"{args.target} training differs from the host build: " + ", ".join(bad))
            final = (f"final w within {args.w_atol:g} (max |dw| {stats['w_max_abs_diff']:.3g})"
                     if args.final_weights == "compare"
                     else f"final w reported only (max |dw| {stats['w_max_abs_diff']:.3g})")
            record["checks"].append(f"matches the host build: epoch-1 loss within {args.loss_rtol:g}, w1 within "
                                    f"{args.w1_atol:g} (max |dw| {stats['w1_max_abs_diff']:.3g}), {final}")
        ram_budget = b["model"] + b.get("batch_buffers", 0)
        budget_text = f"sizeof(Model) {b['model']} + batch buffers {b.get('batch_buffers', 0)}"
        images_ns = args.images
        expected = {}
        if images_ns:
            expected[f"{images_ns}::images"] = None
            expected[f"{images_ns}::labels"] = None
        result = "learned" + (" and matches" if args.host else "")

    # 2. The generated constants in .rodata.
    if ".rodata" not in sections:
        fail(f"{args.elf} has no .rodata section")
    ro_size, ro_addr = sections[".rodata"]
    symbols = symbols_of(args.nm, args.elf)
    placed = []
    for sym, want_size in expected.items():
        if sym not in symbols:
            fail(f"symbol {sym} not found in {args.elf} (nm -S -C)")
        addr, size, kind = symbols[sym]
        if want_size is not None and size != want_size:
            fail(f"{sym} is {size} bytes, expected {want_size}")
        if not (ro_addr <= addr and addr + size <= ro_addr + ro_size):
            where = [n for n, (s, a) in sections.items() if a <= addr < a + s and a != 0]
            fail(f"{sym} ({size} bytes at {addr:#x}, nm type {kind}) is NOT in .rodata "
                 f"({ro_addr:#x}..{ro_addr + ro_size:#x}) but in {', '.join(where) or 'no section'}: "
                 f"constant data landed in RAM")
        placed.append(f"{sym} ({size})")
    if placed:
        record["checks"].append("in .rodata: " + ", ".join(placed))

    # 3. Static RAM against the plan.
    if args.object:
        odata, obss = ram_of(sections_of(args.size, args.object))
        ram, where = odata + obss, f"the program's object {os.path.basename(args.object)}"
        record["object_data"], record["object_bss"] = odata, obss
    else:
        ram, where = data + bss, "the image"
    limit = ram_budget + args.slack
    record.update({"ram_checked": ram, "ram_limit": limit})
    if ram > limit:
        ram_ranges = [(a, a + s) for n, (s, a) in sections.items() if n in (".data", ".bss") and s > 0]
        big = sorted(((size, sym) for sym, (addr, size, _) in symbols.items()
                      if any(lo <= addr < hi for lo, hi in ram_ranges)), reverse=True)[:6]
        fail(f"static RAM (.data + .bss of {where}) is {ram} bytes, more than {budget_text} + "
             f"{args.slack} slack = {limit}; largest RAM symbols: "
             + ", ".join(f"{n} ({s})" for s, n in big))
    record["checks"].append(f"static RAM of {where} {ram} <= {budget_text} + {args.slack}")

    record["ok"] = True
    record["result"] = result
    write_json()
    for c in record["checks"]:
        print("OK: " + c)
    print(f"OK: {name}: {result}; text {record['text']}, rodata {rodata}, data {data}, bss {bss}; "
          f"{record['arena_kind']} arena {record['arena_bytes']}, stack {record['stack_bytes']}")


if __name__ == "__main__":
    main()
