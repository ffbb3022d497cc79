/// How the weights of a conv-like op are laid out, for the quantization checks and the
/// per-channel sums that `PrepareContext.channelRequantization` shares among CONV_2D,
/// DEPTHWISE_CONV_2D and FULLY_CONNECTED.
public struct ConvWeightLayout {
    /// Output channels (one multiplier each).
    public var channels: Int
    /// The filter dimension that per-channel scales run along (0 for OHWI and `[N, K]`,
    /// 3 for depthwise `[1, H, W, C]`).
    public var channelDimension: Int
    /// Elements from the first weight of channel `c` to that of `c + 1`.
    public var channelStride: Int
    /// Elements between two consecutive weights of one channel.
    public var tapStride: Int
    /// Weights per channel.
    public var taps: Int

    public init(channels: Int, channelDimension: Int, channelStride: Int, tapStride: Int, taps: Int) {
        self.channels = channels
        self.channelDimension = channelDimension
        self.channelStride = channelStride
        self.tapStride = tapStride
        self.taps = taps
    }
}

extension PrepareContext {
    /// Validates the types and quantization of a conv-like op and fills `table`:
    ///
    /// - input and output int8 with a per-tensor scale above zero and an in-range zero point;
    ///   filter int8, symmetric (every zero point 0, unless `allowWeightZeroPoint` for a
    ///   per-tensor FULLY_CONNECTED filter, whose zero point is then returned), with one scale
    ///   or one per channel along `layout.channelDimension`;
    /// - bias (optional) int32 with one element per channel, zero points 0, and scales of
    ///   `inputScale * weightScale[c]`, within the tolerance of TFLite's
    ///   `GetQuantizedConvolutionMultipler` (`|difference| / outputScale <= 0.02`);
    /// - per channel, `QuantizeMultiplier(double(inputScale) * double(weightScale[c]) /
    ///   double(outputScale))`, rejected when the real multiplier is 2^30 or more (shift
    ///   above 30, which neither rounding form handles; shifts then lie in `-31...30`, as
    ///   single rounding requires); the folded bias
    ///   `bias[c] + inputOffset * sum(weights of c)` when filter and bias are constant;
    /// - the fused activation's range.
    ///
    /// Returns the requantization and the weights offset (minus the filter zero point).
    public func channelRequantization(input: TensorInfo, filter: TensorInfo, bias: TensorInfo?, output: TensorInfo,
                                      layout: ConvWeightLayout, activation: Int8, allowWeightZeroPoint: Bool,
                                      table: ChannelTable) throws(MoteError) -> (requantization: Requantization, weightsOffset: Int32) {
        if input.type == .int16 { throw error(.typeMismatch, "int16 activations are not supported", tensor: input.index) }
        try require(input, type: .int8, "input must be int8")
        try require(output, type: .int8, "output must be int8 like the input")
        try require(filter, type: .int8, "filter must be int8")
        let (inScale, inZero) = try quantization(input)
        let (outScale, outZero) = try quantization(output)

        let channels = layout.channels
        guard let fq = filter.quantization, fq.scale.count >= 1 else {
            throw error(.invalidQuantization, "filter has no quantization scales", tensor: filter.index)
        }
        let scaleCount = fq.scale.count
        let perChannel = scaleCount > 1
        if perChannel {
            guard scaleCount == channels else { throw error(.invalidQuantization, "filter scale count differs from the output channels", tensor: filter.index) }
            guard filter.quantizedDimension == layout.channelDimension else {
                throw error(.invalidQuantization, "filter quantized along an unexpected dimension", tensor: filter.index)
            }
        }
        for c in 0..<scaleCount {
            let s = fq.scale.f32(c)
            guard s > 0, s.isFinite else { throw error(.invalidQuantization, "filter scale is zero, negative or not finite", tensor: filter.index) }
        }
        let zeroCount = fq.zeroPoint.count
        guard zeroCount <= scaleCount else { throw error(.invalidQuantization, "filter has more zero points than scales", tensor: filter.index) }
        var weightsOffset: Int32 = 0
        for c in 0..<zeroCount {
            let z = fq.zeroPoint.i64(c)
            if z == 0 { continue }
            guard allowWeightZeroPoint, !perChannel, z >= -128, z <= 127 else {
                throw error(.invalidQuantization, "filter zero point must be 0 (symmetric weights)", tensor: filter.index)
            }
            weightsOffset = 0 &- Int32(truncatingIfNeeded: z)
        }

        var biasData: UnsafeBufferPointer<Int32>? = nil
        if let bias {
            try require(bias, type: .int32, "bias must be int32")
            guard bias.elementCount == channels else { throw error(.shapeMismatch, "bias element count differs from the output channels", tensor: bias.index) }
            guard let bq = bias.quantization, bq.scale.count == 1 || bq.scale.count == channels else {
                throw error(.invalidQuantization, "bias needs one scale or one per channel", tensor: bias.index)
            }
            for c in 0..<bq.zeroPoint.count where bq.zeroPoint.i64(c) != 0 {
                throw error(.invalidQuantization, "bias zero point must be 0", tensor: bias.index)
            }
            let biasScales = bq.scale.count
            for c in 0..<max(biasScales, scaleCount) {
                let product = inScale * Double(fq.scale.f32(perChannel ? c : 0))
                let b = Double(bq.scale.f32(biasScales > 1 ? c : 0))
                let diff = product > b ? product - b : b - product
                guard b > 0, diff / outScale <= 0.02 else {
                    throw error(.invalidQuantization, "bias scale differs from input scale times filter scale", tensor: bias.index)
                }
            }
            biasData = bias.constant(as: Int32.self)
        }

        let inputOffset = 0 &- inZero
        for c in 0..<channels {
            let real = inScale * Double(fq.scale.f32(perChannel ? c : 0)) / outScale
            guard real < 1073741824.0 else { throw error(.invalidQuantization, "requantization scale is 2^30 or more", tensor: output.index) }
            let (m, s) = FixedPoint.quantizeMultiplier(real)
            guard s >= -31, s <= 30 else { throw error(.invalidQuantization, "requantization shift outside -31...30", tensor: output.index) }
            table.multipliers[c] = m
            table.shifts[c] = Int8(truncatingIfNeeded: s)
        }

        // The folded bias exists only when everything it sums is known now; without it the
        // kernels run their reference routine.
        let weights = filter.constant(as: Int8.self)
        for c in 0..<(table.hasFoldedBias ? channels : 0) {
            var sum: Int32 = 0
            if let weights {
                var k = c &* layout.channelStride
                for _ in 0..<layout.taps {
                    sum &+= Int32(weights[k])
                    k &+= layout.tapStride
                }
            }
            table.foldedBias[c] = (biasData?[c] ?? 0) &+ inputOffset &* sum
        }

        let (lo, hi) = try activationRange(activation, scale: outScale, zeroPoint: outZero)
        guard lo <= hi else { throw error(.invalidQuantization, "fused activation leaves an empty output range", tensor: output.index) }
        let q = Requantization(inputOffset: inputOffset, outputOffset: outZero, activationMin: lo, activationMax: hi,
                               multipliers: UnsafePointer(table.multipliers), shifts: UnsafePointer(table.shifts))
        return (q, weightsOffset)
    }
}

