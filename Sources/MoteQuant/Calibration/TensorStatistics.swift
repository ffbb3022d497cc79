/// What calibration learned about one float activation tensor: the recipe's observer, a
/// histogram for reporting how much a chosen range clips, and per-channel (last axis) means
/// for bias correction.
public struct TensorStatistics {
    public var observer: any RangeObserver
    public private(set) var histogram: Histogram
    /// Sum over samples and positions of each last-axis channel's values.
    public private(set) var channelSums: [Double]
    /// Number of values added to each channel sum.
    public private(set) var channelCount: Double = 0
    public private(set) var samples = 0

    public init(observer: any RangeObserver, channels: Int, histogramBins: Int) {
        self.observer = observer
        histogram = Histogram(binsPerSide: histogramBins)
        channelSums = [Double](repeating: 0, count: max(channels, 1))
    }

    public mutating func observe(_ values: UnsafeBufferPointer<Float>) {
        observer.observe(values)
        histogram.add(values)
        let c = channelSums.count
        guard c > 0, values.count % c == 0 else { return }
        channelSums.withUnsafeMutableBufferPointer { sums in
            for (i, v) in values.enumerated() { sums[i % c] += Double(v) }
        }
        channelCount += Double(values.count / c)
        samples += 1
    }

    /// The mean of each last-axis channel over everything observed.
    public var channelMeans: [Double] { channelSums.map { channelCount > 0 ? $0 / channelCount : 0 } }

    /// The exact observed range, or nil when nothing finite was seen.
    public var observedRange: (min: Float, max: Float)? {
        histogram.minimum <= histogram.maximum ? (histogram.minimum, histogram.maximum) : nil
    }
}
