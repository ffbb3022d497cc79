import MoteCore
import XCTest
@testable import MoteQuant

/// The quantization arithmetic against hand-worked values (frexp by hand, decimal rounding).
final class QuantizationMathTests: XCTestCase {
    /// `real = m · 2^(shift − 31)`: frexp of each value worked out by hand (fraction·2^31
    /// rounded half away from zero), from below 1e-6 to above 1.
    func testMultiplierAndShiftAcrossScales() {
        let cases: [(Double, Int32, Int32)] = [
            (1e-7, 1801439851, -23),          // 0.8388608 · 2^-23; 0.8388608·2^31 = 1801439850.948
            (3.2596290111541746e-10, 1503238554, -31), // 0.7 · 2^-31: the smallest exponent kept
            (0.0007843138266573978, 1724724344, -10),
            (0.5, 1 << 30, 0),
            (0.75, 1610612736, 0),
            (1.0, 1 << 30, 1),
            (3.0, 1610612736, 2),             // 0.75 · 2^2
            (1000.0, 2097152000, 10),         // 0.9765625 · 2^10
        ]
        for (real, m, s) in cases {
            let q = FixedPoint.quantizeMultiplier(real)
            XCTAssertEqual(q.multiplier, m, "multiplier of \(real)")
            XCTAssertEqual(q.shift, s, "shift of \(real)")
        }
        // Below 2^-32 the exponent is under -31: flushed to zero, as TFLite does.
        XCTAssertEqual(FixedPoint.quantizeMultiplier(1e-10).multiplier, 0)
    }

    /// Ties of the Q31 significand round away from zero, and a significand that rounds up to
    /// 2^31 moves into the exponent.
    func testMultiplierTies() {
        // 0.5 + 2^-32: fraction·2^31 = 2^30 + 0.5 exactly.
        XCTAssertEqual(FixedPoint.quantizeMultiplier(0.5 + 0x1p-32).multiplier, (1 << 30) + 1)
        // 1 − 2^-33: fraction·2^31 = 2^31 − 0.25 → 2^31 → (2^30, shift + 1).
        let up = FixedPoint.quantizeMultiplier(1 - 0x1p-33)
        XCTAssertEqual(up.multiplier, 1 << 30)
        XCTAssertEqual(up.shift, 1)
    }

    /// The conv/FC requantization is MoteCore's rounding of `Double(in)·Double(w)/Double(out)`:
    /// 1/255, 0.002, 0.01 as Float32 give 7.843138266573978e-4 = 1724724344 · 2^(−10−31).
    func testRequantizationUsesFloat32ScalesInDouble() {
        let q = QuantizationMath.requantization(inputScale: 1 / 255, weightScale: 0.002, outputScale: 0.01)
        XCTAssertEqual(q.multiplier, 1724724344)
        XCTAssertEqual(q.shift, -10)
    }

    func testQuantizeRoundsTiesAwayFromZeroAndSaturates() {
        XCTAssertEqual(QuantizationMath.quantize(0.5, scale: 1, zeroPoint: 0), 1)
        XCTAssertEqual(QuantizationMath.quantize(-0.5, scale: 1, zeroPoint: 0), -1)
        XCTAssertEqual(QuantizationMath.quantize(2.5, scale: 1, zeroPoint: 0), 3)
        XCTAssertEqual(QuantizationMath.quantize(0.3, scale: 0.1, zeroPoint: -128), -125)
        XCTAssertEqual(QuantizationMath.quantize(1000, scale: 1, zeroPoint: 0), 127)
        XCTAssertEqual(QuantizationMath.quantize(-1000, scale: 1, zeroPoint: 10), -128)
        XCTAssertEqual(QuantizationMath.quantize(.nan, scale: 1, zeroPoint: 7), 7)
    }

    /// Activation parameters as TF's converter nudges them.
    func testActivationParameters() {
        // [0, 1]: scale 1/255, zero point −128 (the image input of every fixture).
        var p = QuantizationMath.activationParameters(min: 0, max: 1)
        XCTAssertEqual(p.scale, Float(1.0 / 255.0))
        XCTAssertEqual(p.zeroPoint, -128)
        // [−100.5, 154.5]: scale 1, −128 + 100.5 = −27.5, a tie, rounds to −28.
        p = QuantizationMath.activationParameters(min: -100.5, max: 154.5)
        XCTAssertEqual(p.scale, 1)
        XCTAssertEqual(p.zeroPoint, -28)
        // [−1, 1]: −128 + 127.5 = −0.5 → −1.
        p = QuantizationMath.activationParameters(min: -1, max: 1)
        XCTAssertEqual(p.zeroPoint, -1)
        XCTAssertEqual(p.scale, Float(2.0 / 255.0))
        // A range not containing 0 is widened to contain it: [2, 5.1] → [0, 5.1].
        p = QuantizationMath.activationParameters(min: 2, max: 5.1)
        XCTAssertEqual(p.zeroPoint, -128)
        XCTAssertEqual(p.scale, Float(5.1 / 255), accuracy: 1e-9)
        // All negative: [−2.55, −1] → [−2.55, 0]: zero point 127.
        XCTAssertEqual(QuantizationMath.activationParameters(min: -2.55, max: -1).zeroPoint, 127)
        // All zero: a valid scale that still maps 0 to a code.
        p = QuantizationMath.activationParameters(min: 0, max: 0)
        XCTAssertEqual(p.scale, 1)
        XCTAssertEqual(p.zeroPoint, -128)
    }

