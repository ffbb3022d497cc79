/// What MAX_POOL_2D and AVERAGE_POOL_2D share: `Pool2DOptions`, the window geometry and the
/// fused activation range, validated as TFLite's `pooling.cc` `GenericPrepare` does.
public struct Pool2DParameters {
    /// Dilations 1, `inputDepth == outputDepth`, every window non-empty.
    public var geometry: ConvGeometry
    /// The fused activation's int8 range on the output scale.
    public var activationMin: Int32
    public var activationMax: Int32
    /// Eval runs `Pool2DOptimized` (the fast memory policy) instead of `Pool2DReference`:
    /// the same bytes, no extra memory.
    public var optimized: Bool

    /// Validates a pooling operator: one int8 `[N, H, W, C]` input and output with the same
    /// scale (within 1e-6, TFLite's check) and zero point, `Pool2DOptions` with SAME/VALID
    /// padding, strides and filter sizes of at least 1, and the declared output shape
    /// `[N, outH, outW, C]` that TFLite's `ComputePaddingHeightWidth` gives.
    public init(_ ctx: borrowing PrepareContext) throws(MoteError) {
        guard ctx.inputCount == 1, ctx.outputCount == 1 else { throw ctx.error(.invalidArgument, "pooling takes one input and one output") }
        let input = try ctx.input(0), output = try ctx.output(0)
        try ctx.require(input, type: .int8, "pooling supports int8 tensors only")
        try ctx.require(output, type: .int8, "pooling supports int8 tensors only")
        try ctx.require(input, rank: 4, "pooling input must be 4-D")
        guard ctx.optionsType == BuiltinOptionsType.pool2D, let o = ctx.options else {
            throw ctx.error(.invalidOptions, "pooling without Pool2DOptions")
        }
        // Pool2DOptions: padding, stride_w, stride_h, filter_width, filter_height,
        // fused_activation_function.
        guard let padding = Padding(rawValue: o.i8(0)) else { throw ctx.error(.invalidOptions, "unknown padding") }
        let strideW = Int(o.i32(1)), strideH = Int(o.i32(2)), filterW = Int(o.i32(3)), filterH = Int(o.i32(4))
        guard strideW >= 1, strideH >= 1 else { throw ctx.error(.invalidOptions, "pooling strides must be positive") }
        guard filterW >= 1, filterH >= 1 else { throw ctx.error(.invalidOptions, "pooling filter sizes must be positive") }

        let qIn = try ctx.quantization(input), qOut = try ctx.quantization(output)
        let scaleIn = input.scale(0), scaleOut = output.scale(0)
        let scaleGap = scaleIn > scaleOut ? scaleIn - scaleOut : scaleOut - scaleIn
        guard scaleGap <= 1.0e-6, qIn.zeroPoint == qOut.zeroPoint else {
            throw ctx.error(.invalidQuantization, "pooling input and output quantization differ", tensor: output.index)
        }

        let s = input.shape
        guard let rows = ConvGeometry.window(padding, input: s[1], filter: filterH, stride: strideH, dilation: 1),
              let columns = ConvGeometry.window(padding, input: s[2], filter: filterW, stride: strideW, dilation: 1) else {
            throw ctx.error(.invalidOptions, "pooling window does not fit the input", tensor: input.index)
        }
        try ctx.require(output, shape: TensorShape(s[0], rows.output, columns.output, s[3]))
        geometry = ConvGeometry(batches: s[0], inputHeight: s[1], inputWidth: s[2], inputDepth: s[3],
                                outputHeight: rows.output, outputWidth: columns.output, outputDepth: s[3],
                                filterHeight: filterH, filterWidth: filterW, filterDepth: 1,
                                strideHeight: strideH, strideWidth: strideW, dilationHeight: 1, dilationWidth: 1,
                                padTop: rows.padBefore, padLeft: columns.padBefore)
        (activationMin, activationMax) = try ctx.activationRange(o.i8(5), scale: qOut.scale, zeroPoint: qOut.zeroPoint)
        optimized = ctx.memoryPolicy == .fast
    }
}
