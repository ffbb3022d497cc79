/// The per-element functions of ADD, SUB and MUL, run by `BroadcastBinary.run`, and the
/// parameter computations of TFLite 2.21's `add.cc`, `sub.cc` and `mul.cc` prepare steps.

/// int8 ADD, and SUB as ADD with the second input's multiplier negated (TFLite's `sub.cc`
/// calls the ADD kernels that way): both inputs shifted left by 20 bits after removing their
/// zero points, each scaled by its multiplier `scale_i / (2 * max(scale_1, scale_2))`, summed,
/// scaled by `2 * max / (2^20 * output_scale)`, offset by the output zero point and clamped
/// to the activation range. Every scaling is `MultiplyByQuantizedMultiplierSmallerThanOneExp`
/// (SRDHM, then rounding divide by a power of two).
public enum QuantizedAdd: ElementwiseBinaryFunction {
    public struct Params {
        public var input1Offset: Int32
        public var input2Offset: Int32
        public var leftShift: Int32
        public var input1Multiplier: Int32
        public var input1Shift: Int32
        public var input2Multiplier: Int32
        public var input2Shift: Int32
        public var outputMultiplier: Int32
        public var outputShift: Int32
        public var outputOffset: Int32
        public var activationMin: Int32
        public var activationMax: Int32
    }

    /// The parameters of `add.cc`/`sub.cc` for int8 (`left_shift` 20). Every real multiplier
    /// goes through `QuantizeMultiplierSmallerThanOneExp`, which TFLite aborts on unless the
    /// multiplier is in (0, 1) with a non-positive exponent: nil in that case (an output
    /// scale below `max(input scales) / 2^19`).
    public static func params(input1Scale: Float, input1ZeroPoint: Int32, input2Scale: Float, input2ZeroPoint: Int32,
                              outputScale: Float, outputZeroPoint: Int32,
                              activationMin: Int32, activationMax: Int32, subtract: Bool) -> Params? {
        let leftShift: Int32 = 20
        let twiceMaxInputScale = Double(2 * max(input1Scale, input2Scale))
        let real1 = Double(input1Scale) / twiceMaxInputScale
        let real2 = Double(input2Scale) / twiceMaxInputScale
        let realOutput = twiceMaxInputScale / Double(Float(1 << 20) * outputScale)
        guard let (m1, s1) = smallerThanOne(real1), let (m2, s2) = smallerThanOne(real2),
              let (mo, so) = smallerThanOne(realOutput) else { return nil }
        return Params(input1Offset: 0 &- input1ZeroPoint, input2Offset: 0 &- input2ZeroPoint, leftShift: leftShift,
                      input1Multiplier: m1, input1Shift: s1,
                      input2Multiplier: subtract ? 0 &- m2 : m2, input2Shift: s2,
                      outputMultiplier: mo, outputShift: so, outputOffset: outputZeroPoint,
                      activationMin: activationMin, activationMax: activationMax)
    }

    /// `QuantizeMultiplierSmallerThanOneExp`, or nil where TFLite's checks fail.
    static func smallerThanOne(_ real: Double) -> (Int32, Int32)? {
        guard real > 0, real < 1 else { return nil }
        let (m, s) = FixedPoint.quantizeMultiplier(real)
        guard s <= 0, m != 0 else { return nil }
        return (m, s)
    }

    @inline(__always)
    public static func apply(_ x: Int8, _ y: Int8, _ p: Params) -> Int8 {
        let shifted1 = (Int32(x) &+ p.input1Offset) &<< p.leftShift
        let shifted2 = (Int32(y) &+ p.input2Offset) &<< p.leftShift
        let scaled1 = FixedPoint.multiplyByQuantizedMultiplier(shifted1, p.input1Multiplier, p.input1Shift)
        let scaled2 = FixedPoint.multiplyByQuantizedMultiplier(shifted2, p.input2Multiplier, p.input2Shift)
        let raw = FixedPoint.multiplyByQuantizedMultiplier(scaled1 &+ scaled2, p.outputMultiplier, p.outputShift) &+ p.outputOffset
        return Int8(truncatingIfNeeded: Requantize.clampMinMax(raw, p.activationMin, p.activationMax))
    }
}

