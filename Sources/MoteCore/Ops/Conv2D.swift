/// CONV_2D on int8 NHWC tensors, as TFLite's reference kernel computes it (versions 1-6).
///
/// Inputs: input `[N, H, W, Cin]` int8, filter `[Cout, KH, KW, Cin / groups]` int8 with
/// symmetric per-channel (quantized dimension 0) or per-tensor scales, optional bias `[Cout]`
/// int32 (scale `inputScale * filterScale[c]`, zero point 0). Options: SAME/VALID padding,
/// strides, dilations, fused NONE/RELU/RELU6/RELU_N1_TO_1. A grouped convolution is one whose
/// `Cin` is a multiple of the filter's input depth (`Cout` must then be a multiple of the
/// groups). Requantization uses double rounding (see `Requantization.output`).
///
/// Eval runs `Conv2DOptimized`, which gives the bytes of `Conv2DReference` (the definition,
/// which runs instead under the compact memory policy or when the filter or bias is computed
/// at run time). Persistent memory:
/// 5 bytes per output channel (`ChannelTable`; 9 under the fast policy), plus the repacked filter when the panel
/// form applies (at most `Conv2DOptimized.panelBudget` bytes). Scratch: the lane constants
/// (36 bytes per channel) and a batch of accumulators and gathered windows. Under the compact
/// policy the operator may run over its input (`Conv2DReference.runInPlace`: 1x1 stride-1
/// convolutions pixel by pixel, others row by row where the geometry allows) when the planner
/// grants it.
///
/// Rejected: int16 activations and int4 filters (versions 4, 7, 8), a 64-bit
/// `quantized_bias_type`, hybrid float models, non-positive scales, a declared output shape
/// other than `[N, outH, outW, Cout]`.
public enum Conv2DKernel: OperatorKernel {
    public struct Params {
        var geometry: ConvGeometry
        var requantization: Requantization
        /// The optimized routine's requantization (persistent table, rounding form, range).
        var perChannel: ChannelRequantization
        /// The repacked filter of `Conv2DOptimized`'s panel form, if it is used.
        var panel: UnsafePointer<Int8>?
        /// The panel was packed by the kernel table's `panelPack` (its `panel4`'s layout).
        var tablePacked: Bool
        /// `panel` holds the kernel table's `stripPack` form (`Conv2DOptimized.runStrips`).
        var strip: Bool
        /// The scratch holds only the lane constants: the strip form, or the panel form in one
        /// pass (`Conv2DOptimized.panelNeedsNoScratch`), which the table must still offer.
        var laneScratchOnly: Bool
        /// Filter and bias are constants (so the folded bias is exact) and the scratch fits:
        /// eval runs the optimized routine.
        var optimized: Bool
    }

    public static var maxVersion: Int32 { 6 }

    /// Output channels read from the filter's declared shape, or nil if it cannot be one.
    static func channels(_ ctx: borrowing PrepareContext) -> Int? {
        guard let f = try? ctx.input(1), f.shape.rank == 4, f.shape[0] >= 1, f.shape[0] <= 1 << 20 else { return nil }
        return f.shape[0]
    }

    /// The persistent memory: the channel table, then (16-byte aligned) the repacked filter
    /// when the strip or the panel form applies to a constant filter (`strip`: the former).
    static func persistentLayout(_ ctx: borrowing PrepareContext) -> (channels: Int, panelOffset: Int, panelBytes: Int, strip: Bool)? {
        guard let c = channels(ctx), let f = try? ctx.input(1), let x = try? ctx.input(0) else { return nil }
        let table = (ChannelTable.bytes(channels: c, foldedBias: ctx.memoryPolicy == .fast) &+ 15) & ~15
        guard ctx.memoryPolicy == .fast, f.isConstant, x.shape.rank == 4, f.shape[3] >= 1, x.shape[3] >= f.shape[3], x.shape[3] % f.shape[3] == 0 else {
            return (c, table, 0, false)
        }
        let groups = x.shape[3] / f.shape[3]
        if ctx.optionsType == BuiltinOptionsType.conv2D, let o = ctx.options, let y = try? ctx.output(0), y.shape.rank == 4 {
            let words = Conv2DOptimized.stripWords(filterHeight: f.shape[1], filterWidth: f.shape[2], depth: f.shape[3], outputDepth: c,
                                                   strideWidth: Int(o.i32(1)), dilationWidth: Int(o.i32(4, 1)), outputWidth: y.shape[2],
                                                   groups: groups)
            if words > 0 { return (c, table, 4 &* words, true) }
        }
        let k = f.shape[1] &* f.shape[2] &* f.shape[3]
        return (c, table, Conv2DOptimized.panelBytes(windowBytes: k, outputDepth: c, groups: groups), false)
    }

