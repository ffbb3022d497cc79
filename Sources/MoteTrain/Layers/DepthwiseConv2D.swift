/// A depthwise 2-D convolution: input channel `c` is convolved with `depthMultiplier` kernels,
/// giving output channels `c·M + m`; the kernel is stored `[1, kH, kW, C·M]` (TFLite's layout),
/// with a bias and a fused activation. Direct loops (no im2col): the work per output is small.
public final class DepthwiseConv2D: Layer {
    public let kernelSize: (Int, Int)
    public let strides: (Int, Int)
    public let padding: Padding
    public let depthMultiplier: Int
    public let activation: Activation
    public let useBias: Bool
    public private(set) var inputShape: [Int] = []
    public private(set) var outputShape: [Int] = []
    public private(set) var kernel: Parameter!
    public private(set) var bias: Parameter!
    var window: Window2D!
    private var threads = 0
    private var kernelGrad: ThreadScratch!, biasGrad: ThreadScratch!

    public init(kernelSize: (Int, Int), strides: (Int, Int) = (1, 1), padding: Padding = .valid, depthMultiplier: Int = 1,
                activation: Activation = .none, useBias: Bool = true) {
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.depthMultiplier = depthMultiplier
        self.activation = activation
        self.useBias = useBias
    }

    public var description: String {
        "DepthwiseConv2D(\(kernelSize.0)×\(kernelSize.1), stride \(strides.0), \(padding.rawValue), ×\(depthMultiplier), \(activation.rawValue))"
    }
    public var parameters: [Parameter] { useBias ? [kernel, bias] : [kernel] }

    public func build(inputShape: [Int], rng: inout SeededGenerator) throws -> [Int] {
        guard depthMultiplier > 0 else { throw TrainError("\(description): depth multiplier must be positive") }
        let w = try Window2D(sample: inputShape, kernel: kernelSize, strides: strides, padding: padding, layer: description)
        window = w
        self.inputShape = inputShape
        let outC = w.channels * depthMultiplier
        outputShape = [w.outH, w.outW, outC]
        kernel = Parameter(name: "depthwise_kernel", shape: [1, w.kH, w.kW, outC])
        Initializers.glorotUniform(kernel, fanIn: w.kH * w.kW * w.channels, fanOut: w.kH * w.kW * depthMultiplier, rng: &rng)
        bias = Parameter(name: "bias", shape: [outC])
        threads = 0
        return outputShape
    }

    private func prepareScratch(_ workers: Workers) {
        guard threads != workers.threads else { return }
        threads = workers.threads
        kernelGrad = ThreadScratch(threads: threads, count: kernel.count)
        biasGrad = ThreadScratch(threads: threads, count: bias.count)
    }

    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, context: PassContext) {
        let w = window!, cin = w.channels, mult = depthMultiplier, cout = cin * mult
        let inCount = w.inputCount, outCount = w.positions * cout
        let k = kernel.value.pointer, b = bias.value.pointer, useBias = useBias, act = activation
        context.workers.forChunks(of: batch) { _, range in
            for n in range {
                let xs = x + n * inCount
                var out = y + n * outCount
                for oy in 0..<w.outH {
                    let iy0 = oy * w.strideH - w.padTop
                    for ox in 0..<w.outW {
                        let ix0 = ox * w.strideW - w.padLeft
                        if useBias { out.update(from: b, count: cout) } else { out.update(repeating: 0, count: cout) }
                        for ky in 0..<w.kH {
                            let iy = iy0 + ky
                            if iy < 0 || iy >= w.inH { continue }
                            for kx in 0..<w.kW {
                                let ix = ix0 + kx
                                if ix < 0 || ix >= w.inW { continue }
                                let p = xs + (iy * w.inW + ix) * cin, kk = k + (ky * w.kW + kx) * cout
                                if mult == 1 {
                                    for c in 0..<cin { out[c] += p[c] * kk[c] }
                                } else {
                                    for c in 0..<cin { for m in 0..<mult { out[c * mult + m] += p[c] * kk[c * mult + m] } }
                                }
                            }
                        }
                        out += cout
                    }
                }
                act.apply(y + n * outCount, count: outCount)
            }
        }
    }

    public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafeMutablePointer<Float>,
                         dx: UnsafeMutablePointer<Float>?, batch: Int, context: PassContext) {
        prepareScratch(context.workers)
        let w = window!, cin = w.channels, mult = depthMultiplier, cout = cin * mult
        let inCount = w.inputCount, outCount = w.positions * cout
        let k = kernel.value.pointer, act = activation
        for t in 0..<threads { kernelGrad[t].zero(); biasGrad[t].zero() }
        context.workers.forChunks(of: batch) { t, range in
            let dW = kernelGrad[t].pointer, db = biasGrad[t].pointer
            for n in range {
                let xs = x + n * inCount
                let dz0 = dy + n * outCount
                act.maskGradient(dz0, output: y + n * outCount, count: outCount)
                let dxs = dx.map { $0 + n * inCount }
                dxs?.update(repeating: 0, count: inCount)
                var dz = UnsafePointer(dz0)
                for oy in 0..<w.outH {
                    let iy0 = oy * w.strideH - w.padTop
                    for ox in 0..<w.outW {
                        let ix0 = ox * w.strideW - w.padLeft
                        for o in 0..<cout { db[o] += dz[o] }
                        for ky in 0..<w.kH {
                            let iy = iy0 + ky
                            if iy < 0 || iy >= w.inH { continue }
                            for kx in 0..<w.kW {
                                let ix = ix0 + kx
                                if ix < 0 || ix >= w.inW { continue }
                                let off = (iy * w.inW + ix) * cin, kOff = (ky * w.kW + kx) * cout
                                let p = xs + off, kk = k + kOff, gw = dW + kOff
                                if mult == 1 {
                                    for c in 0..<cin { gw[c] += p[c] * dz[c] }
                                    if let dxs { let d = dxs + off; for c in 0..<cin { d[c] += kk[c] * dz[c] } }
                                } else {
                                    for c in 0..<cin {
                                        for m in 0..<mult { gw[c * mult + m] += p[c] * dz[c * mult + m] }
                                    }
                                    if let dxs {
                                        let d = dxs + off
                                        for c in 0..<cin {
                                            var s: Float = 0
                                            for m in 0..<mult { s += kk[c * mult + m] * dz[c * mult + m] }
                                            d[c] += s
                                        }
                                    }
                                }
                            }
                        }
                        dz += cout
                    }
                }
            }
        }
        kernelGrad.sum(into: kernel.gradient, count: kernel.count)
        if useBias { biasGrad.sum(into: bias.gradient, count: bias.count) }
    }
}
