/*
 * mote_dsp_arm.c: Arm DSP-extension (Cortex-M4/M7, ACLE __smlad/__sxtb16) versions of two of
 * MoteCore's int8 inner loops, installed into the core's kernel table (KernelTable.swift) by
 * fw_main.c through motefw_set_kernels when run.sh is given --kernels dsp.
 *
 * Each computes exactly what the portable Swift loop of the same name computes (ConvKernels
 * .dotRows, .panel4, DepthwiseConv2DOptimized.accumulateRun, .accumulatePixel and
 * RequantizationLanes.requantize; contracts in Sources/CMoteDSP/include/mote_dsp.h): int32 sums of int8
 * products wrapping modulo 2^32 (SMLAD's final addition wraps like `&+`; the Q flag it may set
 * is never read). The firmware tests run every fixture with these kernels under QEMU and
 * compare the bytes with TFLite's reference outputs.
 *
 * SMLAD multiplies two pairs of 16-bit halves and adds both products: the int8 bytes are
 * sign-extended two at a time with SXTB16 (bytes 0 and 2, or 1 and 3 after a rotation), so a
 * pair may hold bytes k and k+2 of a window as long as both operands pair the same k's.
 */
#include <stddef.h>
#include <stdint.h>

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>

static inline uint32_t load32(const int8_t *p) {
    uint32_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
}

static inline uint32_t load16(const int8_t *p) {
    uint16_t v;
    __builtin_memcpy(&v, p, 2);
    return v;
}

/* Halves (byte 0, byte 2) and (byte 1, byte 3) of v, sign-extended. */
static inline int32_t even(uint32_t v) { return __sxtb16((int32_t)v); }
static inline int32_t odd(uint32_t v) { return __sxtb16((int32_t)__ror(v, 8)); }

static inline int32_t mac(int32_t acc, int8_t a, int8_t b) {
    return (int32_t)((uint32_t)acc + (uint32_t)((int32_t)a * (int32_t)b));
}

/* out[i] = sum_k x[k] w[i*stride + k] (and out[out_stride + i] with y), two rows at a time. */
void mote_arm_dot_rows(const int8_t *x, const int8_t *y, const int8_t *w, ptrdiff_t stride, ptrdiff_t count, ptrdiff_t rows,
                       int32_t *out, ptrdiff_t out_stride) {
    ptrdiff_t i = 0;
    for (; i + 2 <= rows; i += 2) {
        const int8_t *w0 = w + i * stride, *w1 = w0 + stride;
        int32_t a0 = 0, a1 = 0, b0 = 0, b1 = 0;
        ptrdiff_t k = 0;
        if (y) {
            for (; k + 4 <= count; k += 4) {
                uint32_t xv = load32(x + k), yv = load32(y + k), u = load32(w0 + k), v = load32(w1 + k);
                int32_t xe = even(xv), xo = odd(xv), ye = even(yv), yo = odd(yv);
                int32_t ue = even(u), uo = odd(u), ve = even(v), vo = odd(v);
                a0 = __smlad(xo, uo, __smlad(xe, ue, a0));
                a1 = __smlad(xo, vo, __smlad(xe, ve, a1));
                b0 = __smlad(yo, uo, __smlad(ye, ue, b0));
                b1 = __smlad(yo, vo, __smlad(ye, ve, b1));
            }
            for (; k < count; k++) {
                a0 = mac(a0, x[k], w0[k]);
                a1 = mac(a1, x[k], w1[k]);
                b0 = mac(b0, y[k], w0[k]);
                b1 = mac(b1, y[k], w1[k]);
            }
            out[out_stride + i] = b0;
            out[out_stride + i + 1] = b1;
        } else {
            for (; k + 4 <= count; k += 4) {
                uint32_t xv = load32(x + k), u = load32(w0 + k), v = load32(w1 + k);
                int32_t xe = even(xv), xo = odd(xv);
                a0 = __smlad(xo, odd(u), __smlad(xe, even(u), a0));
                a1 = __smlad(xo, odd(v), __smlad(xe, even(v), a1));
            }
            for (; k < count; k++) {
                a0 = mac(a0, x[k], w0[k]);
                a1 = mac(a1, x[k], w1[k]);
            }
        }
        out[i] = a0;
        out[i + 1] = a1;
    }
    for (; i < rows; i++) {
        const int8_t *w0 = w + i * stride;
        int32_t a0 = 0, b0 = 0;
        ptrdiff_t k = 0;
        for (; k + 4 <= count; k += 4) {
            uint32_t xv = load32(x + k), u = load32(w0 + k);
            int32_t ue = even(u), uo = odd(u);
            a0 = __smlad(odd(xv), uo, __smlad(even(xv), ue, a0));
            if (y) {
                uint32_t yv = load32(y + k);
                b0 = __smlad(odd(yv), uo, __smlad(even(yv), ue, b0));
            }
        }
        for (; k < count; k++) {
            a0 = mac(a0, x[k], w0[k]);
            if (y) b0 = mac(b0, y[k], w0[k]);
        }
        out[i] = a0;
        if (y) out[out_stride + i] = b0;
    }
}

