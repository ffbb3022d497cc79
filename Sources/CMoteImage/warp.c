#include "mote_image.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2")))

int mote_image_has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? 1 : 0;
}

// One output pixel, the same float operations as the Swift loop.
AVX2 static inline void pixel(const uint8_t *src, ptrdiff_t height, ptrdiff_t width, ptrdiff_t channels, float y, float x,
                              float scale, float offset, float *o) {
    const float max_row = (float)(height - 1), max_col = (float)(width - 1);
    float yc = y > -1.0f ? y : -1.0f;
    yc = yc < max_row + 1.0f ? yc : max_row + 1.0f;
    float xc = x > -1.0f ? x : -1.0f;
    xc = xc < max_col + 1.0f ? xc : max_col + 1.0f;
    int yi = (int)(yc + 1.0f) - 1, xi = (int)(xc + 1.0f) - 1;
    float fy = yc - (float)yi, fx = xc - (float)xi;
    ptrdiff_t last_row = height - 1, last_col = width - 1, stride = width * channels;
    ptrdiff_t r0 = yi < 0 ? 0 : (yi > last_row ? last_row : yi), r1 = yi + 1 > last_row ? last_row : (yi + 1 < 0 ? 0 : yi + 1);
    ptrdiff_t c0 = xi < 0 ? 0 : (xi > last_col ? last_col : xi), c1 = xi + 1 > last_col ? last_col : (xi + 1 < 0 ? 0 : xi + 1);
    const uint8_t *p00 = src + r0 * stride + c0 * channels, *p01 = src + r0 * stride + c1 * channels;
    const uint8_t *p10 = src + r1 * stride + c0 * channels, *p11 = src + r1 * stride + c1 * channels;
    float gy = 1.0f - fy, gx = 1.0f - fx;
    for (ptrdiff_t k = 0; k < channels; k++) {
        float top = gx * (float)p00[k] + fx * (float)p01[k];
        float bottom = gx * (float)p10[k] + fx * (float)p11[k];
        o[k] = (gy * top + fy * bottom) * scale + offset;
    }
}

