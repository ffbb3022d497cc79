/// int8 MEAN over any set of axes, as TFLite's `reference_ops::QuantizedMeanOrSum` (the path
/// TF 2.21's reference MEAN takes for int8, whether or not input and output quantization match):
/// the int32 sum `S` of the `n` reduced raw inputs, then
/// `clamp(MultiplyByQuantizedMultiplier(S - zeroPointIn * n, M', shift') + zeroPointOut)` with the
/// double-rounding multiply, where `(M, shift) = QuantizeMultiplier(scaleIn / scaleOut)` and the
/// division by `n` is folded into the multiplier: `s = min(floor(log2 n), 32, 31 + shift)`,
/// `M' = (M << s) / n` (truncating), `shift' = shift - s`.
public enum MeanReference {
    /// A reduction over a row-major shape whose adjacent dimensions of the same kind (reduced or
    /// kept) are merged and whose size-1 dimensions are dropped, so kinds alternate.
    public struct Params {
        /// The merged dimensions (rank 0 for a single element).
        public var dims: TensorShape
        /// Whether `dims[0]` is reduced; the kinds alternate from there.
        public var firstIsReduced: Bool
        /// Number of input elements and of output elements.
        public var inputCount: Int
        public var outputCount: Int
        /// The folded multiplier and shift (`M'`, `shift'`).
        public var multiplier: Int32
        public var shift: Int32
        /// `zeroPointIn * n` (wrapping, as TFLite's int64-to-int32 cast) and `zeroPointOut`.
        public var inputOffset: Int32
        public var outputZeroPoint: Int32
        /// True for an empty axis list: TFLite then copies the input bytes unchanged, without
        /// requantizing.
        public var copiesInput: Bool

        /// The parameters for reducing `shape` over the dimensions flagged in `reduced` (bit `i` for
        /// dimension `i`), with `(multiplier, shift)` from `QuantizeMultiplier(scaleIn / scaleOut)`;
        /// `axisCount` is the length of the operator's axis list (0 makes it a copy).
        public init(shape: TensorShape, reduced: UInt32, axisCount: Int, multiplier: Int32, shift: Int32,
                    inputZeroPoint: Int32, outputZeroPoint: Int32) {
            copiesInput = axisCount == 0
            var dims = TensorShape()
            var first = false
            var lastKind = false
            var count = 1
            for i in 0..<shape.rank {
                let d = shape[i]
                let isReduced = reduced & (UInt32(1) << UInt32(i)) != 0
                if isReduced { count &*= d }
                if d == 1 { continue }
                if dims.rank > 0 && isReduced == lastKind {
                    dims[dims.rank - 1] = dims[dims.rank - 1] &* d
                } else {
                    if dims.rank == 0 { first = isReduced }
                    dims.append(d)
                    lastKind = isReduced
                }
            }
            self.dims = dims
            firstIsReduced = first
            inputCount = shape.elementCount ?? 0
            outputCount = count > 0 ? inputCount / count : 0
            if count == 0 {
                // Zero reduced elements: the output is all zeros when it has elements at all.
                var out = 1
                for i in 0..<shape.rank where reduced & (UInt32(1) << UInt32(i)) == 0 { out &*= shape[i] }
                outputCount = out
            }
            // floor(log2 n) for n >= 1.
            var s: Int32 = 0
            if count > 0 { s = Int32(truncatingIfNeeded: Int.bitWidth &- 1 &- count.leadingZeroBitCount) }
            s = min(min(s, 32), 31 &+ shift)
            let n = FixedPoint.wide(Int32(truncatingIfNeeded: max(count, 1)))
            self.multiplier = Int32(truncatingIfNeeded: (FixedPoint.wide(multiplier) &<< FixedPoint.wide(s)) / n)
            self.shift = shift &- s
            inputOffset = inputZeroPoint &* Int32(truncatingIfNeeded: count)
            self.outputZeroPoint = outputZeroPoint
        }
    }

    /// Computes the mean (or the copy); `accumulator` holds `outputCount` `Int32`s of scratch
    /// (unused, and may be nil, for a copy or an empty input).
    public static func int8(_ p: Params, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
                            accumulator: UnsafeMutablePointer<Int32>?) {
        let outCount = p.outputCount
        if p.copiesInput {
            for i in 0..<p.inputCount { output[i] = input[i] }
            return
        }
        guard p.inputCount > 0 else {
            for i in 0..<outCount { output[i] = 0 }
            return
        }
        guard let acc = accumulator else { return }
        for i in 0..<outCount { acc[i] = 0 }
        let rank = p.dims.rank
        if rank == 0 {
            acc[0] = Int32(input[0])
        } else {
            let inner = p.dims[rank - 1]
            let innerReduced = p.firstIsReduced == ((rank - 1) & 1 == 0)
            // Output strides of the kept outer dimensions (0 for reduced ones).
            var outStride = TensorShape(rank: rank)
            var stride = innerReduced ? 1 : inner
            var i = rank - 2
            while i >= 0 {
                let reducedDim = p.firstIsReduced == (i & 1 == 0)
                outStride[i] = reducedDim ? 0 : stride
                if !reducedDim { stride &*= p.dims[i] }
                i -= 1
            }
            var index = TensorShape(rank: rank)
            for k in 0..<rank { index[k] = 0 }
            var src = input
            let outerCount = p.inputCount / inner
            for _ in 0..<outerCount {
                var outOffset = 0
                for k in 0..<(rank - 1) { outOffset &+= index[k] &* outStride[k] }
                if innerReduced {
                    var sum: Int32 = 0
                    for j in 0..<inner { sum &+= Int32(src[j]) }
                    acc[outOffset] &+= sum
                } else {
                    let dst = acc + outOffset
                    for j in 0..<inner { dst[j] &+= Int32(src[j]) }
                }
                src += inner
                // Odometer over the outer dimensions.
                var k = rank - 2
                while k >= 0 {
                    let next = index[k] &+ 1
                    if next < p.dims[k] { index[k] = next; break }
                    index[k] = 0
                    k -= 1
                }
            }
        }
        for i in 0..<outCount {
            let value = FixedPoint.multiplyByQuantizedMultiplier(acc[i] &- p.inputOffset, p.multiplier, p.shift) &+ p.outputZeroPoint
            output[i] = Int8(truncatingIfNeeded: FixedPoint.clamp(value, -128, 127))
        }
    }
}
