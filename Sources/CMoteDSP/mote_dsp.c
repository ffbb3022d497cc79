// The x86-64 variants of MoteCore's int8 inner loops (see mote_dsp.h for the semantics).
//
// Kinds of body:
// - the dot products (dot_rows, panel4, panel_run, strip_image, dw_image) are written with
//   intrinsics: AVX2 sign-extends to int16 and uses vpmaddwd (exact: a pair of int8 products
//   never reaches 2^31); AVX-512 uses vpdpbusd, which multiplies unsigned by signed bytes, on
//   one operand shifted by 128 (v ^ 0x80 = v + 128 as an unsigned byte) and subtracts 128 times
//   the other's sum, so that sum((v + 128) * u) - 128 * sum(u) = sum(v * u) modulo 2^32
//   whatever the values. dot_rows shifts the weights and subtracts 128 * sum(x) per pixel; the
//   panel, strip and dw_image kernels shift the input bytes and subtract 128 * sum(w) per
//   output channel (folded into the bias when they requantize in the same pass);
// - the packed depthwise rows (dw_pack, dw_row) pair two taps' int16 values per lane for
//   vpmaddwd (AVX2) or vpdpwssd (AVX-512), exact for the same reason;
// - the element-wise loops (depthwise, requantization; pooling for AVX2) are plain C in `static inline`
//   bodies, compiled once per target attribute, which clang vectorizes for that target.
// All sums use unsigned (wrapping) arithmetic or intrinsics, which wrap, never signed
// overflow.

#include "mote_dsp.h"

#include <stdlib.h>
#include <string.h>

#define INLINE static inline __attribute__((always_inline))

// ---------------------------------------------------------------------------------------
// Element-wise bodies, shared by the variants.

INLINE void dw_run_body(const int8_t *input, ptrdiff_t row_stride, ptrdiff_t tap_stride, ptrdiff_t fh, ptrdiff_t fw,
                        const int8_t *table, ptrdiff_t channels, ptrdiff_t start, ptrdiff_t count, int32_t *acc) {
    const ptrdiff_t stride = channels + 16;
    ptrdiff_t i = 0;
    if (count < 16) {
        for (; i < count; i++) {
            const ptrdiff_t phase = (start + i) % channels;
            uint32_t a = 0;
            for (ptrdiff_t ky = 0; ky < fh; ky++)
                for (ptrdiff_t kx = 0; kx < fw; kx++)
                    a += (uint32_t)((int32_t)table[(ky * fw + kx) * stride + phase] *
                                    (int32_t)input[ky * row_stride + kx * tap_stride + i]);
            acc[i] = (int32_t)a;
        }
        return;
    }
    // Blocks of 16 output bytes; the table serves w[(o + j) % C] for j < 16 contiguously from
    // phase o % C. The last block ends at the run's end, overlapping the one before.
    while (i < count) {
        if (i + 32 <= count) {
            const ptrdiff_t p0 = (start + i) % channels, p1 = (start + i + 16) % channels;
            uint32_t a[16] = {0}, b[16] = {0};
            for (ptrdiff_t ky = 0; ky < fh; ky++) {
                for (ptrdiff_t kx = 0; kx < fw; kx++) {
                    const int8_t *x = input + ky * row_stride + kx * tap_stride + i;
                    const int8_t *w = table + (ky * fw + kx) * stride;
                    for (int j = 0; j < 16; j++) a[j] += (uint32_t)((int32_t)w[p0 + j] * (int32_t)x[j]);
                    for (int j = 0; j < 16; j++) b[j] += (uint32_t)((int32_t)w[p1 + j] * (int32_t)x[16 + j]);
                }
            }
            for (int j = 0; j < 16; j++) acc[i + j] = (int32_t)a[j];
            for (int j = 0; j < 16; j++) acc[i + 16 + j] = (int32_t)b[j];
            i += 32;
            continue;
        }
        if (i + 16 > count) i = count - 16;
        const ptrdiff_t p0 = (start + i) % channels;
        uint32_t a[16] = {0};
        for (ptrdiff_t ky = 0; ky < fh; ky++) {
            for (ptrdiff_t kx = 0; kx < fw; kx++) {
                const int8_t *x = input + ky * row_stride + kx * tap_stride + i;
                const int8_t *w = table + (ky * fw + kx) * stride + p0;
                for (int j = 0; j < 16; j++) a[j] += (uint32_t)((int32_t)w[j] * (int32_t)x[j]);
            }
        }
        for (int j = 0; j < 16; j++) acc[i + j] = (int32_t)a[j];
        i += 16;
    }
}

INLINE void dw_pixel_body(const int8_t *image, ptrdiff_t ih, ptrdiff_t iw, ptrdiff_t depth, ptrdiff_t oy, ptrdiff_t ox,
                          ptrdiff_t dh, ptrdiff_t dw, const int8_t *filter, ptrdiff_t fh, ptrdiff_t fw, ptrdiff_t channels,
                          ptrdiff_t m, const int8_t *pad_row, int32_t *acc) {
    uint32_t *a = (uint32_t *)acc;
    ptrdiff_t c = 0;
    if (m == 1) {
        // Blocks of 32 channels stay in registers across the taps.
        for (; c + 32 <= channels; c += 32) {
            uint32_t s[32] = {0};
            for (ptrdiff_t ky = 0; ky < fh; ky++) {
                const ptrdiff_t iy = oy + ky * dh;
                for (ptrdiff_t kx = 0; kx < fw; kx++) {
                    const ptrdiff_t ix = ox + kx * dw;
                    const int8_t *x = (iy >= 0 && iy < ih && ix >= 0 && ix < iw) ? image + (iy * iw + ix) * depth : pad_row;
                    const int8_t *w = filter + (ky * fw + kx) * channels + c;
                    for (int j = 0; j < 32; j++) s[j] += (uint32_t)((int32_t)w[j] * (int32_t)x[c + j]);
                }
            }
            for (int j = 0; j < 32; j++) a[c + j] = s[j];
        }
        if (c == channels) return;
    }
    for (ptrdiff_t j = c; j < channels; j++) a[j] = 0;
    for (ptrdiff_t ky = 0; ky < fh; ky++) {
        const ptrdiff_t iy = oy + ky * dh;
        for (ptrdiff_t kx = 0; kx < fw; kx++) {
            const ptrdiff_t ix = ox + kx * dw;
            const int8_t *x = (iy >= 0 && iy < ih && ix >= 0 && ix < iw) ? image + (iy * iw + ix) * depth : pad_row;
            const int8_t *w = filter + (ky * fw + kx) * channels;
            if (m == 1) {
                for (ptrdiff_t j = c; j < channels; j++) a[j] += (uint32_t)((int32_t)w[j] * (int32_t)x[j]);
            } else {
                for (ptrdiff_t ic = 0; ic < depth; ic++) {
                    const int32_t v = x[ic];
                    for (ptrdiff_t q = 0; q < m; q++) a[ic * m + q] += (uint32_t)((int32_t)w[ic * m + q] * v);
                }
            }
        }
    }
}

INLINE void requantize_body(const int32_t *acc, ptrdiff_t acc_stride, ptrdiff_t rows, ptrdiff_t count, int8_t *out,
                            ptrdiff_t out_stride, const int64_t *rounding, const int64_t *negative, const int64_t *right,
                            const int32_t *mult, const int32_t *left, const int32_t *folded, int32_t zero, int32_t lo,
                            int32_t hi) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        const int32_t *a = acc + r * acc_stride;
        int8_t *o = out + r * out_stride;
        for (ptrdiff_t c = 0; c < count; c++) {
            const int32_t x = (int32_t)(((uint32_t)a[c] + (uint32_t)folded[c]) << left[c]);
            // |x| <= 2^31 and |m| < 2^31, so p and the sums below stay inside int64.
            const int64_t p = (int64_t)x * (int64_t)mult[c];
            const int64_t below = (p + ((int64_t)1 << 30)) >> 63;
            const int64_t t = (p + rounding[c] - (negative[c] & below)) >> right[c];
            int32_t v = (int32_t)(uint32_t)((uint64_t)t + (uint64_t)(int64_t)zero);
            v = v < lo ? lo : v;
            v = v > hi ? hi : v;
            o[c] = (int8_t)v;
        }
    }
}

// Pooling: blocks of 16 channels in local arrays (vectorized for the target), the last block
// ending at the last channel (overlapping the one before: it recomputes the same values; the
// pooling kernels never offer to run in place, so the output never aliases the input).
// Fewer than 16 channels: scalar.

INLINE void max_pool_body(const int8_t *src, ptrdiff_t rs, ptrdiff_t ps, ptrdiff_t rows, ptrdiff_t cols, ptrdiff_t c,
                          ptrdiff_t pixels, int8_t *out, int32_t lo, int32_t hi) {
    const int8_t l = (int8_t)lo, h = (int8_t)hi;
    for (ptrdiff_t i = 0; i < pixels; i++) {
        const int8_t *w = src + i * ps;
        int8_t *o = out + i * c;
        if (c < 16) {
            for (ptrdiff_t k = 0; k < c; k++) {
                int8_t m = l;
                for (ptrdiff_t y = 0; y < rows; y++)
                    for (ptrdiff_t x = 0; x < cols; x++) {
                        const int8_t v = w[y * rs + x * c + k];
                        m = v > m ? v : m;
                    }
                o[k] = m < h ? m : h;
            }
            continue;
        }
        for (ptrdiff_t k = 0; k < c; k += 16) {
            if (k + 16 > c) k = c - 16;
            int8_t m[16];
            for (int j = 0; j < 16; j++) m[j] = l;
            for (ptrdiff_t y = 0; y < rows; y++)
                for (ptrdiff_t x = 0; x < cols; x++) {
                    const int8_t *v = w + y * rs + x * c + k;
                    for (int j = 0; j < 16; j++) m[j] = v[j] > m[j] ? v[j] : m[j];
                }
            for (int j = 0; j < 16; j++) o[k + j] = m[j] < h ? m[j] : h;
        }
    }
}

/// The average of a window sum s over n cells, as mote_pool_fn states. The quotient goes
/// through double, which is exact here: for int32 a and n, a / n lies at least 1 / n from any
/// integer it is not, far more than double's rounding error, so truncation gives C's quotient.
INLINE int32_t pool_average(uint32_t s, uint32_t half, double n, int32_t lo, int32_t hi) {
    const int32_t a = (int32_t)((int32_t)s > 0 ? s + half : s - half);
    int32_t v = (int32_t)((double)a / n);
    v = v < lo ? lo : v;
    return v > hi ? hi : v;
}

INLINE void average_pool_body(const int8_t *src, ptrdiff_t rs, ptrdiff_t ps, ptrdiff_t rows, ptrdiff_t cols, ptrdiff_t c,
                              ptrdiff_t pixels, int8_t *out, int32_t lo, int32_t hi) {
    const uint32_t count = (uint32_t)(rows * cols), half = count / 2;
    const double n = (double)count;
    for (ptrdiff_t i = 0; i < pixels; i++) {
        const int8_t *w = src + i * ps;
        int8_t *o = out + i * c;
        if (c < 16) {
            for (ptrdiff_t k = 0; k < c; k++) {
                uint32_t s = 0;
                for (ptrdiff_t y = 0; y < rows; y++)
                    for (ptrdiff_t x = 0; x < cols; x++) s += (uint32_t)(int32_t)w[y * rs + x * c + k];
                o[k] = (int8_t)pool_average(s, half, n, lo, hi);
            }
            continue;
        }
        for (ptrdiff_t k = 0; k < c; k += 16) {
            if (k + 16 > c) k = c - 16;
            uint32_t s[16] = {0};
            for (ptrdiff_t y = 0; y < rows; y++)
                for (ptrdiff_t x = 0; x < cols; x++) {
                    const int8_t *v = w + y * rs + x * c + k;
                    for (int j = 0; j < 16; j++) s[j] += (uint32_t)(int32_t)v[j];
                }
            for (int j = 0; j < 16; j++) o[k + j] = (int8_t)pool_average(s[j], half, n, lo, hi);
        }
    }
}

/// dw_pack's weight sources for tap pair q: w[h] = tap 2q + h's weights, lane l at w[h][l];
/// NULL for the missing odd tap of an odd tap count (weights 0). Channels dividing 32
/// (period != channels) get the tap's weights repeated over the 32 lanes in repeated[h].
INLINE void dw_pair_taps(const int8_t *filter, ptrdiff_t taps, ptrdiff_t channels, ptrdiff_t period, ptrdiff_t q,
                         int8_t repeated[2][32], const int8_t *w[2]) {
    for (int h = 0; h < 2; h++) {
        const ptrdiff_t tap = 2 * q + h;
        if (tap >= taps) {
            w[h] = NULL;
        } else if (period != channels) {
            for (int l = 0; l < 32; l++) repeated[h][l] = filter[tap * channels + l % channels];
            w[h] = repeated[h];
        } else {
            w[h] = filter + tap * channels;
        }
    }
}

/// requant_lanes (mote_dsp.h), branch-free so that each variant's target vectorizes it.
INLINE void requant_lanes_body(const int32_t *mult, const int8_t *shifts, ptrdiff_t n, ptrdiff_t single, int64_t *rounding,
                               int64_t *negative, int64_t *right, int64_t *wide, int32_t *left) {
    if (single) {
        for (ptrdiff_t c = 0; c < n; c++) {
            const int64_t r = 31 - (int64_t)shifts[c];
            wide[c] = mult[c];
            rounding[c] = (int64_t)((uint64_t)1 << ((r - 1) & 63));
            negative[c] = 0;
            right[c] = r;
            left[c] = 0;
        }
    } else {
        for (ptrdiff_t c = 0; c < n; c++) {
            const int64_t s = shifts[c], r = s < 0 ? -s : 0, shifts_right = r > 0;
            wide[c] = mult[c];
            rounding[c] = (int64_t)(((uint64_t)1 << 30) + ((uint64_t)shifts_right << ((30 + r) & 63)));
            negative[c] = (int64_t)((uint64_t)shifts_right << 31);
            right[c] = 31 + r;
            left[c] = (int32_t)(s > 0 ? s : 0);
        }
    }
}

#if defined(__x86_64__)

#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))
#define AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx512vbmi,avx512vbmi2")))

/// The lanes of a block with n (>= 1) valid bytes.
INLINE uint32_t dw_lanes(ptrdiff_t n) { return n >= 32 ? 0xffffffffu : ((uint32_t)1 << n) - 1; }

/// The depthwise row functions over one variant's block kernel dw_blocks_S (two independent
/// 32-lane blocks, see dw_blocks_vnni): dw_pixel_blocks_S, dw_pixel_pair_S and dw_row_S
/// (mote_dsp.h's dw_row), compiled with the variant's target attribute ATTR.
#define DW_ROW_FUNCTIONS(S, ATTR) \
/* The blocks of one pixel (taps t at offset o), two at a time. */ \
ATTR INLINE void dw_pixel_blocks_##S(const int8_t *const *t, ptrdiff_t o, const int16_t *packed, ptrdiff_t channels, \
                                        ptrdiff_t blocks, ptrdiff_t pairs, int32_t *a) { \
    const ptrdiff_t wstep = blocks * 64; \
    ptrdiff_t b = 0; \
    for (; b + 2 <= blocks; b += 2) \
        dw_blocks_##S(t, o + 32 * b, packed + 64 * b, dw_lanes(channels - 32 * b), a + 32 * b, t, o + 32 * b + 32, packed + 64 * b + 64, \
                       dw_lanes(channels - 32 * b - 32), a + 32 * b + 32, pairs, wstep, 1); \
    if (b < blocks) dw_blocks_##S(t, o + 32 * b, packed + 64 * b, dw_lanes(channels - 32 * b), a + 32 * b, t, 0, packed, 0, a, pairs, wstep, 0); \
} \
 \
/* Two pixels' blocks (taps ta at oa, tb at ob), block by block. */ \
ATTR INLINE void dw_pixel_pair_##S(const int8_t *const *ta, ptrdiff_t oa, int32_t *outa, const int8_t *const *tb, ptrdiff_t ob, \
                                      int32_t *outb, const int16_t *packed, ptrdiff_t channels, ptrdiff_t blocks, ptrdiff_t pairs) { \
    for (ptrdiff_t b = 0; b < blocks; b++) { \
        const uint32_t m = dw_lanes(channels - 32 * b); \
        dw_blocks_##S(ta, oa + 32 * b, packed + 64 * b, m, outa + 32 * b, tb, ob + 32 * b, packed + 64 * b, m, outb + 32 * b, pairs, \
                       blocks * 64, 1); \
    } \
} \
 \
