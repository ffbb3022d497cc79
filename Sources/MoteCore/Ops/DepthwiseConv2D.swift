/// DEPTHWISE_CONV_2D on int8 NHWC tensors, as TFLite's reference kernel computes it
/// (versions 1-3).
///
/// Inputs: input `[N, H, W, Cin]` int8, filter `[1, KH, KW, Cout]` int8 with symmetric
/// per-channel (quantized dimension 3) or per-tensor scales, optional bias `[Cout]` int32
/// (scale `inputScale * filterScale[c]`, zero point 0). `Cout` must be a multiple of `Cin`; the
/// depth multiplier is `Cout / Cin`, derived from the shapes as TFLite's kernel does (the
/// redundant `depth_multiplier` option is ignored, as TFLite ignores it since TF 2.0).
/// Options: SAME/VALID padding, strides, dilations, fused NONE/RELU/RELU6/RELU_N1_TO_1.
/// Requantization uses double rounding (see `Requantization.output`).
///
/// Eval runs `DepthwiseConv2DOptimized`, which gives the bytes of `DepthwiseConv2DReference`
/// (the definition, which runs instead when the filter or bias is computed at run time).
/// Persistent memory: 5 bytes per output channel (`ChannelTable`; 9 under the fast policy). Scratch: the lane
/// constants (36 bytes per channel), one output row of int32 accumulators, small tables.
/// Under the compact policy the operator may run over its input, row by row
/// (`ConvRowsInPlace`: a scratch of one output row and a few input rows), when the planner
/// grants it.
///
/// Rejected: int16 activations, int4 filters, hybrid float models, versions above 3, a declared
/// output shape other than `[N, outH, outW, Cout]`.
public enum DepthwiseConv2DKernel: OperatorKernel {
    public struct Params {
        var geometry: ConvGeometry
        var requantization: Requantization
        /// The optimized routine's requantization (persistent table, rounding form, range).
        var perChannel: ChannelRequantization
        /// Filter and bias are constants (so the folded bias is exact) and the scratch fits:
        /// eval runs the optimized routine.
        var optimized: Bool
    }

    public static var maxVersion: Int32 { 3 }

    static func channels(_ ctx: borrowing PrepareContext) -> Int? {
        guard let f = try? ctx.input(1), f.shape.rank == 4, f.shape[3] >= 1, f.shape[3] <= 1 << 20 else { return nil }
        return f.shape[3]
    }

    public static func persistentBytes(_ ctx: borrowing PrepareContext) -> Int {
        let folded = ctx.memoryPolicy == .fast
        return channels(ctx).map { ChannelTable.bytes(channels: $0, foldedBias: folded) } ?? 0
    }

