/// LEAKY_RELU on int8, as TFLite 2.21's `LeakyReluPrepare` and `reference_ops::QuantizeLeakyRelu`:
/// two multipliers, identity (`float(s_in / s_out)`) for inputs at or above the input zero
/// point and alpha (`float(s_in * alpha / s_out)`, any sign) below it, double rounding, the
/// output zero point added and the result clamped to int8 (`Requantize.LeakyParams`).
///
/// `alpha` is LeakyReluOptions field 0 (0 without options). Input and output: int8,
/// per-tensor quantization, same shape. Other types are rejected.
public enum LeakyReluKernel: OperatorKernel {
    public struct Params {
        var leaky: Requantize.LeakyParams
        var count: Int
    }

    public static var maxVersion: Int32 { 2 }

    public static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params {
        guard ctx.inputCount == 1, ctx.outputCount == 1 else { throw ctx.error(.invalidArgument, "LEAKY_RELU needs 1 input and 1 output") }
        guard ctx.options == nil || ctx.optionsType == BuiltinOptionsType.leakyRelu else {
            throw ctx.error(.invalidOptions, "LEAKY_RELU options of the wrong type")
        }
        let input = try ctx.input(0), output = try ctx.output(0)
        try ctx.require(input, type: .int8, "LEAKY_RELU supports int8 only")
        try ctx.require(output, type: .int8, "LEAKY_RELU output type differs from the input")
        try ctx.require(output, shape: input.shape, "LEAKY_RELU output shape differs from the input")
        let qi = try ctx.quantization(input), qo = try ctx.quantization(output)
        let alpha = ctx.options?.f32(0) ?? 0
        guard alpha.isFinite else { throw ctx.error(.invalidOptions, "LEAKY_RELU alpha is not finite") }
        let leaky = Requantize.LeakyParams.make(inputScale: input.scale(0), inputZeroPoint: qi.zeroPoint,
                                                outputScale: output.scale(0), outputZeroPoint: qo.zeroPoint, alpha: alpha)
        // Element i is read before it is written and never again: safe over the input.
        ctx.allowInPlace()
        return Params(leaky: leaky, count: input.elementCount)
    }

    public static func eval(_ ctx: borrowing EvalContext, _ p: Params) {
        Requantize.leaky(p.leaky, ctx.input(0, as: Int8.self), ctx.output(0, as: Int8.self), count: p.count)
    }
}
