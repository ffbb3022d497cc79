/*
 * platform_linux.c: fw_platform.h for a Linux board (static aarch64 program under
 * qemu-aarch64): stdio for files and the console, and a painted region below main's frame for
 * the stack high-water mark. main() returns fw_main()'s status as the exit status.
 */
#include <stdint.h>
#include <stdio.h>

#include "fw_platform.h"

int fw_main(void);

enum { MAX_FILES = 8, STACK_PAINT_BYTES = 256 * 1024 };
#define STACK_PAINT 0xC0DEFACEu

static FILE *files[MAX_FILES];

static int slot(FILE *f) {
    for (int i = 0; i < MAX_FILES; i++) {
        if (!files[i]) {
            files[i] = f;
            return i;
        }
    }
    fclose(f);
    return -1;
}

static FILE *file(int fd) { return fd >= 0 && fd < MAX_FILES ? files[fd] : NULL; }

int plat_open_read(const char *name, size_t *len) {
    FILE *f = fopen(name, "rb");
    if (!f) return -1;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0) n = ftell(f);
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return -1;
    }
    *len = (size_t)n;
    return slot(f);
}

int plat_open_write(const char *name) {
    FILE *f = fopen(name, "wb");
    return f ? slot(f) : -1;
}

int plat_read(int fd, void *buf, size_t n) {
    FILE *f = file(fd);
    return f && fread(buf, 1, n, f) == n ? 0 : -1;
}

int plat_write(int fd, const void *buf, size_t n) {
    FILE *f = file(fd);
    return f && fwrite(buf, 1, n, f) == n ? 0 : -1;
}

int plat_close(int fd) {
    FILE *f = file(fd);
    if (!f) return -1;
    files[fd] = NULL;
    return fclose(f) == 0 ? 0 : -1;
}

void plat_puts(const char *s) {
    fputs(s, stdout);
    fflush(stdout);
}

/* The painted region: [paint_low, paint_high), just below main's frame. */
static uint32_t *paint_low, *paint_high;

/* Paints STACK_PAINT_BYTES below the caller's frame (qemu-user maps the whole guest stack). */
__attribute__((noinline)) static void paint_stack(void) {
    volatile uint32_t here = 0;
    uintptr_t top = ((uintptr_t)&here - 256) & ~(uintptr_t)15;
    paint_high = (uint32_t *)top;
    paint_low = (uint32_t *)(top - STACK_PAINT_BYTES);
    for (volatile uint32_t *p = paint_low; p < paint_high; p++) *p = STACK_PAINT;
}

long plat_stack_used(long *reserved) {
    *reserved = STACK_PAINT_BYTES;
    const uint32_t *p = paint_low;
    while (p < paint_high && *p == STACK_PAINT) p++;
    return (long)((uintptr_t)paint_high - (uintptr_t)p);
}

int main(void) {
    paint_stack();
    return fw_main();
}
