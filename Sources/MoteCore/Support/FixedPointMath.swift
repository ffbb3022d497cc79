/// gemmlowp's fixed-point transcendental functions (`fixedpoint/fixedpoint.h`) and TFLite's
/// helpers built on them (`GetReciprocal`), bit for bit, on raw `Int32` values.
///
/// A value "in Qm" is gemmlowp's `FixedPoint<int32_t, m>`: `m` integer bits, `31 - m` fractional
/// bits, real value `raw / 2^(31 - m)`. Fixed-point multiplication of a Qa by a Qb value is
/// `FixedPoint.saturatingRoundingDoublingHighMul` and gives a Q(a+b) value. Additions wrap, as
/// gemmlowp's plain `int32_t` additions do in practice.
public enum FixedPointMath {
    /// `x * 2^exponent` for a run-time exponent: for `exponent > 0` a left shift that saturates to
    /// `Int32.min`/`Int32.max` when `|x| > 2^(31 - exponent) - 1` (gemmlowp's threshold), for
    /// `exponent < 0` `roundingDivideByPOT(x, -exponent)` (ties away from zero); `exponent` in
    /// `-31...31` (TFLite `SaturatingRoundingMultiplyByPOTParam`, gemmlowp
    /// `SaturatingRoundingMultiplyByPOT<Exponent>`).
    @inline(__always)
    public static func saturatingRoundingMultiplyByPOT(_ x: Int32, _ exponent: Int32) -> Int32 {
        if exponent == 0 { return x }
        if exponent < 0 { return FixedPoint.roundingDivideByPOT(x, -exponent) }
        let threshold: Int32 = (Int32(1) &<< (31 &- exponent)) &- 1
        if x > threshold { return Int32.max }
        if x < -threshold { return Int32.min }
        return x &<< exponent
    }

    /// A Q`from` value as a Q`to` value: `saturatingRoundingMultiplyByPOT(x, from - to)`
    /// (gemmlowp `Rescale<to>`).
    @inline(__always)
    public static func rescale(_ x: Int32, from: Int32, to: Int32) -> Int32 {
        saturatingRoundingMultiplyByPOT(x, from &- to)
    }

    /// `(a + b) / 2` rounded half away from zero, without overflow (gemmlowp `RoundingHalfSum`).
    @inline(__always)
    public static func roundingHalfSum(_ a: Int32, _ b: Int32) -> Int32 {
        let sum = FixedPoint.wide(a) &+ FixedPoint.wide(b)
        let nudged = sum &+ (sum >= 0 ? 1 : -1)
        // C++ division by 2: truncation toward zero.
        return Int32(truncatingIfNeeded: (nudged &+ (nudged < 0 ? 1 : 0)) &>> 1)
    }

    /// The raw value of 1.0 in Q0 (not representable: `Int32.max`, gemmlowp `One()` for Q0).
    public static let oneQ0: Int32 = Int32.max

    /// `exp(a)` for a Q0 value `a` in `[-1/4, 0)`, as a Q0 value: gemmlowp's fourth-order Taylor
    /// expansion around -1/8 (`exp_on_interval_between_negative_one_quarter_and_0_excl`).
    @inline(__always)
    public static func expOnIntervalBetweenNegativeOneQuarterAnd0Excl(_ a: Int32) -> Int32 {
        let constantTerm: Int32 = 1895147668  // exp(-1/8) in Q0
        let oneThird: Int32 = 715827883  // 1/3 in Q0
        let x = a &+ (1 << 28)  // a + 1/8
        let x2 = mul(x, x)
        let x3 = mul(x2, x)
        let x4 = mul(x2, x2)
        let x4Over4 = saturatingRoundingMultiplyByPOT(x4, -2)
        let polynomial = saturatingRoundingMultiplyByPOT(mul(x4Over4 &+ x3, oneThird) &+ x2, -1)
        return constantTerm &+ mul(constantTerm, x &+ polynomial)
    }

