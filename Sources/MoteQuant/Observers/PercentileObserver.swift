/// Clips both tails: the range is `[quantile(1 − p), quantile(p)]` of the observed values
/// (p = `percentile` / 100), read from a histogram with linear interpolation inside a bin.
/// `percentile` 100 gives the exact minimum and maximum.
public struct PercentileObserver: RangeObserver {
    /// The percentile p in [50, 100].
    public let percentile: Double
    /// The values observed.
    public private(set) var histogram: Histogram

    /// An observer clipping at `percentile`, with `binsPerSide` histogram bins per side.
    public init(percentile: Double = 99.999, binsPerSide: Int = 2048) {
        self.percentile = percentile
        histogram = Histogram(binsPerSide: binsPerSide)
    }

    public mutating func observe(_ values: UnsafeBufferPointer<Float>) { histogram.add(values) }

    public func range() -> (min: Float, max: Float)? {
        guard histogram.minimum <= histogram.maximum else { return nil }
        if percentile >= 100 { return (histogram.minimum, histogram.maximum) }
        let p = percentile / 100
        return (histogram.quantile(1 - p), histogram.quantile(p))
    }
}