/*
 * Four pixels against `width` lanes of a repacked filter (panel[k * width + j]), two lanes at
 * a time: 8 accumulators. Window bytes go four at a time: one word per pixel gives the pairs
 * (k, k+2) and (k+1, k+3); the weights of lanes j, j+1 at rows k and k+2 are two halfwords
 * merged into one word, whose even/odd halves are (w[k][j], w[k+2][j]), (w[k][j+1], w[k+2][j+1]).
 */
void mote_arm_panel4(const int8_t *base, ptrdiff_t pixel_stride, ptrdiff_t row_stride, ptrdiff_t rows, ptrdiff_t run,
                     const int8_t *panel, ptrdiff_t width, int32_t *acc, ptrdiff_t acc_stride) {
    for (ptrdiff_t j = 0; j < width; j += 2) {
        int32_t a00 = 0, a01 = 0, a10 = 0, a11 = 0, a20 = 0, a21 = 0, a30 = 0, a31 = 0;
        const int8_t *wk = panel + j;
        for (ptrdiff_t r = 0; r < rows; r++) {
            const int8_t *s = base + r * row_stride;
            ptrdiff_t i = 0;
            for (; i + 4 <= run; i += 4) {
                uint32_t wa = load16(wk) | (load16(wk + 2 * width) << 16);
                uint32_t wb = load16(wk + width) | (load16(wk + 3 * width) << 16);
                int32_t w0a = even(wa), w1a = odd(wa), w0b = even(wb), w1b = odd(wb);
                uint32_t x;
                int32_t xe, xo;
                x = load32(s + i);
                xe = even(x), xo = odd(x);
                a00 = __smlad(xo, w0b, __smlad(xe, w0a, a00));
                a01 = __smlad(xo, w1b, __smlad(xe, w1a, a01));
                x = load32(s + pixel_stride + i);
                xe = even(x), xo = odd(x);
                a10 = __smlad(xo, w0b, __smlad(xe, w0a, a10));
                a11 = __smlad(xo, w1b, __smlad(xe, w1a, a11));
                x = load32(s + 2 * pixel_stride + i);
                xe = even(x), xo = odd(x);
                a20 = __smlad(xo, w0b, __smlad(xe, w0a, a20));
                a21 = __smlad(xo, w1b, __smlad(xe, w1a, a21));
                x = load32(s + 3 * pixel_stride + i);
                xe = even(x), xo = odd(x);
                a30 = __smlad(xo, w0b, __smlad(xe, w0a, a30));
                a31 = __smlad(xo, w1b, __smlad(xe, w1a, a31));
                wk += 4 * width;
            }
            for (; i < run; i++) {
                int8_t w0 = wk[0], w1 = wk[1];
                int8_t x0 = s[i], x1 = s[pixel_stride + i], x2 = s[2 * pixel_stride + i], x3 = s[3 * pixel_stride + i];
                a00 = mac(a00, x0, w0), a01 = mac(a01, x0, w1);
                a10 = mac(a10, x1, w0), a11 = mac(a11, x1, w1);
                a20 = mac(a20, x2, w0), a21 = mac(a21, x2, w1);
                a30 = mac(a30, x3, w0), a31 = mac(a31, x3, w1);
                wk += width;
            }
        }
        acc[j] = a00, acc[j + 1] = a01;
        acc[acc_stride + j] = a10, acc[acc_stride + j + 1] = a11;
        acc[2 * acc_stride + j] = a20, acc[2 * acc_stride + j + 1] = a21;
        acc[3 * acc_stride + j] = a30, acc[3 * acc_stride + j + 1] = a31;
    }
}

