/// TFLite's reference int8 DEPTHWISE_CONV_2D (`reference_integer_ops::DepthwiseConvPerChannel`):
/// the semantics that every optimized variant must reproduce byte for byte.
///
/// With `m = filterDepth` (the depth multiplier), output channel `c = i * m + j` reads input
/// channel `i`: `acc = bias[c] + sum over in-image taps (ky, kx) of filter[0, ky, kx, c] *
/// (input[b, y * sh - padTop + ky * dh, x * sw - padLeft + kx * dw, i] + inputOffset)`, then
/// `Requantization.output` (double rounding). Accumulation wraps modulo 2^32.
public enum DepthwiseConv2DReference {
    /// Runs the convolution. `input` is `[batches, inputHeight, inputWidth, inputDepth]`,
    /// `filter` `[1, filterHeight, filterWidth, outputDepth]`, `bias` (optional)
    /// `[outputDepth]`, `output` `[batches, outputHeight, outputWidth, outputDepth]`, with
    /// `outputDepth == inputDepth * filterDepth`.
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
        let multiplier = g.filterDepth
        let originY = oy &* g.strideHeight &- g.padTop
        var out = output
        for ox in 0..<g.outputWidth {
            let originX = ox &* g.strideWidth &- g.padLeft
            for c in 0..<g.outputDepth {
                let inputChannel = c / multiplier
                var acc: Int32 = 0
                for ky in 0..<g.filterHeight {
                    let iy = originY &+ ky &* g.dilationHeight
                    if iy < 0 || iy >= g.inputHeight { continue }
                    let row = rows.row(iy)
                    for kx in 0..<g.filterWidth {
                        let ix = originX &+ kx &* g.dilationWidth
                        if ix < 0 || ix >= g.inputWidth { continue }
                        let x = Int32(row[ix &* g.inputDepth &+ inputChannel])
                        let w = Int32(filter[(ky &* g.filterWidth &+ kx) &* g.outputDepth &+ c])
                        acc &+= w &* (x &+ q.inputOffset)
                    }
                }
                if let bias { acc &+= bias[c] }
                out.pointee = q.output(acc, channel: c)
                out += 1
            }
        }
    }
}
