#!/usr/bin/env python3
"""Int8 models written by `mote quantize` run byte-identically in TFLite and in MoteCore.

    python3 bench/quant_conformance.py MODEL.tflite [MODEL2.tflite ...] [--images 100] [--seed 0]
                                       [--data ../shared/data/faces/val] [--resize nearest|bilinear]
                                       [--mote .build/debug/mote] [--out FILE]

For every model: a seeded sample of --images validation images (sorted file list, shuffled with
--seed), converted to RGB (gray for 1-channel inputs), resized with Pillow to the model's input size
(--resize, default: the model's `mote` metadata `input.resize`, else nearest), scaled by the
metadata's scale/offset (default 1/255, 0) and quantized with the input tensor's scale and zero
point (`clip(round(x / s) + zp)`). Each input goes through
  - the TFLite interpreter with reference kernels, exactly as `tflite_peer.py run MODEL --ref` runs it
    (its `interpreter(path, ref=True)`, set_tensor, invoke, get_tensor; in-process, to avoid 100
    TensorFlow start-ups), and
  - `mote run MODEL --input IN.bin --output OUT.bin` (the Swift tool, fast memory policy by default),
and the output bytes are compared. JSON on stdout: per model the images, how many outputs differ,
the largest difference in int8 steps, TensorFlow's version; exit 1 when any byte differs.
Runs in the peer venv (`python3 ../shared/tools/tflite_peer.py setup`).
"""
import json
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

sys.path.insert(0, os.path.join(common.SHARED, "tools"))
import tflite_peer  # noqa: E402


def opt(args, name, default=None):
    return tflite_peer.opt(args, name, default)


def metadata(path):
    """The model's `mote` metadata JSON (via `mote inspect --json`), or {}."""
    try:
        import tensorflow as tf  # noqa: F401
        from tensorflow.lite.python import schema_py_generated as schema  # type: ignore
        buf = open(path, "rb").read()
        m = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(buf, 0))
        for e in m.metadata or []:
            if (e.name.decode() if isinstance(e.name, bytes) else e.name) == "mote":
                return json.loads(bytes(m.buffers[e.buffer].data).decode())
    except Exception as exc:  # noqa: BLE001
        common.log(f"note: cannot read mote metadata of {path}: {exc}")
    return {}


def main(args):
    import numpy as np
    import tensorflow as tf
    from PIL import Image
    models = [a for i, a in enumerate(args) if not a.startswith("--") and (i == 0 or not args[i - 1].startswith("--"))]
    if not models:
        sys.exit(__doc__)
    images = int(opt(args, "--images", "100"))
    seed = int(opt(args, "--seed", "0"))
    data = opt(args, "--data", os.path.join(common.SHARED, "data", "faces", "val"))
    mote = opt(args, "--mote", os.path.join(common.ROOT, ".build", "debug", "mote"))
    if not os.path.exists(mote):
        sys.exit(f"{mote} not found: run `swift build --product mote` first (or pass --mote)")
    files = sorted(os.path.join(root, f) for root, _, names in os.walk(data) for f in names if f.lower().endswith(".jpg"))
    if not files:
        sys.exit(f"no images under {data}")
    random.Random(seed).shuffle(files)
    files = files[:images]
    results, failed = [], False
    with tempfile.TemporaryDirectory() as tmp:
        for path in models:
            meta = metadata(path).get("input", {})
            it = tflite_peer.interpreter(path, True)
            d_in, d_out = it.get_input_details()[0], it.get_output_details()[0]
            _, h, w, c = d_in["shape"]
            s, z = d_in["quantization"]
            resize = opt(args, "--resize", meta.get("resize", "nearest"))
            resample = {"bilinear": Image.BILINEAR, "nearest": Image.NEAREST}[resize]
            scale, offset = float(meta.get("scale", 1 / 255)), float(meta.get("offset", 0))
            info = np.iinfo(d_in["dtype"])
            differing, worst = 0, 0
            for k, f in enumerate(files):
                with Image.open(f) as im:
                    im = im.convert("L" if c == 1 else "RGB").resize((w, h), resample)
                    x = np.asarray(im, dtype=np.float32).reshape(d_in["shape"]) * np.float32(scale) + np.float32(offset)
                q = np.clip(np.round(x / s) + z, info.min, info.max).astype(d_in["dtype"])
                src = os.path.join(tmp, "in.bin")
                q.tofile(src)
                # TFLite reference kernels, as tflite_peer.py run --ref.
                it.set_tensor(d_in["index"], np.fromfile(src, dtype=d_in["dtype"]).reshape(d_in["shape"]))
                it.invoke()
                ref = it.get_tensor(d_out["index"]).tobytes()
                dst = os.path.join(tmp, "out.bin")
                r = subprocess.run([mote, "run", path, "--input", src, "--output", dst], capture_output=True, text=True)
                if r.returncode != 0:
                    sys.exit(f"mote run failed on {path}: {r.stderr}")
                got = open(dst, "rb").read()
                if got != ref:
                    differing += 1
                    a = np.frombuffer(ref, dtype=np.int8).astype(int)
                    b = np.frombuffer(got, dtype=np.int8).astype(int)
                    worst = max(worst, int(np.abs(a - b).max()))
                if (k + 1) % 20 == 0:
                    common.log(f"{os.path.basename(path)}: {k + 1}/{len(files)} images, {differing} differ")
            failed |= differing > 0
            results.append({"model": path, "images": len(files), "resize": resize, "outputs_differing": differing,
                            "max_abs_diff_steps": worst, "identical": differing == 0})
    doc = {"benchmark": "quant_conformance", "tensorflow": tf.__version__, "seed": seed, "data": data, "models": results}
    text = json.dumps(doc, indent=2)
    print(text)
    if opt(args, "--out"):
        with open(opt(args, "--out"), "w") as fh:
            fh.write(text + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    tflite_peer.reexec_in_venv()
    sys.exit(main(sys.argv[1:]))