/* The tap pointers of the pixel whose window starts at input column ix0 of the filter rows */ \
/* `rows` (NULL: outside the image): the input pixel, or pad_row; an odd count padded with a */ \
/* repeat of the last pointer (its packed weights are 0). Returns the number of pairs. */ \
INLINE ptrdiff_t dw_row_taps_##S(const int8_t **t, const int8_t *const *rows, ptrdiff_t fh, ptrdiff_t fw, ptrdiff_t ix0, ptrdiff_t dw, \
                             ptrdiff_t iw, ptrdiff_t depth, const int8_t *pad_row) { \
    ptrdiff_t n = 0; \
    for (ptrdiff_t ky = 0; ky < fh; ky++) { \
        for (ptrdiff_t kx = 0; kx < fw; kx++) { \
            const ptrdiff_t ix = ix0 + kx * dw; \
            t[n++] = rows[ky] && (size_t)ix < (size_t)iw ? rows[ky] + ix * depth : pad_row; \
        } \
    } \
    if (n & 1) t[n] = t[n - 1], n++; \
    return n / 2; \
} \
 \
/* dw_row (mote_dsp.h). */ \
ATTR static void dw_row_##S(const int8_t *image, ptrdiff_t ih, ptrdiff_t iw, ptrdiff_t depth, ptrdiff_t oy, ptrdiff_t sw, \
                               ptrdiff_t pad_left, ptrdiff_t dh, ptrdiff_t dw, const int16_t *packed, ptrdiff_t fh, ptrdiff_t fw, \
                               const int8_t *pad_row, ptrdiff_t count, ptrdiff_t col_lo, ptrdiff_t col_hi, int32_t *acc) { \
    const int8_t *rows[MOTE_DW_MAX_TAPS], *t0[MOTE_DW_MAX_TAPS + 1], *t1[MOTE_DW_MAX_TAPS + 1]; \
    int inside = 1; \
    for (ptrdiff_t ky = 0; ky < fh; ky++) { \
        const ptrdiff_t iy = oy + ky * dh; \
        rows[ky] = iy >= 0 && iy < ih ? image + iy * iw * depth : NULL; \
        inside &= rows[ky] != NULL; \
    } \
    if (!inside || col_hi <= col_lo) col_lo = col_hi = count; \
    const ptrdiff_t blocks = (depth + 31) / 32; \
    /* The border pixels (those before col_lo and from col_hi on), two at a time. */ \
    const ptrdiff_t border = col_lo + (count - col_hi); \
    ptrdiff_t i = 0; \
    for (; i + 2 <= border; i += 2) { \
        const ptrdiff_t pa = i < col_lo ? i : col_hi + (i - col_lo), pb = i + 1 < col_lo ? i + 1 : col_hi + (i + 1 - col_lo); \
        const ptrdiff_t pairs = dw_row_taps_##S(t0, rows, fh, fw, pa * sw - pad_left, dw, iw, depth, pad_row); \
        dw_row_taps_##S(t1, rows, fh, fw, pb * sw - pad_left, dw, iw, depth, pad_row); \
        dw_pixel_pair_##S(t0, 0, acc + pa * depth, t1, 0, acc + pb * depth, packed, depth, blocks, pairs); \
    } \
    if (i < border) { \
        const ptrdiff_t pa = i < col_lo ? i : col_hi + (i - col_lo); \
        const ptrdiff_t pairs = dw_row_taps_##S(t0, rows, fh, fw, pa * sw - pad_left, dw, iw, depth, pad_row); \
        dw_pixel_blocks_##S(t0, 0, packed, depth, blocks, pairs, acc + pa * depth); \
    } \
    if (col_hi <= col_lo) return; \
    /* The interior: every tap inside, pixel p's at a fixed offset p * sw * depth from the */ \
    /* first interior pixel's. */ \
    const ptrdiff_t pairs = dw_row_taps_##S(t0, rows, fh, fw, col_lo * sw - pad_left, dw, iw, depth, pad_row); \
    const ptrdiff_t n = col_hi - col_lo, ps = sw * depth, wstep = blocks * 64; \
    int32_t *a = acc + col_lo * depth; \
    if (ps == depth && (depth % 32 == 0 || 32 % depth == 0)) { \
        /* Contiguous pixels: one run of n * depth bytes, in which block k uses weight block */ \
        /* k % blocks (depth dividing 32: the period-32 block every time). */ \
        /* k0, k1: the weight blocks of the pass's two blocks, stepped without division. */ \
        const ptrdiff_t bytes = n * depth; \
        ptrdiff_t o = 0, k0 = 0, k1 = blocks > 1 ? 1 : 0; \
        for (; o + 64 <= bytes; o += 64) { \
            dw_blocks_##S(t0, o, packed + 64 * k0, 0xffffffffu, a + o, t0, o + 32, packed + 64 * k1, 0xffffffffu, a + o + 32, pairs, wstep, 1); \
            k0 += 2, k1 += 2; \
            while (k0 >= blocks) k0 -= blocks; \
            while (k1 >= blocks) k1 -= blocks; \
        } \
        if (o < bytes) { \
            const ptrdiff_t rest = bytes - o; \
            if (rest > 32) \
                dw_blocks_##S(t0, o, packed + 64 * k0, 0xffffffffu, a + o, t0, o + 32, packed + 64 * k1, dw_lanes(rest - 32), a + o + 32, \
                               pairs, wstep, 1); \
            else \
                dw_blocks_##S(t0, o, packed + 64 * k0, dw_lanes(rest), a + o, t0, 0, packed, 0, a, pairs, wstep, 0); \
        } \
        return; \
    } \
    ptrdiff_t p = 0; \
    for (; p + 2 <= n; p += 2) dw_pixel_pair_##S(t0, p * ps, a + p * depth, t0, (p + 1) * ps, a + (p + 1) * depth, packed, depth, blocks, pairs); \
    if (p < n) dw_pixel_blocks_##S(t0, p * ps, packed, depth, blocks, pairs, a + p * depth); \
}

// ---------------------------------------------------------------------------------------
// AVX2

AVX2 INLINE int32_t hsum256(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

/// 16 bytes at p as int16 lanes.
AVX2 INLINE __m256i wide16(const int8_t *p) { return _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)p)); }

AVX2 INLINE void dot_rows_avx2_body(const int8_t *x, const int8_t *y, const int8_t *w, ptrdiff_t stride, ptrdiff_t count,
                                    ptrdiff_t rows, int32_t *out, ptrdiff_t out_stride, int has_y) {
    const ptrdiff_t full = count & ~(ptrdiff_t)15;
    ptrdiff_t i = 0;
    for (; i + 4 <= rows; i += 4) {
        const int8_t *w0 = w + i * stride, *w1 = w0 + stride, *w2 = w1 + stride, *w3 = w2 + stride;
        __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (ptrdiff_t k = 0; k < full; k += 16) {
            const __m256i xv = wide16(x + k);
            const __m256i v0 = wide16(w0 + k), v1 = wide16(w1 + k), v2 = wide16(w2 + k), v3 = wide16(w3 + k);
            a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(xv, v0));
            a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(xv, v1));
            a2 = _mm256_add_epi32(a2, _mm256_madd_epi16(xv, v2));
            a3 = _mm256_add_epi32(a3, _mm256_madd_epi16(xv, v3));
            if (has_y) {
                const __m256i yv = wide16(y + k);
                b0 = _mm256_add_epi32(b0, _mm256_madd_epi16(yv, v0));
                b1 = _mm256_add_epi32(b1, _mm256_madd_epi16(yv, v1));
                b2 = _mm256_add_epi32(b2, _mm256_madd_epi16(yv, v2));
                b3 = _mm256_add_epi32(b3, _mm256_madd_epi16(yv, v3));
            }
        }
        uint32_t s0 = (uint32_t)hsum256(a0), s1 = (uint32_t)hsum256(a1), s2 = (uint32_t)hsum256(a2), s3 = (uint32_t)hsum256(a3);
        uint32_t t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        if (has_y) t0 = (uint32_t)hsum256(b0), t1 = (uint32_t)hsum256(b1), t2 = (uint32_t)hsum256(b2), t3 = (uint32_t)hsum256(b3);
        for (ptrdiff_t k = full; k < count; k++) {
            const int32_t u = x[k];
            s0 += (uint32_t)(u * w0[k]), s1 += (uint32_t)(u * w1[k]), s2 += (uint32_t)(u * w2[k]), s3 += (uint32_t)(u * w3[k]);
            if (has_y) {
                const int32_t v = y[k];
                t0 += (uint32_t)(v * w0[k]), t1 += (uint32_t)(v * w1[k]), t2 += (uint32_t)(v * w2[k]), t3 += (uint32_t)(v * w3[k]);
            }
        }
        out[i] = (int32_t)s0, out[i + 1] = (int32_t)s1, out[i + 2] = (int32_t)s2, out[i + 3] = (int32_t)s3;
        if (has_y) {
            int32_t *o = out + out_stride + i;
            o[0] = (int32_t)t0, o[1] = (int32_t)t1, o[2] = (int32_t)t2, o[3] = (int32_t)t3;
        }
    }
    for (; i < rows; i++) {
        const int8_t *wr = w + i * stride;
        __m256i a = _mm256_setzero_si256(), b = a;
        for (ptrdiff_t k = 0; k < full; k += 16) {
            const __m256i v = wide16(wr + k);
            a = _mm256_add_epi32(a, _mm256_madd_epi16(wide16(x + k), v));
            if (has_y) b = _mm256_add_epi32(b, _mm256_madd_epi16(wide16(y + k), v));
        }
        uint32_t s = (uint32_t)hsum256(a), t = has_y ? (uint32_t)hsum256(b) : 0;
        for (ptrdiff_t k = full; k < count; k++) {
            s += (uint32_t)((int32_t)x[k] * wr[k]);
            if (has_y) t += (uint32_t)((int32_t)y[k] * wr[k]);
        }
        out[i] = (int32_t)s;
        if (has_y) out[out_stride + i] = (int32_t)t;
    }
}

AVX2 static void dot_rows_avx2(const int8_t *x, const int8_t *y, const int8_t *w, ptrdiff_t stride, ptrdiff_t count,
                               ptrdiff_t rows, int32_t *out, ptrdiff_t out_stride) {
    if (y) dot_rows_avx2_body(x, y, w, stride, count, rows, out, out_stride, 1);
    else dot_rows_avx2_body(x, NULL, w, stride, count, rows, out, out_stride, 0);
}

/// Pixel p's window bytes k and k + 1 as a pair of int16 in one int32 (k + 1 given as x1).
INLINE int32_t pair16(int8_t x0, int8_t x1) { return (int32_t)((uint32_t)(uint16_t)(int16_t)x0 | ((uint32_t)(uint16_t)(int16_t)x1 << 16)); }

/// AVX2 panel: window bytes two at a time, each pixel's pair (broadcast) against the two
/// panel rows' int16 weights interleaved pairwise, with vpmaddwd (exact: two int8 products
/// sum far inside int16 x int16 -> int32). A row of odd length ends in a pair whose second
/// byte and weights are zero. One 16-lane half of the panel at a time keeps the 4 x 2
/// accumulators in registers; unpacking interleaves lanes 0-3 and 8-11 (lo) and 4-7 and 12-15
/// (hi), which the final stores put back in order.
AVX2 INLINE void panel4_avx2_body(const int8_t *base, ptrdiff_t ps, ptrdiff_t rs, ptrdiff_t rows, ptrdiff_t run,
                                  const int8_t *panel, int32_t *acc, ptrdiff_t as, const int chunks) {
    const ptrdiff_t width = 16 * chunks;
    for (int h = 0; h < chunks; h++) {
        __m256i lo[4], hi[4];
        for (int p = 0; p < 4; p++) lo[p] = hi[p] = _mm256_setzero_si256();
        const int8_t *wk = panel + 16 * h;
        for (ptrdiff_t r = 0; r < rows; r++) {
            const int8_t *s = base + r * rs;
            for (ptrdiff_t i = 0; i < run; i += 2, wk += 2 * width) {
                const int two = i + 1 < run;
                const __m256i wa = wide16(wk);
                const __m256i wb = two ? wide16(wk + width) : _mm256_setzero_si256();
                const __m256i wl = _mm256_unpacklo_epi16(wa, wb), wh = _mm256_unpackhi_epi16(wa, wb);
                for (int p = 0; p < 4; p++) {
                    const int8_t *x = s + p * ps + i;
                    const __m256i xv = _mm256_set1_epi32(pair16(x[0], two ? x[1] : 0));
                    lo[p] = _mm256_add_epi32(lo[p], _mm256_madd_epi16(wl, xv));
                    hi[p] = _mm256_add_epi32(hi[p], _mm256_madd_epi16(wh, xv));
                }
                if (!two) wk -= width;  // the pair consumed one panel row
            }
        }
        for (int p = 0; p < 4; p++) {
            int32_t *o = acc + p * as + 16 * h;
            _mm256_storeu_si256((__m256i *)o, _mm256_permute2x128_si256(lo[p], hi[p], 0x20));
            _mm256_storeu_si256((__m256i *)(o + 8), _mm256_permute2x128_si256(lo[p], hi[p], 0x31));
        }
    }
}

AVX2 static void panel4_avx2(const int8_t *base, ptrdiff_t ps, ptrdiff_t rs, ptrdiff_t rows, ptrdiff_t run,
                             const int8_t *panel, ptrdiff_t width, int32_t *acc, ptrdiff_t as) {
    if (width == 32) panel4_avx2_body(base, ps, rs, rows, run, panel, acc, as, 2);
    else panel4_avx2_body(base, ps, rs, rows, run, panel, acc, as, 1);
}

AVX2 static void dw_run_avx2(const int8_t *input, ptrdiff_t row_stride, ptrdiff_t tap_stride, ptrdiff_t fh, ptrdiff_t fw,
                             const int8_t *table, ptrdiff_t channels, ptrdiff_t start, ptrdiff_t count, int32_t *acc) {
    dw_run_body(input, row_stride, tap_stride, fh, fw, table, channels, start, count, acc);
}

AVX2 static void dw_pixel_avx2(const int8_t *image, ptrdiff_t ih, ptrdiff_t iw, ptrdiff_t depth, ptrdiff_t oy, ptrdiff_t ox,
                               ptrdiff_t dh, ptrdiff_t dw, const int8_t *filter, ptrdiff_t fh, ptrdiff_t fw,
                               ptrdiff_t channels, ptrdiff_t m, const int8_t *pad_row, int32_t *acc) {
    dw_pixel_body(image, ih, iw, depth, oy, ox, dh, dw, filter, fh, fw, channels, m, pad_row, acc);
}

/// 16 bytes at p as int16 lanes, of which the first `valid` (1..16) are read (the others 0).
AVX2 INLINE __m256i dw_wide_avx2(const int8_t *p, ptrdiff_t valid) {
    if (valid >= 16) return wide16(p);
    int8_t b[16] = {0};
    memcpy(b, p, (size_t)valid);
    return wide16(b);
}

/// One 32-lane depthwise block as two 16-lane halves (dw_blocks_vnni's sums, lanes in m):
/// in half h, vpunpck{l,h}wd of the two taps' 16 int16 lanes pair lanes 16h + {0-3, 8-11} and
/// 16h + {4-7, 12-15}, which are the ymm halves of dw_pack's 32-lane lo and hi rows.
AVX2 INLINE void dw_block_avx2(const int8_t *const *t, ptrdiff_t o, const int16_t *w, uint32_t m, int32_t *out, ptrdiff_t pairs,
                               ptrdiff_t wstep) {
    const ptrdiff_t n = __builtin_popcount(m);
    for (ptrdiff_t h = 0; h < 2 && n > 16 * h; h++) {
        const ptrdiff_t valid = n - 16 * h, off = o + 16 * h;
        __m256i lo = _mm256_setzero_si256(), hi = lo;
        for (ptrdiff_t q = 0; q < pairs; q++) {
            const __m256i x0 = dw_wide_avx2(t[2 * q] + off, valid), x1 = dw_wide_avx2(t[2 * q + 1] + off, valid);
            const int16_t *wq = w + q * wstep + 16 * h;
            lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(x0, x1), _mm256_loadu_si256((const __m256i *)wq)));
            hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(x0, x1), _mm256_loadu_si256((const __m256i *)(wq + 32))));
        }
        const __m256i c0 = _mm256_permute2x128_si256(lo, hi, 0x20), c1 = _mm256_permute2x128_si256(lo, hi, 0x31);
        if (valid >= 16) {
            _mm256_storeu_si256((__m256i *)(out + 16 * h), c0);
            _mm256_storeu_si256((__m256i *)(out + 16 * h + 8), c1);
        } else {
            int32_t r[16];
            _mm256_storeu_si256((__m256i *)r, c0);
            _mm256_storeu_si256((__m256i *)(r + 8), c1);
            memcpy(out + 16 * h, r, (size_t)valid * 4);
        }
    }
}

