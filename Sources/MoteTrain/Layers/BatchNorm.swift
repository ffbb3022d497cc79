import Foundation

/// Batch normalization over the last axis (Keras' `BatchNormalization(axis=-1)`).
///
/// Training: per channel, the batch mean μ and biased variance σ² over all other axes give
/// `y = γ·(x − μ)/√(σ² + ε) + β`, and the moving averages move as
/// `moving = moving·momentum + stat·(1 − momentum)` (Keras 3, momentum 0.99, ε = 1e-3).
/// Inference uses the moving averages instead. Export folds it into the preceding conv or dense.
/// Batch sums are taken per thread chunk in Double and combined in chunk order.
public final class BatchNorm: Layer {
    public let momentum: Float
    public let epsilon: Float
    public private(set) var inputShape: [Int] = []
    public private(set) var outputShape: [Int] = []
    public private(set) var gamma: Parameter!
    public private(set) var beta: Parameter!
    public private(set) var movingMean: Parameter!
    public private(set) var movingVariance: Parameter!
    private var channels = 0
    /// Batch statistics of the last training forward pass (used by backward).
    private var mean: [Float] = [], invStd: [Float] = []

    public init(momentum: Float = 0.99, epsilon: Float = 1e-3) {
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public var description: String { "BatchNorm" }
    public var parameters: [Parameter] { [gamma, beta, movingMean, movingVariance] }

    public func build(inputShape: [Int], rng: inout SeededGenerator) throws -> [Int] {
        guard let c = inputShape.last, c > 0 else { throw TrainError("BatchNorm needs a non-empty input, got \(inputShape)") }
        channels = c
        self.inputShape = inputShape
        outputShape = inputShape
        gamma = Parameter(name: "gamma", shape: [c])
        beta = Parameter(name: "beta", shape: [c])
        movingMean = Parameter(name: "moving_mean", shape: [c], trainable: false)
        movingVariance = Parameter(name: "moving_variance", shape: [c], trainable: false)
        for i in 0..<c { gamma.value[i] = 1; movingVariance.value[i] = 1 }
        mean = [Float](repeating: 0, count: c)
        invStd = [Float](repeating: 1, count: c)
        return outputShape
    }

    /// Chunk-ordered per-channel sums over the rows of a batch (`rows` = batch·H·W): `accumulate`
    /// adds one row into float accumulators; each sample's float sums are added into Double, and
    /// the chunks combined in order.
    private func channelSums(rowsPerSample: Int, batch: Int, workers: Workers,
                             _ accumulate: (Int, UnsafeMutablePointer<Float>) -> Void) -> [Double] {
        let c = channels
        let partial = UnsafeMutablePointer<Double>.allocate(capacity: workers.threads * c)
        partial.initialize(repeating: 0, count: workers.threads * c)
        let local = UnsafeMutablePointer<Float>.allocate(capacity: workers.threads * c)
        defer { partial.deallocate(); local.deallocate() }
        workers.forChunks(of: batch) { t, range in
            let acc = partial + t * c, f = local + t * c
            for n in range {
                f.update(repeating: 0, count: c)
                for row in (n * rowsPerSample)..<((n + 1) * rowsPerSample) { accumulate(row, f) }
                for ch in 0..<c { acc[ch] += Double(f[ch]) }
            }
        }
        var sums = [Double](repeating: 0, count: c)
        for t in 0..<workers.threads { for ch in 0..<c { sums[ch] += partial[t * c + ch] } }
        return sums
    }

    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, context: PassContext) {
        let c = channels, rowsPerSample = inputShape.reduce(1, *) / c
        let g = gamma.value.pointer, b = beta.value.pointer
        if context.training {
            let m = Double(batch * rowsPerSample)
            let sums = channelSums(rowsPerSample: rowsPerSample, batch: batch, workers: context.workers) { row, acc in
                let p = x + row * c
                for ch in 0..<c { acc[ch] += p[ch] }
            }
            let mu = sums.map { $0 / m }
            let muF = mu.map(Float.init)
            let sq = muF.withUnsafeBufferPointer { m in
                channelSums(rowsPerSample: rowsPerSample, batch: batch, workers: context.workers) { row, acc in
                    let p = x + row * c, mp = m.baseAddress!
                    for ch in 0..<c { let d = p[ch] - mp[ch]; acc[ch] += d * d }
                }
            }
            for ch in 0..<c {
                let variance = Float(sq[ch] / m)
                mean[ch] = muF[ch]
                invStd[ch] = 1 / (variance + epsilon).squareRoot()
                movingMean.value[ch] = movingMean.value[ch] * momentum + muF[ch] * (1 - momentum)
                movingVariance.value[ch] = movingVariance.value[ch] * momentum + variance * (1 - momentum)
            }
            apply(x, y, batch: batch, rowsPerSample: rowsPerSample, mean: mean, invStd: invStd, g: g, b: b, workers: context.workers)
        } else {
            var mm = [Float](repeating: 0, count: c), inv = [Float](repeating: 0, count: c)
            for ch in 0..<c {
                mm[ch] = movingMean.value[ch]
                inv[ch] = 1 / (movingVariance.value[ch] + epsilon).squareRoot()
            }
            apply(x, y, batch: batch, rowsPerSample: rowsPerSample, mean: mm, invStd: inv, g: g, b: b, workers: context.workers)
        }
    }

