#include "mote_jpeg.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

// libjpeg's default error_exit calls exit(); this manager jumps back to the caller instead.
typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    int warnings;
    int truncated;
} mote_error_mgr;

static void mote_error_exit(j_common_ptr cinfo) {
    mote_error_mgr *err = (mote_error_mgr *)cinfo->err;
    longjmp(err->jump, 1);
}

// Warnings (level -1) are data problems libjpeg can decode around; the premature-end warning
// means the file is truncated, which Pillow treats as an error, so it is remembered.
static void mote_emit_message(j_common_ptr cinfo, int level) {
    mote_error_mgr *err = (mote_error_mgr *)cinfo->err;
    if (level < 0) {
        err->warnings++;
        if (err->base.msg_code == JWRN_JPEG_EOF) err->truncated = 1;
    }
}

static void mote_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void install_error_manager(mote_error_mgr *err) {
    memset(err, 0, sizeof *err);
    jpeg_std_error(&err->base);
    err->base.error_exit = mote_error_exit;
    err->base.emit_message = mote_emit_message;
    err->base.output_message = mote_output_message;
}

static void copy_message(j_common_ptr cinfo, char *message, size_t capacity) {
    char buffer[JMSG_LENGTH_MAX];
    if (capacity == 0) return;
    cinfo->err->format_message(cinfo, buffer);
    snprintf(message, capacity, "%s", buffer);
}

int mote_jpeg_decode(const unsigned char *data, size_t size, long max_pixels,
                     unsigned char **pixels, mote_jpeg_result *result) {
    struct jpeg_decompress_struct cinfo;
    mote_error_mgr err;
    // volatile: it changes between setjmp and a possible longjmp.
    unsigned char *volatile buffer = NULL;

    if (!data || !pixels || !result) return MOTE_JPEG_BAD_ARGUMENT;
    memset(result, 0, sizeof *result);
    *pixels = NULL;
    if (size == 0) {
        snprintf(result->message, sizeof result->message, "empty file");
        return MOTE_JPEG_TRUNCATED;
    }

    install_error_manager(&err);
    cinfo.err = &err.base;
    if (setjmp(err.jump)) {
        copy_message((j_common_ptr)&cinfo, result->message, sizeof result->message);
        jpeg_destroy_decompress(&cinfo);
        free(buffer);
        return MOTE_JPEG_ERROR;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_save_markers(&cinfo, JPEG_APP0 + 14, 0);  // only so saw_Adobe_marker is reported
    if (jpeg_read_header(&cinfo, TRUE) != JPEG_HEADER_OK) {
        snprintf(result->message, sizeof result->message, "no JPEG image in the data");
        jpeg_destroy_decompress(&cinfo);
        return MOTE_JPEG_ERROR;
    }
    if (err.truncated) {
        snprintf(result->message, sizeof result->message, "the JPEG header is truncated");
        jpeg_destroy_decompress(&cinfo);
        return MOTE_JPEG_TRUNCATED;
    }
    switch (cinfo.jpeg_color_space) {
        case JCS_GRAYSCALE: cinfo.out_color_space = JCS_GRAYSCALE; break;
        case JCS_CMYK:
        case JCS_YCCK: cinfo.out_color_space = JCS_CMYK; break;
        default: cinfo.out_color_space = JCS_RGB; break;
    }
    result->width = (int)cinfo.image_width;
    result->height = (int)cinfo.image_height;
    result->adobe_marker = cinfo.saw_Adobe_marker ? 1 : 0;
    result->progressive = cinfo.progressive_mode ? 1 : 0;
    if (max_pixels > 0 && (double)cinfo.image_width * (double)cinfo.image_height > (double)max_pixels) {
        snprintf(result->message, sizeof result->message, "%ux%u pixels exceed the limit of %ld",
                 cinfo.image_width, cinfo.image_height, max_pixels);
        jpeg_destroy_decompress(&cinfo);
        return MOTE_JPEG_TOO_LARGE;
    }

    jpeg_start_decompress(&cinfo);
    {
        size_t row = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
        buffer = (unsigned char *)malloc(row * cinfo.output_height);
        if (!buffer) {
            snprintf(result->message, sizeof result->message, "out of memory");
            jpeg_destroy_decompress(&cinfo);
            return MOTE_JPEG_NO_MEMORY;
        }
        while (cinfo.output_scanline < cinfo.output_height) {
            JSAMPROW rows[1];
            rows[0] = buffer + row * cinfo.output_scanline;
            jpeg_read_scanlines(&cinfo, rows, 1);
            if (err.truncated) break;
        }
    }
    result->width = (int)cinfo.output_width;
    result->height = (int)cinfo.output_height;
    result->components = cinfo.output_components;
    if (!err.truncated) jpeg_finish_decompress(&cinfo);
    result->warnings = err.warnings;
    jpeg_destroy_decompress(&cinfo);
    if (err.truncated) {
        snprintf(result->message, sizeof result->message, "the JPEG data is truncated (premature end of file)");
        free(buffer);
        return MOTE_JPEG_TRUNCATED;
    }
    *pixels = buffer;
    return MOTE_JPEG_OK;
}

int mote_jpeg_encode(const unsigned char *pixels, int width, int height, int components,
                     int quality, int progressive, int cmyk_mode, unsigned char **out, size_t *out_size,
                     char *message, size_t message_capacity) {
    struct jpeg_compress_struct cinfo;
    mote_error_mgr err;
    unsigned char *buffer = NULL;
    unsigned long buffer_size = 0;

    if (!pixels || !out || !out_size || width <= 0 || height <= 0 ||
        (components != 1 && components != 3 && components != 4)) {
        if (message && message_capacity) snprintf(message, message_capacity, "bad arguments");
        return MOTE_JPEG_BAD_ARGUMENT;
    }
    *out = NULL;
    *out_size = 0;
    install_error_manager(&err);
    cinfo.err = &err.base;
    if (setjmp(err.jump)) {
        if (message) copy_message((j_common_ptr)&cinfo, message, message_capacity);
        // libjpeg's memory destination may have replaced `buffer` internally without telling
        // us yet, so it is not freed here: a failed encode (bad arguments only) leaks one buffer.
        jpeg_destroy_compress(&cinfo);
        return MOTE_JPEG_ERROR;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &buffer, &buffer_size);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = components;
    cinfo.in_color_space = components == 1 ? JCS_GRAYSCALE : components == 3 ? JCS_RGB : JCS_CMYK;
    jpeg_set_defaults(&cinfo);
    if (components == 4 && cmyk_mode == MOTE_JPEG_CMYK_YCCK) jpeg_set_colorspace(&cinfo, JCS_YCCK);
    if (components == 4 && cmyk_mode == MOTE_JPEG_CMYK_PLAIN) cinfo.write_Adobe_marker = FALSE;
    jpeg_set_quality(&cinfo, quality, TRUE);
    if (progressive) jpeg_simple_progression(&cinfo);
    jpeg_start_compress(&cinfo, TRUE);
    {
        size_t row = (size_t)width * (size_t)components;
        while (cinfo.next_scanline < cinfo.image_height) {
            JSAMPROW rows[1];
            rows[0] = (JSAMPROW)(pixels + row * cinfo.next_scanline);
            jpeg_write_scanlines(&cinfo, rows, 1);
        }
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *out = buffer;
    *out_size = (size_t)buffer_size;
    return MOTE_JPEG_OK;
}

void mote_jpeg_free(void *pointer) { free(pointer); }
