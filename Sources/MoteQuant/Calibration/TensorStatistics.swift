/// What calibration learned about one float activation tensor: the recipe's observer, and a
/// histogram for reporting how much a chosen range clips.
public struct TensorStatistics {
    /// The recipe's observer for this tensor.
    public var observer: any RangeObserver
    /// Every observed value, for the clipped fraction of the chosen range.
    public private(set) var histogram: Histogram
    /// The number of samples observed.
    public private(set) var samples = 0

    /// Statistics fed to `observer`, with a histogram of `histogramBins` bins per side.
    public init(observer: any RangeObserver, histogramBins: Int) {
        self.observer = observer
        histogram = Histogram(binsPerSide: histogramBins)
    }

    /// Adds one sample's values of the tensor.
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
