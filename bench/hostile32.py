#!/usr/bin/env python3
"""The hostile-model mutants on a 32-bit build of the core: MoteCore compiled as Embedded Swift
for i686 (32-bit Int, as on the Cortex-M boards; no allocation), run natively on an x86-64
Linux host by a freestanding runner (bench/hostile32/start32.c) that puts every mutant right
before an unmapped page. A Swift trap (an overflow that only a 32-bit Int hits) or a read past
the model's end kills the runner; this script names the mutant, restarts after it, and compares
every outcome with the 64-bit one.

    python3 bench/hostile32.py [--scale 1] [--seed N] [--skip-export] [--out DIR]

Steps: (1) `swift test --filter HostileModel` with MOTE_HOSTILE_EXPORT writes each fixture's
mutants and 64-bit outcomes (invokes are skipped there for speed); (2) the runner is built with
swiftc (-target i686-unknown-none-elf, Embedded, -no-allocations) + clang + ld.lld from the
toolchain; (3) every mutant runs: verify, then prepare (in the exported arena size, at most
4 MiB) and invoke under both memory policies, `.compact` (the firmware's) and `.fast`, whose
outputs must agree. Exit status 1 when a mutant crashed.
"""
import argparse
import collections
import json
import os
import shutil
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

KINDS = {1: "malformedModel", 2: "unsupportedOperator", 3: "typeMismatch", 4: "shapeMismatch", 5: "invalidQuantization",
         6: "invalidOptions", 7: "invalidBuffer", 8: "indexOutOfRange", 9: "overflow", 10: "arenaTooSmall", 11: "invalidArgument"}


def describe(code):
    if code == 0:
        return "prepared"
    if code == 300:
        return "memory policies give different outputs"
    if code == 301:
        return "memory policies disagree on prepare"
    stage = "verifier" if code < 200 else "prepare"
    return f"{stage}: {KINDS.get(code % 100, code % 100)}"


def build(out_dir):
    tc = os.path.dirname(shutil.which("swiftc"))
    os.makedirs(out_dir, exist_ok=True)
    sources = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(common.ROOT, "Sources", "MoteCore")) for f in fs if f.endswith(".swift"))
    here = os.path.join(common.ROOT, "bench", "hostile32")
    obj, start, exe = (os.path.join(out_dir, n) for n in ("mote32.o", "start32.o", "mote32"))
    steps = [
        ["swiftc", "-target", "i686-unknown-none-elf", "-enable-experimental-feature", "Embedded", "-no-allocations", "-wmo", "-O",
         "-parse-as-library", "-module-name", "Mote32", "-c", *sources, os.path.join(here, "driver32.swift"), "-o", obj],
        [os.path.join(tc, "clang"), "--target=i386-unknown-linux-gnu", "-O1", "-ffreestanding", "-fno-builtin", "-fno-stack-protector",
         "-nostdlib", "-c", os.path.join(here, "start32.c"), "-o", start],
        [os.path.join(tc, "ld.lld"), "-m", "elf_i386", "-static", "-e", "_start", start, obj, "-o", exe],
    ]
    for cmd in steps:
        common.log("  " + " ".join(os.path.basename(c) if i == 0 else c for i, c in enumerate(cmd[:8])) + (" ..." if len(cmd) > 8 else ""))
        r = common.run(cmd, check=False)
        if r.returncode != 0:
            sys.exit(f"build step failed:\n{r.stderr[-2000:]}")
    return exe


