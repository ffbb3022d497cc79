/*
 * fw_main.c: the firmware program shared by every board. It runs the linked model through
 * MoteCore's C ABI (include/mote_core.h) on the inputs it finds in the emulator's working
 * directory and writes the outputs back there (the board's fw_platform.h does the I/O).
 *
 * Files, all optional:
 *   in-S-K.bin    input K of inference S (S, K from 0); inferences run while in-S-0.bin exists
 *   out-S-K.bin   written: output K of inference S
 *   memory-fast   if present, the model is prepared with the fast memory policy
 *                 (motefw_init_fast) instead of mote_init's compact one
 *   kernels-dsp   if present, the Arm kernels (firmware-sim/dsp/mote_dsp_arm.c) are installed in the core's
 *                 kernel table first (Cortex-M4 only; the fast policy's kernels use them)
 *   per-op        if present, inference 0 is run once more operator by operator, with a marker
 *                 call after each operator (for per-operator instruction counts)
 * With no input files the program only prepares the model and reports the arena (the probe
 * run.sh uses to size the arena).
 *
 * Console lines (all start with "mote-fw "): "arena required R planned P persistent S",
 * "io inputs N outputs M", "input K bytes B", "output K bytes B", "ops N", "op I builtin B",
 * "inference S", "stack used U reserved R", "done inferences N", or "error ..." on failure.
 *
 * Markers for the instruction-count plugin: mote_fw_mark_invoke() is called right before and
 * right after each mote_invoke; mote_fw_mark_op() right before the operator-by-operator run of
 * inference 0 and after each of its operators; mote_fw_mark_init() right before and right after
 * mote_init (or motefw_init_fast): the cost of verifying, planning and preparing the model.
 *
 * Exit status (fw_main's return value): 0 success; the core's status code (1..11, MOTE_STATUS_*)
 * when it reports an error (10: the static arena is smaller than the model needs); 70 when the
 * header and the core disagree on the handle size; 74 for a missing, short or unwritable file.
 */
#include "fw_platform.h"
#include "mote_core.h"

/* Firmware hooks compiled into the core object (firmware-sim/core/FirmwareHooks.swift). */
int32_t motefw_invoke_each(mote_interpreter *handle, void (*after)(void *context, size_t index), void *context);
size_t motefw_operator_count(const mote_interpreter *handle);
int32_t motefw_init_fast(const void *model, size_t model_len, void *arena, size_t arena_len, mote_interpreter *handle,
                         mote_error *err);
int32_t motefw_operator_builtin(const mote_interpreter *handle, size_t index);

int fw_main(void);

#if defined(MOTE_FW_DSP) && MOTE_FW_DSP
/* Built with -DMOTE_FW_DSP=1 (run.sh --kernels dsp) only, so that other builds do not link them.
   The Arm DSP kernels (firmware-sim/dsp/mote_dsp_arm.c) and the hook that installs them. */
void motefw_set_kernels(void (*dot_rows)(const int8_t *, const int8_t *, const int8_t *, ptrdiff_t, ptrdiff_t, ptrdiff_t, int32_t *,
                                         ptrdiff_t),
                        void (*panel4)(const int8_t *, ptrdiff_t, ptrdiff_t, ptrdiff_t, ptrdiff_t, const int8_t *, ptrdiff_t, int32_t *,
                                       ptrdiff_t),
                        void (*dw_run)(const int8_t *, ptrdiff_t, ptrdiff_t, ptrdiff_t, ptrdiff_t, const int8_t *, ptrdiff_t, ptrdiff_t,
                                       ptrdiff_t, int32_t *),
                        void (*dw_pixel)(const int8_t *, ptrdiff_t, ptrdiff_t, ptrdiff_t, ptrdiff_t, ptrdiff_t, ptrdiff_t, ptrdiff_t,
                                         const int8_t *, ptrdiff_t, ptrdiff_t, ptrdiff_t, ptrdiff_t, const int8_t *, int32_t *),
                        void (*requantize)(const int32_t *, ptrdiff_t, ptrdiff_t, ptrdiff_t, int8_t *, ptrdiff_t, const int64_t *,
                                           const int64_t *, const int64_t *, const int32_t *, const int32_t *, const int32_t *,
                                           int32_t, int32_t, int32_t));
