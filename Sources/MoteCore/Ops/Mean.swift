/// MEAN on int8 tensors, as TFLite's reference kernel (versions 1-3; version 3 is int16,
/// rejected by type): the sum over the reduced axes requantized with the multiplier of
/// `inputScale / outputScale` with the division by the element count folded in (see
/// `MeanReference`), for equal and for different input and output quantization alike.
///
/// Any rank up to 6; the axes (input 1) must be a constant int32 tensor of any length, with
/// negative axes counted from the end and duplicates ignored; `keep_dims` keeps reduced
/// dimensions as 1. An empty axis list copies the input bytes unchanged (TFLite does the same).
/// Scratch: one `Int32` per output element. Rejected: non-int8 data, a non-constant or
/// non-int32 axis tensor, an axis outside `-rank..<rank`, a declared output shape other than the
/// computed one.
public enum MeanKernel: OperatorKernel {
    public typealias Params = MeanReference.Params

    public static var maxVersion: Int32 { 3 }

    public static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params {
        guard ctx.inputCount == 2, ctx.outputCount == 1 else { throw ctx.error(.invalidArgument, "MEAN takes input and axes, and one output") }
        let input = try ctx.input(0), axes = try ctx.input(1), output = try ctx.output(0)
        try ctx.require(input, type: .int8, "MEAN supports int8 tensors only")
        try ctx.require(output, type: .int8, "MEAN supports int8 tensors only")
        try ctx.require(axes, type: .int32, "MEAN axes must be int32")
        try ctx.requireConstant(axes, "MEAN axes must be constant")
        guard let axisData = axes.constant(as: Int32.self) else { throw ctx.error(.invalidBuffer, "MEAN axes must be constant", tensor: axes.index) }
        if ctx.optionsType != BuiltinOptionsType.none, ctx.optionsType != BuiltinOptionsType.reducer {
            throw ctx.error(.invalidOptions, "MEAN options are not ReducerOptions")
        }
        // ReducerOptions: keep_dims (false when absent).
        let keepDims = ctx.options?.bool(0) ?? false

        let shape = input.shape, rank = shape.rank
        var reduced: UInt32 = 0
        let axisCount = axes.elementCount
        for k in 0..<axisCount {
            // A scalar input reduces to itself whatever the axes say (TFLite skips them).
            guard rank > 0 else { break }
            let a = Int(axisData[k])
            guard a >= -rank, a < rank else { throw ctx.error(.invalidOptions, "MEAN axis out of range", tensor: axes.index, value: a) }
            reduced |= UInt32(1) << UInt32(a < 0 ? a + rank : a)
        }
        var expected = TensorShape()
        for i in 0..<rank {
            if reduced & (UInt32(1) << UInt32(i)) == 0 {
                expected.append(shape[i])
            } else if keepDims {
                expected.append(1)
            }
        }
        try ctx.require(output, shape: expected, "MEAN output shape differs from the computed one")

        let qIn = try ctx.quantization(input), qOut = try ctx.quantization(output)
        let (multiplier, shift) = FixedPoint.quantizeMultiplier(qIn.scale / qOut.scale)
        let params = MeanReference.Params(shape: shape, reduced: reduced, axisCount: axisCount, multiplier: multiplier, shift: shift,
                                          inputZeroPoint: qIn.zeroPoint, outputZeroPoint: qOut.zeroPoint)
        ctx.requestScratch(bytes: params.outputCount &* MemoryLayout<Int32>.stride)
        return params
    }

    public static func eval(_ ctx: borrowing EvalContext, _ params: Params) {
        MeanReference.int8(params, input: ctx.input(0, as: Int8.self), output: ctx.output(0, as: Int8.self),
                           accumulator: ctx.scratch?.bindMemory(to: Int32.self, capacity: params.outputCount))
    }
}
