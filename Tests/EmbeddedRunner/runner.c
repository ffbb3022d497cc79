/*
 * runner: runs an int8 .tflite model through MoteCore's C ABI (include/mote_core.h), linked
 * with the Embedded Swift object of the core (scripts/build-embedded-core.sh).
 *
 *   runner MODEL.tflite ARENA_BYTES IN.bin OUT.bin [IN2.bin OUT2.bin ...]
 *
 * Prepares the model once in an arena of ARENA_BYTES (0: ask the core how much it needs, retrying
 * with the size each MOTE_STATUS_ARENA_TOO_SMALL names), prints one line "arena required R planned P persistent S" (bytes), then for every pair
 * feeds IN (the model's inputs' raw bytes, concatenated in input order), invokes, and writes the
 * outputs' raw bytes (concatenated in output order) to OUT.
 *
 * Exit status: 0 on success; the core's status code (1..11, see MOTE_STATUS_*) when the core
 * reports an error, with the status string and message on stderr; 64 for a usage error, 74 for
 * a file error, 70 when the header and the core disagree on the handle size.
 *
 * The program takes its memory from mmap, never from malloc, so that the linked binary's
 * undefined symbols show whether the core itself needs an allocator (it must not).
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mote_core.h"

enum { EXIT_USAGE = 64, EXIT_SOFTWARE = 70, EXIT_IO = 74 };

typedef struct {
    unsigned char *data;
    size_t len;
    size_t mapped;
} blob;

/* Zeroed, page-aligned memory of at least n bytes (one byte when n is 0). */
static void *map_bytes(size_t n, size_t *mapped) {
    *mapped = n ? n : 1;
    void *p = mmap(NULL, *mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void unmap(void *p, size_t mapped) {
    if (p) munmap(p, mapped);
}

/* Reads a whole file with stdio. Exits with EXIT_IO on failure. */
static blob read_file(const char *path) {
    blob b = {NULL, 0, 0};
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "runner: cannot open %s: %s\n", path, strerror(errno));
        exit(EXIT_IO);
    }
    if (fseek(f, 0, SEEK_END) != 0) goto fail;
    long size = ftell(f);
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0) goto fail;
    b.len = (size_t)size;
    b.data = map_bytes(b.len, &b.mapped);
    if (!b.data) goto fail;
    if (b.len && fread(b.data, 1, b.len, f) != b.len) goto fail;
    fclose(f);
    return b;
fail:
    fprintf(stderr, "runner: cannot read %s\n", path);
    fclose(f);
    exit(EXIT_IO);
}

static int core_failure(const char *what, int32_t status, const mote_error *err) {
    fprintf(stderr, "runner: %s: %s: %s (op %d, tensor %d, value %ld)\n", what,
            mote_status_string(status), err ? err->message : "-",
            err ? (int)err->op_index : -1, err ? (int)err->tensor_index : -1,
            err ? (long)err->value : 0L);
    return status;
}

/* Feeds one IN file to the model's inputs, in order. */
static int set_inputs(mote_interpreter *h, const char *path) {
    blob in = read_file(path);
    size_t offset = 0, count = mote_input_count(h);
    int status = 0;
    for (size_t i = 0; i < count && status == 0; i++) {
        size_t n = 0;
        int32_t s = mote_input(h, i, NULL, &n);
        if (s != MOTE_OK) {
            status = core_failure("mote_input", s, NULL);
        } else if (n > in.len - offset) {
            fprintf(stderr, "runner: %s has %zu bytes, fewer than the model's inputs need\n", path, in.len);
            status = EXIT_IO;
        } else {
            mote_error err;
            s = mote_set_input(h, i, in.data + offset, n, &err);
            if (s != MOTE_OK) status = core_failure("mote_set_input", s, &err);
            offset += n;
        }
    }
    if (status == 0 && offset != in.len) {
        fprintf(stderr, "runner: %s has %zu bytes, the model's inputs take %zu\n", path, in.len, offset);
        status = EXIT_IO;
    }
    unmap(in.data, in.mapped);
    return status;
}

