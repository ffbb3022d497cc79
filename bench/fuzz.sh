#!/usr/bin/env bash
# Hostile inputs under AddressSanitizer, in two parts:
#   (a) the HostileModel tests at a larger mutant count (MOTE_HOSTILE_SCALE), built with
#       `swift test --sanitize=address` in .build/asan (like `-Xswiftc -sanitize=address`, and
#       the C targets, CMoteDSP's SIMD kernels, are instrumented too);
#   (b) a libFuzzer target over the verifier and the interpreter (bench/fuzz/fuzz_main.swift with
#       MoteCore and MoteCoreDSP, `swiftc -sanitize=fuzzer,address`; every kernel variant runs
#       each accepted input and must give the same bytes), seeded with the fixture models, for a
#       bounded time.
#
#   bench/fuzz.sh [all|mutants|libfuzzer]
# Environment: SCALE (default 10), INVOKE_BUDGET (seconds of invoke per model and category in
# (a), default 5), SEED (mutant seed), FUZZ_TIME (seconds, default 60), FUZZ_JOBS (parallel
# libFuzzer jobs, default 1), FUZZ_ALL=1 (also seed with models above 400 KB), OUT (default
# .build/fuzz-out). Exit status: non-zero when a part found a crash or failed.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mode="${1:-all}"
SCALE="${SCALE:-10}"
INVOKE_BUDGET="${INVOKE_BUDGET:-5}"
FUZZ_TIME="${FUZZ_TIME:-60}"
FUZZ_JOBS="${FUZZ_JOBS:-1}"
OUT="${OUT:-$root/.build/fuzz-out}"
fixtures="$root/../shared/fixtures/tflite"
mkdir -p "$OUT"
status=0

mutants() {
    echo "== (a) HostileModel tests under AddressSanitizer, scale $SCALE =="
    local trace="$OUT/hostile-current.txt" log="$OUT/hostile-asan.log"
    local t0=$SECONDS
    env MOTE_HOSTILE_SCALE="$SCALE" MOTE_HOSTILE_INVOKE_BUDGET="$INVOKE_BUDGET" ${SEED:+MOTE_HOSTILE_SEED="$SEED"} \
        MOTE_HOSTILE_TRACE="$trace" ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}" \
        swift test --sanitize=address --build-path "$root/.build/asan" --filter HostileModel >"$log" 2>&1
    local rc=$?
    grep -E '^HostileModel [a-zA-Z]+(,| |:)' "$log" | grep -v '^HostileModel: ' | sed 's/^/  /'
    grep -E 'Executed [0-9]+ tests' "$log" | tail -1 | sed 's/^[[:space:]]*/  /'
    if [ $rc -ne 0 ]; then
        status=1
        echo "  FAILED (exit $rc) after $((SECONDS - t0)) s; log: $log"
        grep -E 'ERROR: AddressSanitizer|Fatal error|runtime failure|error: -\[|XCTAssert' "$log" | head -20 | sed 's/^/  /'
        [ -s "$trace" ] && echo "  last mutant run: $(cat "$trace")"
    else
        echo "  passed in $((SECONDS - t0)) s; log: $log"
    fi
}

