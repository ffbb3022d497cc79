/* A freestanding 32-bit (i386 Linux) host for the Embedded Swift build of MoteCore: no libc,
 * raw system calls. It reads a model and a list of mutants (the lines that HostileModelTests
 * writes with MOTE_HOSTILE_EXPORT, see Mutant.exportLine), applies each mutant, calls
 * mote32_run (bench/hostile32/driver32.swift: verify, prepare and invoke under both memory
 * policies) and prints one line per mutant: "LINE CODE" (0 ran, 100 + kind rejected by the
 * verifier, 200 + kind by prepare, 300/301 the policies disagree).
 * The model always ends right before an unmapped page, so a read past its end is a SIGSEGV;
 * a Swift trap (overflow, division by zero) is a SIGILL. Either kills the process: the last
 * line printed tells the caller which mutant comes next.
 *
 *   mote32 MODEL MUTANTS [FIRST_LINE]
 */
typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;
typedef long long i64;
typedef unsigned char u8;

static long sys3(long n, long a, long b, long c) {
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
    return r;
}
enum { SYS_exit = 1, SYS_read = 3, SYS_write = 4, SYS_open = 5, SYS_close = 6, SYS_old_mmap = 90,
       SYS_munmap = 91, SYS_mprotect = 125 };

void *memcpy(void *d, const void *s, u32 n) {
    u8 *dd = d; const u8 *ss = s;
    for (u32 i = 0; i < n; i++) dd[i] = ss[i];
    return d;
}
void *memmove(void *d, const void *s, u32 n) {
    u8 *dd = d; const u8 *ss = s;
    if (dd < ss) { for (u32 i = 0; i < n; i++) dd[i] = ss[i]; }
    else { for (u32 i = n; i > 0; i--) dd[i - 1] = ss[i - 1]; }
    return d;
}
void *memset(void *d, int c, u32 n) {
    u8 *dd = d;
    for (u32 i = 0; i < n; i++) dd[i] = (u8)c;
    return d;
}
int memcmp(const void *a, const void *b, u32 n) {
    const u8 *x = a, *y = b;
    for (u32 i = 0; i < n; i++) if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}
void arc4random_buf(void *p, u32 n) { memset(p, 0x5a, n); }
u32 __stack_chk_guard = 0x2f8e1b37;
void __stack_chk_fail(void) { sys3(SYS_write, 2, (long)"stack smashing detected\n", 24); sys3(SYS_exit, 3, 0, 0); }

/* 64-bit division without 64-bit division instructions (i386 has none): shift and subtract. */
static u64 udivmod64(u64 n, u64 d, u64 *rem) {
    if (d == 0) { __builtin_trap(); }
    u64 q = 0, r = 0;
    for (int i = 63; i >= 0; i--) {
        r = (r << 1) | ((n >> i) & 1);
        if (r >= d) { r -= d; q |= (u64)1 << i; }
    }
    if (rem) *rem = r;
    return q;
}
u64 __udivdi3(u64 n, u64 d) { return udivmod64(n, d, 0); }
u64 __umoddi3(u64 n, u64 d) { u64 r; udivmod64(n, d, &r); return r; }
i64 __divdi3(i64 a, i64 b) {
    int neg = (a < 0) != (b < 0);
    u64 q = udivmod64(a < 0 ? -(u64)a : (u64)a, b < 0 ? -(u64)b : (u64)b, 0);
    return neg ? -(i64)q : (i64)q;
}
i64 __moddi3(i64 a, i64 b) {
    u64 r;
    udivmod64(a < 0 ? -(u64)a : (u64)a, b < 0 ? -(u64)b : (u64)b, &r);
    return a < 0 ? -(i64)r : (i64)r;
}

extern i32 mote32_run(const void *model, i32 count, void *arena, i32 arena_count, void *keep, i32 keep_count);

/* The first policy's outputs, compared with the second's. */
static u8 keep[1 << 20];

static void put(const char *s, u32 n) { sys3(SYS_write, 1, (long)s, n); }
static u32 slen(const char *s) { u32 n = 0; while (s[n]) n++; return n; }
static void die(const char *s) { sys3(SYS_write, 2, (long)s, slen(s)); sys3(SYS_exit, 2, 0, 0); }

