#!/usr/bin/env bash
# Builds bench/probe/probe.swift together with the MoteCore sources, with the flags of a
# SwiftPM release build of MoteCore (-O, whole module, exclusivity checks off).
#   bench/build_probe.sh OUT [extra swiftc flags, e.g. -target-cpu native]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$1"; shift
mkdir -p "$(dirname "$out")"
swiftc -O -wmo -enforce-exclusivity=unchecked -parse-as-library -module-name MoteProbe "$@" \
    $(find "$root/Sources/MoteCore" -name '*.swift' | sort) "$root/bench/probe/probe.swift" -o "$out"