# MoteCore and MoteCoreDSP as separate modules (the entry imports both); without a C compiler
# or off x86-64, MoteCore alone compiled together with the entry.
build_fuzzer() {
    local exe="$1" b; b="$(dirname "$1")/modules"
    local san=(-sanitize=fuzzer,address -O -g -parse-as-library)
    local tc; tc="$(dirname "$(command -v swiftc)")"
    rm -rf "$b"; mkdir -p "$b/CMoteDSP"
    local core=($(find "$root/Sources/MoteCore" -name '*.swift' | sort))
    if [ -d "$root/Sources/MoteCoreDSP" ] && [ "$(uname -m)" = x86_64 ] &&
        swiftc "${san[@]}" -wmo -enforce-exclusivity=unchecked -module-name MoteCore -emit-module \
            -emit-module-path "$b/MoteCore.swiftmodule" -c "${core[@]}" -o "$b/MoteCore.o" &&
        "$tc/clang" -O3 -g -fsanitize=fuzzer-no-link,address -I "$root/Sources/CMoteDSP/include" \
            -c "$root"/Sources/CMoteDSP/*.c -o "$b/mote_dsp.o" &&
        printf 'module CMoteDSP {\n  header "%s"\n  export *\n}\n' "$root/Sources/CMoteDSP/include/mote_dsp.h" >"$b/CMoteDSP/module.modulemap" &&
        swiftc "${san[@]}" -wmo -module-name MoteCoreDSP -I "$b" -I "$b/CMoteDSP" -emit-module \
            -emit-module-path "$b/MoteCoreDSP.swiftmodule" -c "$root"/Sources/MoteCoreDSP/*.swift -o "$b/MoteCoreDSP.o" &&
        swiftc "${san[@]}" -I "$b" -I "$b/CMoteDSP" "$root/bench/fuzz/fuzz_main.swift" \
            "$b/MoteCore.o" "$b/MoteCoreDSP.o" "$b/mote_dsp.o" -o "$exe"; then
        echo "variants: portable + MoteCoreDSP"
        return 0
    fi
    echo "variants: portable only (MoteCoreDSP not built)"
    swiftc "${san[@]}" -enforce-exclusivity=unchecked -module-name MoteFuzz "${core[@]}" "$root/bench/fuzz/fuzz_main.swift" -o "$exe"
}

libfuzzer() {
    echo "== (b) libFuzzer: verifier + prepare + invoke (1 MiB arena), $FUZZ_TIME s =="
    local dir="$OUT/libfuzzer" exe="$root/.build/fuzz/mote-fuzz"
    mkdir -p "$dir/artifacts" "$(dirname "$exe")"
    rm -rf "$dir/corpus"; mkdir -p "$dir/corpus"
    echo "  building $exe"
    if ! build_fuzzer "$exe" >"$dir/build.log" 2>&1; then
        echo "  build failed: $dir/build.log"; tail -5 "$dir/build.log"; status=1; return
    fi
    echo "  kernel variants: $(grep -h '^variants:' "$dir/build.log" | cut -d' ' -f2-)"
    local seeds=0
    for m in "$fixtures"/*/model_int8.tflite; do
        [ -f "$m" ] || continue
        if [ "${FUZZ_ALL:-0}" != 1 ] && [ "$(stat -c %s "$m")" -gt 400000 ]; then continue; fi
        cp "$m" "$dir/corpus/$(basename "$(dirname "$m")").tflite"; seeds=$((seeds + 1))
    done
    echo "  corpus: $seeds fixture models"
    local before; before=$(ls "$dir/artifacts" | wc -l)
    local jobs=()
    [ "$FUZZ_JOBS" -gt 1 ] && jobs=(-jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS")
    (cd "$dir" && "$exe" -max_total_time="$FUZZ_TIME" -timeout=20 -dict="$root/bench/fuzz/tflite.dict" \
        -artifact_prefix="$dir/artifacts/" -print_final_stats=1 "${jobs[@]}" corpus >"$dir/fuzz.log" 2>&1)
    local rc=$?
    local after; after=$(ls "$dir/artifacts" | wc -l)
    local execs rate units
    execs=$(grep -h 'stat::number_of_executed_units' "$dir"/fuzz.log "$dir"/fuzz-*.log 2>/dev/null | awk '{s+=$2} END {print s+0}')
    rate=$(grep -h 'stat::average_exec_per_sec' "$dir"/fuzz.log "$dir"/fuzz-*.log 2>/dev/null | awk '{s+=$2} END {print s+0}')
    units=$(grep -h 'stat::new_units_added' "$dir"/fuzz.log "$dir"/fuzz-*.log 2>/dev/null | awk '{s+=$2} END {print s+0}')
    echo "  executions: $execs ($rate/s), new corpus units: $units, crashes: $((after - before)) (exit $rc)"
    if [ $rc -ne 0 ] || [ "$after" -gt "$before" ]; then
        status=1
        grep -hE 'ERROR: AddressSanitizer|ERROR: libFuzzer|Fatal error|runtime failure|SUMMARY' "$dir"/fuzz*.log | head -10 | sed 's/^/  /'
        echo "  artifacts (replay: $exe ARTIFACT): $dir/artifacts"
        ls -t "$dir/artifacts" | head -5 | sed 's/^/    /'
    fi
}

case "$mode" in
    all) mutants; libfuzzer ;;
    mutants) mutants ;;
    libfuzzer) libfuzzer ;;
    *) echo "usage: $0 [all|mutants|libfuzzer]"; exit 2 ;;
esac
exit $status