    public static func persistentBytes(_ ctx: borrowing PrepareContext) -> Int {
        persistentLayout(ctx).map { $0.panelOffset &+ $0.panelBytes } ?? 0
    }

    public static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params {
        guard ctx.inputCount == 2 || ctx.inputCount == 3 else { throw ctx.error(.invalidArgument, "CONV_2D takes input, filter and an optional bias") }
        guard ctx.outputCount == 1 else { throw ctx.error(.invalidArgument, "CONV_2D has one output") }
        let input = try ctx.input(0), filter = try ctx.input(1), bias = try ctx.optionalInput(2), output = try ctx.output(0)
        guard ctx.optionsType == BuiltinOptionsType.conv2D, let o = ctx.options else {
            throw ctx.error(.invalidOptions, "CONV_2D without Conv2DOptions")
        }
        // Conv2DOptions: padding, stride_w, stride_h, fused_activation_function,
        // dilation_w_factor = 1, dilation_h_factor = 1, quantized_bias_type.
        guard let padding = Padding(rawValue: o.i8(0)) else { throw ctx.error(.invalidOptions, "unknown padding") }
        let biasType = o.u8(6)
        guard biasType == 0 || biasType == TensorType.int32.rawValue else {
            throw ctx.error(.unsupportedOperator, "quantized_bias_type other than int32 is not supported")
        }
        try ctx.require(input, rank: 4, "CONV_2D input must be 4-D")
        try ctx.require(filter, rank: 4, "CONV_2D filter must be 4-D")
        try ctx.require(output, rank: 4, "CONV_2D output must be 4-D")

        let inputDepth = input.shape[3], filterDepth = filter.shape[3]
        guard let outputDepth = channels(ctx) else { throw ctx.error(.shapeMismatch, "filter has no output channels", tensor: filter.index) }
        guard filterDepth >= 1, inputDepth >= filterDepth, inputDepth % filterDepth == 0 else {
            throw ctx.error(.shapeMismatch, "input channels are not a multiple of the filter's", tensor: filter.index)
        }
        guard outputDepth % (inputDepth / filterDepth) == 0 else {
            throw ctx.error(.shapeMismatch, "output channels are not a multiple of the groups", tensor: filter.index)
        }
        guard let rows = ConvGeometry.window(padding, input: input.shape[1], filter: filter.shape[1],
                                             stride: Int(o.i32(2)), dilation: Int(o.i32(5, 1))),
              let cols = ConvGeometry.window(padding, input: input.shape[2], filter: filter.shape[2],
                                             stride: Int(o.i32(1)), dilation: Int(o.i32(4, 1))) else {
            throw ctx.error(.invalidOptions, "stride, dilation or window gives no output", tensor: input.index)
        }
        try ctx.require(output, shape: TensorShape(input.shape[0], rows.output, cols.output, outputDepth))

        let table = try ctx.channelTable(channels: outputDepth)
        let taps = filter.shape[1] &* filter.shape[2] &* filterDepth
        let layout = ConvWeightLayout(channels: outputDepth, channelDimension: 0, channelStride: taps, tapStride: 1, taps: taps)
        let (q, _) = try ctx.channelRequantization(input: input, filter: filter, bias: bias, output: output, layout: layout,
                                                   activation: o.i8(3), allowWeightZeroPoint: false, table: table)
        let g = ConvGeometry(batches: input.shape[0], inputHeight: input.shape[1], inputWidth: input.shape[2], inputDepth: inputDepth,
                             outputHeight: rows.output, outputWidth: cols.output, outputDepth: outputDepth,
                             filterHeight: filter.shape[1], filterWidth: filter.shape[2], filterDepth: filterDepth,
                             strideHeight: Int(o.i32(2)), strideWidth: Int(o.i32(1)),
                             dilationHeight: Int(o.i32(5, 1)), dilationWidth: Int(o.i32(4, 1)),
                             padTop: rows.padBefore, padLeft: cols.padBefore)
        let eligible = ctx.optimizedRoutineApplies(filter: filter, bias: bias)
        var panel: UnsafePointer<Int8>? = nil
        var strip = false
        if eligible, let plan = persistentLayout(ctx), plan.panelBytes > 0, let base = ctx.persistent.baseAddress,
           ctx.persistent.count >= plan.panelOffset &+ plan.panelBytes, let weights = filter.constant(as: Int8.self)?.baseAddress {
            if plan.strip {
                // (Sized for the strip form: without the table's packer, no repacked filter at all.)
                if let pack = kernelTable.stripPack {
                    let words = (base + plan.panelOffset).bindMemory(to: Int32.self, capacity: plan.panelBytes / 4)
                    pack(weights, g.filterHeight, g.filterWidth, g.filterDepth, outputDepth, words)
                    strip = true
                    panel = UnsafePointer((base + plan.panelOffset).assumingMemoryBound(to: Int8.self))
                }
            } else {
                let packed = (base + plan.panelOffset).bindMemory(to: Int8.self, capacity: plan.panelBytes)
                Conv2DOptimized.pack(weights, windowBytes: taps, outputDepth: outputDepth, into: packed)
                panel = UnsafePointer(packed)
            }
        }
        let perChannel = table.requantization(q, singleRounding: false)
        // The strip form and the one-pass panel form need only the lane constants in scratch.
        let onePass = !strip && panel != nil && Conv2DOptimized.panelNeedsNoScratch(g)
        let routine = strip || onePass ? 0 : Conv2DOptimized.scratchBytes(g, panel: panel != nil)
        let optimized = eligible && ctx.requestOptimizedScratch(perChannel, routineBytes: routine)
        if let bytes = Conv2DReference.inPlaceScratchBytes(g) { ctx.allowInPlace(scratchBytes: bytes) }
        return Params(geometry: g, requantization: q, perChannel: perChannel, panel: panel, tablePacked: kernelTable.panelPack != nil,
                      strip: strip, laneScratchOnly: onePass, optimized: optimized)
    }

