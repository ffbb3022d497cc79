import Foundation

/// A separate activation layer: ReLU, ReLU6, Sigmoid (exported as LOGISTIC) or Softmax over
/// the last axis.
public final class ActivationLayer: Layer {
    /// Which activation.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case relu, relu6, sigmoid, softmax
    }

    public let kind: Kind
    public private(set) var inputShape: [Int] = []
    public private(set) var outputShape: [Int] = []

    public init(_ kind: Kind) { self.kind = kind }
    public var description: String { kind.rawValue }
    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], rng: inout SeededGenerator) throws -> [Int] {
        guard !inputShape.isEmpty else { throw TrainError("\(kind.rawValue) needs a non-scalar input") }
        self.inputShape = inputShape
        outputShape = inputShape
        return outputShape
    }

    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, context: PassContext) {
        let count = inputShape.reduce(1, *), last = inputShape.last!, kind = kind
        context.workers.forChunks(of: batch) { _, range in
            let xs = x + range.lowerBound * count, ys = y + range.lowerBound * count, total = range.count * count
            switch kind {
            case .relu, .relu6:
                // The fused-activation SIMD loops, on a copy.
                ys.update(from: xs, count: total)
                (kind == .relu ? Activation.relu : Activation.relu6).apply(ys, count: total)
            case .sigmoid: for i in 0..<total { ys[i] = ActivationLayer.sigmoid(xs[i]) }
            case .softmax:
                var r = 0
                while r < total {
                    var m = -Float.infinity
                    for i in r..<(r + last) { m = max(m, xs[i]) }
                    var s: Float = 0
                    for i in r..<(r + last) { ys[i] = Foundation.exp(xs[i] - m); s += ys[i] }
                    let inv = 1 / s
                    for i in r..<(r + last) { ys[i] *= inv }
                    r += last
                }
            }
        }
    }

    public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafeMutablePointer<Float>,
                         dx: UnsafeMutablePointer<Float>?, batch: Int, context: PassContext) {
        guard let dx else { return }
        let count = inputShape.reduce(1, *), last = inputShape.last!, kind = kind
        context.workers.forChunks(of: batch) { _, range in
            let ys = y + range.lowerBound * count, g = dy + range.lowerBound * count
            let d = dx + range.lowerBound * count, total = range.count * count
            switch kind {
            case .relu, .relu6:
                d.update(from: g, count: total)
                (kind == .relu ? Activation.relu : Activation.relu6).maskGradient(d, output: ys, count: total)
            case .sigmoid: for i in 0..<total { d[i] = g[i] * ys[i] * (1 - ys[i]) }
            case .softmax:
                var r = 0
                while r < total {
                    var dot: Float = 0
                    for i in r..<(r + last) { dot += g[i] * ys[i] }
                    for i in r..<(r + last) { d[i] = ys[i] * (g[i] - dot) }
                    r += last
                }
            }
        }
    }

    /// The logistic function, computed without overflow for large |x|.
    @inlinable
    public static func sigmoid(_ x: Float) -> Float {
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }
}