    public static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params {
        guard ctx.inputCount == 2 || ctx.inputCount == 3 else {
            throw ctx.error(.invalidArgument, "DEPTHWISE_CONV_2D takes input, filter and an optional bias")
        }
        guard ctx.outputCount == 1 else { throw ctx.error(.invalidArgument, "DEPTHWISE_CONV_2D has one output") }
        let input = try ctx.input(0), filter = try ctx.input(1), bias = try ctx.optionalInput(2), output = try ctx.output(0)
        guard ctx.optionsType == BuiltinOptionsType.depthwiseConv2D, let o = ctx.options else {
            throw ctx.error(.invalidOptions, "DEPTHWISE_CONV_2D without DepthwiseConv2DOptions")
        }
        // DepthwiseConv2DOptions: padding, stride_w, stride_h, depth_multiplier,
        // fused_activation_function, dilation_w_factor = 1, dilation_h_factor = 1.
        guard let padding = Padding(rawValue: o.i8(0)) else { throw ctx.error(.invalidOptions, "unknown padding") }
        try ctx.require(input, rank: 4, "DEPTHWISE_CONV_2D input must be 4-D")
        try ctx.require(filter, rank: 4, "DEPTHWISE_CONV_2D filter must be 4-D")
        try ctx.require(output, rank: 4, "DEPTHWISE_CONV_2D output must be 4-D")
        guard filter.shape[0] == 1 else { throw ctx.error(.shapeMismatch, "depthwise filter must be [1, H, W, C]", tensor: filter.index) }
        if let bias { try ctx.require(bias, rank: 1, "DEPTHWISE_CONV_2D bias must be 1-D") }

        let inputDepth = input.shape[3]
        guard let outputDepth = channels(ctx) else { throw ctx.error(.shapeMismatch, "filter has no output channels", tensor: filter.index) }
        guard inputDepth >= 1, outputDepth % inputDepth == 0 else {
            throw ctx.error(.shapeMismatch, "filter channels are not a multiple of the input channels", tensor: filter.index)
        }
        guard let rows = ConvGeometry.window(padding, input: input.shape[1], filter: filter.shape[1],
                                             stride: Int(o.i32(2)), dilation: Int(o.i32(6, 1))),
              let cols = ConvGeometry.window(padding, input: input.shape[2], filter: filter.shape[2],
                                             stride: Int(o.i32(1)), dilation: Int(o.i32(5, 1))) else {
            throw ctx.error(.invalidOptions, "stride, dilation or window gives no output", tensor: input.index)
        }
        try ctx.require(output, shape: TensorShape(input.shape[0], rows.output, cols.output, outputDepth))

        let table = try ctx.channelTable(channels: outputDepth)
        let layout = ConvWeightLayout(channels: outputDepth, channelDimension: 3, channelStride: 1, tapStride: outputDepth,
                                      taps: filter.shape[1] &* filter.shape[2])
        let (q, _) = try ctx.channelRequantization(input: input, filter: filter, bias: bias, output: output, layout: layout,
                                                   activation: o.i8(4), allowWeightZeroPoint: false, table: table)
        let g = ConvGeometry(batches: input.shape[0], inputHeight: input.shape[1], inputWidth: input.shape[2], inputDepth: inputDepth,
                             outputHeight: rows.output, outputWidth: cols.output, outputDepth: outputDepth,
                             filterHeight: filter.shape[1], filterWidth: filter.shape[2], filterDepth: outputDepth / inputDepth,
                             strideHeight: Int(o.i32(2)), strideWidth: Int(o.i32(1)),
                             dilationHeight: Int(o.i32(6, 1)), dilationWidth: Int(o.i32(5, 1)),
                             padTop: rows.padBefore, padLeft: cols.padBefore)
        let perChannel = table.requantization(q, singleRounding: false)
        let optimized = ctx.optimizedRoutineApplies(filter: filter, bias: bias)
            && ctx.requestOptimizedScratch(perChannel, routineBytes: DepthwiseConv2DOptimized.scratchBytes(g))
        if let bytes = DepthwiseConv2DReference.inPlaceScratchBytes(g) { ctx.allowInPlace(scratchBytes: bytes) }
        return Params(geometry: g, requantization: q, perChannel: perChannel, optimized: optimized)
    }

    public static func eval(_ ctx: borrowing EvalContext, _ p: Params) {
        let input = ctx.input(0, as: Int8.self), filter = ctx.input(1, as: Int8.self), output = ctx.output(0, as: Int8.self)
        if ctx.runsInPlace, let scratch = ctx.scratch {
            DepthwiseConv2DReference.runInPlace(p.geometry, p.requantization, input: input, output: output, filter: filter,
                                                bias: ctx.input(2)?.assumingMemoryBound(to: Int32.self), scratch: scratch)
        } else if p.optimized, let scratch = ctx.scratch {
            let lanes = p.perChannel.lanes(in: scratch)
            DepthwiseConv2DOptimized.run(p.geometry, lanes, inputOffset: p.requantization.inputOffset,
                                         input: input, filter: filter, output: output, scratch: scratch + p.perChannel.laneBytes)
        } else {
            DepthwiseConv2DReference.run(p.geometry, p.requantization, input: input, filter: filter,
                                         bias: ctx.input(2)?.assumingMemoryBound(to: Int32.self), output: output)
        }
    }
}
