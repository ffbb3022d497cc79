/// A histogram of float values over `[−limit, limit]` with `binsPerSide` equal bins on each side
/// of 0, which doubles its limit (merging neighbouring bins exactly, since bin edges are
/// anchored at 0) whenever a value falls outside. Also keeps the exact minimum and maximum.
///
/// Bin `i` (0 ..< 2·binsPerSide) counts values in `[−limit + i·w, −limit + (i+1)·w)` with
/// `w = limit / binsPerSide`; a value exactly at `limit` counts in the last bin.
public struct Histogram: Sendable {
    /// Bins on each side of 0 (the histogram has twice as many).
    public let binsPerSide: Int
    /// The half-width covered; 0 until a non-zero value was seen (zeros are then held in `zeros`).
    public private(set) var limit: Double = 0
    /// The count of each bin, from the most negative.
    public private(set) var counts: [Double]
    /// The smallest finite value added (+infinity before any).
    public private(set) var minimum = Float.infinity
    /// The largest finite value added (−infinity before any).
    public private(set) var maximum = -Float.infinity
    /// Values counted before any non-zero value fixed the limit (all exactly 0).
    private var pendingZeros: Double = 0

    /// An empty histogram with `binsPerSide` bins per side (at least 1).
    public init(binsPerSide: Int = 2048) {
        self.binsPerSide = max(binsPerSide, 1)
        counts = [Double](repeating: 0, count: 2 * self.binsPerSide)
    }

    /// The number of values counted.
    public var total: Double { counts.reduce(0, +) + pendingZeros }
    /// The width of one bin.
    public var binWidth: Double { limit / Double(binsPerSide) }
    /// The lower edge of bin `i`.
    public func lowerEdge(_ i: Int) -> Double { -limit + Double(i) * binWidth }

    /// Counts every finite value, first doubling the limit as often as the largest magnitude needs.
    public mutating func add(_ values: UnsafeBufferPointer<Float>) {
        var maxAbs: Float = 0
        var lo = minimum, hi = maximum
        for v in values where v.isFinite {
            maxAbs = max(maxAbs, abs(v))
            lo = min(lo, v)
            hi = max(hi, v)
        }
        minimum = lo
        maximum = hi
        if Double(maxAbs) > limit { grow(toCover: Double(maxAbs)) }
        guard limit > 0 else {
            pendingZeros += Double(values.lazy.filter { $0.isFinite }.count)
            return
        }
        let inverse = Double(binsPerSide) / limit
        let last = 2 * binsPerSide - 1
        counts.withUnsafeMutableBufferPointer { c in
            for v in values where v.isFinite {
                let i = Int((Double(v) * inverse).rounded(.down)) + binsPerSide
                c[min(max(i, 0), last)] += 1
            }
        }
    }

    /// `add` for arrays.
    public mutating func add(_ values: [Float]) { values.withUnsafeBufferPointer { add($0) } }

    private mutating func grow(toCover maxAbs: Double) {
        if limit == 0 {
            limit = maxAbs
            counts[binsPerSide] += pendingZeros
            pendingZeros = 0
            return
        }
        var factor = 1
        while limit * Double(factor) < maxAbs { factor *= 2 }
        guard factor > 1 else { return }
        var merged = [Double](repeating: 0, count: counts.count)
        for (i, n) in counts.enumerated() where n != 0 {
            let fromCentre = i - binsPerSide
            let j = Int((Double(fromCentre) / Double(factor)).rounded(.down)) + binsPerSide
            merged[j] += n
        }
        counts = merged
        limit *= Double(factor)
    }

    /// The value below which a fraction `q` (0...1) of the counts lie, interpolating linearly
    /// inside a bin and clamped to the exact observed `[minimum, maximum]`.
    public func quantile(_ q: Double) -> Float {
        guard minimum <= maximum else { return 0 }
        guard limit > 0 else { return 0 }
        let target = min(max(q, 0), 1) * total
        var below = 0.0
        for (i, n) in counts.enumerated() where n > 0 {
            if below + n >= target {
                let x = lowerEdge(i) + binWidth * (target - below) / n
                return min(max(Float(x), minimum), maximum)
            }
            below += n
        }
        return maximum
    }

    /// The fraction of counted values outside `[lo, hi]`. A bin that straddles an end is
    /// prorated over the part of it the data actually spans (clipped to the exact minimum and
    /// maximum), so that `[minimum, maximum]` itself clips nothing.
    public func fractionOutside(lo: Float, hi: Float) -> Double {
        let n = total
        guard n > 0 else { return 0 }
        guard limit > 0 else { return lo <= 0 && hi >= 0 ? 0 : 1 }
        var outside = 0.0
        let w = binWidth
        for (i, c) in counts.enumerated() where c > 0 {
            let a = max(lowerEdge(i), Double(minimum)), b = min(lowerEdge(i) + w, Double(maximum))
            if b <= a {
                if a < Double(lo) || a > Double(hi) { outside += c }
                continue
            }
            let inside = max(0, min(b, Double(hi)) - max(a, Double(lo)))
            outside += c * (1 - min(inside / (b - a), 1))
        }
        return outside / n
    }
}
