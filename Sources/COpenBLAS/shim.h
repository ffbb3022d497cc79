// OpenBLAS's CBLAS interface (Debian's libopenblas-dev; pkg-config module `openblas`).
#include <cblas.h>
