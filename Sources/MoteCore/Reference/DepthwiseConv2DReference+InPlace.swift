/// DEPTHWISE_CONV_2D written over its own input, for the compact memory policy: the bytes of
/// `DepthwiseConv2DReference.run`, with the input and output sharing one buffer.
///
/// It applies when the output has the input's shape (depth multiplier 1, same height, width
/// and depth) and the vertical stride is 1, so output row `y` lands on input row `y`. Output
/// row `y` reads input rows `y - padTop + ky * dilationHeight`: the rows above `y` have been
/// overwritten by then, the others not. So each output row is computed into a one-row
/// buffer; before it is copied over input row `y`, that input row is saved in a ring of
/// `min(padTop, inputHeight)` rows, since output rows up to `y + padTop` still read it.
/// Scratch: `(ring rows + 1) * inputWidth * inputDepth` bytes.
extension DepthwiseConv2DReference {
    /// Rows of the ring of saved input rows, or nil when the geometry cannot run in place.
    static func inPlaceRingRows(_ g: ConvGeometry) -> Int? {
        guard g.filterDepth == 1, g.outputDepth == g.inputDepth, g.outputHeight == g.inputHeight, g.outputWidth == g.inputWidth,
              g.strideHeight == 1 || g.inputHeight == 1 else { return nil }
        return min(g.padTop, g.inputHeight)
    }

    /// The scratch bytes of `runInPlace`, or nil when the geometry cannot run in place (or
    /// the scratch would exceed `ConvKernels.scratchLimit`).
    public static func inPlaceScratchBytes(_ g: ConvGeometry) -> Int? {
        guard let ring = inPlaceRingRows(g) else { return nil }
        return ConvKernels.scratch(ring &+ 1, g.inputWidth &* g.inputDepth)
    }

    /// Runs the convolution over `data`, which holds the input and receives the output
    /// (`[batches, inputHeight, inputWidth, inputDepth]`); `scratch` has
    /// `inPlaceScratchBytes(g)` bytes.
    public static func runInPlace(_ g: ConvGeometry, _ q: Requantization, data: UnsafeMutablePointer<Int8>, filter: UnsafePointer<Int8>,
                                  bias: UnsafePointer<Int32>?, scratch: UnsafeMutableRawPointer) {
        guard let ringRows = inPlaceRingRows(g) else { return }
        let rowBytes = g.inputWidth &* g.inputDepth
        let row = scratch.bindMemory(to: Int8.self, capacity: (ringRows &+ 1) &* rowBytes)
        let ring = row + rowBytes
        for b in 0..<g.batches {
            let image = data + b &* (g.inputHeight &* rowBytes)
            for y in 0..<g.outputHeight {
                let rows = InputRows(image: UnsafePointer(image), rowBytes: rowBytes, saved: UnsafePointer(ring), savedRows: ringRows,
                                     savedBelow: ringRows > 0 ? y : 0)
                outputRow(g, q, oy: y, rows: rows, filter: filter, bias: bias, output: row)
                let target = image + y &* rowBytes
                if ringRows > 0 { (ring + (y % ringRows) &* rowBytes).update(from: target, count: rowBytes) }
                target.update(from: row, count: rowBytes)
            }
        }
    }
}
