/// PAD / PADV2 with a constant: the output has `before[i] + inputShape[i] + after[i]` along
/// dimension i, every element outside the copied input equal to `value`. Ranks up to
/// `StridedLayout.maxRank`; paddings are non-negative.
public enum Pad {
    /// The operator's parameters.
    public struct Parameters: Equatable, Sendable {
        /// The input's shape.
        public let inputShape: [Int]
        /// Elements added before the input along each dimension.
        public let before: [Int]
        /// Elements added after the input along each dimension.
        public let after: [Int]
        /// `before + inputShape + after`, per dimension.
        public let outputShape: [Int]
        let inDims: [Int]
        let outStrides: [Int]
        let offset: Int

        /// Nil for a rank above `StridedLayout.maxRank`, mismatched lengths or a negative padding.
        public init?(inputShape: [Int], before: [Int], after: [Int]) {
            guard inputShape.count == before.count, inputShape.count == after.count,
                  before.allSatisfy({ $0 >= 0 }), after.allSatisfy({ $0 >= 0 }),
                  let inLayout = StridedLayout(inputShape) else { return nil }
            let outputShape = (0..<inputShape.count).map { before[$0] + inputShape[$0] + after[$0] }
            let outLayout = StridedLayout(outputShape)!
            let pad = StridedLayout.maxRank - inputShape.count
            let paddedBefore = [Int](repeating: 0, count: pad) + before
            self.inputShape = inputShape
            self.before = before
            self.after = after
            self.outputShape = outputShape
            inDims = inLayout.dims
            outStrides = outLayout.strides
            offset = (0..<StridedLayout.maxRank).reduce(0) { $0 + paddedBefore[$1] * outLayout.strides[$1] }
        }

        /// Output elements.
        public var outputCount: Int { outputShape.reduce(1, *) }
    }

    /// Fills the output with `value`, then copies the input into place.
    public static func forward(_ p: Parameters, value: Float, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        output.update(repeating: value, count: p.outputCount)
        p.inDims.withUnsafeBufferPointer { d in
            p.outStrides.withUnsafeBufferPointer { s in
                var src = input
                for i0 in 0..<d[0] { for i1 in 0..<d[1] { for i2 in 0..<d[2] { for i3 in 0..<d[3] { for i4 in 0..<d[4] {
                    let dst = output + p.offset + i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3] + i4 * s[4]
                    dst.update(from: src, count: d[5])
                    src += d[5]
                } } } } }
            }
        }
    }
}
