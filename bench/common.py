"""Shared helpers of the bench scripts: paths, builds of `mote` and of the stand-alone probe,
running commands that print one JSON document, the machine description."""
import json
import os
import platform
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
FIXTURES = os.path.join(SHARED, "fixtures", "tflite")
PEER = os.path.join(SHARED, "tools", "tflite_peer.py")
BUILD = os.path.join(ROOT, ".build")


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def fixture_models():
    """(name, path of model_int8.tflite, folder) of every fixture, sorted by name."""
    if not os.path.isdir(FIXTURES):
        sys.exit(f"fixtures not found at {FIXTURES}")
    out = []
    for name in sorted(os.listdir(FIXTURES)):
        path = os.path.join(FIXTURES, name, "model_int8.tflite")
        if os.path.exists(path):
            out.append((name, path, os.path.join(FIXTURES, name)))
    return out


def run(cmd, check=True, **kw):
    """Runs `cmd`; returns CompletedProcess with text stdout/stderr."""
    return subprocess.run(cmd, capture_output=True, text=True, check=check, **kw)


def last_json(text):
    """The last line of `text` that parses as a JSON object (tools may print progress first)."""
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    try:
        return json.loads(text)
    except ValueError:
        return None


def build_mote(build_path, native=False):
    """Builds the `mote` product in release (SwiftPM's default release flags, plus
    -target-cpu native when asked) into its own build path; returns the binary's path or None."""
    cmd = ["swift", "build", "-c", "release", "--product", "mote", "--build-path", build_path]
    if native:
        cmd += ["-Xswiftc", "-target-cpu", "-Xswiftc", "native"]
    log("building:", " ".join(cmd))
    t0 = time.time()
    r = run(cmd, check=False, cwd=ROOT)
    if r.returncode != 0:
        log(f"  mote build failed ({r.returncode}):", (r.stderr or r.stdout).strip().splitlines()[-5:])
        return None
    log(f"  built in {time.time() - t0:.0f} s")
    binpath = run(cmd + ["--show-bin-path"], cwd=ROOT).stdout.strip()
    exe = os.path.join(binpath, "mote")
    return exe if os.path.exists(exe) else None


def build_probe(out, native=False):
    """Builds bench/probe/probe.swift with the MoteCore sources (release flags); returns its path."""
    cmd = [os.path.join(ROOT, "bench", "build_probe.sh"), out] + (["-target-cpu", "native"] if native else [])
    log("building probe:", " ".join(cmd))
    r = run(cmd, check=False, cwd=ROOT)
    if r.returncode != 0:
        log("  probe build failed:", r.stderr.strip().splitlines()[-5:])
        return None
    return out


def machine():
    """What the numbers were measured on."""
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    swift = run(["swift", "--version"], check=False)
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_average": list(os.getloadavg()),
        "os": platform.platform(),
        "swift": (swift.stdout or swift.stderr).strip().splitlines()[0] if (swift.stdout or swift.stderr) else None,
    }
