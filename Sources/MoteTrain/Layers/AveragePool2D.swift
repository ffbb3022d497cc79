/// 2-D average pooling; with `same` padding each output averages only the in-bounds inputs
/// (TensorFlow's and TFLite's semantics).
public final class AveragePool2D: Layer {
    public let poolSize: (Int, Int)
    public let strides: (Int, Int)
    public let padding: Padding
    public private(set) var inputShape: [Int] = []
    public private(set) var outputShape: [Int] = []
    var window: Window2D!

    /// An average pool; strides default to the pool size (Keras' default).
    public init(poolSize: (Int, Int) = (2, 2), strides: (Int, Int)? = nil, padding: Padding = .valid) {
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        self.padding = padding
    }

    public var description: String { "AveragePool2D(\(poolSize.0)×\(poolSize.1), stride \(strides.0), \(padding.rawValue))" }
    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], rng: inout SeededGenerator) throws -> [Int] {
        window = try Window2D(sample: inputShape, kernel: poolSize, strides: strides, padding: padding, layer: description)
        self.inputShape = inputShape
        outputShape = [window.outH, window.outW, window.channels]
        return outputShape
    }

    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, context: PassContext) {
        let w = window!, c = w.channels, inCount = w.inputCount, outCount = w.positions * c
        context.workers.forChunks(of: batch) { _, range in
            for n in range {
                let xs = x + n * inCount
                var out = y + n * outCount
                for oy in 0..<w.outH {
                    let y0 = max(0, oy * w.strideH - w.padTop), y1 = min(w.inH, oy * w.strideH - w.padTop + w.kH)
                    for ox in 0..<w.outW {
                        let x0 = max(0, ox * w.strideW - w.padLeft), x1 = min(w.inW, ox * w.strideW - w.padLeft + w.kW)
                        out.update(repeating: 0, count: c)
                        for iy in y0..<y1 {
                            for ix in x0..<x1 {
                                let p = xs + (iy * w.inW + ix) * c
                                for ch in 0..<c { out[ch] += p[ch] }
                            }
                        }
                        let scale = 1 / Float((y1 - y0) * (x1 - x0))
                        for ch in 0..<c { out[ch] *= scale }
                        out += c
                    }
                }
            }
        }
    }

    public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafeMutablePointer<Float>,
                         dx: UnsafeMutablePointer<Float>?, batch: Int, context: PassContext) {
        guard let dx else { return }
        let w = window!, c = w.channels, inCount = w.inputCount, outCount = w.positions * c
        context.workers.forChunks(of: batch) { _, range in
            for n in range {
                let dxs = dx + n * inCount
                dxs.update(repeating: 0, count: inCount)
                var g = UnsafePointer(dy + n * outCount)
                for oy in 0..<w.outH {
                    let y0 = max(0, oy * w.strideH - w.padTop), y1 = min(w.inH, oy * w.strideH - w.padTop + w.kH)
                    for ox in 0..<w.outW {
                        let x0 = max(0, ox * w.strideW - w.padLeft), x1 = min(w.inW, ox * w.strideW - w.padLeft + w.kW)
                        let scale = 1 / Float((y1 - y0) * (x1 - x0))
                        for iy in y0..<y1 {
                            for ix in x0..<x1 {
                                let p = dxs + (iy * w.inW + ix) * c
                                for ch in 0..<c { p[ch] += g[ch] * scale }
                            }
                        }
                        g += c
                    }
                }
            }
        }
    }
}