/// dw_blocks_vnni's contract with AVX2: the blocks one after the other.
AVX2 INLINE void dw_blocks_avx2(const int8_t *const *ta, ptrdiff_t oa, const int16_t *wa, uint32_t ma, int32_t *outa,
                                const int8_t *const *tb, ptrdiff_t ob, const int16_t *wb, uint32_t mb, int32_t *outb,
                                ptrdiff_t pairs, ptrdiff_t wstep, const int two) {
    dw_block_avx2(ta, oa, wa, ma, outa, pairs, wstep);
    if (two) dw_block_avx2(tb, ob, wb, mb, outb, pairs, wstep);
}

DW_ROW_FUNCTIONS(avx2, AVX2)

AVX2 static void requant_lanes_avx2(const int32_t *mult, const int8_t *shifts, ptrdiff_t n, ptrdiff_t single, int64_t *rounding,
                                    int64_t *negative, int64_t *right, int64_t *wide, int32_t *left) {
    requant_lanes_body(mult, shifts, n, single, rounding, negative, right, wide, left);
}

/// dw_pack (see dw_pack_vnni) with 16-lane halves: the same bytes.
AVX2 static void dw_pack_avx2(const int8_t *filter, ptrdiff_t taps, ptrdiff_t channels, ptrdiff_t period, int16_t *packed) {
    const ptrdiff_t blocks = (period + 31) / 32, pairs = (taps + 1) / 2;
    int8_t repeated[2][32];
    for (ptrdiff_t q = 0; q < pairs; q++) {
        const int8_t *w[2];
        dw_pair_taps(filter, taps, channels, period, q, repeated, w);
        for (ptrdiff_t b = 0; b < blocks; b++) {
            int16_t *o = packed + (q * blocks + b) * 64;
            for (ptrdiff_t half = 0; half < 2; half++) {
                const ptrdiff_t lane = 32 * b + 16 * half, valid = period - lane;
                __m256i x0 = _mm256_setzero_si256(), x1 = x0;
                if (valid > 0) {
                    // A repeated tap is 32 bytes long: read it at lane % 32.
                    x0 = dw_wide_avx2(w[0] + (w[0] == repeated[0] ? lane % 32 : lane), valid);
                    if (w[1]) x1 = dw_wide_avx2(w[1] + (w[1] == repeated[1] ? lane % 32 : lane), valid);
                }
                _mm256_storeu_si256((__m256i *)(o + 16 * half), _mm256_unpacklo_epi16(x0, x1));
                _mm256_storeu_si256((__m256i *)(o + 32 + 16 * half), _mm256_unpackhi_epi16(x0, x1));
            }
        }
    }
}

/// Chunk by chunk of 8 channels, the chunk's constants in registers for all rows. AVX2 has no
/// 64-bit arithmetic shift, so the vectors serve a call only when every right shift is at
/// least 32 (most layers: see requant_chunk's `narrow` in the AVX-512 part):
/// t = (a >> 32) >> (right - 32), the first shift being a's high dword. Other calls take
/// requantize_body's loop whole (which clang vectorizes across the channels).
AVX2 static void requantize_avx2(const int32_t *acc, ptrdiff_t acc_stride, ptrdiff_t rows, ptrdiff_t count, int8_t *out,
                                 ptrdiff_t out_stride, const int64_t *rounding, const int64_t *negative,
                                 const int64_t *right, const int32_t *mult, const int32_t *left, const int32_t *folded,
                                 int32_t zero, int32_t lo, int32_t hi) {
    const __m256i z = _mm256_set1_epi32(zero), vlo = _mm256_set1_epi32(lo), vhi = _mm256_set1_epi32(hi);
    const __m256i threshold = _mm256_set1_epi64x(-((int64_t)1 << 30));
    for (ptrdiff_t c = 0; c < count; c++) {
        if (right[c] < 32) {
            requantize_body(acc, acc_stride, rows, count, out, out_stride, rounding, negative, right, mult, left, folded, zero, lo, hi);
            return;
        }
    }
    for (ptrdiff_t c = 0; c < count; c += 8) {
        const ptrdiff_t n = count - c < 8 ? count - c : 8;
        // A full chunk reads the tables in place; a partial one copies them, zeros past n
        // (those lanes' results are never stored).
        const int32_t *F = folded + c, *L = left + c, *M = mult + c;
        const int64_t *RO = rounding + c, *NE = negative + c, *RI = right + c;
        int32_t f[8] = {0}, l[8] = {0}, mu[8] = {0};
        int64_t ro[8] = {0}, ne[8] = {0}, ri[8] = {32, 32, 32, 32, 32, 32, 32, 32};
        if (n < 8) {
            for (ptrdiff_t j = 0; j < n; j++) f[j] = F[j], l[j] = L[j], mu[j] = M[j], ro[j] = RO[j], ne[j] = NE[j], ri[j] = RI[j];
            F = f, L = l, M = mu, RO = ro, NE = ne, RI = ri;
        }
        const __m256i vf = _mm256_loadu_si256((const __m256i *)F), vl = _mm256_loadu_si256((const __m256i *)L);
        const __m256i vm = _mm256_loadu_si256((const __m256i *)M), vmo = _mm256_srli_epi64(vm, 32);
        // The 64-bit constants of the even and odd int32 lanes: channels (0, 4, 2, 6) and
        // (1, 5, 3, 7) by unpacking, put in order by one cross-lane permute.
#define SPLIT(table, e, o)                                                                                          \
    do {                                                                                                            \
        const __m256i lo4 = _mm256_loadu_si256((const __m256i *)(table)), hi4 = _mm256_loadu_si256((const __m256i *)(table) + 1); \
        e = _mm256_permute4x64_epi64(_mm256_unpacklo_epi64(lo4, hi4), _MM_SHUFFLE(3, 1, 2, 0));                   \
        o = _mm256_permute4x64_epi64(_mm256_unpackhi_epi64(lo4, hi4), _MM_SHUFFLE(3, 1, 2, 0));                   \
    } while (0)
        __m256i re, rodd, nev, nodd, rie, rio;
        SPLIT(RO, re, rodd);
        SPLIT(NE, nev, nodd);
        SPLIT(RI, rie, rio);
#undef SPLIT
        // right - 32 per int32 lane: the low dwords of the even and odd lanes' shifts.
        const __m256i vs = _mm256_sub_epi32(_mm256_blend_epi32(rie, _mm256_slli_epi64(rio, 32), 0xAA), _mm256_set1_epi32(32));
        const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        const __m256i keep = _mm256_cmpgt_epi32(_mm256_set1_epi32((int32_t)n), lanes);
        for (ptrdiff_t r = 0; r < rows; r++) {
            const int32_t *a = acc + r * acc_stride + c;
            const __m256i av = n == 8 ? _mm256_loadu_si256((const __m256i *)a) : _mm256_maskload_epi32(a, keep);
            const __m256i x = _mm256_sllv_epi32(_mm256_add_epi32(av, vf), vl);
            const __m256i pe = _mm256_mul_epi32(x, vm), po = _mm256_mul_epi32(_mm256_srli_epi64(x, 32), vmo);
            const __m256i ae = _mm256_sub_epi64(_mm256_add_epi64(pe, re), _mm256_and_si256(_mm256_cmpgt_epi64(threshold, pe), nev));
            const __m256i ao = _mm256_sub_epi64(_mm256_add_epi64(po, rodd), _mm256_and_si256(_mm256_cmpgt_epi64(threshold, po), nodd));
            // The high dwords: the even lanes' moved down, the odd lanes' already in place.
            const __m256i t = _mm256_srav_epi32(_mm256_blend_epi32(_mm256_srli_epi64(ae, 32), ao, 0xAA), vs);
            const __m256i v = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(t, z), vlo), vhi);
            // In -128...127 already: the saturating packs are exact.
            const __m128i w16 = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
            const __m128i b = _mm_packs_epi16(w16, w16);
            int8_t *o = out + r * out_stride + c;
            if (n == 8) {
                _mm_storel_epi64((__m128i *)o, b);
            } else {
                int8_t bytes[16];
                _mm_storeu_si128((__m128i *)bytes, b);
                memcpy(o, bytes, (size_t)n);
            }
        }
    }
}

AVX2 static void max_pool_avx2(const int8_t *src, ptrdiff_t rs, ptrdiff_t ps, ptrdiff_t rows, ptrdiff_t cols, ptrdiff_t c,
                               ptrdiff_t pixels, int8_t *out, int32_t lo, int32_t hi) {
    max_pool_body(src, rs, ps, rows, cols, c, pixels, out, lo, hi);
}

AVX2 static void average_pool_avx2(const int8_t *src, ptrdiff_t rs, ptrdiff_t ps, ptrdiff_t rows, ptrdiff_t cols, ptrdiff_t c,
                                   ptrdiff_t pixels, int8_t *out, int32_t lo, int32_t hi) {
    average_pool_body(src, rs, ps, rows, cols, c, pixels, out, lo, hi);
}

// ---------------------------------------------------------------------------------------
// AVX-512 VNNI

/// The low n bytes (n <= 64).
AVX512 INLINE __mmask64 bytes_mask(ptrdiff_t n) { return n >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << n) - 1); }

/// The four sums of a0..a3 as one vector.
AVX512 INLINE __m128i hsum4(__m512i a0, __m512i a1, __m512i a2, __m512i a3) {
    const __m512i s01 = _mm512_add_epi32(_mm512_unpacklo_epi32(a0, a1), _mm512_unpackhi_epi32(a0, a1));
    const __m512i s23 = _mm512_add_epi32(_mm512_unpacklo_epi32(a2, a3), _mm512_unpackhi_epi32(a2, a3));
    const __m512i s = _mm512_add_epi32(_mm512_unpacklo_epi64(s01, s23), _mm512_unpackhi_epi64(s01, s23));
    const __m256i h = _mm256_add_epi32(_mm512_castsi512_si256(s), _mm512_extracti64x4_epi64(s, 1));
    return _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
}

/// sum(x[k]) for k < count, times 128 (wrapping).
AVX512 INLINE uint32_t sum128(const int8_t *x, ptrdiff_t count) {
    const __m512i ones = _mm512_set1_epi8(1);
    __m512i s = _mm512_setzero_si512();
    for (ptrdiff_t k = 0; k < count; k += 64) s = _mm512_dpbusd_epi32(s, ones, _mm512_maskz_loadu_epi8(bytes_mask(count - k), x + k));
    return (uint32_t)_mm512_reduce_add_epi32(s) << 7;
}

AVX512 INLINE void dot_rows_vnni_body(const int8_t *x, const int8_t *y, const int8_t *w, ptrdiff_t stride, ptrdiff_t count,
                                      ptrdiff_t rows, int32_t *out, ptrdiff_t out_stride, int has_y) {
    const __m512i flip = _mm512_set1_epi8((char)0x80);
    const __m128i cx = _mm_set1_epi32((int32_t)sum128(x, count));
    const __m128i cy = has_y ? _mm_set1_epi32((int32_t)sum128(y, count)) : _mm_setzero_si128();
    ptrdiff_t i = 0;
    for (; i + 4 <= rows; i += 4) {
        const int8_t *w0 = w + i * stride, *w1 = w0 + stride, *w2 = w1 + stride, *w3 = w2 + stride;
        __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (ptrdiff_t k = 0; k < count; k += 64) {
            // A short last step loads zeros for x and y: whatever the weights, nothing is added.
            const __mmask64 m = bytes_mask(count - k);
            const __m512i xv = _mm512_maskz_loadu_epi8(m, x + k);
            const __m512i v0 = _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, w0 + k), flip);
            const __m512i v1 = _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, w1 + k), flip);
            const __m512i v2 = _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, w2 + k), flip);
            const __m512i v3 = _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, w3 + k), flip);
            a0 = _mm512_dpbusd_epi32(a0, v0, xv);
            a1 = _mm512_dpbusd_epi32(a1, v1, xv);
            a2 = _mm512_dpbusd_epi32(a2, v2, xv);
            a3 = _mm512_dpbusd_epi32(a3, v3, xv);
            if (has_y) {
                const __m512i yv = _mm512_maskz_loadu_epi8(m, y + k);
                b0 = _mm512_dpbusd_epi32(b0, v0, yv);
                b1 = _mm512_dpbusd_epi32(b1, v1, yv);
                b2 = _mm512_dpbusd_epi32(b2, v2, yv);
                b3 = _mm512_dpbusd_epi32(b3, v3, yv);
            }
        }
        _mm_storeu_si128((__m128i *)(out + i), _mm_sub_epi32(hsum4(a0, a1, a2, a3), cx));
        if (has_y) _mm_storeu_si128((__m128i *)(out + out_stride + i), _mm_sub_epi32(hsum4(b0, b1, b2, b3), cy));
    }
    for (; i < rows; i++) {
        const int8_t *wr = w + i * stride;
        __m512i a = _mm512_setzero_si512(), b = a;
        for (ptrdiff_t k = 0; k < count; k += 64) {
            const __mmask64 m = bytes_mask(count - k);
            const __m512i v = _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, wr + k), flip);
            a = _mm512_dpbusd_epi32(a, v, _mm512_maskz_loadu_epi8(m, x + k));
            if (has_y) b = _mm512_dpbusd_epi32(b, v, _mm512_maskz_loadu_epi8(m, y + k));
        }
        out[i] = (int32_t)((uint32_t)_mm512_reduce_add_epi32(a) - (uint32_t)_mm_cvtsi128_si32(cx));
        if (has_y) out[out_stride + i] = (int32_t)((uint32_t)_mm512_reduce_add_epi32(b) - (uint32_t)_mm_cvtsi128_si32(cy));
    }
}

AVX512 static void dot_rows_vnni(const int8_t *x, const int8_t *y, const int8_t *w, ptrdiff_t stride, ptrdiff_t count,
                                 ptrdiff_t rows, int32_t *out, ptrdiff_t out_stride) {
    if (y) dot_rows_vnni_body(x, y, w, stride, count, rows, out, out_stride, 1);
    else dot_rows_vnni_body(x, NULL, w, stride, count, rows, out, out_stride, 0);
}

/// Packs an OHWI filter (`depth` rows of `k` bytes) for panel_run_vnni / panel4_vnni: chunks of
/// 16 or 32 lanes as Conv2DOptimized.pack, each of kp = k rounded up to 4 window bytes and 4
/// more rows holding the lanes' weight sums (panel_bias),
/// lane-major in vpdpbusd's groups: window byte 4g + q of lane j at g * 4 * width + 4 * j + q,
/// the signed weight itself (vpdpbusd's signed operand). Window bytes k..kp-1 and lanes past
/// `depth` are 0: they add nothing whatever the input bytes beside them, so a partial last
/// step needs no mask on the weights.
AVX512 static void panel_pack_vnni(const int8_t *filter, ptrdiff_t k, ptrdiff_t depth, int8_t *panel) {
    const ptrdiff_t kp = (k + 3) & ~(ptrdiff_t)3;
    for (ptrdiff_t first = 0; first < depth;) {
        const ptrdiff_t width = depth - first > 16 ? 32 : 16;
        for (ptrdiff_t g = 0; g < kp; g += 4)
            for (ptrdiff_t j = 0; j < width; j++)
                for (ptrdiff_t q = 0; q < 4; q++) {
                    const ptrdiff_t c = first + j, i = g + q;
                    panel[g * width + 4 * j + q] = c < depth && i < k ? filter[c * k + i] : 0;
                }
        // The chunk's last four window rows: 128 * sum(w) per lane, int32 (panel_bias).
        for (ptrdiff_t j = 0; j < width; j++) {
            uint32_t sum = 0;
            for (ptrdiff_t i = 0; first + j < depth && i < k; i++) sum += (uint32_t)(128 * (int32_t)filter[(first + j) * k + i]);
            memcpy(panel + kp * width + 4 * j, &sum, 4);
        }
        panel += width * (kp + 4);
        first += width;
    }
}

