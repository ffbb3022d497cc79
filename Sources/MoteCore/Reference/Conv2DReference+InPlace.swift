/// CONV_2D written over its own input, for the compact memory policy: the bytes of
/// `Conv2DReference.run`, with the input and output sharing one buffer.
///
/// A 1x1, stride-1 convolution goes pixel by pixel: output pixel `p` (`outputDepth` bytes at
/// `output + p * outputDepth`) reads only input pixel `p` (`inputDepth` bytes at
/// `input + p * inputDepth`), counting pixels across the batch. Each input pixel is copied to
/// the scratch before its outputs are written. When both start at the same address and
/// `outputDepth <= inputDepth`, or when the input ends where the larger output ends, pixels go
/// first to last: writing pixel `p` reaches no input pixel after `p`. When both start together
/// and the output is larger, they go last to first: writing pixel `p` reaches no input pixel
/// before `p`. Scratch: `inputDepth` bytes. Any other convolution goes row by row
/// (`ConvRowsInPlace`), where its geometry allows.
extension Conv2DReference {
    /// True when the convolution is 1x1 with stride 1 (it then goes pixel by pixel).
    static func runsPixelwise(_ g: ConvGeometry) -> Bool {
        g.filterHeight == 1 && g.filterWidth == 1 && g.strideHeight == 1 && g.strideWidth == 1
            && g.outputHeight == g.inputHeight && g.outputWidth == g.inputWidth
    }

    /// The scratch bytes of `runInPlace`, or nil when the geometry cannot run in place.
    public static func inPlaceScratchBytes(_ g: ConvGeometry) -> Int? {
        runsPixelwise(g) ? ConvKernels.scratch(g.inputDepth, 1) : ConvRowsInPlace.scratchBytes(g)
    }

    /// Runs the convolution from `input` into `output`, which overlap in one of the ways above
    /// (row by row: the same address); `scratch` has `inPlaceScratchBytes(g)` bytes.
    public static func runInPlace(_ g: ConvGeometry, _ q: Requantization, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
                                  filter: UnsafePointer<Int8>, bias: UnsafePointer<Int32>?, scratch: UnsafeMutableRawPointer) {
        guard runsPixelwise(g) else {
            ConvRowsInPlace.run(g, input: input, output: output, scratch: scratch) { oy, rows, into in
                outputRow(g, q, oy: oy, rows: rows, filter: filter, bias: bias, output: into)
            }
            return
        }
        var pixel = g
        pixel.batches = 1
        pixel.inputHeight = 1
        pixel.inputWidth = 1
        pixel.outputHeight = 1
        pixel.outputWidth = 1
        pixel.padTop = 0
        pixel.padLeft = 0
        let saved = scratch.bindMemory(to: Int8.self, capacity: g.inputDepth)
        let pixels = g.batches &* g.inputHeight &* g.inputWidth
        let forward = input != UnsafePointer(output) || g.outputDepth <= g.inputDepth
        for k in 0..<pixels {
            let p = forward ? k : pixels &- 1 &- k
            saved.update(from: input + p &* g.inputDepth, count: g.inputDepth)
            run(pixel, q, input: UnsafePointer(saved), filter: filter, bias: bias, output: output + p &* g.outputDepth)
        }
    }
}
