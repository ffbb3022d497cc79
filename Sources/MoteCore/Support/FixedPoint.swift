/// Fixed-point arithmetic with exactly the rounding of TFLite's reference kernels
/// (gemmlowp's `SaturatingRoundingDoublingHighMul` and `RoundingDivideByPOT`, TFLite's
/// `MultiplyByQuantizedMultiplier` in its double- and single-rounding forms, `QuantizeMultiplier`).
///
/// Everything here is written so that it compiles as Embedded Swift with `-no-allocations` on
/// 32-bit targets, where generic integer conversions are rejected: widening goes through
/// `FixedPoint.wide`, shifts are the masking `&>>`/`&<<`.
public enum FixedPoint {
    /// Sign-extends an `Int32` to `Int64` (a plain `Int64(x)` is rejected on 32-bit embedded targets).
    @inline(__always)
    public static func wide(_ x: Int32) -> Int64 {
        (Int64(_truncatingBits: UInt(bitPattern: Int(x))) &<< 32) &>> 32
    }

    /// Clamps an `Int64` into `Int32`'s range.
    @inline(__always)
    public static func saturate(_ x: Int64) -> Int32 {
        x > 0x7fff_ffff ? Int32.max : (x < -0x8000_0000 ? Int32.min : Int32(truncatingIfNeeded: x))
    }

    /// `round(a * b / 2^31)` with ties away from zero, saturating the single overflow case
    /// `a == b == Int32.min` to `Int32.max` (gemmlowp `SaturatingRoundingDoublingHighMul`).
    @inline(__always)
    public static func saturatingRoundingDoublingHighMul(_ a: Int32, _ b: Int32) -> Int32 {
        if a == b && a == Int32.min { return Int32.max }
        let ab = wide(a) &* wide(b)
        let nudged = ab &+ (ab >= 0 ? (1 &<< 30) : (1 &- (1 &<< 30)))
        // C++ integer division by 2^31: truncation toward zero.
        let q = (nudged &+ (nudged < 0 ? 0x7fff_ffff : 0)) &>> 31
        return Int32(truncatingIfNeeded: q)
    }

    /// `x / 2^exponent` rounded to nearest, ties away from zero (gemmlowp `RoundingDivideByPOT`);
    /// `exponent` in `0...31`.
    @inline(__always)
    public static func roundingDivideByPOT(_ x: Int32, _ exponent: Int32) -> Int32 {
        let mask: Int32 = (Int32(1) &<< exponent) &- 1  // exponent 31 wraps to Int32.max, as wanted
        let remainder = x & mask
        let threshold = (mask &>> 1) &+ (x < 0 ? 1 : 0)
        return (x &>> exponent) &+ (remainder > threshold ? 1 : 0)
    }

    /// TFLite's default (double-rounding) `MultiplyByQuantizedMultiplier`:
    /// `RoundingDivideByPOT(SRDHM(x * 2^max(shift,0), m), max(-shift,0))`.
    /// Used by CONV_2D, DEPTHWISE_CONV_2D and most other int8 kernels.
    @inline(__always)
    public static func multiplyByQuantizedMultiplier(_ x: Int32, _ multiplier: Int32, _ shift: Int32) -> Int32 {
        let leftShift: Int32 = shift > 0 ? shift : 0
        let rightShift: Int32 = shift > 0 ? 0 : -shift
        return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x &* (1 &<< leftShift), multiplier), rightShift)
    }

    /// The single-rounding form (`TFLITE_SINGLE_ROUNDING`):
    /// `(Int64(x) * m + 2^(30 - shift)) >> (31 - shift)`, as TF 2.21's reference
    /// FULLY_CONNECTED kernel rounds. `shift` in `-31...30`.
    @inline(__always)
    public static func multiplyByQuantizedMultiplierSingleRounding(_ x: Int32, _ multiplier: Int32, _ shift: Int32) -> Int32 {
        let totalShift = wide(31 &- shift)
        let round: Int64 = 1 &<< (totalShift &- 1)
        let result = (wide(x) &* wide(multiplier) &+ round) &>> totalShift
        return Int32(truncatingIfNeeded: result)
    }

    /// A real multiplier as a Q31 significand and a power-of-two exponent, so that
    /// `real ≈ multiplier * 2^(shift - 31)`, as TFLite's `QuantizeMultiplier` computes it:
    /// `frexp`, significand rounded half away from zero to Q31, `2^31` folded into the exponent,
    /// and an exponent below -31 flushed to zero. Zero (and negative or non-finite input, which
    /// callers reject earlier) gives `(0, 0)`.
    public static func quantizeMultiplier(_ real: Double) -> (multiplier: Int32, shift: Int32) {
        guard real > 0, real.isFinite else { return (0, 0) }
        // frexp: real = fraction * 2^exponent with fraction in [0.5, 1).
        let fraction = real.significand / 2
        var exponent = Int(real.exponent) + 1
        // Round fraction * 2^31, which lies in [2^30, 2^31), half away from zero; rounding up
        // to 2^31 folds into the exponent.
        var q = roundedInt32(fraction * 2147483648.0 - 1073741824.0)
        if q == 1 << 30 {
            exponent += 1
        } else {
            q = q &+ (1 << 30)
        }
        if exponent < -31 { return (0, 0) }
        if exponent > 30 { return (Int32.max, 30) }
        return (q, Int32(truncatingIfNeeded: exponent))
    }

    /// `x` rounded to the nearest integer, ties away from zero (C's `round`), saturated to
    /// `Int32`'s range; NaN gives 0. Written without libm, which bare-metal targets lack.
    public static func roundedInt32(_ x: Double) -> Int32 {
        guard x == x else { return 0 }
        if x >= 2147483647.0 { return Int32.max }
        if x <= -2147483648.0 { return Int32.min }
        let t = Int32(x)  // truncates toward zero
        let f = x - Double(Int(t))
        if f >= 0.5 { return t &+ 1 }
        if f <= -0.5 { return t &- 1 }
        return t
    }

    /// Clamps to `lo...hi`.
    @inline(__always)
    public static func clamp(_ x: Int32, _ lo: Int32, _ hi: Int32) -> Int32 {
        x < lo ? lo : (x > hi ? hi : x)
    }
}
