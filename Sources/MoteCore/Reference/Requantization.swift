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
    public var shifts: UnsafePointer<Int8>

    public init(inputOffset: Int32, outputOffset: Int32, activationMin: Int32, activationMax: Int32,
                multipliers: UnsafePointer<Int32>, shifts: UnsafePointer<Int8>) {
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
        let scaled = FixedPoint.multiplyByQuantizedMultiplier(acc, multipliers[c], Int32(shifts[c]))
        return Int8(truncatingIfNeeded: FixedPoint.clamp(scaled &+ outputOffset, activationMin, activationMax))
    }

    /// Channel `c`'s output for accumulator `acc` with a single rounding
    /// (`(acc * m + 2^(30 - shift)) >> (31 - shift)`): TF 2.21's FULLY_CONNECTED. Prepare
    /// guarantees `shift` in `-31...30`.
    @inline(__always)
    public func outputSingleRounding(_ acc: Int32, channel c: Int) -> Int8 {
        let scaled = FixedPoint.multiplyByQuantizedMultiplierSingleRounding(acc, multipliers[c], Int32(shifts[c]))
        return Int8(truncatingIfNeeded: FixedPoint.clamp(scaled &+ outputOffset, activationMin, activationMax))
    }
}

/// The same requantization in the form the optimized routines vectorize: per channel one
/// 64-bit product, one add and one arithmetic shift,
/// `((acc + foldedBias[c]) << left[c]) * m[c] + rounding[c] - (product < -2^30 ? negative[c] : 0)) >> right[c]`.
///
/// For double rounding, with `r = max(-shift, 0)`: `rounding = 2^30 + (r > 0 ? 2^(30 + r) : 0)`,
/// `negative = r > 0 ? 2^31 : 0`, `right = 31 + r`, `left = max(shift, 0)`. This equals
/// `RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, m), r)` exactly: SRDHM is
/// `floor((x m + 2^30) / 2^31)` (ties up; its saturating case needs `m = Int32.min`, which
/// QuantizeMultiplier never gives), RoundingDivideByPOT is `floor((q + 2^(r-1) - [q < 0]) / 2^r)`
/// (ties away from zero), and `floor((floor(a / b) + c) / d) = floor((a + c b) / (b d))` merges
/// the two, with `q < 0` exactly when `x m < -2^30`. For single rounding:
/// `rounding = 2^(30 - shift)`, `negative = 0`, `right = 31 - shift`, `left = 0`.
///
/// As in the reference, the scaled value is truncated to 32 bits and the zero point added
/// with 32-bit wrapping before the clamp (single rounding with a positive shift can leave
/// the int32 range, and so can adding the zero point next to the int32 limits).
///
/// The lane constants live in scratch memory: `ChannelRequantization.lanes(in:)` derives them
/// from the per-channel table kept in persistent memory at the start of each eval.
public struct RequantizationLanes {
    public var rounding: UnsafePointer<Int64>
    public var negative: UnsafePointer<Int64>
    public var rightShift: UnsafePointer<Int64>
    /// The multipliers as Int64 lanes.
    public var wideMultipliers: UnsafePointer<Int64>
    public var multipliers: UnsafePointer<Int32>
    public var shifts: UnsafePointer<Int8>
    public var leftShift: UnsafePointer<Int32>
    /// Added to each accumulator first: `bias[c] + inputOffset * sum(weights of c)`.
    public var foldedBias: UnsafePointer<Int32>
    public var singleRounding: Bool
    public var outputOffset: Int32
    public var activationMin: Int32
    public var activationMax: Int32

    /// Requantizes `rows` rows of `count` accumulators, for channels `first ..< first + count`:
    /// row `r` reads `acc + r * accStride` and writes `out + r * outStride`. Eight channels at
    /// a time in `SIMD8<Int64>` lanes (a plain loop is left scalar for short rows), the rest
    /// one by one with the reference formulas.
    @inline(__always)
    public func requantize(_ acc: UnsafePointer<Int32>, accStride: Int, rows: Int, first: Int, count: Int,
                           out: UnsafeMutablePointer<Int8>, outStride: Int) {
        let round = rounding + first, neg = negative + first, right = rightShift + first, wide = wideMultipliers + first
        let mult = multipliers + first, shift = shifts + first, left = leftShift + first, folded = foldedBias + first
        let zero = FixedPoint.wide(outputOffset), lo = FixedPoint.wide(activationMin), hi = FixedPoint.wide(activationMax)
        @inline(__always) func load(_ p: UnsafePointer<Int64>) -> SIMD8<Int64> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Int64>.self) }
        for r in 0..<rows {
            let a = acc + r &* accStride, o = out + r &* outStride
            var c = 0
            while c &+ 8 <= count {
                var x = SIMD8<Int64>()
                for j in 0..<8 { x[j] = FixedPoint.wide((a[c &+ j] &+ folded[c &+ j]) &<< left[c &+ j]) }
                let product = x &* load(wide + c)
                let below = (product &+ 0x4000_0000) &>> 63  // all ones where product < -2^30
                let t = (product &+ load(round + c) &- (load(neg + c) & below)) &>> load(right + c)
                for j in 0..<8 {
                    var v = ((t[j] &+ zero) &<< 32) &>> 32
                    v = v < lo ? lo : v
                    v = v > hi ? hi : v
                    o[c &+ j] = Int8(truncatingIfNeeded: v)
                }
                c &+= 8
            }
            while c < count {
                let x = a[c] &+ folded[c]
                let scaled = singleRounding ? FixedPoint.multiplyByQuantizedMultiplierSingleRounding(x, mult[c], Int32(shift[c]))
                                            : FixedPoint.multiplyByQuantizedMultiplier(x, mult[c], Int32(shift[c]))
                o[c] = Int8(truncatingIfNeeded: FixedPoint.clamp(scaled &+ outputOffset, activationMin, activationMax))
                c &+= 1
            }
        }
    }
}

