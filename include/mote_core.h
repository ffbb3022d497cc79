/*
 * mote_core.h: the C ABI of MoteCore, Mote's int8 TFLite inference core.
 *
 * The core is built as an Embedded Swift object (scripts/build-embedded-core.sh) or as the
 * plain Swift MoteCore module; both export the functions below (`@_cdecl` in
 * Sources/MoteCore/CABI/MoteCABI.swift). The object needs nothing from the C library but
 * memset, memcpy and memmove (and the __aeabi_mem* helpers on 32-bit Arm, __stack_chk_fail
 * on x86_64 Linux); it never allocates.
 *
 * Memory: the caller owns everything.
 *   - The model: the bytes of an int8 .tflite flatbuffer. The core reads it in place (it may sit
 *     in flash) and never writes it. Place it at a 16-byte aligned address (TFLite aligns buffer
 *     data inside the file; constants such as int32 biases are read where they lie).
 *   - The arena: one block of writable memory for activations, scratch buffers and the
 *     interpreter's records. Its start need not be aligned (the core skips up to 15 bytes to
 *     align it to 16, and counts them in mote_arena_required).
 *   - The handle: a mote_interpreter, on the stack, in a static or inside a struct.
 *   The model and the arena must stay valid and unmoved, and the arena must not be written by
 *   anyone else, for as long as the handle is used. There is nothing to free: a handle is
 *   discarded by forgetting it (or by calling mote_init on it again).
 *
 * Threads: none. No function takes a lock or uses global mutable state, so different handles
 * (with different arenas) may be used from different threads at the same time; one handle must
 * not be used from two threads at once.
 *
 * Errors: status codes are the values of MOTE_STATUS_* (0 = success), the raw values of the
 * Swift MoteError.Kind. Functions that can fail for a reason beyond a bad argument fill a
 * mote_error when given one (err may be NULL). Messages are static NUL-terminated strings that
 * live in the binary: never free or modify them.
 *
 * A handle is "ready" after mote_init returned MOTE_OK for it. Every other function checks that
 * the handle is ready: on a handle whose mote_init failed they return MOTE_STATUS_INVALID_ARGUMENT
 * (or 0 for the counting functions) and touch nothing. A handle that was never passed to
 * mote_init holds indeterminate bytes: zero it first (`mote_interpreter h = {0};`) if it might be
 * used before mote_init.
 */
#ifndef MOTE_CORE_H
#define MOTE_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the core, as mote_version() returns it. */
#define MOTE_VERSION "0.1.0"

/* Status codes (MoteError.Kind raw values). */
enum {
    MOTE_OK = 0,
    /* The flatbuffer is truncated, or an offset, vtable, vector, string or union is invalid. */
    MOTE_STATUS_MALFORMED_MODEL = 1,
    /* The model uses an operator, or an operator version, that the core does not implement. */
    MOTE_STATUS_UNSUPPORTED_OPERATOR = 2,
    /* A tensor has a type that the operator does not accept. */
    MOTE_STATUS_TYPE_MISMATCH = 3,
    /* A declared tensor shape disagrees with what the operator computes or requires. */
    MOTE_STATUS_SHAPE_MISMATCH = 4,
    /* A quantization parameter is missing, zero, negative, non-finite or inconsistent. */
    MOTE_STATUS_INVALID_QUANTIZATION = 5,
    /* An operator's options are missing or out of range. */
    MOTE_STATUS_INVALID_OPTIONS = 6,
    /* A constant buffer is shorter than its tensor, or a tensor that needs data has none. */
    MOTE_STATUS_INVALID_BUFFER = 7,
    /* A tensor, buffer or opcode index is out of range. */
    MOTE_STATUS_INDEX_OUT_OF_RANGE = 8,
    /* A size computation overflows. */
    MOTE_STATUS_OVERFLOW = 9,
    /* The arena is too small; mote_error.value holds the bytes to retry with. */
    MOTE_STATUS_ARENA_TOO_SMALL = 10,
    /* A wrong argument: NULL pointer, index or byte count out of range, handle not ready. */
    MOTE_STATUS_INVALID_ARGUMENT = 11
};

/*
 * What went wrong, filled by mote_init and mote_set_input.
 *   code:         the status code (also the function's return value); MOTE_OK on success.
 *   op_index:     the operator (execution order) where the error was found, or -1.
 *   tensor_index: the subgraph tensor concerned, or -1.
 *   reserved:     0.
 *   value:        a number that belongs to the reason: for MOTE_STATUS_ARENA_TOO_SMALL the
 *                 arena bytes to retry with (exact when the arena held the persistent part and
 *                 the operators were prepared; before that, an estimate made without the
 *                 operators' scratch requests, which a retry may raise once more), for MOTE_STATUS_UNSUPPORTED_OPERATOR the
 *                 builtin operator code or the rejected version, for MOTE_STATUS_MALFORMED_MODEL
 *                 the byte offset in the model, for a wrong input byte count the expected
 *                 count; otherwise 0.
 *   message:      the specific reason in a few words ("ok" on success); static, never NULL.
 * The layout is fixed (checked below): the Swift side writes the fields at these offsets.
 */
typedef struct mote_error {
    int32_t code;
    int32_t op_index;
    int32_t tensor_index;
    int32_t reserved;
    intptr_t value;
    const char *message;
} mote_error;

/* Bytes reserved for the interpreter in a handle: enough for every supported target. */
#define MOTE_INTERPRETER_SIZE 512

