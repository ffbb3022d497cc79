/*
 * insncount: a QEMU TCG plugin (plugin API version 1, QEMU 7.2) that counts guest
 * instructions exactly and reports the running count whenever the guest reaches a marker.
 *
 *   qemu-system-arm ... -plugin ./libinsncount.so,mark=0xADDR[,mark=0xADDR...] -d plugin -D log
 *
 * Each instruction adds one to a 64-bit counter (an inline add, no callback). The instruction
 * at each `mark` address (at most 8; marker k is the k-th `mark=` argument) also gets a
 * callback that prints "insncount: mark K COUNT", COUNT being the instructions executed before
 * that one. At exit it prints "insncount: total COUNT". With `profile=on`, each translation
 * block also gets a counter of the instructions it executed, printed at exit as
 * "insncount: tb VADDR COUNT" (decimal) (blocks retranslated at the same address are merged), for a
 * per-function profile of the whole run (firmware-sim/profile.sh maps them to symbols). Differences between two marks are
 * exact and repeatable for a single-vCPU guest (the counter is not atomic).
 *
 * Debian ships no qemu-plugin.h, so the few declarations used are written out below; they
 * follow the API version 1 header of QEMU 7.2 (include/qemu/qemu-plugin.h).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t {
    const char *target_name;
    struct { int min; int cur; } version;
    bool system_emulation;
    union { struct { int smp_vcpus; int max_vcpus; } system; };
} qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, enum qemu_plugin_op op,
                                                void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op, void *ptr, uint64_t imm);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
void qemu_plugin_outs(const char *string);

EXPORT int qemu_plugin_version = 1;

enum { MAX_MARKS = 8 };
static uint64_t counter;
static uint64_t marks[MAX_MARKS];
static int mark_count;

/* Profile: one counter per translation-block start address, in an open-addressing table. */
static int profile;
typedef struct { uint64_t vaddr; uint64_t count; int used; } tb_slot;
static tb_slot *slots;
static size_t slot_capacity;

static uint64_t *tb_counter(uint64_t vaddr) {
    size_t i = (size_t)(vaddr * 0x9E3779B97F4A7C15ull >> 20) & (slot_capacity - 1);
    while (slots[i].used && slots[i].vaddr != vaddr) i = (i + 1) & (slot_capacity - 1);
    if (!slots[i].used) {
        slots[i].used = 1;
        slots[i].vaddr = vaddr;
    }
    return &slots[i].count;
}

static void on_mark(unsigned int vcpu, void *userdata) {
    (void)vcpu;
    char line[64];
    snprintf(line, sizeof line, "insncount: mark %d %" PRIu64 "\n", (int)(intptr_t)userdata, counter);
    qemu_plugin_outs(line);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    if (profile) qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, tb_counter(qemu_plugin_tb_vaddr(tb)), n);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t vaddr = qemu_plugin_insn_vaddr(insn);
        for (int k = 0; k < mark_count; k++) {
            if (vaddr == marks[k]) {
                qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark, QEMU_PLUGIN_CB_NO_REGS, (void *)(intptr_t)k);
            }
        }
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &counter, 1);
    }
}

static void on_plugin_exit(qemu_plugin_id_t id, void *userdata) {
    (void)id;
    (void)userdata;
    char line[64];
    snprintf(line, sizeof line, "insncount: total %" PRIu64 "\n", counter);
    qemu_plugin_outs(line);
    for (size_t i = 0; profile && i < slot_capacity; i++) {
        if (!slots[i].used || !slots[i].count) continue;
        snprintf(line, sizeof line, "insncount: tb %" PRIu64 " %" PRIu64 "\n", slots[i].vaddr, slots[i].count);
        qemu_plugin_outs(line);
    }
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
    (void)info;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "profile=on") == 0) {
            profile = 1;
            slot_capacity = 1u << 20; /* far more blocks than any firmware has */
            slots = calloc(slot_capacity, sizeof *slots);
            if (!slots) return 1;
            continue;
        }
        if (strncmp(argv[i], "mark=", 5) != 0) {
            fprintf(stderr, "insncount: unknown argument '%s' (expected mark=ADDRESS or profile=on)\n", argv[i]);
            return 1;
        }
        char *end = NULL;
        unsigned long long a = strtoull(argv[i] + 5, &end, 0);
        if (!end || *end || end == argv[i] + 5 || mark_count == MAX_MARKS) {
            fprintf(stderr, "insncount: bad or too many marks: '%s'\n", argv[i]);
            return 1;
        }
        marks[mark_count++] = (uint64_t)a;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_plugin_exit, NULL);
    return 0;
}