static void *map(u32 bytes) {
    /* old_mmap takes its six arguments in memory: no 6-register system call needed. */
    long args[6] = {0, (long)bytes, 3 /* read|write */, 0x22 /* private|anonymous */, -1, 0};
    long p = sys3(SYS_old_mmap, (long)args, 0, 0);
    if (p < 0 && p > -4096) die("mmap failed\n");
    return (void *)p;
}

/* Reads a whole file into fresh pages. */
static u8 *slurp(const char *path, u32 *size) {
    long fd = sys3(SYS_open, (long)path, 0, 0);
    if (fd < 0) die("cannot open a file\n");
    u32 cap = 1 << 20, n = 0;
    u8 *buf = map(cap);
    for (;;) {
        if (n == cap) {
            u8 *bigger = map(cap * 2);
            memcpy(bigger, buf, n);
            sys3(SYS_munmap, (long)buf, cap, 0);
            buf = bigger; cap *= 2;
        }
        long r = sys3(SYS_read, fd, (long)(buf + n), cap - n);
        if (r < 0) die("read failed\n");
        if (r == 0) break;
        n += (u32)r;
    }
    sys3(SYS_close, fd, 0, 0);
    *size = n;
    return buf;
}

static const char *parse_int(const char *p, i64 *out) {
    int neg = 0; i64 v = 0;
    if (*p == '-') { neg = 1; p++; }
    while (*p >= '0' && *p <= '9') { v = v * 10 + (*p - '0'); p++; }
    *out = neg ? -v : v;
    return p;
}
static int hexval(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; }

static void put_u32(u32 v) {
    char b[12]; int n = 0;
    do { b[11 - n++] = (char)('0' + v % 10); v /= 10; } while (v);
    put(b + 12 - n, n);
}

int main32(int argc, char **argv) {
    if (argc < 3) die("usage: mote32 MODEL MUTANTS [FIRST_LINE]\n");
    i64 first = 0;
    if (argc > 3) parse_int(argv[3], &first);
    u32 n, tn;
    u8 *orig = slurp(argv[1], &n);
    const char *text = (const char *)slurp(argv[2], &tn);
    /* The model's last byte sits right before a PROT_NONE page. */
    u32 span = (n + 4095) & ~4095u;
    u8 *region = map(span + 4096);
    if (sys3(SYS_mprotect, (long)(region + span), 4096, 0) < 0) die("mprotect failed\n");
    u8 *end = region + span;
    u32 arena_cap = 4u << 20;
    u8 *arena = map(arena_cap);

    u32 line = 0;
    const char *p = text, *stop = text + tn;
    while (p < stop) {
        const char *eol = p;
        while (eol < stop && *eol != '\n') eol++;
        if (line >= first) {
            i64 arena_bytes, cut;
            const char *q = parse_int(p, &arena_bytes);
            q = parse_int(q + 1, &cut);
            q++;
            u32 len = cut >= 0 && cut < n ? (u32)cut : n;
            u8 *model = end - len;
            memcpy(model, orig, len);
            while (*q != '|' && q < eol) {
                if (*q == '-') { q++; break; }
                i64 off;
                q = parse_int(q, &off);
                q++; /* ':' */
                while (hexval(q[0]) >= 0 && hexval(q[1]) >= 0) {
                    if (off >= 0 && off < len) model[off] = (u8)(hexval(q[0]) * 16 + hexval(q[1]));
                    off++; q += 2;
                }
                if (*q == ',') q++;
            }
            if (arena_bytes > arena_cap) arena_bytes = arena_cap;
            put_u32(line); put(" ", 1);
            i32 code = mote32_run(len ? model : 0, (i32)len, arena_bytes ? arena : 0, (i32)arena_bytes, keep, (i32)sizeof keep);
            put_u32((u32)code); put("\n", 1);
        }
        line++;
        p = eol + 1;
    }
    return 0;
}

/* The kernel enters with argc at (%esp), then argv. */
__attribute__((naked)) void _start(void) {
    __asm__ volatile(
        "xor %ebp, %ebp\n\t"
        "mov %esp, %eax\n\t"
        "lea 4(%eax), %ecx\n\t"
        "and $-16, %esp\n\t"
        "sub $8, %esp\n\t"
        "push %ecx\n\t"
        "push (%eax)\n\t"
        "call main32\n\t"
        "mov %eax, %ebx\n\t"
        "mov $1, %eax\n\t"
        "int $0x80\n\t");
}
