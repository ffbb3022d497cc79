/// int8 MAX_POOL_2D and AVERAGE_POOL_2D over NHWC tensors, as TFLite's
/// `reference_integer_ops::MaxPool` / `AveragePool`: a `filterHeight x filterWidth` window every
/// `stride` cells, starting `padTop`/`padLeft` cells before the image, clipped to the image
/// (out-of-image cells take no part, neither in the maximum nor in the average's count), then
/// clamped to the fused activation's range. Values are pooled as raw int8 numbers: TFLite
/// requires input and output to share scale and zero point.
///
/// The geometry is a `ConvGeometry` with dilations 1 and `inputDepth == outputDepth` channels;
/// prepare guarantees every window holds at least one in-image cell.
public enum Pool2DReference {
    /// Calls `body(outputPixel, imageBase, y0, y1, x0, x1)` for each output pixel (batch-major,
    /// row-major), where the clipped window covers input rows `y0..<y1` and columns `x0..<x1`
    /// and `imageBase` is the pixel index of row 0, column 0 of the pixel's batch image.
    @inline(__always)
    static func forEachWindow(_ g: ConvGeometry, _ body: (Int, Int, Int, Int, Int, Int) -> Void) {
        var pixel = 0
        for b in 0..<g.batches {
            let imageBase = b &* g.inputHeight &* g.inputWidth
            for oy in 0..<g.outputHeight {
                let originY = oy &* g.strideHeight &- g.padTop
                let rows = ConvGeometry.validTaps(origin: originY, filter: g.filterHeight, dilation: 1, input: g.inputHeight)
                for ox in 0..<g.outputWidth {
                    let originX = ox &* g.strideWidth &- g.padLeft
                    let columns = ConvGeometry.validTaps(origin: originX, filter: g.filterWidth, dilation: 1, input: g.inputWidth)
                    body(pixel, imageBase, originY &+ rows.lo, originY &+ rows.hi, originX &+ columns.lo, originX &+ columns.hi)
                    pixel &+= 1
                }
            }
        }
    }

    /// Max pooling: each output is the largest in-image input of its window (-128 for an
    /// empty window), clamped to `activationMin...activationMax`.
    public static func maxPool(_ g: ConvGeometry, activationMin: Int8, activationMax: Int8,
                               input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
        let c = g.inputDepth, width = g.inputWidth
        forEachWindow(g) { pixel, imageBase, y0, y1, x0, x1 in
            let out = output + pixel &* c
            for k in 0..<c { out[k] = Int8.min }
            for y in y0..<y1 {
                for x in x0..<x1 {
                    let src = input + (imageBase &+ y &* width &+ x) &* c
                    for k in 0..<c { out[k] = max(out[k], src[k]) }
                }
            }
            for k in 0..<c { out[k] = min(max(out[k], activationMin), activationMax) }
        }
    }

    /// Average pooling: the sum of a window's in-image inputs divided by their count `n`,
    /// rounded half away from zero as TFLite does (`(sum ± n/2) / n` in C division), clamped to
    /// `activationMin...activationMax`. `accumulator` holds `inputDepth` `Int32`s of scratch.
    public static func averagePool(_ g: ConvGeometry, activationMin: Int32, activationMax: Int32,
                                   input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
                                   accumulator acc: UnsafeMutablePointer<Int32>) {
        let c = g.inputDepth, width = g.inputWidth
        forEachWindow(g) { pixel, imageBase, y0, y1, x0, x1 in
            for k in 0..<c { acc[k] = 0 }
            for y in y0..<y1 {
                for x in x0..<x1 {
                    let src = input + (imageBase &+ y &* width &+ x) &* c
                    for k in 0..<c { acc[k] &+= Int32(src[k]) }
                }
            }
            // Prepare rules out empty windows; the guard only keeps the division defined.
            let count = Int32(truncatingIfNeeded: max((y1 &- y0) &* (x1 &- x0), 1))
            let half = count / 2
            let out = output + pixel &* c
            for k in 0..<c {
                let sum = acc[k]
                let average = sum > 0 ? (sum &+ half) / count : (sum &- half) / count
                out[k] = Int8(truncatingIfNeeded: FixedPoint.clamp(average, activationMin, activationMax))
            }
        }
    }
}
