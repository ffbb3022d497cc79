/// DEPTHWISE_CONV_2D written over its own input, for the compact memory policy: the bytes of
/// `DepthwiseConv2DReference.run` with the output starting where the input starts, row by row
/// (`ConvRowsInPlace`: stride-1 layers of unchanged shape with a ring of saved rows, and
/// strided layers whose output rows fall behind the rows still to be read).
extension DepthwiseConv2DReference {
    /// The scratch bytes of `runInPlace`, or nil when the geometry cannot run in place.
    public static func inPlaceScratchBytes(_ g: ConvGeometry) -> Int? { ConvRowsInPlace.scratchBytes(g) }

    /// Runs the convolution from `input` into `output` (the same address); `scratch` has
    /// `inPlaceScratchBytes(g)` bytes.
    public static func runInPlace(_ g: ConvGeometry, _ q: Requantization, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
                                  filter: UnsafePointer<Int8>, bias: UnsafePointer<Int32>?, scratch: UnsafeMutableRawPointer) {
        ConvRowsInPlace.run(g, input: input, output: output, scratch: scratch) { oy, rows, into in
            outputRow(g, q, oy: oy, rows: rows, filter: filter, bias: bias, output: into)
        }
    }
}