void mote_arm_dot_rows(const int8_t *x, const int8_t *y, const int8_t *w, ptrdiff_t stride, ptrdiff_t count, ptrdiff_t rows,
                       int32_t *out, ptrdiff_t out_stride);
void mote_arm_panel4(const int8_t *base, ptrdiff_t pixel_stride, ptrdiff_t row_stride, ptrdiff_t rows, ptrdiff_t run,
                     const int8_t *panel, ptrdiff_t width, int32_t *acc, ptrdiff_t acc_stride);
void mote_arm_dw_run(const int8_t *input, ptrdiff_t row_stride, ptrdiff_t tap_stride, ptrdiff_t filter_height,
                     ptrdiff_t filter_width, const int8_t *table, ptrdiff_t channels, ptrdiff_t start, ptrdiff_t count,
                     int32_t *acc);
void mote_arm_dw_pixel(const int8_t *image, ptrdiff_t input_height, ptrdiff_t input_width, ptrdiff_t input_depth,
                       ptrdiff_t origin_y, ptrdiff_t origin_x, ptrdiff_t dilation_h, ptrdiff_t dilation_w, const int8_t *filter,
                       ptrdiff_t filter_height, ptrdiff_t filter_width, ptrdiff_t channels, ptrdiff_t multiplier,
                       const int8_t *pad_row, int32_t *acc);
void mote_arm_requantize(const int32_t *acc, ptrdiff_t acc_stride, ptrdiff_t rows, ptrdiff_t count, int8_t *out,
                         ptrdiff_t out_stride, const int64_t *rounding, const int64_t *negative, const int64_t *right_shift,
                         const int32_t *multipliers, const int32_t *left_shift, const int32_t *folded_bias, int32_t output_offset,
                         int32_t activation_min, int32_t activation_max);
#endif

enum { EXIT_SOFTWARE = 70, EXIT_IO = 74 };

static mote_interpreter handle;

/* Marker functions: their first instruction is what the plugin watches. noinline + asm keep
   every call. */
__attribute__((noinline, used)) void mote_fw_mark_invoke(void) { __asm__ volatile("" ::: "memory"); }
__attribute__((noinline, used)) void mote_fw_mark_op(void) { __asm__ volatile("" ::: "memory"); }
__attribute__((noinline, used)) void mote_fw_mark_init(void) { __asm__ volatile("" ::: "memory"); }

static void after_op(void *context, size_t index) {
    (void)context;
    (void)index;
    mote_fw_mark_op();
}

