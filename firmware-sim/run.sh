#!/usr/bin/env bash
# firmware-sim/run.sh: builds MoteCore as firmware for one model and runs it under QEMU.
#
#   firmware-sim/run.sh --target cortex-m4|aarch64-linux --model M.tflite
#       [--input IN.bin ... --output OUT.bin ...] [--ram BYTES] [--flash BYTES]
#       [--stack BYTES] [--arena BYTES] [--opt O|Osize] [--memory compact|fast]
#       [--kernels portable|dsp] [--no-count] [--per-op] [--profile] [--require-fit] [--json] [--keep]
#
# See firmware-sim/README.md for the full interface (JSON fields, exit codes). In short:
# - The model is linked into flash (.incbin); the arena is a static buffer of exactly the bytes
#   the core reports for this model on this target (a first probe run asks it); the firmware
#   reads each input file and writes each output file through semihosting (cortex-m4) or stdio
#   (aarch64-linux). One --input per model input and one --output per model output make one
#   inference; repeat the groups for several inferences in one run (inference s takes the
#   inputs s*N .. s*N+N-1, N = the model's input count, and writes outputs likewise).
# - --ram/--flash (bytes; K = 1024, M = 1048576 suffixes accepted) become the LENGTHs of the
#   linker script's RAM and FLASH regions on cortex-m4, so the linker itself says whether the
#   firmware fits; the firmware is then run from a link with the board's full 4 MB regions.
# - Guest instructions per inference are counted exactly by a TCG plugin between markers
#   around mote_invoke (--no-count: run without the plugin); --per-op adds per-operator counts (inference 0 run once more with a
#   marker after every operator; those counts include about 10 marker instructions each).
# - stdout: a human summary, or with --json exactly one JSON object. Progress goes to stderr.
#
# Exit status: 0 ran and every output was written (whether it fits is in the JSON; with
# --require-fit a firmware over budget exits 4); 1 usage error; 2 the model or an input was rejected, or the firmware failed (status in the
# JSON); 3 a tool is missing (QEMU, cross compiler, toolchain); 4 ran, but does not fit the
# --ram/--flash budget (only with --require-fit); 5 a build step failed.
#
# Build products are cached under .build/firmware-sim (override with MOTE_FW_CACHE), keyed by
# content hashes of the core sources, this folder, the model and the options.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cache=${MOTE_FW_CACHE:-$root/.build/firmware-sim}

target="" model="" ram="" flash="" arena_override="" stack=16384 opt=O memory=compact kernels=portable profile=0 count=1 per_op=0 json=0 keep=0 require_fit=0
inputs=() outputs=()

# ---------------------------------------------------------------- output helpers

progress() { echo "firmware-sim: $*" >&2; }

json_str() {
    local s=$1
    s=${s//\\/\\\\}
    s=${s//\"/\\\"}
    s=${s//$'\n'/\\n}
    s=${s//$'\t'/\\t}
    s=${s//$'\r'/}
    printf '"%s"' "$s"
}

# fail STATUS MESSAGE: prints the error (JSON object with --json) and exits.
fail() {
    local status=$1 message=$2
    if [ "$json" = 1 ]; then
        printf '{"ok":false,"exit":%d,"error":%s' "$status" "$(json_str "$message")"
        [ -n "$target" ] && printf ',"target":%s' "$(json_str "$target")"
        printf '}\n'
    fi
    echo "firmware-sim: error: $message" >&2
    exit "$status"
}

usage() {
    sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# bytes VALUE: a byte count with an optional K/M suffix (1024-based), or empty on error.
bytes() {
    local v=$1
    case $v in
        *[kK]) v=${v%?}; [[ $v =~ ^[0-9]+$ ]] && echo $((v * 1024)) ;;
        *[mM]) v=${v%?}; [[ $v =~ ^[0-9]+$ ]] && echo $((v * 1048576)) ;;
        *) [[ $v =~ ^[0-9]+$ ]] && echo $((10#$v)) ;;
    esac
}

# ---------------------------------------------------------------- arguments

while [ $# -gt 0 ]; do
    case $1 in
        --target) target=${2-}; shift 2 || fail 1 "--target needs a value" ;;
        --model) model=${2-}; shift 2 || fail 1 "--model needs a value" ;;
        --input) [ $# -ge 2 ] || fail 1 "--input needs a value"; inputs+=("$2"); shift 2 ;;
        --output) [ $# -ge 2 ] || fail 1 "--output needs a value"; outputs+=("$2"); shift 2 ;;
        --ram) [ $# -ge 2 ] || fail 1 "--ram needs a value"; ram=$(bytes "$2") || true; [ -n "$ram" ] || fail 1 "--ram: '$2' is not a byte count (e.g. 262144, 256K, 1M)"; shift 2 ;;
        --flash) [ $# -ge 2 ] || fail 1 "--flash needs a value"; flash=$(bytes "$2") || true; [ -n "$flash" ] || fail 1 "--flash: '$2' is not a byte count (e.g. 1048576, 1024K, 1M)"; shift 2 ;;
        --arena) [ $# -ge 2 ] || fail 1 "--arena needs a value"; arena_override=$(bytes "$2") || true; [ -n "$arena_override" ] || fail 1 "--arena: '$2' is not a byte count"; shift 2 ;;
        --stack) [ $# -ge 2 ] || fail 1 "--stack needs a value"; stack=$(bytes "$2") || true; [ -n "$stack" ] || fail 1 "--stack: '$2' is not a byte count"; shift 2 ;;
        --kernels) [ $# -ge 2 ] || fail 1 "--kernels needs a value"; kernels=$2; shift 2 ;;
        --memory) [ $# -ge 2 ] || fail 1 "--memory needs a value"; memory=$2; shift 2 ;;
        --opt) [ $# -ge 2 ] || fail 1 "--opt needs a value"; opt=$2; shift 2 ;;
        --count) count=1; shift ;;
        --no-count) count=0; shift ;;
        --require-fit) require_fit=1; shift ;;
        --per-op) per_op=1; count=1; shift ;;
        --profile) profile=1; count=1; shift ;;
        --json) json=1; shift ;;
        --keep) keep=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) fail 1 "unknown argument '$1' (see --help)" ;;
    esac
