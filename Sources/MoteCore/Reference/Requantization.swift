/// How a convolution-like op (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED) turns its int32
/// accumulators into int8 outputs, per output channel, as TFLite's per-channel kernels do:
/// `clamp(MultiplyByQuantizedMultiplier(acc, multiplier[c], shift[c]) + outputOffset,
/// activationMin, activationMax)`.
///
/// The per-channel arrays live in the operator's persistent memory (see `ChannelTable`).
/// A per-tensor weight scale is broadcast to every channel, as TFLite does.
public struct Requantization {
    /// Added to every input value before it is multiplied: minus the input zero point.
    public var inputOffset: Int32
    /// The output zero point.
    public var outputOffset: Int32
    /// The fused activation's range, inside `-128...127`.
    public var activationMin: Int32
    public var activationMax: Int32
    /// Q31 significands of `inputScale * weightScale[c] / outputScale`, one per channel.
    public var multipliers: UnsafePointer<Int32>
    /// Their power-of-two exponents (positive = left shift), one per channel.
    public var shifts: UnsafePointer<Int32>

    public init(inputOffset: Int32, outputOffset: Int32, activationMin: Int32, activationMax: Int32,
                multipliers: UnsafePointer<Int32>, shifts: UnsafePointer<Int32>) {
        self.inputOffset = inputOffset
        self.outputOffset = outputOffset
        self.activationMin = activationMin
        self.activationMax = activationMax
        self.multipliers = multipliers
        self.shifts = shifts
    }

    /// Channel `c`'s output for accumulator `acc` (bias included), with gemmlowp's double
    /// rounding (`SaturatingRoundingDoublingHighMul`, then `RoundingDivideByPOT`): CONV_2D and
    /// DEPTHWISE_CONV_2D.
    @inline(__always)
    public func output(_ acc: Int32, channel c: Int) -> Int8 {
        let scaled = FixedPoint.multiplyByQuantizedMultiplier(acc, multipliers[c], shifts[c])
        return Int8(truncatingIfNeeded: FixedPoint.clamp(scaled &+ outputOffset, activationMin, activationMax))
    }

    /// Channel `c`'s output for accumulator `acc` with a single rounding
    /// (`(acc * m + 2^(30 - shift)) >> (31 - shift)`): TF 2.21's FULLY_CONNECTED. Prepare
    /// guarantees `shift` in `-31...30`.
    @inline(__always)
    public func outputSingleRounding(_ acc: Int32, channel c: Int) -> Int8 {
        let scaled = FixedPoint.multiplyByQuantizedMultiplierSingleRounding(acc, multipliers[c], shifts[c])
        return Int8(truncatingIfNeeded: FixedPoint.clamp(scaled &+ outputOffset, activationMin, activationMax))
    }
}

/// The per-channel arrays an op keeps in its persistent memory, in this order, each
/// `channels` Int32 long: multipliers, shifts, and the folded bias
/// `bias[c] + inputOffset * sum(weights of channel c)` that lets the optimized routines
/// accumulate a pure `sum(weight * input)` wherever the whole window is inside the input.
public struct ChannelTable {
    /// Bytes of persistent memory for `channels` channels.
    public static func bytes(channels: Int) -> Int { 12 &* channels }

    public let channels: Int
    public let base: UnsafeMutablePointer<Int32>

    /// Views `memory` (at least `bytes(channels:)` long, 4-byte aligned).
    public init(_ memory: UnsafeMutableRawPointer, channels: Int) {
        self.channels = channels
        base = memory.bindMemory(to: Int32.self, capacity: 3 &* channels)
    }

    public var multipliers: UnsafeMutablePointer<Int32> { base }
    public var shifts: UnsafeMutablePointer<Int32> { base + channels }
    public var foldedBias: UnsafeMutablePointer<Int32> { base + (2 &* channels) }
}
