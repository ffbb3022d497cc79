#!/usr/bin/env python3
"""Inference latency, Mote against TensorFlow Lite, measured in one run on the same model files:
`mote bench MODEL --json` from two release builds (SwiftPM's default flags, and with
`-Xswiftc -target-cpu -Xswiftc native`, each in its own --build-path) against
`tflite_peer.py bench MODEL --json` with TFLite's reference kernels (`--ref`) and its default
kernels (XNNPACK), single thread. `mote` installs the best MoteCoreDSP kernel variant for the
CPU at start-up (the JSON records which, `kernels`; MOTE_KERNELS=portable in the environment
measures the portable Swift loops). Prints JSON with the ratios TFLite / Mote (above 1: Mote is
faster) and the TensorFlow version; a table goes to stderr.

    python3 bench/latency.py [--models a,b,c] [--runs 200] [--rounds 3] [--source auto|mote|probe]
                             [--skip-build] [--out FILE]

Targets: >= 10x TFLite's reference kernels, >= 1.0x TFLite's default kernels.
Rounds interleave the engines (every engine once per model per round), so that a burst of load
on a shared machine hits them all; the report keeps the median of the rounds' medians and the
minimum of the minimums. With --source probe (or when `mote bench` cannot run), bench/probe, the
MoteCore sources with a small timing driver built with the same release flags, stands in for it.
"""
import argparse
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

DEFAULT_MODELS = ["peer_seed_64", "mlperf_vww_96", "mlperf_kws_ds_cnn"]
TARGETS = {"tflite_ref": 10.0, "tflite_default": 1.0}


def mote_cmd(exe, source, path, runs):
    if source == "mote":
        return [exe, "bench", path, "--runs", str(runs), "--warmup", "20", "--json"]
    return [exe, "bench", path, str(runs), "20"]


def parse_mote(doc):
    if doc is None:
        return None
    if "latency_ms" in doc:  # mote bench --json
        res = {"median_ms": doc["latency_ms"]["median"], "min_ms": doc["latency_ms"]["min"]}
        if "kernels" in doc:
            res["kernels"] = doc["kernels"]
        return res
    if "median_ms" in doc:  # bench/probe
        return {"median_ms": doc["median_ms"], "min_ms": doc["min_ms"]}
    return None


# `mote` links OpenBLAS (for the float trainer), whose pthread build starts a worker thread when
# the library loads; `mote bench` never calls BLAS, but that idle worker spins in sched_yield for
# about 0.1 s before it sleeps (perf: a fifth of a kws run's samples), on the core beside the
# timed thread. One BLAS thread means no worker at all.
MOTE_ENV = dict(os.environ, OPENBLAS_NUM_THREADS="1")


