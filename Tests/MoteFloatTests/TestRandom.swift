/// A seeded generator for test data (64-bit LCG, top bits): the same values on every run.
struct TestRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E3779B97F4A7C15 | 1 }

    /// A value in [-1, 1) with 1/1024 granularity.
    mutating func next() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(Int(state >> 40) % 2048 - 1024) / 1024
    }

    mutating func array(_ count: Int) -> [Float] { (0..<count).map { _ in next() } }
}

/// max |a − b| over two equally long sequences.
func maxAbsDifference(_ a: [Float], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "length \(a.count) vs \(b.count)")
    return zip(a, b).map { abs(Double($0) - $1) }.max() ?? 0
}
