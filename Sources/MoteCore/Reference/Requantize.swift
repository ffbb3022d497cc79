/// Requantization of int8 tensors from one (scale, zero point) to another, as TFLite's
/// reference `Requantize` (QUANTIZE int8 -> int8), `ReluX` (RELU, RELU6, RELU_N1_TO_1) and
/// `QuantizeLeakyRelu` (LEAKY_RELU) compute it: subtract the input zero point, multiply by a
/// Q31 multiplier with TFLite's double-rounding `MultiplyByQuantizedMultiplier`, add the output
/// zero point, clamp.
public enum Requantize {
    /// One requantization: `clamp(outputZeroPoint + MBQM(x - inputZeroPoint, multiplier, shift), min, max)`,
    /// with `MBQM` = `FixedPoint.multiplyByQuantizedMultiplier` (double rounding).
    public struct Params {
        public var inputZeroPoint: Int32
        public var outputZeroPoint: Int32
        public var multiplier: Int32
        public var shift: Int32
        /// The clamp range; `min > max` gives `max` everywhere, as TFLite's `min(max, max(min, x))`.
        public var min: Int32
        public var max: Int32

        public init(inputZeroPoint: Int32, outputZeroPoint: Int32, multiplier: Int32, shift: Int32, min: Int32 = -128, max: Int32 = 127) {
            self.inputZeroPoint = inputZeroPoint
            self.outputZeroPoint = outputZeroPoint
            self.multiplier = multiplier
            self.shift = shift
            self.min = min
            self.max = max
        }

        /// The parameters TFLite's QUANTIZE (int8 -> int8) prepares: the multiplier of
        /// `double(inputScale) / double(outputScale)` (a double division of the float scales).
        public static func quantize(inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32) -> Params {
            let (m, s) = FixedPoint.quantizeMultiplier(Double(inputScale) / Double(outputScale))
            return Params(inputZeroPoint: inputZeroPoint, outputZeroPoint: outputZeroPoint, multiplier: m, shift: s)
        }

        /// The parameters TFLite's `ReluPrepare` and `QuantizedReluX` compute for a clamp to
        /// the real range `[lo, hi]` (`hi` nil = +inf): the multiplier of the float quotient
        /// `inputScale / outputScale`; bounds `max(-128, zp + round(lo / s))` and
        /// `min(127, zp + round(hi / s))`, the divisions in float, rounding half away from zero.
        public static func relu(inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32,
                                lo: Float, hi: Float?) -> Params {
            let (m, s) = FixedPoint.quantizeMultiplier(Double(inputScale / outputScale))
            let qmin = outputZeroPoint &+ FixedPoint.roundedInt32(Double(lo / outputScale))
            var p = Params(inputZeroPoint: inputZeroPoint, outputZeroPoint: outputZeroPoint, multiplier: m, shift: s,
                           min: qmin > -128 ? qmin : -128, max: 127)
            if let hi {
                let qmax = outputZeroPoint &+ FixedPoint.roundedInt32(Double(hi / outputScale))
                p.max = qmax < 127 ? qmax : 127
            }
            return p
        }
    }

    /// `TFLite`'s `std::min(hi, std::max(lo, x))`, which differs from a clamp only when `lo > hi`.
    @inline(__always)
    static func clampMinMax(_ x: Int32, _ lo: Int32, _ hi: Int32) -> Int32 {
        let y = lo < x ? x : lo
        return y < hi ? y : hi
    }

    /// One element.
    @inline(__always)
    public static func value(_ x: Int8, _ p: Params) -> Int8 {
        let v = p.outputZeroPoint &+ FixedPoint.multiplyByQuantizedMultiplier(Int32(x) &- p.inputZeroPoint, p.multiplier, p.shift)
        return Int8(truncatingIfNeeded: clampMinMax(v, p.min, p.max))
    }

    /// Requantizes `count` elements from `input` to `output` (which may be the same buffer).
    public static func run(_ p: Params, _ input: UnsafePointer<Int8>, _ output: UnsafeMutablePointer<Int8>, count: Int) {
        var i = 0
        while i < count {
            output[i] = value(input[i], p)
            i &+= 1
        }
    }

