/// int8 SOFTMAX over the last dimension, as TFLite's `reference_ops::Softmax<int8_t, int8_t>`
/// in gemmlowp fixed point. Per row, with `d = x - max(row)`:
/// - `d < diffMin` contributes nothing and outputs -128;
/// - else `e = exp_on_negative_values(MultiplyByQuantizedMultiplierGreaterThanOne(d, multiplier, leftShift))`
///   (input in Q5.26, result in Q0.31), and the row sum of `e` is taken in Q12.19
///   (each term rounded by `Rescale`);
/// - the output is `RoundingDivideByPOT(reciprocal(sum) * e, bitsOverUnit + 23) - 128`, clamped,
///   i.e. the probability in units of 1/256 with zero point -128.
public enum SoftmaxReference {
    /// Parameters from `PreprocessSoftmaxScaling(beta, inputScale, 5)`.
    public struct Params {
        /// The Q31 multiplier and left shift of `beta * inputScale * 2^26`.
        public var multiplier: Int32
        public var leftShift: Int32
        /// The most negative input difference that still counts (`-floor(31 * 2^26 / 2^leftShift)`).
        public var diffMin: Int32
        /// Rows and their length (the last dimension).
        public var rows: Int
        public var depth: Int

        /// TFLite's parameters for `beta * inputScale`, or nil where TFLite's
        /// `QuantizeMultiplierGreaterThanOne` would abort: `beta * inputScale * 2^26`, capped at
        /// `2^31 - 1`, must exceed 1.
        public init?(beta: Float, inputScale: Float, rows: Int, depth: Int) {
            let real = min(Double(beta) * Double(inputScale) * 67108864.0, 2147483647.0)
            guard real > 1 else { return nil }
            // QuantizeMultiplier; from 2^30 on, frexp's exponent is 31 (FixedPoint's version
            // stops at 30) and the Q31 significand is `real` itself, rounded.
            let (m, shift) = real >= 1073741824 ? (FixedPoint.roundedInt32(real), Int32(31)) : FixedPoint.quantizeMultiplier(real)
            guard shift >= 0 else { return nil }
            multiplier = m
            leftShift = shift
            // floor(31 * 2^26 / 2^leftShift): the largest |d| whose rescaled value fits Q5.26.
            diffMin = -((Int32(31) << 26) &>> shift)
            self.rows = rows
            self.depth = depth
        }
    }

    /// Computes the softmax of each of `rows` rows of `depth` values.
    public static func int8(_ p: Params, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
        let depth = p.depth
        var row = input
        var out = output
        for _ in 0..<p.rows {
            var maxValue = Int8.min
            for c in 0..<depth { maxValue = max(maxValue, row[c]) }
            let rowMax = Int32(maxValue)

            var sumOfExps: Int32 = 0  // Q12.19
            for c in 0..<depth {
                let diff = Int32(row[c]) &- rowMax
                if diff >= p.diffMin {
                    sumOfExps &+= FixedPointMath.rescale(exp(diff, p), from: 0, to: 12)
                }
            }
            let (scale, bitsOverUnit) = FixedPointMath.reciprocal(sumOfExps, integerBits: 12)
            let exponent = bitsOverUnit &+ 31 &- 8
            for c in 0..<depth {
                let diff = Int32(row[c]) &- rowMax
                if diff >= p.diffMin {
                    let unsaturated = FixedPoint.roundingDivideByPOT(FixedPoint.saturatingRoundingDoublingHighMul(scale, exp(diff, p)), exponent)
                    out[c] = Int8(truncatingIfNeeded: FixedPoint.clamp(unsaturated &- 128, -128, 127))
                } else {
                    out[c] = Int8.min
                }
            }
            row += depth
            out += depth
        }
    }

    /// `exp(diff * beta * inputScale)` in Q0.31.
    @inline(__always)
    static func exp(_ diff: Int32, _ p: Params) -> Int32 {
        let scaled = FixedPointMath.multiplyByQuantizedMultiplierGreaterThanOne(diff, p.multiplier, p.leftShift)
        return FixedPointMath.expOnNegativeValues(scaled, integerBits: 5)
    }
}
