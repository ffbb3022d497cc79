import MoteFloat

/// A 2-D convolution over NHWC samples with an OHWI kernel (`[filters, kH, kW, C]`, TFLite's
/// layout), a bias and a fused activation: `y = act(conv(x, W) + b)`.
///
/// Forward is MoteFloat's im2col (`Im2Col.pack`) + GEMM per sample (a 1×1 stride-1 conv uses the input as the matrix);
/// backward computes `dW += dzᵀ·col`, `db += Σ dz` and `dcol = dz·W` followed by col2im,
/// where `dz` is `dy` masked by the activation's derivative.
public final class Conv2D: Layer {
    public let filters: Int
    public let kernelSize: (Int, Int)
    public let strides: (Int, Int)
    public let padding: Padding
    public let activation: Activation
    public let useBias: Bool
    public private(set) var inputShape: [Int] = []
    public private(set) var outputShape: [Int] = []
    public private(set) var kernel: Parameter!
    public private(set) var bias: Parameter!
    var window: Window2D!
    private var threads = 0
    private var col: ThreadScratch!, kernelGrad: ThreadScratch!, biasGrad: ThreadScratch!

    /// A convolution with `filters` output channels (Keras' defaults: stride 1, valid, bias).
    public init(filters: Int, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1), padding: Padding = .valid,
                activation: Activation = .none, useBias: Bool = true) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.activation = activation
        self.useBias = useBias
    }

    public var description: String {
        "Conv2D(\(filters), \(kernelSize.0)×\(kernelSize.1), stride \(strides.0), \(padding.rawValue), \(activation.rawValue))"
    }

    public var parameters: [Parameter] { useBias ? [kernel, bias] : [kernel] }

    public func build(inputShape: [Int], rng: inout SeededGenerator) throws -> [Int] {
        guard filters > 0 else { throw TrainError("\(description): filters must be positive") }
        let w = try Window2D(sample: inputShape, kernel: kernelSize, strides: strides, padding: padding, layer: description)
        window = w
        self.inputShape = inputShape
        outputShape = [w.outH, w.outW, filters]
        kernel = Parameter(name: "kernel", shape: [filters, w.kH, w.kW, w.channels])
        Initializers.glorotUniform(kernel, fanIn: w.patchCount, fanOut: w.kH * w.kW * filters, rng: &rng)
        bias = Parameter(name: "bias", shape: [filters])
        threads = 0
        return outputShape
    }

    private func prepareScratch(_ workers: Workers) {
        guard threads != workers.threads else { return }
        threads = workers.threads
        col = ThreadScratch(threads: threads, count: window.isPointwise ? 0 : window.positions * window.patchCount)
        kernelGrad = ThreadScratch(threads: threads, count: kernel.count)
        biasGrad = ThreadScratch(threads: threads, count: filters)
    }

    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, context: PassContext) {
        prepareScratch(context.workers)
        let w = window!, g = w.floatGeometry, k = w.patchCount, positions = w.positions, f = filters
        let inCount = w.inputCount, outCount = positions * f
        let weights = kernel.value.pointer, b = bias.value.pointer, useBias = useBias, act = activation
        context.workers.forChunks(of: batch) { t, range in
            let colBuffer = col[t].pointer
            for n in range {
                let xs = x + n * inCount, ys = y + n * outCount
                let a: UnsafePointer<Float>
                if w.isPointwise { a = xs } else { Im2Col.pack(input: xs, geometry: g, output: colBuffer); a = UnsafePointer(colBuffer) }
                GEMM.multiply(transposeB: true, m: positions, n: f, k: k, a: a, lda: k, b: weights, ldb: k, c: ys, ldc: f)
                if useBias {
                    for p in 0..<positions {
                        let row = ys + p * f
                        for o in 0..<f { row[o] += b[o] }
                    }
                }
                act.apply(ys, count: outCount)
            }
        }
    }

    public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafeMutablePointer<Float>,
                         dx: UnsafeMutablePointer<Float>?, batch: Int, context: PassContext) {
        prepareScratch(context.workers)
        let w = window!, g = w.floatGeometry, k = w.patchCount, positions = w.positions, f = filters
        let inCount = w.inputCount, outCount = positions * f
        let weights = kernel.value.pointer, act = activation
        for t in 0..<threads { kernelGrad[t].zero(); biasGrad[t].zero() }
        context.workers.forChunks(of: batch) { t, range in
            let colBuffer = col[t].pointer, dW = kernelGrad[t].pointer, db = biasGrad[t].pointer
            for n in range {
                let xs = x + n * inCount, dz = dy + n * outCount
                act.maskGradient(dz, output: y + n * outCount, count: outCount)
                ColumnSums.add(dz, rows: positions, columns: f, into: db)
                let a: UnsafePointer<Float>
                if w.isPointwise { a = xs } else { Im2Col.pack(input: xs, geometry: g, output: colBuffer); a = UnsafePointer(colBuffer) }
                // dW[f, k] += dzᵀ[f, positions] · col[positions, k]
                GEMM.multiply(transposeA: true, m: f, n: k, k: positions, a: dz, lda: f, b: a, ldb: k,
                              beta: 1, c: dW, ldc: k)
                guard let dx else { continue }
                let dxs = dx + n * inCount
                if w.isPointwise {
                    GEMM.multiply(m: positions, n: k, k: f, a: dz, lda: f, b: weights, ldb: k, c: dxs, ldc: k)
                } else {
                    // dcol[positions, k] = dz[positions, f] · W[f, k], reusing the col buffer.
                    GEMM.multiply(m: positions, n: k, k: f, a: dz, lda: f, b: weights, ldb: k, c: colBuffer, ldc: k)
                    dxs.update(repeating: 0, count: inCount)
                    w.col2imAdd(colBuffer, dxs)
                }
            }
        }
        kernelGrad.sum(into: kernel.gradient, count: kernel.count)
        if useBias { biasGrad.sum(into: bias.gradient, count: filters) }
    }
}