    /// Per-channel symmetric weights on a [2, 1, 1, 2] CONV_2D filter worked by hand.
    func testPerChannelWeights() {
        // Channel 0: [0.5, −1.27] → scale 0.01 → [50, −127]. Channel 1: [0.3, 0.1] →
        // scale 0.3/127 → [127, 42.33 → 42].
        let (codes, scales) = QuantizationMath.quantizeWeights([0.5, -1.27, 0.3, 0.1], shape: [2, 1, 1, 2], channelAxis: 0, perChannel: true)
        XCTAssertEqual(scales[0], 1.27 / 127, accuracy: 1e-9)
        XCTAssertEqual(scales[1], 0.3 / 127, accuracy: 1e-9)
        XCTAssertEqual(codes, [50, -127, 127, 42])
        // Depthwise [1, 1, 2, 2]: channels along the last axis.
        let dw = QuantizationMath.quantizeWeights([1, 0.5, -0.5, -2], shape: [1, 1, 2, 2], channelAxis: 3, perChannel: true)
        XCTAssertEqual(dw.scales, [1 / 127, 2 / 127])
        XCTAssertEqual(dw.codes, [127, 32, -64, -127])  // 0.5·63.5 = 31.75 → 32; −0.5·127 = −63.5 → −64
        // Per tensor: one scale from the largest magnitude.
        let t = QuantizationMath.quantizeWeights([0.5, -1.27, 0.3, 0.1], shape: [2, 1, 1, 2], channelAxis: 0, perChannel: false)
        XCTAssertEqual(t.scales, [Float(1.27) / 127])
        XCTAssertEqual(t.codes, [50, -127, 30, 10])
    }

    /// A channel whose weights are all zero gets scale 1 (codes 0), never 0, so MoteCore accepts it.
    func testAllZeroChannelGetsASafeScale() throws {
        let (codes, scales) = QuantizationMath.quantizeWeights([0, 0, 0.254, -0.1], shape: [2, 2], channelAxis: 0, perChannel: true)
        XCTAssertEqual(scales[0], 1)
        XCTAssertEqual(scales[1], 0.002, accuracy: 1e-9)
        XCTAssertEqual(codes, [0, 0, 127, -50])
        let bias = QuantizationMath.quantizeBias([0.25, 0.01], inputScale: 0.5, weightScales: scales)
        XCTAssertEqual(bias.codes[0], 1)  // 0.25 / (0.5 · 1) = 0.5 → 1 (tie away from zero)
        XCTAssertEqual(bias.codes[1], 10) // 0.01 / (0.5 · 0.002) = 10
    }

    /// Int32 biases at inputScale·weightScale, saturating what does not fit.
    func testBiasQuantizationAndSaturation() {
        let r = QuantizationMath.quantizeBias([0.5, 1e6, -1e6, -0.1875], inputScale: 0.01, weightScales: [0.001, 1e-6, 1e-6, 25])
        XCTAssertEqual(r.codes[0], 50000)        // 0.5 / 1e-5
        XCTAssertEqual(r.codes[1], Int32.max)    // 1e6 / 1e-8 = 1e14
        XCTAssertEqual(r.codes[2], Int32.min)
        XCTAssertEqual(r.codes[3], -1)           // −0.1875 / 0.25 = −0.75 → −1
        // A tie in binary: 0.5 · 0.25 = 0.125; −0.1875 / 0.125 = −1.5 exactly → −2.
        XCTAssertEqual(QuantizationMath.quantizeBias([-0.1875, 0.1875], inputScale: 0.5, weightScales: [0.25]).codes, [-2, 2])
        XCTAssertEqual(r.saturated, 2)
        XCTAssertEqual(r.scales[0], Float(0.01 * 0.001), accuracy: 1e-12)
    }

    /// The LOGISTIC input interval: outside it the int8 output (1/256, −128) is saturated.
    func testLogisticSaturationInterval() throws {
        let s = try XCTUnwrap(ParameterAssignment.saturationInterval(BuiltinOperator.logistic))
        func code(_ x: Double) -> Int { min(max(Int((256 / (1 + exp(-x))).rounded()) - 128, -128), 127) }
        XCTAssertEqual(code(Double(s.max)), 127)
        XCTAssertEqual(code(Double(s.min)), -128)
        XCTAssertLessThan(code(Double(s.max) / 1.02 - 0.05), 127)  // just inside the unpadded end it still changes
        let t = try XCTUnwrap(ParameterAssignment.saturationInterval(BuiltinOperator.tanh))
        func tcode(_ x: Double) -> Int { min(max(Int((128 * tanh(x)).rounded()), -128), 127) }
        XCTAssertEqual(tcode(Double(t.max)), 127)
        XCTAssertEqual(tcode(Double(t.min)), -128)
    }
}
