/// Counts of values in `bins` equal-width bins over [lower, upper), plus the values below and
/// above that range. A value v falls in bin floor((v - lower) / width), width = (upper -
/// lower) / bins; v = upper goes to `above`. NaN is counted in `above`.
public struct Histogram: Codable, Equatable, Sendable {
    /// The lower edge of the first bin.
    public var lower: Double
    /// The upper edge of the last bin.
    public var upper: Double
    /// The count of each bin.
    public var counts: [Int]
    /// Values below `lower`.
    public var below: Int = 0
    /// Values at or above `upper` (and NaN).
    public var above: Int = 0

    /// An empty histogram; `upper` must exceed `lower` and `bins` be positive (otherwise the
    /// range becomes [lower, lower + 1) with one bin).
    public init(lower: Double, upper: Double, bins: Int) {
        let ok = upper > lower && bins > 0 && lower.isFinite && upper.isFinite
        self.lower = ok ? lower : (lower.isFinite ? lower : 0)
        self.upper = ok ? upper : self.lower + 1
        counts = Array(repeating: 0, count: ok ? bins : 1)
    }

    /// The width of one bin.
    public var binWidth: Double { (upper - lower) / Double(counts.count) }

    /// Every value counted.
    public var total: Int { counts.reduce(0, +) + below + above }

    /// Counts `value` (see the type's notes for the bins).
    @inline(__always)
    public mutating func add(_ value: Double) {
        if value < lower { below += 1; return }
        let k = ((value - lower) / binWidth)
        guard k < Double(counts.count) else { above += 1; return }
        counts[Int(k)] += 1
    }

    /// Counts every value of `values`.
    public mutating func add<S: Sequence>(_ values: S) where S.Element == Float {
        for v in values { add(Double(v)) }
    }
}