/// 128 * (sum of a chunk's weights) per lane (wrapping), lanes 0..15 and 16..31, as
/// panel_pack_vnni stored it after the chunk's kp window rows: what panel_accumulate's
/// unsigned input bytes x + 128 add beyond the products x * w.
AVX512 INLINE void panel_bias(const int8_t *panel, ptrdiff_t kp, const int chunks, __m512i *lo, __m512i *hi) {
    const int8_t *sums = panel + kp * 16 * chunks;
    *lo = _mm512_loadu_si512(sums);
    *hi = chunks == 2 ? _mm512_loadu_si512(sums + 64) : _mm512_setzero_si512();
}

/// The four bytes at p broadcast to every int32 lane, each xored with 0x80 (x + 128 as an
/// unsigned byte), in one instruction: vpxord with an embedded broadcast. (Written as
/// intrinsics, clang xors the four bytes first and then broadcasts them: three instructions.)
typedef int32_t __attribute__((may_alias, aligned(1))) mote_i32u;
AVX512 INLINE __m512i broadcast_flipped(const int8_t *p, __m512i flip) {
    __m512i y;
    __asm__("vpxord %1%{1to16%}, %2, %0" : "=v"(y) : "m"(*(const mote_i32u *)p), "v"(flip));
    return y;
}

/// Four pixels' sums over one chunk: pixel p's lanes 0..15 in a<p>, 16..31 in b<p>.
typedef struct {
    __m512i a0, a1, a2, a3, b0, b1, b2, b3;
} panel_sums;

/// Four pixels (s0..s3; `rows` runs of `run` bytes, row r at + r * rs) x (16 * chunks) lanes of
/// a panel_pack_vnni chunk, less `bias_lo` / `bias_hi` (panel_bias). Window bytes k..k+3 (k a
/// multiple of 4: one row, or rows whose length is a multiple of 4) are one 4 * width byte
/// group of weights, vpdpbusd's signed operand; the unsigned one is the pixel's four bytes
/// broadcast, + 128. A partial last step (rows == 1) loads only the window's bytes (the others
/// become 128, against weights 0).
AVX512 INLINE panel_sums panel_accumulate(const int8_t *s0, const int8_t *s1, const int8_t *s2, const int8_t *s3, ptrdiff_t rs,
                                          ptrdiff_t rows, ptrdiff_t run, const int8_t *panel, __m512i bias_lo, __m512i bias_hi,
                                          const int chunks) {
    const int width = 16 * chunks;
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    const int8_t *wp = panel;
    const __m512i flip = _mm512_set1_epi8((char)0x80);
#define PANEL_STEP(Y0, Y1, Y2, Y3)                                                                    \
    do {                                                                                              \
        const __m512i wl = _mm512_loadu_si512(wp), wh = chunks == 2 ? _mm512_loadu_si512(wp + 64) : wl; \
        const __m512i y0 = (Y0), y1 = (Y1), y2 = (Y2), y3 = (Y3);                                     \
        a0 = _mm512_dpbusd_epi32(a0, y0, wl);                                                         \
        a1 = _mm512_dpbusd_epi32(a1, y1, wl);                                                         \
        a2 = _mm512_dpbusd_epi32(a2, y2, wl);                                                         \
        a3 = _mm512_dpbusd_epi32(a3, y3, wl);                                                         \
        if (chunks == 2) {                                                                            \
            b0 = _mm512_dpbusd_epi32(b0, y0, wh);                                                     \
            b1 = _mm512_dpbusd_epi32(b1, y1, wh);                                                     \
            b2 = _mm512_dpbusd_epi32(b2, y2, wh);                                                     \
            b3 = _mm512_dpbusd_epi32(b3, y3, wh);                                                     \
        }                                                                                             \
        wp += 4 * width;                                                                              \
    } while (0)
    for (ptrdiff_t r = 0; r < rows; r++) {
        const ptrdiff_t o = r * rs;
        ptrdiff_t i = 0;
        for (; i + 4 <= run; i += 4)
            PANEL_STEP(broadcast_flipped(s0 + o + i, flip), broadcast_flipped(s1 + o + i, flip),
                       broadcast_flipped(s2 + o + i, flip), broadcast_flipped(s3 + o + i, flip));
        if (i < run) {
            // The window's last 1-3 bytes (rows == 1 here): the pixels' bytes past it are not
            // loaded (the panel's weights are 0 there).
            const __mmask16 xm = (__mmask16)((1u << (run - i)) - 1);
#define TAIL(S) _mm512_xor_si512(_mm512_broadcastd_epi32(_mm_maskz_loadu_epi8(xm, (S) + o + i)), flip)
            PANEL_STEP(TAIL(s0), TAIL(s1), TAIL(s2), TAIL(s3));
#undef TAIL
        }
    }
#undef PANEL_STEP
    const __m512i c = bias_lo, d = bias_hi;
    const panel_sums t = {_mm512_sub_epi32(a0, c), _mm512_sub_epi32(a1, c), _mm512_sub_epi32(a2, c), _mm512_sub_epi32(a3, c),
                          _mm512_sub_epi32(b0, d), _mm512_sub_epi32(b1, d), _mm512_sub_epi32(b2, d), _mm512_sub_epi32(b3, d)};
    return t;
}

/// panel_accumulate's sums stored: rows 0 ..< n of acc (acc[p * as + j], j < 16 * chunks).
AVX512 INLINE void panel_body(const int8_t *s0, const int8_t *s1, const int8_t *s2, const int8_t *s3, ptrdiff_t rs,
                              ptrdiff_t rows, ptrdiff_t run, const int8_t *panel, __m512i bias_lo, __m512i bias_hi, int32_t *acc,
                              ptrdiff_t as, ptrdiff_t n, const int chunks) {
    const panel_sums t = panel_accumulate(s0, s1, s2, s3, rs, rows, run, panel, bias_lo, bias_hi, chunks);
    _mm512_storeu_si512(acc, t.a0);
    if (chunks == 2) _mm512_storeu_si512(acc + 16, t.b0);
    if (n > 1) {
        _mm512_storeu_si512(acc + as, t.a1);
        if (chunks == 2) _mm512_storeu_si512(acc + as + 16, t.b1);
    }
    if (n > 2) {
        _mm512_storeu_si512(acc + 2 * as, t.a2);
        if (chunks == 2) _mm512_storeu_si512(acc + 2 * as + 16, t.b2);
    }
    if (n > 3) {
        _mm512_storeu_si512(acc + 3 * as, t.a3);
        if (chunks == 2) _mm512_storeu_si512(acc + 3 * as + 16, t.b3);
    }
}

/// Copies pixel windows whose rows are not a multiple of 4 long (rows > 1) into one contiguous
/// run each, patch + q * stride for q < 4 (the panel's bytes are in the same order). With
/// `fast` (rows <= 4, run <= 16: k <= 64, stride 64) each window is assembled in a register:
/// row r loaded into 128-bit lane r, then one vpermb (`idx`, bytes past k zeroed), stored whole
/// so that the loads that follow are forwarded from that store.
AVX512 INLINE void panel_gather(const int8_t *const s[4], ptrdiff_t rs, ptrdiff_t rows, ptrdiff_t run, int8_t *patch,
                                ptrdiff_t stride, const int fast, __m512i idx, __mmask64 keep) {
    if (fast) {
        const __mmask16 m = (__mmask16)((1u << run) - 1);
        for (int q = 0; q < 4; q++) {
            const int8_t *src = s[q];
            __m512i v = _mm512_castsi128_si512(_mm_maskz_loadu_epi8(m, src));
            v = _mm512_inserti32x4(v, _mm_maskz_loadu_epi8(m, src + rs), 1);
            if (rows > 2) v = _mm512_inserti32x4(v, _mm_maskz_loadu_epi8(m, src + 2 * rs), 2);
            if (rows > 3) v = _mm512_inserti32x4(v, _mm_maskz_loadu_epi8(m, src + 3 * rs), 3);
            _mm512_storeu_si512(patch + 64 * q, _mm512_maskz_permutexvar_epi8(keep, idx, v));
        }
        return;
    }
    for (int q = 0; q < 4; q++)
        for (ptrdiff_t r = 0; r < rows; r++) memcpy(patch + q * stride + r * run, s[q] + r * rs, (size_t)run);
}


AVX512 static void dw_run_vnni(const int8_t *input, ptrdiff_t row_stride, ptrdiff_t tap_stride, ptrdiff_t fh, ptrdiff_t fw,
                               const int8_t *table, ptrdiff_t channels, ptrdiff_t start, ptrdiff_t count, int32_t *acc) {
    dw_run_body(input, row_stride, tap_stride, fh, fw, table, channels, start, count, acc);
}

AVX512 static void dw_pixel_vnni(const int8_t *image, ptrdiff_t ih, ptrdiff_t iw, ptrdiff_t depth, ptrdiff_t oy, ptrdiff_t ox,
                                 ptrdiff_t dh, ptrdiff_t dw, const int8_t *filter, ptrdiff_t fh, ptrdiff_t fw,
                                 ptrdiff_t channels, ptrdiff_t m, const int8_t *pad_row, int32_t *acc) {
    dw_pixel_body(image, ih, iw, depth, oy, ox, dh, dw, filter, fh, fw, channels, m, pad_row, acc);
}

/// One 32-lane depthwise block: sum over tap pairs q of the int16 pairs (taps[2q][off + l],
/// taps[2q + 1][off + l]) times the packed weights at w + q * wstep (dw_pack's order), lanes
/// in `m` loaded (others 0). Returns the lo / hi accumulators (dw_pack's lane order).
#define DW_STEP_VNNI(A0, A1, T, OFF, W, M)                                                                   \
    do {                                                                                                    \
        const __m512i x0 = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8((M), (T)[2 * q] + (OFF)));            \
        const __m512i x1 = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8((M), (T)[2 * q + 1] + (OFF)));        \
        const int16_t *wq = (W) + q * wstep;                                                                \
        A0 = _mm512_dpwssd_epi32(A0, _mm512_unpacklo_epi16(x0, x1), _mm512_loadu_si512(wq));                 \
        A1 = _mm512_dpwssd_epi32(A1, _mm512_unpackhi_epi16(x0, x1), _mm512_loadu_si512(wq + 32));            \
    } while (0)

/// Stores a block's lo / hi accumulators as lanes 0..31 in order (lanes in `m`).
AVX512 INLINE void dw_store_vnni(__m512i lo, __m512i hi, int32_t *out, __mmask32 m) {
    const __m512i i0 = _mm512_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
    const __m512i i1 = _mm512_setr_epi32(8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31);
    const __m512i c0 = _mm512_permutex2var_epi32(lo, i0, hi), c1 = _mm512_permutex2var_epi32(lo, i1, hi);
    if (m == 0xffffffffu) {
        _mm512_storeu_si512(out, c0);
        _mm512_storeu_si512(out + 16, c1);
    } else {
        _mm512_mask_storeu_epi32(out, (__mmask16)m, c0);
        _mm512_mask_storeu_epi32(out + 16, (__mmask16)(m >> 16), c1);
    }
}

/// Two independent blocks (a: taps ta at offset oa, weights wa, lanes ma; b likewise) so that
/// four accumulator chains overlap; `two` = 0 computes a only.
AVX512 INLINE void dw_blocks_vnni(const int8_t *const *ta, ptrdiff_t oa, const int16_t *wa, __mmask32 ma, int32_t *outa,
                                  const int8_t *const *tb, ptrdiff_t ob, const int16_t *wb, __mmask32 mb, int32_t *outb,
                                  ptrdiff_t pairs, ptrdiff_t wstep, const int two) {
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, b0 = a0, b1 = a0;
    for (ptrdiff_t q = 0; q < pairs; q++) {
        DW_STEP_VNNI(a0, a1, ta, oa, wa, ma);
        if (two) DW_STEP_VNNI(b0, b1, tb, ob, wb, mb);
    }
    dw_store_vnni(a0, a1, outa, ma);
    if (two) dw_store_vnni(b0, b1, outb, mb);
}

DW_ROW_FUNCTIONS(vnni, AVX512)

/// dw_pack (mote_dsp.h): pair q, block b at packed + (q * blocks + b) * 64, made as
/// DW_STEP_VNNI makes its inputs (the two taps' 32 lanes widened, then vpunpck{l,h}wd), so
/// that int16 2d and 2d + 1 of the first 32 hold taps 2q and 2q + 1 of block lane
/// 8 * (d / 4) + d % 4 and those of the second 32 of lane 8 * (d / 4) + 4 + d % 4.
AVX512 static void dw_pack_vnni(const int8_t *filter, ptrdiff_t taps, ptrdiff_t channels, ptrdiff_t period, int16_t *packed) {
    const ptrdiff_t blocks = (period + 31) / 32, pairs = (taps + 1) / 2;
    int8_t repeated[2][32];
    for (ptrdiff_t q = 0; q < pairs; q++) {
        const int8_t *w[2];
        dw_pair_taps(filter, taps, channels, period, q, repeated, w);
        for (ptrdiff_t b = 0; b < blocks; b++) {
            const __mmask32 m = dw_lanes(period - 32 * b);
            const __m512i x0 = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(m, w[0] + 32 * b));
            const __m512i x1 = w[1] ? _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(m, w[1] + 32 * b)) : _mm512_setzero_si512();
            int16_t *o = packed + (q * blocks + b) * 64;
            _mm512_storeu_si512(o, _mm512_unpacklo_epi16(x0, x1));
            _mm512_storeu_si512(o + 32, _mm512_unpackhi_epi16(x0, x1));
        }
    }
}


/// One chunk's per-channel constants for 16 int32 lanes, held in registers across the rows:
/// lane j serves channel map[j] of the chunk (j, or j % 8 when two rows of at most 8 channels
/// share a vector). The int64 constants are split by lane parity: vpmuldq multiplies the low
/// dword of each qword, so the even lanes' products come from x itself and the odd lanes'
/// from x >> 32, with no widening conversions.
typedef struct {
    __m512i folded, left, mult_even, mult_odd, round_even, round_odd, neg_even, neg_odd, right_even, right_odd;
    /// right - 32 per int32 lane (meaningful when `narrow`).
    __m512i right32;
    /// Every channel's right shift is in 32...53 (double rounding with an exponent in
    /// -22...-1, single rounding with one in -22...-1: nearly every layer) and the zero point
    /// within +-128, so that t = (a >> 32) >> (right - 32), the first shift being the high dword
    /// of a: one 32-bit variable shift of 16 lanes instead of two 64-bit ones of 8. The zero
    /// point is then folded into the rounding constants: t + z = (a + z * 2^right) >> right
    /// exactly, the sum inside int64 (|a| < 2^62 + 2^61 + 2^30, |z| * 2^53 <= 2^60), and t + z
    /// never wraps in int32 (|t| < 2^31 * 3/4), as the reference's 32-bit add would need.
    int narrow;
    /// Some channel has a left shift (an exponent above 0).
    int shifted;
} requant_chunk;

/// Loads the constants of channels 0 ..< n (n <= 16; n <= 8 when paired) at the given
/// pointers; lanes past n get zeros (their results are never stored).
/// v's int32 lanes rearranged by map when two rows share a vector; v itself otherwise (the
/// map is then the identity).
AVX512 INLINE __m512i lanes32(int paired, __m512i map, __m512i v) { return paired ? _mm512_permutexvar_epi32(map, v) : v; }

AVX512 INLINE requant_chunk requant_constants(const int64_t *rounding, const int64_t *negative, const int64_t *right,
                                              const int32_t *mult, const int32_t *left, const int32_t *folded, ptrdiff_t n,
                                              int paired, int32_t zero) {
    const __mmask16 m = (__mmask16)((1u << n) - 1);
    const __mmask8 mlo = (__mmask8)m, mhi = (__mmask8)(m >> 8);
    // Lane j's channel: j, or j % 8.
    const __m512i map32 = paired ? _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7)
                                 : _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    // The channels of the even and odd int32 lanes, indexing (low 8 channels, high 8 channels).
    const __m512i even = paired ? _mm512_setr_epi64(0, 2, 4, 6, 0, 2, 4, 6) : _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
    const __m512i odd = paired ? _mm512_setr_epi64(1, 3, 5, 7, 1, 3, 5, 7) : _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15);
    requant_chunk k;
    k.folded = lanes32(paired, map32, _mm512_maskz_loadu_epi32(m, folded));
    const __m512i l = _mm512_maskz_loadu_epi32(m, left);
    k.left = lanes32(paired, map32, l);
    k.shifted = _mm512_test_epi32_mask(l, l) != 0;
    const __m512i mu = lanes32(paired, map32, _mm512_maskz_loadu_epi32(m, mult));
    k.mult_even = mu;
    k.mult_odd = _mm512_srli_epi64(mu, 32);