done

case $target in
    cortex-m4 | aarch64-linux) ;;
    "") fail 1 "--target is required: cortex-m4 or aarch64-linux" ;;
    *) fail 1 "unknown target '$target': expected cortex-m4 or aarch64-linux" ;;
esac
case $opt in O | Osize) ;; *) fail 1 "--opt must be O or Osize, not '$opt'" ;; esac
case $memory in compact | fast) ;; *) fail 1 "--memory must be compact or fast, not '$memory'" ;; esac
case $kernels in portable | dsp) ;; *) fail 1 "--kernels must be portable or dsp, not '$kernels'" ;; esac
[ "$kernels" = portable ] || [ "$target" = cortex-m4 ] || fail 1 "--kernels dsp needs the Arm DSP extension: cortex-m4 only"
[ -n "$model" ] || fail 1 "--model is required"
[ -f "$model" ] || fail 2 "cannot read model '$model'"
[ ${#inputs[@]} -gt 0 ] || [ ${#outputs[@]} -eq 0 ] || fail 1 "--output given without --input"
[ ${#outputs[@]} -gt 0 ] || [ ${#inputs[@]} -eq 0 ] || fail 1 "--input given without --output"
for f in "${inputs[@]}"; do [ -f "$f" ] || fail 2 "cannot read input '$f'"; done
for f in "${outputs[@]}"; do
    d=$(dirname -- "$f")
    [ -d "$d" ] || fail 2 "cannot write '$f': directory '$d' does not exist"
done
if [ ${#outputs[@]} -gt 0 ]; then
    dup=$(printf '%s\n' "${outputs[@]}" | sort | uniq -d | head -1)
    [ -z "$dup" ] || fail 1 "output '$dup' given more than once"
fi
[ $((stack % 8)) -eq 0 ] && [ "$stack" -ge 1024 ] || fail 1 "--stack must be a multiple of 8, at least 1024"

# ---------------------------------------------------------------- tools

swiftc=$(command -v swiftc || true)
[ -n "$swiftc" ] || fail 3 "swiftc not found on PATH (the Swift 6.3 toolchain builds the core)"
tbin=$(dirname "$(readlink -f "$swiftc")")
clang=$tbin/clang lld=$tbin/ld.lld nm=$tbin/llvm-nm
for t in "$clang" "$lld" "$nm"; do [ -x "$t" ] || fail 3 "$(basename "$t") not found beside swiftc in $tbin"; done

need() { command -v "$1" >/dev/null 2>&1 || fail 3 "$1 not found: apt-get install $2"; }
if [ "$target" = cortex-m4 ]; then
    need qemu-system-arm qemu-system-arm
    need arm-none-eabi-size binutils-arm-none-eabi
    need arm-none-eabi-gcc gcc-arm-none-eabi
    qemu=qemu-system-arm size_tool=arm-none-eabi-size core_target=armv7em-none-none-eabi
    # The core's soft-float double and 64-bit shift helpers (__aeabi_d*, __aeabi_l*) come from
    # libgcc; the toolchain has no compiler-rt builtins for Arm.
    libgcc=$(arm-none-eabi-gcc -mthumb -mcpu=cortex-m4 -mfloat-abi=soft -print-libgcc-file-name)
    [ -f "$libgcc" ] || fail 3 "libgcc for thumb/v7e-m not found (gcc-arm-none-eabi)"
    full_flash=4194304 full_ram=4194304 probe_arena=3670016
else
    need qemu-aarch64 qemu-user
    need aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu
    need aarch64-linux-gnu-size binutils-aarch64-linux-gnu
    qemu=qemu-aarch64 size_tool=aarch64-linux-gnu-size core_target=aarch64-none-none-elf
    probe_arena=67108864
fi

hash_files() { cat "$@" | sha256sum | cut -c1-16; }

mkdir -p "$cache" || fail 5 "cannot create the cache directory $cache"

# with_lock FILE COMMAND...: runs COMMAND while holding an exclusive lock on FILE, so that
# concurrent runs build each cached product once.
with_lock() {
    local lock=$1
    shift
    (
        flock 9 || exit 5
        "$@"
    ) 9>"$lock"
}

# ---------------------------------------------------------------- the core object (cached)

core_sources=()
while IFS= read -r f; do core_sources+=("$f"); done < <(find "$root/Sources/MoteCore" -name '*.swift' | LC_ALL=C sort)
[ ${#core_sources[@]} -gt 0 ] || fail 5 "no sources under Sources/MoteCore"
swift_version=$("$swiftc" --version 2>&1 | head -1)
core_key=$( { echo "$swift_version $core_target $opt"; cat "${core_sources[@]}" "$here/core/FirmwareHooks.swift" "$root/scripts/build-embedded-core.sh"; } | sha256sum | cut -c1-16)
core_obj=$cache/core/MoteCore-$core_target-$opt-$core_key.o

build_core() {
    [ -f "$core_obj" ] && return 0
    progress "compiling MoteCore as Embedded Swift for $core_target (-$opt; about 20-40 s, cached afterwards)"
    local tmp="$core_obj.tmp.$$"
    if ! nice "$root/scripts/build-embedded-core.sh" "$core_target" "$tmp" "-$opt" "$here/core/FirmwareHooks.swift" >"$core_obj.log" 2>&1; then
        rm -f "$tmp"
        return 1
    fi
    mv -f "$tmp" "$core_obj"
}
mkdir -p "$cache/core"
with_lock "$cache/core/.lock-$core_target-$opt" build_core || fail 5 "compiling the core failed: $(tail -20 "$core_obj.log" 2>/dev/null)"

# ---------------------------------------------------------------- the plugin (cached)

plugin=""
if [ "$count" = 1 ]; then
    plugin_key=$(hash_files "$here/plugin/insncount.c")
    plugin=$cache/plugin/libinsncount-$plugin_key.so
    build_plugin() {
        [ -f "$plugin" ] && return 0
        "$clang" -O2 -shared -fPIC -fvisibility=hidden -Wall -Wextra -o "$plugin.tmp.$$" "$here/plugin/insncount.c" >"$plugin.log" 2>&1 &&
            mv -f "$plugin.tmp.$$" "$plugin"
    }
    mkdir -p "$cache/plugin"
    with_lock "$cache/plugin/.lock" build_plugin || fail 5 "building the QEMU plugin failed: $(cat "$plugin.log" 2>/dev/null)"
fi

# ---------------------------------------------------------------- the firmware (cached per model)

support=("$here/run.sh" "$here/src/fw_main.c" "$here/src/fw_platform.h" "$here/src/model.S" "$here/src/arena.c" "$root/include/mote_core.h")
if [ "$target" = cortex-m4 ]; then
    support+=("$here/cortex-m4/startup.c" "$here/cortex-m4/mps2-an386.ld" "$here/dsp/mote_dsp_arm.c")
else
    support+=("$here/aarch64-linux/platform_linux.c")
fi
model_key=$(hash_files "$model")
build_key=$( { echo "$core_key $stack $memory $kernels"; cat "${support[@]}"; } | sha256sum | cut -c1-12)
bdir=$cache/fw/$target-$opt-$memory-$kernels-$model_key-$build_key
mkdir -p "$bdir" || fail 5 "cannot create $bdir"

m4_cflags=(--target=armv7em-none-eabi -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -Os -ffreestanding -fno-builtin
           -ffunction-sections -fdata-sections -Wall -Wextra -Werror -I "$root/include" -I "$here/src")

# compile_objects: the board support and model objects (everything but the arena).
compile_objects() {
    cp -f "$model" "$bdir/model.tflite" || return 1
    if [ "$target" = cortex-m4 ]; then
        "$clang" "${m4_cflags[@]}" -c "$here/cortex-m4/startup.c" -o "$bdir/startup.o" &&
            "$clang" "${m4_cflags[@]}" -DMOTE_FW_DSP=$([ "$kernels" = dsp ] && echo 1 || echo 0) -c "$here/src/fw_main.c" -o "$bdir/fw_main.o" &&
            "$clang" "${m4_cflags[@]/-Os/-O2}" -c "$here/dsp/mote_dsp_arm.c" -o "$bdir/dsp.o" &&
            (cd "$bdir" && "$clang" "${m4_cflags[@]}" -c "$here/src/model.S" -o model.o)
    else
        local f=(-O2 -Wall -Wextra -Werror -I "$root/include" -I "$here/src")
        aarch64-linux-gnu-gcc "${f[@]}" -c "$here/aarch64-linux/platform_linux.c" -o "$bdir/platform.o" &&
            aarch64-linux-gnu-gcc "${f[@]}" -c "$here/src/fw_main.c" -o "$bdir/fw_main.o" &&
            (cd "$bdir" && aarch64-linux-gnu-gcc -c "$here/src/model.S" -o model.o)
    fi
}

# link ARENA_BYTES FLASH RAM OUT: links the firmware with a static arena of ARENA_BYTES;
# FLASH/RAM are the linker-script region lengths (cortex-m4; ignored for aarch64-linux).
link() {
    local arena=$1 fl=$2 rm=$3 out=$4
    if [ "$target" = cortex-m4 ]; then
        "$clang" "${m4_cflags[@]}" -DMOTE_ARENA_BYTES="$arena" -c "$here/src/arena.c" -o "$out.arena.o" &&
            "$lld" -T "$here/cortex-m4/mps2-an386.ld" --defsym=MOTE_FLASH_BYTES="$fl" --defsym=MOTE_RAM_BYTES="$rm" \
                --defsym=MOTE_STACK_BYTES="$stack" --gc-sections -Map "$out.map" \
                "$bdir/startup.o" "$bdir/fw_main.o" "$bdir/dsp.o" "$bdir/model.o" "$out.arena.o" "$core_obj" "$libgcc" -o "$out"
    else
        aarch64-linux-gnu-gcc -O2 -DMOTE_ARENA_BYTES="$arena" -c "$here/src/arena.c" -o "$out.arena.o" &&
            aarch64-linux-gnu-gcc -static -no-pie -Wl,--gc-sections -Wl,-Map,"$out.map" \
                "$bdir/platform.o" "$bdir/fw_main.o" "$bdir/model.o" "$out.arena.o" "$core_obj" -o "$out"
    fi
}

# run_guest ELF DIR [PLUGIN_ARGS]: runs the firmware with DIR as its working directory;
# console to DIR/console.txt, plugin log to DIR/plugin.log. Echoes the exit status.
run_guest() {
    local elf=$1 dir=$2 pargs=${3-} status
    local plug=()
    [ -n "$pargs" ] && plug=(-plugin "$plugin,$pargs" -d plugin -D "$dir/plugin.log")
    if [ "$target" = cortex-m4 ]; then
        (cd "$dir" && timeout 1200 "$qemu" -M mps2-an386 -display none -serial none -monitor none -nodefaults \
            -chardev file,id=con,path=console.txt -semihosting-config enable=on,target=native,chardev=con \
            "${plug[@]}" -kernel "$elf" >qemu.out 2>qemu.err)
        status=$?
    else
        (cd "$dir" && timeout 1200 "$qemu" "${plug[@]}" "$elf" >console.txt 2>qemu.err)
        status=$?
    fi
    echo "$status"
}

# console_value DIR KEY FIELD: field FIELD (1-based, after "mote-fw") of the first console line
# whose first word is KEY.
console_value() { awk -v k="$2" -v f="$3" '$1 == "mote-fw" && $2 == k { print $(f + 1); exit }' "$1/console.txt"; }
console_errors() { awk '$1 == "mote-fw" && ($2 == "error" || $2 == "status" || $2 == "value") { $1 = ""; sub(/^ /, ""); print }' "$1/console.txt" | tr '\n' ' ' | sed 's/ $//'; }

probe_firmware() {
    [ -f "$bdir/arena.txt" ] && return 0
    progress "building the $target firmware for $(basename "$model") and asking the core for its arena size"
    compile_objects >"$bdir/build.log" 2>&1 || return 1
    link "$probe_arena" "${full_flash:-0}" "${full_ram:-0}" "$bdir/probe.elf" >>"$bdir/build.log" 2>&1 || return 1
    local pdir="$bdir/probe-run"
    rm -rf "$pdir" && mkdir -p "$pdir"
    [ "$memory" = fast ] && : >"$pdir/memory-fast"
    [ "$kernels" = dsp ] && : >"$pdir/kernels-dsp"
    local st
    st=$(run_guest "$bdir/probe.elf" "$pdir")
    if [ "$st" != 0 ]; then
        echo "$st" >"$bdir/probe-status.txt"
        cp "$pdir/console.txt" "$bdir/probe-console.txt" 2>/dev/null
        return 2
    fi
    cp "$pdir/console.txt" "$bdir/probe-console.txt"
    console_value "$pdir" arena 3 >"$bdir/arena.txt.tmp" && mv -f "$bdir/arena.txt.tmp" "$bdir/arena.txt"
}
with_lock "$bdir/.lock" probe_firmware
probe_status=$?
if [ $probe_status = 1 ]; then fail 5 "building the firmware failed: $(tail -20 "$bdir/build.log")"; fi
if [ $probe_status = 2 ] || [ ! -s "$bdir/arena.txt" ]; then
    st=$(cat "$bdir/probe-status.txt" 2>/dev/null || echo "?")
    msg=$(awk '$1 == "mote-fw" && ($2 == "error" || $2 == "status" || $2 == "value") { $1 = ""; sub(/^ /, ""); print }' "$bdir/probe-console.txt" 2>/dev/null | tr '\n' ' ')
    rm -f "$bdir/probe-status.txt" "$bdir/arena.txt"
    fail 2 "the firmware could not prepare the model (guest exit $st): ${msg:-no console output}"
fi
arena=$(cat "$bdir/arena.txt")
required_arena=$arena
pconsole=$bdir/probe-console.txt
n_in=$(awk '$1 == "mote-fw" && $2 == "io" { print $4 }' "$pconsole")
n_out=$(awk '$1 == "mote-fw" && $2 == "io" { print $6 }' "$pconsole")
planned=$(awk '$1 == "mote-fw" && $2 == "arena" { print $6 }' "$pconsole")
persistent=$(awk '$1 == "mote-fw" && $2 == "arena" { print $8 }' "$pconsole")

# The firmware that runs: the exact arena (or --arena's), the board's full regions.
elf=$bdir/fw.elf
if [ -n "$arena_override" ]; then
    arena=$arena_override elf=$bdir/fw-arena-$arena_override.elf
fi
final_link() {
    [ -f "$elf" ] && return 0
    link "$arena" "${full_flash:-0}" "${full_ram:-0}" "$elf.tmp" >"$bdir/link.log" 2>&1 || return 1
    mv -f "$elf.tmp.map" "$elf.map" && mv -f "$elf.tmp" "$elf"
}
with_lock "$bdir/.lock" final_link || fail 5 "linking the firmware failed: $(tail -20 "$bdir/link.log")"
map=$elf.map

# The budget check: the same objects linked into regions of the budget's sizes (cortex-m4).
fits_flash=null fits_ram=null budget_message=""
if [ "$target" = cortex-m4 ] && { [ -n "$ram" ] || [ -n "$flash" ]; }; then
    bl=$bdir/budget-${flash:-$full_flash}-${ram:-$full_ram}-$$.elf
    if link "$arena" "${flash:-$full_flash}" "${ram:-$full_ram}" "$bl" >"$bl.log" 2>&1; then
        fits_flash=true fits_ram=true
    else
        grep -q "will not fit in region 'FLASH'\|FLASH.*overflowed" "$bl.log" && fits_flash=false || fits_flash=true
        grep -q "will not fit in region 'RAM'\|RAM.*overflowed" "$bl.log" && fits_ram=false || fits_ram=true
        if [ $fits_flash = true ] && [ $fits_ram = true ]; then fail 5 "the budget link failed: $(tail -5 "$bl.log")"; fi
        budget_message=$(grep -m3 "error:" "$bl.log" | sed 's/^.*error: //' | tr '\n' ';' | sed 's/;$//')
    fi
    [ -n "$flash" ] || fits_flash=null
    [ -n "$ram" ] || fits_ram=null
    rm -f "$bl" "$bl.map" "$bl.arena.o" "$bl.log"
fi

# ---------------------------------------------------------------- sizes from the ELF

sizes=$("$size_tool" -A "$elf") || fail 5 "$size_tool failed on $elf"
sec() { awk -v s="$1" '$1 == s { print $2; found = 1 } END { if (!found) print 0 }' <<<"$sizes"; }
if [ "$target" = cortex-m4 ]; then
    s_vec=$(sec .isr_vector) s_text=$(sec .text) s_rodata=$(sec .rodata) s_model=$(sec .model) s_exidx=$(sec .ARM.exidx)
    s_data=$(sec .data) s_bss=$(sec .bss) s_arena=$(sec .arena) s_stack=$(sec .stack)
    text=$((s_vec + s_text + s_exidx)) rodata=$((s_rodata + s_model))
else
    # Berkeley format: text includes .rodata and the other read-only sections.
    read -r b_text b_data b_bss _ < <("$size_tool" -B "$elf" | awk 'NR == 2 { print $1, $2, $3 }')
    s_model=$(wc -c <"$model") s_rodata=$(sec .rodata)
    s_data=$b_data s_arena=$arena s_bss=$((b_bss - arena)) s_stack=0 s_exidx=0
    text=$((b_text - s_rodata)) rodata=$s_rodata
fi
flash_total=$((text + rodata + s_data))
ram_static=$((s_data + s_bss + s_arena + s_stack))
if [ "$target" = aarch64-linux ]; then
    # No linker regions on a Linux board: the budgets are compared with the ELF's figures.
    [ -n "$flash" ] && { [ "$flash_total" -le "$flash" ] && fits_flash=true || fits_flash=false; }
    [ -n "$ram" ] && { [ "$ram_static" -le "$ram" ] && fits_ram=true || fits_ram=false; }
fi

# ---------------------------------------------------------------- the run

rdir=$(mktemp -d "$cache/run.XXXXXX") || fail 5 "cannot create a run directory"
cleanup() { [ "$keep" = 1 ] || rm -rf "$rdir"; }
trap cleanup EXIT

n_inf=0
if [ ${#inputs[@]} -gt 0 ]; then
    [ $((${#inputs[@]} % n_in)) -eq 0 ] || fail 1 "the model has $n_in input(s): give a multiple of $n_in --input files, got ${#inputs[@]}"
    n_inf=$((${#inputs[@]} / n_in))
    [ ${#outputs[@]} -eq $((n_inf * n_out)) ] || fail 1 "$n_inf inference(s) of a model with $n_out output(s) need $((n_inf * n_out)) --output files, got ${#outputs[@]}"
    for ((i = 0; i < ${#inputs[@]}; i++)); do
        ln -s "$(readlink -f "${inputs[$i]}")" "$rdir/in-$((i / n_in))-$((i % n_in)).bin"
    done
fi
[ "$per_op" = 1 ] && [ $n_inf -gt 0 ] && : >"$rdir/per-op"
[ "$memory" = fast ] && : >"$rdir/memory-fast"
[ "$kernels" = dsp ] && : >"$rdir/kernels-dsp"

pargs=""
if [ "$count" = 1 ]; then
    m_inv=$("$nm" "$elf" | awk '$3 == "mote_fw_mark_invoke" { print $1 }')
    m_op=$("$nm" "$elf" | awk '$3 == "mote_fw_mark_op" { print $1 }')
    m_init=$("$nm" "$elf" | awk '$3 == "mote_fw_mark_init" { print $1 }')
    [ -n "$m_inv" ] && [ -n "$m_op" ] && [ -n "$m_init" ] || fail 5 "marker symbols not found in $elf"
    # Thumb symbols may carry the Thumb bit; the plugin sees the instruction's address.
    pargs="mark=$(printf '0x%x' $((0x$m_inv & ~1))),mark=$(printf '0x%x' $((0x$m_op & ~1))),mark=$(printf '0x%x' $((0x$m_init & ~1)))"
    [ "$profile" = 1 ] && pargs="$pargs,profile=on"
fi
progress "running $n_inf inference(s) on $target ($qemu)"
t0=$(date +%s%N)
status=$(run_guest "$elf" "$rdir" "$pargs")
t1=$(date +%s%N)
wall_ms=$(((t1 - t0) / 1000000))
done_inf=$(awk '$1 == "mote-fw" && $2 == "inference" { n++ } END { print n + 0 }' "$rdir/console.txt" 2>/dev/null)
stack_used=$(console_value "$rdir" stack 3)
[ -n "$stack_used" ] || stack_used=null
errors=$(console_errors "$rdir" 2>/dev/null)
if [ "$status" = 124 ]; then errors="timed out after 1200 s${errors:+: $errors}"; fi
if [ "$status" != 0 ] && [ -z "$errors" ]; then errors=$(tail -3 "$rdir/qemu.err" 2>/dev/null | tr '\n' ' '); fi

# Outputs back to where they were asked for (atomically: a temporary file beside, then rename).
written=()
if [ "$status" = 0 ]; then
    for ((i = 0; i < ${#outputs[@]}; i++)); do
        src=$rdir/out-$((i / n_out))-$((i % n_out)).bin dst=${outputs[$i]}
        if [ -f "$src" ] && cp "$src" "$dst.tmp.$$" && mv -f "$dst.tmp.$$" "$dst"; then
            written+=("$dst")
        else
            rm -f "$dst.tmp.$$"
            status=74 errors="output $i: cannot write $dst"
            break
        fi
    done
fi

# Instruction counts: mark 0 hits pair up around each mote_invoke; mark 1 hits are the start of
# the operator-by-operator run followed by one hit after each operator; the two mark 2 hits
# bracket mote_init (verify, plan, prepare).
per_inf=() op_counts=() init_insns=""
if [ "$count" = 1 ] && [ -f "$rdir/plugin.log" ]; then
    mapfile -t per_inf < <(awk '$1 == "insncount:" && $2 == "mark" && $3 == 0 { if (have) { print $4 - prev; have = 0 } else { prev = $4; have = 1 } }' "$rdir/plugin.log")
    mapfile -t op_counts < <(awk '$1 == "insncount:" && $2 == "mark" && $3 == 1 { if (n++) print $4 - prev; prev = $4 }' "$rdir/plugin.log")
    total_insns=$(awk '$1 == "insncount:" && $2 == "total" { print $3 }' "$rdir/plugin.log")
    init_insns=$(awk '$1 == "insncount:" && $2 == "mark" && $3 == 2 { if (n++ == 1) { print $4 - prev; exit } prev = $4 }' "$rdir/plugin.log")
fi

# --profile: instructions per function over the whole QEMU run (startup and prepare included) (translation blocks mapped to the
# symbol that contains their start address), the 25 largest, on stderr and in the JSON.
profile_rows=()
if [ "$profile" = 1 ] && [ -f "$rdir/plugin.log" ]; then
    mapfile -t profile_rows < <(
        { "$nm" -n --defined-only --radix=d "$elf" | awk '$2 ~ /^[tTwW]$/ { print "S", $1 - $1 % 2, $3 }'
          awk '$1 == "insncount:" && $2 == "tb" { print "B", $3, $4 }' "$rdir/plugin.log"; } |
        sort -k2,2n -k1,1r | awk '$1 == "S" { name = $3; next } { sum[name] += $3 } END { for (n in sum) print sum[n], n }' |
        sort -k1,1nr | head -25)
    for row in "${profile_rows[@]}"; do
        read -r c n <<<"$row"
        printf 'firmware-sim: profile %12d %s\n' "$c" "$(command -v swift-demangle >/dev/null && swift-demangle --simplified "$n" | cut -c1-120 || echo "$n")" >&2
    done
fi

op_name() {
    case $1 in
        0) echo ADD ;; 1) echo AVERAGE_POOL_2D ;; 2) echo CONCATENATION ;; 3) echo CONV_2D ;;
        4) echo DEPTHWISE_CONV_2D ;; 6) echo DEQUANTIZE ;; 9) echo FULLY_CONNECTED ;; 14) echo LOGISTIC ;;
        17) echo MAX_POOL_2D ;; 18) echo MUL ;; 19) echo RELU ;; 20) echo RELU_N1_TO_1 ;; 21) echo RELU6 ;;
        22) echo RESHAPE ;; 25) echo SOFTMAX ;; 28) echo TANH ;; 34) echo PAD ;; 40) echo MEAN ;; 41) echo SUB ;;
        43) echo SQUEEZE ;; 45) echo STRIDED_SLICE ;; 60) echo PADV2 ;; 70) echo EXPAND_DIMS ;; 77) echo SHAPE ;;
        83) echo PACK ;; 98) echo LEAKY_RELU ;; 114) echo QUANTIZE ;; 117) echo HARD_SWISH ;; *) echo "BUILTIN_$1" ;;
    esac
}

