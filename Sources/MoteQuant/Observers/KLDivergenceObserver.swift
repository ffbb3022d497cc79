import Foundation

/// TensorRT's entropy calibration: the clipping threshold T minimizing the Kullback-Leibler
/// divergence KL(P‖Q) between the histogram P of the values clipped at T (values above T added
/// to the last bin) and its quantized version Q (the histogram's bins below T, without the
/// clipped mass, merged into `levels` equal groups, each group's mass spread evenly over the
/// group's non-empty bins), both normalized.
///
/// The histogram is of |x| over [0, max |x|]. A tensor that is never negative spends all 255
/// steps on [0, T] (`levels` = 255) and gets `[min, T]`; otherwise the range is symmetric,
/// 128 levels per side, `[max(min, −T), min(max, T)]`. Thresholds are searched at bin edges
/// from `levels` bins up to all of them; T is the upper edge of the last kept bin. Exact zeros
/// are left out (they are represented exactly whatever T is).
public struct KLDivergenceObserver: RangeObserver {
    /// The values observed.
    public private(set) var histogram: Histogram
    /// Values exactly 0 (a RELU output's many zeros): code of the zero point under any threshold,
    /// so they are left out of P and Q rather than swamping the first bin.
    public private(set) var zeros: Double = 0

    /// An observer whose histogram has `binsPerSide` bins per side (TensorRT uses 2048).
    public init(binsPerSide: Int = 2048) { histogram = Histogram(binsPerSide: binsPerSide) }

    public mutating func observe(_ values: UnsafeBufferPointer<Float>) {
        histogram.add(values)
        var n = 0
        for v in values where v == 0 { n += 1 }
        zeros += Double(n)
    }

    public func range() -> (min: Float, max: Float)? {
        let h = histogram
        guard h.minimum <= h.maximum else { return nil }
        guard h.limit > 0 else { return (h.minimum, h.maximum) }
        let oneSided = h.minimum >= 0
        let b = h.binsPerSide
        // |x| histogram: bin j covers [j·w, (j+1)·w).
        var magnitude = [Double](repeating: 0, count: b)
        for j in 0..<b {
            magnitude[j] = h.counts[b + j] + h.counts[b - 1 - j]
        }
        magnitude[0] = max(0, magnitude[0] - zeros)
        guard let lastUsed = magnitude.lastIndex(where: { $0 > 0 }) else { return (h.minimum, h.maximum) }
        let used = Array(magnitude[0...lastUsed])
        let levels = oneSided ? 255 : 128
        let threshold = Self.threshold(used, levels: levels) * h.binWidth
        let t = Float(threshold)
        if oneSided { return (h.minimum, min(h.maximum, t)) }
        return (max(h.minimum, -t), min(h.maximum, t))
    }

    /// The number of bins (an upper edge, in bins) minimizing KL(P‖Q) for `levels` levels.
    static func threshold(_ hist: [Double], levels: Int) -> Double {
        let n = hist.count
        guard n > levels else { return Double(n) }
        var bestBins = n
        var bestKL = Double.infinity
        var tail = hist[levels...].reduce(0, +)
        for i in levels...n {
            if i > levels { tail -= hist[i - 1] }
            var p = Array(hist[0..<i])
            p[i - 1] += tail
            let kl = divergence(p, original: hist, bins: i, levels: levels)
            if kl < bestKL {
                bestKL = kl
                bestBins = i
            }
        }
        return Double(bestBins)
    }

    /// KL(P‖Q) with Q built from the first `bins` bins of `original` merged into `levels` groups.
    static func divergence(_ p: [Double], original: [Double], bins: Int, levels: Int) -> Double {
        var q = [Double](repeating: 0, count: bins)
        let perLevel = Double(bins) / Double(levels)
        for l in 0..<levels {
            let start = Int((Double(l) * perLevel).rounded(.down))
            let end = l == levels - 1 ? bins : Int((Double(l + 1) * perLevel).rounded(.down))
            guard end > start else { continue }
            var mass = 0.0, nonEmpty = 0
            for j in start..<end {
                mass += original[j]
                if original[j] > 0 { nonEmpty += 1 }
            }
            guard nonEmpty > 0 else { continue }
            for j in start..<end where original[j] > 0 { q[j] = mass / Double(nonEmpty) }
        }
        let pSum = p.reduce(0, +), qSum = q.reduce(0, +)
        guard pSum > 0, qSum > 0 else { return .infinity }
        var kl = 0.0
        for j in 0..<bins where p[j] > 0 {
            let pj = p[j] / pSum
            let qj = q[j] / qSum
            kl += qj > 0 ? pj * log(pj / qj) : pj * log(pj / 1e-12)
        }
        return kl
    }
}
