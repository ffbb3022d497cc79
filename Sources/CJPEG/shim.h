// libjpeg-turbo's libjpeg API (Debian's libjpeg-dev; pkg-config module `libjpeg`).
// jpeglib.h needs size_t and FILE declared before it.
#include <stddef.h>
#include <stdio.h>
#include <jpeglib.h>
