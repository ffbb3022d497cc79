/// Float MAX_POOL_2D and AVERAGE_POOL_2D over NHWC tensors, per channel, as TFLite computes
/// them: only window cells inside the input take part (padding is never a candidate for the
/// maximum and never counted in the average), then the fused activation clamps the result.
public enum Pool2D {
    /// The operator's parameters (`geometry.dilation*` must be 1, as TFLite's pools have none).
    public struct Parameters: Equatable, Sendable {
        /// The window geometry.
        public var geometry: WindowGeometry
        /// The fused activation clamp.
        public var activation: ActivationRange

        /// The parameters of one pooling.
        public init(geometry: WindowGeometry, activation: ActivationRange = .none) {
            self.geometry = geometry
            self.activation = activation
        }
    }

    /// Maximum over the in-bounds cells of each window.
    public static func maxPool(_ p: Parameters, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        run(p, input: input, output: output, average: false)
    }

    /// Sum over the in-bounds cells of each window divided by their count.
    public static func averagePool(_ p: Parameters, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        run(p, input: input, output: output, average: true)
    }

    @inline(__always)
    private static func run(_ p: Parameters, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, average: Bool) {
        let g = p.geometry
        let c = g.channels
        var out = output
        for n in 0..<g.batch {
            let image = input + n * g.inputImageCount
            for oy in 0..<g.outputHeight {
                let y0 = oy * g.strideHeight - g.padTop
                let yStart = max(0, y0), yEnd = min(g.inputHeight, y0 + g.filterHeight)
                for ox in 0..<g.outputWidth {
                    let x0 = ox * g.strideWidth - g.padLeft
                    let xStart = max(0, x0), xEnd = min(g.inputWidth, x0 + g.filterWidth)
                    out.update(repeating: average ? 0 : -.infinity, count: c)
                    for y in yStart..<max(yStart, yEnd) {
                        for x in xStart..<max(xStart, xEnd) {
                            let pixel = image + (y * g.inputWidth + x) * c
                            if average {
                                for i in 0..<c { out[i] += pixel[i] }
                            } else {
                                for i in 0..<c { out[i] = max(out[i], pixel[i]) }
                            }
                        }
                    }
                    if average {
                        let count = Float(max(0, yEnd - yStart) * max(0, xEnd - xStart))
                        for i in 0..<c { out[i] /= count }
                    }
                    p.activation.apply(out, count: c)
                    out += c
                }
            }
        }
    }
}
