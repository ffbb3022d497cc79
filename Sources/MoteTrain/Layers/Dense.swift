import MoteFloat

/// A fully connected layer `y = act(x·Wᵀ + b)` with the kernel stored `[units, inputs]`
/// (TFLite's FULLY_CONNECTED layout; Keras stores the transpose).
///
/// Threads split the forward pass and `dx` by samples and the weight gradient by output units,
/// so no partial gradients need combining.
public final class Dense: Layer {
    public let units: Int
    public let activation: Activation
    public let useBias: Bool
    public private(set) var inputShape: [Int] = []
    public private(set) var outputShape: [Int] = []
    public private(set) var kernel: Parameter!
    public private(set) var bias: Parameter!
    private var inputs = 0

    /// A dense layer with `units` outputs.
    public init(units: Int, activation: Activation = .none, useBias: Bool = true) {
        self.units = units
        self.activation = activation
        self.useBias = useBias
    }

    public var description: String { "Dense(\(units), \(activation.rawValue))" }
    public var parameters: [Parameter] { useBias ? [kernel, bias] : [kernel] }

    public func build(inputShape: [Int], rng: inout SeededGenerator) throws -> [Int] {
        guard inputShape.count == 1 else { throw TrainError("\(description) needs a flat input, got \(inputShape) (add Flatten)") }
        guard units > 0 else { throw TrainError("\(description): units must be positive") }
        inputs = inputShape[0]
        self.inputShape = inputShape
        outputShape = [units]
        kernel = Parameter(name: "kernel", shape: [units, inputs])
        Initializers.glorotUniform(kernel, fanIn: inputs, fanOut: units, rng: &rng)
        bias = Parameter(name: "bias", shape: [units])
        return outputShape
    }

    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, context: PassContext) {
        let k = inputs, u = units, w = kernel.value.pointer, b = bias.value.pointer, useBias = useBias, act = activation
        context.workers.forChunks(of: batch) { _, range in
            let rows = range.count, ys = y + range.lowerBound * u
            GEMM.multiply(transposeB: true, m: rows, n: u, k: k, a: x + range.lowerBound * k, lda: k, b: w, ldb: k, c: ys, ldc: u)
            if useBias {
                for r in 0..<rows {
                    let row = ys + r * u
                    for o in 0..<u { row[o] += b[o] }
                }
            }
            act.apply(ys, count: rows * u)
        }
    }

    public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafeMutablePointer<Float>,
                         dx: UnsafeMutablePointer<Float>?, batch: Int, context: PassContext) {
        let k = inputs, u = units, w = kernel.value.pointer, act = activation
        let dW = kernel.gradient.pointer, db = bias.gradient.pointer, useBias = useBias
        context.workers.forChunks(of: batch) { _, range in
            act.maskGradient(dy + range.lowerBound * u, output: y + range.lowerBound * u, count: range.count * u)
        }
        let workers = context.workers
        workers.run { t in
            // Output units split across threads: dW[o, :] = Σₙ dy[n, o]·x[n, :].
            let r = workers.chunk(t, of: u)
            if !r.isEmpty {
                GEMM.multiply(transposeA: true, m: r.count, n: k, k: batch, a: dy + r.lowerBound, lda: u,
                              b: x, ldb: k, c: dW + r.lowerBound * k, ldc: k)
                if useBias {
                    for o in r {
                        var s: Float = 0
                        for n in 0..<batch { s += dy[n * u + o] }
                        db[o] = s
                    }
                }
            }
            // Samples split across threads: dx[n, :] = dy[n, :]·W.
            if let dx {
                let s = workers.chunk(t, of: batch)
                if !s.isEmpty {
                    GEMM.multiply(m: s.count, n: k, k: u, a: dy + s.lowerBound * u, lda: u, b: w, ldb: k,
                                  c: dx + s.lowerBound * k, ldc: k)
                }
            }
        }
    }
}
