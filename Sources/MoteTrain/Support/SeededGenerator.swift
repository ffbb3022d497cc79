/// Mote's documented pseudo-random generator for training: SplitMix64 (Steele, Lea and Flood,
/// 2014). The state advances by the golden-gamma constant and each output is the state passed
/// through the SplitMix64 finalizer. Everything seeded in MoteTrain (initial weights, dropout
/// masks) draws from it, never from the system generator, so a seed fixes the run.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable {
    /// The internal state (saved in checkpoints where a generator must resume).
    public var state: UInt64

    /// A generator whose first output is `mix(seed + γ)`.
    public init(seed: UInt64) { state = seed }

    /// A generator for one stream of `seed`, keyed by `keys` (for example layer index and step),
    /// so that independent consumers draw from independent sequences whatever order they run in.
    public init(seed: UInt64, keys: UInt64...) {
        var s = SeededGenerator.mix(seed)
        for k in keys { s = SeededGenerator.mix(s ^ SeededGenerator.mix(k &+ 0x632B_E59B_D9B4_E019)) }
        state = s
    }

    /// The SplitMix64 finalizer.
    @inlinable
    public static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SeededGenerator.mix(state)
    }

    /// A float uniform in [0, 1): the top 24 bits of the next output times 2⁻²⁴.
    @inlinable
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A float uniform in [low, high).
    @inlinable
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * nextUnitFloat()
    }
}
