// A safe wrapper over libjpeg: libjpeg's fatal errors jump back (setjmp/longjmp) and become a
// status code plus message instead of exit(). Only plain C types cross this header, so Swift
// code never sees libjpeg's structs.
#ifndef MOTE_JPEG_H
#define MOTE_JPEG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Status codes of mote_jpeg_decode / mote_jpeg_encode.
enum {
    MOTE_JPEG_OK = 0,
    MOTE_JPEG_ERROR = 1,        ///< libjpeg reported a fatal error; the message says which
    MOTE_JPEG_TRUNCATED = 2,    ///< the data ended before the image was complete
    MOTE_JPEG_TOO_LARGE = 3,    ///< width * height above the caller's pixel limit
    MOTE_JPEG_NO_MEMORY = 4,
    MOTE_JPEG_BAD_ARGUMENT = 5,
};

/// Colour spaces of the decoder's output and the encoder's input.
enum {
    MOTE_JPEG_GRAY = 1,   ///< 1 sample per pixel
    MOTE_JPEG_RGB = 3,    ///< 3 samples per pixel
    MOTE_JPEG_CMYK = 4,   ///< 4 samples per pixel, as stored in the file (no inversion)
};

/// What mote_jpeg_decode found and produced.
typedef struct {
    int width;
    int height;
    int components;       ///< samples per output pixel: 1 (gray), 3 (RGB) or 4 (CMYK)
    int adobe_marker;     ///< 1 when the file has an Adobe APP14 marker (CMYK is then stored inverted)
    int progressive;      ///< 1 for a progressive (multi-scan) file
    int warnings;         ///< libjpeg warnings (corrupt but decodable data) tolerated
    char message[200];    ///< the error text when the status is not MOTE_JPEG_OK
} mote_jpeg_result;

/// Decodes a JPEG held in memory with libjpeg's defaults (islow IDCT, fancy upsampling), as
/// Pillow does. The output is GRAY for 1-component files, RGB for YCbCr/RGB files and CMYK for
/// 4-component (CMYK or YCCK) files. On success *pixels holds width*height*components bytes,
/// row-major, allocated with malloc (free it with mote_jpeg_free). Never exits or aborts.
int mote_jpeg_decode(const unsigned char *data, size_t size, long max_pixels,
                     unsigned char **pixels, mote_jpeg_result *result);

/// Options of mote_jpeg_encode for 4-component (CMYK) input.
enum {
    MOTE_JPEG_CMYK_ADOBE = 0,     ///< stored as CMYK with libjpeg's Adobe marker (transform 0)
    MOTE_JPEG_CMYK_PLAIN = 1,     ///< stored as CMYK without an Adobe marker
    MOTE_JPEG_CMYK_YCCK = 2,      ///< converted to YCCK, with the Adobe marker (transform 2)
};

/// Compresses width*height pixels of `components` samples each (GRAY, RGB or CMYK) into a
/// baseline or progressive JPEG of the given quality (1...100); `cmyk_mode` says how CMYK is
/// stored (ignored otherwise). On success *out / *out_size hold the file (free with mote_jpeg_free).
int mote_jpeg_encode(const unsigned char *pixels, int width, int height, int components,
                     int quality, int progressive, int cmyk_mode, unsigned char **out, size_t *out_size,
                     char *message, size_t message_capacity);

void mote_jpeg_free(void *pointer);

#ifdef __cplusplus
}
#endif

#endif
