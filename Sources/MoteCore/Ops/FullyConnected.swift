/// FULLY_CONNECTED on int8 tensors, as TF 2.21's reference kernel computes it (versions 1-6).
///
/// Inputs: input of any shape, read as `[rows, K]` rows with `K = filter.shape[1]` (its
/// element count must be a multiple of `K`), filter `[N, K]` int8 with per-channel
/// (quantized dimension 0, symmetric) or per-tensor scales (a per-tensor zero point is
/// honoured as TFLite's per-tensor kernel does), optional bias `[N]` int32 (scale
/// `inputScale * filterScale[n]`, zero point 0). Options: fused NONE/RELU/RELU6/RELU_N1_TO_1,
/// `keep_num_dims` (output = input shape with the last dimension replaced by `N`; otherwise
/// `[rows, N]`). Requantization rounds once (`Requantization.outputSingleRounding`), for
/// per-channel and per-tensor weights alike.
///
/// Eval runs `FullyConnectedOptimized`, which gives the bytes of `FullyConnectedReference`
/// (the definition, which runs instead when the filter or bias is computed at run time, as
/// TFLite allows). Persistent memory: 5 bytes per unit (`ChannelTable`; 9 under the fast policy). Scratch: the lane
/// constants (36 bytes per unit) and two rows of accumulators.
///
/// Rejected: shuffled weight formats, int16 activations, int4 or sparse weights, hybrid float
/// models, a 64-bit `quantized_bias_type`, a declared output shape other than the computed one.
public enum FullyConnectedKernel: OperatorKernel {
    public struct Params {
        var shape: FullyConnectedShape
        var requantization: Requantization
        var weightsOffset: Int32
        /// The optimized routine's requantization (persistent table, rounding form, range).
        var perChannel: ChannelRequantization
        /// Filter and bias are constants (so the folded bias is exact) and the scratch fits:
        /// eval runs the optimized routine.
        var optimized: Bool
    }

    public static var maxVersion: Int32 { 6 }

    static func channels(_ ctx: borrowing PrepareContext) -> Int? {
        guard let f = try? ctx.input(1), f.shape.rank == 2, f.shape[0] >= 1, f.shape[0] <= 1 << 20 else { return nil }
        return f.shape[0]
    }

    public static func persistentBytes(_ ctx: borrowing PrepareContext) -> Int {
        let folded = ctx.memoryPolicy == .fast
        return channels(ctx).map { ChannelTable.bytes(channels: $0, foldedBias: folded) } ?? 0
    }

    public static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params {
        guard ctx.inputCount == 2 || ctx.inputCount == 3 else {
            throw ctx.error(.invalidArgument, "FULLY_CONNECTED takes input, filter and an optional bias")
        }
        guard ctx.outputCount == 1 else { throw ctx.error(.invalidArgument, "FULLY_CONNECTED has one output") }
        let input = try ctx.input(0), filter = try ctx.input(1), bias = try ctx.optionalInput(2), output = try ctx.output(0)
        // FullyConnectedOptions: fused_activation_function, weights_format = DEFAULT,
        // keep_num_dims, asymmetric_quantize_inputs (hybrid models only), quantized_bias_type.
        // A missing table means all defaults, as in TFLite.
        var activation: Int8 = 0, keepDims = false
        if let o = ctx.options {
            guard ctx.optionsType == BuiltinOptionsType.fullyConnected else {
                throw ctx.error(.invalidOptions, "FULLY_CONNECTED with options of another operator")
            }
            guard o.i8(1) == 0 else { throw ctx.error(.unsupportedOperator, "shuffled FULLY_CONNECTED weights are not supported") }
            let biasType = o.u8(4)
            guard biasType == 0 || biasType == TensorType.int32.rawValue else {
                throw ctx.error(.unsupportedOperator, "quantized_bias_type other than int32 is not supported")
            }
            activation = o.i8(0)
            keepDims = o.bool(2)
        }
        try ctx.require(filter, rank: 2, "FULLY_CONNECTED filter must be 2-D")
        guard let units = channels(ctx) else { throw ctx.error(.shapeMismatch, "filter has no output units", tensor: filter.index) }
        let depth = filter.shape[1]
        guard depth >= 1 else { throw ctx.error(.shapeMismatch, "filter has no input depth", tensor: filter.index) }
        let count = input.elementCount
        guard count % depth == 0 else { throw ctx.error(.shapeMismatch, "input size is not a multiple of the filter depth", tensor: input.index) }
        let rows = count / depth

        var expected = TensorShape(rows, units)
        if keepDims {
            guard input.shape.rank >= 1, input.shape[input.shape.rank - 1] == depth else {
                throw ctx.error(.shapeMismatch, "keep_num_dims needs the input's last dimension equal to the filter depth", tensor: input.index)
            }
            expected = input.shape
            expected[expected.rank - 1] = units
        }
        try ctx.require(output, shape: expected)

        let table = try ctx.channelTable(channels: units)
        let layout = ConvWeightLayout(channels: units, channelDimension: 0, channelStride: depth, tapStride: 1, taps: depth)
        let (q, weightsOffset) = try ctx.channelRequantization(input: input, filter: filter, bias: bias, output: output, layout: layout,
                                                               activation: activation, allowWeightZeroPoint: true, table: table)
        let shape = FullyConnectedShape(rows: rows, depth: depth, units: units)
        let perChannel = table.requantization(q, singleRounding: true)
        let optimized = ctx.optimizedRoutineApplies(filter: filter, bias: bias)
            && ctx.requestOptimizedScratch(perChannel, routineBytes: FullyConnectedOptimized.scratchBytes(shape))
        return Params(shape: shape, requantization: q, weightsOffset: weightsOffset, perChannel: perChannel, optimized: optimized)
    }

    public static func eval(_ ctx: borrowing EvalContext, _ p: Params) {
        let input = ctx.input(0, as: Int8.self), filter = ctx.input(1, as: Int8.self), output = ctx.output(0, as: Int8.self)
        if p.optimized, let scratch = ctx.scratch {
            let lanes = p.perChannel.lanes(in: scratch)
            FullyConnectedOptimized.run(p.shape, lanes, inputOffset: p.requantization.inputOffset, weightsOffset: p.weightsOffset,
                                        input: input, filter: filter, output: output, scratch: scratch + p.perChannel.laneBytes)
        } else {
            FullyConnectedReference.run(p.shape, p.requantization, weightsOffset: p.weightsOffset, input: input, filter: filter,
                                        bias: ctx.input(2)?.assumingMemoryBound(to: Int32.self), output: output)
        }
    }
}
