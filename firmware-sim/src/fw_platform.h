/*
 * fw_platform.h: what the shared firmware program (fw_main.c) needs from a board.
 *
 * Two implementations: cortex-m4/startup.c (Arm semihosting on the bare-metal MPS2 board) and
 * aarch64-linux/platform_linux.c (stdio on a Linux board). Files are named relative to the
 * working directory of the emulator (QEMU's, with semihosting target=native).
 */
#ifndef FW_PLATFORM_H
#define FW_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* Opens a file for reading; returns a handle >= 0 and its size in *len, or -1 if absent. */
int plat_open_read(const char *name, size_t *len);
/* Creates (truncates) a file for writing; returns a handle >= 0, or -1. */
int plat_open_write(const char *name);
/* Reads exactly n bytes; returns 0, or -1 on a short read. */
int plat_read(int fd, void *buf, size_t n);
/* Writes exactly n bytes; returns 0, or -1 on a short write. */
int plat_write(int fd, const void *buf, size_t n);
/* Closes a handle; returns 0, or -1. */
int plat_close(int fd);
/* Writes a NUL-terminated string to the console (semihosting or stdout). */
void plat_puts(const char *s);
/*
 * Bytes of the painted stack that were ever written (the high-water mark), or -1 when the
 * board does not paint its stack. `reserved` receives the stack bytes the board reserves.
 */
long plat_stack_used(long *reserved);

/* The model linked into read-only memory by model.S (16-byte aligned). */
extern const unsigned char mote_model_start[];
extern const unsigned char mote_model_end[];

/* The arena: a static buffer of MOTE_ARENA_BYTES bytes (arena.c, in its own section). */
extern unsigned char mote_arena[];
extern const size_t mote_arena_bytes;

#endif