def run_all(exe, model, mutants_file):
    """Runs every line of `mutants_file`; returns ({line: code}, [(line, signal)])."""
    codes, crashes, first = {}, [], 0
    total = sum(1 for _ in open(mutants_file))
    while first < total:
        p = subprocess.run([exe, model, mutants_file, str(first)], capture_output=True, text=True)
        last = first - 1
        pending = None
        for line in p.stdout.splitlines():
            parts = line.split()
            if len(parts) == 2:
                codes[int(parts[0])] = int(parts[1])
                last = int(parts[0])
            elif len(parts) == 1:
                pending = int(parts[0])
        if p.returncode == 0:
            break
        if 0 < p.returncode < 128:
            sys.exit(f"the 32-bit runner failed (exit {p.returncode}): {p.stderr.strip()}")
        crashed = pending if pending is not None else last + 1
        sig = -p.returncode if p.returncode < 0 else p.returncode - 128 if p.returncode > 128 else p.returncode
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"exit {p.returncode}"
        crashes.append((crashed, name))
        first = crashed + 1
    return codes, crashes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", default="1", help="MOTE_HOSTILE_SCALE for the export")
    ap.add_argument("--seed", help="MOTE_HOSTILE_SEED for the export")
    ap.add_argument("--skip-export", action="store_true", help="reuse the mutants of an earlier run")
    ap.add_argument("--out", default=os.path.join(common.BUILD, "hostile32"))
    args = ap.parse_args()

    export = os.path.join(args.out, "mutants")
    if not args.skip_export:
        shutil.rmtree(export, ignore_errors=True)
        env = dict(os.environ, MOTE_HOSTILE_EXPORT=export, MOTE_HOSTILE_SCALE=args.scale, MOTE_HOSTILE_INVOKE_BUDGET="0",
                   MOTE_HOSTILE_TRACE=os.path.join(args.out, "current-64.txt"))
        if args.seed:
            env["MOTE_HOSTILE_SEED"] = args.seed
        os.makedirs(args.out, exist_ok=True)
        common.log(f"exporting mutants (scale {args.scale}): swift test --filter HostileModel")
        r = subprocess.run(["swift", "test", "--filter", "HostileModel"], cwd=common.ROOT, env=env, capture_output=True, text=True)
        with open(os.path.join(args.out, "export.log"), "w") as f:
            f.write(r.stdout + r.stderr)
        if not os.path.isdir(export):
            sys.exit(f"the export wrote nothing (exit {r.returncode}); see {args.out}/export.log")
        if r.returncode != 0:
            common.log(f"  note: swift test exited {r.returncode} (64-bit failures are in {args.out}/export.log)")
    common.log("building the 32-bit runner")
    exe = build(args.out)

    fixtures = {name: path for name, path, _ in common.fixture_models()}
    report, any_crash = [], False
    for fn in sorted(os.listdir(export)):
        if not fn.endswith(".mutants"):
            continue
        name = fn[:-len(".mutants")]
        mfile = os.path.join(export, fn)
        labels = [l.rstrip("\n").split("|", 1)[1] for l in open(mfile)]
        ofile = os.path.join(export, name + ".outcomes")
        expected = [int(l) for l in open(ofile)] if os.path.exists(ofile) else []
        codes, crashes = run_all(exe, fixtures[name], mfile)
        any_crash |= bool(crashes)
        tally = collections.Counter(describe(c) for c in codes.values())
        differ = [(i, expected[i], c) for i, c in sorted(codes.items()) if i < len(expected) and expected[i] not in (c, -1)]
        row = {"model": name, "mutants": len(labels), "outcomes": dict(tally), "crashes": [
            {"line": i, "signal": s, "mutant": labels[i] if i < len(labels) else "?"} for i, s in crashes],
            "differs_from_64_bit": len(differ),
            "differences": [{"mutant": labels[i], "64-bit": describe(e), "32-bit": describe(c)} for i, e, c in differ[:10]]}
        report.append(row)
        common.log(f"{name:<24} {len(labels):>6} mutants: prepared {tally.get('prepared', 0)}, crashes {len(crashes)}, "
                   f"outcome differs from 64-bit {len(differ)}")
        for c in row["crashes"][:20]:
            common.log(f"    CRASH ({c['signal']}): {c['mutant']}")
        for d in row["differences"][:5]:
            common.log(f"    32/64 differ: {d['mutant']}: 64-bit {d['64-bit']}, 32-bit {d['32-bit']}")
    doc = {"machine": common.machine(), "scale": args.scale, "target": "i686-unknown-none-elf (Embedded Swift, -no-allocations, -O)",
           "models": report, "total_mutants": sum(r["mutants"] for r in report),
           "total_crashes": sum(len(r["crashes"]) for r in report)}
    print(json.dumps(doc, indent=2))
    sys.exit(1 if any_crash else 0)


if __name__ == "__main__":
    main()
