/// Inverted dropout: in training each element is zeroed with probability `rate` and the kept
/// ones are scaled by `1 / (1 − rate)` (Keras); in inference it is the identity.
///
/// The mask is a pure function of (seed, step, layer index, element index), so the backward
/// pass regenerates it instead of storing it, and a resumed run draws the same masks.
public final class Dropout: Layer {
    public let rate: Float
    public private(set) var inputShape: [Int] = []
    public private(set) var outputShape: [Int] = []

    public init(rate: Float) { self.rate = rate }
    public var description: String { "Dropout(\(rate))" }
    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], rng: inout SeededGenerator) throws -> [Int] {
        guard rate >= 0, rate < 1 else { throw TrainError("Dropout rate \(rate) must be in [0, 1)") }
        self.inputShape = inputShape
        outputShape = inputShape
        return outputShape
    }

    /// Whether element `i` of the batch is kept at this step.
    @inlinable
    static func keep(_ i: Int, base: UInt64, threshold: UInt64) -> Bool {
        (SeededGenerator.mix(base &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15) >> 40) >= threshold
    }

    private func maskBase(_ context: PassContext) -> UInt64 {
        SeededGenerator(seed: context.seed, keys: 0xD50, UInt64(context.step), UInt64(context.layerIndex)).state
    }

    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, context: PassContext) {
        let total = batch * inputShape.reduce(1, *)
        guard context.training, rate > 0 else { y.update(from: x, count: total); return }
        let base = maskBase(context), threshold = UInt64(Double(rate) * 16_777_216), scale = 1 / (1 - rate)
        for i in 0..<total { y[i] = Dropout.keep(i, base: base, threshold: threshold) ? x[i] * scale : 0 }
    }

    public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafeMutablePointer<Float>,
                         dx: UnsafeMutablePointer<Float>?, batch: Int, context: PassContext) {
        guard let dx else { return }
        let total = batch * inputShape.reduce(1, *)
        guard context.training, rate > 0 else { dx.update(from: dy, count: total); return }
        let base = maskBase(context), threshold = UInt64(Double(rate) * 16_777_216), scale = 1 / (1 - rate)
        for i in 0..<total { dx[i] = Dropout.keep(i, base: base, threshold: threshold) ? dy[i] * scale : 0 }
    }
}
