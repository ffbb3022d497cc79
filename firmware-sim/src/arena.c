/* The arena as a static, zero-initialised buffer of MOTE_ARENA_BYTES (set by run.sh from what
   the core reported for this model on this target). Its own section, so that the linker map
   and the size report show it apart from the rest of .bss. */
#include <stddef.h>

#ifndef MOTE_ARENA_BYTES
#error "define MOTE_ARENA_BYTES"
#endif

__attribute__((aligned(16), section(".bss.mote_arena"))) unsigned char mote_arena[MOTE_ARENA_BYTES];
const size_t mote_arena_bytes = MOTE_ARENA_BYTES;
