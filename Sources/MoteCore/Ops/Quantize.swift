/// QUANTIZE as an int8 -> int8 requantization, as TFLite 2.21's reference kernel
/// (`quantize.cc` with `reference_ops::Requantize`): multiplier and shift from
/// `QuantizeMultiplier(double(input_scale) / double(output_scale))`, then per element
/// `clamp(zp_out + MultiplyByQuantizedMultiplier(q - zp_in, multiplier, shift), -128, 127)`.
///
/// Both tensors need per-tensor quantization and the same shape. Rejected: float input
/// (quantization of float activations), any non-int8 type.
public enum QuantizeKernel: OperatorKernel {
    public struct Params {
        var requantize: Requantize.Params
        var count: Int
    }

    public static var maxVersion: Int32 { 3 }

    public static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params {
        guard ctx.inputCount == 1, ctx.outputCount == 1 else { throw ctx.error(.invalidArgument, "QUANTIZE needs 1 input and 1 output") }
        let input = try ctx.input(0), output = try ctx.output(0)
        try ctx.require(input, type: .int8, "QUANTIZE supports int8 -> int8 requantization only")
        try ctx.require(output, type: .int8, "QUANTIZE supports int8 -> int8 requantization only")
        try ctx.require(output, shape: input.shape, "QUANTIZE output shape differs from the input")
        guard output.scaleCount == 1 else { throw ctx.error(.invalidQuantization, "QUANTIZE output must be per-tensor quantized", tensor: output.index) }
        let qi = try ctx.quantization(input), qo = try ctx.quantization(output)
        let r = Requantize.Params.quantize(inputScale: input.scale(0), inputZeroPoint: qi.zeroPoint,
                                           outputScale: output.scale(0), outputZeroPoint: qo.zeroPoint)
        // Element i is read before it is written and never again: safe over the input.
        ctx.allowInPlace()
        return Params(requantize: r, count: input.elementCount)
    }

    public static func eval(_ ctx: borrowing EvalContext, _ p: Params) {
        Requantize.run(p.requantize, ctx.input(0, as: Int8.self), ctx.output(0, as: Int8.self), count: p.count)
    }
}
