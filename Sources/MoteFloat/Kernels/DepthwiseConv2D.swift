/// Float DEPTHWISE_CONV_2D over NHWC tensors with TFLite's `[1, KH, KW, C·M]` filter
/// (M = depth multiplier): output channel `c · M + m` reads input channel `c` only,
/// `output[n, oy, ox, c·M+m] = act(bias[c·M+m] + Σ_{ky,kx} input[n, iy, ix, c] · filter[0, ky, kx, c·M+m])`
/// with `(iy, ix)` as in `WindowGeometry`; `bias` may be nil (zero). A direct loop: the
/// channel loop is innermost, so it vectorizes over channels.
public enum DepthwiseConv2D {
    /// The operator's parameters; `geometry.channels` is the input depth C.
    public struct Parameters: Equatable, Sendable {
        /// The window geometry (`channels` is the input depth C).
        public var geometry: WindowGeometry
        /// Output channels per input channel (M).
        public var depthMultiplier: Int
        /// The fused activation clamp.
        public var activation: ActivationRange

        /// The parameters of one depthwise convolution.
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
        let rowCount = g.outputWidth * oc
        for n in 0..<g.batch {
            let image = input + n * g.inputImageCount
            for oy in 0..<g.outputHeight {
                let out = output + ((n * g.outputHeight + oy) * g.outputWidth) * oc
                if let bias {
                    for ox in 0..<g.outputWidth { (out + ox * oc).update(from: bias, count: oc) }
                } else {
                    out.update(repeating: 0, count: rowCount)
                }
                let y0 = oy * g.strideHeight - g.padTop
                // Tap-major: each filter tap sweeps the whole output row over the columns it
                // reaches inside the image, so no per-pixel bounds checks remain.
                for ky in 0..<g.filterHeight {
                    let y = y0 + ky * g.dilationHeight
                    if y < 0 || y >= g.inputHeight { continue }
                    let line = image + y * g.inputWidth * c
                    for kx in 0..<g.filterWidth {
                        let shift = kx * g.dilationWidth - g.padLeft
                        let (first, end) = columns(shift: shift, stride: g.strideWidth, width: g.inputWidth, outputs: g.outputWidth)
                        if first >= end { continue }
                        let taps = filter + (ky * g.filterWidth + kx) * oc
                        if mult == 1 {
                            for ox in first..<end {
                                let pixel = line + (ox * g.strideWidth + shift) * c
                                let o = out + ox * oc
                                for i in 0..<c { o[i] += pixel[i] * taps[i] }
                            }
                        } else {
                            for ox in first..<end {
                                let pixel = line + (ox * g.strideWidth + shift) * c
                                let o = out + ox * oc
                                for i in 0..<c {
                                    let v = pixel[i]
                                    for m in 0..<mult { o[i * mult + m] += v * taps[i * mult + m] }
                                }
                            }
                        }
                    }
                }
                p.activation.apply(out, count: rowCount)
            }
        }
    }

    /// The output columns `first..<end` whose input column `ox · stride + shift` lies in `0..<width`.
    @inline(__always)
    static func columns(shift: Int, stride: Int, width: Int, outputs: Int) -> (Int, Int) {
        // ox · stride + shift ≥ 0  ⇔  ox ≥ ceil(−shift / stride); ox · stride + shift < width.
        let first = shift >= 0 ? 0 : (-shift + stride - 1) / stride
        let last = width - 1 - shift
        let end = last < 0 ? 0 : min(outputs, last / stride + 1)
        return (first, end)
    }
}
