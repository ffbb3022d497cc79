/// Float CONV_2D over NHWC tensors with a TFLite OHWI filter, as im2col + GEMM.
///
/// `output[n, oy, ox, o] = act(bias[o] + Σ_{ky,kx,c} input[n, iy, ix, c] · filter[o, ky, kx, c])`
/// with `(iy, ix)` as in `WindowGeometry` (padding taps contribute 0); `bias` may be nil
/// (zero). A 1×1, stride-1, unpadded convolution multiplies the input directly.
public enum Conv2D {
    /// The operator's parameters.
    public struct Parameters: Equatable, Sendable {
        /// The window geometry (`channels` is the input depth, the filter's innermost dimension).
        public var geometry: WindowGeometry
        /// Output channels O (the filter's first dimension).
        public var outputChannels: Int
        /// The fused activation clamp.
        public var activation: ActivationRange

        /// The parameters of one convolution.
        public init(geometry: WindowGeometry, outputChannels: Int, activation: ActivationRange = .none) {
            self.geometry = geometry
            self.outputChannels = outputChannels
            self.activation = activation
        }

        /// Floats of scratch `forward` needs: one image's im2col matrix, or 0 for a pointwise conv.
        public var scratchCount: Int { geometry.isPointwise ? 0 : geometry.outputPositions * geometry.patchLength }
    }

    /// Runs the convolution; `scratch` must hold `parameters.scratchCount` floats (it may be
    /// nil when that is 0). The output must not overlap the input.
    public static func forward(_ p: Parameters, input: UnsafePointer<Float>, filter: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
                               scratch: UnsafeMutablePointer<Float>?) {
        let g = p.geometry
        let o = p.outputChannels, k = g.patchLength
        if g.isPointwise {
            let m = g.batch * g.outputPositions
            GEMM.multiply(transposeB: true, m: m, n: o, k: k, a: input, lda: k, b: filter, ldb: k, c: output, ldc: o)
        } else {
            // One image at a time keeps the scratch at one image's patches.
            var single = g
            single.batch = 1
            let m = g.outputPositions
            for n in 0..<g.batch {
                Im2Col.pack(input: input + n * g.inputImageCount, geometry: single, output: scratch!)
                GEMM.multiply(transposeB: true, m: m, n: o, k: k, a: scratch!, lda: k, b: filter, ldb: k,
                              c: output + n * m * o, ldc: o)
            }
        }
        addBias(bias, channels: o, rows: g.batch * g.outputPositions, activation: p.activation, output: output)
    }

    /// `output[r, c] = act(output[r, c] + bias[c])` for `rows` rows of `channels` values
    /// (bias nil: 0). Shared by the matrix-multiply operators.
    @inline(__always)
    static func addBias(_ bias: UnsafePointer<Float>?, channels: Int, rows: Int, activation: ActivationRange,
                        output: UnsafeMutablePointer<Float>) {
        if let bias {
            let lo = activation.lower, hi = activation.upper
            var row = output
            for _ in 0..<rows {
                for c in 0..<channels {
                    let x = row[c] + bias[c]
                    row[c] = x < lo ? lo : (x > hi ? hi : x)
                }
                row += channels
            }
        } else {
            activation.apply(output, count: rows * channels)
        }
    }
}
