import XCTest
@testable import MoteSim

final class ErrorStatisticsTests: XCTestCase {
    /// A hand-worked example: scale 0.5, zero point -128.
    /// raw [-128, -127, -126, 127] → q [0, 0.5, 1.0, 127.5]; f [0, 0.4, 1.2, 200].
    func testHandWorkedExample() {
        var s = ErrorStatistics()
        s.add(reference: [0, 0.4, 1.2, 200], raw: [-128, -127, -126, 127], scale: 0.5, zeroPoint: -128)
        let f: [Double] = [0, Double(Float(0.4)), Double(Float(1.2)), 200]
        let q: [Double] = [0, 0.5, 1.0, 127.5]
        let signal = f.map { $0 * $0 }.reduce(0, +)
        let noise = zip(f, q).map { ($1 - $0) * ($1 - $0) }.reduce(0, +)
        XCTAssertEqual(s.count, 4)
        XCTAssertEqual(s.sqnrDB!, 10 * log10(signal / noise), accuracy: 1e-9)
        // (0.4² + 1.2² + 200²) / (0.1² + 0.2² + 72.5²) = 40001.6 / 5256.3 = 7.6102 → 8.8140 dB.
        XCTAssertEqual(s.sqnrDB!, 8.8140, accuracy: 1e-3)
        let dot = zip(f, q).map { $0 * $1 }.reduce(0, +)
        let qq = q.map { $0 * $0 }.reduce(0, +)
        XCTAssertEqual(s.cosine, dot / (signal.squareRoot() * qq.squareRoot()), accuracy: 1e-12)
        XCTAssertEqual(s.maxAbsError, 72.5, accuracy: 1e-12)
        XCTAssertEqual(s.atMinimum, 1)
        XCTAssertEqual(s.atMaximum, 1)
        // The highest representable value is 127.5 (+ half a step = 127.75): 200 is clipped, nothing else.
        XCTAssertEqual(s.clipped, 1)
    }

    /// Sums over two images equal the sums over their concatenation: the run's SQNR is not an
    /// average of per-image decibels.
    func testAggregatesBySumsNotAverages() {
        var a = ErrorStatistics(), b = ErrorStatistics(), both = ErrorStatistics()
        let f1: [Float] = [1, 2, 3], r1: [Int8] = [10, 20, 31]
        let f2: [Float] = [0.5, -0.5], r2: [Int8] = [6, -4]
        a.add(reference: f1, raw: r1, scale: 0.1, zeroPoint: 0)
        b.add(reference: f2, raw: r2, scale: 0.1, zeroPoint: 0)
        both.add(reference: f1 + f2, raw: r1 + r2, scale: 0.1, zeroPoint: 0)
        var merged = a
        merged.merge(b)
        XCTAssertEqual(merged.count, both.count)
        XCTAssertEqual(merged.sqnrDB!, both.sqnrDB!, accuracy: 1e-9)
        XCTAssertEqual(merged.cosine, both.cosine, accuracy: 1e-12)
        let mean = (a.sqnrDB! + b.sqnrDB!) / 2
        XCTAssertGreaterThan(abs(mean - both.sqnrDB!), 0.5, "the mean of the dB figures is a different number")
    }

    func testExactAndZeroCases() {
        var exact = ErrorStatistics()
        exact.add(reference: [0, 0.25, -0.25], raw: [0, 1, -1], scale: 0.25, zeroPoint: 0)
        XCTAssertNil(exact.sqnrDB, "no error: SQNR is infinite, reported as nil")
        XCTAssertEqual(exact.cosine, 1, accuracy: 1e-15)
        var zeros = ErrorStatistics()
        zeros.add(reference: [0, 0], raw: [0, 0], scale: 1, zeroPoint: 0)
        XCTAssertEqual(zeros.cosine, 1)
        var oneZero = ErrorStatistics()
        oneZero.add(reference: [0, 0], raw: [1, 0], scale: 1, zeroPoint: 0)
        XCTAssertEqual(oneZero.cosine, 0)
        XCTAssertNil(oneZero.sqnrDB, "zero signal: no SQNR")
    }

    func testHistogramBinsAndEdges() {
        var h = Histogram(lower: -1, upper: 1, bins: 4)
        h.add([-1.5, -1, -0.51, -0.5, 0, 0.49, 0.99, 1, .nan])
        XCTAssertEqual(h.counts, [2, 1, 2, 1])
        XCTAssertEqual(h.below, 1)
        XCTAssertEqual(h.above, 2, "1 (the upper edge) and NaN")
        XCTAssertEqual(h.total, 9)
        let degenerate = Histogram(lower: 3, upper: 3, bins: 10)
        XCTAssertEqual(degenerate.counts.count, 1)
        XCTAssertEqual(degenerate.upper, 4)
    }

    /// Every int8 level lands inside one bin of a layer histogram (4 levels per bin).
    func testLayerHistogramRangeHoldsEveryLevel() {
        let (lo, hi) = LayerStatistics.histogramRange(scale: 0.1, zeroPoint: -128)
        var h = Histogram(lower: lo, upper: hi, bins: LayerStatistics.histogramBins)
        for r in -128...127 { h.add(Double(r + 128) * 0.1) }
        XCTAssertEqual(h.below + h.above, 0)
        XCTAssertEqual(h.counts, Array(repeating: 4, count: 64))
    }

    func testQuantizeRoundsHalfToEvenAndClamps() {
        XCTAssertEqual(Quantize.int8(0.25, scale: 0.5, zeroPoint: 0), 0)   // 0.5 → 0
        XCTAssertEqual(Quantize.int8(0.75, scale: 0.5, zeroPoint: 0), 2)   // 1.5 → 2
        XCTAssertEqual(Quantize.int8(-0.25, scale: 0.5, zeroPoint: 0), 0)  // -0.5 → 0
        XCTAssertEqual(Quantize.int8(0.3, scale: 0.5, zeroPoint: -128), -127)
        XCTAssertEqual(Quantize.int8(1000, scale: 0.5, zeroPoint: 0), 127)
        XCTAssertEqual(Quantize.int8(-1000, scale: 0.5, zeroPoint: -128), -128)
        XCTAssertEqual(Quantize.int8(.nan, scale: 0.5, zeroPoint: 3), 3)
    }
}
