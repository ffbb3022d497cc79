import XCTest
@testable import MoteCore

/// Fixed-point primitives against hand-worked values and an Int64 recomputation of gemmlowp's
/// definitions written here.
final class FixedPointTests: XCTestCase {
    func testQuantizeMultiplierHandWorked() {
        XCTAssertTrue(FixedPoint.quantizeMultiplier(0.5) == (1 << 30, 0))
        XCTAssertTrue(FixedPoint.quantizeMultiplier(1.0) == (1 << 30, 1))
        XCTAssertTrue(FixedPoint.quantizeMultiplier(0.75) == (1_610_612_736, 0))
        XCTAssertTrue(FixedPoint.quantizeMultiplier(0.0) == (0, 0))
        // 2^-40 is below the representable exponent range: flushed to zero.
        XCTAssertTrue(FixedPoint.quantizeMultiplier(0x1p-40) == (0, 0))
        // Just below 1: the Q31 significand rounds up to 2^31 and folds into the exponent.
        XCTAssertTrue(FixedPoint.quantizeMultiplier(1.0 - 0x1p-40) == (1 << 30, 1))
        // 3.0 = 0.75 * 2^2
        XCTAssertTrue(FixedPoint.quantizeMultiplier(3.0) == (1_610_612_736, 2))
    }

    func testQuantizeMultiplierReconstructsTheScale() {
        var x = 1.3e-7
        while x < 40 {
            let (m, s) = FixedPoint.quantizeMultiplier(x)
            let back = Double(m) * pow(2.0, Double(s) - 31)
            XCTAssertEqual(back, x, accuracy: x * 1e-9)
            XCTAssertGreaterThanOrEqual(m, 1 << 30)
            x *= 1.37
        }
    }

    func testRoundingDivideByPOTTiesAwayFromZero() {
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(5, 1), 3)     // 2.5 -> 3
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(-5, 1), -3)   // -2.5 -> -3
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(7, 2), 2)     // 1.75 -> 2
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(-6, 2), -2)   // -1.5 -> -2
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(-5, 2), -1)   // -1.25 -> -1
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(Int32.max, 31), 1)
    }

    func testSaturatingRoundingDoublingHighMulAgainstInt64() {
        XCTAssertEqual(FixedPoint.saturatingRoundingDoublingHighMul(Int32.min, Int32.min), Int32.max)
        var seed: UInt64 = 12345
        for _ in 0..<20000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let a = Int32(truncatingIfNeeded: seed >> 32)
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let b = Int32(truncatingIfNeeded: seed >> 32)
            if a == Int32.min && b == Int32.min { continue }
            let ab = Int64(a) * Int64(b)
            let nudge: Int64 = ab >= 0 ? 1 << 30 : 1 - (1 << 30)
            let expected = Int32((ab + nudge) / (1 << 31))   // C division truncates toward zero
            XCTAssertEqual(FixedPoint.saturatingRoundingDoublingHighMul(a, b), expected)
        }
    }

    func testSingleRoundingAgainstInt64() {
        var seed: UInt64 = 777
        for _ in 0..<20000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let x = Int32(truncatingIfNeeded: seed >> 40)  // 24-bit accumulators
            let m = Int32(1 << 30) + Int32(truncatingIfNeeded: (seed >> 8) & 0x3fff_ffff)
            let shift = Int32(truncatingIfNeeded: (seed >> 3) % 20) - 15
            let total = 31 - Int64(shift)
            let expected = (Int64(x) * Int64(m) + (Int64(1) << (total - 1))) >> total
            XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplierSingleRounding(x, m, shift), Int32(expected))
        }
    }

    func testRoundedInt32MatchesCRound() {
        for x in [0.5, -0.5, 1.5, -1.5, 2.4999, -2.5001, 1e12, -1e12, 0.0, 123456.5] {
            XCTAssertEqual(FixedPoint.roundedInt32(x), Int32(clamping: Int64(x.rounded(.toNearestOrAwayFromZero))), "\(x)")
        }
        XCTAssertEqual(FixedPoint.roundedInt32(.nan), 0)
    }
}
