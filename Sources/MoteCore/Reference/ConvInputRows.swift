/// Where a convolution's output row finds the input rows of one image: row `iy` at
/// `image + iy * rowBytes`, except rows below `savedBelow`, which come from a ring of
/// `savedRows` saved rows (row `iy` in slot `iy % savedRows`), because an in-place run has
/// overwritten them (see `ConvRowsInPlace`).
public struct ConvInputRows {
    var image: UnsafePointer<Int8>
    var rowBytes: Int
    var saved: UnsafePointer<Int8>? = nil
    var savedRows = 0
    var savedBelow = 0

    @inline(__always)
    func row(_ iy: Int) -> UnsafePointer<Int8> {
        if iy < savedBelow, let saved { return saved + (iy % savedRows) &* rowBytes }
        return image + iy &* rowBytes
    }
}

extension ConvInputRows {
    /// Calls `row` for every output row of every image in order (not in place: every input
    /// row stays where it is), with the output row's index `oy` in its image, the image's
    /// input rows and the row's place in `output`
    /// (`[batches, outputHeight, outputWidth, outputDepth]`).
    @inline(__always)
    static func forEachOutputRow(_ g: ConvGeometry, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
                                 _ row: (_ oy: Int, _ rows: ConvInputRows, _ into: UnsafeMutablePointer<Int8>) -> Void) {
        let inputImage = g.inputHeight &* g.inputWidth &* g.inputDepth, outputRowBytes = g.outputWidth &* g.outputDepth
        var out = output
        for b in 0..<g.batches {
            let rows = ConvInputRows(image: input + b &* inputImage, rowBytes: g.inputWidth &* g.inputDepth)
            for oy in 0..<g.outputHeight {
                row(oy, rows, out)
                out += outputRowBytes
            }
        }
    }
}
