#!/usr/bin/env bash
# Compiles all of Sources/MoteCore as one Embedded Swift object (whole-module, no allocations),
# the form in which the core is linked into C programs and firmware through include/mote_core.h.
#
#   scripts/build-embedded-core.sh TARGET OUT.o [extra swiftc flags...]
#
# TARGET: armv7em-none-none-eabi (Cortex-M4/M7), aarch64-none-none-elf, x86_64-unknown-linux-gnu
# (the host, to test the embedded build natively), or another target with an Embedded Swift
# stdlib. Every target is built with -O: with Swift 6.3.1, -Osize miscompiles the core for
# armv7em (mote_init then rejects every model with "tensor index out of range", reproduced by
# firmware-sim's tests under QEMU; -O and aarch64 -Osize are correct), so -Osize is not a default.
# Extra flags go last, so they can add (-Xcc -mfloat-abi=hard) or override (-Osize) options.
# Uses the swiftc on PATH (SWIFTC overrides it). Link the object with --gc-sections: every
# Embedded Swift object carries a weak copy of the runtime, which only dead-stripping removes.
# The object needs memset/memcpy/memmove (__aeabi_mem* on 32-bit Arm, plus the __aeabi_d*
# soft-double helpers on armv7em) and the stack protector's __stack_chk_guard/__stack_chk_fail:
# firmware provides them, or passes -disable-stack-protector.
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 TARGET OUT.o [extra swiftc flags...]" >&2
    exit 2
fi
target=$1
out=$2
shift 2

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
swiftc=${SWIFTC:-$(command -v swiftc || true)}
if [ -z "$swiftc" ]; then
    echo "$0: swiftc not found on PATH" >&2
    exit 2
fi

opt=-O

sources=()
while IFS= read -r f; do sources+=("$f"); done < <(find "$root/Sources/MoteCore" -name '*.swift' | LC_ALL=C sort)
if [ ${#sources[@]} -eq 0 ]; then
    echo "$0: no sources under $root/Sources/MoteCore" >&2
    exit 2
fi

mkdir -p "$(dirname "$out")"
exec "$swiftc" -target "$target" \
    -enable-experimental-feature Embedded -no-allocations -wmo "$opt" \
    -Xfrontend -function-sections -parse-as-library \
    -enforce-exclusivity=unchecked \
    -module-name MoteCore \
    -c "${sources[@]}" -o "$out" "$@"
