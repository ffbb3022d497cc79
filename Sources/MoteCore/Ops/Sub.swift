/// SUB: `output = input1 - input2` with numpy broadcasting up to rank 6 and a fused activation,
/// as TFLite 2.21's reference kernel, which for int8 runs the ADD kernel with the second
/// input's multiplier negated (`sub.cc`); the shared code is `ElementwiseBinary`.
///
/// int8 (per-tensor quantization) and int32 (wrapping difference, clamped); other types are
/// rejected, as are int8 output scales below max input scale / 2^19.
public enum SubKernel: OperatorKernel {
    public typealias Params = ElementwiseBinary.AddSubParams
    public static var maxVersion: Int32 { 5 }

    public static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params {
        try ElementwiseBinary.prepareAddSub(&ctx, subtract: true)
    }

    public static func eval(_ ctx: borrowing EvalContext, _ params: Params) {
        ElementwiseBinary.evalAddSub(ctx, params)
    }
}
