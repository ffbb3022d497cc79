/// The mean over height and width: `[H, W, C] → [C]` (exported as TFLite MEAN over axes 1, 2).
public final class GlobalAveragePool2D: Layer {
    public private(set) var inputShape: [Int] = []
    public private(set) var outputShape: [Int] = []

    public init() {}
    public var description: String { "GlobalAveragePool2D" }
    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], rng: inout SeededGenerator) throws -> [Int] {
        guard inputShape.count == 3 else { throw TrainError("\(description) needs an H×W×C input, got \(inputShape)") }
        self.inputShape = inputShape
        outputShape = [inputShape[2]]
        return outputShape
    }

    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, context: PassContext) {
        let hw = inputShape[0] * inputShape[1], c = inputShape[2], scale = 1 / Float(hw)
        context.workers.forChunks(of: batch) { _, range in
            for n in range {
                let xs = x + n * hw * c, ys = y + n * c
                ys.update(repeating: 0, count: c)
                for p in 0..<hw { for ch in 0..<c { ys[ch] += xs[p * c + ch] } }
                for ch in 0..<c { ys[ch] *= scale }
            }
        }
    }

    public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafeMutablePointer<Float>,
                         dx: UnsafeMutablePointer<Float>?, batch: Int, context: PassContext) {
        guard let dx else { return }
        let hw = inputShape[0] * inputShape[1], c = inputShape[2], scale = 1 / Float(hw)
        context.workers.forChunks(of: batch) { _, range in
            for n in range {
                let g = dy + n * c, dxs = dx + n * hw * c
                for p in 0..<hw { for ch in 0..<c { dxs[p * c + ch] = g[ch] * scale } }
            }
        }
    }
}