    private func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, rowsPerSample: Int,
                       mean: [Float], invStd: [Float], g: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>,
                       workers: Workers) {
        let c = channels
        var scale = [Float](repeating: 0, count: c), shift = [Float](repeating: 0, count: c)
        for ch in 0..<c {
            scale[ch] = g[ch] * invStd[ch]
            shift[ch] = b[ch] - mean[ch] * scale[ch]
        }
        scale.withUnsafeBufferPointer { sc in
            shift.withUnsafeBufferPointer { sh in
                let scp = sc.baseAddress!, shp = sh.baseAddress!
                workers.forChunks(of: batch) { _, range in
                    for row in (range.lowerBound * rowsPerSample)..<(range.upperBound * rowsPerSample) {
                        let p = x + row * c, q = y + row * c
                        for ch in 0..<c { q[ch] = p[ch] * scp[ch] + shp[ch] }
                    }
                }
            }
        }
    }

    public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafeMutablePointer<Float>,
                         dx: UnsafeMutablePointer<Float>?, batch: Int, context: PassContext) {
        let c = channels, rowsPerSample = inputShape.reduce(1, *) / c
        let g = gamma.value.pointer
        if !context.training {
            // Inference-mode statistics are constants: an affine map per channel.
            var inv = [Float](repeating: 0, count: c)
            for ch in 0..<c { inv[ch] = 1 / (movingVariance.value[ch] + epsilon).squareRoot() }
            for ch in 0..<c { gamma.gradient[ch] = 0; beta.gradient[ch] = 0 }
            for row in 0..<(batch * rowsPerSample) {
                for ch in 0..<c {
                    let d = dy[row * c + ch], xhat = (x[row * c + ch] - movingMean.value[ch]) * inv[ch]
                    gamma.gradient[ch] += d * xhat
                    beta.gradient[ch] += d
                    dx?[row * c + ch] = d * g[ch] * inv[ch]
                }
            }
            return
        }
        let mu = mean, inv = invStd
        let sums = channelSums(rowsPerSample: rowsPerSample, batch: batch, workers: context.workers) { row, acc in
            let d = dy + row * c
            for ch in 0..<c { acc[ch] += d[ch] }
        }
        let dotSums = mu.withUnsafeBufferPointer { m in
            inv.withUnsafeBufferPointer { iv in
                channelSums(rowsPerSample: rowsPerSample, batch: batch, workers: context.workers) { row, acc in
                    let p = x + row * c, d = dy + row * c, mp = m.baseAddress!, ip = iv.baseAddress!
                    for ch in 0..<c { acc[ch] += d[ch] * ((p[ch] - mp[ch]) * ip[ch]) }
                }
            }
        }
        for ch in 0..<c {
            beta.gradient[ch] = Float(sums[ch])
            gamma.gradient[ch] = Float(dotSums[ch])
        }
        guard let dx else { return }
        let m = Float(batch * rowsPerSample)
        var k = [Float](repeating: 0, count: c), meanDy = [Float](repeating: 0, count: c), meanDot = [Float](repeating: 0, count: c)
        for ch in 0..<c {
            k[ch] = g[ch] * inv[ch]
            meanDy[ch] = Float(sums[ch]) / m
            meanDot[ch] = Float(dotSums[ch]) / m
        }
        // dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂)) = a·dy + b·x + c per channel, with
        // a = γ/σ, b = −a·mean(dy·x̂)/σ, c = −a·mean(dy) − b·μ.
        var ca = [Float](repeating: 0, count: c), cb = ca, cc = ca
        for ch in 0..<c {
            ca[ch] = k[ch]
            cb[ch] = -k[ch] * meanDot[ch] * inv[ch]
            cc[ch] = -k[ch] * meanDy[ch] - cb[ch] * mu[ch]
        }
        ca.withUnsafeBufferPointer { ap in cb.withUnsafeBufferPointer { bp in cc.withUnsafeBufferPointer { cp in
            let a = ap.baseAddress!, b = bp.baseAddress!, cst = cp.baseAddress!
            context.workers.forChunks(of: batch) { _, range in
                for row in (range.lowerBound * rowsPerSample)..<(range.upperBound * rowsPerSample) {
                    let p = x + row * c, d = dy + row * c, o = dx + row * c
                    for ch in 0..<c { o[ch] = a[ch] * d[ch] + b[ch] * p[ch] + cst[ch] }
                }
            }
        } } }
    }
}
