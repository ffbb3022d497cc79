// x86-64 AVX2 version of MoteImage's bilinear warp (AffineWarp.warpBilinear3 / warpBilinear),
// selected at run time. It computes exactly what the Swift loop computes, operation for
// operation in float (no fused multiply-add), so both give identical floats; the test
// Tests/MoteImageTests/AugmentationTests.swift checks them against each other.
#ifndef MOTE_IMAGE_H
#define MOTE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when this CPU runs mote_warp_bilinear_avx2, else 0.
int mote_image_has_avx2(void);

/// Warps a height x width x channels image (channels 1 or 3) through the affine map
/// row = m[0]*r + m[1]*c + m[4], col = m[2]*r + m[3]*c + m[5] (output pixel (r, c)) with bilinear
/// taps clamped to the image, writing (value * scale + offset) as height*width*channels floats.
/// `src` must be readable for height*width*channels + 3 bytes (4-byte loads of the last pixel).
void mote_warp_bilinear_avx2(const uint8_t *src, ptrdiff_t height, ptrdiff_t width, ptrdiff_t channels,
                             const double *m, float scale, float offset, float *out);

#ifdef __cplusplus
}
#endif

#endif
