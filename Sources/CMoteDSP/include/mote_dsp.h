// x86-64 SIMD versions of MoteCore's int8 inner loops, selected at run time.
//
// Every function computes exactly what the portable Swift loop of the same name computes
// (ConvKernels / DepthwiseConv2DOptimized / RequantizationLanes in MoteCore): the int32 sums
// wrap modulo 2^32 identically and requantization rounds identically, so the bytes that come
// out of a model do not depend on the variant. Each variant is tested byte for byte against
// the Swift loops (Tests/MoteCoreTests/KernelTableTests.swift).
//
// The signatures use only pointers and ptrdiff_t so that MoteCore, which imports nothing,
// can declare the same function types (KernelTable.swift) and call them through pointers.
#ifndef MOTE_DSP_H
#define MOTE_DSP_H

#include <stddef.h>
#include <stdint.h>

#pragma clang assume_nonnull begin

#ifdef __cplusplus
extern "C" {
#endif

/// out[i] = sum over k < count of x[k] * w[i * stride + k] for i < rows, and, when y is not
/// NULL, out[out_stride + i] = the same with y. Sums wrap modulo 2^32.
typedef void (*mote_dot_rows_fn)(const int8_t *x, const int8_t *_Nullable y, const int8_t *w, ptrdiff_t stride,
                                 ptrdiff_t count, ptrdiff_t rows, int32_t *out, ptrdiff_t out_stride);

/// Four pixels times one chunk of `width` (16 or 32) output channels of a repacked filter
/// (`panel[k * width + j]` for window byte k): pixel p's window is `rows` runs of `run` bytes at
/// base + p * pixel_stride + r * row_stride, window byte k = r * run + i;
/// acc[p * acc_stride + j] = sum over k of window_p[k] * panel[k * width + j].
typedef void (*mote_panel4_fn)(const int8_t *base, ptrdiff_t pixel_stride, ptrdiff_t row_stride, ptrdiff_t rows, ptrdiff_t run,
                               const int8_t *panel, ptrdiff_t width, int32_t *acc, ptrdiff_t acc_stride);

/// Longest window (rows * run bytes) a variant with panel_pack is given.
#define MOTE_PANEL_PACK_WINDOW 2048

/// Packs an OHWI filter (`output_depth` rows of `k` bytes, k <= MOTE_PANEL_PACK_WINDOW) for
/// the same variant's panel4, in chunks of 16 or 32 lanes as Conv2DOptimized.pack, each of
/// width * (((k + 3) & ~3) + 4) bytes (the variant's own order inside a chunk, which may keep
/// derived values such as the lanes' weight sums in the last 4 rows); panel4 then takes
/// `panel` at each chunk.
typedef void (*mote_panel_pack_fn)(const int8_t *filter, ptrdiff_t k, ptrdiff_t output_depth, int8_t *panel);

/// `pixels` pixels (>= 1) times every output channel of a panel_pack filter: pixel p's window
/// is `rows` runs of `run` bytes at base + p * pixel_stride + r * row_stride, and
/// acc[p * acc_stride + j] = sum over k of window_p[k] * w_j[k] for j < output_depth, the
/// chunks as panel4 takes them (chunk lanes past output_depth, up to the chunk's 16 or 32, are
/// written with unspecified values). Reads only the pixels' windows.
typedef void (*mote_panel_run_fn)(const int8_t *base, ptrdiff_t pixel_stride, ptrdiff_t row_stride, ptrdiff_t rows,
                                  ptrdiff_t run, ptrdiff_t pixels, const int8_t *panel, ptrdiff_t output_depth, int32_t *acc,
                                  ptrdiff_t acc_stride);
/// panel_run's sums requantized with mote_requantize_fn's formula (channel c's constants at
/// index c), written as bytes: out[p * out_stride + j] for p < pixels, j < output_depth. The
/// pixels may span several output rows of `cols` pixels: pixel p's window starts at
/// base + (p / cols) * y_step + (p % cols) * pixel_stride (cols = pixels for one run).
typedef void (*mote_panel_run_requantize_fn)(const int8_t *base, ptrdiff_t pixel_stride, ptrdiff_t row_stride, ptrdiff_t rows,
                                             ptrdiff_t run, ptrdiff_t pixels, ptrdiff_t cols, ptrdiff_t y_step,
                                             const int8_t *panel, ptrdiff_t output_depth,
                                             int8_t *out, ptrdiff_t out_stride, const int64_t *rounding,
                                             const int64_t *negative, const int64_t *right_shift, const int32_t *multipliers,
                                             const int32_t *left_shift, const int32_t *folded_bias, int32_t output_offset,
                                             int32_t activation_min, int32_t activation_max);
/// Widest run of input bytes one strip reads per filter row: (15 * stride_w + (filter_width - 1)
/// * dilation_w + 1) * depth <= MOTE_STRIP_SPAN (see strip_image).
#define MOTE_STRIP_SPAN 128
/// Most 4-byte groups of a strip filter's window: ceil(filter_height * filter_width * depth / 4).
#define MOTE_STRIP_MAX_GROUPS 64
/// Packs an OHWI filter (output_depth x filter_height x filter_width x depth) for strip_image:
/// (G + 1) * dp int32 words, G = ceil(filter_height * filter_width * depth / 4) and dp =
/// output_depth rounded up to a multiple of 8.
typedef void (*mote_strip_pack_fn)(const int8_t *filter, ptrdiff_t filter_height, ptrdiff_t filter_width, ptrdiff_t depth,
                                   ptrdiff_t output_depth, int32_t *packed);
/// A convolution (no groups) of one image, requantized: output pixel (oy, ox)'s window starts
/// at input row oy * stride_h - pad_top and column ox * stride_w - pad_left (taps outside the
/// image read `pad_value`, the input zero point); out[(oy * output_width + ox) * output_depth
/// + c] for c < output_depth = the requantization (mote_requantize_fn's formula with channel
/// c's constants) of sum over taps (ky, kx, d) of filter[c][ky][kx][d] * x, x the byte at input
/// row origin + ky * dilation_h, column ox * stride_w - pad_left + kx * dilation_w, channel d.
/// `packed` is strip_pack's form of the filter; the shape must satisfy MOTE_STRIP_SPAN and
/// MOTE_STRIP_MAX_GROUPS, and filter_width * depth >= 3. Reads only bytes of `image`
/// (input_height x input_width x depth).
typedef void (*mote_strip_image_fn)(const int8_t *image, ptrdiff_t input_height, ptrdiff_t input_width, ptrdiff_t depth,
                                    ptrdiff_t output_height, ptrdiff_t output_width, ptrdiff_t stride_h, ptrdiff_t stride_w,
                                    ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t dilation_h, ptrdiff_t dilation_w,
                                    ptrdiff_t filter_height, ptrdiff_t filter_width, const int32_t *packed,
                                    ptrdiff_t output_depth, int32_t pad_value, int8_t *out, const int64_t *rounding,
                                    const int64_t *negative, const int64_t *right_shift, const int32_t *multipliers,
                                    const int32_t *left_shift, const int32_t *folded_bias, int32_t output_offset,
                                    int32_t activation_min, int32_t activation_max);
/// Depthwise, stride 1, multiplier 1, a run of output bytes whose taps are all inside the image:
/// for i < count, with o = start + i,
/// acc[i] = sum over ky < filter_height, kx < filter_width of
///          table[(ky * filter_width + kx) * (channels + 16) + o % channels]
///          * input[ky * row_stride + kx * tap_stride + i].
/// `table` repeats each tap's first 16 weights after its `channels` weights.
typedef void (*mote_dw_run_fn)(const int8_t *input, ptrdiff_t row_stride, ptrdiff_t tap_stride, ptrdiff_t filter_height,
                               ptrdiff_t filter_width, const int8_t *table, ptrdiff_t channels, ptrdiff_t start,
                               ptrdiff_t count, int32_t *acc);

/// Depthwise, one output pixel whose window starts at input row origin_y, column origin_x
/// (possibly outside the image): acc[c] for c < channels (= input_depth * multiplier) is
/// sum over taps (ky, kx) of filter[(ky * filter_width + kx) * channels + c] * x[c / multiplier],
/// where x is the input pixel (origin_y + ky * dilation_h, origin_x + kx * dilation_w) of `image`
/// (NHWC, input_height x input_width x input_depth) when it is inside, else `pad_row`.
typedef void (*mote_dw_pixel_fn)(const int8_t *image, ptrdiff_t input_height, ptrdiff_t input_width, ptrdiff_t input_depth,
                                 ptrdiff_t origin_y, ptrdiff_t origin_x, ptrdiff_t dilation_h, ptrdiff_t dilation_w,
                                 const int8_t *filter, ptrdiff_t filter_height, ptrdiff_t filter_width, ptrdiff_t channels,
                                 ptrdiff_t multiplier, const int8_t *pad_row, int32_t *acc);

/// Largest filter (filter_height * filter_width taps) that dw_pack and dw_row take.
#define MOTE_DW_MAX_TAPS 64

/// Lanes of one packed depthwise weight block (see dw_pack).
#define MOTE_DW_BLOCK 32

/// Repacks a depthwise filter (multiplier 1: `taps` taps of `channels` weights, tap-major)
/// for dw_row into `(taps + 1) / 2 * ((period + 31) / 32) * 64` int16 values
/// at `packed`: the taps in pairs, each pair's weights as int16 pairs in 32-lane blocks, lane
/// l of the period taking w[tap][l % channels] (0 for l >= period or a missing odd tap), in
/// the order vpunpck{l,h}wd produces. `period` is `channels`, or 32 when channels divides 32
/// (the lanes repeat the channels, as a run of several pixels needs).
typedef void (*mote_dw_pack_fn)(const int8_t *filter, ptrdiff_t taps, ptrdiff_t channels, ptrdiff_t period, int16_t *packed);

/// Depthwise, multiplier 1, one output row of `count` pixels: pixel ox's window starts at input
/// row origin_y and column ox * stride_w - pad_left (possibly outside the image), and
/// acc[ox * channels + c] = sum over taps (ky, kx) of filter[(ky * filter_width + kx) * channels + c]
/// * x[c], x the input pixel (origin_y + ky * dilation_h, ox * stride_w - pad_left + kx * dilation_w)
/// of `image` (NHWC, input_height x input_width x channels) when inside, else `pad_row`
/// (`channels` bytes). Columns col_lo <= ox < col_hi have every tap inside the image
/// horizontally (the caller's promise; it matters only when every filter row is inside too):
/// those are read in place at a fixed offset per pixel. `packed` is dw_pack's form of the
/// filter, period as there.
typedef void (*mote_dw_row_fn)(const int8_t *image, ptrdiff_t input_height, ptrdiff_t input_width, ptrdiff_t channels,
                               ptrdiff_t origin_y, ptrdiff_t stride_w, ptrdiff_t pad_left, ptrdiff_t dilation_h,
                               ptrdiff_t dilation_w, const int16_t *packed, ptrdiff_t filter_height, ptrdiff_t filter_width,
                               const int8_t *pad_row, ptrdiff_t count, ptrdiff_t col_lo, ptrdiff_t col_hi, int32_t *acc);

/// Depthwise, multiplier 1, one whole image, requantized: the output_height x output_width x
/// channels bytes `out`, output pixel (oy, ox)'s window starting at input row
/// oy * stride_h - pad_top and column ox * stride_w - pad_left, out[(oy * output_width + ox) *
/// channels + c] = the requantization (mote_requantize_fn's formula with channel c's
/// constants) of dw_row's sum for that pixel, taps outside the image reading `pad_value` (the
/// input zero point). `filter` is taps x channels, at most MOTE_DW_MAX_TAPS taps. `work` is
/// scratch of work_bytes bytes; the function needs S * W * channels of them, S =
/// (filter_height - 1) * dilation_h + 2 (at most 16) and W = max((output_width - 1) *
/// stride_w + (filter_width - 1) * dilation_w + 1, pad_left + input_width). Returns 1 when done;
/// 0, having written nothing, for shapes it does not take (below 64 channels: channels not
/// dividing 64, or stride_w above 1 with more than 16 channels, or above 2; from 64: channels
/// not a multiple of 64 or fewer than 16 output pixels), too little work, or an output offset
/// within -128...128 with some channels' right shifts within 32...53 and others outside: the
/// caller then uses dw_row and requantize.
typedef ptrdiff_t (*mote_dw_image_fn)(const int8_t *image, ptrdiff_t input_height, ptrdiff_t input_width, ptrdiff_t channels,
                                      ptrdiff_t output_height, ptrdiff_t output_width, ptrdiff_t stride_h, ptrdiff_t stride_w,
                                      ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t dilation_h, ptrdiff_t dilation_w,
                                      const int8_t *filter, ptrdiff_t filter_height, ptrdiff_t filter_width, int32_t pad_value,
                                      int8_t *work, ptrdiff_t work_bytes, int8_t *out, const int64_t *rounding,
                                      const int64_t *negative, const int64_t *right_shift, const int32_t *multipliers,
                                      const int32_t *left_shift, const int32_t *folded_bias, int32_t output_offset,
                                      int32_t activation_min, int32_t activation_max);

/// The requantization lanes of `n` channels (MoteCore's ChannelRequantization.lanes), from
/// each channel's multiplier m and exponent s (-31...30): wide = m as int64 and, for single
/// rounding (`single` = 1), rounding = 2^(30 - s), negative = 0, right = 31 - s, left = 0; for
/// double rounding, with r = max(-s, 0) and e = 1 if r > 0 else 0: rounding = 2^30 + e * 2^(30 + r),
/// negative = e * 2^31, right = 31 + r, left = max(s, 0).
typedef void (*mote_requant_lanes_fn)(const int32_t *multipliers, const int8_t *shifts, ptrdiff_t n, ptrdiff_t single,
                                      int64_t *rounding, int64_t *negative, int64_t *right_shift, int64_t *wide_multipliers,
                                      int32_t *left_shift);

/// Requantizes `rows` rows of `count` accumulators (row r at acc + r * acc_stride, written to
/// out + r * out_stride), channel c with RequantizationLanes' formula:
/// x = (int32)((acc + folded_bias[c]) << left_shift[c]) (wrapping), p = x * multipliers[c] (64-bit),
/// t = (p + rounding[c] - (p < -2^30 ? negative[c] : 0)) >> right_shift[c] (arithmetic),
/// out = clamp((int32)(t + output_offset) (wrapping), activation_min, activation_max).
typedef void (*mote_requantize_fn)(const int32_t *acc, ptrdiff_t acc_stride, ptrdiff_t rows, ptrdiff_t count, int8_t *out,
                                   ptrdiff_t out_stride, const int64_t *rounding, const int64_t *negative,
                                   const int64_t *right_shift, const int32_t *multipliers, const int32_t *left_shift,
                                   const int32_t *folded_bias, int32_t output_offset, int32_t activation_min,
                                   int32_t activation_max);

/// Pooling over one run of `pixels` output pixels whose windows are rows x columns cells
/// (both >= 1): for i < pixels, k < channels, out[i * channels + k] pools
/// src[i * pixel_stride + y * row_stride + x * channels + k] over y < rows, x < columns,
/// then clamps to activation_min..activation_max. max_pool takes the maximum; average_pool
/// the sum s (wrapping int32) divided by n = rows * columns, rounded half away from zero:
/// (s > 0 ? s + n / 2 : s - n / 2) / n in C division (the int32 add wrapping).
typedef void (*mote_pool_fn)(const int8_t *src, ptrdiff_t row_stride, ptrdiff_t pixel_stride, ptrdiff_t rows, ptrdiff_t columns,
                             ptrdiff_t channels, ptrdiff_t pixels, int8_t *out, int32_t activation_min, int32_t activation_max);

/// One variant's functions. Every pointer is set except dw_pack and dw_row,
/// which are NULL where the variant has none (then the callers use dw_run and dw_pixel),
/// panel_pack, NULL where panel4 reads Conv2DOptimized.pack's layout, panel_run and
/// panel_run_requantize, NULL where the callers loop over panel4 themselves, and strip_pack /
/// strip_image, NULL where the variant has no strip form, and dw_image, NULL where the
/// callers use dw_row and requantize.
typedef struct {
    const char *name;
    mote_dot_rows_fn dot_rows;
    mote_panel4_fn panel4;
    mote_dw_run_fn dw_run;
    mote_dw_pixel_fn dw_pixel;
    mote_requantize_fn requantize;
    mote_pool_fn max_pool;
    mote_pool_fn average_pool;
    mote_dw_pack_fn _Nullable dw_pack;
    mote_dw_row_fn _Nullable dw_row;
    mote_panel_pack_fn _Nullable panel_pack;
    mote_panel_run_fn _Nullable panel_run;
    mote_strip_pack_fn _Nullable strip_pack;
    mote_strip_image_fn _Nullable strip_image;
    mote_panel_run_requantize_fn _Nullable panel_run_requantize;
    mote_dw_image_fn _Nullable dw_image;
    mote_requant_lanes_fn requant_lanes;
} mote_dsp_kernels;

/// Variant numbers, best first.
enum {
    /// AVX-512 F/BW/VL/DQ + VNNI (vpdpbusd) + VBMI (vpermb): Ice Lake, Zen 4 and later.
    MOTE_DSP_AVX512VNNI = 0,
    /// AVX2 (vpmaddwd): Haswell, Zen 1 and later.
    MOTE_DSP_AVX2 = 1,
    MOTE_DSP_VARIANTS = 2
};

/// The variant `variant` if this CPU (and this build: x86-64 only) can run it, else NULL.
const mote_dsp_kernels *_Nullable mote_dsp_variant(int variant);

/// The best variant this CPU runs, NULL for none (use the portable loops). The environment
/// variable MOTE_KERNELS caps the choice: "portable" gives NULL, "avx2" at most AVX2,
/// "avx512vnni" (or unset, or anything else) the best available.
const mote_dsp_kernels *_Nullable mote_dsp_select(void);

#ifdef __cplusplus
}
#endif

#pragma clang assume_nonnull end

#endif
