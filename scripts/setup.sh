#!/usr/bin/env bash
# Installs the Debian packages Mote needs beside the Swift toolchain (the README's quick start and
# .ci/run call it). Safe to re-run; does nothing where apt-get is absent.
set -euo pipefail

if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: no apt-get here; install libopenblas-dev, libjpeg-dev, pkg-config (and QEMU for the firmware targets) yourself" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing Debian packages (apt-get)..." >&2
$SUDO apt-get update -qq
# libc6-dev: C headers for the embedded-core runner built with the toolchain's clang;
# binutils: nm for the no-malloc link check; pkg-config + libopenblas-dev: MoteFloat's GEMM;
# libjpeg-dev: MoteImage's JPEG decoder (libjpeg-turbo);
# qemu-system-arm, qemu-user, gcc-aarch64-linux-gnu, libc6-dev-arm64-cross: the firmware
# targets (Cortex-M4 on mps2-an386, static aarch64 Linux under qemu-aarch64);
# binutils-arm-none-eabi: arm-none-eabi-size for the firmware's flash/RAM figures;
# gcc-arm-none-eabi: only its libgcc (soft-float double and 64-bit shift helpers for Arm).
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    libc6-dev binutils pkg-config libopenblas-dev libjpeg-dev \
    qemu-system-arm qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
    binutils-arm-none-eabi gcc-arm-none-eabi >/dev/null
echo "setup: done" >&2
