/*
 * startup.c: the bare-metal side of the Cortex-M4 firmware for QEMU's mps2-an386 board.
 *
 * Vector table and reset handler (copy .data, zero .bss and the arena, enable the FPU, paint
 * the stack), the fw_platform.h functions over Arm semihosting (`bkpt 0xAB`; QEMU must run
 * with -semihosting-config enable=on,target=native), the exit through SYS_EXIT_EXTENDED so
 * that QEMU's exit status is fw_main's return value, and the C library functions the
 * Embedded Swift object needs (memset/memcpy/memmove, the __aeabi_mem* helpers, the stack
 * protector's guard). Faults end the program with status 127.
 */
#include <stddef.h>
#include <stdint.h>

#include "fw_platform.h"

int fw_main(void);

/* Linker script symbols (mps2-an386.ld). */
extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __arena_start[], __arena_end[];
extern uint32_t __stack_bottom[], __stack_top[];

enum { EXIT_FAULT = 127, EXIT_STACK_SMASH = 126 };
#define STACK_PAINT 0xC0DEFACEu

/* ---- semihosting ---- */

enum {
    SYS_OPEN = 0x01, SYS_CLOSE = 0x02, SYS_WRITE0 = 0x04, SYS_WRITE = 0x05, SYS_READ = 0x06,
    SYS_FLEN = 0x0C, SYS_EXIT_EXTENDED = 0x20
};

static intptr_t semihost(uintptr_t op, const void *arg) {
    register uintptr_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return (intptr_t)r0;
}

__attribute__((noreturn)) static void sh_exit(int code) {
    uintptr_t block[2] = {0x20026 /* ADP_Stopped_ApplicationExit */, (uintptr_t)code};
    for (;;) semihost(SYS_EXIT_EXTENDED, block);
}

static size_t cstrlen(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

static int sh_open(const char *name, uintptr_t mode) {
    uintptr_t block[3] = {(uintptr_t)name, mode, cstrlen(name)};
    return (int)semihost(SYS_OPEN, block);
}

int plat_open_read(const char *name, size_t *len) {
    int fd = sh_open(name, 1 /* "rb" */);
    if (fd < 0) return -1;
    uintptr_t block[1] = {(uintptr_t)fd};
    intptr_t n = semihost(SYS_FLEN, block);
    if (n < 0) {
        plat_close(fd);
        return -1;
    }
    *len = (size_t)n;
    return fd;
}

int plat_open_write(const char *name) { return sh_open(name, 5 /* "wb" */); }

int plat_read(int fd, void *buf, size_t n) {
    uintptr_t block[3] = {(uintptr_t)fd, (uintptr_t)buf, n};
    return semihost(SYS_READ, block) == 0 ? 0 : -1; /* returns the bytes NOT read */
}

int plat_write(int fd, const void *buf, size_t n) {
    uintptr_t block[3] = {(uintptr_t)fd, (uintptr_t)buf, n};
    return semihost(SYS_WRITE, block) == 0 ? 0 : -1; /* returns the bytes NOT written */
}

int plat_close(int fd) {
    uintptr_t block[1] = {(uintptr_t)fd};
    return semihost(SYS_CLOSE, block) == 0 ? 0 : -1;
}

void plat_puts(const char *s) { semihost(SYS_WRITE0, s); }

long plat_stack_used(long *reserved) {
    *reserved = (long)((uintptr_t)__stack_top - (uintptr_t)__stack_bottom);
    const uint32_t *p = __stack_bottom;
    while (p < __stack_top && *p == STACK_PAINT) p++;
    return (long)((uintptr_t)__stack_top - (uintptr_t)p);
}

/* ---- reset and faults ---- */

__attribute__((noreturn)) void Reset_Handler(void) {
    for (uint32_t *d = __data_start, *s = __data_load; d < __data_end;) *d++ = *s++;
    for (uint32_t *d = __bss_start; d < __bss_end;) *d++ = 0;
    for (uint32_t *d = __arena_start; d < __arena_end;) *d++ = 0;
    /* CP10/CP11 full access: the core's code may use the single-precision FPU. */
    *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;
    __asm__ volatile("dsb\n isb" ::: "memory");
    /* Paint the stack below this frame (with a margin) to measure its high-water mark. */
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (volatile uint32_t *p = __stack_bottom; (uintptr_t)p < sp - 64;) *p++ = STACK_PAINT;
    sh_exit(fw_main());
}

__attribute__((noreturn)) void Default_Handler(void) {
    plat_puts("mote-fw error fault (HardFault or another exception)\n");
    sh_exit(EXIT_FAULT);
}

__attribute__((section(".isr_vector"), used)) const uintptr_t vector_table[16] = {
    (uintptr_t)__stack_top,
    (uintptr_t)Reset_Handler,
    (uintptr_t)Default_Handler, /* NMI */
    (uintptr_t)Default_Handler, /* HardFault */
    (uintptr_t)Default_Handler, /* MemManage */
    (uintptr_t)Default_Handler, /* BusFault */
    (uintptr_t)Default_Handler, /* UsageFault */
    0, 0, 0, 0,
    (uintptr_t)Default_Handler, /* SVCall */
    (uintptr_t)Default_Handler, /* DebugMonitor */
    0,
    (uintptr_t)Default_Handler, /* PendSV */
    (uintptr_t)Default_Handler, /* SysTick */
};

/* ---- what the core object needs from a C library ---- */

uintptr_t __stack_chk_guard = 0x4D6F7465u;

__attribute__((noreturn)) void __stack_chk_fail(void) {
    plat_puts("mote-fw error stack smashing detected\n");
    sh_exit(EXIT_STACK_SMASH);
}

void *memset(void *dst, int c, size_t n) {
    unsigned char *d = dst;
    uint32_t word = (unsigned char)c * 0x01010101u;
    while (n && ((uintptr_t)d & 3)) { *d++ = (unsigned char)c; n--; }
    for (; n >= 4; n -= 4, d += 4) *(uint32_t *)d = word;
    while (n--) *d++ = (unsigned char)c;
    return dst;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    if ((((uintptr_t)d ^ (uintptr_t)s) & 3) == 0) {
        while (n && ((uintptr_t)d & 3)) { *d++ = *s++; n--; }
        for (; n >= 4; n -= 4, d += 4, s += 4) *(uint32_t *)d = *(const uint32_t *)s;
    }
    while (n--) *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d == s || n == 0) return dst;
    if (d < s || d >= s + n) return memcpy(dst, src, n);
    while (n--) d[n] = s[n];
    return dst;
}

/* The run-time ABI's versions (note the argument order of __aeabi_memset: dest, n, c). */
void __aeabi_memcpy(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memcpy4(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memcpy8(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memmove(void *d, const void *s, size_t n) { memmove(d, s, n); }
void __aeabi_memmove4(void *d, const void *s, size_t n) { memmove(d, s, n); }
void __aeabi_memmove8(void *d, const void *s, size_t n) { memmove(d, s, n); }
void __aeabi_memset(void *d, size_t n, int c) { memset(d, c, n); }
void __aeabi_memset4(void *d, size_t n, int c) { memset(d, c, n); }
void __aeabi_memset8(void *d, size_t n, int c) { memset(d, c, n); }
void __aeabi_memclr(void *d, size_t n) { memset(d, 0, n); }
void __aeabi_memclr4(void *d, size_t n) { memset(d, 0, n); }
void __aeabi_memclr8(void *d, size_t n) { memset(d, 0, n); }
