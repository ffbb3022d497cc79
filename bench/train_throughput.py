#!/usr/bin/env python3
"""Training throughput: `mote train` against Keras (../shared/tools/keras_seed.py) on the same
data in one run, same conditions: images decoded once and held in memory (decoding excluded),
augmentation (the tutorial's ImageDataGenerator settings) on the fly, 2 threads, batch 32.
Figure of merit: training images per second of the median epoch after the first (validation
excluded), Mote's over Keras'. Mote's micro-96 throughput is reported beside it.

    python3 bench/train_throughput.py [--data ../shared/data/faces] [--epochs 3] [--skip-build]
                                      [--skip-keras] [--skip-micro] [--out FILE]

Builds `mote` in release into .build/bench-release (unless --skip-build finds it), then runs,
one after the other: mote seed-64, keras_seed.py seed-64 (venv python
~/.cache/mote-peer-venv/bin/python; its conversion/latency extras cut to the minimum), mote
micro-96. Prints one JSON document on stdout; progress on stderr.
"""
import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

VENV_PY = os.path.expanduser("~/.cache/mote-peer-venv/bin/python")
KERAS_SEED = os.path.join(common.SHARED, "tools", "keras_seed.py")


def mote_train(exe, data, arch, size, epochs, out, seed):
    cmd = ["nice", exe, "train", "--data", data, "--arch", arch, "--size", str(size), "--resize", "nearest",
           "--epochs", str(epochs), "--batch", "32", "--seed", str(seed), "--threads", "2", "--out", out, "--json"]
    common.log("running:", " ".join(cmd))
    t0 = time.time()
    r = common.run(cmd, check=False)
    if r.returncode != 0:
        sys.exit(f"mote train failed ({r.returncode}): {r.stderr.strip()[-2000:]}")
    doc = json.loads(r.stdout)
    ips = [e["images_per_second"] for e in doc["history"]]
    common.log(f"  {arch}-{size}: epochs {[round(v) for v in ips]} img/s, median after first "
               f"{doc['median_images_per_second_after_first']:.0f}, wall {time.time() - t0:.0f} s")
    return {"median_images_per_s_after_first": doc["median_images_per_second_after_first"],
            "images_per_s_per_epoch": ips, "final_val_accuracy": doc["final_val_accuracy"],
            "decode_seconds": doc["decode_seconds"], "wall_seconds": round(time.time() - t0, 1)}


def keras_train(data, size, epochs, out, seed):
    cmd = ["nice", VENV_PY, KERAS_SEED, "--data", data, "--size", str(size), "--epochs", str(epochs), "--batch", "32",
           "--seed", str(seed), "--interp", "nearest", "--out", out, "--calib", "10", "--bench-runs", "200",
           "--bench-warmup", "1", "--ref-eval-max", "0"]
    common.log("running:", " ".join(cmd))
    t0 = time.time()
    r = common.run(cmd, check=False)
    if r.returncode != 0:
        sys.exit(f"keras_seed.py failed ({r.returncode}): {r.stderr.strip()[-2000:]}")
    with open(os.path.join(out, "results.json")) as f:
        doc = json.load(f)
    t = doc["training"]
    common.log(f"  keras seed-{size}: epochs {t['train_images_per_s']} img/s, median after first "
               f"{t['train_images_per_s_median_after_first']}, wall {time.time() - t0:.0f} s")
    return {"median_images_per_s_after_first": t["train_images_per_s_median_after_first"],
            "images_per_s_per_epoch": t["train_images_per_s"],
            "final_val_accuracy": t["history"].get("val_accuracy", [None])[-1],
            "tf_threads": t.get("tf_threads"), "wall_seconds": round(time.time() - t0, 1)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(common.SHARED, "data", "faces"))
    ap.add_argument("--epochs", type=int, default=3, help="epochs per run (the median skips the first)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-build", action="store_true", help="reuse .build/bench-release/.../mote when present")
    ap.add_argument("--skip-keras", action="store_true")
    ap.add_argument("--skip-micro", action="store_true")
    ap.add_argument("--out", help="also write the JSON here")
    a = ap.parse_args()
    if a.epochs < 2:
        ap.error("--epochs must be at least 2 (the first epoch is excluded from the median)")

    build_path = os.path.join(common.BUILD, "bench-release")
    exe = os.path.join(build_path, "release", "mote")
    if not (a.skip_build and os.path.exists(exe)):
        exe = common.build_mote(build_path)
        if not exe:
            sys.exit("cannot build mote")
    result = {"machine": common.machine(), "data": a.data, "epochs": a.epochs,
              "conditions": "decoded once in memory, keras augmentation on the fly, 2 threads, batch 32, resize nearest"}
    with tempfile.TemporaryDirectory(prefix="mote-train-bench-") as tmp:
        result["mote_seed64"] = mote_train(exe, a.data, "seed", 64, a.epochs, os.path.join(tmp, "mote-seed64"), a.seed)
        if not a.skip_keras:
            result["keras_seed64"] = keras_train(a.data, 64, a.epochs, os.path.join(tmp, "keras-seed64"), a.seed)
            k = result["keras_seed64"]["median_images_per_s_after_first"]
            result["ratio_mote_over_keras"] = round(result["mote_seed64"]["median_images_per_s_after_first"] / k, 3) if k else None
        if not a.skip_micro:
            result["mote_micro96"] = mote_train(exe, a.data, "micro", 96, a.epochs, os.path.join(tmp, "mote-micro96"), a.seed)
    result["load_average_end"] = list(os.getloadavg())
    text = json.dumps(result, indent=2)
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