extension PrepareContext {
    /// Whether a convolution-like op may run its optimized routine: the fast memory policy,
    /// and a filter and bias known now (the folded bias sums them).
    public func optimizedRoutineApplies(filter: TensorInfo, bias: TensorInfo?) -> Bool {
        memoryPolicy == .fast && filter.isConstant && (bias?.isConstant ?? true)
    }

    /// Requests the optimized routine's scratch (the lane constants of `perChannel`, then
    /// `routineBytes`) and returns true, or returns false (the reference routine runs) when the
    /// routine's scratch is unbounded (`routineBytes` nil).
    public mutating func requestOptimizedScratch(_ perChannel: ChannelRequantization, routineBytes: Int?) -> Bool {
        guard let bytes = routineBytes else { return false }
        requestScratch(bytes: perChannel.laneBytes &+ bytes)
        return true
    }

    /// The persistent memory as a `ChannelTable` of `channels` channels; it must be exactly
    /// the size that the kernel's `persistentBytes` reported.
    public func channelTable(channels: Int) throws(MoteError) -> ChannelTable {
        let folded = memoryPolicy == .fast
        guard let base = persistent.baseAddress, persistent.count >= ChannelTable.bytes(channels: channels, foldedBias: folded) else {
            throw error(.invalidArgument, "persistent memory smaller than the per-channel table")
        }
        return ChannelTable(base, channels: channels, foldedBias: folded)
    }
}
