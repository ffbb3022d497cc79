/// Float ADD, SUB, MUL (and DIV, MAXIMUM, MINIMUM, PRELU) with NumPy/TFLite broadcasting, then the
/// fused activation clamp: `output[i] = act(a[i'] ∘ b[i''])` where `i'`, `i''` are `i` with
/// each dimension of size 1 in that operand held at 0. Ranks up to `StridedLayout.maxRank`.
public enum ElementwiseBinary {
    /// The arithmetic operation.
    public enum Operation: Equatable, Sendable {
        case add, subtract, multiply, divide, maximum, minimum
        /// PRELU: `a` where `a ≥ 0`, else `a · b` (b is the learned slope, broadcast).
        case prelu
    }

    /// The operator's parameters, with the broadcast strides computed once.
    public struct Parameters: Equatable, Sendable {
        /// The arithmetic.
        public let operation: Operation
        /// The fused activation clamp.
        public let activation: ActivationRange
        /// The broadcast output shape (the longer rank of the two).
        public let outputShape: [Int]
        /// Output elements.
        public let outputCount: Int
        // Padded output dims; operand strides (0 along broadcast dimensions); fast-path kind.
        let dims: [Int]
        let stridesA: [Int]
        let stridesB: [Int]
        let sameShape: Bool

        /// Nil when the shapes do not broadcast (a dimension pair differs and neither is 1)
        /// or a rank is above `StridedLayout.maxRank`.
        public init?(_ operation: Operation, shapeA: [Int], shapeB: [Int], activation: ActivationRange = .none) {
            guard let la = StridedLayout(shapeA), let lb = StridedLayout(shapeB) else { return nil }
            var dims = [Int](repeating: 1, count: StridedLayout.maxRank)
            var sa = dims, sb = dims
            for i in 0..<StridedLayout.maxRank {
                let x = la.dims[i], y = lb.dims[i]
                guard x == y || x == 1 || y == 1 else { return nil }
                dims[i] = max(x, y)
                sa[i] = x == 1 ? 0 : la.strides[i]
                sb[i] = y == 1 ? 0 : lb.strides[i]
            }
            self.operation = operation
            self.activation = activation
            let rank = max(shapeA.count, shapeB.count)
            outputShape = Array(dims.suffix(rank))
            outputCount = dims.reduce(1, *)
            self.dims = dims
            stridesA = sa
            stridesB = sb
            sameShape = la.dims == lb.dims
        }
    }

    /// Runs the operation; `output` may alias an operand of the output's shape.
    public static func forward(_ p: Parameters, a: UnsafePointer<Float>, b: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        switch p.operation {
        case .add: run(p, a, b, output) { $0 + $1 }
        case .subtract: run(p, a, b, output) { $0 - $1 }
        case .multiply: run(p, a, b, output) { $0 * $1 }
        case .divide: run(p, a, b, output) { $0 / $1 }
        case .maximum: run(p, a, b, output) { Swift.max($0, $1) }
        case .minimum: run(p, a, b, output) { Swift.min($0, $1) }
        case .prelu: run(p, a, b, output) { $0 >= 0 ? $0 : $0 * $1 }
        }
    }

    @inline(__always)
    private static func run(_ p: Parameters, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                            _ f: (Float, Float) -> Float) {
        let lo = p.activation.lower, hi = p.activation.upper
        if p.sameShape {
            for i in 0..<p.outputCount {
                let x = f(a[i], b[i])
                out[i] = x < lo ? lo : (x > hi ? hi : x)
            }
            return
        }
        p.dims.withUnsafeBufferPointer { d in
            p.stridesA.withUnsafeBufferPointer { sa in
                p.stridesB.withUnsafeBufferPointer { sb in
                    var dst = out
                    let a5 = sa[5], b5 = sb[5]
                    for i0 in 0..<d[0] { for i1 in 0..<d[1] { for i2 in 0..<d[2] { for i3 in 0..<d[3] { for i4 in 0..<d[4] {
                        let pa = a + i0 * sa[0] + i1 * sa[1] + i2 * sa[2] + i3 * sa[3] + i4 * sa[4]
                        let pb = b + i0 * sb[0] + i1 * sb[1] + i2 * sb[2] + i3 * sb[3] + i4 * sb[4]
                        for i5 in 0..<d[5] {
                            let x = f(pa[i5 * a5], pb[i5 * b5])
                            dst[i5] = x < lo ? lo : (x > hi ? hi : x)
                        }
                        dst += d[5]
                    } } } } }
                }
            }
        }
    }
}
