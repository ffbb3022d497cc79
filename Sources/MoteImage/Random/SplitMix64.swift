/// SplitMix64 (Steele, Lea and Flood 2014; the seeding generator of xoshiro): state += 0x9E3779B97F4A7C15,
/// then two xor-shift-multiply rounds. Every seeded draw in MoteImage comes from it, so results
/// depend only on the seed, never on the platform or thread scheduling.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for a sub-stream keyed by several values (e.g. seed, epoch, image index):
    /// each key is mixed in through one SplitMix64 step, so nearby keys give unrelated streams.
    public init(seed: UInt64, keys: UInt64...) {
        var s = SplitMix64(seed: seed)
        for k in keys { s = SplitMix64(seed: s.next() ^ k) }
        state = s.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform Double in [0, 1) from the top 53 bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A uniform Double in [low, high) (`low` when they are equal).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * nextUnit()
    }

    /// A uniform integer in 0..<n (n > 0), unbiased (Lemire's multiply-and-reject).
    public mutating func below(_ n: Int) -> Int {
        precondition(n > 0)
        let bound = UInt64(n)
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return Int(m.high)
    }
}
