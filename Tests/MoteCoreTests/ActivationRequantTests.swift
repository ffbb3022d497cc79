import Foundation
import XCTest
@testable import MoteCore
import MoteModel

/// QUANTIZE (int8 -> int8), RELU / RELU6 / RELU_N1_TO_1 and LEAKY_RELU: multipliers against
/// float64, every int8 input against an Int64 recomputation of TFLite's formulas, hand-worked
/// values, one-operator models, and every fixture occurrence run alone.
final class ActivationRequantTests: XCTestCase {
    /// TFLite's double-rounding MultiplyByQuantizedMultiplier, recomputed in Int64.
    func mbqm(_ x: Int32, _ m: Int32, _ s: Int32) -> Int64 { ElementwiseTests.mbqm(Int64(x), m, s) }

    func real(_ m: Int32, _ s: Int32) -> Double { Double(m) * pow(2, Double(s) - 31) }

    func testQuantizeMatchesRecomputationForEveryInput() {
        // misc_elementwise_16x12 QUANTIZE#6 (a LOGISTIC output requantized for a concat), and a
        // scale-up with a positive shift.
        let cases: [(Float, Int32, Float, Int32)] = [(0.00390625, -128, 0.04525325447320938, -12), (0.3, 5, 0.01, -3), (0.02, 0, 0.02, 0)]
        for (si, zi, so, zo) in cases {
            let p = Requantize.Params.quantize(inputScale: si, inputZeroPoint: zi, outputScale: so, outputZeroPoint: zo)
            XCTAssertEqual(real(p.multiplier, p.shift), Double(si) / Double(so), accuracy: Double(si) / Double(so) * 1e-9)
            for x in -128...127 {
                let expected = Int8(min(127, max(-128, Int64(zo) + mbqm(Int32(x) - zi, p.multiplier, p.shift))))
                XCTAssertEqual(Requantize.value(Int8(x), p), expected, "\(si) \(x)")
            }
        }
        // Equal parameters are the identity.
        let id = Requantize.Params.quantize(inputScale: 0.02, inputZeroPoint: 3, outputScale: 0.02, outputZeroPoint: 3)
        for x in -128...127 { XCTAssertEqual(Requantize.value(Int8(x), id), Int8(x)) }
    }

    func testReluBoundsAreFloatRoundedAndClamped() {
        // Output scale 0.05, zero point -100: RELU6's top is -100 + round(6 / 0.05) = 20.
        let r6 = Requantize.Params.relu(inputScale: 0.05, inputZeroPoint: -100, outputScale: 0.05, outputZeroPoint: -100, lo: 0, hi: 6)
        XCTAssertEqual(r6.min, -100)
        XCTAssertEqual(r6.max, 20)
        XCTAssertEqual(Requantize.value(-128, r6), -100)
        XCTAssertEqual(Requantize.value(0, r6), 0)
        XCTAssertEqual(Requantize.value(100, r6), 20)
        // RELU_N1_TO_1 at scale 1/64, zero point 0: [-64, 64] clamped to 127 at the top.
        let n1 = Requantize.Params.relu(inputScale: 1.0 / 64, inputZeroPoint: 0, outputScale: 1.0 / 64, outputZeroPoint: 0, lo: -1, hi: 1)
        XCTAssertEqual(n1.min, -64)
        XCTAssertEqual(n1.max, 64)
        // RELU: no upper bound; the lower bound saturates at -128.
        let r = Requantize.Params.relu(inputScale: 0.1, inputZeroPoint: 0, outputScale: 0.2, outputZeroPoint: -128, lo: 0, hi: nil)
        XCTAssertEqual(r.min, -128)
        XCTAssertEqual(r.max, 127)
        XCTAssertEqual(Requantize.value(5, r), -125)   // 0.5 / 0.2 = 2.5 -> 3 (ties away from zero)
        XCTAssertEqual(Requantize.value(-5, r), -128)
    }

    func testReluMatchesRecomputationForEveryInput() {
        // misc_elementwise_16x12 RELU#8.
        let (si, zi, so, zo): (Float, Int32, Float, Int32) = (0.04525325447320938, -12, 0.02471010573208332, -128)
        let p = Requantize.Params.relu(inputScale: si, inputZeroPoint: zi, outputScale: so, outputZeroPoint: zo, lo: 0, hi: nil)
        XCTAssertEqual(real(p.multiplier, p.shift), Double(si / so), accuracy: 1e-9)
        for x in -128...127 {
            let v = Int64(zo) + mbqm(Int32(x) - zi, p.multiplier, p.shift)
            XCTAssertEqual(Requantize.value(Int8(x), p), Int8(min(127, max(-128, v))))
            // And it is the real ReLU within half a step.
            let realOut = max(0, Double(x - Int(zi)) * Double(si)) / Double(so) + Double(zo)
            if realOut < 126.5 { XCTAssertEqual(Double(Requantize.value(Int8(x), p)), realOut, accuracy: 0.5 + 1e-6) }
        }
    }