    public static func eval(_ ctx: borrowing EvalContext, _ p: Params) {
        let input = ctx.input(0, as: Int8.self), filter = ctx.input(1, as: Int8.self), output = ctx.output(0, as: Int8.self)
        if ctx.runsInPlace, let scratch = ctx.scratch {
            Conv2DReference.runInPlace(p.geometry, p.requantization, input: input, output: output, filter: filter,
                                       bias: ctx.input(2)?.assumingMemoryBound(to: Int32.self), scratch: scratch)
        } else if p.optimized, let scratch = ctx.scratch,
                  p.strip ? kernelTable.stripImage != nil : p.panel == nil || (kernelTable.panelPack != nil) == p.tablePacked,
                  !p.laneScratchOnly || kernelTable.panelRunRequantize != nil {
            // (A kernel table installed after prepare, against KernelTable's contract, may read
            // another panel layout or lack the strip form or the one-pass panel its scratch was
            // sized for: the reference routine below then, exact too.)
            let lanes = p.perChannel.lanes(in: scratch)
            if p.strip, let panel = p.panel {
                Conv2DOptimized.runStrips(p.geometry, lanes, inputOffset: p.requantization.inputOffset,
                                          packed: UnsafeRawPointer(panel).assumingMemoryBound(to: Int32.self), input: input, output: output)
            } else {
                Conv2DOptimized.run(p.geometry, lanes, inputOffset: p.requantization.inputOffset, panel: p.panel,
                                    input: input, filter: filter, output: output, scratch: scratch + p.perChannel.laneBytes)
            }
        } else {
            Conv2DReference.run(p.geometry, p.requantization, input: input, filter: filter,
                                bias: ctx.input(2)?.assumingMemoryBound(to: Int32.self), output: output)
        }
    }
}
