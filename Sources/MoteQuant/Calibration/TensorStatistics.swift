/// What calibration learned about one float activation tensor: the recipe's observer, and a
/// histogram for reporting how much a chosen range clips.
public struct TensorStatistics {
    public var observer: any RangeObserver
    public private(set) var histogram: Histogram
    /// The number of samples observed.
    public private(set) var samples = 0

    public init(observer: any RangeObserver, histogramBins: Int) {
        self.observer = observer
        histogram = Histogram(binsPerSide: histogramBins)
    }

    public mutating func observe(_ values: UnsafeBufferPointer<Float>) {
        observer.observe(values)
        histogram.add(values)
        samples += 1
    }

    /// The exact observed range, or nil when nothing finite was seen.
    public var observedRange: (min: Float, max: Float)? {
        histogram.minimum <= histogram.maximum ? (histogram.minimum, histogram.maximum) : nil
    }
}
