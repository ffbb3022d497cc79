/// Chooses the clipping range that minimizes the mean squared error between the observed values
/// and their int8 quantize-dequantize images (rounding error inside the range, clipping error
/// outside). Candidates shrink the observed `[min, max]` (0 included) toward 0 by a common factor
/// α = 1, 0.99, ..., 0.10; each is scored on the histogram, every bin's count placed at its
/// centre, with the int8 parameters `QuantizationMath.activationParameters` would give.
public struct MSEObserver: RangeObserver {
    /// The values observed.
    public private(set) var histogram: Histogram

    /// An observer whose histogram has `binsPerSide` bins per side.
    public init(binsPerSide: Int = 2048) { histogram = Histogram(binsPerSide: binsPerSide) }

    public mutating func observe(_ values: UnsafeBufferPointer<Float>) { histogram.add(values) }

    public func range() -> (min: Float, max: Float)? {
        let h = histogram
        guard h.minimum <= h.maximum else { return nil }
        let lo = min(h.minimum, 0), hi = max(h.maximum, 0)
        guard hi > lo, h.limit > 0 else { return (h.minimum, h.maximum) }
        var best: (error: Double, lo: Float, hi: Float) = (.infinity, lo, hi)
        for k in stride(from: 100, through: 10, by: -1) {
            let alpha = Float(k) / 100
            let e = Self.error(h, lo: lo * alpha, hi: hi * alpha)
            if e < best.error { best = (e, lo * alpha, hi * alpha) }
        }
        return (best.lo, best.hi)
    }

    /// The mean squared quantize-dequantize error of the histogram under the range `[lo, hi]`.
    static func error(_ h: Histogram, lo: Float, hi: Float) -> Double {
        let (scale, zeroPoint) = QuantizationMath.activationParameters(min: lo, max: hi)
        let s = Double(scale), z = Double(zeroPoint)
        let w = h.binWidth
        var sum = 0.0, n = 0.0
        for (i, c) in h.counts.enumerated() where c > 0 {
            let x = h.lowerEdge(i) + w / 2
            let q = min(max((x / s).rounded(.toNearestOrAwayFromZero) + z, -128), 127)
            let d = x - (q - z) * s
            sum += c * d * d
            n += c
        }
        return n > 0 ? sum / n : 0
    }
}
