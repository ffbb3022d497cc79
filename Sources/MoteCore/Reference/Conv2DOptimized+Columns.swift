/// The panel form for narrow outputs over small images (the keyword-spotting DS-CNN's first
/// conv: a 49x10x1 input, a 10x4 filter, stride 2, a 25x5 output): few of its groups of four
/// consecutive pixels lie in one output row inside the image, so `runPanel` would gather
/// almost every window byte by byte. Instead the image is copied once per eval into scratch
/// with its padding (input zero points) around it, where every window lies whole, and four
/// output rows are accumulated column by column: the four pixels `(oy ..< oy + 4, ox)` of a
/// column are `strideHeight` padded rows apart, so the panel kernel reads them in place.
extension Conv2DOptimized {
    /// Output rows accumulated together (the panel kernel's pixels).
    static let columnRows = 4

    /// Largest padded image, in bytes, that `runColumns` copies into scratch.
    static let paddedImageLimit = 4096

    /// Rows and columns of the padded image that `runColumns` reads: exactly the span of all
    /// output windows.
    static func paddedImageSize(_ g: ConvGeometry) -> (height: Int, width: Int) {
        ((g.outputHeight &- 1) &* g.strideHeight &+ (g.filterHeight &- 1) &* g.dilationHeight &+ 1,
         (g.outputWidth &- 1) &* g.strideWidth &+ g.filterWidth)
    }

    /// Bytes of the padded image when `runColumns` applies to a panel-form conv, else 0: no
    /// dilation across columns (a window row is one run), not a 1x1 stride-1 conv (which reads
    /// its pixels in place already), four output rows fit one requantization batch, and the
    /// padded image is at most `paddedImageLimit` bytes.
    static func paddedImageBytes(_ g: ConvGeometry) -> Int {
        guard g.dilationWidth == 1, g.outputWidth <= paddedImageLimit, g.outputHeight <= paddedImageLimit,
              !(g.filterHeight == 1 && g.filterWidth == 1 && g.strideHeight == 1 && g.strideWidth == 1),
              columnRows &* g.outputWidth <= pixelBatch(channels: paddedDepth(g.outputDepth)) else { return 0 }
        let (h, w) = paddedImageSize(g)
        guard h <= paddedImageLimit, w <= paddedImageLimit else { return 0 }
        let (bytes, o) = (h &* w).multipliedReportingOverflow(by: g.inputDepth)
        return !o && bytes <= paddedImageLimit ? bytes : 0
    }

    /// `runPanel`'s result for a shape with `paddedImageBytes(g) > 0`; `scratch` holds
    /// `scratchBytes(g, panel: true)` (which includes the padded image after the patches).
    static func runColumns(_ g: ConvGeometry, _ lanes: RequantizationLanes, inputOffset: Int32, panel: UnsafePointer<Int8>,
                           input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>, scratch: UnsafeMutableRawPointer) {
        let depth = g.inputDepth
        let k = g.filterHeight &* g.filterWidth &* depth
        let s = ScratchLayout(scratch, channels: paddedDepth(g.outputDepth), windowBytes: k, patches: 4)
        let padded = s.channels, acc = s.acc, patchStride = s.patchStride, patches = s.patches
        let (height, width) = paddedImageSize(g)
        let image = s.rest.bindMemory(to: Int8.self, capacity: height &* width &* depth)
        let padValue = Int8(truncatingIfNeeded: 0 &- inputOffset)
        let rowBytes = width &* depth, run = g.filterWidth &* depth
        let pixelStep = g.strideWidth &* depth, rowStep = g.strideHeight &* rowBytes, tapRow = g.dilationHeight &* rowBytes
        let gathered = ConvKernels.Windows(base: UnsafePointer(patches), pixelStride: patchStride, rowStride: k, rows: 1, run: k)
        // Padded column x holds input column x - padLeft; columns lo ..< hi are inside.
        let lo = min(g.padLeft, width), hi = max(min(g.padLeft &+ g.inputWidth, width), lo)
        let imageSize = g.inputHeight &* g.inputWidth &* depth
        var out = output
        for b in 0..<g.batches {
            let source = input + b &* imageSize
            for y in 0..<height {
                let iy = y &- g.padTop
                let dst = image + y &* rowBytes
                if iy >= 0 && iy < g.inputHeight {
                    let src = source + (iy &* g.inputWidth &+ lo &- g.padLeft) &* depth
                    for i in 0..<(lo &* depth) { dst[i] = padValue }
                    for i in 0..<((hi &- lo) &* depth) { dst[lo &* depth &+ i] = src[i] }
                    for i in (hi &* depth)..<rowBytes { dst[i] = padValue }
                } else {
                    for i in 0..<rowBytes { dst[i] = padValue }
                }
            }
            var oy = 0
            while oy < g.outputHeight {
                let rows = min(columnRows, g.outputHeight &- oy)
                let top = UnsafePointer(image) + oy &* rowStep
                if rows == columnRows {
                    for ox in 0..<g.outputWidth {
                        let win = ConvKernels.Windows(base: top + ox &* pixelStep, pixelStride: rowStep, rowStride: tapRow,
                                                      rows: g.filterHeight, run: run)
                        accumulatePanels(win, panel: panel, windowBytes: k, outputDepth: g.outputDepth, acc + ox &* padded,
                                         accStride: g.outputWidth &* padded)
                    }
                } else {
                    // The last rows: their pixels in order, four at a time, read in place when
                    // they share a row, else copied out of the padded image.
                    let count = rows &* g.outputWidth
                    var j = 0
                    while j < count {
                        let n = min(4, count &- j)
                        let x = j % g.outputWidth
                        var win = gathered
                        if n == 4 && x &+ 4 <= g.outputWidth {
                            win = ConvKernels.Windows(base: top + ((j / g.outputWidth) &* rowStep &+ x &* pixelStep), pixelStride: pixelStep,
                                                      rowStride: tapRow, rows: g.filterHeight, run: run)
                        } else {
                            for q in 0..<4 {
                                let pq = j &+ min(q, n &- 1)
                                let src = top + ((pq / g.outputWidth) &* rowStep &+ (pq % g.outputWidth) &* pixelStep)
                                let dst = patches + q &* patchStride
                                for r in 0..<g.filterHeight {
                                    for i in 0..<run { dst[r &* run &+ i] = src[r &* tapRow &+ i] }
                                }
                            }
                        }
                        accumulatePanels(win, panel: panel, windowBytes: k, outputDepth: g.outputDepth, acc + j &* padded, accStride: padded)
                        j &+= 4
                    }
                }
                let pixels = rows &* g.outputWidth
                ConvKernels.requantize(lanes, acc, accStride: padded, rows: pixels, first: 0, count: g.outputDepth,
                                       out: out, outStride: g.outputDepth)
                out += pixels &* g.outputDepth
                oy &+= rows
            }
        }
    }
}