#define SPLIT(table, e, o)                                                                                          \
    do {                                                                                                            \
        const __m512i lo = _mm512_maskz_loadu_epi64(mlo, table), hi = _mm512_maskz_loadu_epi64(mhi, table + 8);     \
        e = _mm512_permutex2var_epi64(lo, even, hi);                                                                \
        o = _mm512_permutex2var_epi64(lo, odd, hi);                                                                 \
    } while (0)
    SPLIT(rounding, k.round_even, k.round_odd);
    SPLIT(negative, k.neg_even, k.neg_odd);
    SPLIT(right, k.right_even, k.right_odd);
#undef SPLIT
    const __m512i r = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(_mm512_maskz_loadu_epi64(mlo, right))),
                                         _mm512_cvtepi64_epi32(_mm512_maskz_loadu_epi64(mhi, right + 8)), 1);
    k.narrow = _mm512_mask_cmplt_epi32_mask(m, r, _mm512_set1_epi32(32)) == 0 &&
               _mm512_mask_cmpgt_epi32_mask(m, r, _mm512_set1_epi32(53)) == 0 && zero >= -128 && zero <= 128;
    k.right32 = lanes32(paired, map32, _mm512_sub_epi32(r, _mm512_set1_epi32(32)));
    if (k.narrow) {
        const __m512i zz = _mm512_set1_epi64((int64_t)zero);
        k.round_even = _mm512_add_epi64(k.round_even, _mm512_sllv_epi64(zz, k.right_even));
        k.round_odd = _mm512_add_epi64(k.round_odd, _mm512_sllv_epi64(zz, k.right_odd));
    }
    return k;
}

/// requantize_body's a = p + rounding - (p < -2^30 ? negative : 0) for the int64 lanes p
/// (products of one parity), exact in 64 bits.
AVX512 INLINE __m512i requant_round(__m512i p, __m512i rounding, __m512i negative) {
    const __mmask8 below = _mm512_cmplt_epi64_mask(p, _mm512_set1_epi64(-((int64_t)1 << 30)));
    const __m512i r = _mm512_add_epi64(p, rounding);
    return _mm512_mask_sub_epi64(r, below, r, negative);
}

/// requant16's int32 lanes before narrowing: clamped to vlo...vhi, or unclamped when
/// `saturate` (the narrowing's signed saturation is then the clamp).
AVX512 INLINE __m512i requant32(__m512i a, const requant_chunk *k, __m512i z, __m512i vlo, __m512i vhi, const int narrow,
                                const int shifted, const int saturate) {
    __m512i x = _mm512_add_epi32(a, k->folded);
    if (shifted) x = _mm512_sllv_epi32(x, k->left);
    const __m512i ae = requant_round(_mm512_mul_epi32(x, k->mult_even), k->round_even, k->neg_even);
    const __m512i ao = requant_round(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), k->mult_odd), k->round_odd, k->neg_odd);
    __m512i t;
    if (narrow) {
        // The high dwords of the even and odd lanes' a (a >> 32, arithmetic), interleaved
        // back, then the rest of the shift in 32 bits: floor(floor(a / 2^32) / 2^s) = floor(a / 2^(32 + s)).
        const __m512i high = _mm512_setr_epi32(1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31);
        t = _mm512_srav_epi32(_mm512_permutex2var_epi32(ae, high, ao), k->right32);  // t + z: see `narrow`
    } else {
        // The low dwords of the even and odd lanes' t, interleaved back.
        const __m512i low = _mm512_setr_epi32(0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30);
        t = _mm512_permutex2var_epi32(_mm512_srav_epi64(ae, k->right_even), low, _mm512_srav_epi64(ao, k->right_odd));
        // Adding the zero point to t's low 32 bits wraps as in int32.
        t = _mm512_add_epi32(t, z);
    }
    return saturate ? t : _mm512_min_epi32(_mm512_max_epi32(t, vlo), vhi);
}

/// 16 accumulators (lanes as the chunk maps them) to int8 bytes (clamped int32 lanes packed).
/// `narrow` and `shifted` are the chunk's flags and `saturate` says the range is -128...127
/// (the clamp is then vpmovsdb's saturation), passed as constants so that each form is
/// compiled without branches.
AVX512 INLINE __m128i requant16(__m512i a, const requant_chunk *k, __m512i z, __m512i vlo, __m512i vhi, const int narrow,
                                const int shifted, const int saturate) {
    const __m512i t = requant32(a, k, z, vlo, vhi, narrow, shifted, saturate);
    __m128i b = saturate ? _mm512_cvtsepi32_epi8(t) : _mm512_cvtepi32_epi8(t);
    // Keeps vpmovdb in registers: its store form is much slower on Zen 4.
    __asm__("" : "+v"(b));
    return b;
}

/// All rows of one chunk of n channels at column c (see requantize_vnni).
AVX512 INLINE void requant_chunk_rows(const int32_t *acc, ptrdiff_t acc_stride, ptrdiff_t rows, int8_t *out, ptrdiff_t out_stride,
                                      ptrdiff_t n, int paired, const requant_chunk *k, __m512i z, __m512i vlo, __m512i vhi,
                                      const int narrow, const int shifted, const int saturate) {
    if (!paired) {
        const __mmask16 m = (__mmask16)((1u << n) - 1);
        for (ptrdiff_t r = 0; r < rows; r++) {
            const __m128i b = requant16(_mm512_maskz_loadu_epi32(m, acc + r * acc_stride), k, z, vlo, vhi, narrow, shifted, saturate);
            if (n == 16) _mm_storeu_si128((__m128i *)(out + r * out_stride), b);
            else _mm_mask_storeu_epi8(out + r * out_stride, m, b);
        }
        return;
    }
    // Lanes 0 ..< n: row r; lanes 8 ..< 8 + n: row r + 1 (none past the last row).
    const __mmask16 mlo = (__mmask16)((1u << n) - 1);
    for (ptrdiff_t r = 0; r < rows; r += 2) {
        const int32_t *a0 = acc + r * acc_stride;
        int8_t *o0 = out + r * out_stride;
        const int two = r + 1 < rows;
        __m256i lo8 = _mm256_maskz_loadu_epi32((__mmask8)mlo, a0), hi8 = _mm256_setzero_si256();
        if (two) hi8 = _mm256_maskz_loadu_epi32((__mmask8)mlo, a0 + acc_stride);
        const __m128i b = requant16(_mm512_inserti64x4(_mm512_castsi256_si512(lo8), hi8, 1), k, z, vlo, vhi, narrow, shifted, saturate);
        if (n == 8) {
            _mm_storel_epi64((__m128i *)o0, b);
            if (two) _mm_storel_epi64((__m128i *)(o0 + out_stride), _mm_unpackhi_epi64(b, b));
        } else {
            _mm_mask_storeu_epi8(o0, mlo, b);
            if (two) _mm_mask_storeu_epi8(o0 + out_stride, mlo, _mm_unpackhi_epi64(b, b));
        }
    }
}

/// Chunk by chunk of 16 channels, each chunk's constants loaded once for all rows. A chunk of
/// at most 8 channels (count <= 8, or the tail past the 16s) packs two rows per vector, so
/// that rows of 8 channels keep every lane busy.
AVX512 static void requantize_vnni(const int32_t *acc, ptrdiff_t acc_stride, ptrdiff_t rows, ptrdiff_t count, int8_t *out,
                                   ptrdiff_t out_stride, const int64_t *rounding, const int64_t *negative,
                                   const int64_t *right, const int32_t *mult, const int32_t *left, const int32_t *folded,
                                   int32_t zero, int32_t lo, int32_t hi) {
    const __m512i z = _mm512_set1_epi32(zero), vlo = _mm512_set1_epi32(lo), vhi = _mm512_set1_epi32(hi);
    // The whole int8 range (no fused activation, or RELU at zero point -128): the narrowing
    // saturation is the clamp.
    const int full = lo == -128 && hi == 127;
    for (ptrdiff_t c = 0; c < count; c += 16) {
        const ptrdiff_t n = count - c < 16 ? count - c : 16;
        const int paired = n <= 8 && rows > 1;
        const requant_chunk k = requant_constants(rounding + c, negative + c, right + c, mult + c, left + c, folded + c, n, paired, zero);
        const int32_t *a = acc + c;
        int8_t *o = out + c;
        if (k.narrow && full) {
            if (k.shifted) requant_chunk_rows(a, acc_stride, rows, o, out_stride, n, paired, &k, z, vlo, vhi, 1, 1, 1);
            else requant_chunk_rows(a, acc_stride, rows, o, out_stride, n, paired, &k, z, vlo, vhi, 1, 0, 1);
        } else if (k.narrow) {
            if (k.shifted) requant_chunk_rows(a, acc_stride, rows, o, out_stride, n, paired, &k, z, vlo, vhi, 1, 1, 0);
            else requant_chunk_rows(a, acc_stride, rows, o, out_stride, n, paired, &k, z, vlo, vhi, 1, 0, 0);
        } else {
            requant_chunk_rows(a, acc_stride, rows, o, out_stride, n, paired, &k, z, vlo, vhi, 0, 1, 0);
        }
    }
}

// ---------------------------------------------------------------------------------------
// dw_image (mote_dsp.h): a whole depthwise image, requantized in the same pass.
//
// The input rows a window reads are copied, with their padding, into a ring of padded rows
// in `work` (rows above and below the image are one row of pad values), so that every output
// pixel reads its taps at fixed offsets from its row's first pixel: no border cases. The
// output runs in 64-byte blocks with the taps in groups of four: vpunpck{l,h}bw then
// vpunpck{l,h}wd interleave four taps' 64 bytes so that int32 lane 4i + d of quad k holds
// the four taps' bytes 16i + 4k + d, and vpdpbusd sums the four products per lane. vpdpbusd
// takes one unsigned operand: the ring's bytes are flipped (x ^ 0x80 = x + 128 unsigned), and
// 128 * (sum of the channel's weights) is taken off through the folded bias, so
// sum((x + 128) * w) - 128 * sum(w) = sum(x * w) modulo 2^32 (missing taps of the last group
// have weight 0). The four quads are requantized as they are, each with its lanes' channel
// constants, and packed back to bytes in order by vpackssdw and vpacksswb.

/// The lanes of a 64-byte block with n valid bytes (none for n <= 0).
INLINE uint64_t dw_bytes(ptrdiff_t n) { return n >= 64 ? ~(uint64_t)0 : n <= 0 ? 0 : ((uint64_t)1 << n) - 1; }

/// Interleaves four 64-byte vectors: int32 lane 4i + d of q[k] holds byte 16i + 4k + d of
/// x0, x1, x2, x3 (x0 lowest).
AVX512 INLINE void dw_quads(__m512i x0, __m512i x1, __m512i x2, __m512i x3, __m512i q[4]) {
    const __m512i lo01 = _mm512_unpacklo_epi8(x0, x1), hi01 = _mm512_unpackhi_epi8(x0, x1);
    const __m512i lo23 = _mm512_unpacklo_epi8(x2, x3), hi23 = _mm512_unpackhi_epi8(x2, x3);
    q[0] = _mm512_unpacklo_epi16(lo01, lo23);
    q[1] = _mm512_unpackhi_epi16(lo01, lo23);
    q[2] = _mm512_unpacklo_epi16(hi01, hi23);
    q[3] = _mm512_unpackhi_epi16(hi01, hi23);
}

/// 128-bit block k of r[i] = block i of v[k] (a 4 x 4 transpose of 128-bit blocks).
AVX512 INLINE void dw_transpose128(const __m512i v[4], __m512i r[4]) {
    const __m512i t0 = _mm512_shuffle_i32x4(v[0], v[1], 0x44), t1 = _mm512_shuffle_i32x4(v[0], v[1], 0xee);
    const __m512i t2 = _mm512_shuffle_i32x4(v[2], v[3], 0x44), t3 = _mm512_shuffle_i32x4(v[2], v[3], 0xee);
    r[0] = _mm512_shuffle_i32x4(t0, t2, 0x88);
    r[1] = _mm512_shuffle_i32x4(t0, t2, 0xdd);
    r[2] = _mm512_shuffle_i32x4(t1, t3, 0x88);
    r[3] = _mm512_shuffle_i32x4(t1, t3, 0xdd);
}

/// The most tap groups of dw_image's quad form (MOTE_DW_MAX_TAPS / 4).
#define DW_QUAD_GROUPS (MOTE_DW_MAX_TAPS / 4)

/// One phase of the quad form: the weights of every group (quad k of group g at w[4g + k])
/// and the requantization constants of each quad's lanes.
typedef struct {
    __m512i w[4 * DW_QUAD_GROUPS];
    requant_chunk k[4];
} dw_quad_phase;

/// The phase whose block byte b is channel c0 + b (c0 + 64 <= channels) or, for channels
/// dividing 64 (c0 = 0), channel b % channels.
AVX512 static void dw_quad_phase_make(dw_quad_phase *ph, const int8_t *filter, ptrdiff_t taps, ptrdiff_t channels, ptrdiff_t c0,
                                      const int64_t *rounding, const int64_t *negative, const int64_t *right, const int32_t *mult,
                                      const int32_t *left, const int32_t *folded, int32_t zero) {
    uint8_t map[64];
    for (int b = 0; b < 64; b++) map[b] = (uint8_t)(channels >= 64 ? b : b % channels);
    const __m512i idx = _mm512_loadu_si512(map);
    const ptrdiff_t groups = (taps + 3) / 4;
    // sums[k]: per lane of quad k, the sum of the channel's weights (vpdpbusd by ones).
    __m512i sums[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
    for (ptrdiff_t g = 0; g < groups; g++) {
        __m512i x[4];
        for (int j = 0; j < 4; j++) {
            const ptrdiff_t t = 4 * g + j;
            const int8_t *src = filter + t * channels + c0;
            x[j] = t >= taps ? _mm512_setzero_si512()
                   : channels >= 64 ? _mm512_loadu_si512(src)
                                    : _mm512_permutexvar_epi8(idx, _mm512_maskz_loadu_epi8(dw_bytes(channels), src));
        }
        dw_quads(x[0], x[1], x[2], x[3], ph->w + 4 * g);
        for (int k = 0; k < 4; k++) sums[k] = _mm512_dpbusd_epi32(sums[k], _mm512_set1_epi8(1), ph->w[4 * g + k]);
    }
    if (channels >= 8) {
        // Quad k's 128-bit block i holds channels map[16i + 4k ...]: block k of the
        // constants of channels map[16i ...] (16 in a row, or 8 twice when channels = 8).
        requant_chunk n[4];
        for (int i = 0; i < 4; i++) {
            const ptrdiff_t c = c0 + map[16 * i];
            n[i] = requant_constants(rounding + c, negative + c, right + c, mult + c, left + c, folded + c, channels == 8 ? 8 : 16,
                                     channels == 8, zero);
        }
#define DW_FIELD(F)                                                                  \
    do {                                                                             \
        const __m512i v[4] = {n[0].F, n[1].F, n[2].F, n[3].F};                       \
        __m512i r[4];                                                                \
        dw_transpose128(v, r);                                                       \
        for (int k = 0; k < 4; k++) ph->k[k].F = r[k];                               \
    } while (0)
        DW_FIELD(folded);
        DW_FIELD(left);
        DW_FIELD(mult_even);
        DW_FIELD(mult_odd);
        DW_FIELD(round_even);
        DW_FIELD(round_odd);
        DW_FIELD(neg_even);
        DW_FIELD(neg_odd);
        DW_FIELD(right_even);
        DW_FIELD(right_odd);
        DW_FIELD(right32);
#undef DW_FIELD
        for (int k = 0; k < 4; k++) ph->k[k].narrow = n[0].narrow, ph->k[k].shifted = n[0].shifted;
    } else {
        for (int k = 0; k < 4; k++) {
            int64_t rr[16], nn[16], sr[16];
            int32_t mu[16], le[16], fo[16];
            for (int l = 0; l < 16; l++) {
                const ptrdiff_t c = map[16 * (l / 4) + 4 * k + l % 4];
                rr[l] = rounding[c], nn[l] = negative[c], sr[l] = right[c];
                mu[l] = mult[c], le[l] = left[c], fo[l] = folded[c];
            }
            ph->k[k] = requant_constants(rr, nn, sr, mu, le, fo, 16, 0, zero);
        }
    }
    for (int k = 0; k < 4; k++) ph->k[k].folded = _mm512_sub_epi32(ph->k[k].folded, _mm512_slli_epi32(sums[k], 7));
}

/// One 64-byte output block of the quad form: tap j < taps's input bytes at t[j] + in (gather:
/// channels below 64 at stride 2, the block's pixel p at 2 * p * channels), the output's
/// `valid` bytes stored at out. Reads only the bytes of the block's pixels' taps.
AVX512 INLINE void dw_quad_block(const int8_t *const *t, ptrdiff_t in, const dw_quad_phase *ph, ptrdiff_t taps, int8_t *out,
                                 ptrdiff_t valid, const int gather, __m512i gidx, ptrdiff_t channels, __m512i z, __m512i vlo,
                                 __m512i vhi, const int narrow, const int shifted, const int saturate, const int full) {
    __m512i a[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
    // Gather: the block's pixels p read input bytes 2pC ..< 2pC + C, the last at (2 pixels - 1) C - 1.
    const ptrdiff_t span = gather ? (2 * ((valid + channels - 1) / channels) - 1) * channels : valid;
    const uint64_t m0 = dw_bytes(span), m1 = gather ? dw_bytes(span - 64) : 0;
#define DW_TAP(j) ({                                                                          \
        const int8_t *p_ = t[j] + in;                                                            \
        __m512i v_ = full && !gather ? _mm512_loadu_si512(p_) : _mm512_maskz_loadu_epi8(m0, p_);  \
        if (gather) v_ = _mm512_permutex2var_epi8(v_, gidx, _mm512_maskz_loadu_epi8(m1, p_ + 64)); \
        v_;                                                                                      \
    })
    const ptrdiff_t groups = taps / 4, rest = taps % 4;
    __m512i q[4];
    for (ptrdiff_t g = 0; g < groups; g++) {
        dw_quads(DW_TAP(4 * g), DW_TAP(4 * g + 1), DW_TAP(4 * g + 2), DW_TAP(4 * g + 3), q);
        for (int k = 0; k < 4; k++) a[k] = _mm512_dpbusd_epi32(a[k], q[k], ph->w[4 * g + k]);
    }
    if (rest == 1) {
        // One tap (3x3's ninth): its bytes into the low byte of each lane by vpermb (the
        // other three bytes' weights are 0).
        static const uint8_t spread[4][64] __attribute__((aligned(64))) = {
#define DW_S(k) {0 + 4 * k, 0, 0, 0, 1 + 4 * k, 0, 0, 0, 2 + 4 * k, 0, 0, 0, 3 + 4 * k, 0, 0, 0, 16 + 4 * k, 0, 0, 0, 17 + 4 * k, 0, 0, 0, \
    18 + 4 * k, 0, 0, 0, 19 + 4 * k, 0, 0, 0, 32 + 4 * k, 0, 0, 0, 33 + 4 * k, 0, 0, 0, 34 + 4 * k, 0, 0, 0, 35 + 4 * k, 0, 0, 0, \
    48 + 4 * k, 0, 0, 0, 49 + 4 * k, 0, 0, 0, 50 + 4 * k, 0, 0, 0, 51 + 4 * k, 0, 0, 0}
            DW_S(0), DW_S(1), DW_S(2), DW_S(3)};
#undef DW_S
        const __m512i x = DW_TAP(4 * groups);
        for (int k = 0; k < 4; k++)
            a[k] = _mm512_dpbusd_epi32(a[k], _mm512_permutexvar_epi8(_mm512_load_si512(spread[k]), x), ph->w[4 * groups + k]);
    } else if (rest > 1) {
        const __m512i zero = _mm512_setzero_si512();
        dw_quads(DW_TAP(4 * groups), DW_TAP(4 * groups + 1), rest > 2 ? DW_TAP(4 * groups + 2) : zero, zero, q);
        for (int k = 0; k < 4; k++) a[k] = _mm512_dpbusd_epi32(a[k], q[k], ph->w[4 * groups + k]);
    }
