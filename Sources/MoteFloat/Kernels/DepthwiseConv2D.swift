/// Float DEPTHWISE_CONV_2D over NHWC tensors with TFLite's `[1, KH, KW, C·M]` filter
/// (M = depth multiplier): output channel `c · M + m` reads input channel `c` only,
/// `output[n, oy, ox, c·M+m] = act(bias[c·M+m] + Σ_{ky,kx} input[n, iy, ix, c] · filter[0, ky, kx, c·M+m])`
/// with `(iy, ix)` as in `WindowGeometry`; `bias` may be nil (zero). A direct loop: the
/// channel loop is innermost, so it vectorizes over channels.
public enum DepthwiseConv2D {
    /// The operator's parameters; `geometry.channels` is the input depth C.
    public struct Parameters: Equatable, Sendable {
        public var geometry: WindowGeometry
        public var depthMultiplier: Int
        public var activation: ActivationRange

        public init(geometry: WindowGeometry, depthMultiplier: Int, activation: ActivationRange = .none) {
            self.geometry = geometry
            self.depthMultiplier = depthMultiplier
            self.activation = activation
        }

        /// Output channels, `C · M`.
        public var outputChannels: Int { geometry.channels * depthMultiplier }
    }

    /// Runs the convolution. The output must not overlap the input.
    public static func forward(_ p: Parameters, input: UnsafePointer<Float>, filter: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        let g = p.geometry
        let c = g.channels, mult = p.depthMultiplier, oc = c * mult
        var out = output
        for n in 0..<g.batch {
            let image = input + n * g.inputImageCount
            for oy in 0..<g.outputHeight {
                let y0 = oy * g.strideHeight - g.padTop
                for ox in 0..<g.outputWidth {
                    let x0 = ox * g.strideWidth - g.padLeft
                    if let bias { out.update(from: bias, count: oc) } else { out.update(repeating: 0, count: oc) }
                    for ky in 0..<g.filterHeight {
                        let y = y0 + ky * g.dilationHeight
                        if y < 0 || y >= g.inputHeight { continue }
                        for kx in 0..<g.filterWidth {
                            let x = x0 + kx * g.dilationWidth
                            if x < 0 || x >= g.inputWidth { continue }
                            let pixel = image + (y * g.inputWidth + x) * c
                            let taps = filter + (ky * g.filterWidth + kx) * oc
                            if mult == 1 {
                                for i in 0..<c { out[i] += pixel[i] * taps[i] }
                            } else {
                                for i in 0..<c {
                                    let v = pixel[i]
                                    for m in 0..<mult { out[i * mult + m] += v * taps[i * mult + m] }
                                }
                            }
                        }
                    }
                    p.activation.apply(out, count: oc)
                    out += oc
                }
            }
        }
    }
}