    /// `exp(a)` for a value `a <= 0` in Q`integerBits` (`integerBits` in `0...30`), as a Q0 value
    /// (gemmlowp `exp_on_negative_values`): the interval function on `a` modulo 1/4, then one
    /// multiplication by `exp(-2^k)` per set bit `k` of the remainder (`k` in `-2...4`), zero
    /// below -32 when `integerBits > 5`, and exactly `oneQ0` for `a == 0`.
    public static func expOnNegativeValues(_ a: Int32, integerBits: Int32) -> Int32 {
        let fractionalBits = 31 &- integerBits
        let oneQuarter: Int32 = Int32(1) &<< (fractionalBits &- 2)
        let mask = oneQuarter &- 1
        let aModQuarterMinusOneQuarter = (a & mask) &- oneQuarter
        var result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(
            rescale(aModQuarterMinusOneQuarter, from: integerBits, to: 0))
        let remainder = aModQuarterMinusOneQuarter &- a
        // exp(-2^k) in Q0 for k = -2, -1, 0, 1, 2, 3, 4 (gemmlowp's barrel shifter).
        result = barrelStep(result, remainder, -2, 1672461947, integerBits)
        result = barrelStep(result, remainder, -1, 1302514674, integerBits)
        result = barrelStep(result, remainder, 0, 790015084, integerBits)
        result = barrelStep(result, remainder, 1, 290630308, integerBits)
        result = barrelStep(result, remainder, 2, 39332535, integerBits)
        result = barrelStep(result, remainder, 3, 720401, integerBits)
        result = barrelStep(result, remainder, 4, 242, integerBits)
        if integerBits > 5 {
            let clamp: Int32 = -(Int32(1) &<< (36 &- integerBits))  // -32 in Q(integerBits)
            if a < clamp { result = 0 }
        }
        return a == 0 ? oneQ0 : result
    }

    /// `1 / (1 + a)` for a Q0 value `a` in `[0, 1)`, as a Q0 value: three Newton-Raphson steps
    /// from the 48/17 - 32/17 x initial guess, in Q2 (gemmlowp `one_over_one_plus_x_for_x_in_0_1`).
    public static func oneOverOnePlusXForXIn01(_ a: Int32) -> Int32 {
        let halfDenominator = roundingHalfSum(a, oneQ0)  // (1 + a) / 2 in Q0
        let constant48Over17: Int32 = 1515870810  // Q2
        let constantMinus32Over17: Int32 = -1010580540  // Q2
        let oneQ2: Int32 = 1 << 29
        var x = constant48Over17 &+ mul(halfDenominator, constantMinus32Over17)
        for _ in 0..<3 {
            let oneMinusHalfDenominatorTimesX = oneQ2 &- mul(halfDenominator, x)
            // Q2 * Q2 is Q4, brought back to Q2.
            x = x &+ rescale(mul(x, oneMinusHalfDenominatorTimesX), from: 4, to: 2)
        }
        // x / 2 reinterpreted as Q1 (exact), then brought to Q0.
        return rescale(x, from: 1, to: 0)
    }

    /// `1 / x` for a positive Q`integerBits` value `x`, as a Q0 significand with
    /// `1/x = scale * 2^-bitsOverUnit` (TFLite `GetReciprocal`): `x` is normalized to `[1, 2)` by
    /// its leading zeros and `oneOverOnePlusXForXIn01` is applied to the part above one.
    @inline(__always)
    public static func reciprocal(_ x: Int32, integerBits: Int32) -> (scale: Int32, bitsOverUnit: Int32) {
        let ux = UInt32(bitPattern: x)
        let headroomPlusOne = Int32(truncatingIfNeeded: ux.leadingZeroBitCount)
        let shiftedMinusOne = Int32(bitPattern: (ux &<< UInt32(bitPattern: headroomPlusOne)) &- (UInt32(1) << 31))
        return (oneOverOnePlusXForXIn01(shiftedMinusOne), integerBits &- headroomPlusOne)
    }

    /// `SaturatingRoundingDoublingHighMul(x * 2^leftShift, multiplier)` with a wrapping
    /// left shift (TFLite `MultiplyByQuantizedMultiplierGreaterThanOne`); `leftShift` in `0...31`.
    @inline(__always)
    public static func multiplyByQuantizedMultiplierGreaterThanOne(_ x: Int32, _ multiplier: Int32, _ leftShift: Int32) -> Int32 {
        FixedPoint.saturatingRoundingDoublingHighMul(x &* (Int32(1) &<< leftShift), multiplier)
    }

    /// One step of the barrel shifter: `result * exp(-2^k)` when bit `k` (in units of the input's
    /// fixed point) of `remainder` is set and the input format has room for it.
    @inline(__always)
    static func barrelStep(_ result: Int32, _ remainder: Int32, _ k: Int32, _ multiplier: Int32, _ integerBits: Int32) -> Int32 {
        guard integerBits > k, remainder & (Int32(1) &<< (31 &- integerBits &+ k)) != 0 else { return result }
        return mul(result, multiplier)
    }

    @inline(__always)
    static func mul(_ a: Int32, _ b: Int32) -> Int32 {
        FixedPoint.saturatingRoundingDoublingHighMul(a, b)
    }
}
