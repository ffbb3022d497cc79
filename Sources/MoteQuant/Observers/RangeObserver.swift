/// Watches the float values a tensor takes over the calibration data and proposes the real
/// range `[min, max]` its int8 codes should cover.
///
/// `observe` is called once per calibration sample with all of the tensor's values for that
/// sample; `range()` is nil until something finite was observed. Non-finite values are ignored.
public protocol RangeObserver {
    /// Adds one sample's values.
    mutating func observe(_ values: UnsafeBufferPointer<Float>)
    /// The proposed range, or nil when no finite value was observed.
    func range() -> (min: Float, max: Float)?
}

extension RangeObserver {
    /// Convenience for arrays (tests, small tensors).
    public mutating func observe(_ values: [Float]) {
        values.withUnsafeBufferPointer { observe($0) }
    }
}

/// The exact smallest and largest value ever observed (TF's converter's calibration).
public struct MinMaxObserver: RangeObserver {
    /// The smallest finite value seen.
    public private(set) var minimum = Float.infinity
    /// The largest finite value seen.
    public private(set) var maximum = -Float.infinity

    /// An observer that has seen nothing.
    public init() {}

    public mutating func observe(_ values: UnsafeBufferPointer<Float>) {
        var lo = minimum, hi = maximum
        for v in values where v.isFinite {
            lo = Swift.min(lo, v)
            hi = Swift.max(hi, v)
        }
        minimum = lo
        maximum = hi
    }

    public func range() -> (min: Float, max: Float)? {
        minimum <= maximum ? (minimum, maximum) : nil
    }
}

/// An exponential moving average of each sample's minimum and maximum:
/// `m ← m + c × (sampleMin − m)` (the first sample initializes), so a few extreme samples move
/// the range only a little. `averagingConstant` c is in (0, 1]; 1 keeps the last sample's range.
public struct MovingAverageMinMaxObserver: RangeObserver {
    /// c in (0, 1].
    public let averagingConstant: Float
    private var minimum: Float?
    private var maximum: Float?

    /// An observer with averaging constant `averagingConstant`.
    public init(averagingConstant: Float = 0.01) { self.averagingConstant = averagingConstant }

    public mutating func observe(_ values: UnsafeBufferPointer<Float>) {
        var sample = MinMaxObserver()
        sample.observe(values)
        guard let (lo, hi) = sample.range() else { return }
        if let m = minimum, let n = maximum {
            minimum = m + averagingConstant * (lo - m)
            maximum = n + averagingConstant * (hi - n)
        } else {
            minimum = lo
            maximum = hi
        }
    }

    public func range() -> (min: Float, max: Float)? {
        guard let minimum, let maximum else { return nil }
        return (minimum, maximum)
    }
}
