import Foundation
import XCTest
@testable import MoteCore

/// gemmlowp's fixed-point functions: hand-worked cases, accuracy against Foundation's double
/// functions, and bit-exact values from an independent Python transcription of
/// `fixedpoint.h` (the one that reproduces every fixture SOFTMAX output).
final class FixedPointMathTests: XCTestCase {
    func testSaturatingRoundingMultiplyByPOT() {
        XCTAssertEqual(FixedPointMath.saturatingRoundingMultiplyByPOT(5, 0), 5)
        XCTAssertEqual(FixedPointMath.saturatingRoundingMultiplyByPOT(5, 2), 20)
        XCTAssertEqual(FixedPointMath.saturatingRoundingMultiplyByPOT(-5, 3), -40)
        // Threshold 2^29 - 1 for a shift by 2: above it saturates.
        XCTAssertEqual(FixedPointMath.saturatingRoundingMultiplyByPOT((1 << 29) - 1, 2), Int32.max - 3)
        XCTAssertEqual(FixedPointMath.saturatingRoundingMultiplyByPOT(1 << 29, 2), Int32.max)
        XCTAssertEqual(FixedPointMath.saturatingRoundingMultiplyByPOT(-(1 << 29), 2), Int32.min)
        // Negative exponents round half away from zero.
        XCTAssertEqual(FixedPointMath.saturatingRoundingMultiplyByPOT(7, -1), 4)
        XCTAssertEqual(FixedPointMath.saturatingRoundingMultiplyByPOT(-7, -1), -4)
        XCTAssertEqual(FixedPointMath.saturatingRoundingMultiplyByPOT(5, -2), 1)
        XCTAssertEqual(FixedPointMath.saturatingRoundingMultiplyByPOT(6, -2), 2)
        XCTAssertEqual(FixedPointMath.rescale(1 << 30, from: 0, to: 12), 1 << 18)
    }

    func testRoundingHalfSum() {
        XCTAssertEqual(FixedPointMath.roundingHalfSum(1, 2), 2)
        XCTAssertEqual(FixedPointMath.roundingHalfSum(-1, -2), -2)
        XCTAssertEqual(FixedPointMath.roundingHalfSum(3, -4), -1)
        XCTAssertEqual(FixedPointMath.roundingHalfSum(0, 0), 0)
        XCTAssertEqual(FixedPointMath.roundingHalfSum(4, 6), 5)
        XCTAssertEqual(FixedPointMath.roundingHalfSum(Int32.max, Int32.max), Int32.max)
        XCTAssertEqual(FixedPointMath.roundingHalfSum(Int32.min, Int32.min), Int32.min)
    }

    func testExpOnNegativeValuesBitExact() {
        let q5: [Int32] = [0, -(1 << 26), -(1 << 24), -3 * (1 << 25) - 12345, -(31 << 26)]
        let expected: [Int32] = [2147483647, 790015308, 1672462419, 479080124, 0]
        for (a, e) in zip(q5, expected) { XCTAssertEqual(FixedPointMath.expOnNegativeValues(a, integerBits: 5), e, "a = \(a)") }
        XCTAssertEqual(FixedPointMath.expOnNegativeValues(-(1 << 29), integerBits: 0), 1672462419)
        XCTAssertEqual(FixedPointMath.expOnNegativeValues(-Int32.max, integerBits: 0), 790015308)
        // With 10 integer bits, inputs below -32 are flushed to 0.
        XCTAssertEqual(FixedPointMath.expOnNegativeValues(-(40 << 21), integerBits: 10), 0)
        XCTAssertEqual(FixedPointMath.expOnNegativeValues(-(20 << 21) - 77, integerBits: 10), 4)
    }

    func testExpOnNegativeValuesAccuracy() {
        for integerBits: Int32 in [0, 1, 3, 5, 8, 12] {
            let one = Double(1 << (31 - Int(integerBits)))
            let lowest = -min(Double(1 << Int(integerBits)), 16)
            var worst = 0.0
            var x = lowest
            while x <= 0 {
                let raw = Int32(max(x * one, -2147483647))
                let got = Double(FixedPointMath.expOnNegativeValues(raw, integerBits: integerBits)) / 2147483648.0
                worst = max(worst, abs(got - Foundation.exp(Double(raw) / one)))
                x += 0.0137
            }
            XCTAssertLessThan(worst, 4e-7, "integerBits \(integerBits)")
        }
    }

    func testOneOverOnePlusX() {
        let cases: [(Int32, Int32)] = [(0, 2147483647), (1 << 30, 1431655762), (Int32.max, 1073741820), (123456789, 2030738432)]
        for (a, e) in cases { XCTAssertEqual(FixedPointMath.oneOverOnePlusXForXIn01(a), e, "a = \(a)") }
        var worst = 0.0
        for k in 0..<1000 {
            let a = Int32(Double(k) / 1000 * 2147483647)
            let got = Double(FixedPointMath.oneOverOnePlusXForXIn01(a)) / 2147483648.0
            worst = max(worst, abs(got - 1 / (1 + Double(a) / 2147483648.0)))
        }
        XCTAssertLessThan(worst, 1e-8)
    }

    func testReciprocal() {
        // 1.0, 3.0 and 12345678 / 2^19 in Q12.
        var r = FixedPointMath.reciprocal(1 << 19, integerBits: 12)
        XCTAssertEqual(r.scale, 2147483647)
        XCTAssertEqual(r.bitsOverUnit, 0)
        r = FixedPointMath.reciprocal(3 << 19, integerBits: 12)
        XCTAssertEqual(r.scale, 1431655762)
        XCTAssertEqual(r.bitsOverUnit, 1)
        r = FixedPointMath.reciprocal(12345678, integerBits: 12)
        XCTAssertEqual(r.scale, 1459166394)
        XCTAssertEqual(r.bitsOverUnit, 4)
        for x: Int32 in [1 << 19, 777_777, 5_000_000, 123_456_789, Int32.max] {
            let r = FixedPointMath.reciprocal(x, integerBits: 12)
            let value = Double(r.scale) / 2147483648.0 / pow(2, Double(r.bitsOverUnit))
            XCTAssertEqual(value, 524288.0 / Double(x), accuracy: 1e-8 * 524288.0 / Double(x))
        }
    }

    func testMultiplyByQuantizedMultiplierGreaterThanOne() {
        // 3 * 2^4 * 0.75 = 36.
        XCTAssertEqual(FixedPointMath.multiplyByQuantizedMultiplierGreaterThanOne(3, 3 << 29, 4), 36)
        XCTAssertEqual(FixedPointMath.multiplyByQuantizedMultiplierGreaterThanOne(-3, 3 << 29, 4), -36)
        // -5 * 2^2 * 0.5 = -10.
        XCTAssertEqual(FixedPointMath.multiplyByQuantizedMultiplierGreaterThanOne(-5, 1 << 30, 2), -10)
    }
}
