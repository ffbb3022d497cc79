/// SOFTMAX on int8 tensors over the last dimension, as TFLite's reference kernel (versions 1-3;
/// version 3 is int16, rejected by type): gemmlowp fixed point with the input multiplier and
/// `diff_min` of `PreprocessSoftmaxScaling(beta, inputScale, 5)` (see `SoftmaxReference`).
///
/// Any rank of at least 1 and any number of rows. The output must have zero point -128 and a
/// scale within 0.1% of 1/256 (TFLite's checks; the values are always produced in units of
/// 1/256). Rejected: non-int8 tensors, an output shape other than the input's, missing
/// `SoftmaxOptions`, and a `beta * inputScale` so small (at most 2^-26) or negative that
/// TFLite's `QuantizeMultiplierGreaterThanOne` would abort.
public enum SoftmaxKernel: OperatorKernel {
    public typealias Params = SoftmaxReference.Params

    public static var maxVersion: Int32 { 3 }

    public static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params {
        guard ctx.inputCount == 1, ctx.outputCount == 1 else { throw ctx.error(.invalidArgument, "SOFTMAX takes one input and one output") }
        let input = try ctx.input(0), output = try ctx.output(0)
        try ctx.require(input, type: .int8, "SOFTMAX supports int8 tensors only")
        try ctx.require(output, type: .int8, "SOFTMAX supports int8 tensors only")
        guard input.shape.rank >= 1 else { throw ctx.error(.shapeMismatch, "SOFTMAX input must have a dimension", tensor: input.index) }
        try ctx.require(output, shape: input.shape, "SOFTMAX output shape differs from the input's")
        _ = try ctx.quantization(input)
        let qOut = try ctx.quantization(output)
        let outScale = output.scale(0), unit: Float = 1.0 / 256
        let gap = outScale > unit ? outScale - unit : unit - outScale
        guard qOut.zeroPoint == -128, gap <= 0.001 * unit else {
            throw ctx.error(.invalidQuantization, "SOFTMAX output must have scale 1/256 and zero point -128", tensor: output.index)
        }
        // SoftmaxOptions: beta.
        guard ctx.optionsType == BuiltinOptionsType.softmax, let o = ctx.options else {
            throw ctx.error(.invalidOptions, "SOFTMAX without SoftmaxOptions")
        }
        let depth = input.shape[input.shape.rank - 1]
        let rows = depth > 0 ? input.elementCount / depth : 0
        guard let params = SoftmaxReference.Params(beta: o.f32(0), inputScale: input.scale(0), rows: rows, depth: depth) else {
            throw ctx.error(.invalidOptions, "SOFTMAX beta times input scale is too small or negative")
        }
        return params
    }

    public static func eval(_ ctx: borrowing EvalContext, _ params: Params) {
        SoftmaxReference.int8(params, input: ctx.input(0, as: Int8.self), output: ctx.output(0, as: Int8.self))
    }
}