#undef DW_TAP
    // vpackssdw then vpacksswb, lane by lane: 128-bit block i gets quads 0..3's lanes 4i..4i+3
    // in turn, which are output bytes 16i + 4k + d: the block's bytes in order. Their signed
    // saturation is the clamp when `saturate`, exact otherwise (the lanes already clamped).
    const __m512i r = _mm512_packs_epi16(
        _mm512_packs_epi32(requant32(a[0], &ph->k[0], z, vlo, vhi, narrow, shifted, saturate),
                           requant32(a[1], &ph->k[1], z, vlo, vhi, narrow, shifted, saturate)),
        _mm512_packs_epi32(requant32(a[2], &ph->k[2], z, vlo, vhi, narrow, shifted, saturate),
                           requant32(a[3], &ph->k[3], z, vlo, vhi, narrow, shifted, saturate)));
    // A full block (valid = 64, `full` a constant) by plain loads and store: the masked ones
    // are slower on Zen 4 (8.3 -> 7.8 us on vww's first depthwise layer for the store).
    if (full) _mm512_storeu_si512(out, r);
    else _mm512_mask_storeu_epi8(out, dw_bytes(valid), r);
}

/// Most rows of dw_image's ring: (filter_height - 1) * dilation_h + 2.
#define DW_IMAGE_MAX_RING 16

/// The padded-row ring of dw_image: `slots` rows of input rows iy (slot iy % (slots - 1)) and
/// a last slot of pad values, each `width` padded pixels (pad_left pad pixels, the input row,
/// pad pixels to the end), every byte flipped (x ^ 0x80: vpdpbusd's unsigned operand, once
/// per copied byte instead of once per tap read).
typedef struct {
    int8_t *base;
    ptrdiff_t slots, width, row_bytes;
    ptrdiff_t tag[DW_IMAGE_MAX_RING];
} dw_ring;

/// The padded row of input row iy (the pad slot outside the image), copied in if not there;
/// `pad` is the flipped pad value.
AVX512 INLINE const int8_t *dw_ring_row(dw_ring *ring, const int8_t *image, ptrdiff_t ih, ptrdiff_t iw, ptrdiff_t depth, ptrdiff_t pad_left,
                                 int8_t pad, ptrdiff_t iy) {
    if (iy < 0 || iy >= ih) return ring->base + (ring->slots - 1) * ring->row_bytes;
    const ptrdiff_t s = iy % (ring->slots - 1);
    int8_t *row = ring->base + s * ring->row_bytes;
    if (ring->tag[s] != iy) {
        ring->tag[s] = iy;
        memset(row, pad, (size_t)(pad_left * depth));
        const int8_t *src = image + iy * iw * depth;
        int8_t *dst = row + pad_left * depth;
        const ptrdiff_t n = iw * depth;
        const __m512i flip = _mm512_set1_epi8((char)0x80);
        ptrdiff_t i = 0;
        for (; i + 64 <= n; i += 64) _mm512_storeu_si512(dst + i, _mm512_xor_si512(_mm512_loadu_si512(src + i), flip));
        if (i < n) _mm512_mask_storeu_epi8(dst + i, dw_bytes(n - i), _mm512_xor_si512(_mm512_maskz_loadu_epi8(dw_bytes(n - i), src + i), flip));
        memset(row + (pad_left + iw) * depth, pad, (size_t)((ring->width - pad_left - iw) * depth));
    }
    return row;
}

/// Every output row in the quad form, with the flags of requant16 as constants (`narrow` for
/// every channel or for none).
AVX512 INLINE void dw_quad_image(const int8_t *image, ptrdiff_t ih, ptrdiff_t iw, ptrdiff_t depth, ptrdiff_t oh, ptrdiff_t ow,
                                 ptrdiff_t sh, ptrdiff_t sw, ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t dh, ptrdiff_t dw,
                                 const int8_t *filter, ptrdiff_t fh, ptrdiff_t fw, dw_ring *ring, int8_t pad, int8_t *out,
                                 const int64_t *rounding, const int64_t *negative, const int64_t *right, const int32_t *mult,
                                 const int32_t *left, const int32_t *folded, int32_t zero, int32_t lo, int32_t hi,
                                 const int narrow, const int shifted, const int saturate) {
    const __m512i z = _mm512_set1_epi32(zero), vlo = _mm512_set1_epi32(lo), vhi = _mm512_set1_epi32(hi);
    const ptrdiff_t taps = fh * fw, groups = (taps + 3) / 4;
    const int wide = depth >= 64, gather = !wide && sw == 2;
    uint8_t gmap[64];
    for (int b = 0; b < 64; b++) gmap[b] = (uint8_t)(gather ? 2 * (b / depth) * depth + b % depth : b);
    const __m512i gidx = _mm512_loadu_si512(gmap);
    dw_quad_phase ph;
    const int8_t *rows[MOTE_DW_MAX_TAPS], *t[4 * DW_QUAD_GROUPS];
    const ptrdiff_t bytes = ow * depth;
    for (ptrdiff_t c0 = 0; c0 < (wide ? depth : 1); c0 += 64) {
        dw_quad_phase_make(&ph, filter, taps, depth, c0, rounding, negative, right, mult, left, folded, zero);
        for (ptrdiff_t oy = 0; oy < oh; oy++) {
            for (ptrdiff_t ky = 0; ky < fh; ky++)
                rows[ky] = dw_ring_row(ring, image, ih, iw, depth, pad_left, pad, oy * sh - pad_top + ky * dh);
            // Tap j of the row's first pixel; the padding taps of the last group repeat the last tap.
            ptrdiff_t j = 0;
            for (ptrdiff_t ky = 0; ky < fh; ky++)
                for (ptrdiff_t kx = 0; kx < fw; kx++) t[j++] = rows[ky] + kx * dw * depth;
            for (; j < 4 * groups; j++) t[j] = t[taps - 1];
            int8_t *o = out + oy * bytes;
            if (wide) {
                for (ptrdiff_t p = 0; p < ow; p++)
                    dw_quad_block(t, p * sw * depth + c0, &ph, taps, o + p * depth + c0, 64, 0, gidx, depth, z, vlo, vhi, narrow,
                                  shifted, saturate, 1);
            } else {
                // Runs of whole blocks, then the partial last one; `gather` a constant in each loop.
                ptrdiff_t b = 0;
                if (gather) {
                    for (; b + 64 <= bytes; b += 64)
                        dw_quad_block(t, 2 * b, &ph, taps, o + b, 64, 1, gidx, depth, z, vlo, vhi, narrow, shifted, saturate, 1);
                    if (b < bytes) dw_quad_block(t, 2 * b, &ph, taps, o + b, bytes - b, 1, gidx, depth, z, vlo, vhi, narrow, shifted, saturate, 0);
                } else {
                    for (; b + 64 <= bytes; b += 64)
                        dw_quad_block(t, b, &ph, taps, o + b, 64, 0, gidx, depth, z, vlo, vhi, narrow, shifted, saturate, 1);
                    if (b < bytes) dw_quad_block(t, b, &ph, taps, o + b, bytes - b, 0, gidx, depth, z, vlo, vhi, narrow, shifted, saturate, 0);
                }
            }
        }
    }
}

/// Bytes of dw_image's padded-row ring (mote_dsp.h), 0 beyond DW_IMAGE_MAX_RING rows.
INLINE ptrdiff_t dw_image_work(ptrdiff_t iw, ptrdiff_t depth, ptrdiff_t ow, ptrdiff_t sw, ptrdiff_t pad_left, ptrdiff_t dh,
                               ptrdiff_t dw, ptrdiff_t fh, ptrdiff_t fw) {
    const ptrdiff_t slots = (fh - 1) * dh + 2, span = (ow - 1) * sw + (fw - 1) * dw + 1;
    const ptrdiff_t width = span > pad_left + iw ? span : pad_left + iw;
    return slots > DW_IMAGE_MAX_RING ? 0 : slots * width * depth;
}

/// dw_image (mote_dsp.h).
AVX512 static ptrdiff_t dw_image_vnni(const int8_t *image, ptrdiff_t ih, ptrdiff_t iw, ptrdiff_t depth, ptrdiff_t oh, ptrdiff_t ow,
                                      ptrdiff_t sh, ptrdiff_t sw, ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t dh, ptrdiff_t dw,
                                      const int8_t *filter, ptrdiff_t fh, ptrdiff_t fw, int32_t pad_value, int8_t *work,
                                      ptrdiff_t work_bytes, int8_t *out, const int64_t *rounding, const int64_t *negative,
                                      const int64_t *right, const int32_t *mult, const int32_t *left, const int32_t *folded,
                                      int32_t zero, int32_t lo, int32_t hi) {
    // The shapes where the quad form measured faster than dw_row and requantize (bench/NOTES.md):
    // channels dividing 64 at stride 1, at most 16 of them at stride 2 (32 at stride 2 was no
    // faster: the gather's extra loads and shuffles); multiples of 64 with at least 16 output
    // pixels per image (each 64-channel phase costs a set-up of several hundred cycles: 3x3
    // outputs lost).
    const int taken = depth < 64 ? 64 % depth == 0 && (sw == 1 || (sw == 2 && depth <= 16)) : depth % 64 == 0 && oh * ow >= 16;
    if (!taken || fh * fw > MOTE_DW_MAX_TAPS) return 0;
    const ptrdiff_t bytes = dw_image_work(iw, depth, ow, sw, pad_left, dh, dw, fh, fw);
    if (bytes == 0 || bytes > work_bytes) return 0;
    // requant16's form (see requant_chunk's `narrow`) must be the same for every channel: the
    // quads mix channels, and requant_constants decides it per 16 of them.
    const int zero_fits = zero >= -128 && zero <= 128;
    int all_fit = 1, any_fit = 0, shifted = 0;
    for (ptrdiff_t c = 0; c < depth; c++) {
        const int fits = right[c] >= 32 && right[c] <= 53;
        all_fit &= fits;
        any_fit |= fits;
        shifted |= left[c] != 0;
    }
    if (zero_fits && any_fit && !all_fit) return 0;
    const int narrow = zero_fits && all_fit;
    dw_ring ring;
    ring.base = work;
    ring.slots = (fh - 1) * dh + 2;
    ring.row_bytes = bytes / ring.slots;
    ring.width = ring.row_bytes / depth;
    for (ptrdiff_t s = 0; s < ring.slots; s++) ring.tag[s] = -1;
    const int8_t pad = (int8_t)(pad_value ^ 0x80);
    memset(work + (ring.slots - 1) * ring.row_bytes, pad, (size_t)ring.row_bytes);
#define DW_QUAD(NARROW, SHIFTED, SATURATE)                                                                                      \
    dw_quad_image(image, ih, iw, depth, oh, ow, sh, sw, pad_top, pad_left, dh, dw, filter, fh, fw, &ring, pad, out, rounding,  \
                  negative, right, mult, left, folded, zero, lo, hi, NARROW, SHIFTED, SATURATE)
    if (!narrow) {
        // The 64-bit form, as requantize_vnni runs it (left shift applied, clamp by min / max).
        DW_QUAD(0, 1, 0);
    } else if (lo == -128 && hi == 127) {
        if (shifted) DW_QUAD(1, 1, 1);
        else DW_QUAD(1, 0, 1);
    } else {
        if (shifted) DW_QUAD(1, 1, 0);
        else DW_QUAD(1, 0, 0);
    }
#undef DW_QUAD
    return 1;
}

AVX512 static void requant_lanes_vnni(const int32_t *mult, const int8_t *shifts, ptrdiff_t n, ptrdiff_t single, int64_t *rounding,
                                      int64_t *negative, int64_t *right, int64_t *wide, int32_t *left) {
    requant_lanes_body(mult, shifts, n, single, rounding, negative, right, wide, left);
}

/// What panel_walk does with each group's sums: stores them (acc), or requantizes them into
/// int8 bytes (out, with one chunk's two halves of constants; see panel_run_requantize).
typedef struct {
    int32_t *acc;
    ptrdiff_t as;
    int8_t *out;
    ptrdiff_t out_stride;
    const int64_t *rounding, *negative, *right;
    const int32_t *mult, *left, *folded;
    int32_t zero, lo, hi;
} panel_sink;

/// requant16 in the form the chunk's constants were made for (`full`: the whole int8 range).
AVX512 INLINE __m128i requant_chunk16(__m512i a, const requant_chunk *k, __m512i z, __m512i vlo, __m512i vhi, int full) {
    if (k->narrow && !k->shifted && full) return requant16(a, k, z, vlo, vhi, 1, 0, 1);
    if (k->narrow) return requant16(a, k, z, vlo, vhi, 1, 1, 0);
    return requant16(a, k, z, vlo, vhi, 0, 1, 0);
}