/// int8 MUL (`reference_integer_ops::MulElementwise`): the product of the two zero-point-free
/// inputs, scaled by `QuantizeMultiplier(float(s1 * s2 / s_out))` with the double-rounding
/// `MultiplyByQuantizedMultiplier`, offset by the output zero point, clamped to the activation range.
public enum QuantizedMul: ElementwiseBinaryFunction {
    public struct Params {
        public var input1Offset: Int32
        public var input2Offset: Int32
        public var outputOffset: Int32
        public var outputMultiplier: Int32
        public var outputShift: Int32
        public var activationMin: Int32
        public var activationMax: Int32
    }

    /// The parameters of `mul.cc` for int8: the real multiplier is computed in float
    /// (`input1->params.scale * input2->params.scale / output->params.scale`), then widened.
    /// Nil when it is not finite.
    public static func params(input1Scale: Float, input1ZeroPoint: Int32, input2Scale: Float, input2ZeroPoint: Int32,
                              outputScale: Float, outputZeroPoint: Int32,
                              activationMin: Int32, activationMax: Int32) -> Params? {
        let real = input1Scale * input2Scale / outputScale
        guard real.isFinite, real >= 0 else { return nil }
        let (m, s) = FixedPoint.quantizeMultiplier(Double(real))
        return Params(input1Offset: 0 &- input1ZeroPoint, input2Offset: 0 &- input2ZeroPoint, outputOffset: outputZeroPoint,
                      outputMultiplier: m, outputShift: s, activationMin: activationMin, activationMax: activationMax)
    }

    @inline(__always)
    public static func apply(_ x: Int8, _ y: Int8, _ p: Params) -> Int8 {
        let product = (Int32(x) &+ p.input1Offset) &* (Int32(y) &+ p.input2Offset)
        let raw = p.outputOffset &+ FixedPoint.multiplyByQuantizedMultiplier(product, p.outputMultiplier, p.outputShift)
        return Int8(truncatingIfNeeded: Requantize.clampMinMax(raw, p.activationMin, p.activationMax))
    }
}

/// The activation range of int32 arithmetic (TFLite's `CalculateActivationRange<int32_t>`):
/// RELU [0, max], RELU6 [0, 6], RELU_N1_TO_1 [-1, 1], anything else unclamped.
public struct Int32ActivationRange {
    public var min: Int32
    public var max: Int32

    public init(min: Int32, max: Int32) {
        self.min = min
        self.max = max
    }

    public init(_ activation: FusedActivation) {
        switch activation {
        case .relu: (min, max) = (0, Int32.max)
        case .relu6: (min, max) = (0, 6)
        case .reluN1To1: (min, max) = (-1, 1)
        default: (min, max) = (Int32.min, Int32.max)
        }
    }
}

/// int32 ADD: the wrapping sum, clamped.
public enum Int32Add: ElementwiseBinaryFunction {
    @inline(__always)
    public static func apply(_ x: Int32, _ y: Int32, _ p: Int32ActivationRange) -> Int32 {
        Requantize.clampMinMax(x &+ y, p.min, p.max)
    }
}

/// int32 SUB: the wrapping difference, clamped.
public enum Int32Sub: ElementwiseBinaryFunction {
    @inline(__always)
    public static func apply(_ x: Int32, _ y: Int32, _ p: Int32ActivationRange) -> Int32 {
        Requantize.clampMinMax(x &- y, p.min, p.max)
    }
}

/// int32 MUL: the wrapping product, clamped.
public enum Int32Mul: ElementwiseBinaryFunction {
    @inline(__always)
    public static func apply(_ x: Int32, _ y: Int32, _ p: Int32ActivationRange) -> Int32 {
        Requantize.clampMinMax(x &* y, p.min, p.max)
    }
}
