/// RELU, RELU6 and RELU_N1_TO_1 on int8, as TFLite 2.21's `ReluPrepare` and `QuantizedReluX`:
/// requantize from the input's to the output's quantization with the multiplier of
/// `float(input_scale / output_scale)` (double rounding), then clamp to
/// `[max(-128, zp + round(lo / s_out)), min(127, zp + round(hi / s_out))]` with (lo, hi) =
/// (0, +inf), (0, 6) or (-1, 1), the divisions in float and `roundf` ties away from zero.
///
/// Input and output: int8, per-tensor quantization, same shape. Other types are rejected.
public enum ReluKernel: OperatorKernel {
    public struct Params {
        var requantize: Requantize.Params
        var count: Int
    }

    public static var maxVersion: Int32 { 3 }

    public static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params {
        guard ctx.inputCount == 1, ctx.outputCount == 1 else { throw ctx.error(.invalidArgument, "RELU needs 1 input and 1 output") }
        let input = try ctx.input(0), output = try ctx.output(0)
        try ctx.require(input, type: .int8, "RELU supports int8 only")
        try ctx.require(output, type: .int8, "RELU output type differs from the input")
        try ctx.require(output, shape: input.shape, "RELU output shape differs from the input")
        let qi = try ctx.quantization(input), qo = try ctx.quantization(output)
        let bounds: (lo: Float, hi: Float?)
        switch ctx.builtinCode {
        case BuiltinOperator.relu6: bounds = (0, 6)
        case BuiltinOperator.reluN1To1: bounds = (-1, 1)
        default: bounds = (0, nil)
        }
        let r = Requantize.Params.relu(inputScale: input.scale(0), inputZeroPoint: qi.zeroPoint,
                                       outputScale: output.scale(0), outputZeroPoint: qo.zeroPoint, lo: bounds.lo, hi: bounds.hi)
        // Element i is read before it is written and never again: safe over the input.
        ctx.allowInPlace()
        return Params(requantize: r, count: input.elementCount)
    }

    public static func eval(_ ctx: borrowing EvalContext, _ p: Params) {
        Requantize.run(p.requantize, ctx.input(0, as: Int8.self), ctx.output(0, as: Int8.self), count: p.count)
    }
}
