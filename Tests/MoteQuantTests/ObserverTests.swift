import Foundation
import XCTest
@testable import MoteQuant

/// Each observer on hand-made distributions with known answers.
final class ObserverTests: XCTestCase {
    /// A seeded generator (SplitMix64) so that every run sees the same samples.
    struct Rand {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// Uniform in (0, 1).
        mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / 9007199254740992.0 }
        /// Laplace(0, b) by inversion.
        mutating func laplace(_ b: Double) -> Float {
            let u = uniform() - 0.5
            return Float(-b * (u < 0 ? -1.0 : 1.0) * log(1 - 2 * abs(u)))
        }
    }

    func testMinMax() throws {
        var o = MinMaxObserver()
        XCTAssertNil(o.range())
        o.observe([0.5, -2, 3, .nan, .infinity])
        o.observe([1, 4.25])
        let r = try XCTUnwrap(o.range())
        XCTAssertEqual(r.min, -2)
        XCTAssertEqual(r.max, 4.25)
    }

    /// m ← m + c·(sample − m): [0,1] then [−1,3] with c = 0.5 → min −0.5, max 2.
    func testMovingAverage() throws {
        var o = MovingAverageMinMaxObserver(averagingConstant: 0.5)
        o.observe([0, 1])
        o.observe([-1, 3])
        let r = try XCTUnwrap(o.range())
        XCTAssertEqual(r.min, -0.5)
        XCTAssertEqual(r.max, 2)
    }

    /// The histogram doubles its limit exactly: counts are conserved and every value stays in
    /// a bin that contains it.
    func testHistogramGrowsExactly() {
        var h = Histogram(binsPerSide: 4)
        h.add([0, 0])          // zeros before any non-zero value
        h.add([1, -0.5])       // limit 1, bin width 0.25
        h.add([3.5])           // limit doubles twice → 4, bin width 1
        XCTAssertEqual(h.limit, 4)
        XCTAssertEqual(h.total, 5)
        // Bins of width 1 from −4: both 0s go to [0,1), and so does 1, which sat in the last bin
        // [0.75, 1] while the limit was 1; −0.5 to [−1,0); 3.5 to [3,4).
        XCTAssertEqual(h.counts, [0, 0, 0, 1, 3, 0, 0, 1])
        XCTAssertEqual(h.minimum, -0.5)
        XCTAssertEqual(h.maximum, 3.5)
    }

    /// 0, 1, …, 9999 (uniform): the 99th percentile is 9899.01 (linear interpolation), the 1st 99.99.
    func testPercentileOfAUniformRamp() throws {
        var o = PercentileObserver(percentile: 99, binsPerSide: 2048)
        o.observe((0..<10000).map { Float($0) })
        let r = try XCTUnwrap(o.range())
        let binWidth = Float(o.histogram.binWidth)
        XCTAssertEqual(r.max, 9899, accuracy: binWidth)
        XCTAssertEqual(r.min, 100, accuracy: binWidth)
        var all = PercentileObserver(percentile: 100)
        all.observe([-3, 7])
        XCTAssertEqual(all.range()?.max, 7)
    }

    /// MSE-optimal clipping of Laplace(0, 1) with 8 bits: minimizing the clipping error
    /// 2b²e^(−α/b) plus the rounding error α²/(3·255²) (Banner et al., ACIQ) gives α ≈ 9.89 b,
    /// recomputed here in float64.
    func testMSEOnLaplaceMatchesTheAnalyticOptimum() throws {
        var alpha = 0.0, best = Double.infinity
        for k in 1...20000 {
            let a = Double(k) * 0.001
            let e = 2 * exp(-a) + a * a / (3 * 255 * 255)
            if e < best { best = e; alpha = a }
        }
        XCTAssertEqual(alpha, 9.89, accuracy: 0.01)
        var rng = Rand(state: 42)
        var o = MSEObserver(binsPerSide: 4096)
        var values = [Float](repeating: 0, count: 1 << 21)
        for i in values.indices { values[i] = rng.laplace(1) }
        o.observe(values)
        let r = try XCTUnwrap(o.range())
        XCTAssertEqual(Double(r.max), alpha, accuracy: alpha * 0.1)
        XCTAssertEqual(Double(-r.min), alpha, accuracy: alpha * 0.1)
        // Uniform data: clipping only adds error, the full range wins.
        var u = MSEObserver()
        u.observe((0..<100_000).map { Float($0) / 99_999 })
        XCTAssertEqual(try XCTUnwrap(u.range()).max, 1, accuracy: 0.011)
    }

    /// KL: a uniform distribution keeps (almost) its whole range; rare far outliers are cut off.
    func testKLDivergence() throws {
        var u = KLDivergenceObserver()
        u.observe((0..<200_000).map { Float($0) / 199_999 })
        XCTAssertEqual(try XCTUnwrap(u.range()).max, 1, accuracy: 0.02)

        // One-sided exponential(1) (|Laplace|): all 255 steps on [0, T], T inside the observed
        // range, the far tail clipped.
        var rng = Rand(state: 7)
        var o = KLDivergenceObserver()
        o.observe((0..<200_000).map { _ in abs(rng.laplace(1)) })
        let r = try XCTUnwrap(o.range())
        XCTAssertEqual(r.min, 0, accuracy: 1e-4)
        XCTAssertLessThan(r.max, o.histogram.maximum)
        XCTAssertGreaterThan(r.max, 4)
        // Signed data: a symmetric threshold inside the observed range.
        var s = KLDivergenceObserver()
        var rng2 = Rand(state: 9)
        s.observe((0..<200_000).map { _ in rng2.laplace(1) })
        let sr = try XCTUnwrap(s.range())
        XCTAssertEqual(sr.min, -sr.max, accuracy: 1e-6 + abs(sr.max) * 1e-6)
        XCTAssertLessThan(sr.max, s.histogram.maximum)
        XCTAssertGreaterThan(sr.max, 3)
    }

    /// The fraction clipped counts values outside the range, prorating straddled bins.
    func testFractionOutside() {
        var h = Histogram(binsPerSide: 1000)
        h.add((0..<1000).map { Float($0) / 999 })
        XCTAssertEqual(h.fractionOutside(lo: 0, hi: 1), 0, accuracy: 1e-9)
        XCTAssertEqual(h.fractionOutside(lo: 0, hi: 0.5), 0.5, accuracy: 0.01)
        XCTAssertEqual(h.fractionOutside(lo: 0.25, hi: 0.75), 0.5, accuracy: 0.01)
    }
}

/// The RELU case: many exact zeros do not drag the KL threshold down (they are exact at any T).
final class KLZerosTests: XCTestCase {
    func testExactZerosAreLeftOut() throws {
        var rng = ObserverTests.Rand(state: 11)
        var values = (0..<100_000).map { _ in Float(rng.uniform()) }   // uniform (0, 1)
        values += [Float](repeating: 0, count: 400_000)                   // 80% zeros, as after a RELU
        var o = KLDivergenceObserver()
        o.observe(values)
        XCTAssertEqual(o.zeros, 400_000)
        XCTAssertEqual(try XCTUnwrap(o.range()).max, 1, accuracy: 0.02)
    }
}
