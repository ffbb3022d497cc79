/// Float FULLY_CONNECTED with TFLite's `[outputs, inputs]` weights:
/// `output[b, o] = act(bias[o] + Σ_i input[b, i] · weights[o, i])` for `batches` rows;
/// `bias` may be nil (zero).
public enum FullyConnected {
    /// The operator's parameters.
    public struct Parameters: Equatable, Sendable {
        /// Rows of the input (`inputElements / inputDepth`).
        public var batches: Int
        /// Values per input row (the weights' second dimension).
        public var inputDepth: Int
        /// Values per output row (the weights' first dimension).
        public var outputDepth: Int
        /// The fused activation clamp.
        public var activation: ActivationRange

        /// The parameters of one fully connected layer.
        public init(batches: Int, inputDepth: Int, outputDepth: Int, activation: ActivationRange = .none) {
            self.batches = batches
            self.inputDepth = inputDepth
            self.outputDepth = outputDepth
            self.activation = activation
        }
    }

    /// Runs the layer. The output must not overlap the input.
    public static func forward(_ p: Parameters, input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        if p.batches == 1 {
            // One row: a matrix-vector product streams the weights once without packing them.
            GEMM.multiplyVector(m: p.outputDepth, n: p.inputDepth, a: weights, lda: p.inputDepth, x: input, y: output)
        } else {
            GEMM.multiply(transposeB: true, m: p.batches, n: p.outputDepth, k: p.inputDepth,
                          a: input, lda: p.inputDepth, b: weights, ldb: p.inputDepth, c: output, ldc: p.outputDepth)
        }
        Conv2D.addBias(bias, channels: p.outputDepth, rows: p.batches, activation: p.activation, output: output)
    }
}
