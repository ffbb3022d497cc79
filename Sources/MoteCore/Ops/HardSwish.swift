/// HARD_SWISH on int8 tensors, as TFLite's reference kernel (version 1): `x * relu6(x + 3) / 6`
/// in 16-bit fixed point with the multipliers of TFLite's `HardSwishPrepare` (see
/// `HardSwishReference`). Input and output have their own scales and zero points.
///
/// Rejected: non-int8 tensors, an output shape other than the input's, missing or non-positive
/// quantization, scales with `inputScale / 128 / outputScale >= 1` (TFLite rejects them), and
/// scales where that ratio or `inputScale / 128 / (3 / 32768)` is below 2^-16 (there TFLite's
/// int16 rounding shift stops being a rounding division).
public enum HardSwishKernel: OperatorKernel {
    public struct Params {
        var hardSwish: HardSwishReference.Params
        var count: Int
    }

    public static var maxVersion: Int32 { 1 }

    public static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params {
        guard ctx.inputCount == 1, ctx.outputCount == 1 else { throw ctx.error(.invalidArgument, "HARD_SWISH takes one input and one output") }
        let input = try ctx.input(0), output = try ctx.output(0)
        try ctx.require(input, type: .int8, "HARD_SWISH supports int8 tensors only")
        try ctx.require(output, type: .int8, "HARD_SWISH supports int8 tensors only")
        try ctx.require(output, shape: input.shape, "HARD_SWISH output shape differs from the input's")
        let qIn = try ctx.quantization(input), qOut = try ctx.quantization(output)
        guard let p = HardSwishReference.Params(inputScale: input.scale(0), inputZeroPoint: qIn.zeroPoint,
                                                outputScale: output.scale(0), outputZeroPoint: qOut.zeroPoint) else {
            throw ctx.error(.invalidQuantization, "HARD_SWISH scales out of the supported range", tensor: output.index)
        }
        // Element i is read before it is written and never again: safe over the input.
        ctx.allowInPlace()
        return Params(hardSwish: p, count: input.elementCount)
    }

    public static func eval(_ ctx: borrowing EvalContext, _ params: Params) {
        HardSwishReference.int8(params.hardSwish, input: ctx.input(0, as: Int8.self), output: ctx.output(0, as: Int8.self), count: params.count)
    }
}
