#!/usr/bin/env python3
"""MoteCore on the Cortex-M4 under QEMU: instructions per inference, flash and RAM, next to
TFLite Micro + CMSIS-NN's figures for the same model.

    python3 bench/firmware.py [--models mlperf_vww_96,mlperf_kws_ds_cnn,peer_seed_64]
                              [--configs compact,fast,fast+dsp] [--opt O] [--target cortex-m4] [--out FILE]

Configurations: compact (the C ABI's memory policy, portable kernels), fast (the fast policy's
optimized portable kernels), fast+dsp (the same with firmware-sim/dsp's Arm DSP kernels in the
kernel table). Runs firmware-sim/run.sh --per-op --json for every model and configuration on the fixture's
first input (and checks the output against expected_ref), then prints one JSON document:
per run the instructions per inference, per operator type (sum and share), flash and RAM, and
the ratios peer / Mote (above 1: Mote uses fewer instructions or bytes). The TFLite Micro
figures are not measured here (no TFLite Micro build on this machine): they are the ones in
../shared/docs/PEERS.md (tflite-micro 90b983c2, arm-none-eabi-gcc 12.2, same QEMU, same
counting method), quoted in the JSON under "peer".
"""
import argparse
import collections
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(os.path.dirname(ROOT), "shared", "fixtures", "tflite")

# ../shared/docs/PEERS.md, "TFLite Micro on a Cortex-M4 under QEMU (mlperf_vww_96)" and the
# arena table (kws has no Cortex-M4 instruction count there).
PEERS = {
    "mlperf_vww_96": {
        "source": "PEERS.md: TFLM 90b983c2 + CMSIS-NN, cortex-m4+fp, arm-none-eabi-gcc 12.2, qemu mps2-an386",
        "instructions": 24101948,
        "instructions_reference_kernels": 100124467,
        "flash_with_model": 417900,
        "flash_without_model": 84612,
        "ram": 103600,
        "arena": 100708,
        "macs": 7490000,
        "conv_share": 0.73,
        "depthwise_share": 0.27,
    },
    "mlperf_kws_ds_cnn": {
        "source": "PEERS.md: TFLM arena (print_allocations); no Cortex-M4 instruction count",
        "arena": 24272,
    },
}


def ratio(peer, mote):
    return round(peer / mote, 3) if peer and mote else None


def run(model, config, opt, target):
    memory, _, kernels = config.partition("+")
    kernels = kernels or "portable"
    d = os.path.join(FIXTURES, model)
    inp = os.path.join(d, "inputs", "000.bin")
    out = os.path.join(ROOT, ".build", "firmware-sim", f"bench-{target}-{model}-{memory}-{kernels}.bin")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    cmd = [os.path.join(ROOT, "firmware-sim", "run.sh"), "--target", target, "--model", os.path.join(d, "model_int8.tflite"),
           "--input", inp, "--output", out, "--memory", memory, "--kernels", kernels, "--opt", opt, "--per-op", "--json"]
    print(f"bench/firmware: {model} {config} -{opt} on {target}", file=sys.stderr)
    p = subprocess.run(cmd, capture_output=True, text=True)
    try:
        j = json.loads(p.stdout)
    except ValueError:
        return {"model": model, "config": config, "error": f"run.sh exit {p.returncode}: {p.stderr[-600:]}"}
    if not j.get("ok"):
        return {"model": model, "config": config, "error": j.get("error"), "run": j}
    with open(out, "rb") as f, open(os.path.join(d, "expected_ref", "000.bin"), "rb") as g:
        exact = f.read() == g.read()
    per_type = collections.OrderedDict()
    for op in j.get("per_op", []):
        per_type[op["op"]] = per_type.get(op["op"], 0) + op["instructions"]
    total_ops = sum(per_type.values()) or 1
    insns = j["instructions"]["per_inference"]
    res = {
        "model": model,
        "target": target,
        "config": config,
        "memory": memory,
        "kernels": kernels,
        "opt": opt,
        "output_equals_expected_ref": exact,
        "instructions_per_inference": insns,
        "instructions_init": j["instructions"].get("init"),
        "per_op_type": {k: {"instructions": v, "share": round(v / total_ops, 4)} for k, v in per_type.items()},
        "first_op": j["per_op"][0] if j.get("per_op") else None,
        "flash": j["flash"],
        "ram": j["ram"],
        "arena": j["arena"],
    }
    peer = PEERS.get(model)
    if peer:
        res["peer"] = peer
        res["ratios_peer_over_mote"] = {
            "instructions_vs_cmsis_nn": ratio(peer.get("instructions"), insns),
            "instructions_vs_tflm_reference": ratio(peer.get("instructions_reference_kernels"), insns),
            "flash_with_model": ratio(peer.get("flash_with_model"), j["flash"]["total"]),
            "flash_without_model": ratio(peer.get("flash_without_model"), j["flash"]["without_model"]),
            "ram": ratio(peer.get("ram"), j["ram"]["total"]),
            "arena": ratio(peer.get("arena"), j["arena"]["required"]),
        }
        if peer.get("macs"):
            res["instructions_per_mac"] = round(insns / peer["macs"], 2)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="mlperf_vww_96,mlperf_kws_ds_cnn,peer_seed_64")
    ap.add_argument("--configs", default="compact,fast,fast+dsp")
    ap.add_argument("--opt", default="O")
    ap.add_argument("--target", default="cortex-m4")
    ap.add_argument("--out")
    a = ap.parse_args()
    if not os.path.isdir(FIXTURES):
        sys.exit(f"bench/firmware: fixtures not found at {FIXTURES}")
    runs = [run(m, c, a.opt, a.target) for m in a.models.split(",") for c in a.configs.split(",")]
    qemu = subprocess.run(["qemu-system-arm", "--version"], capture_output=True, text=True).stdout.splitlines()[:1]
    doc = {"bench": "firmware", "qemu": qemu[0] if qemu else None, "runs": runs}
    text = json.dumps(doc, indent=1)
    print(text)
    if a.out:
        with open(a.out + ".tmp", "w") as f:
            f.write(text + "\n")
        os.replace(a.out + ".tmp", a.out)
    for r in runs:
        if "error" in r:
            print(f"  {r['model']:20s} {r['config']:9s} ERROR {r['error']}", file=sys.stderr)
            continue
        rr = r.get("ratios_peer_over_mote", {})
        init = f"  init {r['instructions_init']:>11,}" if r.get("instructions_init") is not None else ""
        print(f"  {r['model']:20s} {r['config']:9s} {r['instructions_per_inference']:>12,} instr{init}  flash {r['flash']['total']:>9,}"
              f"  ram {r['ram']['total']:>8,}  exact {r['output_equals_expected_ref']}"
              + (f"  cmsis/mote {rr.get('instructions_vs_cmsis_nn')}  flash {rr.get('flash_with_model')}  ram {rr.get('ram')}" if rr else ""),
              file=sys.stderr)


if __name__ == "__main__":
    main()
