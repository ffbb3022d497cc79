/// MUL: `output = input1 * input2` with numpy broadcasting up to rank 6 (a scalar constant
/// operand included) and a fused activation, as TFLite 2.21's reference kernel (`mul.cc` with
/// `reference_integer_ops::BroadcastMul6DSlow`).
///
/// int8: per-tensor quantization, multiplier `QuantizeMultiplier(float(s1 * s2 / s_out))`,
/// double rounding (`QuantizedMul`). int32: the wrapping product, clamped. Other types are rejected.
public enum MulKernel: OperatorKernel {
    public typealias Params = ElementwiseBinary.MulParams
    public static var maxVersion: Int32 { 7 }

    public static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params {
        try ElementwiseBinary.prepareMul(&ctx)
    }

    public static func eval(_ ctx: borrowing EvalContext, _ params: Params) {
        ElementwiseBinary.evalMul(ctx, params)
    }
}