/* Decimal digits of v into buf (at least 21 bytes); returns buf. */
static char *utoa10(uint64_t v, char *buf) {
    char tmp[21];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (int i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
    buf[n] = 0;
    return buf;
}

/* Appends s to the line being built in buf (capacity cap). */
static void cat(char *buf, size_t cap, const char *s) {
    size_t n = 0;
    while (n < cap && buf[n]) n++;
    while (*s && n + 1 < cap) buf[n++] = *s++;
    if (n < cap) buf[n] = 0;
}

static void catnum(char *buf, size_t cap, int64_t v) {
    char digits[22];
    if (v < 0) {
        cat(buf, cap, "-");
        v = -v;
    }
    cat(buf, cap, utoa10((uint64_t)v, digits));
}

/* Prints "mote-fw " + words, with up to three numbers after the words a, b, c (NULL ends). */
static void say(const char *a, int64_t x, const char *b, int64_t y, const char *c, int64_t z) {
    char line[160] = "mote-fw ";
    if (a) { cat(line, sizeof line, a); catnum(line, sizeof line, x); }
    if (b) { cat(line, sizeof line, b); catnum(line, sizeof line, y); }
    if (c) { cat(line, sizeof line, c); catnum(line, sizeof line, z); }
    cat(line, sizeof line, "\n");
    plat_puts(line);
}

static void say_text(const char *a, const char *b) {
    char line[200] = "mote-fw ";
    cat(line, sizeof line, a);
    if (b) cat(line, sizeof line, b);
    cat(line, sizeof line, "\n");
    plat_puts(line);
}

/* "in-S-K.bin" / "out-S-K.bin" */
static void file_name(char *buf, size_t cap, const char *prefix, size_t s, size_t k) {
    buf[0] = 0;
    cat(buf, cap, prefix);
    catnum(buf, cap, (int64_t)s);
    cat(buf, cap, "-");
    catnum(buf, cap, (int64_t)k);
    cat(buf, cap, ".bin");
}

static int core_error(const char *what, int32_t status, const mote_error *err) {
    char line[200] = "error ";
    cat(line, sizeof line, what);
    cat(line, sizeof line, ": ");
    cat(line, sizeof line, mote_status_string(status));
    if (err) {
        cat(line, sizeof line, ": ");
        cat(line, sizeof line, err->message);
    }
    say_text(line, 0);
    if (err) {
        say("status ", status, " op ", err->op_index, " tensor ", err->tensor_index);
        say("value ", (int64_t)err->value, 0, 0, 0, 0);
    }
    return status;
}

/* Reads the inputs of inference s straight into the input tensors; 1 when in-S-0.bin is absent. */
static int load_inputs(size_t s, int *absent) {
    size_t count = mote_input_count(&handle);
    *absent = 0;
    for (size_t k = 0; k < count; k++) {
        char name[48];
        file_name(name, sizeof name, "in-", s, k);
        size_t len = 0;
        int fd = plat_open_read(name, &len);
        if (fd < 0) {
            if (k == 0) {
                *absent = 1;
                return 0;
            }
            say_text("error cannot open ", name);
            return EXIT_IO;
        }
        void *data = 0;
        size_t bytes = 0;
        int32_t st = mote_input(&handle, k, &data, &bytes);
        if (st != MOTE_OK) {
            plat_close(fd);
            return core_error("mote_input", st, 0);
        }
        if (len != bytes) {
            plat_close(fd);
            say_text("error wrong input size: ", name);
            say("error input ", (int64_t)k, " takes bytes ", (int64_t)bytes, " file has bytes ", (int64_t)len);
            return EXIT_IO;
        }
        int r = plat_read(fd, data, bytes);
        plat_close(fd);
        if (r != 0) {
            say_text("error cannot read ", name);
            return EXIT_IO;
        }
    }
    return 0;
}

static int store_outputs(size_t s) {
    size_t count = mote_output_count(&handle);
    for (size_t k = 0; k < count; k++) {
        char name[48];
        file_name(name, sizeof name, "out-", s, k);
        const void *data = 0;
        size_t bytes = 0;
        int32_t st = mote_output(&handle, k, &data, &bytes);
        if (st != MOTE_OK) return core_error("mote_output", st, 0);
        int fd = plat_open_write(name);
        if (fd < 0) {
            say_text("error cannot create ", name);
            return EXIT_IO;
        }
        int w = plat_write(fd, data, bytes);
        if (plat_close(fd) != 0 || w != 0) {
            say_text("error cannot write ", name);
            return EXIT_IO;
        }
    }
    return 0;
}

int fw_main(void) {
    say_text("core ", mote_version());
    if (mote_interpreter_size() > sizeof(mote_interpreter)) {
        say("error handle size: core needs ", (int64_t)mote_interpreter_size(), " header has ", (int64_t)sizeof(mote_interpreter), 0, 0);
        return EXIT_SOFTWARE;
    }
    mote_error err;
    size_t model_len = (size_t)(mote_model_end - mote_model_start);
    size_t flag_len = 0;
    int flag = plat_open_read("memory-fast", &flag_len);
    int fast = flag >= 0;
    if (fast) plat_close(flag);
    flag = plat_open_read("kernels-dsp", &flag_len);
    int dsp = flag >= 0;
    if (dsp) plat_close(flag);
    if (dsp) {
#if defined(MOTE_FW_DSP) && MOTE_FW_DSP
        motefw_set_kernels(mote_arm_dot_rows, mote_arm_panel4, mote_arm_dw_run, mote_arm_dw_pixel, mote_arm_requantize);
#else
        say_text("error this firmware was built without the DSP kernels (run.sh --kernels dsp)", 0);
        return EXIT_SOFTWARE;
#endif
    }
    mote_fw_mark_init();
    int32_t st = fast ? motefw_init_fast(mote_model_start, model_len, mote_arena, mote_arena_bytes, &handle, &err)
                      : mote_init(mote_model_start, model_len, mote_arena, mote_arena_bytes, &handle, &err);
    mote_fw_mark_init();
    if (st == MOTE_STATUS_ARENA_TOO_SMALL) {
        say("error arena too small: have ", (int64_t)mote_arena_bytes, " need ", (int64_t)err.value, 0, 0);
        return st;
    }
    if (st != MOTE_OK) return core_error("mote_init", st, &err);
    say("arena required ", (int64_t)mote_arena_required(&handle), " planned ", (int64_t)mote_arena_planned(&handle),
        " persistent ", (int64_t)mote_arena_persistent(&handle));
    say_text("memory ", fast ? "fast" : "compact");
    say_text("kernels ", dsp ? "dsp" : "portable");
    say("model bytes ", (int64_t)model_len, " arena bytes ", (int64_t)mote_arena_bytes, 0, 0);
    size_t inputs = mote_input_count(&handle), outputs = mote_output_count(&handle);
    say("io inputs ", (int64_t)inputs, " outputs ", (int64_t)outputs, 0, 0);
    for (size_t k = 0; k < inputs; k++) {
        size_t bytes = 0;
        mote_input(&handle, k, 0, &bytes);
        say("input ", (int64_t)k, " bytes ", (int64_t)bytes, 0, 0);
    }
    for (size_t k = 0; k < outputs; k++) {
        size_t bytes = 0;
        mote_output(&handle, k, 0, &bytes);
        say("output ", (int64_t)k, " bytes ", (int64_t)bytes, 0, 0);
    }
    flag = plat_open_read("per-op", &flag_len);
    int per_op = flag >= 0;
    if (per_op) plat_close(flag);
    size_t ops = motefw_operator_count(&handle);
    if (per_op) {
        say("ops ", (int64_t)ops, 0, 0, 0, 0);
        for (size_t i = 0; i < ops; i++) say("op ", (int64_t)i, " builtin ", motefw_operator_builtin(&handle, i), 0, 0);
    }

    size_t s = 0;
    for (;; s++) {
        int absent = 0;
        int r = load_inputs(s, &absent);
        if (r) return r;
        if (absent) break;
        if (per_op && s == 0) {
            mote_fw_mark_op();
            st = motefw_invoke_each(&handle, after_op, 0);
            if (st != MOTE_OK) return core_error("motefw_invoke_each", st, 0);
            /* The planner reuses input memory: load the inputs again for the counted run. */
            r = load_inputs(s, &absent);
            if (r) return r;
        }
        mote_fw_mark_invoke();
        st = mote_invoke(&handle);
        mote_fw_mark_invoke();
        if (st != MOTE_OK) return core_error("mote_invoke", st, 0);
        r = store_outputs(s);
        if (r) return r;
        say("inference ", (int64_t)s, 0, 0, 0, 0);
    }
    long reserved = 0;
    long used = plat_stack_used(&reserved);
    say("stack used ", used, " reserved ", reserved, 0, 0);
    say("done inferences ", (int64_t)s, 0, 0, 0, 0);
    return 0;
}