AVX2 void mote_warp_bilinear_avx2(const uint8_t *src, ptrdiff_t height, ptrdiff_t width, ptrdiff_t channels,
                                  const double *m, float scale, float offset, float *out) {
    const float dr = (float)m[1], dc = (float)m[3];
    const __m256 minus1 = _mm256_set1_ps(-1.0f), one = _mm256_set1_ps(1.0f);
    const __m256 row_hi = _mm256_set1_ps((float)(height - 1) + 1.0f), col_hi = _mm256_set1_ps((float)(width - 1) + 1.0f);
    const __m256i zero = _mm256_setzero_si256(), one_i = _mm256_set1_epi32(1), mask = _mm256_set1_epi32(0xFF);
    const __m256i last_row = _mm256_set1_epi32((int)(height - 1)), last_col = _mm256_set1_epi32((int)(width - 1));
    const __m256i stride = _mm256_set1_epi32((int)(width * channels)), vchannels = _mm256_set1_epi32((int)channels);
    const __m256 vscale = _mm256_set1_ps(scale), voffset = _mm256_set1_ps(offset);
    const __m256 vdr = _mm256_set1_ps(dr), vdc = _mm256_set1_ps(dc);
    const int *base = (const int *)(const void *)src;
    for (ptrdiff_t r = 0; r < height; r++) {
        // The row start in double, as AffineMap.apply(row:col: 0) computes it.
        const float y0 = (float)(m[0] * (double)r + m[1] * 0.0 + m[4]);
        const float x0 = (float)(m[2] * (double)r + m[3] * 0.0 + m[5]);
        const __m256 vy0 = _mm256_set1_ps(y0), vx0 = _mm256_set1_ps(x0);
        float *orow = out + r * width * channels;
        ptrdiff_t c = 0;
        for (; c + 8 <= width; c += 8) {
            __m256 cf = _mm256_cvtepi32_ps(_mm256_add_epi32(_mm256_set1_epi32((int)c), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)));
            __m256 y = _mm256_add_ps(vy0, _mm256_mul_ps(cf, vdr));
            __m256 x = _mm256_add_ps(vx0, _mm256_mul_ps(cf, vdc));
            y = _mm256_min_ps(_mm256_max_ps(y, minus1), row_hi);
            x = _mm256_min_ps(_mm256_max_ps(x, minus1), col_hi);
            __m256i yi = _mm256_sub_epi32(_mm256_cvttps_epi32(_mm256_add_ps(y, one)), one_i);
            __m256i xi = _mm256_sub_epi32(_mm256_cvttps_epi32(_mm256_add_ps(x, one)), one_i);
            __m256 fy = _mm256_sub_ps(y, _mm256_cvtepi32_ps(yi)), fx = _mm256_sub_ps(x, _mm256_cvtepi32_ps(xi));
            __m256i r0 = _mm256_min_epi32(_mm256_max_epi32(yi, zero), last_row);
            __m256i r1 = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(yi, one_i), zero), last_row);
            __m256i c0 = _mm256_mullo_epi32(_mm256_min_epi32(_mm256_max_epi32(xi, zero), last_col), vchannels);
            __m256i c1 = _mm256_mullo_epi32(_mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(xi, one_i), zero), last_col), vchannels);
            r0 = _mm256_mullo_epi32(r0, stride);
            r1 = _mm256_mullo_epi32(r1, stride);
            __m256i g00 = _mm256_i32gather_epi32(base, _mm256_add_epi32(r0, c0), 1);
            __m256i g01 = _mm256_i32gather_epi32(base, _mm256_add_epi32(r0, c1), 1);
            __m256i g10 = _mm256_i32gather_epi32(base, _mm256_add_epi32(r1, c0), 1);
            __m256i g11 = _mm256_i32gather_epi32(base, _mm256_add_epi32(r1, c1), 1);
            __m256 gy = _mm256_sub_ps(one, fy), gx = _mm256_sub_ps(one, fx);
            float lanes[3][8];
            for (int k = 0; k < channels; k++) {
                __m256 a = _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srli_epi32(g00, 8 * k), mask));
                __m256 b = _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srli_epi32(g01, 8 * k), mask));
                __m256 d = _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srli_epi32(g10, 8 * k), mask));
                __m256 e = _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srli_epi32(g11, 8 * k), mask));
                __m256 top = _mm256_add_ps(_mm256_mul_ps(gx, a), _mm256_mul_ps(fx, b));
                __m256 bottom = _mm256_add_ps(_mm256_mul_ps(gx, d), _mm256_mul_ps(fx, e));
                __m256 v = _mm256_add_ps(_mm256_mul_ps(_mm256_add_ps(_mm256_mul_ps(gy, top), _mm256_mul_ps(fy, bottom)), vscale), voffset);
                _mm256_storeu_ps(lanes[k], v);
            }
            float *o = orow + c * channels;
            if (channels == 3) {
                for (int j = 0; j < 8; j++) {
                    o[3 * j] = lanes[0][j];
                    o[3 * j + 1] = lanes[1][j];
                    o[3 * j + 2] = lanes[2][j];
                }
            } else {
                for (int j = 0; j < 8; j++) o[j] = lanes[0][j];
            }
        }
        for (; c < width; c++) {
            pixel(src, height, width, channels, y0 + (float)c * dr, x0 + (float)c * dc, scale, offset, orow + c * channels);
        }
    }
}

#else
int mote_image_has_avx2(void) { return 0; }
void mote_warp_bilinear_avx2(const uint8_t *src, ptrdiff_t height, ptrdiff_t width, ptrdiff_t channels,
                             const double *m, float scale, float offset, float *out) {
    (void)src; (void)height; (void)width; (void)channels; (void)m; (void)scale; (void)offset; (void)out;
}
#endif
