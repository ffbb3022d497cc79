/// The fast memory policy's MAX_POOL_2D and AVERAGE_POOL_2D: the bytes of `Pool2DReference`,
/// computed over runs of output pixels instead of one window at a time.
///
/// Each output row is cut into runs: the pixels whose windows lie wholly inside the image
/// columns form one run (same window size, inputs `strideWidth * channels` bytes apart), each
/// clipped border pixel is a run of its own. A run goes to the kernel table's `maxPool` /
/// `averagePool` entry when it is set, else to a Swift loop over the channels that the
/// compiler vectorizes.
public enum Pool2DOptimized {
    /// Max pooling, as `Pool2DReference.maxPool`.
    public static func maxPool(_ g: ConvGeometry, activationMin: Int32, activationMax: Int32,
                               input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
        forEachRun(g, input: input, output: output) { src, rowStride, pixelStride, rows, columns, pixels, out in
            maxRun(src, rowStride: rowStride, pixelStride: pixelStride, rows: rows, columns: columns, channels: g.inputDepth,
                   pixels: pixels, out, activationMin: activationMin, activationMax: activationMax)
        }
    }

    /// Average pooling, as `Pool2DReference.averagePool`; `accumulator` holds `inputDepth`
    /// `Int32`s of scratch (the Swift loop's sums).
    public static func averagePool(_ g: ConvGeometry, activationMin: Int32, activationMax: Int32,
                                   input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
                                   accumulator: UnsafeMutablePointer<Int32>) {
        forEachRun(g, input: input, output: output) { src, rowStride, pixelStride, rows, columns, pixels, out in
            averageRun(src, rowStride: rowStride, pixelStride: pixelStride, rows: rows, columns: columns, channels: g.inputDepth,
                       pixels: pixels, out, activationMin: activationMin, activationMax: activationMax, accumulator: accumulator)
        }
    }

    /// Calls `body(src, rowStride, pixelStride, rows, columns, pixels, out)` for each run of
    /// output pixels of one output row that share a clipped window size `rows x columns`:
    /// run pixel `i`'s window is input bytes `src + i * pixelStride + y * rowStride + x * channels`
    /// (`y < rows`, `x < columns`), its output `out + i * channels`.
    @inline(__always)
    static func forEachRun(_ g: ConvGeometry, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
                           _ body: (UnsafePointer<Int8>, Int, Int, Int, Int, Int, UnsafeMutablePointer<Int8>) -> Void) {
        let c = g.inputDepth, width = g.inputWidth, rowStride = width &* c, pixelStride = g.strideWidth &* c
        var out = output
        for b in 0..<g.batches {
            let image = input + b &* g.inputHeight &* rowStride
            for oy in 0..<g.outputHeight {
                let originY = oy &* g.strideHeight &- g.padTop
                let rows = ConvGeometry.validTaps(origin: originY, filter: g.filterHeight, dilation: 1, input: g.inputHeight)
                let top = image + (originY &+ rows.lo) &* rowStride
                var ox = 0
                while ox < g.outputWidth {
                    let originX = ox &* g.strideWidth &- g.padLeft
                    let columns = ConvGeometry.validTaps(origin: originX, filter: g.filterWidth, dilation: 1, input: width)
                    var pixels = 1
                    if columns.lo == 0 && columns.hi == g.filterWidth {
                        // Origins grow with ox, so only the right edge can clip the pixels that follow.
                        var nextEnd = originX &+ g.strideWidth &+ g.filterWidth
                        while ox &+ pixels < g.outputWidth && nextEnd <= width {
                            pixels &+= 1
                            nextEnd &+= g.strideWidth
                        }
                    }
                    body(top + (originX &+ columns.lo) &* c, rowStride, pixelStride, rows.hi &- rows.lo, columns.hi &- columns.lo, pixels, out)
                    out += pixels &* c
                    ox &+= pixels
                }
            }
        }
    }

    /// One run of max pooling (see `KernelTable.PoolRun`): `out[i * channels + k]` is the
    /// largest `src[i * pixelStride + y * rowStride + x * channels + k]` over `y < rows`,
    /// `x < columns` (-128 for an empty window), clamped to `activationMin...activationMax`.
    @inline(__always)
    public static func maxRun(_ src: UnsafePointer<Int8>, rowStride: Int, pixelStride: Int, rows: Int, columns: Int, channels: Int,
                              pixels: Int, _ out: UnsafeMutablePointer<Int8>, activationMin: Int32, activationMax: Int32) {
        if let f = kernelTable.maxPool, rows > 0, columns > 0 {
            f(src, rowStride, pixelStride, rows, columns, channels, pixels, out, activationMin, activationMax)
            return
        }
        let lo = Int8(truncatingIfNeeded: activationMin), hi = Int8(truncatingIfNeeded: activationMax)
        for i in 0..<pixels {
            let window = src + i &* pixelStride, o = out + i &* channels
            // The clamp's lower bound starts the maximum: max(lo, max(cells)) = max(cells, lo).
            for k in 0..<channels { o[k] = lo }
            for y in 0..<rows {
                for x in 0..<columns {
                    let cell = window + (y &* rowStride &+ x &* channels)
                    for k in 0..<channels { o[k] = max(o[k], cell[k]) }
                }
            }
            for k in 0..<channels { o[k] = min(o[k], hi) }
        }
    }

    /// One run of average pooling (see `KernelTable.PoolRun`): `out[i * channels + k]` is the
    /// sum `s` of the window's cells (as in `maxRun`) divided by their count `n = rows * columns`,
    /// rounded half away from zero (`(s ± n/2) / n` in C division), clamped to
    /// `activationMin...activationMax`; 0, clamped, for an empty window. `accumulator` holds
    /// `channels` `Int32`s of scratch for the Swift loop.
    @inline(__always)
    public static func averageRun(_ src: UnsafePointer<Int8>, rowStride: Int, pixelStride: Int, rows: Int, columns: Int, channels: Int,
                                  pixels: Int, _ out: UnsafeMutablePointer<Int8>, activationMin: Int32, activationMax: Int32,
                                  accumulator acc: UnsafeMutablePointer<Int32>) {
        if let f = kernelTable.averagePool, rows > 0, columns > 0 {
            f(src, rowStride, pixelStride, rows, columns, channels, pixels, out, activationMin, activationMax)
            return
        }
        let count = Int32(truncatingIfNeeded: max(rows &* columns, 1)), half = count / 2
        for i in 0..<pixels {
            let window = src + i &* pixelStride, o = out + i &* channels
            for k in 0..<channels { acc[k] = 0 }
            for y in 0..<rows {
                for x in 0..<columns {
                    let cell = window + (y &* rowStride &+ x &* channels)
                    for k in 0..<channels { acc[k] &+= Int32(cell[k]) }
                }
            }
            for k in 0..<channels {
                let sum = acc[k]
                let average = sum > 0 ? (sum &+ half) / count : (sum &- half) / count
                o[k] = Int8(truncatingIfNeeded: FixedPoint.clamp(average, activationMin, activationMax))
            }
        }
    }
}
