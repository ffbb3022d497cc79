#!/usr/bin/env python3
"""Arena sizes: for every fixture model, the bytes MoteCore's planner uses for activations and
scratch (`planned`), next to the lower bound of any plan (the largest total of activation bytes
live at once, RESHAPE in place) recomputed here from meta.json as an independent check, and the
whole arena (planned + persistent) next to TensorFlow Lite Micro's (PEERS.md). Under the compact
policy operators may run in place, so `planned` can be below the bound (which counts every
operator output apart); `in_place_saving` is what in place saved.

    python3 bench/arena.py [--source auto|mote|probe] [--mote PATH] [--out FILE]

The core's figures come from `mote inspect --json` (a release build of the tool, when one is at
.build/bench-release or given with --mote) or from bench/probe (the MoteCore sources with a
small driver, built on the fly). Prints JSON on stdout and a table on stderr.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

# TensorFlow Lite Micro's print_allocations() after one invocation (docs/PEERS.md).
TFLM = {
    "mlperf_vww_96": {"total": 103_680, "planned": 73_728, "persistent": 29_952, "lower_bound": 55_296},
    "mlperf_kws_ds_cnn": {"total": 24_272, "planned": 16_000, "persistent": 8_272, "lower_bound": 16_000},
}

TYPE_BYTES = {"INT8": 1, "UINT8": 1, "BOOL": 1, "INT16": 2, "FLOAT16": 2, "INT32": 4, "FLOAT32": 4,
              "UINT32": 4, "INT64": 8, "FLOAT64": 8}
RESHAPE = 22


def align(n, a=16):
    return (n + a - 1) // a * a


def lower_bound(meta, alignment=16):
    """Largest total of live activation bytes over the operator steps. A tensor is live from the
    operator that writes it (step 0 for graph inputs) to its last reader (the last step for graph
    outputs); a RESHAPE output whose input is an activation of the same size shares its buffer."""
    tensors = {t["index"]: t for t in meta["tensors"]}
    ops = meta["ops"]
    steps = max(len(ops), 1)

    def nbytes(t):
        n = TYPE_BYTES[t["type"].upper()]
        for d in t["shape"]:
            n *= max(d, 0)
        return n

    def activation(i):
        return i >= 0 and not tensors[i]["is_constant"]

    first, last = {}, {}

    def use(i, step):
        first[i] = min(first.get(i, step), step)
        last[i] = max(last.get(i, step), step)

    for i in meta["subgraph_inputs"]:
        use(i, 0)
    for op in ops:
        for i in op["inputs"] + op["outputs"]:
            if activation(i):
                use(i, op["index"])
    for i in meta["subgraph_outputs"]:
        if activation(i):
            use(i, steps - 1)
    root = {}
    for op in ops:
        if op["builtin_code"] == RESHAPE and op["inputs"] and activation(op["inputs"][0]):
            src, dst = op["inputs"][0], op["outputs"][0]
            if nbytes(tensors[src]) == nbytes(tensors[dst]):
                root[dst] = root.get(src, src)
    spans = {}
    for i in first:
        r = root.get(i, i)
        lo, hi = spans.get(r, (first[i], last[i]))
        spans[r] = (min(lo, first[i]), max(hi, last[i]))
    best = 0
    for s in range(steps):
        live = sum(align(nbytes(tensors[r]), alignment) for r, (lo, hi) in spans.items() if lo <= s <= hi)
        best = max(best, live)
    return best


def core_figures(source, mote, probe, path, memory="compact"):
    if source == "mote":
        r = common.run([mote, "inspect", path, "--json", "--memory", memory], check=False)
        doc = common.last_json(r.stdout)
        if not doc or not isinstance(doc.get("arena"), dict):
            return {"error": (doc or {}).get("error") or r.stderr.strip()[-300:]}
        a = doc["arena"]
        return {"planned": a["planned"], "persistent": a["persistent"], "lower_bound": a["lower_bound"], "required": a["required"],
                "in_place_saving": a.get("in_place_saving", 0)}
    r = common.run([probe, "arena", "--memory", memory, path], check=False)
    doc = common.last_json(r.stdout) or {"error": r.stderr.strip()[-300:]}
    return doc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", choices=["auto", "mote", "probe"], default="auto")
    ap.add_argument("--memory", choices=["compact", "fast"], default="compact",
                    help="the interpreter's memory policy (compact is what firmware uses)")
    ap.add_argument("--mote", help="path of a built `mote` binary")
    ap.add_argument("--out", help="also write the JSON here")
    args = ap.parse_args()

    mote = args.mote or os.path.join(common.BUILD, "bench-release", "release", "mote")
    source = args.source
    if source == "auto":
        ok = os.path.exists(mote) and common.run([mote, "inspect", "--help"], check=False).returncode == 0
        source = "mote" if ok else "probe"
    probe = None
    if source == "probe":
        probe = common.build_probe(os.path.join(common.BUILD, "bench-probe", "probe"))
        if not probe:
            sys.exit("cannot build bench/probe")

    rows = []
    for name, path, folder in common.fixture_models():
        with open(os.path.join(folder, "meta.json")) as f:
            meta = json.load(f)
        core = core_figures(source, mote, probe, path, args.memory)
        row = {"model": name, "lower_bound_meta": lower_bound(meta), "lower_bound_meta_unaligned": lower_bound(meta, 1)}
        if "error" in core:
            row["error"] = core["error"]
        else:
            row.update({k: core[k] for k in ("planned", "persistent", "lower_bound", "required")})
            row["in_place_saving"] = core.get("in_place_saving", 0)
            row["planned_over_lower_bound"] = round(core["planned"] / row["lower_bound_meta"], 4) if row["lower_bound_meta"] else None
            row["core_lower_bound_equals_meta"] = core["lower_bound"] == row["lower_bound_meta"]
        if name in TFLM:
            t = TFLM[name]
            row["tflm"] = t
            if "required" in row:
                row["arena_over_tflm"] = round(row["required"] / t["total"], 4)
                row["planned_over_tflm_planned"] = round(row["planned"] / t["planned"], 4)
                row["persistent_over_tflm_persistent"] = round(row["persistent"] / t["persistent"], 4)
        rows.append(row)

    doc = {"machine": common.machine(), "source": source, "memory": args.memory, "models": rows}
    text = json.dumps(doc, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")

    hdr = (f"{'model':<24} {'planned':>9} {'lower bd':>9} {'ratio':>6} {'in place':>8} {'persist':>8} {'arena':>9}  "
           f"{'TFLM arena':>10} {'ratio':>6}")
    common.log(hdr)
    for r in rows:
        if "error" in r:
            common.log(f"{r['model']:<24} error: {r['error']}")
            continue
        t = r.get("tflm")
        tail = f"  {t['total']:>10,} {r['arena_over_tflm']:>6.3f}" if t else ""
        mark = "" if r["core_lower_bound_equals_meta"] else f"  MISMATCH: the core's lower bound is {r['lower_bound']:,}"
        common.log(f"{r['model']:<24} {r['planned']:>9,} {r['lower_bound_meta']:>9,} {r['planned_over_lower_bound']:>6.3f} "
                   f"{r['in_place_saving']:>8,} {r['persistent']:>8,} {r['required']:>9,}{tail}{mark}")


if __name__ == "__main__":
    main()
