#!/usr/bin/env python3
"""Float .tflite files exported by `mote train` against the TFLite interpreter.

For each float model given, both engines judge the same labeled folder with the same preprocessing:
Mote through `mote eval MODEL --dump` (MoteFloat's executor, MoteImage's decoder and resize) and
TensorFlow through `tflite_peer.py eval MODEL --dump` (the TFLite interpreter, Pillow's decoder and
resize). Per image, the output scores are compared: the issue's bound is
max |Mote - TFLite| <= 1e-5 * max(1, max |TFLite|). TFLite's dump rounds scores to 6 decimals, so
differences below 5e-7 are not resolved. Prints one JSON object (TFLite version included).

    python3 bench/float_export_conformance.py MODEL.tflite [MODEL2.tflite ...] \
        [--data ../shared/data/faces] [--split val] [--resize nearest] [--mote .build/release/mote]
"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import PEER, SHARED, log, machine, run  # noqa: E402


def option(args, name, default):
    if name in args:
        i = args.index(name)
        value = args[i + 1]
        del args[i:i + 2]
        return value
    return default


def read_dump(path):
    out = {}
    with open(path) as f:
        for line in f:
            o = json.loads(line)
            out[o["file"]] = (o["prediction"], [float(v) for v in o["scores"]])
    return out


def main():
    args = sys.argv[1:]
    data = option(args, "--data", os.path.join(SHARED, "data", "faces"))
    split = option(args, "--split", "val")
    resize = option(args, "--resize", "nearest")
    mote = option(args, "--mote", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                               ".build", "release", "mote"))
    if not args:
        sys.exit(__doc__)
    folder = os.path.join(data, split)
    venv = os.environ.get("MOTE_PEER_VENV", os.path.expanduser("~/.cache/mote-peer-venv"))
    version = run([os.path.join(venv, "bin", "python"), "-c", "import tensorflow as tf; print(tf.__version__)"],
                  check=False).stdout.strip() or "unknown"
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for model in args:
            ours, theirs = os.path.join(tmp, "mote.jsonl"), os.path.join(tmp, "tflite.jsonl")
            log(f"{model}: mote eval ...")
            run([mote, "eval", model, "--data", folder, "--resize", resize, "--dump", ours])
            log(f"{model}: tflite_peer.py eval ...")
            run([sys.executable, PEER, "eval", model, "--data", data, "--split", split, "--resize", resize, "--dump", theirs])
            a, b = read_dump(ours), read_dump(theirs)
            common = sorted(set(a) & set(b))
            worst, worst_file, peak, decisions = 0.0, None, 0.0, 0
            for f in common:
                (pa, sa), (pb, sb) = a[f], b[f]
                decisions += pa != pb
                for x, y in zip(sa, sb):
                    peak = max(peak, abs(y))
                    if abs(x - y) > worst:
                        worst, worst_file = abs(x - y), f
            bound = 1e-5 * max(1.0, peak)
            results.append({"model": model, "images": len(common), "only_mote": len(set(a) - set(b)),
                            "only_tflite": len(set(b) - set(a)), "max_abs_diff": worst, "worst_file": worst_file,
                            "bound": bound, "within_bound": worst <= bound, "decisions_differ": decisions})
            log(f"{model}: {len(common)} images, max |Mote - TFLite| = {worst:.3g} (bound {bound:.3g}), "
                f"{decisions} decisions differ")
    print(json.dumps({"machine": machine(), "tensorflow": version,
                      "data": folder, "resize": resize, "models": results}, indent=2))


if __name__ == "__main__":
    main()