def measure(cmd):
    r = common.run(cmd, check=False, env=MOTE_ENV)
    doc = common.last_json(r.stdout)
    if r.returncode != 0 or doc is None or "error" in doc:
        return None, (doc or {}).get("error") or (r.stderr.strip().splitlines() or ["no output"])[-1]
    return doc, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default=",".join(DEFAULT_MODELS), help="fixture names, comma-separated")
    ap.add_argument("--runs", type=int, default=200, help="timed inferences per measurement")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--source", choices=["auto", "mote", "probe"], default="auto")
    ap.add_argument("--skip-build", action="store_true", help="reuse the binaries of an earlier run")
    ap.add_argument("--out", help="also write the JSON here")
    args = ap.parse_args()

    fixtures = {name: path for name, path, _ in common.fixture_models()}
    models = [m for m in args.models.split(",") if m]
    for m in models:
        if m not in fixtures:
            sys.exit(f"unknown fixture {m}")

    builds = {}
    source = args.source
    if source in ("auto", "mote"):
        for variant, native in (("default", False), ("native", True)):
            path = os.path.join(common.BUILD, f"bench-{'release' if not native else 'native'}")
            exe = os.path.join(path, "release", "mote")
            if not args.skip_build or not os.path.exists(exe):
                exe = common.build_mote(path, native)
            builds[variant] = exe
        probe_ok = all(builds.values()) and all(
            measure(mote_cmd(e, "mote", fixtures[models[0]], 3))[0] is not None for e in builds.values())
        if not probe_ok:
            if source == "mote":
                sys.exit("`mote bench --json` does not run; try --source probe")
            common.log("`mote bench --json` is not available: measuring with bench/probe instead")
            source = "probe"
        else:
            source = "mote"
    if source == "probe":
        builds = {}
        for variant, native in (("default", False), ("native", True)):
            out = os.path.join(common.BUILD, "bench-probe", f"probe-{variant}")
            builds[variant] = out if args.skip_build and os.path.exists(out) else common.build_probe(out, native)
            if not builds[variant]:
                sys.exit("cannot build bench/probe")

    machine = common.machine()
    samples = {m: {e: [] for e in ("mote_default", "mote_native", "tflite_ref", "tflite_default")} for m in models}
    errors = {}
    tf_version = None
    for rnd in range(args.rounds):
        for m in models:
            path = fixtures[m]
            cmds = {
                "tflite_ref": ["python3", common.PEER, "bench", path, "--ref", "--runs", str(args.runs), "--json"],
                "tflite_default": ["python3", common.PEER, "bench", path, "--runs", str(args.runs), "--json"],
                "mote_default": mote_cmd(builds["default"], source, path, args.runs),
                "mote_native": mote_cmd(builds["native"], source, path, args.runs),
            }
            for engine, cmd in cmds.items():
                doc, err = measure(cmd)
                if engine.startswith("mote"):
                    res = parse_mote(doc)
                else:
                    res = {"median_ms": doc["median_ms"], "min_ms": doc["min_ms"]} if doc else None
                    tf_version = (doc or {}).get("tensorflow", tf_version)
                if res is None:
                    errors[f"{m} {engine}"] = err or "unreadable output"
                    continue
                samples[m][engine].append(res)
                common.log(f"round {rnd + 1}/{args.rounds} {m:<20} {engine:<15} median {res['median_ms']:.4f} ms  min {res['min_ms']:.4f} ms")

    results = []
    for m in models:
        row = {"model": m}
        for engine, runs in samples[m].items():
            if runs:
                row[engine] = {"median_ms": statistics.median(r["median_ms"] for r in runs),
                               "min_ms": min(r["min_ms"] for r in runs), "rounds": len(runs)}
                if "kernels" in runs[0]:
                    row[engine]["kernels"] = runs[0]["kernels"]
        ratios = {}
        for mote in ("mote_default", "mote_native"):
            for peer in ("tflite_ref", "tflite_default"):
                if mote in row and peer in row:
                    ratios[f"{peer}/{mote}"] = {
                        "median": round(row[peer]["median_ms"] / row[mote]["median_ms"], 3),
                        "min": round(row[peer]["min_ms"] / row[mote]["min_ms"], 3),
                        "target": TARGETS[peer],
                    }
                    ratios[f"{peer}/{mote}"]["meets_target"] = ratios[f"{peer}/{mote}"]["median"] >= TARGETS[peer]
        row["ratios"] = ratios
        results.append(row)

    doc = {"machine": machine, "tensorflow": tf_version, "mote_source": source,
           "mote_builds": {"default": "swift build -c release", "native": "swift build -c release -Xswiftc -target-cpu -Xswiftc native"}
           if source == "mote" else {"default": "bench/build_probe.sh (-O -wmo)", "native": "bench/build_probe.sh -target-cpu native"},
           "runs": args.runs, "rounds": args.rounds, "threads": 1, "targets": TARGETS,
           "results": results, "errors": errors, "load_average_after": list(os.getloadavg())}
    text = json.dumps(doc, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")

    common.log(f"\nTensorFlow {tf_version}, Mote via {source}, {args.runs} runs x {args.rounds} rounds, medians in ms "
               f"(load average {machine['load_average'][0]:.1f} before, {doc['load_average_after'][0]:.1f} after)")
    common.log(f"{'model':<20} {'TFLite ref':>11} {'TFLite def':>11} {'Mote':>9} {'Mote nat':>9}  {'ref/Mote':>8} {'def/Mote':>8} {'ref/nat':>8} {'def/nat':>8}")
    for r in results:
        def ms(e):
            return f"{r[e]['median_ms']:.4f}" if e in r else "-"

        def ratio(k):
            return f"{r['ratios'][k]['median']:.2f}x" if k in r["ratios"] else "-"
        common.log(f"{r['model']:<20} {ms('tflite_ref'):>11} {ms('tflite_default'):>11} {ms('mote_default'):>9} {ms('mote_native'):>9}  "
                   f"{ratio('tflite_ref/mote_default'):>8} {ratio('tflite_default/mote_default'):>8} "
                   f"{ratio('tflite_ref/mote_native'):>8} {ratio('tflite_default/mote_native'):>8}")
    for k, v in errors.items():
        common.log(f"error: {k}: {v}")


if __name__ == "__main__":
    main()
