/// TFLite's reference int8 CONV_2D (`reference_integer_ops::ConvPerChannel`), grouped
/// convolution included: the semantics that every optimized variant must reproduce byte
/// for byte.
///
/// For each output `(b, y, x, c)` with `group = c / (outputDepth / groups)`:
/// `acc = bias[c] + sum over in-image taps (ky, kx) and filter channels i of
/// filter[c, ky, kx, i] * (input[b, y * sh - padTop + ky * dh, x * sw - padLeft + kx * dw,
/// group * filterDepth + i] + inputOffset)`, taps outside the image contributing nothing
/// (as if padded with the input zero point), then `Requantization.output` (double rounding).
/// Accumulation wraps modulo 2^32 (TFLite's int32 accumulator; real models stay far inside).
public enum Conv2DReference {
    /// Runs the convolution. `input` is `[batches, inputHeight, inputWidth, inputDepth]`,
    /// `filter` `[outputDepth, filterHeight, filterWidth, filterDepth]`, `bias` (optional)
    /// `[outputDepth]`, `output` `[batches, outputHeight, outputWidth, outputDepth]`, with
    /// `inputDepth` a multiple of `filterDepth` and `outputDepth` a multiple of the groups.
    public static func run(_ g: ConvGeometry, _ q: Requantization, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                           bias: UnsafePointer<Int32>?, output: UnsafeMutablePointer<Int8>) {
        ConvInputRows.forEachOutputRow(g, input: input, output: output) { oy, rows, into in
            outputRow(g, q, oy: oy, rows: rows, filter: filter, bias: bias, output: into)
        }
    }

    /// Output row `oy` of one image (`outputWidth * outputDepth` bytes at `output`).
    @inline(__always)
    static func outputRow(_ g: ConvGeometry, _ q: Requantization, oy: Int, rows: ConvInputRows, filter: UnsafePointer<Int8>,
                          bias: UnsafePointer<Int32>?, output: UnsafeMutablePointer<Int8>) {
        let groups = g.inputDepth / g.filterDepth
        let filtersPerGroup = g.outputDepth / groups
        let filterSize = g.filterHeight &* g.filterWidth &* g.filterDepth
        let originY = oy &* g.strideHeight &- g.padTop
        var out = output
        for ox in 0..<g.outputWidth {
            let originX = ox &* g.strideWidth &- g.padLeft
            for c in 0..<g.outputDepth {
                let channelBase = (c / filtersPerGroup) &* g.filterDepth
                var acc: Int32 = 0
                for ky in 0..<g.filterHeight {
                    let iy = originY &+ ky &* g.dilationHeight
                    if iy < 0 || iy >= g.inputHeight { continue }
                    let row = rows.row(iy)
                    for kx in 0..<g.filterWidth {
                        let ix = originX &+ kx &* g.dilationWidth
                        if ix < 0 || ix >= g.inputWidth { continue }
                        let pixel = row + (ix &* g.inputDepth &+ channelBase)
                        let weights = filter + (c &* filterSize &+ (ky &* g.filterWidth &+ kx) &* g.filterDepth)
                        for i in 0..<g.filterDepth {
                            acc &+= Int32(weights[i]) &* (Int32(pixel[i]) &+ q.inputOffset)
                        }
                    }
                }
                if let bias { acc &+= bias[c] }
                out.pointee = q.output(acc, channel: c)
                out += 1
            }
        }
    }
}