if [ "$status" = 0 ]; then
    exit_code=0
    [ "$require_fit" = 1 ] && { [ "$fits_flash" = false ] || [ "$fits_ram" = false ]; } && exit_code=4
else
    exit_code=2
fi
ok=$([ "$status" = 0 ] && echo true || echo false)
qemu_version=$("$qemu" --version | head -1)

# ---------------------------------------------------------------- report

num() { [ -n "${1-}" ] && echo "$1" || echo null; }
budget() { [ -n "${1-}" ] && echo "$1" || echo null; }

if [ "$json" = 1 ]; then
    {
        printf '{"ok":%s,"exit":%d,"target":%s,"model":%s,"opt":%s,"memory":%s,"kernels":%s,' "$ok" "$exit_code" "$(json_str "$target")" "$(json_str "$model")" "$(json_str "$opt")" "$(json_str "$memory")" "$(json_str "$kernels")"
        printf '"guest_status":%s,' "$status"
        [ -n "$errors" ] && printf '"error":%s,' "$(json_str "$errors")"
        printf '"inferences":%d,"inferences_run":%d,"outputs":[' "$n_inf" "$done_inf"
        for ((i = 0; i < ${#written[@]}; i++)); do [ $i -gt 0 ] && printf ','; json_str "${written[$i]}"; done
        printf '],"arena":{"required":%d,"planned":%d,"persistent":%d,"linked":%d,"bytes":%d},' "$required_arena" "$(num "$planned")" "$(num "$persistent")" "$arena" "$s_arena"
        printf '"flash":{"total":%d,"text":%d,"rodata":%d,"model":%d,"data_load":%d,"without_model":%d,"budget":%s,"fits":%s},' \
            "$flash_total" "$text" "$rodata" "$s_model" "$s_data" $((flash_total - s_model)) "$(budget "$flash")" "$fits_flash"
        printf '"ram":{"total":%d,"data":%d,"bss":%d,"arena":%d,"stack":%d,"stack_used":%s,"budget":%s,"fits":%s},' \
            "$ram_static" "$s_data" "$s_bss" "$s_arena" "$s_stack" "$stack_used" "$(budget "$ram")" "$fits_ram"
        [ -n "$budget_message" ] && printf '"budget_error":%s,' "$(json_str "$budget_message")"
        if [ "$count" = 1 ]; then
            printf '"instructions":{"per_inference":%s,"each":[' "$(num "${per_inf[0]-}")"
            for ((i = 0; i < ${#per_inf[@]}; i++)); do [ $i -gt 0 ] && printf ','; printf '%s' "${per_inf[$i]}"; done
            printf '],"init":%s,"whole_run":%s},' "$(num "${init_insns-}")" "$(num "${total_insns-}")"
        fi
        if [ "$per_op" = 1 ]; then
            printf '"per_op":['
            for ((i = 0; i < ${#op_counts[@]}; i++)); do
                b=$(awk -v i="$i" '$1 == "mote-fw" && $2 == "op" && $3 == i { print $5; exit }' "$rdir/console.txt")
                [ $i -gt 0 ] && printf ','
                printf '{"index":%d,"builtin":%s,"op":%s,"instructions":%s}' "$i" "$(num "$b")" "$(json_str "$(op_name "${b:--1}")")" "${op_counts[$i]}"
            done
            printf '],'
        fi
        if [ "$profile" = 1 ]; then
            printf '"profile":['
            for ((i = 0; i < ${#profile_rows[@]}; i++)); do
                read -r c n <<<"${profile_rows[$i]}"
                [ $i -gt 0 ] && printf ','
                printf '{"symbol":%s,"instructions":%s}' "$(json_str "$n")" "$c"
            done
            printf '],'
        fi
        printf '"elf":%s,"map":%s,"qemu":%s,"wall_ms":%d}\n' "$(json_str "$elf")" "$(json_str "$map")" "$(json_str "$qemu_version")" "$wall_ms"
    }
else
    echo "target:       $target ($qemu_version), core -$opt, memory policy $memory, kernels $kernels"
    echo "model:        $model ($s_model bytes)"
    echo "arena:        $required_arena bytes required (planned $planned + persistent $persistent), $arena linked"
    echo "flash:        $flash_total bytes (text $text, rodata $rodata incl. model $s_model, data $s_data)${flash:+, budget $flash: $([ "$fits_flash" = true ] && echo fits || echo DOES NOT FIT)}"
    echo "ram:          $ram_static bytes (data $s_data, bss $s_bss, arena $s_arena, stack $s_stack; stack used $stack_used)${ram:+, budget $ram: $([ "$fits_ram" = true ] && echo fits || echo DOES NOT FIT)}"
    [ -n "$budget_message" ] && echo "linker:       $budget_message"
    if [ "$count" = 1 ] && [ ${#per_inf[@]} -gt 0 ]; then echo "instructions: ${per_inf[*]} per inference"; fi
    if [ "$count" = 1 ] && [ -n "$init_insns" ]; then echo "instructions: $init_insns to initialize (verify, plan, prepare)"; fi
    if [ "$per_op" = 1 ]; then
        for ((i = 0; i < ${#op_counts[@]}; i++)); do
            b=$(awk -v i="$i" '$1 == "mote-fw" && $2 == "op" && $3 == i { print $5; exit }' "$rdir/console.txt")
            printf '  op %3d %-20s %12s\n' "$i" "$(op_name "${b:--1}")" "${op_counts[$i]}"
        done
    fi
    [ -n "$errors" ] && echo "error:        $errors"
    echo "firmware-sim: $target guest exit $status; $done_inf of $n_inf inference(s) run; ${#written[@]} output file(s) written; ELF $elf"
fi
exit "$exit_code"