/*
 * Depthwise kernels: four adjacent output bytes (four channels) per step. One word of input
 * and one of weights per tap; SMLABB/SMLATT multiply the even and odd halves of their SXTB16
 * forms into four separate accumulators (a depthwise output sums over taps, not channels).
 */
static inline void tap4(const int8_t *x, const int8_t *w, int32_t *a0, int32_t *a1, int32_t *a2, int32_t *a3) {
    const uint32_t xv = load32(x), wv = load32(w);
    const int32_t xe = even(xv), xo = odd(xv), we = even(wv), wo = odd(wv);
    *a0 = __smlabb(xe, we, *a0);
    *a2 = __smlatt(xe, we, *a2);
    *a1 = __smlabb(xo, wo, *a1);
    *a3 = __smlatt(xo, wo, *a3);
}

/* Stride 1, multiplier 1, taps inside the image: acc[i] = sum over taps of
   table[tap * (channels + 16) + (start + i) % channels] * input[ky * row_stride + kx * tap_stride + i].
   The table repeats each tap's first 16 weights, so four weights from any channel are contiguous. */
void mote_arm_dw_run(const int8_t *input, ptrdiff_t row_stride, ptrdiff_t tap_stride, ptrdiff_t filter_height,
                     ptrdiff_t filter_width, const int8_t *table, ptrdiff_t channels, ptrdiff_t start, ptrdiff_t count,
                     int32_t *acc) {
    const ptrdiff_t wstride = channels + 16;
    ptrdiff_t c = start % channels, i = 0;
    for (; i + 4 <= count; i += 4) {
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        const int8_t *w = table + c, *row = input + i;
        for (ptrdiff_t ky = 0; ky < filter_height; ky++, row += row_stride) {
            const int8_t *x = row;
            for (ptrdiff_t kx = 0; kx < filter_width; kx++, x += tap_stride, w += wstride) tap4(x, w, &a0, &a1, &a2, &a3);
        }
        acc[i] = a0, acc[i + 1] = a1, acc[i + 2] = a2, acc[i + 3] = a3;
        c += 4;
        while (c >= channels) c -= channels;
    }
    for (; i < count; i++) {
        int32_t a = 0;
        const int8_t *w = table + c, *row = input + i;
        for (ptrdiff_t ky = 0; ky < filter_height; ky++, row += row_stride) {
            const int8_t *x = row;
            for (ptrdiff_t kx = 0; kx < filter_width; kx++, x += tap_stride, w += wstride) a = mac(a, *x, *w);
        }
        acc[i] = a;
        if (++c == channels) c = 0;
    }
}

enum { MAX_TAPS = 64 };

/* One output pixel, window origin (origin_y, origin_x) possibly outside the image:
   acc[c] = sum over taps of filter[tap * channels + c] * x_tap[c / multiplier], x_tap the tap's
   input pixel, or pad_row outside the image. */
void mote_arm_dw_pixel(const int8_t *image, ptrdiff_t input_height, ptrdiff_t input_width, ptrdiff_t input_depth,
                       ptrdiff_t origin_y, ptrdiff_t origin_x, ptrdiff_t dilation_h, ptrdiff_t dilation_w, const int8_t *filter,
                       ptrdiff_t filter_height, ptrdiff_t filter_width, ptrdiff_t channels, ptrdiff_t multiplier,
                       const int8_t *pad_row, int32_t *acc) {
    const ptrdiff_t taps = filter_height * filter_width;
    const int8_t *pixel[MAX_TAPS];
    const int direct = taps <= MAX_TAPS;
    for (ptrdiff_t t = 0; direct && t < taps; t++) {
        const ptrdiff_t iy = origin_y + (t / filter_width) * dilation_h, ix = origin_x + (t % filter_width) * dilation_w;
        pixel[t] = iy >= 0 && iy < input_height && ix >= 0 && ix < input_width ? image + (iy * input_width + ix) * input_depth : pad_row;
    }
    ptrdiff_t c = 0;
    if (direct && multiplier == 1) {
        for (; c + 4 <= channels; c += 4) {
            int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
            const int8_t *w = filter + c;
            for (ptrdiff_t t = 0; t < taps; t++, w += channels) tap4(pixel[t] + c, w, &a0, &a1, &a2, &a3);
            acc[c] = a0, acc[c + 1] = a1, acc[c + 2] = a2, acc[c + 3] = a3;
        }
    }
    for (; c < channels; c++) {
        int32_t a = 0;
        const ptrdiff_t xc = c / multiplier;
        for (ptrdiff_t t = 0; t < taps; t++) {
            const int8_t *x;
            if (direct) {
                x = pixel[t];
            } else {
                const ptrdiff_t iy = origin_y + (t / filter_width) * dilation_h, ix = origin_x + (t % filter_width) * dilation_w;
                x = iy >= 0 && iy < input_height && ix >= 0 && ix < input_width ? image + (iy * input_width + ix) * input_depth : pad_row;
            }
            a = mac(a, x[xc], filter[t * channels + c]);
        }
        acc[c] = a;
    }
}