#if defined(__cplusplus)
#define MOTE_ALIGN16 alignas(16)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define MOTE_ALIGN16 _Alignas(16)
#else
#define MOTE_ALIGN16 __attribute__((aligned(16)))
#endif

/*
 * The interpreter handle: caller-allocated, opaque. The core stores its interpreter record
 * (pointers into the model and the arena, the arena usage) in it; it holds no other resource.
 * It may be copied with memcpy after mote_init: the copy shares the arena with the original,
 * so use only one of them.
 */
typedef struct mote_interpreter {
    MOTE_ALIGN16 unsigned char opaque[MOTE_INTERPRETER_SIZE];
} mote_interpreter;

/*
 * The bytes the core needs in a handle on this target; at most MOTE_INTERPRETER_SIZE in a build
 * whose header matches the core (mote_init rejects a handle otherwise). C programs may check
 * `mote_interpreter_size() <= sizeof(mote_interpreter)` at startup.
 */
size_t mote_interpreter_size(void);

/*
 * Verifies `model` (model_len bytes), prepares every operator (validating types, shapes,
 * quantization and options, computing per-channel parameters into the arena), plans the arena
 * and binds the tensors, writing the interpreter into *handle.
 * Returns MOTE_OK, or a status code with the details in *err (when err is not NULL). On
 * MOTE_STATUS_ARENA_TOO_SMALL, err->value is the arena size to retry with; an arena of 0 bytes
 * (arena may then be NULL) is a way to ask. Repeat while the answer is ARENA_TOO_SMALL with a
 * larger value (at most twice in practice); mote_arena_required then gives the exact size for
 * later runs. On failure the handle is left not ready.
 * The arena's previous contents do not matter; mote_init overwrites them. Input tensors hold
 * indeterminate bytes until written.
 * The C ABI uses the compact memory policy (Interpreter.MemoryPolicy.compact): weights stay in
 * the model bytes (flash), no kernel scratch buffers, 5 bytes of per-channel parameters.
 */
int32_t mote_init(const void *model, size_t model_len, void *arena, size_t arena_len,
                  mote_interpreter *handle, mote_error *err);

/* Arena bytes the model needs: planned + persistent + the bytes skipped to align the arena. */
size_t mote_arena_required(const mote_interpreter *handle);
/* Bytes of the planned part (activations and scratch buffers, reused between operators). */
size_t mote_arena_planned(const mote_interpreter *handle);
/* Bytes of the persistent part (tensor and operator records, operator parameters). */
size_t mote_arena_persistent(const mote_interpreter *handle);

/* The number of model inputs (0 when the handle is not ready). */
size_t mote_input_count(const mote_interpreter *handle);
/* The number of model outputs (0 when the handle is not ready). */
size_t mote_output_count(const mote_interpreter *handle);

/*
 * The memory of input `index`: *data points into the arena, *bytes is its size (the tensor's
 * element count times its element size, NHWC row-major). Fill it before mote_invoke; it stays
 * valid as long as the handle, but operators may overwrite it during mote_invoke (the arena
 * planner reuses memory), so write it again before every mote_invoke. data and bytes may be
 * NULL. Returns MOTE_OK, or MOTE_STATUS_INVALID_ARGUMENT (index out of range, handle not ready:
 * *data = NULL, *bytes = 0).
 */
int32_t mote_input(mote_interpreter *handle, size_t index, void **data, size_t *bytes);

/*
 * The memory of output `index`, as mote_input; the bytes are the result of the last
 * mote_invoke and stay valid until the next one.
 */
int32_t mote_output(const mote_interpreter *handle, size_t index, const void **data, size_t *bytes);

/*
 * Copies `len` bytes from `data` into input `index`; len must equal the input's byte count
 * exactly (else MOTE_STATUS_INVALID_ARGUMENT with the expected count in err->value).
 * Returns MOTE_OK or a status code with the details in *err (when err is not NULL).
 */
int32_t mote_set_input(mote_interpreter *handle, size_t index, const void *data, size_t len,
                       mote_error *err);

/*
 * Runs every operator once, in order, from the inputs to the outputs. Cannot fail on a ready
 * handle (mote_init validated everything); returns MOTE_OK, or MOTE_STATUS_INVALID_ARGUMENT
 * when the handle is not ready. The input bytes are undefined afterwards: the C ABI's compact
 * memory policy runs operators in place, writing their output over their input (a model
 * input included, as TFLite Micro reuses it too), and the planner reuses memory.
 */
int32_t mote_invoke(mote_interpreter *handle);

/*
 * A short static description of a status code ("ok", "arena too small", ...);
 * "unknown status" for codes outside MOTE_STATUS_*. Never NULL.
 */
const char *mote_status_string(int32_t code);

/* The core's version, MOTE_VERSION of the header it was built for ("MAJOR.MINOR.PATCH"). */
const char *mote_version(void);

#ifdef __cplusplus
}
#endif

#if defined(__cplusplus)
static_assert(offsetof(mote_error, value) == 16, "mote_error layout");
static_assert(offsetof(mote_error, message) == 16 + sizeof(intptr_t), "mote_error layout");
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(offsetof(mote_error, value) == 16, "mote_error layout");
_Static_assert(offsetof(mote_error, message) == 16 + sizeof(intptr_t), "mote_error layout");
#endif

#endif /* MOTE_CORE_H */