    func testSignedMultiplierMatchesTFLiteQuantizeMultiplier() {
        // frexp(-0.5) = (-0.5, 0): -2^30.
        XCTAssertTrue(Requantize.quantizeSignedMultiplier(-0.5) == (-(1 << 30), 0))
        // -0.75 -> -(3 << 29), exponent 0.
        XCTAssertTrue(Requantize.quantizeSignedMultiplier(-0.75) == (-(3 << 29), 0))
        // A significand that rounds to 2^31: positive folds to (2^30, e + 1), negative stays
        // at -2^31 with exponent e.
        let nearOne: Double = 1 - 1.0 / 1099511627776  // 1 - 2^-40
        XCTAssertTrue(FixedPoint.quantizeMultiplier(nearOne) == (1 << 30, 1))
        XCTAssertTrue(Requantize.quantizeSignedMultiplier(-nearOne) == (Int32.min, 0))
        XCTAssertTrue(Requantize.quantizeSignedMultiplier(-0.2) == (-FixedPoint.quantizeMultiplier(0.2).multiplier, FixedPoint.quantizeMultiplier(0.2).shift))
        XCTAssertTrue(Requantize.quantizeSignedMultiplier(0) == (0, 0))
        XCTAssertTrue(Requantize.quantizeSignedMultiplier(-1e-12) == (0, 0))  // exponent below -31 flushes
    }

    func testLeakyReluMatchesRecomputationForEveryInput() {
        // misc_elementwise_16x12 LEAKY_RELU#1 (alpha 0.2), a negative alpha, and alpha 0.
        let cases: [(Float, Int32, Float, Int32, Float)] = [
            (0.039423923939466476, 5, 0.04525325447320938, -12, 0.2), (0.05, -3, 0.04, 10, -0.5), (0.05, 0, 0.05, 0, 0),
        ]
        for (si, zi, so, zo, alpha) in cases {
            let p = Requantize.LeakyParams.make(inputScale: si, inputZeroPoint: zi, outputScale: so, outputZeroPoint: zo, alpha: alpha)
            XCTAssertEqual(real(p.identityMultiplier, p.identityShift), Double(si / so), accuracy: 1e-9)
            XCTAssertEqual(real(p.alphaMultiplier, p.alphaShift), Double(si * alpha / so), accuracy: 1e-9)
            for x in -128...127 {
                let v = Int32(x) - zi
                let scaled = v >= 0 ? mbqm(v, p.identityMultiplier, p.identityShift) : mbqm(v, p.alphaMultiplier, p.alphaShift)
                XCTAssertEqual(Requantize.leakyValue(Int8(x), p), Int8(min(127, max(-128, Int64(zo) + scaled))), "alpha \(alpha) x \(x)")
            }
        }
    }

    func testOneOpModelsRunAndValidate() throws {
        let input = int8Bytes((-128...127).map { Int8($0) })
        // RELU6 through the interpreter equals the reference routine.
        var m = OneOpModel()
        var i = m.input([256], .int8, input, scale: 0.05, zeroPoint: -100)
        let p6 = Requantize.Params.relu(inputScale: 0.05, inputZeroPoint: -100, outputScale: 0.03, outputZeroPoint: -128, lo: 0, hi: 6)
        XCTAssertEqual(int8s(try m.run(BuiltinOperator.relu6, version: 2, inputs: [i], output: OneOpModel.out([256], .int8, scale: 0.03, zeroPoint: -128))),
                       (-128...127).map { Requantize.value(Int8($0), p6) })
        // LEAKY_RELU with options.
        m = OneOpModel()
        i = m.input([256], .int8, input, scale: 0.05, zeroPoint: 3)
        let pl = Requantize.LeakyParams.make(inputScale: 0.05, inputZeroPoint: 3, outputScale: 0.04, outputZeroPoint: -7, alpha: 0.1)
        XCTAssertEqual(int8s(try m.run(BuiltinOperator.leakyRelu, version: 2, options: .leakyRelu(LeakyReluOptions(alpha: 0.1)), inputs: [i],
                                       output: OneOpModel.out([256], .int8, scale: 0.04, zeroPoint: -7))),
                       (-128...127).map { Requantize.leakyValue(Int8($0), pl) })
        // QUANTIZE rejects a float input and a shape change.
        m = OneOpModel()
        i = m.input([4], .float32, [UInt8](repeating: 0, count: 16))
        XCTAssertEqual(m.failure(BuiltinOperator.quantize, inputs: [i], output: OneOpModel.out([4], .int8, scale: 0.1))?.kind, .typeMismatch)
        m = OneOpModel()
        i = m.input([4], .int8, [1, 2, 3, 4], scale: 0.1)
        XCTAssertEqual(m.failure(BuiltinOperator.quantize, inputs: [i], output: OneOpModel.out([2, 2], .int8, scale: 0.1))?.kind, .shapeMismatch)
        // RELU without quantization is rejected.
        m = OneOpModel()
        i = m.input([4], .int8, [1, 2, 3, 4])
        XCTAssertEqual(m.failure(BuiltinOperator.relu, inputs: [i], output: OneOpModel.out([4], .int8, scale: 0.1))?.kind, .invalidQuantization)
    }

    func testFixtureActivationOpsMatchReference() throws {
        let checked = try OpFixtureHarness.checkAll(opNames: ["QUANTIZE", "RELU", "RELU6", "RELU_N1_TO_1", "LEAKY_RELU"])
        XCTAssertGreaterThanOrEqual(checked, 3)
    }
}