/*
 * RequantizationLanes' formula over `rows` rows of `count` channels, channel by channel so that
 * a channel's six parameters are loaded once for all rows (the rows are a batch of pixels):
 * x = (int32)((acc + folded_bias) << left_shift) wrapping, p = x * multiplier (SMULL),
 * t = (p + rounding - (p < -2^30 ? negative : 0)) >> right_shift, then (int32)(t + offset)
 * clamped to the activation range. |x| <= 2^31 and |multiplier| < 2^31 keep p and the sums
 * inside int64; shifts are taken modulo the width as Swift's &<< and &>> take them.
 */
void mote_arm_requantize(const int32_t *acc, ptrdiff_t acc_stride, ptrdiff_t rows, ptrdiff_t count, int8_t *out,
                         ptrdiff_t out_stride, const int64_t *rounding, const int64_t *negative, const int64_t *right_shift,
                         const int32_t *multipliers, const int32_t *left_shift, const int32_t *folded_bias, int32_t output_offset,
                         int32_t activation_min, int32_t activation_max) {
    if (rows == 1) {
        /* One pixel (depthwise, fully connected): channel after channel, no row loop. */
#pragma clang loop unroll(disable)
        for (ptrdiff_t c = 0; c < count; c++) {
            const int32_t x = (int32_t)(((uint32_t)acc[c] + (uint32_t)folded_bias[c]) << ((uint32_t)left_shift[c] & 31));
            const int64_t p = (int64_t)x * multipliers[c];
            const int64_t t = (p + rounding[c] - (p < -((int64_t)1 << 30) ? negative[c] : 0)) >> ((unsigned)right_shift[c] & 63);
            int32_t v = (int32_t)(uint32_t)((uint64_t)t + (uint64_t)(int64_t)output_offset);
            v = v < activation_min ? activation_min : v;
            v = v > activation_max ? activation_max : v;
            out[c] = (int8_t)v;
        }
        return;
    }
    for (ptrdiff_t c = 0; c < count; c++) {
        const uint32_t bias = (uint32_t)folded_bias[c], left = (uint32_t)left_shift[c] & 31;
        const int64_t mult = multipliers[c], round = rounding[c], neg = negative[c];
        const unsigned right = (unsigned)right_shift[c] & 63;
        const int32_t *a = acc + c;
        int8_t *o = out + c;
        if (right >= 32) {
            /* The usual case (multiplier below 1): an arithmetic shift by 32 + k is the high
               word shifted by k, so after the 64-bit sum only one register is shifted. */
            const int64_t round_below = round - neg;
            const unsigned k = right - 32;
#pragma clang loop unroll(disable)
            for (ptrdiff_t r = 0; r < rows; r++, a += acc_stride, o += out_stride) {
                const int32_t x = (int32_t)(((uint32_t)*a + bias) << left);
                const int64_t p = (int64_t)x * mult;
                const int64_t q = p + (p < -((int64_t)1 << 30) ? round_below : round);
                int32_t v = (int32_t)((uint32_t)((int32_t)(q >> 32) >> k) + (uint32_t)output_offset);
                v = v < activation_min ? activation_min : v;
                v = v > activation_max ? activation_max : v;
                *o = (int8_t)v;
            }
            continue;
        }
#pragma clang loop unroll(disable)
        for (ptrdiff_t r = 0; r < rows; r++, a += acc_stride, o += out_stride) {
            const int32_t x = (int32_t)(((uint32_t)*a + bias) << left);
            const int64_t p = (int64_t)x * mult;
            const int64_t t = (p + round - (p < -((int64_t)1 << 30) ? neg : 0)) >> right;
            int32_t v = (int32_t)(uint32_t)((uint64_t)t + (uint64_t)(int64_t)output_offset);
            v = v < activation_min ? activation_min : v;
            v = v > activation_max ? activation_max : v;
            *o = (int8_t)v;
        }
    }
}

#endif