/* Writes the model's outputs, in order, to one OUT file. */
static int write_outputs(const mote_interpreter *h, const char *path) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "runner: cannot create %s: %s\n", path, strerror(errno));
        return EXIT_IO;
    }
    size_t count = mote_output_count(h);
    for (size_t i = 0; i < count; i++) {
        const void *data = NULL;
        size_t n = 0;
        int32_t s = mote_output(h, i, &data, &n);
        if (s != MOTE_OK) {
            fclose(f);
            return core_failure("mote_output", s, NULL);
        }
        if (n && fwrite(data, 1, n, f) != n) {
            fprintf(stderr, "runner: cannot write %s\n", path);
            fclose(f);
            return EXIT_IO;
        }
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "runner: cannot write %s\n", path);
        return EXIT_IO;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 5 || (argc - 3) % 2 != 0) {
        fprintf(stderr, "usage: %s MODEL.tflite ARENA_BYTES IN.bin OUT.bin [IN2.bin OUT2.bin ...]\n", argv[0]);
        return EXIT_USAGE;
    }
    if (mote_interpreter_size() > sizeof(mote_interpreter)) {
        fprintf(stderr, "runner: the core needs a %zu-byte handle, mote_core.h declares %zu\n",
                mote_interpreter_size(), sizeof(mote_interpreter));
        return EXIT_SOFTWARE;
    }
    if (strcmp(mote_version(), MOTE_VERSION) != 0) {
        fprintf(stderr, "runner: warning: core version %s, header version %s\n", mote_version(), MOTE_VERSION);
    }
    char *end = NULL;
    errno = 0;
    unsigned long long arena_arg = strtoull(argv[2], &end, 10);
    if (errno || !end || *end || argv[2][0] == '-' || arena_arg > (unsigned long long)(size_t)-1) {
        fprintf(stderr, "runner: ARENA_BYTES must be a byte count, not '%s'\n", argv[2]);
        return EXIT_USAGE;
    }
    size_t arena_len = (size_t)arena_arg;

    blob model = read_file(argv[1]);
    mote_interpreter handle = {{0}};
    mote_error err;
    int32_t s;
    void *arena = NULL;
    size_t arena_mapped = 0;
    int mapped = 1;
    if (arena_len == 0) {
        /* Ask the core: every MOTE_STATUS_ARENA_TOO_SMALL names the size to retry with. The
           first answer is an estimate made before the operators asked for scratch memory, so it
           can take a second round; the size only grows, and a few rounds always suffice. */
        s = mote_init(model.data, model.len, NULL, 0, &handle, &err);
        for (int round = 0; s == MOTE_STATUS_ARENA_TOO_SMALL && round < 4 && (size_t)err.value > arena_len; round++) {
            unmap(arena, arena_mapped);
            arena_len = (size_t)err.value;
            arena = map_bytes(arena_len, &arena_mapped);
            if (!(mapped = arena != NULL)) break;
            s = mote_init(model.data, model.len, arena, arena_len, &handle, &err);
        }
    } else {
        arena = map_bytes(arena_len, &arena_mapped);
        mapped = arena != NULL;
        if (mapped) s = mote_init(model.data, model.len, arena, arena_len, &handle, &err);
    }
    if (!mapped) {
        fprintf(stderr, "runner: cannot map an arena of %zu bytes\n", arena_len);
        return EXIT_IO;
    }
    if (s != MOTE_OK) return core_failure("mote_init", s, &err);
    printf("arena required %zu planned %zu persistent %zu\n", mote_arena_required(&handle),
           mote_arena_planned(&handle), mote_arena_persistent(&handle));
    fflush(stdout);

    for (int k = 3; k + 1 < argc; k += 2) {
        int status = set_inputs(&handle, argv[k]);
        if (status) return status;
        s = mote_invoke(&handle);
        if (s != MOTE_OK) return core_failure("mote_invoke", s, NULL);
        status = write_outputs(&handle, argv[k + 1]);
        if (status) return status;
    }
    unmap(arena, arena_mapped);
    unmap(model.data, model.mapped);
    return 0;
}
