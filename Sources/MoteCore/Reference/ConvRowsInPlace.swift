/// CONV_2D and DEPTHWISE_CONV_2D written over their own input row by row, for the compact
/// memory policy: each output row is computed into a one-row buffer and then copied to its
/// place; the output starts where the input starts. Two geometries allow it:
/// - an output row as long as an input row, as many rows, vertical stride 1: output row `y`
///   lands on input row `y`. Output row `y` reads input rows `y - padTop + ky * dilation`, of
///   which those above `y` are overwritten by then: before input row `y` is overwritten it is
///   saved in a ring of `min(padTop, inputHeight)` rows, since rows up to `y + padTop` read it.
/// - an output no larger than the input (per image) whose rows fall behind the rows still to
///   be read: with `k = strideHeight * inputRow - outputRow`, `k >= padTop * inputRow` (or a
///   single output row) means output rows `0..<y` end before the first input row that rows
///   `y...` read, `y * strideHeight - padTop`. No ring.
/// Scratch: one output row plus the ring.
public enum ConvRowsInPlace {
    /// Rows of the ring, or nil when the geometry cannot run in place.
    public static func ringRows(_ g: ConvGeometry) -> Int? {
        let inRow = g.inputWidth &* g.inputDepth, outRow = g.outputWidth &* g.outputDepth
        if outRow == inRow && g.outputHeight == g.inputHeight && (g.strideHeight == 1 || g.inputHeight == 1) {
            return min(g.padTop, g.inputHeight)
        }
        guard g.outputHeight &* outRow <= g.inputHeight &* inRow else { return nil }
        if g.outputHeight == 1 { return 0 }
        let (reach, o1) = g.strideHeight.multipliedReportingOverflow(by: inRow)
        let (skip, o2) = g.padTop.multipliedReportingOverflow(by: inRow)
        guard !o1, !o2, reach >= outRow, reach - outRow >= skip else { return nil }
        return 0
    }

    /// The scratch bytes of `run`, or nil when the geometry cannot run in place (or the
    /// scratch would exceed `ConvKernels.scratchLimit`).
    public static func scratchBytes(_ g: ConvGeometry) -> Int? {
        guard let ring = ringRows(g) else { return nil }
        return ConvKernels.scratch(ring, g.inputWidth &* g.inputDepth, plus: g.outputWidth &* g.outputDepth)
    }

    /// Runs a convolution from `input` into `output`, which starts at the same address; `row`
    /// computes output row `oy` of an image from its input rows into the given buffer;
    /// `scratch` has `scratchBytes(g)` bytes.
    @inline(__always)
    public static func run(_ g: ConvGeometry, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>, scratch: UnsafeMutableRawPointer,
                           row: (_ oy: Int, _ rows: ConvInputRows, _ into: UnsafeMutablePointer<Int8>) -> Void) {
        guard let ringRows = ringRows(g) else { return }
        let inRow = g.inputWidth &* g.inputDepth, outRow = g.outputWidth &* g.outputDepth
        let buffer = scratch.bindMemory(to: Int8.self, capacity: outRow &+ ringRows &* inRow)
        let ring = buffer + outRow
        for b in 0..<g.batches {
            let image = input + b &* (g.inputHeight &* inRow), out = output + b &* (g.outputHeight &* outRow)
            for y in 0..<g.outputHeight {
                let rows = ConvInputRows(image: image, rowBytes: inRow, saved: UnsafePointer(ring), savedRows: ringRows,
                                         savedBelow: ringRows > 0 ? y : 0)
                row(y, rows, buffer)
                // Only in the first geometry: input row y is about to be overwritten.
                if ringRows > 0 { (ring + (y % ringRows) &* inRow).update(from: image + y &* inRow, count: inRow) }
                (out + y &* outRow).update(from: buffer, count: outRow)
            }
        }
    }
}
