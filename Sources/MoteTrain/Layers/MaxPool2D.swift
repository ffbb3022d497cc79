/// 2-D max pooling (TensorFlow semantics: padded positions never win). The forward pass records
/// which input each output came from (the first maximum in row-major window order); backward
/// routes each output gradient there.
public final class MaxPool2D: Layer {
    public let poolSize: (Int, Int)
    public let strides: (Int, Int)
    public let padding: Padding
    public private(set) var inputShape: [Int] = []
    public private(set) var outputShape: [Int] = []
    var window: Window2D!
    /// For every output of the last forward pass, the index of its input within the sample.
    private var argmax: UnsafeMutablePointer<Int32>?
    private var argmaxCapacity = 0

    /// A max pool; strides default to the pool size (Keras' default).
    public init(poolSize: (Int, Int) = (2, 2), strides: (Int, Int)? = nil, padding: Padding = .valid) {
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        self.padding = padding
    }

    deinit { argmax?.deallocate() }

    public var description: String { "MaxPool2D(\(poolSize.0)×\(poolSize.1), stride \(strides.0), \(padding.rawValue))" }
    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], rng: inout SeededGenerator) throws -> [Int] {
        window = try Window2D(sample: inputShape, kernel: poolSize, strides: strides, padding: padding, layer: description)
        self.inputShape = inputShape
        outputShape = [window.outH, window.outW, window.channels]
        return outputShape
    }

    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, context: PassContext) {
        let w = window!, c = w.channels, inCount = w.inputCount, outCount = w.positions * c
        if argmaxCapacity < batch * outCount {
            argmax?.deallocate()
            argmaxCapacity = batch * outCount
            argmax = .allocate(capacity: argmaxCapacity)
        }
        let arg = argmax!
        context.workers.forChunks(of: batch) { _, range in
            for n in range {
                let xs = x + n * inCount
                var out = y + n * outCount, idx = arg + n * outCount
                for oy in 0..<w.outH {
                    let y0 = max(0, oy * w.strideH - w.padTop), y1 = min(w.inH, oy * w.strideH - w.padTop + w.kH)
                    for ox in 0..<w.outW {
                        let x0 = max(0, ox * w.strideW - w.padLeft), x1 = min(w.inW, ox * w.strideW - w.padLeft + w.kW)
                        if y1 - y0 == 2 && x1 - x0 == 2 {
                            // The common 2×2 window, unrolled so the channel loop vectorizes.
                            let b0 = (y0 * w.inW + x0) * c, b1 = b0 + c, b2 = b0 + w.inW * c, b3 = b2 + c
                            let p0 = xs + b0, p1 = xs + b1, p2 = xs + b2, p3 = xs + b3
                            for ch in 0..<c {
                                var best = p0[ch], at = Int32(b0 + ch)
                                if p1[ch] > best { best = p1[ch]; at = Int32(b1 + ch) }
                                if p2[ch] > best { best = p2[ch]; at = Int32(b2 + ch) }
                                if p3[ch] > best { best = p3[ch]; at = Int32(b3 + ch) }
                                out[ch] = best
                                idx[ch] = at
                            }
                            out += c
                            idx += c
                            continue
                        }
                        let first = Int32((y0 * w.inW + x0) * c)
                        out.update(from: xs + Int(first), count: c)
                        for ch in 0..<c { idx[ch] = first + Int32(ch) }
                        for iy in y0..<y1 {
                            for ix in x0..<x1 {
                                let base = Int32((iy * w.inW + ix) * c)
                                let p = xs + Int(base)
                                for ch in 0..<c {
                                    let v = p[ch], better = v > out[ch]
                                    out[ch] = better ? v : out[ch]
                                    idx[ch] = better ? base + Int32(ch) : idx[ch]
                                }
                            }
                        }
                        out += c
                        idx += c
                    }
                }
            }
        }
    }

    public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafeMutablePointer<Float>,
                         dx: UnsafeMutablePointer<Float>?, batch: Int, context: PassContext) {
        guard let dx, let arg = argmax else { return }
        let inCount = window.inputCount, outCount = window.positions * window.channels
        context.workers.forChunks(of: batch) { _, range in
            for n in range {
                let dxs = dx + n * inCount, g = dy + n * outCount, idx = arg + n * outCount
                dxs.update(repeating: 0, count: inCount)
                for o in 0..<outCount { dxs[Int(idx[o])] += g[o] }
            }
        }
    }
}
