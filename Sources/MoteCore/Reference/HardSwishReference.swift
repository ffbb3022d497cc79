/// int8 HARD_SWISH, `x * relu6(x + 3) / 6`, as TFLite's quantized `reference_ops::HardSwish`
/// in 16-bit fixed point. With `v = (x - zeroPointIn) * 128` (the input on a 128x finer scale):
/// - `preshift = SRDHM16(v, outputMultiplier)` is x on the output scale before the final shift;
/// - the "relu-ish" factor rescales v so that real 3.0 is 32768 (saturating), maps `[-1, 1]`
///   to `[0, 1]` by `(r + 32768) >> 1`;
/// - the output is `RoundingDivideByPOT(SaturatingDoublingHighMul16(reluish, preshift), -outputExponent)`
///   plus `zeroPointOut` in int16 arithmetic, clamped to int8.
/// `SRDHM16` rounds to nearest (gemmlowp's int16 `SaturatingRoundingDoublingHighMul`), the
/// final product truncates toward zero, as TFLite's bias-cancelling choice.
public enum HardSwishReference {
    /// TFLite's `HardSwishParams`.
    public struct Params {
        public var inputZeroPoint: Int32
        public var outputZeroPoint: Int32
        /// Q15 multiplier and exponent (`<= 0`) of `(inputScale / 128) / outputScale`.
        public var outputMultiplier: Int32
        public var outputExponent: Int32
        /// Q15 multiplier and exponent of `(inputScale / 128) / (3 / 32768)`.
        public var reluishMultiplier: Int32
        public var reluishExponent: Int32

        /// TFLite's `HardSwishPrepare` in float arithmetic: each multiplier through
        /// `QuantizeMultiplier` then rounded to Q15 (`DownScaleInt32ToInt16Multiplier`). Nil when
        /// TFLite rejects the scales (output exponent above 0) or when an exponent is below -15,
        /// where TFLite's int16 rounding shift stops being a rounding division.
        public init?(inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32) {
            let hiresInputScale = (1.0 as Float / 128.0) * inputScale
            let reluishScale: Float = 3.0 / 32768.0
            let (om, oe) = FixedPoint.quantizeMultiplier(Double(hiresInputScale / outputScale))
            let (rm, re) = FixedPoint.quantizeMultiplier(Double(hiresInputScale / reluishScale))
            guard oe <= 0, oe >= -15, re >= -15 else { return nil }
            self.inputZeroPoint = inputZeroPoint
            self.outputZeroPoint = outputZeroPoint
            outputMultiplier = Params.downScale(om)
            outputExponent = oe
            reluishMultiplier = Params.downScale(rm)
            reluishExponent = re
        }

        /// A Q31 multiplier rounded to Q15, saturating at `Int16.max`.
        static func downScale(_ m: Int32) -> Int32 {
            m >= Int32.max - (1 << 15) ? 32767 : (m &+ (1 << 15)) &>> 16
        }
    }

    /// Applies hard swish to `count` values.
    public static func int8(_ p: Params, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>, count: Int) {
        for i in 0..<count {
            let hires = (Int32(input[i]) &- p.inputZeroPoint) &* 128
            let preshift = srdhm16(hires, p.outputMultiplier)
            var reluish = hires
            if p.reluishExponent > 0 { reluish = saturatingLeftShift16(reluish, p.reluishExponent &- 1) }
            reluish = srdhm16(reluish, p.reluishMultiplier)
            if p.reluishExponent > 0 { reluish = saturatingLeftShift16(reluish, 1) }
            if p.reluishExponent < 0 { reluish = FixedPoint.roundingDivideByPOT(reluish, -p.reluishExponent) }
            reluish = (reluish &+ 32768) &>> 1
            let product = sdhm16(reluish, preshift)
            // int16 arithmetic: the zero point is added modulo 2^16 before the clamp.
            let shifted = FixedPoint.roundingDivideByPOT(product, -p.outputExponent) &+ p.outputZeroPoint
            let value = Int32(Int16(truncatingIfNeeded: shifted))
            output[i] = Int8(truncatingIfNeeded: FixedPoint.clamp(value, -128, 127))
        }
    }

    /// gemmlowp's int16 `SaturatingRoundingDoublingHighMul` on int16-range values.
    @inline(__always)
    static func srdhm16(_ a: Int32, _ b: Int32) -> Int32 {
        if a == b && a == -32768 { return 32767 }
        let ab = a &* b
        let nudged = ab &+ (ab >= 0 ? (1 << 14) : (1 &- (1 << 14)))
        return Int32(Int16(truncatingIfNeeded: nudged / 32768))
    }

    /// TFLite's `SaturatingDoublingHighMul` (int16, truncating toward zero).
    @inline(__always)
    static func sdhm16(_ a: Int32, _ b: Int32) -> Int32 {
        if a == b && a == -32768 { return 32767 }
        return Int32(Int16(truncatingIfNeeded: (a &* b) / 32768))
    }

    /// `value * 2^amount` saturated to int16 (`amount >= 0`).
    @inline(__always)
    static func saturatingLeftShift16(_ value: Int32, _ amount: Int32) -> Int32 {
        if amount >= 16 { return value > 0 ? 32767 : (value < 0 ? -32768 : 0) }
        return FixedPoint.clamp(value &<< amount, -32768, 32767)
    }
}