/// panel_run's loop: chunk by chunk, four pixels at a time; a last group of fewer than four
/// ends at the last pixel, overlapping the group before it (the same sums written again), or,
/// with fewer than four pixels in all, repeats the last pixel's window without storing it.
/// Pixel p's window is at base + (p / cols) * ystep + (p % cols) * ps (several output rows in
/// one run; a group may take pixels of two rows). `fused` requantizes each group's sums into
/// `sink->out` instead of storing them.
AVX512 INLINE void panel_walk(const int8_t *base, ptrdiff_t ps, ptrdiff_t rs, ptrdiff_t rows, ptrdiff_t run, ptrdiff_t pixels,
                              ptrdiff_t cols, ptrdiff_t ystep, const int8_t *panel, ptrdiff_t depth, const panel_sink *sink,
                              const int fused) {
    const ptrdiff_t k = rows * run, kp = (k + 3) & ~(ptrdiff_t)3;
    // The gathered windows must outlive each group's body, so they live at function scope.
    int8_t patch[4 * MOTE_PANEL_PACK_WINDOW];
    const int gather = run % 4 != 0 && rows > 1;
    const int fast = rows <= 4 && run <= 16;
    const ptrdiff_t stride = fast ? 64 : k;
    __m512i idx = _mm512_setzero_si512();
    const __mmask64 keep = bytes_mask(k);
    if (gather && fast) {
        // Window byte i = r * run + c comes from 128-bit lane r, byte c.
        int8_t t[64] = {0};
        for (ptrdiff_t i = 0, r = 0, c = 0; i < k; i++) {
            t[i] = (int8_t)(16 * r + c);
            if (++c == run) c = 0, r++;
        }
        idx = _mm512_loadu_si512(t);
    }
    const __m512i z = _mm512_set1_epi32(sink->zero), vlo = _mm512_set1_epi32(sink->lo), vhi = _mm512_set1_epi32(sink->hi);
    const int full = sink->lo == -128 && sink->hi == 127;
    for (ptrdiff_t first = 0; first < depth;) {
        const int chunks = depth - first > 16 ? 2 : 1;
        const ptrdiff_t n0 = depth - first < 16 ? depth - first : 16, n1 = chunks == 2 ? (depth - first - 16 < 16 ? depth - first - 16 : 16) : 0;
        requant_chunk k0, k1;
        if (fused) {
            const ptrdiff_t c = first;
            k0 = requant_constants(sink->rounding + c, sink->negative + c, sink->right + c, sink->mult + c, sink->left + c,
                                   sink->folded + c, n0, 0, sink->zero);
            k1 = k0;
            if (chunks == 2)
                k1 = requant_constants(sink->rounding + c + 16, sink->negative + c + 16, sink->right + c + 16, sink->mult + c + 16,
                                       sink->left + c + 16, sink->folded + c + 16, n1, 0, sink->zero);
        }
        const __mmask16 m0 = (__mmask16)((1u << n0) - 1), m1 = (__mmask16)((1u << n1) - 1);
        __m512i lo, hi;
        if (chunks == 2) panel_bias(panel, kp, 2, &lo, &hi);
        else panel_bias(panel, kp, 1, &lo, &hi);
        if (fused) {
            // The chunk's 128 * sum(w) leaves with the folded bias (one add per vector).
            k0.folded = _mm512_sub_epi32(k0.folded, lo);
            k1.folded = _mm512_sub_epi32(k1.folded, hi);
            lo = hi = _mm512_setzero_si512();
        }
        for (ptrdiff_t g = 0; g < pixels; g += 4) {
            const ptrdiff_t p = g + 4 <= pixels || pixels < 4 ? g : pixels - 4;
            const ptrdiff_t n = pixels - p < 4 ? pixels - p : 4;
            const int8_t *s[4];
            // The group's pixels' rows and columns, counted on from the first's.
            ptrdiff_t y = p / cols, x = p - y * cols;
            for (int q = 0; q < 4; q++) {
                s[q] = base + y * ystep + x * ps;
                if (q + 1 < n && ++x == cols) x = 0, y++;
            }
            ptrdiff_t r = rows, w = run, o = rs;
            if (gather) {
                panel_gather(s, rs, rows, run, patch, stride, fast, idx, keep);
                for (int q = 0; q < 4; q++) s[q] = patch + q * stride;
                r = 1, w = k, o = 0;
            }
            if (!fused) {
                int32_t *a = sink->acc + p * sink->as + first;
                if (chunks == 2) panel_body(s[0], s[1], s[2], s[3], o, r, w, panel, lo, hi, a, sink->as, n, 2);
                else panel_body(s[0], s[1], s[2], s[3], o, r, w, panel, lo, hi, a, sink->as, n, 1);
                continue;
            }
            const panel_sums t = chunks == 2 ? panel_accumulate(s[0], s[1], s[2], s[3], o, r, w, panel, lo, hi, 2)
                                             : panel_accumulate(s[0], s[1], s[2], s[3], o, r, w, panel, lo, hi, 1);
            int8_t *dst = sink->out + p * sink->out_stride + first;
            const ptrdiff_t os = sink->out_stride;
#define PANEL_OUT(Q, A, B)                                                                                   \
    do {                                                                                                     \
        _mm_mask_storeu_epi8(dst + (Q) * os, m0, requant_chunk16((A), &k0, z, vlo, vhi, full));              \
        if (chunks == 2) _mm_mask_storeu_epi8(dst + (Q) * os + 16, m1, requant_chunk16((B), &k1, z, vlo, vhi, full)); \
    } while (0)
            PANEL_OUT(0, t.a0, t.b0);
            if (n > 1) PANEL_OUT(1, t.a1, t.b1);
            if (n > 2) PANEL_OUT(2, t.a2, t.b2);
            if (n > 3) PANEL_OUT(3, t.a3, t.b3);
#undef PANEL_OUT
        }
        panel += 16 * chunks * (kp + 4);
        first += 16 * chunks;
    }
}

/// panel_run (mote_dsp.h) on panel_pack_vnni's layout.
AVX512 static void panel_run_vnni(const int8_t *base, ptrdiff_t ps, ptrdiff_t rs, ptrdiff_t rows, ptrdiff_t run, ptrdiff_t pixels,
                                  const int8_t *panel, ptrdiff_t depth, int32_t *acc, ptrdiff_t as) {
    const panel_sink sink = {.acc = acc, .as = as, .lo = -128, .hi = 127};
    panel_walk(base, ps, rs, rows, run, pixels, pixels, 0, panel, depth, &sink, 0);
}

/// panel4 on panel_pack_vnni's layout: panel_run over four pixels and one chunk.
AVX512 static void panel4_vnni(const int8_t *base, ptrdiff_t ps, ptrdiff_t rs, ptrdiff_t rows, ptrdiff_t run,
                               const int8_t *panel, ptrdiff_t width, int32_t *acc, ptrdiff_t as) {
    panel_run_vnni(base, ps, rs, rows, run, 4, panel, width, acc, as);
}

/// panel_run_requantize (mote_dsp.h) on panel_pack_vnni's layout.
AVX512 static void panel_run_requantize_vnni(const int8_t *base, ptrdiff_t ps, ptrdiff_t rs, ptrdiff_t rows, ptrdiff_t run,
                                             ptrdiff_t pixels, ptrdiff_t cols, ptrdiff_t ystep, const int8_t *panel,
                                             ptrdiff_t depth, int8_t *out,
                                             ptrdiff_t out_stride, const int64_t *rounding, const int64_t *negative,
                                             const int64_t *right, const int32_t *mult, const int32_t *left,
                                             const int32_t *folded, int32_t zero, int32_t lo, int32_t hi) {
    const panel_sink sink = {NULL, 0, out, out_stride, rounding, negative, right, mult, left, folded, zero, lo, hi};
    panel_walk(base, ps, rs, rows, run, pixels, cols, ystep, panel, depth, &sink, 1);
}

/// Packs a filter for strip_image_vnni (mote_dsp.h, strip_pack): word j * dp + c holds window
/// bytes 4j..4j+3 of channel c (the filter's OHWI bytes, little-endian; 0 past the window's
/// k = fh * fw * depth bytes and for c >= output_depth); then dp words 128 * sum(w_c), wrapping.
static void strip_pack_vnni(const int8_t *filter, ptrdiff_t fh, ptrdiff_t fw, ptrdiff_t depth, ptrdiff_t out_depth, int32_t *packed) {
    const ptrdiff_t k = fh * fw * depth, G = (k + 3) / 4, dp = (out_depth + 7) & ~(ptrdiff_t)7;
    for (ptrdiff_t j = 0; j < G; j++)
        for (ptrdiff_t c = 0; c < dp; c++) {
            uint32_t word = 0;
            for (int t = 0; t < 4; t++) {
                const ptrdiff_t i = 4 * j + t;
                const int8_t w = c < out_depth && i < k ? filter[c * k + i] : 0;
                word |= (uint32_t)(uint8_t)w << (8 * t);
            }
            packed[j * dp + c] = (int32_t)word;
        }
    for (ptrdiff_t c = 0; c < dp; c++) {
        uint32_t s = 0;
        for (ptrdiff_t i = 0; c < out_depth && i < k; i++) s += (uint32_t)(128 * (int32_t)filter[c * k + i]);
        packed[G * dp + c] = (int32_t)s;
    }
}

/// Bytes a ..< b of a 64-byte vector (clamped to 0...64).
AVX512 INLINE __mmask64 byte_range(ptrdiff_t a, ptrdiff_t b) {
    if (a < 0) a = 0;
    if (b > 64) b = 64;
    return b <= a ? 0 : bytes_mask(b) & ~bytes_mask(a);
}

/// The requantization arguments of strip_image.
typedef struct {
    const int64_t *rounding, *negative, *right;
    const int32_t *mult, *left, *folded, *corr;
    int32_t zero, lo, hi;
} strip_requant;

/// Constants of channels c0 ..< c0 + NB as requant32 takes them, channel c's broadcast to
/// every lane of k[c] (its even and odd halves alike; channels past out_depth repeat the last
/// one: computed, never stored); the bias is folded_bias less the strip's 128 * sum(w). With
/// `narrow` (every channel's right shift in 32...53 and the zero point within +-128, see
/// requant_chunk) the rounding includes zero * 2^right and right32 is right - 32. Returns the
/// block's form: bit 0 narrow, bit 1 some channel shifts left.
AVX512 INLINE int strip_constants(const strip_requant *q, ptrdiff_t c0, ptrdiff_t out_depth, int NB, requant_chunk *k) {
    int narrow = q->zero >= -128 && q->zero <= 128, shifted = 0;
    for (int c = 0; c < NB; c++) {
        const ptrdiff_t ch = c0 + c < out_depth ? c0 + c : out_depth - 1;
        narrow &= q->right[ch] >= 32 && q->right[ch] <= 53;
        shifted |= q->left[ch] != 0;
    }
    for (int c = 0; c < NB; c++) {
        const ptrdiff_t ch = c0 + c < out_depth ? c0 + c : out_depth - 1;
        requant_chunk *kc = k + c;
        kc->folded = _mm512_set1_epi32((int32_t)((uint32_t)q->folded[ch] - (uint32_t)q->corr[ch]));
        kc->left = _mm512_set1_epi32(q->left[ch]);
        kc->mult_even = kc->mult_odd = _mm512_set1_epi32(q->mult[ch]);
        kc->neg_even = kc->neg_odd = _mm512_set1_epi64(q->negative[ch]);
        const int64_t zero_in = narrow ? (int64_t)((uint64_t)(int64_t)q->zero << q->right[ch]) : 0;
        kc->round_even = kc->round_odd = _mm512_set1_epi64(q->rounding[ch] + zero_in);
        kc->right_even = kc->right_odd = _mm512_set1_epi64(q->right[ch]);
        kc->right32 = _mm512_set1_epi32((int32_t)q->right[ch] - 32);
        kc->narrow = narrow;
        kc->shifted = shifted;
    }
    return narrow | shifted << 1;
}

/// strip_block's transposes: byte i of pixel-major vector m takes byte t[m][i] of a pair of
/// packed vectors (see strip_block).
static const int8_t strip_t16[4][64] __attribute__((aligned(64))) = {
    {0, 4, 8, 12, 64, 68, 72, 76, 0, 4, 8, 12, 64, 68, 72, 76, 1, 5, 9, 13, 65, 69, 73, 77, 1, 5, 9, 13, 65, 69, 73, 77, 2, 6, 10, 14, 66, 70, 74, 78, 2, 6, 10, 14, 66, 70, 74, 78, 3, 7, 11, 15, 67, 71, 75, 79, 3, 7, 11, 15, 67, 71, 75, 79},
    {16, 20, 24, 28, 80, 84, 88, 92, 16, 20, 24, 28, 80, 84, 88, 92, 17, 21, 25, 29, 81, 85, 89, 93, 17, 21, 25, 29, 81, 85, 89, 93, 18, 22, 26, 30, 82, 86, 90, 94, 18, 22, 26, 30, 82, 86, 90, 94, 19, 23, 27, 31, 83, 87, 91, 95, 19, 23, 27, 31, 83, 87, 91, 95},
    {32, 36, 40, 44, 96, 100, 104, 108, 32, 36, 40, 44, 96, 100, 104, 108, 33, 37, 41, 45, 97, 101, 105, 109, 33, 37, 41, 45, 97, 101, 105, 109, 34, 38, 42, 46, 98, 102, 106, 110, 34, 38, 42, 46, 98, 102, 106, 110, 35, 39, 43, 47, 99, 103, 107, 111, 35, 39, 43, 47, 99, 103, 107, 111},
    {48, 52, 56, 60, 112, 116, 120, 124, 48, 52, 56, 60, 112, 116, 120, 124, 49, 53, 57, 61, 113, 117, 121, 125, 49, 53, 57, 61, 113, 117, 121, 125, 50, 54, 58, 62, 114, 118, 122, 126, 50, 54, 58, 62, 114, 118, 122, 126, 51, 55, 59, 63, 115, 119, 123, 127, 51, 55, 59, 63, 115, 119, 123, 127},
};
static const int8_t strip_t8[2][64] __attribute__((aligned(64))) = {
    {0, 4, 8, 12, 64, 68, 72, 76, 1, 5, 9, 13, 65, 69, 73, 77, 2, 6, 10, 14, 66, 70, 74, 78, 3, 7, 11, 15, 67, 71, 75, 79, 16, 20, 24, 28, 80, 84, 88, 92, 17, 21, 25, 29, 81, 85, 89, 93, 18, 22, 26, 30, 82, 86, 90, 94, 19, 23, 27, 31, 83, 87, 91, 95},
    {32, 36, 40, 44, 96, 100, 104, 108, 33, 37, 41, 45, 97, 101, 105, 109, 34, 38, 42, 46, 98, 102, 106, 110, 35, 39, 43, 47, 99, 103, 107, 111, 48, 52, 56, 60, 112, 116, 120, 124, 49, 53, 57, 61, 113, 117, 121, 125, 50, 54, 58, 62, 114, 118, 122, 126, 51, 55, 59, 63, 115, 119, 123, 127},
};

