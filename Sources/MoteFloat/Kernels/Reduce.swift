/// Float reductions over a set of axes (MEAN, SUM, REDUCE_MAX, REDUCE_MIN): every output
/// element combines the input elements that differ from it only along the reduced axes.
/// MEAN is the sum divided by the number of reduced elements; sums are accumulated in Double.
/// Reducing over nothing (an empty axis) gives 0 for MEAN and SUM, −∞ for MAX, +∞ for MIN.
public enum Reduce {
    /// How reduced elements combine.
    public enum Operation: Equatable, Sendable { case mean, sum, maximum, minimum }

    /// The operator's parameters: the input shape and which of its axes are reduced.
    public struct Parameters: Equatable, Sendable {
        /// How reduced elements combine.
        public let operation: Operation
        /// The input's shape.
        public let inputShape: [Int]
        /// `reduced[i]`: axis i is averaged over.
        public let reduced: [Bool]
        /// Output elements (the product of the kept dimensions).
        public let outputCount: Int
        /// Input elements per output element.
        public let reducedCount: Int
        // The input dimensions left-padded to `StridedLayout.maxRank`, and the output's
        // stride along each of them (0 along reduced axes).
        let dims: [Int]
        let outputStrides: [Int]

        /// Nil when the rank is above `StridedLayout.maxRank` or `reduced` has the wrong length.
        public init?(_ operation: Operation = .mean, inputShape: [Int], reduced: [Bool]) {
            guard let layout = StridedLayout(inputShape), reduced.count == inputShape.count else { return nil }
            self.operation = operation
            self.inputShape = inputShape
            self.reduced = reduced
            outputCount = zip(inputShape, reduced).reduce(1) { $0 * ($1.1 ? 1 : $1.0) }
            reducedCount = zip(inputShape, reduced).reduce(1) { $0 * ($1.1 ? $1.0 : 1) }
            dims = layout.dims
            let padded = [Bool](repeating: true, count: StridedLayout.maxRank - inputShape.count) + reduced
            var strides = [Int](repeating: 0, count: StridedLayout.maxRank)
            var s = 1
            for i in stride(from: StridedLayout.maxRank - 1, through: 0, by: -1) where !padded[i] {
                strides[i] = s
                s *= layout.dims[i]
            }
            outputStrides = strides
        }
    }

    /// Runs the reduction; `accumulator` must hold `parameters.outputCount` Doubles.
    public static func forward(_ p: Parameters, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                               accumulator: UnsafeMutablePointer<Double>) {
        switch p.operation {
        case .mean, .sum: run(p, input, accumulator, start: 0) { $0 + $1 }
        case .maximum: run(p, input, accumulator, start: -.infinity) { Swift.max($0, $1) }
        case .minimum: run(p, input, accumulator, start: .infinity) { Swift.min($0, $1) }
        }
        let scale = p.operation == .mean ? 1 / Double(max(1, p.reducedCount)) : 1
        for i in 0..<p.outputCount { output[i] = Float(accumulator[i] * scale) }
    }

    @inline(__always)
    private static func run(_ p: Parameters, _ input: UnsafePointer<Float>, _ accumulator: UnsafeMutablePointer<Double>,
                            start: Double, _ combine: (Double, Double) -> Double) {
        accumulator.update(repeating: start, count: p.outputCount)
        p.dims.withUnsafeBufferPointer { d in
            p.outputStrides.withUnsafeBufferPointer { os in
                var src = input
                for i0 in 0..<d[0] { for i1 in 0..<d[1] { for i2 in 0..<d[2] { for i3 in 0..<d[3] { for i4 in 0..<d[4] {
                    let base = accumulator + i0 * os[0] + i1 * os[1] + i2 * os[2] + i3 * os[3] + i4 * os[4]
                    let s5 = os[5]
                    for i5 in 0..<d[5] { base[i5 * s5] = combine(base[i5 * s5], Double(src[i5])) }
                    src += d[5]
                } } } } }
            }
        }
    }
}