    /// LEAKY_RELU's two requantizations: inputs at or above the input zero point use the
    /// identity multiplier (`inputScale / outputScale`), inputs below it the alpha multiplier
    /// (`inputScale * alpha / outputScale`); the result is clamped to int8.
    public struct LeakyParams {
        public var inputZeroPoint: Int32
        public var outputZeroPoint: Int32
        public var identityMultiplier: Int32
        public var identityShift: Int32
        public var alphaMultiplier: Int32
        public var alphaShift: Int32

        public init(inputZeroPoint: Int32, outputZeroPoint: Int32, identityMultiplier: Int32, identityShift: Int32, alphaMultiplier: Int32, alphaShift: Int32) {
            self.inputZeroPoint = inputZeroPoint
            self.outputZeroPoint = outputZeroPoint
            self.identityMultiplier = identityMultiplier
            self.identityShift = identityShift
            self.alphaMultiplier = alphaMultiplier
            self.alphaShift = alphaShift
        }

        /// The parameters TFLite's `LeakyReluPrepare` computes: both real multipliers in float
        /// arithmetic (`input_scale * alpha / output_scale` and `input_scale / output_scale`),
        /// widened to double, then `QuantizeMultiplier`. A negative alpha gives a negative
        /// multiplier exactly as TFLite's `QuantizeMultiplier` does; alpha 0 gives (0, 0).
        public static func make(inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32, alpha: Float) -> LeakyParams {
            let (mi, si) = FixedPoint.quantizeMultiplier(Double(inputScale / outputScale))
            let (ma, sa) = Requantize.quantizeSignedMultiplier(Double(inputScale * alpha / outputScale))
            return LeakyParams(inputZeroPoint: inputZeroPoint, outputZeroPoint: outputZeroPoint,
                               identityMultiplier: mi, identityShift: si, alphaMultiplier: ma, alphaShift: sa)
        }
    }

    /// One LEAKY_RELU element.
    @inline(__always)
    public static func leakyValue(_ x: Int8, _ p: LeakyParams) -> Int8 {
        let v = Int32(x) &- p.inputZeroPoint
        let scaled = v >= 0
            ? FixedPoint.multiplyByQuantizedMultiplier(v, p.identityMultiplier, p.identityShift)
            : FixedPoint.multiplyByQuantizedMultiplier(v, p.alphaMultiplier, p.alphaShift)
        return Int8(truncatingIfNeeded: clampMinMax(p.outputZeroPoint &+ scaled, -128, 127))
    }

    /// LEAKY_RELU over `count` elements.
    public static func leaky(_ p: LeakyParams, _ input: UnsafePointer<Int8>, _ output: UnsafeMutablePointer<Int8>, count: Int) {
        var i = 0
        while i < count {
            output[i] = leakyValue(input[i], p)
            i &+= 1
        }
    }

    /// TFLite's `QuantizeMultiplier` for any finite real, negative ones included (LEAKY_RELU
    /// with a negative alpha): `frexp`, significand rounded half away from zero to Q31. A
    /// positive significand that rounds up to 2^31 folds into the exponent; a negative one
    /// never does (`-2^31` fits), so its multiplier is `Int32.min` one exponent lower.
    /// Exponents below -31 flush to (0, 0).
    public static func quantizeSignedMultiplier(_ real: Double) -> (multiplier: Int32, shift: Int32) {
        guard real < 0 else { return FixedPoint.quantizeMultiplier(real) }
        guard real.isFinite else { return (0, 0) }
        let magnitude = -real
        let (m, s) = FixedPoint.quantizeMultiplier(magnitude)
        if m == 0 { return (0, 0) }
        // 2^30 either is an exact significand of 0.5 (magnitude's significand is 1.0) or the
        // folded result of rounding up to 2^31.
        if m == 1 << 30 && magnitude.significand != 1.0 {
            let e = s &- 1
            return e < -31 ? (0, 0) : (Int32.min, e)
        }
        return (0 &- m, s)
    }
}