/// One block of NB (8 or 16) output channels c0 ... of one strip of 16 pixels: the sums over
/// the strip's G groups (xs: lane p holds the group's 4 window bytes of pixel p, + 128), then
/// requantized per channel and transposed to pixel-major bytes; pixel p < n's channels
/// c0 ..< min(c0 + NB, out_depth) stored at out + p * out_depth + c0.
AVX512 INLINE void strip_block(const __m512i *xs, ptrdiff_t G, const int32_t *w, ptrdiff_t dp, ptrdiff_t c0, ptrdiff_t out_depth,
                               ptrdiff_t n, int8_t *out, const requant_chunk *k, __m512i z, __m512i vlo, __m512i vhi,
                               const int NB, const int narrow, const int shifted, const int saturate) {
    __m512i a[16];
    for (int c = 0; c < NB; c++) a[c] = _mm512_setzero_si512();
    for (ptrdiff_t g = 0; g < G; g++) {
        const __m512i xv = xs[g];
        const int32_t *wg = w + g * dp + c0;
        for (int c = 0; c < NB; c++) a[c] = _mm512_dpbusd_epi32(a[c], xv, _mm512_set1_epi32(wg[c]));
    }
    // Four channels' int32 lanes narrowed at once: B[g] = packsswb(packssdw(t0, t1),
    // packssdw(t2, t3)) for channels 4g..4g+3, saturating as vpmovsdb does; within 128-bit
    // lane L it holds byte 4c + q = channel 4g + c of pixel 4L + q.
    __m512i B[4];
    for (int g = 0; g < NB / 4; g++) {
        const __m512i t0 = requant32(a[4 * g], k + 4 * g, z, vlo, vhi, narrow, shifted, saturate);
        const __m512i t1 = requant32(a[4 * g + 1], k + 4 * g + 1, z, vlo, vhi, narrow, shifted, saturate);
        const __m512i t2 = requant32(a[4 * g + 2], k + 4 * g + 2, z, vlo, vhi, narrow, shifted, saturate);
        const __m512i t3 = requant32(a[4 * g + 3], k + 4 * g + 3, z, vlo, vhi, narrow, shifted, saturate);
        B[g] = _mm512_packs_epi16(_mm512_packs_epi32(t0, t1), _mm512_packs_epi32(t2, t3));
    }
    const ptrdiff_t nb = out_depth - c0 < NB ? out_depth - c0 : NB;
    const int contiguous = c0 == 0 && nb == out_depth && nb == NB;
    // Pixel-major vectors O[m] of 64 / NB pixels each (NB bytes per pixel).
    __m512i O[4];
    if (NB == 16) {
        // O_m byte 16 * q + c = channel c of pixel 4m + q, from B[c / 4] lane m byte
        // 4 * (c % 4) + q (B0/B1 for c < 8, B2/B3 for the rest, blended).
        for (int m = 0; m < 4; m++) {
            const __m512i idx = _mm512_load_si512(strip_t16[m]);
            O[m] = _mm512_mask_blend_epi8((__mmask64)0xFF00FF00FF00FF00ull, _mm512_permutex2var_epi8(B[0], idx, B[1]),
                                          _mm512_permutex2var_epi8(B[2], idx, B[3]));
        }
    } else {
        // O_m byte 8 * q + c = channel c of pixel 8m + q, from B[c / 4] lane (8m + q) / 4, byte
        // 4 * (c % 4) + (8m + q) % 4.
        for (int m = 0; m < 2; m++) O[m] = _mm512_permutex2var_epi8(B[0], _mm512_load_si512(strip_t8[m]), B[1]);
    }
    if (contiguous) {
        // The block is every channel: pixel after pixel, n * NB bytes.
        for (int m = 0; m < NB / 4; m++)
            if (NB * n > 64 * m) _mm512_mask_storeu_epi8(out + 64 * m, bytes_mask(NB * n - 64 * m), O[m]);
        return;
    }
    // Otherwise pixel by pixel: its nb channels at out + p * out_depth + c0.
    int8_t tmp[256 + 16];
    for (int m = 0; m < NB / 4; m++) _mm512_storeu_si512(tmp + 64 * m, O[m]);
    const __mmask16 keep = (__mmask16)((1u << nb) - 1);
    for (ptrdiff_t p = 0; p < n; p++) _mm_mask_storeu_epi8(out + p * out_depth + c0, keep, _mm_loadu_si128((const __m128i *)(tmp + NB * p)));
}

/// One 4-byte group of a strip filter's window: its bytes from filter row r0 (vpermb index
/// idx0 into that row's two vectors) and, when the group runs into the next filter row, the
/// bytes in `second` from row r0 + 1 (index idx1).
typedef struct {
    __m512i idx0, idx1;
    __mmask64 second;
    ptrdiff_t r0;
} strip_group;

/// strip_image (mote_dsp.h): 16 output pixels per strip, one per int32 lane. For each filter
/// row the strip's input bytes (at most MOTE_STRIP_SPAN) are loaded into two vectors, bytes
/// outside the image replaced by the pad value, all + 128 (^ 0x80: vpdpbusd's unsigned
/// operand); one vpermb per 4-byte group of the window (two and a blend where the group runs
/// into the next filter row) then gives each lane its pixel's 4 bytes. Each output channel's
/// weights for the group are one broadcast word (the signed operand), and 128 * sum(w_c)
/// leaves with the folded bias. Block by block of 16 (or a last 8) output channels, their
/// requantization constants made once per image.
AVX512 static void strip_image_vnni(const int8_t *image, ptrdiff_t ih, ptrdiff_t iw, ptrdiff_t depth, ptrdiff_t oh, ptrdiff_t ow,
                                    ptrdiff_t stride_h, ptrdiff_t stride_w, ptrdiff_t pad_top, ptrdiff_t pad_left,
                                    ptrdiff_t dilation_h, ptrdiff_t dilation_w, ptrdiff_t fh, ptrdiff_t fw, const int32_t *packed,
                                    ptrdiff_t out_depth, int32_t pad_value, int8_t *out, const int64_t *rounding,
                                    const int64_t *negative, const int64_t *right, const int32_t *mult, const int32_t *left,
                                    const int32_t *folded, int32_t zero, int32_t lo, int32_t hi) {
    const ptrdiff_t run = fw * depth, k = fh * run, G = (k + 3) / 4, dp = (out_depth + 7) & ~(ptrdiff_t)7;
    const strip_requant q = {rounding, negative, right, mult, left, folded, packed + G * dp, zero, lo, hi};
    const __m512i z = _mm512_set1_epi32(zero), vlo = _mm512_set1_epi32(lo), vhi = _mm512_set1_epi32(hi);
    const int full = lo == -128 && hi == 127;
    const __m512i flip = _mm512_set1_epi8((char)0x80), pad = _mm512_set1_epi8((char)pad_value);
    const __m512i padx = _mm512_xor_si512(pad, flip);
    // Window byte i = r * run + c sits at strip byte offset[c] of filter row r (its column
    // c / depth times dilation_w, its channel c % depth), lane p's at p * stride_w * depth more.
    int8_t offset[MOTE_STRIP_SPAN] = {0};
    for (ptrdiff_t c = 0, kx = 0, d = 0; c < run; c++) {
        offset[c] = (int8_t)(kx * dilation_w * depth + d);
        if (++d == depth) d = 0, kx++;
    }
    strip_group groups[MOTE_STRIP_MAX_GROUPS];
    for (ptrdiff_t j = 0; j < G; j++) {
        int8_t t0[64], t1[64];
        __mmask64 second = 0;
        const ptrdiff_t r0 = 4 * j / run;
        for (int b = 0; b < 4; b++) {
            const ptrdiff_t i = 4 * j + b, r = i / run, c = i % run;
            for (int p = 0; p < 16; p++) {
                const int8_t at = (int8_t)(p * stride_w * depth + (i < k ? offset[c] : 0));
                t0[4 * p + b] = i < k && r == r0 ? at : 0;  // past k: any byte (weight 0)
                t1[4 * p + b] = i < k && r != r0 ? at : 0;
                if (i < k && r != r0) second |= (__mmask64)1 << (4 * p + b);
            }
        }
        groups[j].idx0 = _mm512_loadu_si512(t0);
        groups[j].idx1 = _mm512_loadu_si512(t1);
        groups[j].second = second;
        groups[j].r0 = r0;
    }
    __m512i xs[MOTE_STRIP_MAX_GROUPS], rows[2 * MOTE_STRIP_MAX_GROUPS];
    const ptrdiff_t row_bytes = iw * depth;
    requant_chunk kc[16];
    for (ptrdiff_t c0 = 0; c0 < dp; c0 += 16) {
        const int NB = dp - c0 >= 16 ? 16 : 8;
        const int form = strip_constants(&q, c0, out_depth, NB, kc);
        for (ptrdiff_t oy = 0; oy < oh; oy++) {
            const ptrdiff_t origin_y = oy * stride_h - pad_top;
            for (ptrdiff_t x0 = 0; x0 < ow; x0 += 16) {
                const ptrdiff_t n = ow - x0 < 16 ? ow - x0 : 16;
                const ptrdiff_t b0 = (x0 * stride_w - pad_left) * depth;  // row byte of lane 0's first tap
                const __mmask64 mlo = byte_range(-b0, row_bytes - b0), mhi = byte_range(-b0 - 64, row_bytes - b0 - 64);
                for (ptrdiff_t r = 0; r < fh; r++) {
                    const ptrdiff_t iy = origin_y + r * dilation_h;
                    rows[2 * r] = rows[2 * r + 1] = padx;
                    if (iy >= 0 && iy < ih) {
                        // Bytes outside the row are never read (masked off).
                        const int8_t *p = image + iy * row_bytes + b0;
                        rows[2 * r] = _mm512_xor_si512(_mm512_mask_loadu_epi8(pad, mlo, p), flip);
                        rows[2 * r + 1] = _mm512_xor_si512(_mm512_mask_loadu_epi8(pad, mhi, p + 64), flip);
                    }
                }
                for (ptrdiff_t j = 0; j < G; j++) {
                    const strip_group *g = groups + j;
                    const __m512i *rv = rows + 2 * g->r0;
                    __m512i x = _mm512_permutex2var_epi8(rv[0], g->idx0, rv[1]);
                    if (g->second) x = _mm512_mask_blend_epi8(g->second, x, _mm512_permutex2var_epi8(rv[2], g->idx1, rv[3]));
                    xs[j] = x;
                }
                int8_t *o = out + (oy * ow + x0) * out_depth;
                // The block's form as compile-time constants: the common ones (narrow, no left
                // shift, with or without the whole int8 range) and the general one.
                if (NB == 16) {
                    if (form == 1 && full) strip_block(xs, G, packed, dp, c0, out_depth, n, o, kc, z, vlo, vhi, 16, 1, 0, 1);
                    else if (form == 1) strip_block(xs, G, packed, dp, c0, out_depth, n, o, kc, z, vlo, vhi, 16, 1, 0, 0);
                    else strip_block(xs, G, packed, dp, c0, out_depth, n, o, kc, z, vlo, vhi, 16, form & 1, 1, 0);
                } else {
                    if (form == 1 && full) strip_block(xs, G, packed, dp, c0, out_depth, n, o, kc, z, vlo, vhi, 8, 1, 0, 1);
                    else if (form == 1) strip_block(xs, G, packed, dp, c0, out_depth, n, o, kc, z, vlo, vhi, 8, 1, 0, 0);
                    else strip_block(xs, G, packed, dp, c0, out_depth, n, o, kc, z, vlo, vhi, 8, form & 1, 1, 0);
                }
            }
        }
    }
}

/// Max pooling, 64 channels per vector (masked at the end of the channels); 2x2 stride-2
/// windows of 16 or 32 channels several pixels per vector.
AVX512 static void max_pool_vnni(const int8_t *src, ptrdiff_t rs, ptrdiff_t ps, ptrdiff_t rows, ptrdiff_t cols, ptrdiff_t c,
                                 ptrdiff_t pixels, int8_t *out, int32_t lo, int32_t hi) {
    const __m512i vlo = _mm512_set1_epi8((char)lo), vhi = _mm512_set1_epi8((char)hi);
    ptrdiff_t i = 0;
    if (cols == 2 && ps == 2 * c && (c == 16 || c == 32)) {
        // Windows two columns wide that tile the row (2x2 stride 2): 64 / c pixels' windows
        // cover 128 contiguous bytes of each row. Their maximum over the rows in two whole
        // vectors, then over the two columns by regrouping the 16- or 32-byte column blocks.
        for (; i + 64 / c <= pixels; i += 64 / c) {
            const int8_t *w = src + i * ps;
            __m512i a = vlo, b = vlo;
            for (ptrdiff_t y = 0; y < rows; y++) {
                a = _mm512_max_epi8(a, _mm512_loadu_si512(w + y * rs));
                b = _mm512_max_epi8(b, _mm512_loadu_si512(w + y * rs + 64));
            }
            const __m512i left = c == 16 ? _mm512_shuffle_i64x2(a, b, _MM_SHUFFLE(2, 0, 2, 0)) : _mm512_shuffle_i64x2(a, b, _MM_SHUFFLE(1, 0, 1, 0));
            const __m512i right = c == 16 ? _mm512_shuffle_i64x2(a, b, _MM_SHUFFLE(3, 1, 3, 1)) : _mm512_shuffle_i64x2(a, b, _MM_SHUFFLE(3, 2, 3, 2));
            _mm512_storeu_si512(out + i * c, _mm512_min_epi8(_mm512_max_epi8(left, right), vhi));
        }
    }
    for (; i < pixels; i++) {
        const int8_t *w = src + i * ps;
        int8_t *o = out + i * c;
        for (ptrdiff_t k = 0; k < c; k += 64) {
            const __mmask64 m = bytes_mask(c - k);
            __m512i v = vlo;
            for (ptrdiff_t y = 0; y < rows; y++)
                for (ptrdiff_t x = 0; x < cols; x++) v = _mm512_max_epi8(v, _mm512_maskz_loadu_epi8(m, w + y * rs + x * c + k));
            _mm512_mask_storeu_epi8(o + k, m, _mm512_min_epi8(v, vhi));
        }
    }
}

/// Average pooling, 16 channels per vector: int32 sums, the rounding adds and the quotient in
/// double lanes (exact: see pool_average).
AVX512 static void average_pool_vnni(const int8_t *src, ptrdiff_t rs, ptrdiff_t ps, ptrdiff_t rows, ptrdiff_t cols, ptrdiff_t c,
                                     ptrdiff_t pixels, int8_t *out, int32_t lo, int32_t hi) {
    const int32_t count = (int32_t)(rows * cols);
    const __m512i half = _mm512_set1_epi32(count / 2), vlo = _mm512_set1_epi32(lo), vhi = _mm512_set1_epi32(hi);
    const __m512d n = _mm512_set1_pd((double)count);
    for (ptrdiff_t i = 0; i < pixels; i++) {
        const int8_t *w = src + i * ps;
        int8_t *o = out + i * c;
        for (ptrdiff_t k = 0; k < c; k += 16) {
            const __mmask16 m = c - k >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (c - k)) - 1);
            __m512i s = _mm512_setzero_si512();
            for (ptrdiff_t y = 0; y < rows; y++)
                for (ptrdiff_t x = 0; x < cols; x++)
                    s = _mm512_add_epi32(s, _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, w + y * rs + x * c + k)));
            const __mmask16 positive = _mm512_cmpgt_epi32_mask(s, _mm512_setzero_si512());
            const __m512i a = _mm512_mask_add_epi32(_mm512_sub_epi32(s, half), positive, s, half);
            const __m256i q0 = _mm512_cvttpd_epi32(_mm512_div_pd(_mm512_cvtepi32_pd(_mm512_castsi512_si256(a)), n));
            const __m256i q1 = _mm512_cvttpd_epi32(_mm512_div_pd(_mm512_cvtepi32_pd(_mm512_extracti64x4_epi64(a, 1)), n));
            __m512i v = _mm512_inserti64x4(_mm512_castsi256_si512(q0), q1, 1);
            v = _mm512_min_epi32(_mm512_max_epi32(v, vlo), vhi);
            _mm_mask_storeu_epi8(o + k, m, _mm512_cvtepi32_epi8(v));
        }
    }
}

static const mote_dsp_kernels variants[MOTE_DSP_VARIANTS] = {
    {"avx512vnni", dot_rows_vnni, panel4_vnni, dw_run_vnni, dw_pixel_vnni, requantize_vnni, max_pool_vnni, average_pool_vnni,
     dw_pack_vnni, dw_row_vnni, panel_pack_vnni, panel_run_vnni, strip_pack_vnni, strip_image_vnni, panel_run_requantize_vnni,
     dw_image_vnni, requant_lanes_vnni},
    {"avx2", dot_rows_avx2, panel4_avx2, dw_run_avx2, dw_pixel_avx2, requantize_avx2, max_pool_avx2, average_pool_avx2, dw_pack_avx2,
     dw_row_avx2, NULL, NULL, NULL, NULL, NULL, NULL, requant_lanes_avx2},
};

static int supported(int variant) {
    __builtin_cpu_init();
    switch (variant) {
    case MOTE_DSP_AVX512VNNI:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vbmi") &&
               __builtin_cpu_supports("avx512vbmi2");
    case MOTE_DSP_AVX2:
        return __builtin_cpu_supports("avx2");
    default:
        return 0;
    }
}

const mote_dsp_kernels *mote_dsp_variant(int variant) {
    return variant >= 0 && variant < MOTE_DSP_VARIANTS && supported(variant) ? &variants[variant] : NULL;
}

#else

const mote_dsp_kernels *mote_dsp_variant(int variant) {
    (void)variant;
    return NULL;
}

#endif

const mote_dsp_kernels *mote_dsp_select(void) {
    const char *cap = getenv("MOTE_KERNELS");
    int first = 0;
    if (cap && strcmp(cap, "portable") == 0) return NULL;
#if defined(__x86_64__)
    if (cap && strcmp(cap, "avx2") == 0) first = MOTE_DSP_AVX2;
#endif
    for (int v = first; v < MOTE_DSP_VARIANTS; v++) {
        const mote_dsp_kernels *k = mote_dsp_variant(v);
        if (k) return k;
    }
    return NULL;
}