/// What an optimized routine needs to requantize, as prepare stores it: pointers to the
/// persistent `ChannelTable` arrays, the rounding form and the output range.
public struct ChannelRequantization {
    public var multipliers: UnsafePointer<Int32>
    public var shifts: UnsafePointer<Int8>
    public var foldedBias: UnsafePointer<Int32>
    public var channels: Int
    /// Single rounding (FULLY_CONNECTED) instead of double rounding (CONV_2D, DEPTHWISE).
    public var singleRounding: Bool
    public var outputOffset: Int32
    public var activationMin: Int32
    public var activationMax: Int32

    /// Scratch bytes `lanes(in:)` fills (a multiple of 16): four Int64 and one Int32 per channel.
    public var laneBytes: Int { (36 &* channels &+ 15) & ~15 }

    /// Derives the lane constants into `memory` (8-byte aligned, `laneBytes` long).
    public func lanes(in memory: UnsafeMutableRawPointer) -> RequantizationLanes {
        let n = channels
        let wide = memory.bindMemory(to: Int64.self, capacity: 4 &* n)
        let left = (memory + 32 &* n).bindMemory(to: Int32.self, capacity: n)
        let rounding = wide, negative = wide + n, right = wide + (2 &* n), wideMultipliers = wide + (3 &* n)
        // Runs at the start of every eval (a few thousand channels on MobileNet): one branch-free
        // loop per rounding form, so that the compiler vectorizes it, or the kernel table's
        // (vww: 5% of the model's time in the SSE2 loops).
        if let f = kernelTable.requantizationLanes {
            f(multipliers, shifts, n, singleRounding ? 1 : 0, rounding, negative, right, wideMultipliers, left)
        } else if singleRounding {
            for c in 0..<n {
                let r = FixedPoint.wide(31 &- Int32(shifts[c]))
                wideMultipliers[c] = FixedPoint.wide(multipliers[c])
                rounding[c] = Int64(1) &<< (r &- 1)
                negative[c] = 0
                right[c] = r
                left[c] = 0
            }
        } else {
            for c in 0..<n {
                let s = Int32(shifts[c])
                let r = FixedPoint.wide(max(0 &- s, 0))
                // 1 when the channel shifts right (r > 0), else 0: selects without branches.
                let shiftsRight = (0 &- r) &>> 63 & 1
                wideMultipliers[c] = FixedPoint.wide(multipliers[c])
                rounding[c] = (Int64(1) &<< 30) &+ (shiftsRight &<< (30 &+ r))
                negative[c] = shiftsRight &<< 31
                right[c] = 31 &+ r
                left[c] = max(s, 0)
            }
        }
        return RequantizationLanes(rounding: UnsafePointer(rounding), negative: UnsafePointer(negative), rightShift: UnsafePointer(right),
                                   wideMultipliers: UnsafePointer(wideMultipliers), multipliers: multipliers, shifts: shifts,
                                   leftShift: UnsafePointer(left), foldedBias: foldedBias, singleRounding: singleRounding,
                                   outputOffset: outputOffset, activationMin: activationMin, activationMax: activationMax)
    }
}

/// The per-channel arrays an op keeps in its persistent memory: Int32 multipliers, under the
/// fast memory policy the Int32 folded bias `bias[c] + inputOffset * sum(weights of channel c)`
/// that lets the optimized routines accumulate a pure `sum(weight * input)`, and Int8 shifts
/// (QuantizeMultiplier's exponents lie in `-31...30`): 5 bytes per channel, 9 with the folded bias.
public struct ChannelTable {
    /// Bytes of persistent memory for `channels` channels, with or without the folded bias.
    public static func bytes(channels: Int, foldedBias: Bool) -> Int { (foldedBias ? 9 : 5) &* channels }

    public let channels: Int
    /// Whether the table holds the folded bias (fast policy).
    public let hasFoldedBias: Bool
    let base: UnsafeMutableRawPointer

    /// Views `memory` (at least `bytes(channels:foldedBias:)` long, 4-byte aligned).
    public init(_ memory: UnsafeMutableRawPointer, channels: Int, foldedBias: Bool) {
        self.channels = channels
        hasFoldedBias = foldedBias
        base = memory
    }

    public var multipliers: UnsafeMutablePointer<Int32> { base.bindMemory(to: Int32.self, capacity: channels) }
    /// The folded bias; without one (compact policy) it aliases the multipliers and must not
    /// be read: only the optimized routines, which the compact policy never runs, read it.
    public var foldedBias: UnsafeMutablePointer<Int32> {
        hasFoldedBias ? (base + 4 &* channels).bindMemory(to: Int32.self, capacity: channels) : multipliers
    }
    public var shifts: UnsafeMutablePointer<Int8> {
        (base + (hasFoldedBias ? 8 : 4) &* channels).bindMemory(to: Int8.self, capacity: channels)
    }

    /// The optimized routines' view of this table for a requantization.
    public func requantization(_ q: Requantization, singleRounding: Bool) -> ChannelRequantization {
        ChannelRequantization(multipliers: UnsafePointer(multipliers), shifts: UnsafePointer(shifts), foldedBias: UnsafePointer(foldedBias),
                              channels: channels, singleRounding: singleRounding, outputOffset: q.outputOffset,
                              activationMin: q.activationMin, activationMax: q.activationMax)
    }
}
